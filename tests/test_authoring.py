"""The authoring commands: golden edits byte for byte, refusals that write nothing, ids, git diffs, the hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from taizhang.authoring import commands as authoring
from taizhang.authoring import edits as edit
from taizhang.cli.main import main
from taizhang.ledger.repository import as_of_date, load
from taizhang.ledger.records import Ledger, Problem

from conftest import AS_OF, REPO

GOLDEN = Path(__file__).parent / "golden" / "edit"
INPUTS = GOLDEN / "inputs"
RECORD = "records/A1/P01.md"
EVIDENCE = {"records/evidence/plan.pdf": b"%PDF-1.4\n", "records/evidence/记录.pdf": b"%PDF-1.4\n"}

PLAN = "title=2023年度学习计划,path=evidence/plan.pdf"
RECORDS_URL = "title=学习记录，第一批,url=https://oa.example.gov.cn/doc/123"

# name, input record, command (after `taizhang`), the file compared (default: the input record)
CASES: list[tuple[str, str, list[str], str]] = [
    ("progress", "comments", ["update", "P01-M1", "--progress", "第二周：已完成初稿，提交党委会审议"], RECORD),
    ("progress-needs-quotes", "done", ["update", "P01-M1", "--progress", "进度: 50% #2"], RECORD),
    ("progress-multiline", "crlf", ["update", "P01-M1", "--progress", "第一行\n第二行"], RECORD),
    ("progress-block", "indentless", ["update", "P01-M1", "--progress", "已印发学习计划"], RECORD),
    ("progress-bom", "bom", ["update", "P01-M1", "--progress", "已印发学习计划"], RECORD),
    ("start", "comments", ["update", "P01-M2", "--status", "in_progress", "--progress", "已召开专题会议部署"], RECORD),
    ("done", "comments", ["update", "P01-M1", "--status", "done", "--evidence", PLAN, "--evidence", RECORDS_URL], RECORD),
    ("done-on", "comments", ["update", "P01-M1", "--status", "done", "--done-on", "2023-09-10", "--evidence", PLAN], RECORD),
    ("done-crlf", "crlf", ["update", "P01-M1", "--status", "done", "--progress", "已印发", "--evidence", PLAN], RECORD),
    ("done-indentless", "indentless", ["update", "P01-M1", "--status", "done", "--evidence", PLAN], RECORD),
    ("evidence-more", "done", ["update", "P01-M1", "--evidence", "title=签到表,path=evidence/记录.pdf"], RECORD),
    ("evidence-flow", "flow", ["update", "P01-M1", "--evidence", RECORDS_URL, "--recheck", "passed", "--by", "wangwu"], RECORD),
    ("close", "done", ["update", "P01-M1", "--close", "--by", "wangwu"], RECORD),
    ("close-on", "done", ["update", "P01-M1", "--close", "--by", "wangwu", "--on", "2023-09-10"], RECORD),
    ("done-and-close", "comments", ["update", "P01-M1", "--done-on", "2023-09-01", "--evidence", PLAN, "--close", "--by", "wangwu"], RECORD),
    ("extend", "comments", ["update", "P01-M1", "--extend-to", "2023-10-31", "--approved-by", "zhangsan", "--reason", "需待区级文件下发后修订"], RECORD),
    ("extend-again", "done", ["update", "P01-M2", "--extend-to", "2023-09-30", "--approved-by", "zhangsan", "--on", "2023-09-01"], RECORD),
    ("recheck-passed", "done", ["update", "P01-M2", "--recheck", "passed", "--by", "wangwu", "--note", "抽查8月考勤记录完整"], RECORD),
    ("recheck-relapsed", "done", ["update", "P01-M2", "--recheck", "relapsed", "--by", "wangwu", "--note", "9月起未按制度考勤"], RECORD),
    ("relapse-done", "done", ["update", "P01-M1", "--recheck", "relapsed", "--by", "wangwu", "--status", "in_progress"], RECORD),
    ("back-to-progress", "done", ["update", "P01-M1", "--status", "in_progress", "--progress", "佐证材料不全，退回补充"], RECORD),
    ("owners-flow", "flow", ["update", "P01-M1", "--leader", "zhangsan", "--owner", "lisi,wangwu"], RECORD),
    ("owners-block", "indentless", ["update", "P01-M1", "--department", "czs", "--leader", "zhangsan", "--leader", "wangwu"], RECORD),
    ("new-measure", "comments", ["new", "measure", "P01", "--text", "每季度通报学习情况", "--leader", "zhangsan",
                                 "--department", "dzb,czs", "--owner", "lisi", "--due", "2023-12-31"], RECORD),
    ("new-measure-crlf", "crlf", ["new", "measure", "P01", "--text", "建立考勤制度", "--addresses", "P01-1", "--leader", "zhangsan",
                                  "--department", "dzb", "--owner", "lisi", "--due", "long_term"], RECORD),
    ("new-measure-indentless", "indentless", ["new", "measure", "P01", "--text", "建立学习档案: 每人一册", "--leader", "zhangsan",
                                              "--department", "dzb", "--owner", "lisi", "--owner", "wangwu", "--due", "2023-10-31"], RECORD),
    ("new-problem", "comments", ["new", "problem", "--area", "A1", "--title", "党建工作责任制落实不到位",
                                 "--manifestation", "未按要求召开党建工作专题会议", "--manifestation", "“三会一课”记录不全",
                                 "--measure", "每季度召开党建工作专题会议", "--leader", "zhangsan", "--department", "dzb",
                                 "--owner", "lisi", "--due", "2023-12-31"], "records/A1/P02.md"),
    ("new-problem-indentless", "indentless", ["new", "problem", "--area", "A2", "--id", "P10", "--title", "财务制度不健全",
                                              "--manifestation", "报销审批不规范", "--measure", "修订财务报销制度", "--leader", "zhangsan",
                                              "--department", "czs", "--owner", "lisi", "--due", "long_term"], "records/A2/P10.md"),
]


def run(argv: list[str], root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([*argv, "--root", str(root), "--as-of", AS_OF])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def small(ledger: Callable[..., Path]) -> Callable[[str], Path]:
    """The small ledger with one of the golden inputs as records/A1/P01.md."""

    def make(name: str) -> Path:
        return ledger({RECORD: (INPUTS / f"{name}.md").read_bytes(), **EVIDENCE})

    return make


@pytest.mark.parametrize("name, source, argv, output", CASES, ids=[c[0] for c in CASES])
def test_golden(name: str, source: str, argv: list[str], output: str, small: Callable[[str], Path],
                update_golden: bool, capsys: pytest.CaptureFixture[str]) -> None:
    root = small(source)
    code, out, err = run(argv, root, capsys)
    assert (code, err) == (0, "")
    assert out.startswith(("已更新", "已新增"))
    expected = GOLDEN / f"{name}.md"
    if update_golden:
        expected.write_bytes((root / output).read_bytes())
    assert (root / output).read_bytes() == expected.read_bytes()
    assert load(root, as_of_date(AS_OF))[1] == []


def test_every_input_is_a_valid_record(small: Callable[[str], Path]) -> None:
    for path in sorted(INPUTS.glob("*.md")):
        assert load(small(path.stem), as_of_date(AS_OF))[1] == [], path.name


# -- refusals ---------------------------------------------------------------------

REFUSALS: list[tuple[str, list[str], int, str]] = [
    ("comments", ["update", "P01-M1", "--status", "done"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:18: measures[0].evidence: 状态为 done（已完成） 时必须填写 evidence\n"),
    ("done", ["update", "P01-M1", "--close", "--by", "nobody"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:22: measures[0].closed_by: 应为 owners.yml 中的人员编号，实际为 nobody\n"),
    ("done", ["update", "P01-M1", "--close", "--by", "wangwu", "--on", "2023-08-01"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:21: measures[0].closed_on: 不能早于完成时间 2023-09-01，实际为 2023-08-01\n"),
    ("comments", ["update", "P01-M1", "--status", "done", "--done-on", "2023-09-20", "--evidence", PLAN], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:20: measures[0].done_on: 不能晚于统计日期 2023-09-15，实际为 2023-09-20\n"),
    ("comments", ["update", "P01-M1", "--status", "done", "--evidence", "title=计划,path=evidence/none.pdf"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:23: measures[0].evidence[0].path: 应为 records/ 下存在的文件，实际找不到 records/evidence/none.pdf\n"),
    ("comments", ["update", "P01-M1", "--owner", "nobody", "--department", "nowhere"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:15: measures[0].department: 应为 owners.yml 中的科室编号，实际为 nowhere\n"
     "records/A1/P01.md:16: measures[0].owner: 应为 owners.yml 中的人员编号，实际为 nobody\n"),
    ("comments", ["update", "P01-M1", "--extend-to", "2023-09-01", "--approved-by", "zhangsan"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P01.md:22: measures[0].extensions[0].to: 应晚于原时限 2023-09-30，实际为 2023-09-01\n"),
    ("comments", ["update", "P01-M9", "--progress", "x"], 1, "taizhang: 找不到整改措施 P01-M9\n"),
    ("comments", ["update", "P01-M2", "--extend-to", "2023-12-31", "--approved-by", "zhangsan"], 1,
     "taizhang: 措施 P01-M2 为长期坚持，没有整改时限，不能延期\n"),
    ("comments", ["update", "P01-M1", "--recheck", "passed", "--by", "wangwu"], 1,
     "taizhang: 措施 P01-M1 状态为 推进中，只有已完成或已销号的措施才能回头看\n"),
    ("done", ["update", "P01-M2", "--status", "in_progress"], 1,
     "taizhang: 措施 P01-M2 已销号：改为其他状态时必须同时登记反弹的回头看（--recheck relapsed --by 检查人）\n"),
    ("comments", ["update", "P01-M1"], 2, "taizhang: 没有要修改的内容：请至少给出一个选项，例如 --progress\n"),
    ("comments", ["update", "P01-M1", "--close"], 2, "taizhang: --close 需要同时给出 --by\n"),
    ("comments", ["update", "P01-M1", "--by", "wangwu"], 2, "taizhang: --by 只能与 --close 或 --recheck 一起使用\n"),
    ("comments", ["update", "P01-M1", "--extend-to", "2023-10-31"], 2, "taizhang: --extend-to 需要同时给出 --approved-by\n"),
    ("comments", ["update", "P01-M1", "--close", "--by", "wangwu", "--status", "done"], 2,
     "taizhang: --close 与 --status done 不能同时使用\n"),
    ("comments", ["update", "P01-M1", "--close", "--by", "wangwu", "--recheck", "passed"], 2,
     "taizhang: --close 与 --recheck 不能同时使用\n"),
    ("comments", ["new", "measure", "P09", "--text", "x", "--leader", "zhangsan", "--department", "dzb", "--owner", "lisi",
                  "--due", "2023-12-31"], 1, "taizhang: 找不到问题 P09\n"),
    ("comments", ["new", "problem", "--area", "A9", "--title", "x", "--manifestation", "y", "--measure", "z", "--leader", "zhangsan",
                  "--department", "dzb", "--owner", "lisi", "--due", "2023-12-31"], 1,
     "taizhang: 找不到方面 A9（ledger.yml 中的方面编号：A1、A2）\n"),
    ("comments", ["new", "problem", "--area", "A1", "--id", "P01-M1", "--title", "x", "--manifestation", "y", "--measure", "z",
                  "--leader", "zhangsan", "--department", "dzb", "--owner", "lisi", "--due", "2023-12-31"], 1,
     "taizhang: 编号 P01-M1 已被使用\n"),
    ("comments", ["new", "problem", "--area", "A1", "--title", "x"], 2,
     "taizhang: 新问题至少需要一条问题表现（--manifestation）和一条整改措施（--measure、--leader、--department、--owner、--due）\n"),
    ("comments", ["new", "problem", "--area", "A1", "--title", "x", "--manifestation", "y", "--measure", "z", "--leader", "nobody",
                  "--department", "dzb", "--owner", "lisi", "--due", "2023-12-31"], 1,
     "taizhang: 未写入任何内容：修改后的台账有以下错误\n"
     "records/A1/P02.md:11: measures[0].leader: 应为 owners.yml 中的人员编号，实际为 nobody\n"),
]


@pytest.mark.parametrize("source, argv, status, message", REFUSALS, ids=[" ".join(r[1][:4]) for r in REFUSALS])
def test_refusals_write_nothing(source: str, argv: list[str], status: int, message: str,
                                small: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = small(source)
    before = snapshot(root)
    code, out, err = run(argv, root, capsys)
    assert (code, out, err) == (status, "", message)
    assert snapshot(root) == before


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("argv, message", [
    (["--done-on", "2023-02-30"], "日期应为 YYYY-MM-DD，实际为 “2023-02-30”"),
    (["--done-on", "9/1"], "日期应为 YYYY-MM-DD，实际为 “9/1”"),
    (["--evidence", "计划.pdf"], "佐证材料应写成"),
    (["--evidence", "title=计划,path=a.pdf,url=http://x"], "佐证材料应写成"),
    (["--status", "finished"], "invalid choice"),
])
def test_bad_option_values_are_usage_errors(argv: list[str], message: str, small: Callable[[str], Path],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = small("comments")
    code, out, err = run(["update", "P01-M1", *argv], root, capsys)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_an_invalid_ledger_refuses_every_edit(small: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = small("comments")
    (root / "records/A1/P02.md").write_text("---\nid: P02\n---\n", encoding="utf-8")
    before = snapshot(root)
    code, _, err = run(["update", "P01-M1", "--progress", "x"], root, capsys)
    assert code == 1
    assert err.splitlines()[1:] == [
        "records/A1/P02.md:2: area: 缺少必填项 area",
        "records/A1/P02.md:2: title: 缺少必填项 title",
        "records/A1/P02.md:2: manifestations: 缺少必填项 manifestations",
        "records/A1/P02.md:2: measures: 缺少必填项 measures",
    ]
    assert snapshot(root) == before


def test_a_measure_in_a_broken_record_is_not_found_and_says_why(ledger: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({RECORD: "---\nid: P01\nmeasures: [\n---\n"})
    code, out, err = run(["update", "P01-M1", "--progress", "x"], root, capsys)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == "taizhang: 找不到整改措施 P01-M1（台账有以下错误，可能因此读不到它）"
    assert err.splitlines()[1].startswith("records/A1/P01.md:4: yaml: YAML 语法错误")


def test_an_interrupted_update_leaves_the_record_and_no_temporary(small: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = small("comments")
    before = snapshot(root)

    def fail(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error", dst)

    monkeypatch.setattr(edit, "replace", fail)
    code, out, err = run(["update", "P01-M1", "--progress", "第二周"], root, capsys)
    assert (code, out) == (1, "")
    assert err.startswith("taizhang: Input/output error")
    assert snapshot(root) == before


def test_a_record_the_editor_cannot_change_exactly_is_refused(ledger: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    text = (INPUTS / "done.md").read_text(encoding="utf-8").replace(
        "  - id: P01-M1\n    text: 制定学习计划\n    leader: zhangsan\n    department: dzb\n    owner: lisi\n    due: 2023-09-30\n"
        "    status: done\n    progress: 已印发学习计划\n    done_on: 2023-09-01\n    evidence:\n      - title: 学习计划\n"
        "        path: evidence/plan.pdf\n",
        "  - {id: P01-M1, text: 制定学习计划, leader: zhangsan, department: dzb, owner: lisi, due: 2023-09-30, status: in_progress}\n")
    root = ledger({RECORD: text})
    code, out, err = run(["update", "P01-M1", "--progress", "x"], root, capsys)
    assert (code, out) == (1, "")
    assert err == "taizhang: records/A1/P01.md: 该项以行内格式 {…} 书写，命令无法只改动相关的行，请改为逐行书写或手工修改\n"
    assert (root / RECORD).read_text(encoding="utf-8") == text


def test_update_says_what_a_relapse_removed(small: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["update", "P01-M2", "--recheck", "relapsed", "--by", "wangwu"], small("done"), capsys)
    assert (code, out) == (0, "已更新 P01-M2：records/A1/P01.md\n状态改为 in_progress，已移除 done_on、evidence、closed_on、closed_by\n")


def test_dates_default_to_taizhang_as_of(small: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = small("done")
    monkeypatch.setenv("TAIZHANG_AS_OF", "2023-09-12")
    assert main(["update", "P01-M1", "--close", "--by", "wangwu", "--root", str(root)]) == 0
    assert "    closed_on: 2023-09-12\n    closed_by: wangwu\n" in (root / RECORD).read_text(encoding="utf-8")


# -- ids and places -----------------------------------------------------------------

@pytest.mark.parametrize("existing, taken, expected", [
    ([f"P{n:02d}" for n in range(1, 36)], set(), "P36"),
    (["2023-001", "2023-002"], set(), "2023-003"),
    (["A1-03", "A1-01"], set(), "A1-04"),
    ([f"P{n}" for n in range(1, 10)], set(), "P10"),
    (["P09"], set(), "P10"),
    (["P99"], set(), "P100"),
    (["P01", "P02", "Q1"], set(), "P03"),
    (["P01"], {"P01", "P02"}, "P03"),
    (["P01-M1", "P01-M2"], set(), "P01-M3"),
    ([], set(), "P01"),
    (["甲", "乙"], set(), "P01"),
])
def test_next_id_follows_the_ledgers_pattern(existing: list[str], taken: set[str], expected: str) -> None:
    assert authoring.next_id(existing, taken | set(existing), "P01") == expected


def problems(*specs: tuple[str, str, str]) -> Ledger:
    return Ledger("", "", [], problems=[Problem(id, area, "", [], [], path=path) for id, area, path in specs])


@pytest.mark.parametrize("ledger_, area, expected", [
    (problems(("A1-01", "A1", ""), ("A1-02", "A1", ""), ("A2-01", "A2", "")), "A2", "A2-02"),
    (problems(("A1-01", "A1", ""), ("A1-02", "A1", ""), ("A2-01", "A2", "")), "A3", "A3-01"),
    (problems(("P01", "A1", ""), ("P02", "A2", "")), "A1", "P03"),
    (problems(), "A1", "P01"),
])
def test_problem_id_per_area_when_ids_carry_the_area(ledger_: Ledger, area: str, expected: str) -> None:
    assert authoring.problem_id(ledger_, area) == expected


@pytest.mark.parametrize("ledger_, area, expected", [
    (problems(("P01", "A1", "records/A1/P01.md"), ("P02", "A2", "records/A2/P02.md")), "A2", "records/A2/P03.md"),
    (problems(("P01", "A1", "records/一、思想/P01.md"), ("P02", "A2", "records/二、队伍/P02.md")), "A2", "records/二、队伍/P03.md"),
    (problems(("P01", "A1", "records/A1/P01.md")), "A2", "records/A2/P03.md"),
    (problems(("P01", "A1", "records/P01.md"), ("P02", "A2", "records/P02.md")), "A1", "records/P03.md"),
    (problems(("P01", "A1", "records/problems/P01.md"), ("P02", "A2", "records/problems/P02.md")), "A1", "records/problems/P03.md"),
    (problems(("P01", "A1", "records/x/P01.md"), ("P02", "A1", "records/y/P02.md")), "A1", "records/P03.md"),
    (problems(), "A1", "records/P03.md"),
])
def test_problem_path_follows_the_ledgers_folders(ledger_: Ledger, area: str, expected: str) -> None:
    assert authoring.problem_path(ledger_, area, "P03") == expected


def test_new_problem_on_the_reference_ledger(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["new", "problem", "--area", "A4", "--title", "公务接待管理不规范", "--manifestation", "接待清单填写不全",
                          "--measure", "修订公务接待管理办法", "--leader", "zhangwei", "--department", "dzb", "--owner", "gaopeng",
                          "--due", "2023-12-31"], reference, capsys)
    assert (code, err, out) == (0, "", "已新增问题 P36：records/A4/P36.md\n")
    assert (reference / "records/A4/P36.md").read_text(encoding="utf-8").startswith("---\nid: P36\narea: A4\n")
    code, out, err = run(["new", "measure", "P36", "--text", "开展公务接待专项检查", "--leader", "zhangwei",
                          "--department", "dzb", "--owner", "gaopeng", "--due", "long_term"], reference, capsys)
    assert (code, err, out) == (0, "", "已新增整改措施 P36-M2：records/A4/P36.md\n")


# -- git: each step's diff is only its lines ----------------------------------------------

def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2023-09-15T10:00:00+08:00", "GIT_COMMITTER_DATE": "2023-09-15T10:00:00+08:00",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def repository(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=李四", "-c", "user.email=lisi@example.gov.cn", "add", "-A")
    git(root, "-c", "user.name=李四", "-c", "user.email=lisi@example.gov.cn", "commit", "-q", "-m", "台账")
    return root


def test_a_progress_update_is_a_one_line_diff(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repository(reference)
    assert run(["update", "P01-M1", "--progress", "9月中旬已按计划开展集中学习"], root, capsys)[0] == 0
    assert git(root, "diff", "--numstat") == "1\t1\trecords/A1/P01.md\n"


def changed(root: Path) -> list[str]:
    """The added and removed lines of the working tree's diff, then commit it."""
    lines = [l for l in git(root, "diff", "-U0").splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    git(root, "-c", "user.name=李四", "-c", "user.email=lisi@example.gov.cn", "commit", "-q", "-am", "更新")
    return lines


def test_report_complete_and_sign_off_with_commands_only(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repository(reference)
    (root / "records/evidence/P01-M3-通报.pdf").write_bytes(b"%PDF-1.4\n")
    git(root, "add", "records/evidence")
    steps = [
        (["update", "P01-M3", "--progress", "第三季度学习情况通报已印发"], [
            "-    progress: 已印发《镇党委理论学习中心组学习考勤通报制度》，第三季度通报正在汇总，长期坚持",
            "+    progress: 第三季度学习情况通报已印发",
        ]),
        (["update", "P01-M3", "--status", "done", "--evidence", "title=第三季度学习情况通报,path=evidence/P01-M3-通报.pdf"], [
            "-    status: in_progress",
            "+    status: done",
            "+    done_on: 2023-09-15",
            "+    evidence:",
            "+      - title: 第三季度学习情况通报",
            "+        path: evidence/P01-M3-通报.pdf",
        ]),
        (["update", "P01-M3", "--close", "--by", "wangfang"], [
            "-    status: done",
            "+    status: closed",
            "+    closed_on: 2023-09-15",
            "+    closed_by: wangfang",
        ]),
    ]
    for argv, lines in steps:
        assert run(argv, root, capsys)[0] == 0
        assert changed(root) == lines
    assert main(["check", "--root", str(root), "--as-of", AS_OF]) == 0


# -- guard rails: pre-commit and the plain git hook ---------------------------------------------

def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"], h["language"], h["pass_filenames"], h["files"]) for h in hooks] == [
        ("taizhang-check", "taizhang check", "python", False, "^records/"),
    ]


def test_readme_documents_the_pre_commit_snippet() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("## 提交前检查", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    config = yaml.safe_load(snippet)
    assert config["repos"][0]["hooks"] == [{"id": "taizhang-check"}]
    assert "taizhang install-hook" in readme


def test_install_hook_checks_before_each_commit(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repository(reference)
    code, out, err = run(["install-hook"], root, capsys)
    hook = root / ".git/hooks/pre-commit"
    assert (code, err, out) == (0, "", f"已安装提交前检查：{hook}\n")
    assert os.access(hook, os.X_OK)
    assert run(["install-hook"], root, capsys)[0] == 0  # its own hook is simply rewritten
    env = {**os.environ, "PATH": f"{REPO / '.venv/bin'}{os.pathsep}{os.environ['PATH']}", "TAIZHANG_AS_OF": AS_OF}
    commit = ["git", "-C", str(root), "-c", "user.name=李四", "-c", "user.email=lisi@example.gov.cn", "commit", "-q", "-am", "x"]
    record = root / "records/A1/P01.md"
    record.write_text(record.read_text(encoding="utf-8").replace("status: closed", "status: finished", 1), encoding="utf-8")
    refused = subprocess.run(commit, capture_output=True, text=True, env=env)
    assert refused.returncode == 1
    assert "records/A1/P01.md:19: measures[0].status: 应为 not_started | in_progress | done | closed 之一，实际为“finished”" in refused.stderr
    record.write_text(record.read_text(encoding="utf-8").replace("status: finished", "status: closed", 1), encoding="utf-8")
    (root / "records/A1/P02.md").write_bytes((root / "records/A1/P02.md").read_bytes() + "补充说明。\n".encode())
    assert subprocess.run(commit, capture_output=True, text=True, env=env).returncode == 0


def test_install_hook_keeps_a_foreign_hook_unless_forced(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = repository(reference)
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexec lint\n", encoding="utf-8")
    code, out, err = run(["install-hook"], root, capsys)
    assert (code, out, err) == (1, "", f"taizhang: {hook} 已有其他提交前钩子；确认要替换时加 --force\n")
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\nexec lint\n"
    assert run(["install-hook", "--force"], root, capsys)[0] == 0
    assert "taizhang" in hook.read_text(encoding="utf-8")


def test_install_hook_outside_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["install-hook"], tmp_path, capsys)
    assert (code, out, err) == (1, "", f"taizhang: {tmp_path} 不是 git 仓库\n")


def test_the_hook_script_is_posix_sh(tmp_path: Path) -> None:
    from taizhang.authoring import githook

    path = tmp_path / "pre-commit"
    path.write_text(githook.script(), encoding="utf-8")
    if shutil.which("dash"):
        assert subprocess.run(["dash", "-n", str(path)]).returncode == 0
    assert subprocess.run(["sh", "-n", str(path)]).returncode == 0
