"""Real `mkdocs build --strict` runs: the reference ledger's pages and figures, and broken ledgers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import PROBLEM, Build, build, site_repo

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

AS_OF = {"TAIZHANG_AS_OF": "2023-09-15"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    from conftest import REPO

    root = site_repo(tmp_path_factory.mktemp("ref") / "ledger", REPO / "records")
    result = build(root, env=AS_OF)
    assert result.error is None, result.warnings()
    return result


def text(html: str) -> str:
    """The article's visible text, tags removed."""
    article = html[html.index("<article"): html.index("</article>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article))


ADDRESSES = ["", "problems", "problems/P01", "problems/P35", "tasks", "owners", "owners/zhangwei",
             "departments/czs", "progress", "weekly", "changes"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_address_exists(built: Build, address: str) -> None:
    assert "<article" in built.html(address)


def test_no_warnings(built: Build) -> None:
    assert built.warnings() == []


def test_home_figures(built: Build) -> None:
    page = text(built.html(""))
    # The upward sentence, at both levels, in the status bar's categories (推进中 17, 未启动 4 apart).
    assert ("反馈问题35个，已整改完成15个（其中已销号5个）、正在推进20个、尚未启动0个；制定整改措施88条，"
            "已完成67条（其中已销号48条）、正在推进17条、尚未启动4条，逾期5条，措施完成率76.1%。") in page


def test_home_area_table(built: Build) -> None:
    page = built.html("")
    table = page[page.index('id="按方面"'): page.index('id="逾期清单"')]
    assert table.count("<tr>") == 5
    assert "一、思想政治建设" in table


def test_problem_list_by_area(built: Build) -> None:
    page = built.html("problems")
    headings = re.findall(r'<h2 id="(A\d)"[^>]*>(.*?)<a', page)
    assert [h[0] for h in headings] == ["A1", "A2", "A3", "A4"]
    assert headings[0][1].startswith("一、思想政治建设")
    assert len(re.findall(r'href="P\d\d/"', page)) == 35 * 2


def test_problem_page(built: Build) -> None:
    page = built.html("problems/P35")
    body = text(page)
    assert 'id="P35-M2"' in page
    assert "逾期" in body and "反弹" in body
    assert "<title>P35 " in page


def test_tasks_lists_every_measure(built: Build) -> None:
    page = built.html("tasks")
    assert len(re.findall(r'href="\.\./problems/P\d\d/#P\d\d-M\d"', page)) == 88


def test_person_page_roles(built: Build) -> None:
    page = text(built.html("owners/zhaojun"))
    assert "作为责任领导" in page and "作为责任人" in page and "销号审核与回头看" in page


def test_progress_lists(built: Build) -> None:
    page = built.html("progress")
    overdue = page[page.index('id="逾期清单"'): page.index('id="临期清单')]
    assert sorted(set(re.findall(r"#(P\d\d-M\d)", overdue))) == ["P06-M1", "P13-M2", "P16-M2", "P23-M2", "P35-M2"]
    assert "对账" in page


def test_record_pages_stay_out_of_the_nav(built: Build) -> None:
    nav = built.html("tasks")
    assert 'href="../problems/P01/"' not in nav.split("<article")[0]


def test_downloads(built: Build) -> None:
    data = json.loads((built.site / "downloads/taizhang.json").read_text(encoding="utf-8"))
    assert data["summary"]["measures"] == 88
    assert (built.site / "downloads/taizhang.csv").read_text(encoding="utf-8-sig").count("\n") == 89


def test_record_title_is_escaped_everywhere(ledger) -> None:
    root = ledger({"records/A1/P01.md": PROBLEM.replace("理论学习不够深入", "<img src=x onerror=alert(1)>")}, site=True)
    result = build(root, env=AS_OF)
    assert result.error is None
    for address in ("problems/P01", "problems", "tasks"):
        html = result.html(address)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert" in html


def test_broken_record_aborts_a_strict_build(ledger) -> None:
    root = ledger({"records/A1/P01.md": PROBLEM.replace("due: 2023-09-30", "due: 2023-09-31")}, site=True)
    result = build(root, env=AS_OF)
    assert result.error is not None
    assert "records/A1/P01.md:14: measures[0].due: 应为真实存在的日期，实际为“2023-09-31”" in result.warnings()


def test_broken_record_shows_the_errors_page_when_not_strict(ledger) -> None:
    root = ledger({"records/A1/P01.md": PROBLEM.replace("owner: lisi", "owner: nobody")}, site=True)
    result = build(root, strict=False, env=AS_OF)
    assert result.error is None
    page = result.html("")
    assert "台账校验错误" in page
    assert "records/A1/P01.md:13: measures[0].owner: 应为 owners.yml 中的人员编号，实际为 nobody" in page
    assert result.warnings()[-1] == "台账有错误，本次生成的是错误提示网站，不是台账网站；请修正后用 mkdocs build --strict 构建发布"


def test_a_ledger_written_elsewhere(tmp_path: Path) -> None:
    """The SPEC's own example, written by hand in its folder layout, builds with the right figures."""
    files = {
        "records/ledger.yml": "title: 区工委第一巡察组巡察反馈意见整改台账\nunit: 镇党委\ndeclared:\n  problems: 2\n"
                              "  manifestations: 2\n  measures: 3\nareas:\n  - id: X\n    name: 党的建设\n",
        "records/owners.yml": "departments:\n  - id: office\n    name: 办公室\npeople:\n  - id: a\n    name: 甲\n"
                              "  - id: b\n    name: 乙\n",
        "records/一组/问题1.md": "---\nid: Q-1\narea: X\ntitle: 甲问题\nmanifestations:\n  - {id: Q-1.1, text: 表现}\n"
                             "measures:\n  - {id: Q-1.m1, text: 措施, leader: a, department: office, owner: b, due: 2023-09-01, status: in_progress}\n"
                             "  - {id: Q-1.m2, text: 措施二, leader: [a, b], department: office, owner: b, due: long_term, status: not_started}\n---\n",
        "records/二组/问题2.md": "---\nid: Q-2\narea: X\ntitle: 乙问题\nmanifestations:\n  - {id: Q-2.1, text: 表现}\n"
                             "measures:\n  - {id: Q-2.m1, text: 措施, leader: a, department: office, owner: b, due: 2023-08-01, status: done,"
                             " done_on: 2023-08-02, evidence: [{title: 会议纪要, url: 'http://x/1'}]}\n---\n",
    }
    root = tmp_path / "elsewhere"
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    site_repo(root)
    result = build(root, env=AS_OF)
    assert result.error is None, result.warnings()
    data = json.loads((result.site / "downloads/taizhang.json").read_text(encoding="utf-8"))
    assert data["summary"] == {"problems": 2, "manifestations": 2, "measures": 3,
                               "measures_by_status": {"not_started": 1, "in_progress": 1, "done": 1, "closed": 0},
                               "overdue": 1, "due_soon": 0, "completion_rate": 0.3333,
                               "problems_by_status": {"not_started": 0, "in_progress": 1, "done": 1, "closed": 0},
                               "problems_completed": 1, "measures_completed": 1}
    assert "Q-1.m1" in result.html("problems/Q-1")
