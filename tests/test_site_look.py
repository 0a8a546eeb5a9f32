"""What the reader sees at a glance, checked in real builds: charts, breadcrumbs, neighbours,
edit links, dates, what needs attention, readable anchors and a search index without bulk."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import pytest

from conftest import REPO, Build, build, site_repo
from taizhang.site import pages as site
from taizhang.ledger.figures import Aggregate
from taizhang.ledger.repository import load_valid

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

AS_OF = {"TAIZHANG_AS_OF": "2023-09-15"}
EDIT_URI = "https://git.example.gov.cn/zhenggai/taizhang/-/edit/main/docs/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = site_repo(tmp_path_factory.mktemp("look") / "ledger", REPO / "records")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nedit_uri: {EDIT_URI}\n", encoding="utf-8")
    result = build(root, env=AS_OF)
    assert result.error is None, result.warnings()
    return result


@pytest.fixture(scope="module")
def index(built: Build) -> dict[str, dict[str, str]]:
    docs = json.loads((built.site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    return {d["location"]: d for d in docs}


def charts(html: str) -> list[str]:
    return re.findall(r'<svg [^>]*role="img" aria-label="([^"]*)"', html)


def test_progress_charts_status_area_and_department(built: Build) -> None:
    labels = charts(built.html("progress"))
    assert labels[0] == "按整改状态：已销号 48（54.5%），已完成 19（21.6%），推进中 17（19.3%），未启动 4（4.5%）"
    assert labels[1].startswith("按方面完成率：一、思想政治建设 81.8%（18/22），二、干部队伍建设 76.2%（16/21）")
    assert labels[2].startswith("按责任科室完成率：党政办公室 ")
    # no git here: the burn-up comes from the records' own dates (reports.dated)
    assert labels[3].startswith("整改措施每周进度（挂图作战）：")
    assert len(labels) == 4


def test_home_charts(built: Build) -> None:
    assert [label.split("：")[0] for label in charts(built.html(""))] == ["按整改状态", "按方面完成率"]


def test_charts_stay_out_of_search(index: dict[str, dict[str, str]]) -> None:
    assert "54.5%" not in index["progress/#按整改状态"]["text"]


def test_problem_breadcrumbs_lead_back_to_the_area(built: Build) -> None:
    crumbs = re.search(r'<nav aria-label="当前位置" class="tz-path">(.*?)</nav>', built.html("problems/P35"))
    assert crumbs is not None
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', crumbs.group(1))
    assert links == [("../", "问题清单"), ("../#A4", "党风廉政建设")]
    assert crumbs.group(1).endswith('<span aria-current="page">P35</span>')


def footer(html: str) -> dict[str, str]:
    """Material's footer links: {"prev": href, "next": href}."""
    found = re.findall(r'<a href="([^"]*)" class="md-footer__link md-footer__link--(prev|next)"', html)
    return {kind: href for href, kind in found}


def test_neighbours_within_an_area(built: Build) -> None:
    assert footer(built.html("problems/P34")) == {"prev": "../P33/", "next": "../P35/"}
    first_of_a1, last_of_a1 = "problems/P01", "problems/P09"
    assert "prev" not in footer(built.html(first_of_a1))
    assert "next" not in footer(built.html(last_of_a1))  # P10 opens the next area


def test_edit_button_points_at_the_record(built: Build) -> None:
    page = built.html("problems/P08")
    edit = re.search(r'<a href="([^"]*)" title="[^"]*" class="md-content__button md-icon"', page)
    assert edit is not None
    assert edit.group(1) == "https://git.example.gov.cn/zhenggai/taizhang/-/edit/main/records/A1/P08.md"
    assert "md-content__button" not in built.html("tasks")  # generated lists have no file to edit


@pytest.mark.parametrize(("repo_url", "edit_uri", "expected"), [
    (None, None, None),
    ("https://github.com/unit/ledger", None, None),
    ("https://github.com/unit/ledger", "edit/main/docs/", "https://github.com/unit/ledger/edit/main/records/A1/P01.md"),
    (None, "edit/main/docs/", None),  # relative, with nothing to be relative to
    (None, EDIT_URI, "https://git.example.gov.cn/zhenggai/taizhang/-/edit/main/records/A1/P01.md"),
    ("https://github.com/unit/ledger", EDIT_URI, "https://git.example.gov.cn/zhenggai/taizhang/-/edit/main/records/A1/P01.md"),
])
def test_edit_url(repo_url: str | None, edit_uri: str | None, expected: str | None) -> None:
    problem = load_valid(REPO, date(2023, 9, 15)).problems[0]
    assert problem.path == "records/A1/P01.md"
    assert site.edit_url(problem, site.Options(repo_url=repo_url, edit_uri=edit_uri)) == expected


def test_last_updated_goes_to_material(built: Build) -> None:
    ledger = load_valid(REPO, date(2023, 9, 15))
    agg = Aggregate(ledger, date(2023, 9, 15))
    pages = {p.uri: p.content for p in site.pages(agg, site.Options(updated={"records/A1/P01.md": date(2023, 9, 10)}))}
    assert '\nrevision_date: "2023-09-10"\n' in pages["problems/P01.md"]
    assert "revision_date" not in pages["problems/P02.md"]
    assert "md-source-file" not in built.html("problems/P01")  # nothing known, nothing shown


def test_person_sees_what_is_overdue_first(built: Build) -> None:
    page = built.html("owners/huangli")
    article = page[page.index("<article"):]
    urgent = article[article.index("逾期与临期措施"):article.index('id="作为责任领导"')]
    assert re.findall(r"#(P\d\d-M\d)", urgent) == ["P06-M1", "P23-M2"]
    assert "没有逾期或临期的措施" in built.html("owners/zhangwei")


def test_headings_have_readable_anchors(built: Build) -> None:
    page = built.html("problems/P08")
    for anchor in ("问题表现", "整改措施", "P08-M1", "整改情况说明"):
        assert f'id="{anchor}"' in page
    assert 'id="回头看"' in built.html("guide/update")


def test_problem_pages_are_searchable_once(index: dict[str, dict[str, str]]) -> None:
    p08 = [location for location in index if location.startswith("problems/P08/")]
    assert p08 == ["problems/P08/", "problems/P08/#问题表现", "problems/P08/#整改措施", "problems/P08/#P08-M1",
                   "problems/P08/#P08-M2", "problems/P08/#整改情况说明"]
    assert "三会" in index["problems/P08/"]["title"]


def test_bulk_tables_stay_out_of_search(index: dict[str, dict[str, str]]) -> None:
    measure_text = "制定2023年度理论学习中心组学习计划"
    holders = [loc for loc, d in index.items() if measure_text in d["text"].replace("\u200b", "")
               or measure_text in d["title"].replace("\u200b", "")]
    # the rectification report's prose quotes the measure; its tables stay out too
    assert holders == ["problems/P01/#P01-M1", "reports/#一思想政治建设"]
    for location in ("tasks/", "owners/", "problems/", "progress/#逾期清单", "owners/zhangwei/#作为责任领导"):
        assert "P0" not in index[location]["text"], location


def plain(html_text: str) -> str:
    """Text without tags, entities, white space or the U+200B jieba puts between words."""
    return re.sub(r"[\s\u200b]+", "", html.unescape(re.sub(r"<[^>]+>", "", html_text)))


def section(page: str, anchor: str | None) -> str:
    """A page's HTML from the heading `anchor` (None: the page's title) to the next heading."""
    start = page.rindex("<h", 0, page.index(f'id="{anchor}"')) if anchor else page.index("<h1")
    end = re.compile(r"<h[1-6][ >]").search(page, start + 1)
    return page[start:end.start() if end else len(page)]


def table_rows(page: str, anchor: str | None) -> list[str]:
    """The plain text of each body row of the tables under the heading `anchor`."""
    return [plain(row) for row in re.findall(r"<tr>(.*?)</tr>", section(page, anchor), re.S) if "<td" in row]


# The small tables written as Markdown inside <div data-search-exclude markdown>: md_in_html renders the
# attribute as data-search-exclude="data-search-exclude", Material's search leaves the table out and then
# strips the attribute from the page, so the built HTML no longer shows it.
@pytest.mark.parametrize(("address", "anchor", "heading"), [
    ("", "按方面", "按方面"),
    ("progress", "按方面", "按方面"),
    ("progress", "按责任科室", "按责任科室"),
    ("progress", "对账反馈数与台账数", "对账：反馈数与台账数"),
    ("owners/zhangwei", None, "张伟"),
])
def test_small_tally_tables_stay_out_of_search(built: Build, index: dict[str, dict[str, str]],
                                               address: str, anchor: str | None, heading: str) -> None:
    rows = table_rows(built.html(address), anchor)
    assert rows, "no table under the heading"
    entry = index[(f"{address}/" if address else "") + (f"#{anchor}" if anchor else "")]
    assert plain(entry["title"]) == heading  # the heading is still found
    indexed = plain(entry["text"])
    assert [row for row in rows if row in indexed] == []


def test_the_home_tally_row_is_not_in_search(built: Build, index: dict[str, dict[str, str]]) -> None:
    row = "".join(["三、乡村财务管理", "24", "1", "6", "3", "14", "1", "70.8%"])  # area, measures, by status, overdue, rate
    assert row in plain(section(built.html(""), "按方面"))
    assert plain(index["#按方面"]["title"]) == "按方面"
    assert not [location for location, doc in index.items() if row in plain(doc["text"])]


def test_list_pages_use_the_full_width(built: Build) -> None:
    for address in ("", "problems", "tasks", "owners", "progress", "problems/P01", "owners/zhangwei", "departments/czs"):
        assert 'data-md-component="sidebar" data-md-type="navigation" hidden' in built.html(address), address
