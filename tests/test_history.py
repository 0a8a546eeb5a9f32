"""History from git: a scripted rectification asserted event by event, and every way git can be missing."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from gitrepo import AUTHORS, LEDGER, OWNERS, REAL_GIT, GitRepo, git_commands, git_shim, isolated_env, measure, problem

from taizhang.cli import main as cli
from taizhang.history import git
from taizhang.history import revisions as revisions_module
from taizhang.ledger.figures import Aggregate
from taizhang.history.events import Names
from taizhang.history.commits import History, read_history
from taizhang.ledger.repository import CHINA, load, parse_problem
from taizhang.history.revisions import Revisions, layout

NAMES = Names({"zhangsan": "张三", "lisi": "李四", "wangwu": "王五"}, {"dzb": "党政办公室"})
MOVED = "records/A1/财务 问题 P02.md"
ODD = "records/A2/第 3 号 '问题'.md"

EXTENSION = """
- from: 2023-08-31
  to: 2023-09-30
  approved_by: zhangsan
  approved_on: 2023-07-20
"""
PLAN = """
- title: 学习计划
  url: https://oa.example.gov.cn/doc/1
"""
NEW_PLAN = """
- title: 新学习计划
  url: https://oa.example.gov.cn/doc/2
"""
RELAPSED = """
- date: 2023-08-10
  by: wangwu
  result: relapsed
"""


def p01(m1: str, m2: str = "") -> str:
    return problem("P01", measures=m1 + (m2 or measure("P01-M2", "in_progress", "2023-08-31")), title="理论学习不深入")


def p02(m1: str, more: str = "", manifestations: str = "") -> str:
    return problem("P02", "A2", measures=m1 + more, title="财务报销不规范", manifestations=manifestations)


TWO_MANIFESTATIONS = "  - id: P02-1\n    text: 表现一\n  - id: P02-2\n    text: 表现二\n"
EXTENDED_M2 = measure("P01-M2", "in_progress", "2023-09-30", extensions=EXTENSION)


def story(root: Path) -> tuple[GitRepo, list[str]]:
    """Measures created, progressed, extended, completed, closed, relapsed after a recheck, completed
    again; a file moved to another folder; a problem added under an odd name and removed."""
    repo = GitRepo(root)
    ids = []
    repo.write("records/ledger.yml", LEDGER)
    repo.write("records/owners.yml", OWNERS)
    repo.write("records/A1/P01.md", p01(measure("P01-M1", due="2023-08-31")))
    repo.write("records/A2/P02.md", p02(measure("P02-M1", "in_progress")))
    ids.append(repo.commit("2023-07-14", "张三", "建立台账"))

    repo.write("records/A1/P01.md", p01(measure("P01-M1", "in_progress", "2023-08-31", progress="已起草学习计划"),
                                        EXTENDED_M2))
    ids.append(repo.commit("2023-07-21", "李四"))

    repo.write("records/A1/P01.md", p01(measure("P01-M1", "done", "2023-08-31", progress="学习计划已印发",
                                                done_on="2023-07-27", evidence=PLAN), EXTENDED_M2))
    repo.write("records/A2/P02.md", p02(measure("P02-M1", "in_progress", "2023-10-31", owner="wangwu"),
                                        manifestations=TWO_MANIFESTATIONS))
    ids.append(repo.commit("2023-07-28", "王五"))

    repo.write("records/A1/P01.md", p01(measure("P01-M1", "closed", "2023-08-31", progress="学习计划已印发",
                                                done_on="2023-07-27", evidence=PLAN, closed_on="2023-08-03",
                                                closed_by="wangwu"), EXTENDED_M2))
    repo.move("records/A2/P02.md", MOVED)
    repo.write(MOVED, p02(measure("P02-M1", "in_progress", "2023-10-31", owner="wangwu"), measure("P02-M2"),
                          manifestations=TWO_MANIFESTATIONS))
    ids.append(repo.commit("2023-08-04", "张三"))

    repo.write("records/A1/P01.md", p01(measure("P01-M1", "in_progress", "2023-08-31", progress="回头看发现反弹，重新整改",
                                                rechecks=RELAPSED), EXTENDED_M2))
    repo.write(MOVED, p02(measure("P02-M1", "in_progress", "2023-10-31", owner="wangwu")))
    ids.append(repo.commit("2023-08-11", "李四"))

    repo.write("records/A1/P01.md", p01(measure("P01-M1", "done", "2023-08-31", progress="回头看发现反弹，重新整改",
                                                done_on="2023-08-17", evidence=NEW_PLAN, rechecks=RELAPSED), EXTENDED_M2))
    repo.write(ODD, problem("P03", "A2", measures=measure("P03-M1"), title="新问题"))
    repo.write("records/ledger.yml", LEDGER.replace("测试巡察整改台账", "测试巡察整改台账（修订）"))
    ids.append(repo.commit("2023-08-18", "王五"))

    repo.remove(ODD)
    ids.append(repo.commit("2023-08-25", "张三"))
    return repo, ids


EXPECTED = [
    ("2023-08-25", "张三", ["P03 删除问题：新问题"]),
    ("2023-08-18", "王五", [
        "P01-M1 状态：推进中 → 已完成",
        "P01-M1 新增佐证材料：新学习计划",
        "P01-M1 完成时间：2023-08-17",
        "P03 新增问题：新问题",
        "records/ledger.yml 修改文件",
    ]),
    ("2023-08-11", "李四", [
        "P01-M1 状态：已销号 → 推进中",
        "P01-M1 删除佐证材料：学习计划",
        "P01-M1 整改进展：回头看发现反弹，重新整改",
        "P01-M1 完成时间：2023-07-27 → 无",
        "P01-M1 销号时间：2023-08-03 → 无",
        "P01-M1 回头看（2023-08-10）：反弹",
        "P02-2 删除问题表现：表现二",
        "P02-M2 删除整改措施：措施内容",
    ]),
    ("2023-08-04", "张三", [
        "P01-M1 状态：已完成 → 已销号",
        "P01-M1 销号时间：2023-08-03",
        f"P02 记录文件移动：records/A2/P02.md → {MOVED}",
        "P02-M2 新增整改措施（未启动）：措施内容",
    ]),
    ("2023-07-28", "王五", [
        "P01-M1 状态：推进中 → 已完成",
        "P01-M1 新增佐证材料：学习计划",
        "P01-M1 整改进展：学习计划已印发",
        "P01-M1 完成时间：2023-07-27",
        "P02-2 新增问题表现：表现二",
        "P02-M1 整改时限：2023-09-30 → 2023-10-31（未登记延期）",
        "P02-M1 责任人：李四 → 王五",
    ]),
    ("2023-07-21", "李四", [
        "P01-M1 状态：未启动 → 推进中",
        "P01-M1 整改进展：已起草学习计划",
        "P01-M2 整改时限：2023-08-31 → 2023-09-30（已登记延期，2023-07-20 批准）",
    ]),
    ("2023-07-14", "张三", [
        "P01 新增问题：理论学习不深入",
        "P02 新增问题：财务报销不规范",
        "records/ledger.yml 新增文件",
        "records/owners.yml 新增文件",
    ]),
]


@pytest.fixture
def scripted(tmp_path: Path) -> tuple[Path, list[str], History]:
    repo, ids = story(tmp_path / "ledger")
    return repo.root, ids, read_history(repo.root)


def told(history: History) -> list[tuple[str, str, list[str]]]:
    return [(str(c.day), c.author, [e.sentence(NAMES) for e in c.events]) for c in history.commits]


def test_the_scripted_rectification_event_by_event(scripted: tuple[Path, list[str], History]) -> None:
    root, ids, history = scripted
    assert history.available and history.warnings == [] and history.notes == []
    assert told(history) == EXPECTED
    assert [c.id for c in history.commits] == ids[::-1]
    assert [c.short for c in history.commits] == [i[:7] for i in ids[::-1]]
    assert history.head == ids[-1]


def test_commits_carry_dates_in_beijing_and_iso_weeks(scripted: tuple[Path, list[str], History]) -> None:
    _, _, history = scripted
    first = history.commits[-1]
    assert first.date == datetime(2023, 7, 14, 17, 30, tzinfo=CHINA)
    assert (first.week, history.commits[0].week) == ("2023-W28", "2023-W34")


def test_events_are_typed(scripted: tuple[Path, list[str], History]) -> None:
    _, _, history = scripted
    due = [e for c in history.commits for e in c.events if e.kind == "due"]
    assert [(e.measure, str(e.before), str(e.after), e.later, e.extension is not None) for e in due] == [
        ("P02-M1", "2023-09-30", "2023-10-31", True, False),
        ("P01-M2", "2023-08-31", "2023-09-30", True, True),
    ]
    recheck = next(e for c in history.commits for e in c.events if e.kind == "recheck")
    assert (recheck.problem, recheck.measure, recheck.result, recheck.path) == ("P01", "P01-M1", "relapsed", "records/A1/P01.md")


def test_a_problem_and_a_measure_keep_their_story(scripted: tuple[Path, list[str], History]) -> None:
    _, ids, history = scripted
    p02 = history.for_problem("P02")
    assert [c.id for c in p02] == [ids[4], ids[3], ids[2], ids[0]]
    assert all(e.problem == "P02" for c in p02 for e in c.events)
    assert [c.id for c in history.for_measure("P01-M1")] == [ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]
    assert [e.sentence() for e in history.for_measure("P02-M1")[0].events] == ["P02-M1 整改时限：2023-09-30 → 2023-10-31（未登记延期）", "P02-M1 责任人：lisi → wangwu"]


def test_when_each_measure_reached_its_status(scripted: tuple[Path, list[str], History]) -> None:
    _, ids, history = scripted
    assert history.status_since("P01-M1").id == ids[5]
    assert history.status_since("P01-M2").id == ids[0]  # added with its problem, never changed
    assert history.status_since("P02-M2") is None  # removed
    assert history.touched.get(MOVED).id == ids[4]
    assert history.touched.get("records/A1/P01.md").id == ids[5]
    assert history.touched.get("records/A9/none.md") is None


def test_measures_as_of_any_commit(scripted: tuple[Path, list[str], History]) -> None:
    root, ids, history = scripted
    snapshots = history.snapshots()
    assert [s.commit.id for s in snapshots] == ids
    assert [s.measures()["P01-M1"].status for s in snapshots] == ["not_started", "in_progress", "done", "closed",
                                                                  "in_progress", "done", "done"]
    assert history.measures_at(ids[2][:7])["P02-M1"].due.isoformat() == "2023-10-31"
    assert sorted(history.measures_at(ids[5])) == ["P01-M1", "P01-M2", "P02-M1", "P03-M1"]
    assert history.at(datetime(2023, 7, 31, tzinfo=CHINA)).commit.id == ids[2]
    assert history.at(datetime(2023, 7, 1, tzinfo=CHINA)) is None
    assert history.at(date(2023, 7, 28)).commit.id == ids[2]  # a day: up to its end in Beijing
    assert history.snapshots() is history.snapshots()
    with pytest.raises(KeyError):
        history.measures_at("0000000")
    ledger, errors = load(root, datetime(2023, 9, 15).date())
    assert errors == []
    snapshot = history.at(datetime(2023, 8, 5, tzinfo=CHINA))
    week = Aggregate(replace(ledger, problems=list(snapshot.problems)), datetime(2023, 8, 5).date())
    assert (week.tally.measures, week.tally.by_status["closed"], week.tally.completion_rate) == (4, 1, 0.25)


def test_the_last_snapshot_is_what_the_records_say(scripted: tuple[Path, list[str], History]) -> None:
    root, _, history = scripted
    ledger, _ = load(root, datetime(2023, 9, 15).date())
    now = history.snapshots()[-1]
    assert {m.id: (m.status, m.due, m.done_on) for m in ledger.measures()} == \
        {i: (m.status, m.due, m.done_on) for i, m in now.measures().items()}
    assert sorted(p.path for p in now.problems) == sorted(p.path for p in ledger.problems)


def test_uncommitted_edits_are_a_pseudo_commit(scripted: tuple[Path, list[str], History]) -> None:
    root, ids, _ = scripted
    text = (root / "records/A1/P01.md").read_text(encoding="utf-8")
    (root / "records/A1/P01.md").write_text(text.replace("status: in_progress", "status: done", 1), encoding="utf-8")
    (root / "records/A2/P04 新.md").write_text(problem("P04", "A2", measures=measure("P04-M1")), encoding="utf-8")
    history = read_history(root)
    top = history.commits[0]
    assert (top.uncommitted, top.id, top.author, top.date, top.week) == (True, "", "", None, "")
    assert [e.sentence() for e in top.events] == ["P01-M2 状态：推进中 → 已完成", "P04 新增问题：问题"]
    assert history.commits[1].id == ids[-1]
    assert history.warnings == ["有 2 个记录文件的修改尚未提交，在修改历史中显示为“未提交”"]
    assert history.status_since("P01-M2").uncommitted
    assert history.touched.get("records/A2/P04 新.md").uncommitted


def test_a_reused_history_still_sees_new_edits(scripted: tuple[Path, list[str], History], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root, ids, history = scripted
    (root / "records/A1/P01.md").write_text(p01(measure("P01-M1", "not_started")), encoding="utf-8")
    log = tmp_path / "git.log"
    monkeypatch.setenv("PATH", git_shim(tmp_path / "bin", log))
    again = read_history(root, history)
    assert git_commands(log) == ["rev-parse", "status"]
    assert told(again)[1:] == told(history)
    assert [e.sentence() for e in again.commits[0].events][0] == "P01-M1 状态：已完成 → 未启动"
    assert history.commits[0].id == ids[-1]  # the reused history itself is left as it was
    assert read_history(root, again).commits[0].uncommitted


def test_unparseable_revisions_are_skipped_with_a_note(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ledger")
    repo.write("records/A1/P01.md", p01(measure("P01-M1")))
    first = repo.commit("2023-07-14")
    repo.write("records/A1/P01.md", "---\nid: P01\nmeasures: [\n---\n")
    broken = repo.commit("2023-07-21")
    repo.write("records/A1/P01.md", p01(measure("P01-M1", "in_progress")))
    fixed = repo.commit("2023-07-28")
    history = read_history(repo.root)
    assert [(c.id, [e.sentence() for e in c.events]) for c in history.commits] == [
        (fixed, ["P01-M1 状态：未启动 → 推进中"]), (first, ["P01 新增问题：理论学习不深入"])]
    assert len(history.notes) == 1
    assert history.notes[0].startswith(f"records/A1/P01.md（{broken[:7]}）无法解析，已跳过该版本：records/A1/P01.md:")


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    history = read_history(tmp_path)
    assert (history.available, history.commits) == (False, [])
    assert len(history.warnings) == 1 and history.warnings[0].startswith("git 运行失败：not a git repository")


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, _ = story(tmp_path / "ledger")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    history = read_history(repo.root)
    assert (history.available, history.commits, history.warnings) == (False, [], ["找不到 git 命令，无法读取修改历史"])


def test_a_repository_without_commits(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ledger")
    repo.write("records/A1/P01.md", p01(measure("P01-M1")))
    history = read_history(repo.root)
    assert history.head is None
    assert [(c.uncommitted, [e.sentence() for e in c.events]) for c in history.commits] == [(True, ["P01 新增问题：理论学习不深入"])]


def test_a_shallow_clone_has_no_history(tmp_path: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    clone = tmp_path / "clone"
    subprocess.run([REAL_GIT, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True,
                   env=isolated_env(), capture_output=True)
    history = read_history(clone)
    assert (history.available, history.commits) == (False, [])
    assert history.warnings == ["当前仓库是浅克隆（shallow clone），修改历史不完整，不予显示；请运行 git fetch --unshallow 取得完整历史"]


def test_a_ledger_in_a_subfolder_of_its_repository(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("ledger/records/A1/P01.md", p01(measure("P01-M1")))
    repo.write("records/A1/P09.md", p01(measure("P09-M1")))  # another ledger's records: not this one
    repo.commit("2023-07-14")
    history = read_history(repo.root / "ledger")
    assert [e.sentence() for c in history.commits for e in c.events] == ["P01 新增问题：理论学习不深入"]
    assert history.commits[0].events[0].path == "records/A1/P01.md"


def test_merged_branches_tell_each_change_once(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ledger")
    repo.write("records/A1/P01.md", p01(measure("P01-M1")))
    repo.write("records/A2/P02.md", p02(measure("P02-M1")))
    repo.commit("2023-07-14")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("records/A2/P02.md", p02(measure("P02-M1", "in_progress")))
    repo.commit("2023-07-18", "李四")
    repo.git("checkout", "-q", "main")
    repo.write("records/A1/P01.md", p01(measure("P01-M1", "in_progress")))
    repo.commit("2023-07-19", "王五")
    repo.git("merge", "-q", "--no-edit", "side", env={"GIT_AUTHOR_NAME": "张三", "GIT_AUTHOR_EMAIL": "a@b",
                                                       "GIT_COMMITTER_NAME": "张三", "GIT_COMMITTER_EMAIL": "a@b"})
    history = read_history(repo.root)
    sentences = sorted(e.sentence() for c in history.commits for e in c.events)
    assert sentences == ["P01 新增问题：理论学习不深入", "P01-M1 状态：未启动 → 推进中", "P02 新增问题：财务报销不规范",
                         "P02-M1 状态：未启动 → 推进中"]
    assert {i: m.status for i, m in history.snapshots()[-1].measures().items()} == \
        {"P01-M1": "in_progress", "P01-M2": "in_progress", "P02-M1": "in_progress"}


def test_no_email_address_anywhere(scripted: tuple[Path, list[str], History], capsys: pytest.CaptureFixture[str]) -> None:
    root, _, history = scripted
    assert cli.main(["history", "--root", str(root), "P01-M1"]) == 0
    out = capsys.readouterr()
    text = repr(history) + repr(history.commits) + repr(history.snapshots()) + out.out + out.err
    for email in AUTHORS.values():
        assert email not in text and email.split("@")[0] not in text


def test_history_command_prints_a_measure_timeline(scripted: tuple[Path, list[str], History],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root, ids, _ = scripted
    assert cli.main(["history", "--root", str(root), "P02-M1"]) == 0
    assert capsys.readouterr().out == (
        "P02-M1 的修改历程\n"
        f"当前状态：推进中，自 2023-07-14（{ids[0][:7]}）起\n"
        "\n"
        f"2023-07-28  王五  {ids[2][:7]}\n"
        "  P02-M1 整改时限：2023-09-30 → 2023-10-31（未登记延期）\n"
        "  P02-M1 责任人：李四 → 王五\n"
        "\n"
        f"2023-07-14  张三  {ids[0][:7]}\n"
        "  P02 新增问题：财务报销不规范\n"
    )


def test_history_command_prints_a_problem_timeline(scripted: tuple[Path, list[str], History],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root, ids, _ = scripted
    assert cli.main(["history", "--root", str(root), "P03"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"P03 的修改历程\n\n2023-08-25  张三  {ids[6][:7]}\n  P03 删除问题：新问题\n")


def test_history_command_of_an_unknown_id_or_without_git(tmp_path: Path, scripted: tuple[Path, list[str], History],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root, _, _ = scripted
    assert cli.main(["history", "--root", str(root), "P99"]) == 1
    assert capsys.readouterr().err == "找不到 P99 的修改记录\n"
    (tmp_path / "plain" / "records").mkdir(parents=True)
    assert cli.main(["history", "--root", str(tmp_path / "plain"), "P01"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("警告：git 运行失败：not a git repository") and err[1] == "找不到 P01 的修改记录"


# -- a constant number of git processes ----------------------------------------------

def many(root: Path, count: int) -> GitRepo:
    """`count` problems over three commits, every file changed in each."""
    repo = GitRepo(root)
    for week, status in enumerate(("not_started", "in_progress", "done")):
        for i in range(count):
            more = {"done_on": "2023-07-20", "evidence": PLAN} if status == "done" else {}
            repo.write(f"records/A{i % 3}/第 {i} 号.md", problem(f"P{i}", measures=measure(f"P{i}-M1", status, **more)))
        repo.commit(f"2023-07-{14 + 7 * week:02d}")
    (root / "records/A0/第 0 号.md").write_text(problem("P0", measures=measure("P0-M1")), encoding="utf-8")
    return repo


@pytest.mark.parametrize("count", [10, 200])
def test_git_processes_do_not_grow_with_the_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    repo = many(tmp_path / "ledger", count)
    log = tmp_path / "git.log"
    monkeypatch.setenv("PATH", git_shim(tmp_path / "bin", log))
    history = read_history(repo.root)
    assert len(history.commits) == 4 and len(history.commits[-1].events) == count
    assert len(history.commits[1].events) == 3 * count  # each: status, evidence and done_on
    assert git_commands(log) == ["rev-parse", "log", "cat-file", "status"]


def test_git_log_lists_the_commits_oldest_first(scripted: tuple[Path, list[str], History]) -> None:
    root, ids, _ = scripted
    entries = git.log(git.repo(root), "records/")
    assert [e.id for e in entries] == ids
    assert git.log(git.repo(root), "records/", ids[4]) == entries[5:]
    with pytest.raises(git.GitError, match="^git 运行失败：Invalid revision range 0{40}"):  # said once git has ended
        git.log(git.repo(root), "records/", "0" * 40)


@given(st.lists(st.text(alphabet="ab\0问", max_size=6), max_size=6), st.lists(st.integers(0, 40), max_size=8))
def test_git_output_read_in_chunks_splits_as_read_whole(fields: list[str], cuts: list[int]) -> None:
    data = "\0".join(fields).encode()
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    chunks = [data[a:b] for a, b in zip(bounds, bounds[1:])]  # cut anywhere, within a character too
    assert list(git._tokens(chunks)) == data.decode().split("\0")


def test_cat_file_answers_each_blob_before_the_next_is_named(scripted: tuple[Path, list[str], History]) -> None:
    root, _, _ = scripted
    repo = git.repo(root)
    wanted = list(git.ls_tree(repo, "HEAD", "records/").values())
    answered = threading.Event()

    def named_one_by_one() -> Iterator[str]:
        for blob in wanted:
            yield blob
            assert answered.wait(10), "no answer before the next blob was named"
            answered.clear()

    found = []
    for blob, data in git.blobs(repo, named_one_by_one()):
        found.append(blob if data else None)
        answered.set()
    assert found == wanted


def test_cat_file_says_when_the_blobs_named_stop_short(scripted: tuple[Path, list[str], History]) -> None:
    root, _, _ = scripted
    repo = git.repo(root)
    first = next(iter(git.ls_tree(repo, "HEAD", "records/").values()))

    def broken() -> Iterator[str]:
        yield first
        raise OSError("the queue is gone")

    found = []
    with pytest.raises(git.GitError, match="^git 运行失败：cat-file$"):
        for blob, _ in git.blobs(repo, broken()):
            found.append(blob)
    assert found == [first]


# -- parsing many revisions ---------------------------------------------------------------

def values(record: object) -> object:
    """A record's values without where it was written (revisions put together are never located)."""
    if is_dataclass(record):
        return tuple(values(getattr(record, f.name)) for f in fields(record) if f.name != "where")
    if isinstance(record, (list, tuple)):
        return tuple(values(v) for v in record)
    return record


@pytest.mark.parametrize("batch", [revisions_module.BATCH, 2])  # 2: parsed while revisions still come in
def test_revisions_give_what_parse_problem_gives(scripted: tuple[Path, list[str], History], batch: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revisions_module, "BATCH", batch)
    root, _, _ = scripted
    raw = subprocess.run([REAL_GIT, "-C", str(root), "-c", "core.quotePath=false", "log", "--format=", "--raw",
                          "--no-abbrev", "--no-renames", "--reverse"],
                         capture_output=True, text=True, check=True, env=isolated_env()).stdout
    revisions, seen = Revisions(), []
    for line in raw.splitlines():
        meta, _, path = line.partition("\t")
        blob = meta.split()[3] if meta else ""
        if blob and blob != "0" * 40 and path.endswith(".md"):
            data = subprocess.run([REAL_GIT, "-C", str(root), "cat-file", "blob", blob], capture_output=True,
                                  check=True, env=isolated_env()).stdout
            revisions.add(blob, data, path)
            seen.append((blob, data, path))
    results = revisions.finish()
    assert len(seen) == 11 and len(revisions.measures) > 4
    for blob, data, path in seen:
        assert values(results[blob][0]) == values(parse_problem(data, path)[0])


LAYOUTS = [
    ("measures:\n  - id: A\n    text: x\n\n  # note\n  - id: B\nbody: 1\n",
     ("measures:\n", ("  - id: A\n    text: x\n\n  # note\n", "  - id: B\n"), "body: 1\n")),
    ("id: P\nmeasures:\n- id: A\n  evidence:\n  - title: t\n- id: B\n", ("id: P\nmeasures:\n", ("- id: A\n  evidence:\n  - title: t\n", "- id: B\n"), "")),
    ("measures: []\n", None),
    ("measures:\n  id: A\n", None),
    ("measures:\n  - id: A\n\t- id: B\n", None),
    ("measures:\n  - id: A\nmeasures:\n  - id: B\n", None),
    ("measures:\n  - id: A", None),
]


@pytest.mark.parametrize("front, expected", LAYOUTS)
def test_measure_items_are_cut_only_from_plain_layouts(front: str, expected: tuple | None) -> None:
    found = layout(front)
    assert (found.before, found.items, found.after) == expected if expected else found is None


@pytest.mark.parametrize("batch", [revisions_module.BATCH, 1])
def test_an_item_that_does_not_parse_alone_falls_back_to_the_whole_file(batch: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revisions_module, "BATCH", batch)
    revisions = Revisions()
    first = p01(measure("P01-M1"))
    revisions.parse(first.encode(), "records/A1/P01.md")
    # A quoted text running over lines, its second line looking like another item of the list.
    tricky = first.replace("    text: 措施内容\n", '    text: "措施\n  - 内容"\n', 1)
    again = tricky.replace("P01-M2", "P01-M3")  # the same item in a later revision: not tried twice, still right
    for text in (tricky, again):
        assert values(revisions.parse(text.encode(), "records/A1/P01.md")[0]) == \
            values(parse_problem(text.encode(), "records/A1/P01.md")[0])


# -- the site: timelines on problem pages, the change log at /changes/ ---------------------

REPO_URL = "https://git.example.gov.cn/unit/ledger"


def site_with_history(root: Path, repo_url: str | None = REPO_URL) -> Path:
    from conftest import site_repo

    site_repo(root)
    if repo_url:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8") + f"\nrepo_url: {repo_url}\n", encoding="utf-8")
    return root


def text_of(html: str) -> str:
    """The words of a page, tags dropped and spaces squeezed."""
    import html as entities
    import re

    return re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def links(html: str, text: str, here: str) -> set[str]:
    """Where the links reading `text` on the page at address `here` lead, from the site root."""
    import re
    from urllib.parse import urljoin, urlsplit

    found = re.findall(rf'<a href="([^"]*)">{re.escape(text)}</a>', html)
    return {urlsplit(urljoin(f"http://site/{here}", href))._replace(scheme="", netloc="").geturl() for href in found}


@pytest.mark.slow
def test_the_site_tells_each_problem_story_and_the_change_log(scripted: tuple[Path, list[str], History]) -> None:
    from conftest import build

    root, ids, _ = scripted
    done = build(site_with_history(root), env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert done.error is None and done.warnings() == []
    page = done.html("problems/P01")
    history = page[page.index('id="history"'):]
    rows = text_of(history[history.index(">") + 1: history.index("</table>")])
    # Issue 17: the commit is a small link under its date, not a column of its own.
    assert rows.startswith("整改历程 ¶ 日期 提交人 变更 "
                           f"2023-08-18 {ids[5][:7]} 王五 P01-M1 状态：推进中 → 已完成 P01-M1 新增佐证材料：新学习计划 "
                           f"P01-M1 完成时间：2023-08-17 2023-08-11 {ids[4][:7]} 李四 P01-M1 状态：已销号 → 推进中 ")
    assert rows.endswith(f"2023-07-14 {ids[0][:7]} 张三 P01 新增问题：理论学习不深入")
    assert f'<a class="tz-commit" href="{REPO_URL}/commit/{ids[5]}" title="提交 {ids[5][:7]}">{ids[5][:7]}</a>' in history
    assert links(history, "P01-M1", "problems/P01/") == {"/problems/P01/#P01-M1"}
    assert (f'当前状态始于</td>\n<td>2023-08-18 <a class="tz-commit" href="{REPO_URL}/commit/{ids[5]}" '
            f'title="提交 {ids[5][:7]}">{ids[5][:7]}</a>') in page

    changes = done.html("changes")
    weeks = [w for w in ("2023-W34", "2023-W33", "2023-W32", "2023-W31", "2023-W30", "2023-W29", "2023-W28")]
    positions = [changes.index(f'id="{w.lower()}"') for w in weeks]
    assert positions == sorted(positions)
    assert links(changes, "P02", "changes/") == {"/problems/P02/"}
    assert links(changes, "P02-M1", "changes/") == {"/problems/P02/#P02-M1"}
    assert "<td>P03</td><td>P03 删除问题：新问题</td>" in changes  # P03 is gone: no link
    assert "records/ledger.yml 修改文件" in text_of(changes)
    for email in AUTHORS.values():
        for path in done.site.rglob("*.html"):
            assert email not in path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_site_without_history_says_so_and_builds_strict(ledger) -> None:  # type: ignore[no-untyped-def]
    from conftest import build

    done = build(ledger(site=True), env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert done.error is None and done.warnings() == []
    changes = text_of(done.html("changes"))
    assert "git 运行失败：not a git repository" in changes and "暂无 git 历史记录。" in changes
    assert "整改历程 ¶ 暂无 git 历史记录。" in text_of(done.html("problems/P01"))


@pytest.mark.slow
def test_a_shallow_clone_builds_strict_without_history(tmp_path: Path) -> None:
    from conftest import build

    repo, _ = story(tmp_path / "ledger")
    clone = tmp_path / "clone"
    subprocess.run([REAL_GIT, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True,
                   env=isolated_env(), capture_output=True)
    done = build(site_with_history(clone, None), env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert done.error is None and done.warnings() == []
    changes = text_of(done.html("changes"))
    assert "浅克隆" in changes and "暂无 git 历史记录。" in changes


@pytest.mark.slow
def test_the_public_site_leaves_out_authors_people_and_evidence(tmp_path: Path) -> None:
    from conftest import build

    repo, ids = story(tmp_path / "ledger")
    done = build(site_with_history(repo.root, None), env={"TAIZHANG_AS_OF": "2023-09-15", "TAIZHANG_PROFILE": "public"})
    assert done.error is None
    changes = text_of(done.html("changes"))
    assert "日期 问题 变更" in changes and "提交人" not in changes
    for author in AUTHORS:
        assert author not in changes and author not in text_of(done.html("problems/P01"))
    assert "佐证材料" not in changes and "责任人" not in changes and "records/ledger.yml" not in changes
    assert "P01-M1 状态：推进中 → 已完成" in changes


# -- every kind of event, one change at a time ----------------------------------------------

def parsed(text: str, path: str = "records/A1/P01.md"):  # type: ignore[no-untyped-def]
    problem_, errors = parse_problem(text.encode(), path)
    assert errors == []
    return problem_


BASE_MEASURE = dict(progress="已起草", outcome="建立制度")


@pytest.mark.parametrize("before, after, expected", [
    (measure("P01-M1"), measure("P01-M1").replace("leader: zhangsan", "leader: [zhangsan, wangwu]"),
     ["P01-M1 责任领导：张三 → 张三、王五"]),
    (measure("P01-M1"), measure("P01-M1").replace("department: dzb", "department: czs"), ["P01-M1 责任科室：党政办公室 → czs"]),
    (measure("P01-M1", **BASE_MEASURE), measure("P01-M1", progress="已印发", outcome="建立制度"), ["P01-M1 整改进展：已印发"]),
    (measure("P01-M1", **BASE_MEASURE), measure("P01-M1", progress="已起草"), ["P01-M1 整改成效：无"]),
    (measure("P01-M1"), measure("P01-M1").replace("text: 措施内容", "text: 新措施"), ["P01-M1 整改措施内容改为：新措施"]),
    (measure("P01-M1", due="2023-09-30"), measure("P01-M1", due="long_term"), ["P01-M1 整改时限：2023-09-30 → 长期坚持"]),
    (measure("P01-M1", due="2023-09-30"), measure("P01-M1", due="2023-09-01"), ["P01-M1 整改时限：2023-09-30 → 2023-09-01"]),
    (measure("P01-M1", "done", done_on="2023-08-01", evidence=PLAN),
     measure("P01-M1", "done", done_on="2023-08-01", evidence=PLAN,
             rechecks="\n- date: 2023-09-01\n  by: wangwu\n  result: passed\n  note: 抽查合格\n"),
     ["P01-M1 回头看（2023-09-01）：通过"]),
    (measure("P01-M1", "done", done_on="2023-08-01", evidence=PLAN), measure("P01-M1", "done", done_on="2023-08-02", evidence=PLAN),
     ["P01-M1 完成时间：2023-08-01 → 2023-08-02"]),
    (measure("P01-M1"), measure("P01-M1"), []),
])
def test_each_kind_of_measure_event(before: str, after: str, expected: list[str]) -> None:
    from taizhang.history.events import changes

    old, new = parsed(p01(before)), parsed(p01(after))
    assert [e.sentence(NAMES) for e in changes([old], [new])] == expected


def test_problem_level_events() -> None:
    from taizhang.history.events import changes

    old = parsed(p01(measure("P01-M1")))
    new = parsed(p01(measure("P01-M1")).replace("title: 理论学习不深入", "title: 理论学习走过场")
                 .replace("text: 表现一", "text: 表现一（修订）").replace("说明。", "新的说明。"), "records/A2/P01.md")
    assert [(e.kind, e.sentence(), e.private) for e in changes([old], [new])] == [
        ("problem_moved", "P01 记录文件移动：records/A1/P01.md → records/A2/P01.md", False),
        ("text_edited", "P01 问题名称改为：理论学习走过场", False),
        ("text_edited", "P01 修改整改情况说明", True),
        ("text_edited", "P01-1 问题表现内容改为：表现一（修订）", False),
    ]


def test_what_the_public_profile_leaves_out() -> None:
    from taizhang.history.events import changes

    old = parsed(p01(measure("P01-M1", "in_progress")))
    new = parsed(p01(measure("P01-M1", "done", owner="wangwu", done_on="2023-08-01", evidence=PLAN)
                     .replace("department: dzb", "department: czs")))
    shown = [e.sentence(NAMES) for e in changes([old], [new]) if not e.private]
    assert shown == ["P01-M1 状态：推进中 → 已完成", "P01-M1 责任科室：党政办公室 → czs", "P01-M1 完成时间：2023-08-01"]
