"""A ledger's history from git: commits newest first, each with the ledger events it made.

A constant number of git processes whatever the number of records: `rev-parse`, one
`log --raw` over records/, one `status` for uncommitted edits, one `cat-file --batch` fed
each distinct blob once. Each revision is parsed once (`ledger.parse_problem`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

from taizhang.history import git
from taizhang.history.events import Event, FileChanged, MeasureAdded, MeasureRemoved, ProblemAdded, ProblemRemoved, StatusChanged, changes
from taizhang.labels import HISTORY_WORDS
from taizhang.ledger.repository import CHINA, RECORDS, natural, today
from taizhang.ledger.records import Measure, Problem
from taizhang.history.revisions import Result, Revisions
from taizhang.speed.store import Store, collector_paused

FOLDER = f"{RECORDS}/"
EVIDENCE = f"{RECORDS}/evidence/"


def is_problem_path(path: str) -> bool:
    """Problems are the `*.md` files under records/, except under records/evidence/ (docs/guide/format.md)."""
    return path.startswith(FOLDER) and path.endswith(".md") and not path.startswith(EVIDENCE)


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit (or the uncommitted edits: empty `id`, no date) and the events it made."""

    id: str
    author: str  # the author's name as git has it
    date: datetime | None
    events: tuple[Event, ...]
    identity: str = ""  # a digest of the author's e-mail address, to find them in owners.yml (git.identity)

    @property
    def uncommitted(self) -> bool:
        return not self.id

    @property
    def short(self) -> str:
        return self.id[:7]

    @property
    def day(self) -> date | None:
        """The author date in Asia/Shanghai, where the ledger is worked."""
        return self.date.astimezone(CHINA).date() if self.date else None

    @property
    def week(self) -> str:
        """The ISO week of `day`, e.g. 2023-W37 ("" for uncommitted edits)."""
        if self.day is None:
            return ""
        year, week, _ = self.day.isocalendar()
        return f"{year}-W{week:02d}"

    def only(self, events: Iterable[Event]) -> Commit:
        return replace(self, events=tuple(events))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The problems as they stood after one commit."""

    commit: Commit
    problems: tuple[Problem, ...]

    def measures(self) -> dict[str, Measure]:
        return {m.id: m for p in self.problems for m in p.measures}


@dataclass
class History:
    """What git says about records/: commits newest first, plus what could not be read."""

    commits: list[Commit] = field(default_factory=list)
    head: str | None = None
    available: bool = False  # False: no repository, no git, a shallow clone
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # revisions skipped because they do not parse
    # Oldest first, for snapshots: every commit that touched records/ and the files it set (None: deleted).
    steps: list[tuple[Commit, dict[str, Problem | None]]] = field(default_factory=list, repr=False)
    since: dict[str, Commit] = field(default_factory=dict, repr=False)  # measure id → status reached
    touched: dict[str, Commit] = field(default_factory=dict, repr=False)  # path → last change
    state: dict[str, Problem] = field(default_factory=dict, repr=False)  # path → problem at HEAD
    parsed: dict[str, Problem | None] = field(default_factory=dict, repr=False)  # blob id → revision
    committed: History | None = field(default=None, repr=False)  # this without uncommitted edits
    replayed: list[Snapshot] | None = field(default=None, init=False, repr=False)  # snapshots(), once

    def for_problem(self, id: str) -> list[Commit]:
        """The commits that changed problem `id`, newest first, with only those events."""
        return self._where(lambda e: e.problem == id)

    def for_measure(self, id: str) -> list[Commit]:
        return self._where(lambda e: e.about(id))

    def _where(self, keep) -> list[Commit]:  # type: ignore[no-untyped-def]
        found = []
        for commit in self.commits:
            events = [e for e in commit.events if keep(e)]
            if events:
                found.append(commit.only(events))
        return found

    def status_since(self, measure_id: str) -> Commit | None:
        """The commit in which the measure reached its current status (added with it, or changed to it)."""
        return self.since.get(measure_id)

    def updated(self) -> dict[str, date]:
        """Path → the day of the last commit that changed it (uncommitted edits not counted)."""
        touched = self.committed.touched if self.committed is not None else self.touched
        return {path: commit.day for path, commit in touched.items() if commit.day is not None}

    def snapshots(self) -> list[Snapshot]:
        """The problems after each commit, oldest first (uncommitted edits last), replayed once."""
        if self.replayed is None:
            self.replayed = []
            current: dict[str, Problem] = {}
            for commit, changed in self.steps:
                _apply(current, changed)
                self.replayed.append(Snapshot(commit, tuple(current.values())))
        return self.replayed

    def measures_at(self, commit_id: str) -> dict[str, Measure]:
        """Every measure as it stood after commit `commit_id` (full or short id)."""
        for snapshot in self.snapshots():
            if snapshot.commit.id and snapshot.commit.id.startswith(commit_id):
                return snapshot.measures()
        raise KeyError(commit_id)

    def at(self, moment: date | datetime) -> Snapshot | None:
        """The last committed snapshot dated at or before `moment` (None before the first).

        A date means the end of that day in Asia/Shanghai, e.g. a week's Sunday for its figures.
        """
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time.max, CHINA)
        found = None
        for snapshot in self.snapshots():
            if snapshot.commit.date is not None and snapshot.commit.date <= moment:
                found = snapshot
        return found


def until(history: History, day: date) -> History:
    """The history as it stood at the end of `day`: later commits left out, so that a build as of
    a past day tells one story (its change log, timelines and weeks end there). Uncommitted edits
    are today's: kept only when `day` is not before today."""
    committed = history.committed if history.committed is not None else history
    keep_edits = day >= today()
    later = [c for c, _ in history.steps if c.day is not None and c.day > day]
    if not later and (keep_edits or not any(c.uncommitted for c, _ in history.steps)):
        return history
    found = History(head=history.head, available=history.available, warnings=list(history.warnings),
                    notes=list(history.notes), parsed=history.parsed)
    left = 0
    for commit, delta in history.steps:
        if commit.uncommitted and not keep_edits:
            continue
        if commit.day is not None and commit.day > day:
            left += bool(commit.events)
            continue
        _step(found, commit, delta)
    found.commits.reverse()
    if committed is not history:  # the committed part, for `updated` and weekly reports
        found.committed = until(committed, day)
    if left:
        found.warnings.append(HISTORY_WORDS["after_as_of"].format(count=left, day=day.isoformat()))
    return found


def _step(history: History, commit: Commit, delta: dict[str, Problem | None]) -> None:
    """Apply one replayed step (oldest first) to `history`, as `Reader.step` did when it read it."""
    for path in delta:
        history.touched[path] = commit
    for event in commit.events:
        if isinstance(event, FileChanged):
            history.touched[event.path] = commit
    if not commit.uncommitted:
        _apply(history.state, delta)
    history.steps.append((commit, delta))
    _track_status(history.since, commit)
    if commit.events:
        history.commits.append(commit)


def read_history(root: Path, previous: History | None = None, store: Store | None = None) -> History:
    """The history of `root`'s records/ from git; never raises, says in `warnings` what is missing.

    History only grows, so what was read before is reused: `previous` (an earlier result for
    the same root, under `mkdocs serve`) or the history `store` kept from the last build. With
    HEAD where it was, git is asked only for the uncommitted edits; with HEAD further on, only
    for the commits since.
    """
    return begin_history(root, previous, store).result()


class Pending:
    """A history being read: which commits touched which files is known (`git log`), the
    revisions are parsed on `result()`. A site lists its pages and dates them from the first,
    and renders what the history says once the second is done."""

    def __init__(self, finish: Callable[[], History], available: bool = True,
                 commits: list[Commit] | None = None, touched: dict[str, Commit] | None = None) -> None:
        self._finish: Callable[[], History] | None = finish
        self._result: History | None = None
        self.available = available
        self.commits = commits or []  # committed, oldest first, without their events
        self.touched = touched or {}  # path → last commit that changed it

    @classmethod
    def of(cls, history: History) -> Pending:
        """A history read already."""
        committed = history.committed if history.committed is not None else history
        pending = cls(lambda: history, history.available, [c for c, _ in committed.steps], committed.touched)
        pending._result, pending._finish = history, None
        return pending

    def updated(self) -> dict[str, date]:
        """As `History.updated`, before any revision is parsed."""
        return {path: commit.day for path, commit in self.touched.items() if commit.day is not None}

    def until(self, day: date) -> Pending:
        """This history as it stood at the end of `day` (see `until`), read when this one is."""
        commits = [c for c in self.commits if c.day is not None and c.day <= day]
        touched = {path: c for path, c in self.touched.items() if c.day is not None and c.day <= day}
        return Pending(lambda: until(self.result(), day), self.available, commits, touched)

    def result(self) -> History:
        if self._finish is not None:
            self._result, self._finish = self._finish(), None
        assert self._result is not None
        return self._result


def begin_history(root: Path, previous: History | None = None, store: Store | None = None) -> Pending:
    """`read_history`, in two halves: `git log` now, the revisions on `result()`."""
    try:
        repo = git.repo(root)
    except git.GitError as exc:
        return Pending.of(History(warnings=[str(exc)]))
    if repo.shallow:
        return Pending.of(History(head=repo.head, warnings=[HISTORY_WORDS["shallow"]]))
    try:
        base, entries, since = _log(repo, previous, store)
    except git.GitError as exc:
        return Pending.of(History(head=repo.head, warnings=[str(exc)]))
    if entries is None:  # nothing new since what was read before
        return Pending.of(_finished(repo, lambda: base))
    reader = Reader(repo, _continued(base, repo.head) if since else None)

    def finish() -> History:
        return _finished(repo, lambda: _keep(reader.replay(entries), store))

    known = base.steps if since and base is not None else []
    commits = [c for c, _ in known if not c.uncommitted]
    touched = dict(base.touched) if since and base is not None else {}
    for entry in entries:
        commit = Commit(entry.id, entry.author, entry.date, (), entry.identity)
        commits.append(commit)
        for change in entry.changes:
            touched[change.path] = commit
    return Pending(finish, True, commits, touched)


def _finished(repo: git.Repo, committed: Callable[[], History]) -> History:
    """The history with the uncommitted edits, or what git could not do as warnings."""
    try:
        history = _present(repo, committed())
    except git.GitError as exc:
        return History(head=repo.head, warnings=[str(exc)])
    if not history.commits and not history.warnings:
        history.warnings.append(HISTORY_WORDS["no_commits"])
    return history


def _keep(past: History, store: Store | None) -> History:
    """The committed history just read, kept for the next build."""
    if store is not None:
        store.write("history", replace(past, parsed={}, committed=None))
    return past


def _log(repo: git.Repo, previous: History | None, store: Store | None) -> tuple[History | None, list[git.Entry] | None, str | None]:
    """The committed history known at HEAD, or the one
    to continue and the `git log` entries since (None: nothing to read), and the commit they
    follow (None: read from the start)."""
    base = previous.committed if previous is not None else None
    if base is None and store is not None:
        base = store.read("history", History)
    if base is not None and base.available and base.head == repo.head:
        return base, None, None
    if base is not None and base.available and base.head and repo.head and git.is_ancestor(repo, base.head, repo.head):
        return base, git.log(repo, FOLDER, base.head), base.head
    return None, git.log(repo, FOLDER) if repo.head else [], None


def _continued(base: History, head: str) -> History:
    """A copy of `base` to read further commits into: its own lists, commits oldest first again."""
    return replace(base, head=head, commits=base.commits[::-1], warnings=list(base.warnings), notes=list(base.notes),
                   steps=list(base.steps), since=dict(base.since), touched=dict(base.touched), state=dict(base.state),
                   parsed={}, committed=None)


def _present(repo: git.Repo, past: History) -> History:
    """The committed history plus the working tree's differences from HEAD, as a pseudo-commit 未提交."""
    history = replace(past, commits=list(past.commits), warnings=list(past.warnings), notes=list(past.notes),
                      steps=list(past.steps), since=dict(past.since), touched=dict(past.touched), committed=past)
    changed = git.status(repo, FOLDER)
    if not changed:
        return history
    reader = Reader(repo, history)
    reader.fetch(reader.wanted(changed, new=False))
    reader.step(Commit("", "", None, ()), changed, worktree=True)
    count = sum(1 for c in changed if is_problem_path(c.path))
    if count:
        history.warnings.append(HISTORY_WORDS["uncommitted"].format(count=count))
    return history


class Reader:
    """One pass over `git log`: parse each needed blob once, replay commits oldest first."""

    def __init__(self, repo: git.Repo, history: History | None = None) -> None:
        self.repo = repo
        self.history = history or History(head=repo.head, available=True)
        self.revisions = Revisions()
        self.order: dict[str, tuple] = {}  # path → natural sort key, computed once per path
        self.failed: dict[str, str] = {}  # blob id → why it does not parse

    def replay(self, entries: list[git.Entry]) -> History:
        """The history with the commits of `entries` (oldest first) applied."""
        with collector_paused():
            self.fetch(self.wanted((c for e in entries for c in e.changes), new=True))
            for entry in entries:
                self.step(Commit(entry.id, entry.author, entry.date, (), entry.identity), entry.changes, merge=entry.merge)
        self.history.commits.reverse()
        return self.history

    def wanted(self, changed: Iterable[git.Change], new: bool) -> dict[str, str]:
        """Blob id → the first path it is found at, for the revisions not parsed yet."""
        found: dict[str, str] = {}
        for blob, path in _revisions(changed, new):
            if blob not in self.history.parsed:
                found.setdefault(blob, path)
        return found

    def fetch(self, wanted: dict[str, str]) -> None:
        """Parse every wanted blob, read through one cat-file process."""
        self.take(_parsed(self.repo, wanted, wanted, self.revisions))
        self.revisions.results = {}

    def take(self, parsed: dict[str, Result]) -> None:
        """Blob id → its revision parsed, or why it does not parse."""
        for blob, (problem, errors) in parsed.items():
            self.history.parsed[blob] = None if errors else problem
            if problem is None or errors:
                self.failed[blob] = str(errors[0]) if errors else HISTORY_WORDS["git_failed"]

    def _skipped(self, path: str, commit: Commit, reason: str) -> None:
        label = commit.short or HISTORY_WORDS["working_tree"]
        self.history.notes.append(HISTORY_WORDS["skipped"].format(path=path, commit=label, error=reason))

    def step(self, commit: Commit, changed: list[git.Change], merge: bool = False, worktree: bool = False) -> None:
        """Apply one commit: derive its events from the revisions before and after each file."""
        h = self.history
        before: list[Problem] = []
        after: list[Problem] = []
        files: list[Event] = []
        delta: dict[str, Problem | None] = {}
        for change in sorted(changed, key=self._order):
            h.touched[change.path] = commit
            if not is_problem_path(change.path):
                files.append(FileChanged("", change.path, _file_change(change)))
                continue
            new = self._after(change, commit, worktree)
            if change.new is not None and new is None:
                continue  # an unreadable revision: its changes show at the next readable one
            old = self._before(change, merge)
            if old is not None:
                before.append(old)
            if new is not None:
                after.append(new)
            delta[change.path] = new
        commit = replace(commit, events=tuple(changes(before, after)) + tuple(files))
        if not worktree:  # `state` stays HEAD's, so that it can be reused while HEAD does not move
            _apply(h.state, delta)
        h.steps.append((commit, delta))
        _track_status(h.since, commit)
        if commit.events:
            if worktree:
                h.commits.insert(0, commit)
            else:
                h.commits.append(commit)

    def _order(self, change: git.Change) -> tuple:
        key = self.order.get(change.path)
        if key is None:
            key = self.order[change.path] = natural(change.path)
        return key

    def _before(self, change: git.Change, merge: bool) -> Problem | None:
        if change.old is None:
            return None
        # A merge's old blob is its first parent's; the replayed state is what readers last saw.
        found = None if merge else self.history.parsed.get(change.old)
        return found if found is not None else self.history.state.get(change.path)

    def _after(self, change: git.Change, commit: Commit, worktree: bool) -> Problem | None:
        if change.new is None:
            return None
        found = self._disk(change.path, commit) if worktree else self.history.parsed.get(change.new)
        if change.new in self.failed:
            self._skipped(change.path, commit, self.failed.pop(change.new))
        if found is not None and found.path != change.path:
            found = replace(found, path=change.path)  # the same blob under another name (a move)
        return found

    def _disk(self, path: str, commit: Commit) -> Problem | None:
        try:
            data = (self.repo.root / path).read_bytes()
        except OSError as exc:
            self._skipped(path, commit, str(exc.strerror or exc))
            return None
        problem, errors = self.revisions.parse(data, path)
        if problem is None or errors:
            self._skipped(path, commit, str(errors[0]) if errors else HISTORY_WORDS["git_failed"])
            return None
        return problem


def _revisions(changed: Iterable[git.Change], new: bool) -> Iterator[tuple[str, str]]:
    """(blob id, path) of each problem revision `changed` names: the one before, and with `new` the one after."""
    for change in changed:
        if is_problem_path(change.path):
            for blob in (change.old, change.new) if new else (change.old,):
                if blob:
                    yield blob, change.path


def _parsed(repo: git.Repo, blobs: Iterable[str], paths: dict[str, str], revisions: Revisions) -> dict[str, Result]:
    """The blobs read through one cat-file process, as they come, and parsed (blob id → result)."""
    for blob, data in git.blobs(repo, blobs):
        if data is not None:
            revisions.add(blob, data, paths[blob])
    return revisions.finish()


def _apply(state: dict[str, Problem], delta: dict[str, Problem | None]) -> None:
    for path, problem in delta.items():
        if problem is None:
            state.pop(path, None)
        else:
            state[path] = problem


def _file_change(change: git.Change) -> str:
    if change.old is None:
        return "added"
    return "deleted" if change.new is None else "modified"


def _track_status(since: dict[str, Commit], commit: Commit) -> None:
    """Remember, per measure, the commit that gave it its current status."""
    gone = [m for e in commit.events if isinstance(e, (ProblemRemoved, MeasureRemoved))
            for m in (e.measures if isinstance(e, ProblemRemoved) else (e.measure,))]
    for measure in gone:
        since.pop(measure, None)
    for e in commit.events:
        if isinstance(e, ProblemAdded):
            since.update(dict.fromkeys(e.measures, commit))
        elif isinstance(e, (MeasureAdded, StatusChanged)):
            since[e.measure] = commit
