"""Issue 17: the reference site as office staff use it, built as of 2023-09-15 from a real git history
that goes on past that day: one story as of one day, names instead of machine strings, totals that say
why they do not add up, the upward sentence from the export's figures, the rows /tasks/ filters by."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO, Build, build, site_repo
from gitrepo import GitRepo
from taizhang.cli.main import main
from taizhang.ledger.repository import load

AS_OF = date(2023, 9, 15)
DATE = re.compile(r"\b(20\d\d-[01]\d-[0-3]\d)\b")


def dated_ledger(root: Path) -> Path:
    """The reference ledger imported on 2023-07-15 by the clerk (mapped in owners.yml by e-mail), a
    progress update on 2023-09-08 by 李四 (not mapped), and one after the as-of date, on 2023-10-20."""
    repo = GitRepo(root)
    shutil.copytree(REPO / "records", root / "records")
    owners = root / "records/owners.yml"
    owners.write_text(owners.read_text(encoding="utf-8").replace(
        "    git: [Seed 98030e61 maintainers]", "    git: [Clerk@Example.gov.cn]"), encoding="utf-8")
    stamp = {"GIT_AUTHOR_NAME": "dzb-bot", "GIT_AUTHOR_EMAIL": "clerk@example.gov.cn",
             "GIT_AUTHOR_DATE": "2023-07-15T17:30:00+08:00", "GIT_COMMITTER_NAME": "dzb-bot",
             "GIT_COMMITTER_EMAIL": "clerk@example.gov.cn", "GIT_COMMITTER_DATE": "2023-07-15T17:30:00+08:00"}
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "导入台账", env=stamp)
    p01 = root / "records/A1/P01.md"
    p01.write_text(p01.read_text(encoding="utf-8").replace("7月、8月按计划", "7月、8月严格按计划"), encoding="utf-8")
    repo.commit("2023-09-08", "李四")
    p02 = root / "records/A1/P02.md"
    p02.write_text(p02.read_text(encoding="utf-8").replace("形成研判报告", "形成研判报告并通报"), encoding="utf-8")
    repo.commit("2023-10-20", "王五")
    return site_repo(root)


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Build:
    result = build(dated_ledger(tmp_path_factory.mktemp("office") / "ledger"), env={"TAIZHANG_AS_OF": AS_OF.isoformat()})
    assert result.error is None, result.warnings()
    return result


def article(html: str) -> str:
    return html[html.index("<article"): html.index("</article>")]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article(html)))


def deadlines(root: Path) -> set[str]:
    """Dates that may lie after the as-of date (SPEC 3): deadlines and extensions' ends."""
    ledger, errors = load(root, AS_OF)
    assert errors == []
    found = set()
    for m in ledger.measures():
        found |= {str(d) for d in (m.due, *(e.from_ for e in m.extensions), *(e.to for e in m.extensions)) if d}
    return found


def test_no_page_shows_a_date_after_the_as_of_day(dated: Build) -> None:
    allowed = deadlines(dated.site.parent)
    later = {}
    for page in dated.site.rglob("index.html"):
        if page.relative_to(dated.site).parts[0] in ("guide", "assets", "search"):
            continue  # hand-written help with example dates
        found = {d for d in DATE.findall(article(page.read_text(encoding="utf-8"))) if d > AS_OF.isoformat()}
        if found - allowed:
            later[str(page.relative_to(dated.site))] = sorted(found - allowed)
    assert later == {}
    assert "2023-10-20" not in text(dated.html("changes")) and "形成研判报告并通报" not in text(dated.html("changes"))


def test_the_change_log_stops_at_the_as_of_day_and_says_so(dated: Build) -> None:
    page = text(dated.html("changes"))
    assert "统计日期 2023-09-15 之后的 1 次提交未计入本站的修改历史和周报" in page
    headings = re.findall(r"<h2[^>]*>(.*?)<a", article(dated.html("changes")))
    assert headings == ["2023年第36周", "2023年第28周"]


def test_the_import_is_one_row_and_authors_are_people(dated: Build) -> None:
    html = article(dated.html("changes"))
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)[1:]  # the header row apart
    bodies = [r for r in rows if "<td" in r]
    assert len(bodies) == 2, bodies
    assert "建立台账：35个问题、88条措施" in bodies[1]
    assert "何晓燕" in bodies[1]  # clerk@example.gov.cn, mapped by the `git` key in any case
    assert "李四" in bodies[0]  # not mapped: git's name
    site = "".join(p.read_text(encoding="utf-8") for p in dated.site.rglob("*.html"))
    assert "clerk@" not in site.lower() and "dzb-bot" not in site and "lisi.secret" not in site
    # The commit id is a small link under the date, not a column.
    assert "<th>提交</th>" not in html and html.count('class="tz-commit"') == 2


def test_weekly_pages_come_from_the_commits_before_the_as_of_day(dated: Build) -> None:
    weeks = sorted(p.name for p in (dated.site / "weekly").iterdir() if p.is_dir())
    assert weeks == ["2023-W28", "2023-W36"]  # not 2023-W42, after the as-of date
    assert "2023年第36周" in text(dated.html("weekly"))
    assert "2023-W" not in text(dated.html("weekly/2023-W36"))


def test_a_status_since_is_never_later_than_the_as_of_day(dated: Build) -> None:
    page = text(dated.html("problems/P02"))
    assert "当前状态始于 2023-07-15" in page and "2023-10-20" not in page


def test_totals_and_why_they_do_not_add_up(dated: Build) -> None:
    page = text(dated.html("owners"))
    assert page.count("合计") == 3
    for role, rows in (("责任领导", 100), ("科室", 108), ("责任人", 90)):
        assert f"一条措施由多个{role}共同负责的，在每个{role}下各计一次，因此各行之和（{rows}）大于措施总数（88）。" in page
    departments = text(dated.html("departments"))
    assert "合计 88 4 17 19 48" in departments and "（108）" in departments


def test_the_upward_sentence_is_the_exports_summary(dated: Build) -> None:
    summary = json.loads((dated.site / "downloads/taizhang.json").read_text(encoding="utf-8"))["summary"]
    p, m = summary["problems_by_status"], summary["measures_by_status"]
    expected = (f"反馈问题{summary['problems']}个，已整改完成{summary['problems_completed']}个（其中已销号{p['closed']}个）、"
                f"正在推进{p['in_progress']}个、尚未启动{p['not_started']}个；制定整改措施{summary['measures']}条，"
                f"已完成{summary['measures_completed']}条（其中已销号{m['closed']}条）、正在推进{m['in_progress']}条、"
                f"尚未启动{m['not_started']}条，逾期{summary['overdue']}条")
    for address in ("", "progress"):
        assert expected in text(dated.html(address)), address
        assert '<button type="button" class="md-button tz-copy" data-copied="已复制">复制</button>' in dated.html(address)
    assert (p["in_progress"], summary["problems_completed"]) == (20, 15)


def test_task_rows_carry_what_the_filters_pick_by(dated: Build) -> None:
    rows = re.findall(r"<tr (data-[^>]*)>", article(dated.html("tasks")))
    assert len(rows) == 88
    assert sum("data-marks=\"overdue" in r for r in rows) == 5
    assert all("data-department=" in r and "data-status=" in r for r in rows)
    assert '<select name="department">' in dated.html("tasks") and '<option value="czs">财政所</option>' in dated.html("tasks")
    # The figure cards link to the list filtered that way.
    home = dated.html("")
    assert 'href="tasks/?window=overdue"' in home and 'href="tasks/?window=due_soon"' in home
    assert 'href="../tasks/?status=completed"' in dated.html("progress")


def test_departments_are_in_the_navigation(dated: Build) -> None:
    assert re.search(r'<a href="departments/"[^>]*>\s*科室', dated.html(""))


def test_a_persons_git_key_must_be_text(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import OWNERS_YML

    root = ledger({"records/owners.yml": OWNERS_YML.replace("    name: 王五\n", "    name: 王五\n    git: {a: b}\n")})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 1
    assert capsys.readouterr().err.strip() == "records/owners.yml:16: people[2].git: 应为文字或文字列表，实际为键值映射"
