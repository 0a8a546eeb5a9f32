"""Weekly reports: a scripted history asserted week by week, the Markdown report, the Word report, the site pages."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import build
from docx import Document
from docx.oxml.ns import qn
from gitrepo import LEDGER, OWNERS, GitRepo, measure, problem
from test_history import site_with_history, text_of
from test_site_look import plain, table_rows

from taizhang.cli import demo
from taizhang.ledger.figures import Aggregate
from taizhang.cli.main import main
from taizhang.history.commits import read_history
from taizhang.ledger.repository import as_of_date, load_valid
from taizhang.cli.report import markdown
from taizhang.reports.weekly import Report, Weekly, parse_week, week_of
from taizhang.office.word import to_bytes

AS_OF = "2023-08-18"  # a Friday in 2023-W33
GOLDEN = Path(__file__).parent / "golden" / "weekly"
PEOPLE = ("张三", "李四", "王五")
AUTHORS = ("赵会计", "钱主任")  # commit authors: named nowhere in a report


def m(mid: str, status: str, due: str, department: str = "dzb", leader: str = "zhangsan", **more: str) -> str:
    """A measure whose text is 措施<its id>, responsible as given."""
    return measure(mid, status, due, text=f"措施{mid}", leader=leader, department=department, **more)


EVIDENCE = "\n- title: 学习计划\n  url: https://oa.example.gov.cn/doc/1\n"
NEW_EVIDENCE = "\n- title: 财务制度\n  url: https://oa.example.gov.cn/doc/2\n"
EXTENSION = "\n- from: 2023-07-28\n  to: 2023-08-11\n  approved_by: zhangsan\n  approved_on: 2023-08-01\n  reason: 待上级文件\n"
PASSED = "\n- date: 2023-08-09\n  by: wangwu\n  result: passed\n"
RELAPSED = PASSED + "- date: 2023-08-15\n  by: wangwu\n  result: relapsed\n"


def p01(m1: str, m2: str) -> str:
    return problem("P01", "A1", m1 + m2, title="理论学习不深入")


def p02(m1: str) -> str:
    return problem("P02", "A2", m1 + m("P02-M2", "not_started", "long_term", "czs", "lisi"), title="财务报销不规范")


P01_M2 = m("P01-M2", "in_progress", "2023-08-31")
P02_CLOSED = m("P02-M1", "closed", "2023-07-21", "czs", "lisi", done_on="2023-07-18", evidence=NEW_EVIDENCE,
               closed_on="2023-07-21", closed_by="zhangsan")
P01_M1_EXTENDED = dict(due="2023-08-11", extensions=EXTENSION)


def scripted(root: Path) -> GitRepo:
    """Five weeks with commits and a quiet one (W30): started, completed, closed, extended, a new problem,
    re-checked, relapsed."""
    repo = GitRepo(root)
    repo.write("records/ledger.yml", LEDGER)
    repo.write("records/owners.yml", OWNERS)
    repo.write("records/A1/P01.md", p01(m("P01-M1", "not_started", "2023-07-28"), P01_M2))
    repo.write("records/A2/P02.md", p02(m("P02-M1", "in_progress", "2023-07-21", "czs", "lisi")))
    repo.commit("2023-07-12", AUTHORS[0], "建立台账")  # W28

    repo.write("records/A1/P01.md", p01(m("P01-M1", "in_progress", "2023-07-28", progress="已起草"), P01_M2))
    repo.write("records/A2/P02.md", p02(m("P02-M1", "done", "2023-07-21", "czs", "lisi", done_on="2023-07-18",
                                          evidence=NEW_EVIDENCE)))
    repo.commit("2023-07-19", AUTHORS[1])  # W29
    repo.write("records/A2/P02.md", p02(P02_CLOSED))
    repo.commit("2023-07-21", AUTHORS[0])  # W29 again

    repo.write("records/A1/P01.md", p01(m("P01-M1", "in_progress", progress="已起草", **P01_M1_EXTENDED), P01_M2))
    repo.write("records/A1/P03.md", problem("P03", "A1", m("P03-M1", "in_progress", "2023-08-25", leader="wangwu"),
                                            title="新问题"))
    repo.commit("2023-08-02", AUTHORS[1])  # W31

    repo.write("records/A1/P01.md", p01(m("P01-M1", "done", done_on="2023-08-08", evidence=EVIDENCE, progress="已印发",
                                          **P01_M1_EXTENDED), P01_M2))
    repo.write("records/A2/P02.md", p02(P02_CLOSED.replace("    closed_by: zhangsan\n", "    closed_by: zhangsan\n    rechecks:\n"
                                                            + textwrap.indent(PASSED.strip("\n") + "\n", "      "))))
    repo.commit("2023-08-09", AUTHORS[0])  # W32

    repo.write("records/A1/P01.md", p01(m("P01-M1", "done", done_on="2023-08-08", evidence=EVIDENCE, progress="已印发",
                                          **P01_M1_EXTENDED), m("P01-M2", "in_progress", "2023-08-31", progress="推进中")))
    repo.write("records/A2/P02.md", p02(m("P02-M1", "in_progress", "2023-07-21", "czs", "lisi", progress="反弹，重新整改",
                                          rechecks=RELAPSED)))
    repo.commit("2023-08-16", AUTHORS[1])  # W33
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return scripted(tmp_path_factory.mktemp("weekly") / "ledger")


def weekly_of(root: Path, as_of: str = AS_OF, public: bool = False) -> Weekly:
    day = as_of_date(as_of)
    ledger = load_valid(root, day)
    if public:
        from taizhang.ledger.public import public_ledger

        ledger = public_ledger(ledger)
    return Weekly(read_history(root), Aggregate(ledger, day), public)


@pytest.fixture(scope="module")
def weekly(repo: GitRepo) -> Weekly:
    return weekly_of(repo.root)


def article(html: str) -> str:
    """The page's own content: Material's icons and scripts left out."""
    return html[html.index("<article"): html.index("</article>")]


def groups(report: Report) -> dict[str, list[str]]:
    return {g: [i.subject for i in items] for g, items in report.groups if items}


def ids(lines) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.row.measure.id for line in lines]


# -- the model, week by week ---------------------------------------------------------------------

def test_the_weeks_with_commits_newest_first(weekly: Weekly) -> None:
    assert weekly.weeks == ["2023-W33", "2023-W32", "2023-W31", "2023-W29", "2023-W28"]
    assert (weekly.first, weekly.current) == ("2023-W28", "2023-W33")
    assert [weekly.has(w) for w in ("2023-W27", "2023-W28", "2023-W30", "2023-W33", "2023-W34")] == [
        False, True, True, True, False]


def test_an_as_of_date_before_the_first_commit_has_no_weeks(repo: GitRepo) -> None:
    early = Weekly(read_history(repo.root), Aggregate(load_valid(repo.root, as_of_date(AS_OF)), date(2023, 7, 9)))
    assert (early.available, early.history.available, early.weeks) == (False, True, [])


def test_the_burn_up_has_every_week_and_carries_quiet_ones(weekly: Weekly) -> None:
    assert [(p.week, p.measures, p.completed, p.closed) for p in weekly.points()] == [
        ("2023-W28", 4, 0, 0), ("2023-W29", 4, 1, 1), ("2023-W30", 4, 1, 1),
        ("2023-W31", 5, 1, 1), ("2023-W32", 5, 2, 1), ("2023-W33", 5, 1, 0)]


def test_each_week_dates_and_as_of(weekly: Weekly) -> None:
    w28, w33 = weekly.report("2023-W28"), weekly.report("2023-W33")
    assert (w28.start, w28.end, w28.as_of) == (date(2023, 7, 10), date(2023, 7, 16), date(2023, 7, 16))
    assert (w33.start, w33.end, w33.as_of) == (date(2023, 8, 14), date(2023, 8, 20), date(2023, 8, 18))
    assert w33.title() == "关于测试镇党委巡察整改工作进展情况的周报（2023年第33周）"
    assert w33.period() == "（2023年8月14日至8月20日，统计截至2023年8月18日）"


def test_event_groups_of_each_week(weekly: Weekly) -> None:
    found = {w: (groups(weekly.report(w)), weekly.report(w).status_changes, weekly.report(w).commits) for w in weekly.weeks}
    assert found == {
        "2023-W28": ({}, 0, 1),
        # completed and closed in the same week: counted once in each, the steps are status changes
        "2023-W29": ({"completed": ["P02-M1"], "closed": ["P02-M1"], "status": ["P01-M1"], "evidence": ["P02-M1"]}, 3, 2),
        "2023-W31": ({"extended": ["P01-M1"]}, 0, 1),
        "2023-W32": ({"completed": ["P01-M1"], "evidence": ["P01-M1"], "rechecked": ["P02-M1"]}, 1, 1),
        "2023-W33": ({"status": ["P02-M1"], "relapsed": ["P02-M1"]}, 1, 1),
    }


def test_event_words_days_and_links(weekly: Weekly) -> None:
    report = weekly.report("2023-W29")
    closed = dict(report.groups)["closed"][0]
    assert (closed.words, closed.day, closed.page, closed.anchor) == ("状态：已完成 → 已销号", date(2023, 7, 21),
                                                                      "problems/P02.md", "P02-M1")
    assert closed.sentence() == "P02-M1 措施P02-M1（财政所），状态：已完成 → 已销号，7月21日更新。"
    extended = dict(weekly.report("2023-W31").groups)["extended"][0]
    assert extended.words == "整改时限：2023-07-28 → 2023-08-11（已登记延期，2023-08-01 批准）"


def test_a_week_without_commits_has_its_figures_but_no_events(weekly: Weekly) -> None:
    w30 = weekly.report("2023-W30")
    assert (groups(w30), w30.commits, w30.status_changes) == ({}, 0, 0)
    assert ids(w30.overdue) == ["P01-M1"] and w30.overdue[0].note == "逾期2天"
    assert w30.work() == "本周台账没有提交更新。"


def figures(report: Report) -> list[tuple[str, str, str, str]]:
    return [(f.label, f.before, f.after, f.change) for f in report.figures()]


def test_figures_and_their_change_from_the_week_before(weekly: Weekly) -> None:
    assert figures(weekly.report("2023-W31")) == [
        ("反馈问题（个）", "2", "3", "+1"),
        ("整改措施（条）", "4", "5", "+1"),
        ("已完成，含已销号（条）", "1", "1", "0"),
        ("其中已销号（条）", "1", "1", "0"),
        ("推进中（条）", "2", "3", "+1"),
        ("未启动（条）", "1", "1", "0"),
        ("完成率（按整改措施计）", "25%", "20%", "-5个百分点"),
        ("逾期（条）", "1", "0", "-1"),  # the week before is the quiet W30, when P01-M1 was two days over
        ("临期（条）", "0", "1", "+1"),
    ]
    assert [f[1] for f in figures(weekly.report("2023-W28"))] == ["—"] * 9  # nothing before the first week
    assert figures(weekly.report("2023-W32"))[2] == ("已完成，含已销号（条）", "1", "2", "+1")
    assert figures(weekly.report("2023-W32"))[6] == ("完成率（按整改措施计）", "20%", "40%", "+20个百分点")


def test_figure_sentences(weekly: Weekly) -> None:
    assert weekly.report("2023-W32").overall() == [
        "截至2023年8月13日，反馈问题3个，制定整改措施5条，已完成2条（其中已销号1条），正在推进3条（其中尚未启动1条），"
        "完成率40%（按整改措施计）。",
        "按问题计，0个问题的整改措施已全部完成，3个问题正在整改。",  # P02's long-term measure is still open
        "与上周末相比，已完成措施增加1条，已销号措施与上周持平，完成率由20%提高到40%。",
    ]
    assert weekly.report("2023-W28").overall()[-1] == "本周为台账建立后的第一周，无上周数据可比。"
    assert weekly.report("2023-W33").overall()[-1] == "与上周末相比，已完成措施减少1条，已销号措施减少1条，完成率由40%降至20%。"


def test_overdue_and_due_next_week(weekly: Weekly) -> None:
    w28, w31, w33 = (weekly.report(w) for w in ("2023-W28", "2023-W31", "2023-W33"))
    assert (ids(w28.overdue), ids(w28.due_next), [x.note for x in w28.due_next]) == ([], ["P02-M1"], ["5天后到期"])
    assert (ids(w31.overdue), ids(w31.due_next)) == ([], ["P01-M1"])
    assert ids(w33.overdue) == ["P02-M1"] and w33.overdue[0].note == "逾期28天"  # relapsed, its deadline long past
    assert (w33.overdue[0].departments, w33.overdue[0].leaders) == ("财政所", "李四")
    assert ids(w33.due_next) == ["P03-M1"]
    assert w33.due_next_note() == "8月18日至8月27日到期、尚未完成的措施。"


def test_measures_not_updated_for_two_weeks(weekly: Weekly) -> None:
    assert [ids(weekly.report(w).stale) for w in ("2023-W29", "2023-W31", "2023-W32", "2023-W33")] == [
        [], ["P01-M2", "P02-M2"], ["P01-M2", "P02-M2"], ["P02-M2", "P03-M1"]]
    w33 = weekly.report("2023-W33")
    assert [x.note for x in w33.stale] == ["最近更新于2023-07-12（37天前）", "最近更新于2023-08-02（16天前）"]
    assert w33.stale_note() == "尚未完成、最近一次台账更新早于8月4日（统计日期前14天）的措施。"


def test_grouped_by_department_and_by_leader(weekly: Weekly) -> None:
    w33 = weekly.report("2023-W33")
    assert [(c.name, c.overdue, c.due_next, c.stale) for c in w33.by_department()] == [("党政办公室", 0, 1, 1), ("财政所", 1, 0, 1)]
    assert [(c.name, c.overdue, c.due_next, c.stale) for c in w33.by_leader()] == [("李四", 1, 0, 1), ("王五", 0, 1, 1)]


def test_next_steps_follow_the_figures(weekly: Weekly) -> None:
    assert weekly.report("2023-W33").next_steps() == [
        "对逾期的1条整改措施逐项督办，责任科室说明原因、明确完成时间，确需延期的按程序报批。",
        "对下周到期的1条整改措施提前调度，确保按期完成。",
        "督促2条两周以上未更新的整改措施及时报送整改进展。",
        "对已完成待销号的1条整改措施加快审核，做到问题不解决不销号。",
        "对1条长期坚持的整改措施持续推进，定期报告阶段性成果。",
        "继续坚持每周调度、汇总、上报，适时开展回头看，巩固整改成果，防止问题反弹。",
    ]


def test_the_work_sentence(weekly: Weekly) -> None:
    assert weekly.report("2023-W29").work() == (
        "本周台账提交更新2次：新完成整改措施1条，新销号1条，状态变化3次，新增佐证材料1份。")
    assert weekly.report("2023-W28").work() == "本周台账提交更新1次，没有措施完成、销号、延期或回头看。"


def test_the_public_profile_names_no_one_and_no_evidence(repo: GitRepo) -> None:
    w29 = weekly_of(repo.root, public=True).report("2023-W29")
    assert "evidence" not in dict(w29.groups)
    assert w29.by_leader() == [] and all(line.leaders == "" for line in w29.due_next)


@pytest.mark.parametrize("value, expected", [("2023-W37", "2023-W37"), (" 2020-W53 ", "2020-W53"), ("2023-W01", "2023-W01")])
def test_week_ids(value: str, expected: str) -> None:
    assert parse_week(value) == expected


@pytest.mark.parametrize("value", ["2023-37", "2023W37", "2023-W7", "2023-W53", "2023-W00", "W37"])
def test_bad_week_ids(value: str) -> None:
    with pytest.raises(ValueError):
        parse_week(value)


def test_week_of_a_day_across_new_year() -> None:
    assert (week_of(date(2021, 1, 3)), week_of(date(2024, 12, 30))) == ("2020-W53", "2025-W01")


# -- taizhang report weekly ------------------------------------------------------------------------

def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_markdown_report_is_golden(repo: GitRepo, update_golden: bool, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["report", "weekly", "--root", str(repo.root), "--as-of", AS_OF], capsys)
    assert (code, err) == (0, "")
    expected = GOLDEN / "2023-W33.md"
    if update_golden:
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")
    assert not any(name in out for name in AUTHORS)


def test_a_chosen_week_to_a_file(repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "周报.md"
    code, out, err = run(["report", "weekly", "--week", "2023-W31", "-o", str(target), "--root", str(repo.root),
                          "--as-of", AS_OF], capsys)
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == markdown(weekly_of(repo.root).report("2023-W31"))
    assert target.read_text(encoding="utf-8").startswith("# 关于测试镇党委巡察整改工作进展情况的周报（2023年第31周）\n")


@pytest.mark.parametrize("argv, code, message", [
    (["--week", "2023-37"], 2, "周次应写成 YYYY-Www，例如 2023-W37，实际为“2023-37”"),
    (["--week", "2023-W34"], 2, "taizhang: 2023-W34 晚于统计日期 2023-08-18 所在的 2023-W33，还没有这一周的数据\n"),
    (["--week", "2023-W27"], 2, "taizhang: 2023-W27 早于台账的第一次提交（2023-W28），没有这一周的数据\n"),
    (["--format", "docx"], 2, "taizhang: 生成 docx 时必须用 -o 指定输出文件\n"),
])
def test_usage_errors(repo: GitRepo, argv: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    found = run(["report", "weekly", "--root", str(repo.root), "--as-of", AS_OF, *argv], capsys)
    assert found[:2] == (code, "")
    assert message in found[2] and "Traceback" not in found[2]


def test_without_history_the_report_comes_from_the_records_and_says_what_it_leaves_out(
        ledger, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(["report", "weekly", "--root", str(ledger()), "--as-of", "2023-09-15"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("# 关于测试镇党委巡察整改工作进展情况的周报（2023年第37周）\n")
    limits = [line.strip() for line in out.splitlines() if line.strip().startswith("没有可用的 git 历史记录")]
    assert len(limits) == 1 and limits[0].endswith("未包含整改进展文字的变化和两周以上未更新的措施。")
    assert "截至2023年9月15日，反馈问题1个，制定整改措施1条，已完成0条（其中已销号0条），正在推进1条" in out


# -- the Word report --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docx_file(repo: GitRepo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("docx") / "周报.docx"
    assert main(["report", "weekly", "--format", "docx", "-o", str(target), "--root", str(repo.root), "--as-of", AS_OF]) == 0
    return target


def paragraphs(path: Path, style: str) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name == style]


def test_docx_title_and_headings(docx_file: Path) -> None:
    doc = Document(str(docx_file))
    assert [p.text for p in doc.paragraphs[:2]] == ["关于测试镇党委巡察整改工作进展情况的周报（2023年第33周）",
                                                    "（2023年8月14日至8月20日，统计截至2023年8月18日）"]
    assert doc.core_properties.title == doc.paragraphs[0].text
    assert paragraphs(docx_file, "Heading 1") == ["一、总体进展", "二、本周工作", "三、逾期及临期事项", "四、下一步工作"]
    assert paragraphs(docx_file, "Heading 2") == [
        "（一）主要数据", "（二）各方面进展", "（三）挂图作战：每周进度",
        "（一）其他状态变化（1）", "（二）回头看发现反弹（1）",
        "（一）逾期的整改措施（1）", "（二）下周到期的整改措施（1）", "（三）两周以上未更新的整改措施（2）",
        "（四）按责任科室汇总", "（五）按责任领导汇总"]


def test_docx_figure_sentence_and_numbered_items(docx_file: Path) -> None:
    body = paragraphs(docx_file, "Normal")
    assert ("截至2023年8月18日，反馈问题3个，制定整改措施5条，已完成1条（其中已销号0条），正在推进4条（其中尚未启动1条），"
            "完成率20%（按整改措施计）。") in body
    assert "1. P02-M1 措施P02-M1（财政所），回头看（2023-08-15）：反弹，8月16日更新。" in body
    assert body[-3:] == ["", "测试镇党委", "2023年8月18日"]
    assert [p for p in body if re.match(r"\d\. 对", p)][0].startswith("1. 对逾期的1条整改措施")


def test_docx_tables_repeat_their_header_rows(docx_file: Path) -> None:
    tables = Document(str(docx_file)).tables
    assert [[c.text for c in t.rows[0].cells] for t in tables] == [
        ["指标", "上周末", "本周末", "本周变化"],
        ["方面", "措施数", "已完成", "完成率", "本周新完成"],
        ["周次", "统计截至", "措施总数", "已完成（含已销号）", "已销号", "完成率"],
        ["序号", "编号", "整改措施", "责任科室", "责任领导", "整改时限", "说明"],
        ["序号", "编号", "整改措施", "责任科室", "责任领导", "整改时限", "说明"],
        ["序号", "编号", "整改措施", "责任科室", "责任领导", "整改时限", "说明"],
        ["责任科室", "逾期", "下周到期", "两周以上未更新"],
        ["责任领导", "逾期", "下周到期", "两周以上未更新"],
    ]
    for table in tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    assert [c.text for c in tables[0].rows[3].cells] == ["已完成，含已销号（条）", "2", "1", "-1"]
    assert [c.text for c in tables[3].rows[1].cells] == ["1", "P02-M1", "措施P02-M1", "财政所", "李四", "2023-07-21", "逾期28天"]


def test_docx_page_fonts_and_page_numbers(docx_file: Path) -> None:
    doc = Document(str(docx_file))
    section = doc.sections[0]
    assert [round(x.cm, 2) for x in (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                                     section.left_margin, section.right_margin)] == [21.0, 29.7, 3.7, 3.5, 2.8, 2.6]
    fonts = {name: doc.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
             for name in ("Normal", "Heading 1", "Heading 2")}
    assert fonts == {"Normal": "仿宋_GB2312", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    assert doc.styles["Normal"].font.size.pt == 16
    title = doc.paragraphs[0].runs[0]
    assert title._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体" and title.font.size.pt == 22
    footer = section.footer.paragraphs[0]
    field = footer._p.find(qn("w:fldSimple"))
    assert field.get(qn("w:instr")) == "PAGE" and footer.text == "—  —"  # Word puts the number between the dashes


def test_docx_is_the_same_file_for_the_same_week(repo: GitRepo) -> None:
    report = weekly_of(repo.root).report("2023-W32")
    assert to_bytes(report) == to_bytes(report)


# -- the site ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(repo: GitRepo, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("site") / "ledger"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(root)], check=True, capture_output=True)
    done = build(site_with_history(root), env={"TAIZHANG_AS_OF": AS_OF})
    assert done.error is None and done.warnings() == []
    return done


@pytest.mark.slow  # builds a site
def test_the_weekly_list(site) -> None:  # type: ignore[no-untyped-def]
    page = site.html("weekly")
    rows = re.findall(r'<tr>\s*<td><a href="([^"]+)">(2023年第\d+周)</a></td>(.*?)</tr>', page, re.S)
    assert [(href, week) for href, week, _ in rows] == [
        (f"2023-W{n}/", f"2023年第{n}周") for n in ("33", "32", "31", "29", "28")]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", rest) for _, _, rest in rows]
    assert [text_of(" ".join(c)) for c in cells] == [
        "2023-08-14 至 2023-08-20 0 0 1 0 0 1 20%",
        "2023-08-07 至 2023-08-13 1 0 1 0 1 0 40%",
        "2023-07-31 至 2023-08-06 0 0 0 1 0 0 20%",
        "2023-07-17 至 2023-07-23 1 1 3 0 1 0 25%",
        "2023-07-10 至 2023-07-16 0 0 0 0 0 0 0%",
    ]
    assert article(page).count("<svg") == 1 and "整改措施每周进度（挂图作战）" in page


@pytest.mark.slow  # builds a site
def test_each_week_has_its_page_with_the_burn_up(site) -> None:  # type: ignore[no-untyped-def]
    assert sorted(p.name for p in (site.site / "weekly").iterdir() if p.is_dir()) == [
        "2023-W28", "2023-W29", "2023-W31", "2023-W32", "2023-W33"]
    page = site.html("weekly/2023-W29")
    words = text_of(page)
    assert "2023年第29周" in words and "2023-W29" not in words and "二、本周工作" in words
    assert "新完成的整改措施（1）" in words and "新销号的整改措施（1）" in words
    assert '<a href="../../problems/P02/#P02-M1">P02-M1</a>' in page
    assert 'aria-label="整改措施每周进度（挂图作战）：措施总数：第28周 4、第29周 4；' in page
    for author in AUTHORS:
        assert author not in page
    # Material's footer: the week before and the week after
    assert 'href="../2023-W28/"' in page and 'href="../2023-W31/"' in page


@pytest.mark.slow  # builds a site
def test_the_burn_up_on_the_progress_page(site) -> None:  # type: ignore[no-untyped-def]
    page = site.html("progress")
    assert page.index("按责任科室") < page.index("挂图作战：每周进度") < page.index('id="逾期清单"')
    assert "第28周 4、第29周 4、第30周 4、第31周 5、第32周 5、第33周 5" in page


@pytest.mark.parametrize(("address", "anchor", "heading"), [
    ("weekly", None, "每周报告"),
    ("weekly/2023-W29", "figures", "（一）主要数据"),
    ("weekly/2023-W29", "areas", "（二）各方面进展"),
    ("weekly/2023-W29", "burnup", "（三）挂图作战：每周进度"),
])
@pytest.mark.slow  # builds a site
def test_weekly_tables_stay_out_of_search(site, address: str, anchor: str | None, heading: str) -> None:  # type: ignore[no-untyped-def]
    rows = table_rows(site.html(address), anchor)
    assert rows, "no table under the heading"
    docs = json.loads((site.site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    entry = {doc["location"]: doc for doc in docs}[f"{address}/" + (f"#{anchor}" if anchor else "")]
    assert plain(entry["title"]) == heading  # the heading is still found
    assert [row for row in rows if row in plain(entry["text"])] == []


@pytest.mark.slow
def test_the_public_site_names_no_one_on_weekly_pages(repo: GitRepo, tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(root)], check=True, capture_output=True)
    done = build(site_with_history(root, None), env={"TAIZHANG_AS_OF": AS_OF, "TAIZHANG_PROFILE": "public"})
    assert done.error is None
    pages = [p.read_text(encoding="utf-8") for p in (done.site / "weekly").rglob("*.html")]
    assert len(pages) == 6
    for page in pages:
        assert not any(name in page for name in PEOPLE + AUTHORS)
        assert "佐证" not in text_of(page) and "责任领导" not in text_of(page)
    assert "P02-M1 措施P02-M1 财政所 回头看（2023-08-15）：反弹 2023-08-16" in text_of(done.html("weekly/2023-W33"))


@pytest.mark.slow
def test_without_history_the_weekly_pages_come_from_the_records(ledger) -> None:  # type: ignore[no-untyped-def]
    done = build(ledger(site=True), env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert done.error is None and done.warnings() == []
    words = text_of(article(done.html("weekly")))
    assert words.startswith("每周报告 ¶ 没有可用的 git 历史记录（git 运行失败：not a git repository")
    assert [p.name for p in (done.site / "weekly").glob("20*")] == ["2023-W37"]
    assert "没有可用的 git 历史记录" in text_of(article(done.html("weekly/2023-W37")))


# -- a realistic history: taizhang demo ----------------------------------------------------------------

MESSAGE = re.compile(r"第(\d+)周调度")
COUNTS = {"completed": "完成", "closed": "销号", "extended": "延期", "rechecked": "回头看通过", "relapsed": "回头看发现反弹"}


@pytest.mark.slow
def test_a_demo_history_agrees_with_its_commit_messages(tmp_path: Path) -> None:
    """The demo commits once a week and says in each message how many measures it completed, closed,
    extended and re-checked: each week's report counts the same."""
    root = tmp_path / "demo"
    demo.generate(root, problems=40, weeks=8, seed=3)
    as_of = demo.START + timedelta(weeks=8)
    weekly = weekly_of(root, as_of.isoformat())
    log = subprocess.run(["git", "-C", str(root), "log", "--format=%ad%x09%s", "--date=short"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert len(weekly.weeks) == len(log) == 9
    for line in log:
        day, subject = line.split("\t")
        report = weekly.report(week_of(date.fromisoformat(day)))
        said = {key: int(found.group(1)) if (found := re.search(rf"，{word}(\d+)项", subject)) else 0
                for key, word in COUNTS.items()}
        counted = {key: report.count(key) for key in COUNTS}
        assert counted == said, (day, subject)
    last = weekly.report(weekly.current)
    head = Aggregate(load_valid(root, as_of), as_of).tally
    assert (last.agg.tally.measures, last.agg.tally.completed, last.agg.tally.overdue) == (head.measures, head.completed, head.overdue)
    points = weekly.points()
    assert all(p.closed <= p.completed <= p.measures for p in points)
    assert [p.week for p in points] == sorted(weekly.weeks)


@pytest.mark.slow
def test_before_the_first_commit_the_weekly_pages_come_from_the_records(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ledger")
    repo.write("records/ledger.yml", LEDGER)
    repo.write("records/owners.yml", OWNERS)
    repo.write("records/A1/P01.md", p01(m("P01-M1", "not_started", "2023-07-28"), P01_M2))
    repo.commit("2023-07-12", AUTHORS[0])
    done = build(site_with_history(repo.root, None), env={"TAIZHANG_AS_OF": "2023-07-09"})
    assert done.error is None and done.warnings() == []
    # Git has nothing before the day: the weeks come from the records, and the page says in one line what that leaves out.
    page = text_of(article(done.html("weekly")))
    assert "没有可用的 git 历史记录（统计日期之前尚无台账提交记录）" in page
    assert main(["report", "weekly", "--root", str(repo.root), "--as-of", "2023-07-09"]) == 0


HOSTILE = "<script>alert(1)</script> **粗体** [链接](javascript:alert(1)) | 表格"


@pytest.mark.slow
def test_record_text_is_escaped_in_weekly_pages_and_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = GitRepo(tmp_path / "ledger")
    repo.write("records/ledger.yml", LEDGER)
    repo.write("records/owners.yml", OWNERS.replace("name: 党政办公室", f"name: '{HOSTILE}'"))
    hostile = measure("P01-M1", "in_progress", "2023-07-28", text=f"'{HOSTILE}'")
    repo.write("records/A1/P01.md", problem("P01", "A1", hostile, title=f"'{HOSTILE}'"))
    repo.commit("2023-07-12", AUTHORS[0])
    repo.write("records/A1/P01.md", problem("P01", "A1", hostile.replace("in_progress", "not_started"), title=f"'{HOSTILE}'"))
    repo.commit("2023-07-19", AUTHORS[0])
    done = build(site_with_history(repo.root, None), env={"TAIZHANG_AS_OF": "2023-08-18"})
    assert done.error is None and done.warnings() == []
    for address in ("weekly", "weekly/2023-W29", "progress"):
        page = article(done.html(address))
        assert "<script>alert" not in page and 'href="javascript' not in page and "<strong>粗体" not in page
    assert HOSTILE in text_of(article(done.html("weekly/2023-W29")))
    assert main(["report", "weekly", "--root", str(repo.root), "--as-of", "2023-08-18", "--week", "2023-W29"]) == 0
    out = capsys.readouterr().out
    assert "<script>" not in out and "**粗体**" not in out and "| 表格" not in out
