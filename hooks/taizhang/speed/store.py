"""What a build worked out, kept for the next one: parsed records by content, history by commit.

Files are pickles in the repository's git directory (`.git/taizhang/`), never in the working
tree: a pull request cannot bring one in, and whoever can write `.git` can already run code
through its hooks. Each file carries a fingerprint of this package's code and of the Python and
PyYAML that made it; a file made by other code, or one that does not read, counts as absent.
Nothing here ever fails a build: a store that cannot be read or written is an empty store.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from hashlib import blake2b
from pathlib import Path
from typing import Any, TypeVar

import yaml

from taizhang.speed import parallel

T = TypeVar("T")
FOLDER = "taizhang"


class Store:
    """The store of the ledger at `root` (none when `root` is in no git repository)."""

    def __init__(self, root: Path, aside: bool = False, threads: int = 1) -> None:
        found = git_dir(root)
        self.folder = found / FOLDER if found else None
        self.name = blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()  # one ledger of several in a repository
        self.aside = aside
        self.threads = threads  # threads known to run that a fork may leave behind (they hold nothing it uses)
        self.writers: list[int] = []  # forked processes writing (`write` with `aside`)

    def read(self, name: str, kind: type[T]) -> T | None:
        """The value last written as `name`, if it is a `kind` made by this code."""
        if self.folder is None:
            return None
        try:
            with open(self._path(name), "rb") as file, collector_paused():
                stamp, value = pickle.load(file)
        except Exception:  # absent, truncated, made by other code: any of these means "not stored"
            return None
        return value if stamp == fingerprint() and isinstance(value, kind) else None

    def write(self, name: str, value: Any) -> None:
        """Keep `value` as `name`; with `aside`, in a forked copy of this process while this one goes
        on (on a second core the store then costs a build nothing): `wait` for it before the
        process ends. Written here and now where a fork is unsafe (other threads running, e.g.
        under `mkdocs serve`) or unavailable."""
        if self.folder is None:
            return
        pid = parallel.fork("fork to write the store (written in this process)", self.threads) if self.aside and not parallel.off("store") else None
        if pid is None:
            self._write(name, value)
            return
        if pid == 0:  # the copy: write, then leave at once, with no clean-up of the parent's state
            code = 1
            try:
                self._write(name, value)
                code = 0
            finally:
                os._exit(code)
        self.writers.append(pid)

    def wait(self) -> None:
        """Until every value written aside is in its file."""
        for pid in self.writers:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.writers = []

    def _write(self, name: str, value: Any) -> None:
        """Written whole to a temporary file, then renamed over the old one."""
        assert self.folder is not None
        try:
            self.folder.mkdir(exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{name}-")
            try:
                with os.fdopen(fd, "wb") as file:
                    pickle.dump((fingerprint(), value), file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self._path(name))
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a read-only checkout builds as well, only without the head start

    def _path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}-{self.name}.pickle"


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository holding `root`, found without running git.

    `.git` is a folder, or in a linked worktree or submodule a file saying `gitdir: PATH`.
    """
    for folder in (root.resolve(), *root.resolve().parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            try:
                line = dot.read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            target = Path(line.removeprefix("gitdir:").strip())
            found = target if target.is_absolute() else folder / target
            return found if line.startswith("gitdir:") and found.is_dir() else None
    return None


@cache
def fingerprint() -> str:
    """This package's source, Python's version and PyYAML's: what parsed values depend on."""
    digest = blake2b(digest_size=16)
    digest.update(f"{sys.version}\0{yaml.__version__}\0{yaml.__with_libyaml__}".encode())
    package = Path(__file__).parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_pauses = 0  # collector_paused blocks open, in any thread
_paused_lock = threading.Lock()
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing and unpickling make millions of objects without cycles; the cycle collector
    would rescan them over and over (half the time of unpickling parsed records). Counted, so
    that a thread that ends its pause leaves the collector off while another is still in one."""
    global _pauses, _was_enabled
    with _paused_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _paused_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
