"""The one place that decides whether work runs in another process or thread (`TAIZHANG_PARALLEL`).

`TAIZHANG_PARALLEL=0` turns every such fast path off: the build then makes everything in its
own process on one thread, the reference the fast paths must match byte for byte. Unset or
`1`, each path runs where it is safe and useful: a second process only with a second core, a
fork only where no other thread runs (a forked copy keeps only the thread that forked, with
every lock as it was: one taken by another thread, say a web server's logging, would never be
let go; Python 3.12 warns about it). A path refused or failed says why at INFO, once a process.

The thread that feeds `git cat-file` while its answers are read (history.git.blobs) is not a
fast path but what keeps both pipes from filling up, so it runs with the switch off as well.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

SWITCH = "TAIZHANG_PARALLEL"
log = logging.getLogger("taizhang")
_said: set[tuple[str, str]] = set()


def enabled() -> bool:
    """The switch: on unless `TAIZHANG_PARALLEL=0`."""
    return os.environ.get(SWITCH, "1").strip() != "0"


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def why_not_beside() -> str:
    """Why a second process cannot usefully run beside this one ("" when it can)."""
    if not enabled():
        return f"{SWITCH}=0"
    if cores() < 2:
        return "one core (a second process would only take turns)"
    return ""


def why_not_fork(threads: int = 1) -> str:
    """Why a forked copy of this process is unsafe or impossible ("" when it is safe): `threads`
    counts this one and those known to hold nothing the copy uses."""
    if not enabled():
        return f"{SWITCH}=0"
    if not hasattr(os, "fork"):
        return "no fork on this system"
    running = threading.active_count()
    if running > threads:
        return f"{running} threads running (a fork beside them is unsafe)"
    return ""


def beside() -> bool:
    """A second process can usefully run beside this one."""
    return not why_not_beside()


def can_fork(threads: int = 1) -> bool:
    """A forked copy of this process is safe and allowed."""
    return not why_not_fork(threads)


def forkable() -> bool:
    """A forked copy can usefully run beside this process: the switch, a second core, no other thread."""
    return beside() and can_fork()


def off(mechanism: str) -> str:
    """For `make bench` only: why `mechanism` is turned off (TAIZHANG_BENCH_OFF=name,name), or ""."""
    names = os.environ.get("TAIZHANG_BENCH_OFF", "").split(",")
    return f"TAIZHANG_BENCH_OFF={mechanism}" if mechanism in names else ""


def refused(what: str, why: str) -> None:
    """Say at INFO, once a process, that the fast path `what` did not run and why."""
    if why and (what, why) not in _said:
        _said.add((what, why))
        log.info("taizhang: no %s: %s", what, why)


def fork(what: str, threads: int = 1) -> int | None:
    """`os.fork()` where safe: the child's 0 or the parent's child pid; None (said why) where not."""
    why = why_not_fork(threads)
    if why:
        refused(what, why)
        return None
    try:
        return os.fork()
    except OSError as exc:
        refused(what, f"fork failed: {exc.strerror or exc}")
        return None


def thread(target: Callable[..., Any], name: str, *args: Any) -> threading.Thread:
    """A daemon thread running `target(*args)`, started."""
    started = threading.Thread(target=target, args=args, name=name, daemon=True)
    started.start()
    return started


def waiting(work: Callable[[T], R], items: Sequence[T], threads: int = 16) -> list[R]:
    """`work` on each item, in order; on threads where most of the time is waiting on the network
    (the roll-up's fetches, bench/README.md finding 19), in this thread with the switch off."""
    if not enabled() or len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(threads, len(items))) as pool:
        return list(pool.map(work, items))
