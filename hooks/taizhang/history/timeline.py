"""History as the site shows it: each problem's timeline, each measure's status since, the change log by week."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from taizhang.ledger.figures import Aggregate
from taizhang.history.events import Event, FileChanged, Names, ProblemAdded
from taizhang.history.commits import Commit, History
from taizhang.history.git import identity
from taizhang.labels import MARK_LABELS, OFFICE_WORDS
from taizhang.ledger.records import Ledger

# A commit adding at least this many problems and nothing else is an import (建立台账): one change-log row.
BULK = 10


@dataclass(frozen=True, slots=True)
class Said:
    """One event in words; its subject links to `page` (and `anchor` there) while that exists."""

    subject: str
    page: str | None
    anchor: str
    words: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """What one commit did to one problem (or to the other files under records/)."""

    day: str  # 2023-09-08, or 未提交
    author: str  # "" where it is not shown
    commit: str  # the short id, "" for uncommitted edits
    url: str | None  # the commit on the git host
    problem: str  # "" for files that are no problem
    page: str | None  # the problem's page, while it exists
    said: tuple[Said, ...]


@dataclass(frozen=True, slots=True)
class ChangeWeek:
    name: str  # 2023-W37, or 未提交
    entries: tuple[TimelineEntry, ...]


class Story:
    """The history of one build, filtered for the profile and linked to the pages that exist."""

    def __init__(self, history: History | None, agg: Aggregate, repo_url: str | None = None, public: bool = False) -> None:
        self.history = history or History()
        self.available = self.history.available
        self.warnings = self.history.warnings
        self.agg = agg
        self.repo_url = repo_url.rstrip("/") if repo_url else None
        self.public = public
        self.names = Names.of(agg.ledger)
        self.authors = authors(agg.ledger)
        self.measures = {row.measure.id: row.problem.id for row in agg.rows}
        self._heads: dict[int, TimelineEntry] = {}  # id(commit) → its entry without problem or events, see _head

    def problem(self, id: str) -> list[TimelineEntry]:
        """A problem's timeline, newest first."""
        return self._timelines.get(id, [])

    @cached_property
    def _timelines(self) -> dict[str, list[TimelineEntry]]:
        # One pass over the history for every problem: asking it once per problem is quadratic.
        found: dict[str, list[TimelineEntry]] = {}
        for _, entries in self._entries:
            for entry in entries:
                found.setdefault(entry.problem, []).append(entry)
        return found

    @cached_property
    def _entries(self) -> list[tuple[Commit, list[TimelineEntry]]]:
        return [(commit, self.entries(commit)) for commit in self.history.commits]

    def weeks(self) -> list[ChangeWeek]:
        """The whole change log, newest first, grouped by ISO week (uncommitted edits first)."""
        found: dict[str, list[TimelineEntry]] = {}
        for commit, entries in self._entries:
            name = commit.week or MARK_LABELS["uncommitted"]
            found.setdefault(name, []).extend(self._bulk(commit, entries) or entries)
        return [ChangeWeek(name, tuple(entries)) for name, entries in found.items() if entries]

    def _bulk(self, commit: Commit, entries: list[TimelineEntry]) -> list[TimelineEntry]:
        """An import of the ledger as one row ("建立台账：35个问题、88条措施"); [] for other commits."""
        added = [e for e in commit.events if isinstance(e, ProblemAdded)]
        if len(added) < BULK or any(not isinstance(e, (ProblemAdded, FileChanged)) for e in commit.events) or not entries:
            return []
        words = OFFICE_WORDS["bulk_added"].format(problems=len(added), measures=sum(len(e.measures) for e in added))
        head = self._head(commit)
        return [TimelineEntry(head.day, head.author, head.commit, head.url, "", None, (Said("", None, "", words),))]

    def since(self, measure_id: str) -> TimelineEntry | None:
        """When the measure reached its current status: the commit (no events listed)."""
        commit = self.history.status_since(measure_id)
        return self._head(commit) if commit is not None else None

    def entries(self, commit: Commit) -> list[TimelineEntry]:
        """One entry per problem the commit changed, in the order the commit lists them."""
        by_problem: dict[str, list[Event]] = {}
        for event in commit.events:
            if self._shown(event):
                by_problem.setdefault(event.problem, []).append(event)
        head = self._head(commit)
        return [self._entry(head, problem, events) for problem, events in by_problem.items()]

    def _shown(self, event: Event) -> bool:
        if not self.public:
            return True
        # Public: nothing private, and nothing of a problem the public site leaves out (or deleted).
        return not event.private and event.problem in self.agg.problem_by_id

    def _head(self, commit: Commit) -> TimelineEntry:
        """What every entry of a commit shares, made once a commit: thousands of entries and measures name it."""
        found = self._heads.get(id(commit))
        if found is None:
            day = commit.day.isoformat() if commit.day else MARK_LABELS["uncommitted"]
            author = "" if self.public else self.author(commit)
            url = f"{self.repo_url}/commit/{quote(commit.id)}" if self.repo_url and commit.id else None
            found = self._heads[id(commit)] = TimelineEntry(day, author, commit.short, url, "", None, ())
        return found

    def author(self, commit: Commit) -> str:
        """The person in owners.yml the commit's e-mail or name belongs to; else git's name (never the e-mail)."""
        return author(self.authors, commit)

    def _entry(self, head: TimelineEntry, problem: str, events: list[Event]) -> TimelineEntry:
        page = self._page(problem)
        said = tuple(Said(e.subject, page, self._anchor(e, page), e.words(self.names)) for e in events)
        return TimelineEntry(head.day, head.author, head.commit, head.url, problem, page, said)

    def _page(self, problem: str) -> str | None:
        return f"problems/{problem}.md" if problem in self.agg.problem_by_id else None

    def _anchor(self, event: Event, page: str | None) -> str:
        # A measure that still belongs to this problem has an anchor on its page.
        return event.subject if page and self.measures.get(event.subject) == event.problem else ""



def authors(ledger: Ledger) -> dict[str, str]:
    """Git name (lower case) or e-mail digest → the person's name, from their `git` key in owners.yml."""
    found = {}
    for person in ledger.people:
        for key in person.git:
            found[identity(key) if "@" in key else key.lower()] = person.name
    return found


def author(people: dict[str, str], commit: Commit) -> str:
    """The person in owners.yml the commit's e-mail or name belongs to; else git's name (never the e-mail)."""
    return (people.get(commit.identity) if commit.identity else None) or people.get(commit.author.lower()) or commit.author
