"""The site's pages made by a second process while the builder converts them.

MkDocs converts and themes pages on one core. On a machine with more, a forked copy of the
build renders each page and its HTML parts (bulk.py) and hands them over a pipe in the order
the builder reads them: the builder asks for a page when it reads it (`content`), for its
parts once Markdown has run (`parts`), for its bulk lists when it writes it (`fills`). The paths
of all pages come first (`made`), as soon as `git log` has said which weeks have commits; the
revisions are parsed while the builder converts the first pages, which need nothing of them
(pages.plan puts what the history says last, or in bulk lists).

Where no second process can run (one core, no fork, other threads running: under `mkdocs
serve`, whose server runs threads beside which a fork is unsafe), or should it fail, the pages
are made here (`Local`): the same pages, the same order.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import threading
import traceback
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from taizhang.history import git
from taizhang.site import pages
from taizhang.speed import timing
from taizhang.ledger.figures import Aggregate
from taizhang.site import fills
from taizhang.site.fills import Fills
from taizhang.history.commits import History, Pending, begin_history, read_history
from taizhang.speed import parallel
from taizhang.speed.store import Store, collector_paused

_AHEAD_BYTES = 16 << 20  # bulk lists made but not yet read by the builder, at most


@dataclass
class Made:
    """The path of every page; once all are made, what the history said and the seconds it took."""

    uris: list[str]
    lines: list[str] = field(default_factory=list)  # the history's warnings and notes
    clock: dict[str, float] = field(default_factory=dict)  # the second process's seconds per step


class Local:
    """Pages made in this process, each rendered when first asked for."""

    def __init__(self, plan: pages.Plan, history: Pending | None = None) -> None:
        self.plan = dict(plan)
        self.made = Made(list(self.plan))
        self.pending = history  # kept under `mkdocs serve`: the next build reads only what is new
        self.pages: dict[str, pages.Page] = {}

    @classmethod
    def of(cls, agg: Aggregate, options: pages.Options, history: History | Pending) -> Local:
        pending = history if isinstance(history, Pending) else Pending.of(history)
        shown = pending.until(agg.as_of)  # one story as of one day; `pending` whole, for the next build to reuse
        options.updated = shown.updated()
        return cls(pages.plan(agg, options, shown), pending)

    @classmethod
    def listed(cls, made: list[pages.Page]) -> Local:
        """Pages made already, e.g. a broken ledger's error pages."""
        return cls([(page.uri, partial(pages.ready, page)) for page in made])

    @property
    def history(self) -> History | None:
        return self.pending.result() if self.pending else None

    def content(self, uri: str) -> str | bytes:
        return self._page(uri).content

    def parts(self, uri: str) -> Fills:
        return self._page(uri).fills

    def fills(self, uri: str) -> Fills:
        """The page's bulk lists; the page is done with, and let go."""
        page = self.pages.pop(uri, None) or self._page(uri, keep=False)
        return page.fills

    def _page(self, uri: str, keep: bool = True) -> pages.Page:
        page = self.pages.get(uri)
        if page is None:
            with collector_paused():
                page = self.plan[uri]()
            if keep:
                self.pages[uri] = page
        return page

    def close(self, stop: bool = False) -> None:
        self.pages = {}
        if self.pending is not None:
            history = self.pending.result()
            self.made.lines = history.warnings + history.notes


class Forked:
    """Pages made by a forked copy of this process, read from a pipe as the builder asks for them."""

    def __init__(self, agg: Aggregate, options: pages.Options, root: Path, clock: timing.Clock) -> None:
        """Forked from this process."""
        self.agg, self.options, self.root, self.clock = agg, options, root, clock
        self.local: Local | None = None  # pages made here, should the second process fail
        self.received: dict[tuple[str, str], Any] = {}  # (kind, uri) → read from the pipe, not yet asked for
        self.failed = ""  # what went wrong in the second process, if anything did
        self._made: Made | None = None
        self.pipe: IO[bytes] | None = None
        self.pid = 0  # of the second process when it is this one's child
        read, write = os.pipe()
        git.widen(write)
        pid = parallel.fork("second process for the pages")
        if pid == 0:  # the second process: never returns
            os.close(read)
            _child(write, agg, options, root)
        os.close(write)
        if pid is None:  # refused since `start` asked (a thread started in between), said why
            os.close(read)
            self._fallback("no fork")
            return
        self.pid = pid
        self.pipe = os.fdopen(read, "rb")

    @property
    def made(self) -> Made:
        """The paths, read when first asked for: the builder goes on while `git log` runs."""
        if self._made is None:
            made = self._next("made", "")
            self._made = made if isinstance(made, Made) else self._fallback().made
        return self._made

    def content(self, uri: str) -> str | bytes:
        return self._get("content", uri)

    def parts(self, uri: str) -> Fills:
        return self._get("parts", uri)

    def fills(self, uri: str) -> Fills:
        return self._get("fills", uri)

    def _get(self, kind: str, uri: str) -> Any:
        if self.local is None:
            found = self._next(kind, uri)
            if found is not None or self.local is None:
                return found
        return getattr(self.local, kind)(uri)

    def _next(self, kind: str, uri: str) -> Any:
        """What the second process sent as (kind, uri), read up to it; None once it has failed."""
        key = (kind, uri)
        if key in self.received:
            return self.received.pop(key)
        with self.clock("wait"):
            while self.pipe is not None:
                try:
                    message = pickle.load(self.pipe)
                except Exception:  # it ended without a word (killed, out of memory)
                    message = ("failed", "", "")
                got = (message[0], message[1])
                if got[0] == "failed":
                    self._fallback(message[2] or "ended early")
                    return None
                if got == key:
                    return message[2]
                self.received[got] = message[2]
        return None

    def _fallback(self, why: str = "") -> Local:
        """Make the pages here from now on."""
        self._end(stop=True)
        self.failed = self.failed or why
        if self.local is None:
            with self.clock("history"):
                history = read_history(self.root, None, Store(self.root))
            self.local = Local.of(self.agg, self.options, history)
        return self.local

    def close(self, stop: bool = False) -> None:
        """Read the second process's last word (its clock, the history's notes) and wait for it to end;
        `stop`: end it now."""
        if self.pipe is not None and self.local is None and not stop:
            last = self._next("end", "")
            if isinstance(last, tuple):
                self.made.clock, self.made.lines = last
        self._end(stop)
        if self._made is None:  # stopped before the paths were asked for: there are none to make
            self._made = Made([])
        if self.local is not None:
            self.local.close()
            self.made.lines = self.local.made.lines

    def _end(self, stop: bool = False) -> None:
        """Stop reading: the second process ends at its next write (at once with `stop`)."""
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
        if self.pid:
            try:
                if stop:
                    os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ChildProcessError, ProcessLookupError):  # reaped or gone already
                pass
            self.pid = 0


def start(agg: Aggregate, options: pages.Options, root: Path, clock: timing.Clock,
          previous: History | None = None, store: Store | None = None) -> Local | Forked:
    """The pages of `agg`: made by a second process where one can run beside this one, else here."""
    why = parallel.off("pages") or parallel.why_not_beside() or parallel.why_not_fork()
    if not why:
        return Forked(agg, options, root, clock)
    parallel.refused("second process for the pages", why)
    with clock("history"):
        history = read_history(root, previous, store)
    return Local.of(agg, options, history)


def _child(fd: int, agg: Aggregate, options: pages.Options, root: Path) -> None:
    """The second process: every page in order, the history read in between; it ends here, whatever happens."""
    code = 0
    store = None
    clock = timing.Clock()
    send = _Sender(fd)
    try:
        gc.freeze()  # what the build made before the fork stays shared: the collector never touches it
        store = Store(root, aside=True, threads=2)  # its writer may fork beside the sending thread
        with clock("history"):
            pending = begin_history(root, None, store)

        def finish() -> History:
            with clock("history"):
                return pending.result()

        local = Local.of(agg, options, Pending(finish, pending.available, pending.commits, pending.touched))
        send("made", "", local.made)
        for kind, uri, value in _pages(local, clock):
            send(kind, uri, value, wait=kind == "fills")
        history = local.history or History()
        send("end", "", (clock.spent, history.warnings + history.notes))
        send.close()
    except BrokenPipeError:  # the build stopped reading: it ended or failed
        pass
    except BaseException:  # noqa: BLE001 - said to the build, which makes the pages itself
        try:
            send("failed", "", traceback.format_exc(limit=-3))
            send.close()
        except BaseException:  # noqa: BLE001
            code = 1
    finally:
        if store is not None:
            store.wait()
        os._exit(code)


class _Sender:
    """Writes messages to the build from a thread of its own, so that the pages that need no
    history go out while the history is read. Pages are queued as fast as they are made (all
    of them take a few bytes a problem); bulk lists, most of the bytes, wait while more than
    `_AHEAD_BYTES` are queued."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.queue: deque[bytes] = deque()
        self.queued = 0
        self.done = False
        self.error: OSError | None = None
        self.ready = threading.Condition()
        # Only in the second process, itself a fast path: with the switch off it never runs.
        self.thread = parallel.thread(self._write, "taizhang-pages")

    def __call__(self, kind: str, uri: str, value: Any, wait: bool = True) -> None:
        data = pickle.dumps((kind, uri, value), protocol=pickle.HIGHEST_PROTOCOL)
        with self.ready:
            while wait and self.queued > _AHEAD_BYTES and self.error is None:
                self.ready.wait()
            if self.error is not None:
                raise self.error
            self.queue.append(data)
            self.queued += len(data)
            self.ready.notify_all()

    def close(self) -> None:
        """Once everything queued is written."""
        with self.ready:
            self.done = True
            self.ready.notify_all()
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _write(self) -> None:
        while True:
            with self.ready:
                while not self.queue and not self.done:
                    self.ready.wait()
                if not self.queue:
                    return
                data = self.queue.popleft()
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view):]
            except OSError as exc:  # the build stopped reading
                with self.ready:
                    self.error = exc
                    self.ready.notify_all()
                return
            with self.ready:
                self.queued -= len(data)
                self.ready.notify_all()


def _pages(local: Local, clock: timing.Clock) -> Iterator[tuple[str, str, Any]]:
    """Every page's content and parts in order, then every page's bulk lists, rendered to strings."""
    for uri in local.made.uris:
        with clock("render"), collector_paused():
            content = local.content(uri)
            parts = fills.lighten(local.parts(uri))
        yield "content", uri, content
        yield "parts", uri, parts
    for uri in local.made.uris:
        with clock("fill"), collector_paused():
            lists = {k: render() for k, render in local.fills(uri).items() if k.startswith("fill")}
        yield "fills", uri, lists
