"""What keeps large ledgers fast, checked for being right: bulk lists filled into finished pages,
their addresses, numbering past 99. (How fast is the benchmark's business: bench/run.py.)"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote, urldefrag

import openpyxl
import pytest

from conftest import AS_OF, REPO, Build, build, site_repo
from gitrepo import git_commands, git_shim
from taizhang.cli import demo
from taizhang.history import git
from taizhang.site import downloads
from taizhang.site import pages as site
from taizhang.ledger.figures import Aggregate
from taizhang.site.fills import Bulk, address, fill, href, up
from taizhang.ledger.repository import load_valid
from taizhang.ledger.public import public_ledger
from taizhang.text import chinese_number
from taizhang.speed.timing import Clock, parse

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out


@pytest.mark.parametrize(("n", "expected"), [
    (1, "一"), (10, "十"), (12, "十二"), (35, "三十五"), (99, "九十九"), (100, "一百"), (101, "一百零一"),
    (110, "一百一十"), (1010, "一千零一十"), (2023, "二千零二十三"), (10000, "一万"), (10086, "一万零八十六"),
    (12000, "一万二千"), (123456, "十二万三千四百五十六"),
])
def test_chinese_numbers_go_past_99(n: int, expected: str) -> None:
    assert chinese_number(n) == expected


@pytest.mark.parametrize(("uri", "directory_urls", "expected"), [
    ("index.md", True, ""),
    ("tasks/index.md", True, "tasks/"),
    ("owners/zhangsan.md", True, "owners/zhangsan/"),
    ("index.md", False, "index.html"),
    ("tasks/index.md", False, "tasks/index.html"),
    ("owners/zhangsan.md", False, "owners/zhangsan.html"),
])
def test_address_of_a_page(uri: str, directory_urls: bool, expected: str) -> None:
    assert address(uri, directory_urls) == expected


@pytest.mark.parametrize(("uri", "directory_urls", "expected"), [
    ("index.md", True, ""),
    ("tasks/index.md", True, "../"),
    ("owners/zhangsan.md", True, "../../"),
    ("index.md", False, ""),
    ("tasks/index.md", False, "../"),
    ("owners/zhangsan.md", False, "../"),
])
def test_way_up_to_the_site_root(uri: str, directory_urls: bool, expected: str) -> None:
    assert up(uri, directory_urls) == expected


@pytest.mark.parametrize(("here", "target", "expected"), [
    ("problems/", "problems/P01/", "P01/"),
    ("owners/lisi/", "owners/zhangsan/", "../zhangsan/"),
    ("owners/lisi/", "problems/P01/", "../../problems/P01/"),
    ("", "problems/P01/", "problems/P01/"),
    ("tasks/", "tasks/", "./"),
    ("owners/lisi.html", "problems/P01.html", "../problems/P01.html"),
    ("tasks/index.html", "owners/lisi.html", "../owners/lisi.html"),
])
def test_link_between_addresses(here: str, target: str, expected: str) -> None:
    assert href(here, target) == expected


def test_fill_replaces_each_placeholder_of_its_stage_and_leaves_the_rest() -> None:
    page = ('<p>a</p>\n<div data-tz-fill="0"></div>\n<div data-tz-part="1"></div>\n'
            '<div data-tz-fill="2"></div>\n<div data-tz-fill="7"></div>')
    fills = {"fill0": lambda: "<table>0</table>", "part1": lambda: "<div>1</div>", "fill2": lambda: "<ul>2</ul>"}
    parts = fill(page, fills, "part")
    assert parts == ('<p>a</p>\n<div data-tz-fill="0"></div>\n<div>1</div>\n'
                     '<div data-tz-fill="2"></div>\n<div data-tz-fill="7"></div>')
    assert fill(parts, fills) == '<p>a</p>\n<table>0</table>\n<div>1</div>\n<ul>2</ul>\n<div data-tz-fill="7"></div>'
    assert fill(page, {}) == page


def test_placeholders_carry_their_stage() -> None:
    bulk = Bulk(lambda macro, **args: f"{macro}{args}")
    assert bulk("measures", rows=[]) == '\n<div data-tz-fill="0"></div>\n'
    assert bulk.part("lead", rows=[1]) == '\n<div data-tz-part="1"></div>\n'
    assert {k: f() for k, f in bulk.fills.items()} == {"fill0": "measures{'rows': []}", "part1": "lead{'rows': [1]}"}


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The reference ledger built with use_directory_urls: false (pages are file.html)."""
    root = site_repo(tmp_path_factory.mktemp("flat") / "ledger", REPO / "records")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nuse_directory_urls: false\n", encoding="utf-8")
    result = build(root, env={"TAIZHANG_AS_OF": AS_OF})
    assert result.error is None, result.warnings()
    return result


@pytest.mark.parametrize("page", ["tasks/index.html", "problems/index.html", "owners/huangli.html",
                                  "departments/dzb.html", "progress/index.html", "index.html"])
def test_bulk_links_lead_to_pages_and_anchors_that_exist(flat: Build, page: str) -> None:
    html = (flat.site / page).read_text(encoding="utf-8")
    found = [link for link in links(html) if not link.startswith(("http", "#", "mailto:"))]
    assert len(found) > 10
    for link in found:
        path, anchor = urldefrag(link)
        target = (flat.site / page).parent / unquote(path)
        assert target.is_file(), (page, link)
        if anchor:
            assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), (page, link)


def test_tasks_list_every_measure_as_html(flat: Build) -> None:
    html = (flat.site / "tasks/index.html").read_text(encoding="utf-8")
    table = html[html.index('<div class="tz-table tz-sortable tz-filterable" data-search-exclude>'):]
    rows = re.findall(r'<tr[^>]*><td><a href="../problems/(P\d\d).html#(P\d\d-M\d)">', table)
    assert len(rows) == 88
    assert all(measure.startswith(problem) for problem, measure in rows)


def test_no_placeholder_is_left_in_any_page(flat: Build) -> None:
    pages = list(flat.site.rglob("*.html"))
    assert len(pages) > 50
    assert [p for p in pages if "data-tz-fill" in p.read_text(encoding="utf-8")] == []


def test_clock_line_reads_back() -> None:
    clock = Clock()
    with clock("load"):
        pass
    with clock("fill"):
        pass
    with clock("fill"):
        pass
    line = f"DEBUG   -  taizhang timings: {clock}"
    steps = parse(line.split("timings: ")[1])
    assert list(steps) == ["load", "fill", "total"]
    assert steps["total"] == pytest.approx(steps["load"] + steps["fill"], abs=0.002)


# -- downloads made by a second process -------------------------------------------------


def reference_agg(public: bool = False) -> Aggregate:
    ledger = load_valid(REPO, date.fromisoformat(AS_OF))
    return Aggregate(public_ledger(ledger) if public else ledger, date.fromisoformat(AS_OF))


@contextmanager
def threads_running(running: bool = True) -> Iterator[None]:
    """As under `mkdocs serve`, whose server runs threads: a build then forks nothing."""
    if not running:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("forked", [True, False])
def test_second_process_writes_what_the_build_would(public: bool, forked: bool) -> None:
    """Forked, it writes the ledger the build checked; else a new process loads the records itself."""
    agg = reference_agg(public)
    commit = git.head(REPO)  # the export names the commit the build read, as the plugin passes it
    expected = {page.uri: page.content for page in site.downloads(agg, public, commit)}
    assert downloads.uris(public) == list(expected)
    with threads_running(not forked):
        worker = downloads.Worker(REPO, date.fromisoformat(AS_OF), public, lambda: site.downloads(agg, public, commit))
    assert (worker.process is None) == forked
    try:
        worker.wait()
        written = {uri: path.read_bytes() for uri, path in worker.files()}
    finally:
        worker.close()
    assert written["downloads/taizhang.json"] == expected["downloads/taizhang.json"].encode()
    if not public:
        assert written["downloads/taizhang.csv"] == expected["downloads/taizhang.csv"].encode()
        sheets = openpyxl.load_workbook(io.BytesIO(written["downloads/taizhang.xlsx"])).sheetnames
        assert sheets == openpyxl.load_workbook(io.BytesIO(expected["downloads/taizhang.xlsx"])).sheetnames
    assert not worker.folder.exists()


def test_the_build_writes_the_downloads_when_the_second_process_fails(ledger) -> None:
    broken = ledger({"records/A1/P01.md": "---\nid: [P01\n---\n"})
    pages = site.downloads(reference_agg(), False)
    with threads_running():  # a new process, which finds the records broken since the build read them
        worker = downloads.Worker(broken, date.fromisoformat(AS_OF), False, lambda: pages)
    try:
        worker.wait()
        assert worker.process is not None and worker.process.returncode == 1
        assert {uri: path.read_bytes() for uri, path in worker.files()}["downloads/taizhang.csv"] == pages[1].content.encode()
    finally:
        worker.close()


# -- git processes: as many for 3 problems as for 30; a rebuild asks git only what changed ----------


def demo_site(root: Path, problems: int) -> Path:
    demo.generate(root, problems, weeks=3, seed=2)
    return site_repo(root)


DEMO_AS_OF = {"TAIZHANG_AS_OF": (demo.START + timedelta(weeks=3)).isoformat()}


@pytest.mark.parametrize("problems", [3, 30])
def test_a_site_build_starts_the_same_git_processes_whatever_its_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problems: int) -> None:
    root = demo_site(tmp_path / "ledger", problems)
    log = tmp_path / "git.log"
    monkeypatch.setenv("PATH", git_shim(tmp_path / "bin", log))
    result = build(root, env=DEMO_AS_OF)
    assert result.error is None, result.warnings()
    assert len(list((result.site / "problems").glob("P*/index.html"))) == problems
    assert git_commands(log) == ["rev-parse", "log", "cat-file", "status"]


def test_a_rebuild_reuses_the_history_while_head_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = demo_site(tmp_path / "ledger", 5)
    log = tmp_path / "git.log"
    monkeypatch.setenv("PATH", git_shim(tmp_path / "bin", log))
    # As under `mkdocs serve`: its server thread runs, so pages are made in the process, which keeps the history.
    serving = threading.Event()
    server = threading.Thread(target=serving.wait)
    server.start()
    try:
        assert build(root, env=DEMO_AS_OF).error is None  # the hook module, and what it keeps, stay loaded
        rebuild_after_an_edit(root, log)
    finally:
        serving.set()
        server.join()


def rebuild_after_an_edit(root: Path, log: Path) -> None:
    record = sorted((root / "records").rglob("P*.md"))[0]
    text = record.read_text(encoding="utf-8")
    record.write_text(re.sub(r"(?m)^(    progress: ).*$", r"\g<1>重建时读到的进展", text, count=1), encoding="utf-8")
    log.write_text("")
    result = build(root, env=DEMO_AS_OF)
    assert result.error is None, result.warnings()
    assert git_commands(log) == ["rev-parse", "status"]  # the old revision was parsed by the first build
    assert "重建时读到的进展" in result.html(f"problems/{record.stem}")
