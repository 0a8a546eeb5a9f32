"""Tests of the synthetic ledger generator: determinism, counts, and a valid history."""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from taizhang.cli import demo
from taizhang.ledger.repository import load

PROBLEMS = 30
WEEKS = 20
SEED = 5  # deterministic; this seed's history happens to contain relapses


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def commits(root: Path) -> list[tuple[str, date, str]]:
    """(id, commit date, subject) of every commit, oldest first."""
    lines = git(root, "log", "--reverse", "--format=%H %cs %s").splitlines()
    return [(sha, date.fromisoformat(day), subject) for sha, day, subject in (ln.split(" ", 2) for ln in lines)]


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the same reading, faster where libyaml is there


def front_matter(text: str) -> dict[str, Any]:
    return yaml.load(text.split("---\n")[1], Loader=LOADER)


def problems(root: Path) -> dict[str, dict[str, Any]]:
    """Every problem record under root/records, by path."""
    found = sorted((root / "records").rglob("*.md"))
    return {p.relative_to(root).as_posix(): front_matter(p.read_text(encoding="utf-8")) for p in found}


def measures(root: Path) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for p in problems(root).values() for m in p["measures"]}


def checkout(root: Path, sha: str, into: Path) -> Path:
    tar = subprocess.run(["git", "-C", str(root), "archive", sha], capture_output=True, check=True).stdout
    tarfile.open(fileobj=io.BytesIO(tar)).extractall(into, filter="data")
    return into


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "ledger"
    demo.generate(root, PROBLEMS, weeks=WEEKS, seed=SEED)
    return root


@pytest.fixture(scope="module")
def trees(ledger: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[date, Path]]:
    """Every commit's tree, checked out, with the commit date, oldest first."""
    base = tmp_path_factory.mktemp("trees")
    return [(day, checkout(ledger, sha, base / sha)) for sha, day, _ in commits(ledger)]


@pytest.fixture(scope="module")
def weekly_measures(trees: list[tuple[date, Path]]) -> list[dict[str, dict[str, Any]]]:
    """Every commit's measures by id, oldest first."""
    return [measures(root) for _, root in trees]


def test_same_seed_gives_the_same_commits(tmp_path: Path) -> None:
    demo.generate(tmp_path / "a", 12, weeks=4, seed=3)
    demo.generate(tmp_path / "b", 12, weeks=4, seed=3)
    demo.generate(tmp_path / "c", 12, weeks=4, seed=4)
    assert head(tmp_path / "a") == head(tmp_path / "b")
    assert head(tmp_path / "a") != head(tmp_path / "c")


def test_a_shorter_history_is_a_prefix_of_a_longer_one(tmp_path: Path) -> None:
    demo.generate(tmp_path / "short", 12, weeks=2, seed=3)
    demo.generate(tmp_path / "long", 12, weeks=4, seed=3)
    assert head(tmp_path / "short") == git(tmp_path / "long", "rev-parse", "HEAD~2").strip()


def test_work_tree_is_the_last_commit(ledger: Path) -> None:
    assert git(ledger, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(ledger, "branch", "--show-current").strip() == "main"


def test_counts_match_declared(ledger: Path) -> None:
    declared = yaml.safe_load((ledger / "records/ledger.yml").read_text(encoding="utf-8"))["declared"]
    records = problems(ledger).values()
    assert declared == {
        "problems": PROBLEMS,
        "manifestations": sum(len(p["manifestations"]) for p in records),
        "measures": sum(len(p["measures"]) for p in records),
    }
    assert all(1 <= len(p["manifestations"]) <= 3 and 1 <= len(p["measures"]) <= 4 for p in records)


def test_ids_follow_the_numbering(ledger: Path) -> None:
    for path, problem in problems(ledger).items():
        pid = problem["id"]
        assert re.fullmatch(r"P\d{2}", pid)  # zero-padded to the width of 30
        assert path == f"records/{problem['area']}/{pid}.md"
        assert [m["id"] for m in problem["manifestations"]] == [f"{pid}-{i + 1}" for i in range(len(problem["manifestations"]))]
        assert [m["id"] for m in problem["measures"]] == [f"{pid}-M{i + 1}" for i in range(len(problem["measures"]))]
    assert sorted(p["id"] for p in problems(ledger).values()) == [f"P{i:02d}" for i in range(1, PROBLEMS + 1)]


def test_cast_is_a_district_ledger(ledger: Path) -> None:
    areas = yaml.safe_load((ledger / "records/ledger.yml").read_text(encoding="utf-8"))["areas"]
    owners = yaml.safe_load((ledger / "records/owners.yml").read_text(encoding="utf-8"))
    people = [p["id"] for p in owners["people"]]
    assert 4 <= len(areas) <= 6
    assert len(owners["departments"]) == 8
    assert len(people) == 20 and len(set(people)) == 20
    assert all(re.fullmatch(r"[a-z]+\d{2}", p) for p in people)


def test_every_commit_is_valid_on_its_date(trees: list[tuple[date, Path]]) -> None:
    assert len(trees) == WEEKS + 1
    for day, root in trees:
        _, errors = load(root, day)
        assert [str(e) for e in errors] == [], day


def test_commits_are_weekly(ledger: Path) -> None:
    found = commits(ledger)
    assert [day for _, day, _ in found] == [demo.START + timedelta(weeks=w) for w in range(WEEKS + 1)]
    assert found[0][2].startswith("第0周：建立整改台账")
    assert all(re.match(rf"第{w}周调度：更新\d+项措施进展", s) for w, (_, _, s) in enumerate(found) if w)
    authors = git(ledger, "log", "--format=%an <%ae>|%cn <%ce>|%ad|%cd").splitlines()
    assert all(a.split("|")[0] == a.split("|")[1] and a.split("|")[2] == a.split("|")[3] for a in authors)


def test_history_changes_follow_the_diff_rules(weekly_measures: list[dict[str, dict[str, Any]]]) -> None:
    # The SPEC's `diff --check` rules, week over week.
    for old, new in zip(weekly_measures, weekly_measures[1:]):
        assert old.keys() == new.keys()
        for mid, m in new.items():
            was = old[mid]
            if m["due"] != was["due"]:
                assert len(m["extensions"]) == len(was.get("extensions", [])) + 1, mid
                assert m["extensions"][-1]["to"] == m["due"], mid
            if was["status"] == "closed" and m["status"] != "closed":
                assert m["rechecks"][-1]["result"] == "relapsed", mid
                assert len(m["rechecks"]) == len(was.get("rechecks", [])) + 1, mid


def test_unchanging_lines_stay_byte_identical(ledger: Path) -> None:
    # Only what a week's work touches may change: a removed id, text or owner line would
    # mean the emitter rewrote what did not change.
    diff = git(ledger, "log", "-p", "-U0", "--format=", "--", "records")
    removed = [ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    assert removed
    stable = re.compile(r"(id|area|title):|  - id:|    (text|addresses|leader|department|owner):"
                        r"|      - from:|        (approved_by|approved_on|reason):")
    assert [ln for ln in removed if stable.match(ln)] == []


def test_history_exercises_every_event(weekly_measures: list[dict[str, dict[str, Any]]]) -> None:
    seen: set[str] = set()
    for week in weekly_measures:
        for m in week.values():
            seen.update((m["status"], f"due:{m['due']}" if m["due"] == "long_term" else "due:date"))
            seen.update(f"has:{key}" for key in ("extensions", "outcome") if key in m)
            seen.update(f"recheck:{r['result']}" for r in m.get("rechecks", []))
    assert seen >= {"not_started", "in_progress", "done", "closed", "due:long_term", "has:extensions",
                    "has:outcome", "recheck:passed", "recheck:relapsed"}


def test_weeks_zero_gives_the_initial_ledger_only(tmp_path: Path) -> None:
    demo.generate(tmp_path / "ledger", 5, weeks=0)
    assert len(commits(tmp_path / "ledger")) == 1
    assert {m["status"] for m in measures(tmp_path / "ledger").values()} <= {"not_started", "in_progress"}
    assert load(tmp_path / "ledger", demo.START)[1] == []


def test_an_existing_empty_directory_is_used(tmp_path: Path) -> None:
    demo.generate(tmp_path, 1, weeks=1)
    assert len(problems(tmp_path)) == 1


def test_git_environment_of_the_caller_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As inside a git hook: GIT_DIR must not send the demo's commits elsewhere.
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere.git"))
    demo.generate(tmp_path / "ledger", 3, weeks=1)
    monkeypatch.delenv("GIT_DIR")
    assert len(commits(tmp_path / "ledger")) == 2
    assert not (tmp_path / "elsewhere.git").exists()


@pytest.mark.parametrize(
    ("problems_", "weeks", "message"),
    [(0, 1, "problems must be at least 1, got 0"), (1, -1, "weeks must be 0 or more, got -1")],
)
def test_bad_numbers_are_refused(tmp_path: Path, problems_: int, weeks: int, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        demo.generate(tmp_path / "ledger", problems_, weeks=weeks)
    assert not (tmp_path / "ledger").exists()


@pytest.mark.parametrize("content", ["dir", "file"])
def test_a_non_empty_root_is_refused(tmp_path: Path, content: str) -> None:
    root = tmp_path / "ledger"
    if content == "dir":
        root.mkdir()
        (root / "notes.txt").write_text("keep me", encoding="utf-8")
    else:
        root.write_text("keep me", encoding="utf-8")
    with pytest.raises(ValueError, match="exists and is not an empty directory"):
        demo.generate(root, 3)
    assert not (root / ".git").exists()


@pytest.mark.parametrize(
    "text",
    ["", " lead", "trail ", "yes", "No", "on", "null", "~", "true", "2023-07-14", "12", "1.5", "0x1F", "12:30",
     "1_000", ".inf", "a: b", "a:", "#x", "x #y", "- x", "-", "?", ":", "[x]", "{x}", "a, b", "it's", 'say "hi"',
     "back\\slash", "tab\there", "两行\n文本", "100%", "@me", "`code`", "!tag", "&anchor", "*alias", "|", ">",
     "中文：全角冒号，逗号", "P01-M1", "long_term", "“第一议题”制度"],
)
def test_scalars_read_back_as_written(text: str) -> None:
    assert yaml.safe_load(f"key: {demo._scalar(text)}") == {"key": text}
    assert yaml.safe_load(f"key: [{demo._scalar(text)}]") == {"key": [text]}


@pytest.mark.parametrize("value", [date(2023, 7, 14), 35, True, False])
def test_non_strings_read_back_as_written(value: object) -> None:
    assert yaml.safe_load(f"key: {demo._scalar(value)}") == {"key": value}  # type: ignore[arg-type]
