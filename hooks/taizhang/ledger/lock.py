"""One writer at a time: an exclusive lock on a ledger, held from reading it to replacing its files."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from taizhang import labels

NOTICE_AFTER = 2.0  # seconds a writer waits before it says that it waits
GIVE_UP_AFTER = 300.0  # a live holder this long is stuck: refuse rather than hang
_POLL = 0.02
LOCK_NAME = "taizhang.lock"

# Lock files this process holds, with how deeply: a writer that calls another (init importing a
# workbook) must not wait on itself, and a second flock on a new descriptor would do exactly that.
_held: dict[Path, int] = {}


class Busy(Exception):
    """The lock could not be taken: a one-line message for the user."""


def lock_path(root: Path) -> Path:
    """The lock file: inside the git directory of the repository holding `root`, else in the temporary folder.

    Inside git it is never committed and never shows in `git status`; a linked worktree has
    its own git directory and so its own lock, as it has its own files. A ledger outside git
    (or not yet created, as by an import) is locked by its resolved path, so that nothing is
    left in the user's folder and a refused import creates no folder.
    """
    start = root.resolve()
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot / LOCK_NAME
        if dot.is_file():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = dot.read_text(encoding="utf-8").strip()
                if text.startswith("gitdir:"):
                    return (folder / text[len("gitdir:"):].strip()) / LOCK_NAME
    digest = hashlib.sha256(os.fsencode(start)).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"taizhang-{digest}.lock"


@contextlib.contextmanager
def ledger_lock(root: Path) -> Iterator[None]:
    """Hold the ledger's lock for the block: every read–check–write of the ledger runs inside one.

    The lock is `flock` on an open file: the kernel drops it when the holder's descriptor
    closes, which includes the holder dying in any way (kill -9, power to the process), so a
    lock left by a dead process never blocks. The file itself stays; removing it would let a
    waiter lock a file that a newcomer has already replaced.
    """
    path = lock_path(root)
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    try:
        # O_CLOEXEC: a child (git) must not inherit the descriptor and keep the lock past us.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except PermissionError:
        try:  # another user's lock file: flock works on a descriptor open for reading too
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise Busy(labels.LOCK_WORDS["cannot"].format(path=path, reason=exc.strerror or exc)) from None
    except OSError as exc:
        raise Busy(labels.LOCK_WORDS["cannot"].format(path=path, reason=exc.strerror or exc)) from None
    try:
        _acquire(fd, path)
        with contextlib.suppress(OSError):  # who holds it, for a waiter's message only
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, path: Path) -> None:
    """Take the lock, saying once after NOTICE_AFTER seconds that we wait, refusing after GIVE_UP_AFTER."""
    start = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - start
        if not told and waited >= NOTICE_AFTER:
            print(labels.LOCK_WORDS["waiting"].format(holder=_holder(path), path=path), file=sys.stderr, flush=True)
            told = True
        if waited >= GIVE_UP_AFTER:
            raise Busy(labels.LOCK_WORDS["busy"].format(holder=_holder(path), path=path, seconds=int(GIVE_UP_AFTER)))
        time.sleep(_POLL)


def _holder(path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        return labels.LOCK_WORDS["holder"].format(pid=int(path.read_text(encoding="ascii").strip()))
    return labels.LOCK_WORDS["holder_unknown"]
