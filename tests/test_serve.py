"""`mkdocs serve` survives a broken record: a real server shows the errors page, then the site again."""

from __future__ import annotations

import html
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import AS_OF

from taizhang.labels import LABELS

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

MKDOCS = Path(sys.executable).with_name("mkdocs")
DEADLINE = 60  # seconds for the server to start or to rebuild; a hang fails instead of blocking
RECORD = "records/A1/P01.md"
BREAKS = {  # P01 broken (first occurrence replaced) and the exact error line the site must show
    "invalid YAML": (("area: A1\n", "area: [A1\n"),
                     f"{RECORD}:4: yaml: YAML 语法错误：while parsing a flow sequence，did not find expected ',' or ']'"),
    "unknown person": (("owner: gaopeng\n", "owner: nobody\n"),
                       f"{RECORD}:17: measures[0].owner: 应为 owners.yml 中的人员编号，实际为 nobody"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(root: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`mkdocs serve` (live reload on) at `root`; its process group is killed however the test ends."""
    port = free_port()
    env = {**os.environ, "TAIZHANG_AS_OF": AS_OF}
    env.pop("TAIZHANG_PROFILE", None)
    with log.open("wb") as out:
        proc = subprocess.Popen([str(MKDOCS), "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=root, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def get(url: str) -> str | None:
    """The page at `url`, None while it is not served (starting, rebuilding, absent)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return html.unescape(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(proc: subprocess.Popen[bytes], log: Path, url: str, ready: Callable[[str], bool], what: str) -> str:
    """Poll `url` until its page satisfies `ready`; fail at once if the server dies, or at the deadline."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        assert proc.poll() is None, f"mkdocs serve exited ({proc.returncode}):\n{log.read_text(errors='replace')}"
        page = get(url)
        if page is not None and ready(page):
            return page
        time.sleep(0.5)
    raise AssertionError(f"no {what} at {url} within {DEADLINE}s:\n{log.read_text(errors='replace')[-3000:]}")


def shows(*texts: str) -> Callable[[str], bool]:
    """A page showing every text, and the errors heading only when asked for."""
    errors = LABELS["errors"]
    return lambda page: all(t in page for t in texts) and (errors in texts or errors not in page)


# The site as it should be: a page and what shows it is the page of the valid ledger.
RESTORED = {"/problems/P01/": shows("理论学习中心组学习制度执行不严格"),  # P01's title
            "/": shows("区委第三巡察组巡察青山镇党委反馈意见整改台账")}  # the ledger's title


def test_serve_shows_errors_and_recovers(reference: Path, tmp_path: Path) -> None:
    record = reference / RECORD
    good = record.read_text(encoding="utf-8")
    log = tmp_path / "serve.log"
    with serving(reference, log) as (proc, base):
        for path, ready in RESTORED.items():
            wait_for(proc, log, base + path, ready, "the site")
        for name, ((old, new), line) in BREAKS.items():
            assert old in good, name
            # A save is several file events (truncate, write) and a rebuild may catch a half-written
            # record: each wait is for the page of the final state, not for the first page that changed.
            record.write_text(good.replace(old, new, 1), encoding="utf-8")
            wait_for(proc, log, f"{base}/", shows(LABELS["errors"], line), f"errors page ({name})")
            record.write_text(good, encoding="utf-8")
            for path, ready in RESTORED.items():
                wait_for(proc, log, base + path, ready, f"the site restored ({name})")
        assert proc.poll() is None
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output
    assert [line for _, line in BREAKS.values() if line not in output] == []  # logged as warnings too
