"""`taizhang diff`: a change in ledger terms for a pull request, and each rule of `--check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from gitrepo import AUTHORS, LEDGER, OWNERS, GitRepo, git_commands, git_shim, measure, problem

from taizhang.cli import main as cli

P01 = "records/A1/P01.md"
P02 = "records/A2/P02.md"
CLOSED = dict(done_on="2023-08-01", evidence="\n- title: 制度文件\n  url: https://oa.example.gov.cn/doc/9\n",
              closed_on="2023-08-05", closed_by="wangwu")
DONE = dict(done_on="2023-08-01", evidence="\n- title: 制度文件\n  url: https://oa.example.gov.cn/doc/9\n")


def p01(m1: str | None = None, m2: str | None = None, m3: str | None = None) -> str:
    m1 = m1 if m1 is not None else measure("P01-M1", "in_progress", "2023-08-31")
    m2 = m2 if m2 is not None else measure("P01-M2", "closed", "2023-08-31", **CLOSED)
    m3 = m3 if m3 is not None else measure("P01-M3", "done", "2023-08-31", **DONE)
    return problem("P01", measures=m1 + m2 + m3, title="学习制度执行不严")


def p02(pid: str = "P02") -> str:
    return problem(pid, "A2", measures=measure(f"{pid}-M1", "not_started", "2023-08-10"), title="报销审核不严")


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A ledger on main at the base commit; tests change the working tree or commit on a branch."""
    repo = GitRepo(tmp_path / "ledger")
    repo.write("records/ledger.yml", LEDGER)
    repo.write("records/owners.yml", OWNERS)
    repo.write(P01, p01())
    repo.write(P02, p02())
    repo.base = repo.commit("2023-08-07", "张三", "建立台账")  # type: ignore[attr-defined]
    return repo


def check(repo: GitRepo, capsys: pytest.CaptureFixture[str], *revs: str) -> tuple[int, list[str]]:
    code = cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20", "--check", *revs])
    return code, capsys.readouterr().err.splitlines()


def line_of(repo: GitRepo, path: str, text: str, after: str = "") -> int:
    """The line number of the first line holding `text` after the first holding `after`."""
    lines = (repo.root / path).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def passes(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(repo, capsys) == (0, [f"台账规则检查通过：{repo.base[:7]} → 工作区"])  # type: ignore[attr-defined]


# -- each rule, broken and kept ---------------------------------------------------------

def test_a_silent_extension_fails(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-09-30")))
    line = line_of(repo, P01, "due: 2023-09-30")
    assert check(repo, capsys) == (1, [
        f"{P01}:{line}: measures[0].due: P01-M1 整改时限由 2023-08-31 延至 2023-09-30，但未新增 to 为 2023-09-30 的延期记录（extensions），属未经审批的延期"])


def test_an_extension_with_its_entry_passes(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    extension = "\n- from: 2023-08-31\n  to: 2023-09-30\n  approved_by: zhangsan\n  approved_on: 2023-08-15\n"
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-09-30", extensions=extension)))
    passes(repo, capsys)


def test_an_extension_entry_for_another_date_does_not_count(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    extension = "\n- from: 2023-08-31\n  to: 2023-09-15\n  approved_by: zhangsan\n  approved_on: 2023-08-15\n"
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-09-30", extensions=extension)))
    code, lines = check(repo, capsys)
    assert code == 1 and "P01-M1 整改时限由 2023-08-31 延至 2023-09-30" in lines[0]


def test_an_earlier_deadline_needs_no_extension(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-08-25")))
    passes(repo, capsys)


def test_closing_without_evidence_and_sign_off_fails(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(measure("P01-M1", "closed", "2023-08-31")))
    line = line_of(repo, P01, "status: closed")
    assert check(repo, capsys) == (1, [f"{P01}:{line}: measures[0].status: P01-M1 改为已销号，但缺少佐证材料、销号时间、销号审核人"])


def test_closing_with_only_part_of_the_sign_off_names_what_lacks(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(m3=measure("P01-M3", "closed", "2023-08-31", **DONE, closed_on="2023-08-06")))
    code, lines = check(repo, capsys)
    assert code == 1 and lines[0].endswith("measures[2].status: P01-M3 改为已销号，但缺少销号审核人")


def test_closing_with_evidence_and_sign_off_passes(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(m3=measure("P01-M3", "closed", "2023-08-31", **CLOSED)))
    passes(repo, capsys)


def test_a_new_measure_added_closed_must_be_signed_off_too(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P02, problem("P02", "A2", measures=measure("P02-M1", "not_started", "2023-08-10")
                            + measure("P02-M2", "closed", "2023-08-10", **DONE)))
    code, lines = check(repo, capsys)
    assert code == 1 and lines[0].endswith("measures[1].status: P02-M2 改为已销号，但缺少销号时间、销号审核人")


def test_reopening_a_closed_measure_without_a_relapse_fails(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(m2=measure("P01-M2", "in_progress", "2023-08-31")))
    line = line_of(repo, P01, "status: in_progress", after="P01-M2")
    assert check(repo, capsys) == (1, [
        f"{P01}:{line}: measures[1].status: P01-M2 由已销号改为推进中，但未新增结果为反弹（relapsed）的回头看记录"])


def test_a_passed_recheck_does_not_allow_reopening(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    recheck = "\n- date: 2023-08-15\n  by: wangwu\n  result: passed\n"
    repo.write(P01, p01(m2=measure("P01-M2", "in_progress", "2023-08-31", rechecks=recheck)))
    assert check(repo, capsys)[0] == 1


def test_reopening_with_a_relapse_recheck_passes(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    recheck = "\n- date: 2023-08-15\n  by: wangwu\n  result: relapsed\n"
    repo.write(P01, p01(m2=measure("P01-M2", "in_progress", "2023-08-31", rechecks=recheck)))
    passes(repo, capsys)


def test_a_deleted_measure_fails(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    base_line = line_of(repo, P01, "id: P01-M2")
    repo.write(P01, p01(m2=""))
    assert check(repo, capsys) == (1, [
        f"{P01}:{base_line}: measures[1].id: 整改措施 P01-M2（问题 P01）在基准版本中存在，变更后缺失：已发布的编号不得删除或更改"])


def test_a_deleted_problem_fails(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.remove(P02)
    assert check(repo, capsys) == (1, [f"{P02}:2: id: 问题 P02 在基准版本中存在，变更后缺失：已发布的编号不得删除或更改"])


def test_a_renamed_id_fails(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P02, p02("P2"))
    code, lines = check(repo, capsys)
    assert code == 1 and lines == [f"{P02}:2: id: 问题 P02 在基准版本中存在，变更后缺失：已发布的编号不得删除或更改"]


def test_a_problem_moved_to_another_folder_keeps_its_ids(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.move(P02, "records/A1/报销 问题.md")
    passes(repo, capsys)


def test_a_file_that_no_longer_parses_is_reported_not_its_ids(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / P02).write_text("---\nid: P02\nmeasures: [\n---\n", encoding="utf-8")
    code, lines = check(repo, capsys)
    assert code == 1 and len(lines) == 1 and lines[0].startswith(f"{P02}:4: yaml: YAML 语法错误")


def test_every_violation_is_listed_in_file_order(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(measure("P01-M1", "closed", "2023-09-30"), m2=""))
    repo.remove(P02)
    code, lines = check(repo, capsys)
    assert code == 1
    assert [line.split(": ", 2)[1] for line in lines] == ["measures[0].due", "measures[0].status", "measures[1].id", "id"]


# -- revisions ---------------------------------------------------------------------------

def test_head_may_be_a_commit_and_base_defaults_to_the_merge_base(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-09-30")))
    feature = repo.commit("2023-08-10", "李四")
    repo.write(P01, p01())  # the working tree undoes it: only the commit breaks the rule
    code, lines = check(repo, capsys, "main", "feature")
    assert code == 1 and "P01-M1 整改时限由 2023-08-31 延至 2023-09-30" in lines[0]
    assert check(repo, capsys) == (0, [f"台账规则检查通过：{repo.base[:7]} → 工作区"])  # type: ignore[attr-defined]
    assert check(repo, capsys, "HEAD")[0] == 0
    assert check(repo, capsys, "HEAD~1", feature)[0] == 1


def test_an_unknown_revision_is_a_clear_error(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(repo, capsys, "nonexistent")
    assert code == 1 and len(lines) == 1 and lines[0].startswith("taizhang: git 运行失败：")
    code, lines = check(repo, capsys, "--", "--all")
    assert code == 1 and lines == ["taizhang: 版本名不能以 - 开头：--all"]


def test_outside_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "records").mkdir()
    assert cli.main(["diff", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("taizhang: git 运行失败：not a git repository")


# -- the summary ---------------------------------------------------------------------------

def test_the_summary_for_a_pull_request(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    extension = "\n- from: 2023-08-10\n  to: 2023-09-10\n  approved_by: zhangsan\n  approved_on: 2023-08-09\n"
    repo.write(P01, p01(measure("P01-M1", "done", "2023-08-31", **DONE)))
    repo.write(P02, problem("P02", "A2", title="报销审核不严", measures=measure("P02-M1", "in_progress", "2023-09-10",
                                                                              extensions=extension)
                            + measure("P02-M2", "not_started", "2023-09-30")))
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20"]) == 0
    out = capsys.readouterr().out
    assert out == f"""\
### 台账变更：{repo.base[:7]} → 工作区

| 指标 | 变更前 | 变更后 |
|---|--:|--:|
| 整改措施 | 4 | **5** |
| 已完成 | 2 | **3** |
| 完成率 | 50% | **60%** |
| 逾期 | 1 | **0** |

统计日期 2023-08-20

#### 状态变化（2）

- P01-M1 状态：推进中 → 已完成
- P02-M1 状态：未启动 → 推进中

#### 整改时限调整（1）

- P02-M1 整改时限：2023-08-10 → 2023-09-10（已登记延期，2023-08-09 批准）

#### 新增与删除（1）

- P02-M2 新增整改措施（未启动）：措施内容

#### 新增佐证材料（1）

- P01-M1 新增佐证材料：制度文件

#### 其他变更（1）

- P01-M1 完成时间：2023-08-01

#### 台账规则检查

未发现违反台账规则的修改。
"""  # type: ignore[attr-defined]
    for email in AUTHORS.values():
        assert email not in out


def test_the_summary_lists_violations_and_escapes_record_text(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-09-30", progress='"*重点* <b>督办</b>"')))
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20"]) == 0
    out = capsys.readouterr().out
    assert "- P01-M1 整改进展：&#42;重点&#42; &lt;b&gt;督办&lt;/b&gt;\n" in out
    # Entities render as the characters themselves: measures[0].due.
    assert "以下修改违反台账规则：\n\n- records/A1/P01.md:14: measures&#91;0&#93;.due: P01-M1 整改时限由" in out


def test_no_change(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20"]) == 0
    assert "台账记录没有变化。" in capsys.readouterr().out


@pytest.mark.parametrize("count", [10, 200])
def test_git_processes_do_not_grow_with_the_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], count: int) -> None:
    repo = GitRepo(tmp_path / "ledger")
    for i in range(count):
        repo.write(f"records/A1/P{i}.md", problem(f"P{i}", measures=measure(f"P{i}-M1")))
    repo.commit("2023-08-01")
    for i in range(count):
        repo.write(f"records/A1/P{i}.md", problem(f"P{i}", measures=measure(f"P{i}-M1", "in_progress")))
    repo.commit("2023-08-08")
    log = tmp_path / "git.log"
    monkeypatch.setenv("PATH", git_shim(tmp_path / "bin", log))
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20", "--limit", "0", "HEAD~1", "HEAD"]) == 0
    assert capsys.readouterr().out.count("状态：未启动 → 推进中") == count
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20", "--check"]) == 0
    assert git_commands(log) == ["rev-parse", "rev-parse", "ls-tree", "ls-tree", "cat-file",
                                 "rev-parse", "merge-base", "rev-parse", "ls-tree", "cat-file"]


# -- the CI recipe, run as the CI runs it ------------------------------------------------------

def ci_repo(tmp_path: Path) -> tuple[GitRepo, str]:
    """A ledger repository with the site files, a base commit on main and a silent extension on a branch."""
    from conftest import site_repo

    repo = GitRepo(tmp_path / "ledger")
    site_repo(repo.root)
    (repo.root / ".gitignore").write_text("site/\ntaizhang-diff.md\nhooks\n", encoding="utf-8")
    repo.write("records/ledger.yml", LEDGER)
    repo.write("records/owners.yml", OWNERS)
    repo.write(P01, p01())
    base = repo.commit("2023-08-07")
    repo.git("checkout", "-q", "-b", "request")
    repo.write(P01, p01(measure("P01-M1", "in_progress", "2023-09-30")))
    repo.commit("2023-08-08", "李四")
    return repo, base


def shell(script: str, repo: GitRepo, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # taizhang and mkdocs, as `pip install .` puts them on PATH
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "TAIZHANG_AS_OF": "2023-08-20",
                   "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run(["bash", "-c", script], cwd=repo.root, env=environment, capture_output=True, text=True)


@pytest.mark.slow
def test_the_github_workflow_checks_a_pull_request(tmp_path: Path) -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/taizhang.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    steps = workflow["jobs"]["ledger"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = {s["name"]: s["run"] for s in steps if "run" in s and s["name"] != "Install taizhang"}
    assert list(runs) == ["taizhang check", "mkdocs build --strict", "taizhang diff", "taizhang diff --check"]
    repo, _ = ci_repo(tmp_path)
    results = {name: shell(f"set -e\n{run}", repo, {"BASE": "main"}) for name, run in runs.items()}
    assert [results[n].returncode for n in runs] == [0, 0, 0, 1]
    summary = (repo.root / "taizhang-diff.md").read_text(encoding="utf-8")
    assert summary.startswith("### 台账变更：") and "P01-M1 整改时限：2023-08-31 → 2023-09-30（未登记延期）" in summary
    assert "P01-M1 整改时限由 2023-08-31 延至 2023-09-30" in results["taizhang diff --check"].stderr


@pytest.mark.slow
def test_the_gitlab_job_checks_a_merge_request(tmp_path: Path) -> None:
    job = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text(encoding="utf-8"))["taizhang"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["variables"]["GIT_DEPTH"] == "0" and job["artifacts"]["paths"] == ["taizhang-diff.md"]
    script = "\n".join(job["script"])
    assert "TAIZHANG_NOTE_TOKEN" in script and "/merge_requests/$CI_MERGE_REQUEST_IID/notes" in script
    repo, base = ci_repo(tmp_path)
    done = shell(script, repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base})
    assert done.returncode == 1  # the silent extension, and nothing else, fails the job
    assert "P01-M1 整改时限由 2023-08-31 延至 2023-09-30" in done.stderr and "ERROR" not in done.stderr
    assert (repo.root / "site/changes/index.html").is_file()
    assert "（未登记延期）" in (repo.root / "taizhang-diff.md").read_text(encoding="utf-8")
    repo.write(P01, p01())
    repo.commit("2023-08-09", "李四")
    assert shell(script, repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base}).returncode == 0


def test_a_long_summary_lists_a_limited_number_of_lines(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(P01, p01(measure("P01-M1", "closed", "2023-08-31"), m2=measure("P01-M2", "in_progress", "2023-08-31")))
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "#### 状态变化（2）\n\n- P01-M1 状态：推进中 → 已销号\n- ……另有 1 项未列出\n" in out
    assert "- ……另有 1 处违反规则未列出，运行 taizhang diff --check 查看全部\n" in out
    assert cli.main(["diff", "--root", str(repo.root), "--as-of", "2023-08-20", "--limit", "0"]) == 0
    assert "另有" not in capsys.readouterr().out
