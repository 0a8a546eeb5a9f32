"""Pages made by a second process while MkDocs converts them (pipeline.py): the same site as pages
made in the build's own process, and the same again when the second process fails or dies."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import build, site_repo
from taizhang.cli import demo
from taizhang.history import commits as history
from taizhang.site import pipeline
from taizhang.site import pages as site
from taizhang.speed import parallel, timing
from taizhang.ledger.figures import Aggregate
from taizhang.ledger.repository import load

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

AS_OF = {"TAIZHANG_AS_OF": (demo.START + timedelta(weeks=4)).isoformat()}


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    demo.generate(tmp_path / "ledger", 12, weeks=4, seed=3)
    return site_repo(tmp_path / "ledger")


class Counted(pipeline.Forked):
    """Forked, counting the second processes started."""

    started: list[Counted] = []

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        Counted.started.append(self)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Counted]:
    Counted.started = []
    monkeypatch.setattr(pipeline, "Forked", Counted)
    return Counted.started


def files(site: Path) -> dict[str, bytes]:
    """Every file of a built site."""
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def made_here(root: Path) -> dict[str, bytes]:
    """The site built with pages made in the build's own process: as under `mkdocs serve`, a thread runs."""
    running = threading.Event()
    thread = threading.Thread(target=running.wait)
    thread.start()
    try:
        assert not parallel.forkable()
        result = build(root, env=AS_OF)
    finally:
        running.set()
        thread.join()
    assert result.error is None, result.warnings()
    return files(result.site)


def made_aside(root: Path) -> dict[str, bytes]:
    if not parallel.forkable():
        pytest.skip(f"no second process here: {parallel.why_not_beside() or parallel.why_not_fork()}")
    result = build(root, env=AS_OF)
    assert result.error is None, result.warnings()
    return files(result.site)


def test_pages_made_by_a_second_process_are_the_pages_made_here(ledger: Path, counted: list[Counted]) -> None:
    aside = made_aside(ledger)
    assert len(counted) == 1 and not counted[0].failed  # the build forked once, and the second process did it all
    here = made_here(ledger)
    assert len(counted) == 1
    assert aside.keys() == here.keys()
    assert [name for name in aside if aside[name] != here[name]] == []
    assert len([n for n in aside if n.startswith("problems/P")]) == 12
    assert any(n.startswith("weekly/20") for n in aside)  # pages that need the history came through too


@pytest.fixture
def parent() -> int:
    return os.getpid()


def test_the_history_is_read_while_the_build_converts_the_first_pages(
        ledger: Path, counted: list[Counted], monkeypatch: pytest.MonkeyPatch, parent: int, tmp_path: Path) -> None:
    """The second process replays the history only once the build has a problem page in hand
    (it waits for that here, 30 s at most): the pages that need no history do not wait for it."""
    first_page = tmp_path / "first-page-read"
    replay, content = history.Reader.replay, pipeline.Forked.content

    def replay_later(self, entries):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            deadline = time.monotonic() + 30
            while not first_page.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            (tmp_path / ("in-time" if first_page.exists() else "too-late")).touch()
        return replay(self, entries)

    def content_noted(self, uri):  # type: ignore[no-untyped-def]
        found = content(self, uri)
        if uri.startswith("problems/P"):
            first_page.touch()
        return found

    monkeypatch.setattr(history.Reader, "replay", replay_later)
    monkeypatch.setattr(pipeline.Forked, "content", content_noted)
    aside = made_aside(ledger)  # nothing stored yet: the revisions are parsed in this build
    assert (tmp_path / "in-time").exists() and not (tmp_path / "too-late").exists()
    assert len(counted) == 1 and not counted[0].failed
    monkeypatch.undo()
    assert aside == made_here(ledger)


def test_a_second_process_that_fails_leaves_the_pages_to_the_build(
        ledger: Path, counted: list[Counted], monkeypatch: pytest.MonkeyPatch, parent: int) -> None:
    expected = made_here(ledger)
    real = pipeline.begin_history

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            raise RuntimeError("the second process fails")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "begin_history", failing)
    assert made_aside(ledger) == expected
    assert len(counted) == 1 and "the second process fails" in counted[0].failed


def test_a_second_process_that_dies_half_way_leaves_the_rest_to_the_build(
        ledger: Path, counted: list[Counted], monkeypatch: pytest.MonkeyPatch, parent: int) -> None:
    expected = made_here(ledger)
    real = pipeline._pages

    def dying(local: pipeline.Local, clock: timing.Clock) -> Iterator[tuple[str, str, object]]:
        for i, message in enumerate(real(local, clock)):
            if i == 9 and os.getpid() != parent:  # some pages sent, then killed, say for want of memory
                os._exit(9)
            yield message

    monkeypatch.setattr(pipeline, "_pages", dying)
    assert made_aside(ledger) == expected
    assert len(counted) == 1 and counted[0].failed == "ended early"


def test_a_build_stopped_before_it_asks_for_pages_makes_none(ledger: Path, monkeypatch: pytest.MonkeyPatch,
                                                            parent: int) -> None:
    """The paths are read when MkDocs has its files; a build that fails before that (on_build_error)
    ends the second process and makes no page itself."""
    as_of = demo.START + timedelta(weeks=4)
    found, errors = load(ledger, as_of)
    assert errors == []
    monkeypatch.setattr(pipeline, "read_history", lambda *args: pytest.fail("the build read the history itself"))
    made = pipeline.Forked(Aggregate(found, as_of), site.Options(), ledger, timing.Clock())
    pid = made.pid
    made.close(stop=True)
    assert made.made.uris == [] and made.local is None
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(pid, os.WNOHANG)


def every_page(made: pipeline.Local | pipeline.Forked) -> dict[str, object]:
    """Each page's Markdown, parts and bulk lists, read in the builder's order and rendered."""
    def rendered(fills, prefix):  # type: ignore[no-untyped-def]
        return {k: v() if callable(v) else v for k, v in fills.items() if k.startswith(prefix)}

    found: dict[str, object] = {}
    for uri in made.made.uris:
        found[f"{uri} content"] = made.content(uri)
        found[f"{uri} parts"] = rendered(made.parts(uri), "part")
    for uri in made.made.uris:
        found[f"{uri} fills"] = rendered(made.fills(uri), "fill")
    made.close()
    return found


def test_a_step_timed_within_another_counts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    moments = iter([0.0, 1.0, 4.0, 10.0])  # outer starts, inner starts, inner ends, outer ends
    monkeypatch.setattr(timing, "perf_counter", lambda: next(moments))
    clock = timing.Clock()
    with clock("outer"):
        with clock("inner"):
            pass
    assert clock.spent == {"inner": 3.0, "outer": 7.0}  # the outer step is charged its own seconds only
    assert timing.parse(str(clock))["total"] == 10.0


def test_rebuilds_under_serve_reuse_what_markdown_made_and_make_the_site_a_build_makes(
        ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `mkdocs serve` a page whose Markdown and files are as at the last rebuild is not
    converted again; after an edit the site is the site a fresh build makes."""
    assert build(ledger, env=AS_OF).error is None  # the hook is loaded once, as under `mkdocs serve`
    from mkdocs.config import load_config

    hook = load_config(str(ledger / "mkdocs.yml")).plugins["taizhang"]  # MkDocs keeps one per process
    record = sorted((ledger / "records").glob("*/P*.md"))[0]
    monkeypatch.setattr(hook, "serving", True)
    assert build(ledger, env=AS_OF).error is None
    first = hook.reused
    text = record.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    record.write_text(text.replace(title, title + "（已改）", 1), encoding="utf-8")
    rebuilt = build(ledger, env=AS_OF)
    assert rebuilt.error is None
    served, reused = files(rebuilt.site), hook.reused
    monkeypatch.setattr(hook, "serving", False)
    fresh = build(ledger, env=AS_OF)
    pages = [n for n in served if n.endswith(".html")]
    assert first == 0 and len(pages) * 0.5 < reused < len(pages)  # the edited problem's pages converted again
    assert served.keys() == files(fresh.site).keys()
    assert [n for n, data in files(fresh.site).items() if served[n] != data] == []
    assert title[7:] + "（已改）" in served[f"problems/{record.stem.split()[0]}/index.html"].decode()
