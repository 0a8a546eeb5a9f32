"""The built reference site in a real browser: Debian's Chromium driven by Playwright.

Every page type opens with no request leaving 127.0.0.1, no console error and no dialog;
search finds Chinese words, names and measure ids; tables sort and filter; pages print on
A4 landscape without the site's chrome. Screenshots and PDFs land in tests/artifacts/.
Skipped when /usr/bin/chromium is absent (`.ci/run` installs it); never downloads a browser.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PROBLEM, REPO, build, site_repo

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
AS_OF = {"TAIZHANG_AS_OF": "2023-09-15"}
# Quiet, offline Chromium: no update checks, sync, field trials or QUIC probes of its own.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 15_000

pytestmark = [pytest.mark.slow, pytest.mark.skipif(  # starts a browser: `-m "not slow"` leaves it out
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)",
)]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a free port), for as long as the block runs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = site_repo(tmp_path_factory.mktemp("browser") / "ledger", REPO / "records")
    result = build(root, env=AS_OF)
    assert result.error is None, result.warnings()
    return result.site


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=60_000)
        yield chromium
        chromium.close()


class Visit:
    """One browser tab that records whatever a page must not do: leave the host, log errors, open dialogs."""

    def __init__(self, browser: object, base: str) -> None:
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
        # Nothing may reach another host, even when a test fails to notice: abort it and record it.
        self.context.route(re.compile(r"^(?!" + re.escape(base) + ")"), self._refuse)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.set_default_navigation_timeout(2 * TIMEOUT_MS)
        self.page.on("request", self._request)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _request(self, request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        if not url.startswith((self.base, "data:", "blob:", "about:")):
            self.outside.append(url)

    def _refuse(self, route: object, request: object) -> None:
        self._request(request)
        route.abort()  # type: ignore[attr-defined]

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def open(self, address: str) -> object:
        self.page.goto(self.base + address, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def assert_clean(self) -> None:
        assert self.outside == [], "requests left 127.0.0.1"
        assert self.errors == [], "console errors"
        assert self.dialogs == [], "dialogs opened"


@pytest.fixture
def visit(browser: object, base: str) -> Iterator[Visit]:
    v = Visit(browser, base)
    yield v
    v.context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Material fades the tabs in on load; a screenshot shows the page as it settles, not mid-fade.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, animations="disabled")  # type: ignore[attr-defined]


PAGES = {
    "home": "", "problems": "problems/", "problem": "problems/P35/", "tasks": "tasks/", "owners": "owners/",
    "owner": "owners/zhangwei/", "department": "departments/czs/", "progress": "progress/",
    "weekly": "weekly/", "changes": "changes/", "guide": "guide/",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_offline_and_cleanly(visit: Visit, name: str) -> None:
    page = visit.open(PAGES[name])
    heading = page.locator("article h1").first
    assert re.search(r"[\u4e00-\u9fff]", heading.inner_text())
    assert page.evaluate("document.documentElement.lang") == "zh"
    # Wide tables scroll inside their own frame; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, name)
    visit.assert_clean()


def test_site_files_name_no_other_host(site: Path) -> None:
    """What the browser test cannot see: resources that load by themselves on pages not opened.

    Links a reader clicks (evidence on the intranet) may point anywhere; what loads may not.
    """
    outside = re.compile(r"""\ssrc\s*=\s*["']?(?:https?:)?//|<link\s[^>]*href\s*=\s*["']?(?:https?:)?//"""
                         r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""")
    found = [f"{p.relative_to(site)}: {m.group(0)}" for p in site.rglob("*") if p.suffix in (".html", ".css")
             for m in outside.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


SEARCHES = [
    ("财务", "problems/P19/", None),              # 村级财务管理不规范
    ("三会一课", "problems/P08/", None),          # “三会一课”制度落实不规范
    ("张伟", "owners/zhangwei/", None),           # a person's page
    ("P08-M1", "problems/P08/", "#P08-M1"),      # a measure: its problem first, the measure among its sections
]


@pytest.mark.parametrize(("query", "first", "section"), SEARCHES)
def test_search_finds(visit: Visit, query: str, first: str, section: str | None) -> None:
    page = visit.open("")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material searches on keyup; fill() alone types no key, as an IME commit does
    item = page.locator(".md-search-result__item").first
    item.wait_for()
    links = [a.get_attribute("href") for a in item.locator("a.md-search-result__link").all()]
    assert links[0].split("?")[0] == visit.base + first
    if section:
        assert any(link.endswith(section) for link in links)
    visit.assert_clean()


def column(page: object, header: str) -> list[str]:
    """The visible cells of the first table's column under `header`."""
    return page.evaluate(  # type: ignore[attr-defined]
        """header => {
            const table = document.querySelector("article table");
            const index = [...table.tHead.rows[0].cells].findIndex(c => c.textContent.trim() === header);
            return [...table.tBodies[0].rows].filter(r => !r.hidden).map(r => r.cells[index].textContent.trim());
        }""", header)


def test_task_table_sorts_by_deadline(visit: Visit) -> None:
    page = visit.open("tasks/")
    before = [d for d in column(page, "整改时限") if re.fullmatch(r"\d{4}-\d\d-\d\d", d)]
    assert before != sorted(before)
    header = page.locator("article table th", has_text="整改时限")
    for _ in range(2):
        header.click()
        order = header.get_attribute("aria-sort")
        dates = [d for d in column(page, "整改时限") if re.fullmatch(r"\d{4}-\d\d-\d\d", d)]
        assert dates == sorted(before, reverse=order == "descending"), order
    assert {header.get_attribute("aria-sort")} <= {"ascending", "descending"}
    visit.assert_clean()


def test_status_sorts_in_workflow_order(visit: Visit) -> None:
    page = visit.open("tasks/")
    header = page.locator("article table th", has_text="整改状态")
    header.click()
    statuses = [s.split()[0][:3] for s in column(page, "整改状态")]
    order = ["未启动", "推进中", "已完成", "已销号"]
    ranks = [order.index(s) for s in statuses]
    assert ranks == sorted(ranks, reverse=header.get_attribute("aria-sort") == "descending")
    visit.assert_clean()


def test_filter_box_filters_the_task_list(visit: Visit, site: Path) -> None:
    data = json.loads((site / "downloads/taizhang.json").read_text(encoding="utf-8"))
    titles = {p["id"]: p["title"] for p in data["problems"]}
    expected = [m["id"] for m in data["measures"]
                if "czs" in m["department"] or "财政所" in m["text"] + titles[m["problem"]]]
    page = visit.open("tasks/")
    page.locator(".tz-filter__input").fill("财政所")
    assert column(page, "编号") == expected
    assert page.locator(".tz-filter__count").inner_text() == f"显示 {len(expected)} / {len(data['measures'])} 行"
    page.locator(".tz-filter__input").press("Escape")
    assert len(column(page, "编号")) == len(data["measures"])
    visit.assert_clean()


def test_record_pages_link_their_neighbours(visit: Visit) -> None:
    page = visit.open("problems/P34/")
    assert page.locator(".tz-path a").all_inner_texts() == ["问题清单", "党风廉政建设"]
    footer = page.locator(".md-footer__link--next")
    assert "P35" in footer.inner_text()
    footer.click()
    page.wait_for_url(visit.base + "problems/P35/")
    visit.assert_clean()


@pytest.mark.parametrize("name", ["tasks", "problem"])
def test_prints_on_a4_landscape_without_chrome(visit: Visit, name: str) -> None:
    page = visit.open(PAGES[name])
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer",
                   ".tz-filter"):
        assert page.locator(chrome).first.is_hidden(), chrome
    assert page.evaluate("getComputedStyle(document.querySelector('article thead')).display") == "table-header-group"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    boxes = {tuple(round(float(n)) for n in box) for box in
             re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)}
    assert boxes == {(842, 595)}  # A4 landscape in points
    visit.assert_clean()


def test_hostile_record_text_stays_text(ledger, browser: object) -> None:
    """Issue 8: a title that is markup shows as the typed text and runs nothing."""
    hostile = "<img src=x onerror=alert(1)>"
    root = ledger({"records/A1/P01.md": PROBLEM.replace("理论学习不够深入", hostile)}, site=True)
    result = build(root, env=AS_OF)
    assert result.error is None, result.warnings()
    with serve(result.site) as url:
        v = Visit(browser, url)
        try:
            for address in ("", "problems/", "problems/P01/", "tasks/", "owners/lisi/", "progress/"):
                page = v.open(address)
                if address in ("problems/", "problems/P01/", "tasks/", "owners/lisi/"):
                    assert hostile in page.locator("article").inner_text(), address
                assert page.locator("article img").count() == 0, address
            assert hostile in v.page.title() or hostile in v.open("problems/P01/").title()
            v.assert_clean()
        finally:
            v.context.close()


# -- Issue 17: the site as office staff use it -------------------------------------------------


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference ledger with a git history that goes on past the as-of date (test_office.dated_ledger)."""
    from test_office import dated_ledger

    result = build(dated_ledger(tmp_path_factory.mktemp("dated") / "ledger"), env=AS_OF)
    assert result.error is None, result.warnings()
    return result.site


@pytest.fixture(scope="module")
def dated_base(dated_site: Path) -> Iterator[str]:
    with serve(dated_site) as url:
        yield url


def shown(page: object) -> list[str]:
    """The ids of the task list's rows a reader sees."""
    return page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('article table tbody tr')].filter(r => !r.hidden)"
        ".map(r => r.cells[0].textContent.trim())")


@pytest.mark.slow
def test_task_filters_pick_a_department_and_overdue(visit: Visit, site: Path) -> None:
    data = json.loads((site / "downloads/taizhang.json").read_text(encoding="utf-8"))
    expected = [m["id"] for m in data["measures"] if "czs" in m["department"] and m["overdue"]]
    assert expected  # the reference ledger has overdue measures of 财政所
    page = visit.open("tasks/")
    page.locator("form.tz-picks select[name=department]").select_option("czs")
    page.locator("form.tz-picks select[name=window]").select_option("overdue")
    assert shown(page) == expected
    assert page.locator(".tz-picks__count").inner_text() == f"显示 {len(expected)} / {len(data['measures'])} 条"
    assert "department=czs" in page.url and "window=overdue" in page.url  # the choice can be shared
    shot(page, "tasks-filtered")
    # The text box filters within what the selects left, and the count follows both.
    page.locator(".tz-filter__input").fill("P99-无此编号")
    assert shown(page) == []
    page.locator(".tz-filter__input").press("Escape")
    page.locator(".tz-picks__reset").click()
    page.wait_for_function("document.querySelector('.tz-picks__count').textContent.startsWith('显示 88 ')")
    assert len(shown(page)) == len(data["measures"])
    visit.assert_clean()


@pytest.mark.slow
def test_figure_cards_open_the_list_filtered_that_way(visit: Visit, site: Path) -> None:
    data = json.loads((site / "downloads/taizhang.json").read_text(encoding="utf-8"))
    page = visit.open("")
    page.locator("a.tz-figure.tz-overdue").click()
    page.wait_for_url(re.compile(r"tasks/\?window=overdue$"))
    page.wait_for_load_state("networkidle")
    assert shown(page) == [m["id"] for m in data["measures"] if m["overdue"]]
    assert page.locator("form.tz-picks select[name=window]").input_value() == "overdue"
    visit.assert_clean()


@pytest.mark.slow
def test_home_sentence_figures_are_the_json_summary(visit: Visit, site: Path) -> None:
    summary = json.loads((site / "downloads/taizhang.json").read_text(encoding="utf-8"))["summary"]
    page = visit.open("")
    sentence = page.locator(".tz-upward__text").inner_text()
    problems, measures = sentence.split("；")
    p, m = summary["problems_by_status"], summary["measures_by_status"]
    assert [int(n) for n in re.findall(r"\d+", problems)] == [
        summary["problems"], summary["problems_completed"], p["closed"], p["in_progress"], p["not_started"]]
    assert [int(n) for n in re.findall(r"\d+", measures)][:6] == [
        summary["measures"], summary["measures_completed"], m["closed"], m["in_progress"], m["not_started"], summary["overdue"]]
    # The bar beside it counts the same categories: 推进中 is the sentence's 正在推进.
    assert f"推进中 {m['in_progress']}" in page.locator(".tz-chart").first.inner_text().replace("\n", " ")
    shot(page, "home")
    visit.assert_clean()


@pytest.mark.slow
def test_no_page_as_of_the_day_shows_a_later_date(browser: object, dated_site: Path, dated_base: str) -> None:
    from test_office import AS_OF as DAY, deadlines

    allowed = deadlines(dated_site.parent)
    v = Visit(browser, dated_base)
    try:
        later = {}
        for address in ("", "problems/P01/", "problems/P02/", "tasks/", "owners/", "progress/", "weekly/",
                        "weekly/2023-W36/", "changes/", "departments/czs/"):
            seen = v.open(address).locator("article").inner_text()
            found = {d for d in re.findall(r"20\d\d-[01]\d-[0-3]\d", seen) if d > DAY.isoformat()} - allowed
            if found:
                later[address] = sorted(found)
        assert later == {}
        v.open("weekly/2023-W36/")
        shot(v.page, "week")
        v.assert_clean()
    finally:
        v.context.close()


@pytest.mark.slow
def test_phone_header_shows_the_short_title(browser: object, base: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(base + "tasks/", wait_until="load")
        title = page.locator(".md-header__topic").first.locator(".md-ellipsis")
        after = page.evaluate("e => getComputedStyle(e, '::after').content", title.element_handle())
        assert after == '"青山镇党委整改台账"'
        # The short title fits: nothing of it is cut.
        assert page.evaluate("e => e.scrollWidth <= e.clientWidth", title.element_handle())
        shot(page, "phone")
    finally:
        context.close()


@pytest.mark.slow
def test_progress_prints_as_one_a4_page(base: str, tmp_path: Path) -> None:
    """Chromium's own --print-to-pdf, then poppler: what a reader's 打印 gives."""
    import subprocess

    pdf = tmp_path / "progress.pdf"
    subprocess.run([str(CHROMIUM), *ARGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", base + "progress/"],
                   check=True, capture_output=True, timeout=60)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert "(A4)" in info
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / "progress-print")],
                   check=True, timeout=60)
    printed = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                             timeout=60).stdout
    # The summary: the upward sentence, figures, by area, the overdue list; not the screen's extras.
    for part in ("已整改完成15个", "按方面", "逾期清单", "P35-M2"):
        assert part in printed, part
    assert "复制" not in printed and "对账" not in printed
