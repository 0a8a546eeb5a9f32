"""What one build keeps for the next: parsed records by content, history by commit (store.py)."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from conftest import site_repo
from gitrepo import GitRepo, git_commands, git_shim, measure, problem
from test_history import EXPECTED, story, told

from taizhang.cli.main import main
from taizhang.history.commits import History, Pending, begin_history, read_history
from taizhang.ledger.repository import Cache, load
from taizhang.speed.store import Store, collector_paused, git_dir
from taizhang.reports.weekly import Weekly, week_of, weeks_of
from taizhang.ledger.figures import Aggregate
from taizhang.ledger.repository import load_valid

AS_OF = date(2023, 9, 1)
MKDOCS = Path(sys.executable).parent / "mkdocs"


def snapshot_view(history: History) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each commit's measures and their statuses: what weekly figures are computed from."""
    return [(s.commit.id, sorted((m.id, m.status) for m in s.measures().values())) for s in history.snapshots()]


def same(a: History, b: History) -> None:
    assert told(a) == told(b)
    assert snapshot_view(a) == snapshot_view(b)
    assert {k: c.id for k, c in a.since.items()} == {k: c.id for k, c in b.since.items()}
    assert a.updated() == b.updated()
    assert {p: (pr.id, [m.status for m in pr.measures]) for p, pr in a.state.items()} == \
           {p: (pr.id, [m.status for m in pr.measures]) for p, pr in b.state.items()}


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the git shim on PATH logs every git command to."""
    log = tmp_path / "git.log"
    monkeypatch.setenv("PATH", git_shim(tmp_path / "bin", log))
    return log


def commands(log: Path) -> list[str]:
    found = git_commands(log) if log.exists() else []
    log.unlink(missing_ok=True)
    return found


# -- history ----------------------------------------------------------------------------------------

def test_a_build_at_the_same_commit_asks_git_only_for_edits(tmp_path: Path, counted: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    first = read_history(repo.root, store=Store(repo.root))
    assert commands(counted) == ["rev-parse", "log", "cat-file", "status"]
    again = read_history(repo.root, store=Store(repo.root))
    assert commands(counted) == ["rev-parse", "status"]
    assert told(again) == EXPECTED
    same(again, first)


def test_new_commits_are_read_on_from_the_stored_history(tmp_path: Path, counted: Path) -> None:
    repo, ids = story(tmp_path / "ledger")
    repo.git("checkout", "-q", ids[2])  # the store knows the history up to the third commit
    earlier = read_history(repo.root, store=Store(repo.root))
    assert told(earlier) == EXPECTED[-3:]
    repo.git("checkout", "-q", "main")
    commands(counted)
    later = read_history(repo.root, store=Store(repo.root))
    assert commands(counted) == ["rev-parse", "merge-base", "log", "cat-file", "status"]
    assert told(later) == EXPECTED
    same(later, read_history(repo.root))  # exactly what reading everything again gives
    assert told(earlier) == EXPECTED[-3:]  # the stored history it started from is not changed


def test_rewritten_history_is_read_again_whole(tmp_path: Path, counted: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    read_history(repo.root, store=Store(repo.root))
    repo.write("records/A1/P09.md", problem("P09", measures=measure("P09-M1")))
    repo.git("add", "-A")
    repo.git("commit", "-q", "--amend", "-m", "删除问题并补录", env={"GIT_AUTHOR_NAME": "张三", "GIT_AUTHOR_EMAIL": "a@b",
             "GIT_COMMITTER_NAME": "张三", "GIT_COMMITTER_EMAIL": "a@b", "GIT_AUTHOR_DATE": "2023-08-25T17:30:00+08:00",
             "GIT_COMMITTER_DATE": "2023-08-25T17:30:00+08:00"})
    commands(counted)
    rewritten = read_history(repo.root, store=Store(repo.root))
    assert commands(counted) == ["rev-parse", "merge-base", "log", "cat-file", "status"]
    assert told(rewritten)[0] == ("2023-08-25", "张三", ["P09 新增问题：问题", "P03 删除问题：新问题"])
    same(rewritten, read_history(repo.root))


def test_a_damaged_or_foreign_store_counts_as_none(tmp_path: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    store = Store(repo.root)
    read_history(repo.root, store=store)
    stored = next((git_dir(repo.root) / "taizhang").glob("history-*.pickle"))
    assert store.read("history", History) is not None
    stored.write_bytes(stored.read_bytes()[:1000])  # cut short, as by a full disk
    assert store.read("history", History) is None
    assert told(read_history(repo.root, store=store)) == EXPECTED
    stored.write_bytes(pickle.dumps(("made by another version", History())))
    assert store.read("history", History) is None
    stored.write_bytes(b"not a pickle at all")
    assert told(read_history(repo.root, store=store)) == EXPECTED


def test_the_store_lives_in_the_git_directory_only(tmp_path: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    read_history(repo.root, store=Store(repo.root))
    assert repo.git("status", "--porcelain", "--untracked-files=all", "--ignored") == ""
    assert list((repo.root / ".git" / "taizhang").glob("*.pickle"))
    plain = tmp_path / "plain"
    (plain / "records").mkdir(parents=True)
    Store(plain).write("records", {"a": 1})
    assert Store(plain).read("records", dict) is None
    assert sorted(p.name for p in plain.rglob("*")) == ["records"]


def test_a_linked_worktree_has_its_own_store(tmp_path: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    other = tmp_path / "other"
    repo.git("worktree", "add", "-q", str(other), "HEAD~2")
    assert git_dir(other) == (repo.root / ".git" / "worktrees" / "other").resolve()
    assert told(read_history(other, store=Store(other))) == EXPECTED[-5:]
    assert told(read_history(repo.root, store=Store(repo.root))) == EXPECTED


# -- records ----------------------------------------------------------------------------------------

def test_records_are_parsed_once_across_builds(tmp_path: Path) -> None:
    repo, _ = story(tmp_path / "ledger")
    store = Store(repo.root)
    first = Cache().fill(store)
    ledger, errors = load(repo.root, AS_OF, first)
    first.save(store)
    assert errors == [] and first.changed is False
    warm = Cache().fill(store)
    assert len(warm.problems) == 2
    again, errors = load(repo.root, AS_OF, warm)
    assert errors == [] and warm.changed is False  # nothing parsed again
    assert [p.id for p in again.problems] == [p.id for p in ledger.problems]

    broken = (repo.root / "records/A1/P01.md").read_text(encoding="utf-8").replace("due: 2023-08-31", "due: 2023-02-30")
    (repo.root / "records/A1/P01.md").write_text(broken, encoding="utf-8")
    edited = Cache().fill(store)
    _, errors = load(repo.root, AS_OF, edited)
    assert edited.changed is True and [e.field for e in errors] == ["measures[0].due"]
    edited.save(store)
    _, stored_errors = load(repo.root, AS_OF, Cache().fill(store))  # a stored error is reported as well
    assert stored_errors == errors


@pytest.mark.slow
def test_a_second_build_starts_from_the_first(tmp_path: Path, counted: Path) -> None:
    """Two `mkdocs build` processes: the second reads no git log and parses no record, and makes the same site."""
    repo, _ = story(tmp_path / "ledger")
    root = site_repo(repo.root)
    pages = ("changes/index.html", "problems/P01/index.html", "index.html", "weekly/index.html")

    def mkdocs_build() -> dict[str, bytes]:
        done = subprocess.run([str(MKDOCS), "build", "-q", "--strict"], cwd=root, capture_output=True, text=True,
                              env={**os.environ, "TAIZHANG_AS_OF": "2023-09-01", "NO_MKDOCS_2_WARNING": "1"})
        assert done.returncode == 0, done.stderr
        return {p: (root / "site" / p).read_bytes() for p in pages}

    first = mkdocs_build()
    assert commands(counted) == ["rev-parse", "log", "cat-file", "status"]
    assert sorted(p.name.split("-")[0] for p in (git_dir(root) / "taizhang").glob("*.pickle")) == ["history", "records"]
    assert mkdocs_build() == first
    assert commands(counted) == ["rev-parse", "status"]


def test_check_keeps_its_parsing_for_the_next_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = story(tmp_path / "ledger")
    args = ["check", "--root", str(repo.root), "--as-of", "2023-09-01"]
    assert main(args) == 0
    assert Store(repo.root).read("records", dict)
    record = repo.root / "records/A1/P01.md"
    record.write_text(record.read_text(encoding="utf-8").replace("status: done", "status: finished"), encoding="utf-8")
    assert main(args) == 1  # the edited record is parsed again, not taken from the store
    assert "records/A1/P01.md:" in capsys.readouterr().err
    assert main(["export", "--format", "json", "--root", str(repo.root), "--as-of", "2023-09-01"]) == 1


ASIDE = """
import sys
from pathlib import Path
from taizhang.speed.store import Store
store = Store(Path(sys.argv[1]), aside=True)
store.write("records", {"P01": "parsed"})
print(len(store.writers))  # a forked copy writes it
store.wait()
print(Store(Path(sys.argv[1])).read("records", dict))
"""


def test_a_value_written_aside_is_there_once_waited_for(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ledger")  # in a process of its own: this one may run other threads
    done = subprocess.run([sys.executable, "-c", ASIDE, str(repo.root)], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n") == ["1", "{'P01': 'parsed'}", ""]


def test_with_other_threads_running_a_value_is_written_in_place(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ledger")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        store = Store(repo.root, aside=True)
        store.write("records", {"P01": "parsed"})
        assert store.writers == []  # forking beside a running thread is unsafe: written here and now
        assert Store(repo.root).read("records", dict) == {"P01": "parsed"}
    finally:
        release.set()
        other.join()


def outline_matches(pending: Pending, history: History, root: Path) -> None:
    """What `git log` alone said (dates, weeks) is what the whole history says."""
    assert pending.updated() == history.updated()
    agg = Aggregate(load_valid(root, date(2024, 1, 1)), date(2024, 1, 1))
    for as_of in (date(2023, 8, 20), date(2024, 1, 1)):  # some weeks, every week
        assert weeks_of(pending.commits, week_of(as_of)) == Weekly(history, Aggregate(agg.ledger, as_of)).weeks


def test_what_git_log_says_before_any_revision_is_parsed(tmp_path: Path, counted: Path) -> None:
    repo, ids = story(tmp_path / "ledger")
    repo.git("checkout", "-q", ids[2])
    cold = begin_history(repo.root, store=Store(repo.root))
    assert "cat-file" not in commands(counted)  # no revision read yet
    outline_matches(cold, cold.result(), repo.root)
    assert commands(counted).count("cat-file") == 1  # the revisions, read in one process once asked for
    repo.git("checkout", "-q", "main")
    commands(counted)
    onward = begin_history(repo.root, store=Store(repo.root))  # from the stored history, the new commits only
    assert commands(counted) == ["rev-parse", "merge-base", "log"]  # the new commits listed, no revision read yet
    outline_matches(onward, onward.result(), repo.root)
    warm = begin_history(repo.root, store=Store(repo.root))
    outline_matches(warm, warm.result(), repo.root)
    same(onward.result(), read_history(repo.root))


def test_the_collector_stays_paused_until_the_last_pause_ends() -> None:
    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()  # another thread's, say, begun while the first is open
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
