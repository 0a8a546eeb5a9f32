"""Weekly reports from the ledger's history: each ISO week's events, its figures at the week's end, the burn-up.

One pass over the history the build already read (`History.steps`, oldest first) keeps, for
every ISO week with commits, the problems as they stood after its last commit, the week's
events and when each open measure was last touched. A week's figures are an `Aggregate` of
that state at the week's Sunday (the as-of date in the current week), made once per week, so
the whole of /weekly/ costs O(weeks × measures).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import TypeVar

from taizhang.ledger.figures import COMPLETED, OPEN, Aggregate, Row, percent, problem_status
from taizhang.history.events import DueChanged, EvidenceAdded, Event, MeasureEvent, Names, ProblemAdded, RecheckAdded, StatusChanged, TextEdited
from taizhang.history.commits import Commit, History
from taizhang.labels import WEEKLY_WORDS as W
from taizhang.ledger.records import Problem
from taizhang.ledger.public import public_ledger
from taizhang.speed.store import collector_paused
from taizhang.text import chinese_number

STALE_DAYS = 14  # a measure not touched for more than this many days before the week's end is stale
GROUPS = ("completed", "closed", "status", "extended", "evidence", "rechecked", "relapsed")
PRIVATE_GROUPS = ("evidence",)  # evidence is left out of the public profile (docs/guide/format.md, 公开版)
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


# -- ISO weeks ----------------------------------------------------------------------------

def week_of(day: date) -> str:
    """2023-09-15 → 2023-W37."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(value: str) -> str:
    """A week id as written (2023-W37); ValueError for anything else, W53 of a year without one included."""
    match = _WEEK.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    return week_of(date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1))


def monday(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def sunday(week: str) -> date:
    return monday(week) + timedelta(days=6)


def previous_week(week: str) -> str:
    return week_of(monday(week) - timedelta(days=7))


def chinese_date(day: date, year: bool = True) -> str:
    """2023-09-15 → 2023年9月15日 (9月15日 without the year)."""
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"



# -- what a report is made of ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Item:
    """One event of the week about a measure, in words; its problem page while that exists."""

    subject: str  # the measure's id
    problem: str
    text: str  # the measure's text ("" when it is gone)
    departments: str  # names, joined with 、
    words: str
    day: date
    page: str | None
    anchor: str

    def sentence(self) -> str:
        """P01-M1 制定学习计划（党政办公室），状态：推进中 → 已完成，9月15日更新。"""
        return W["item"].format(subject=self.subject, text=f" {self.text}" if self.text else "",
                                departments=f"（{self.departments}）" if self.departments else "",
                                words=self.words, day=chinese_date(self.day, year=False))


@dataclass(frozen=True, slots=True)
class ReportLine:
    """A measure in one of the report's lists (overdue, due next week, not updated) with a note."""

    row: Row
    departments: str
    leaders: str
    note: str
    page: str | None  # the problem's page, while it exists
    anchor: str


@dataclass(frozen=True, slots=True)
class Count:
    """A department's or a leader's share of the lists."""

    name: str
    overdue: int
    due_next: int
    stale: int


@dataclass(frozen=True, slots=True)
class Figure:
    """A row of the figures table: the week before, this week, the change."""

    label: str
    before: str
    after: str
    change: str


@dataclass(frozen=True, slots=True)
class Point:
    """The burn-up at one week's end."""

    week: str
    measures: int
    completed: int
    closed: int


@dataclass(frozen=True)
class _End:
    """The ledger after the last commit of a week that had commits."""

    week: str
    problems: tuple[Problem, ...]
    touched: dict[str, date | None]  # open measure → the day of the last event touching it
    events: tuple[tuple[date, Event], ...]  # the week's, oldest first
    commits: int


# -- the weeks -------------------------------------------------------------------------------

S = TypeVar("S")


def counted(steps: Iterable[tuple[Commit, S]], current: str) -> Iterator[tuple[str, date, Commit, S]]:
    """The committed steps a report counts, up to week `current`, each with its week and day.

    A commit dated before its predecessor (after a rebase) counts in its predecessor's week.
    """
    week = ""
    for commit, delta in steps:
        day = commit.day  # a time zone conversion: once a commit, not once an event
        if commit.uncommitted or day is None:
            continue  # reports are of what was committed
        week = max(week, week_of(day))
        if week > current:
            return
        yield week, day, commit, delta


def weeks_of(commits: Iterable[Commit], current: str) -> list[str]:
    """The weeks `Weekly.weeks` lists for these commits (oldest first, events not needed), newest first."""
    return list(reversed(dict.fromkeys(week for week, *_ in counted(((c, None) for c in commits), current))))


class Weekly:
    """Every week's report of one ledger, from the history read once per build.

    `agg` is the ledger as the site shows it (public already when `public`): names, pages,
    the as-of date. The state of each week comes from the history's committed snapshots.
    """

    def __init__(self, history: History | None, agg: Aggregate, public: bool = False, limits: str = "") -> None:
        self.history = history or History()
        self.agg = agg
        self.public = public
        # Not "": the history is the records' own dates (reports.dated), and this line says what that leaves out.
        self.limits = limits
        self.as_of = agg.as_of
        self.current = week_of(agg.as_of)
        self.names = Names.of(agg.ledger)
        self._aggregates: dict[tuple[str, date], Aggregate] = {}
        self._counts: dict[str, Point] = {}
        self._reports: dict[str, Report] = {}  # the index and each week's page ask for the same reports

    @property
    def available(self) -> bool:
        return self.history.available and bool(self._ends)

    @property
    def warnings(self) -> list[str]:
        return self.history.warnings

    @cached_property
    def weeks(self) -> list[str]:
        """The weeks with commits up to the as-of date's week, newest first."""
        return [end.week for end in reversed(self._ends)]

    @property
    def first(self) -> str:
        return self._ends[0].week

    def has(self, week: str) -> bool:
        """A report can be made for `week`: from the first commit's week to the as-of date's."""
        return self.available and self.first <= week <= self.current

    def report(self, week: str) -> Report:
        if week not in self._reports:
            with collector_paused():
                self._reports[week] = self._report(week)
        return self._reports[week]

    def _report(self, week: str) -> Report:
        end = self._end_at(week)
        if end is None or week > self.current:
            raise KeyError(week)
        as_of = min(sunday(week), self.as_of)
        agg = self._aggregate(end, as_of)
        before_end = self._end_at(previous_week(week))
        before = self._aggregate(before_end, sunday(previous_week(week))) if before_end else None
        own = end if end.week == week else None  # a week without commits has no events of its own
        groups, changes = self._groups(own, agg)
        return Report(
            week=week, start=monday(week), end=sunday(week), as_of=as_of, agg=agg, before=before,
            groups=groups, commits=own.commits if own else 0, status_changes=changes,
            overdue=[self._line(r, _overdue_note(r, as_of)) for r in agg.overdue()],
            due_next=[self._line(r, _due_note(r, as_of)) for r in due_next(agg, sunday(week) + timedelta(days=7))],
            stale=[] if self.limits else [self._line(r, _stale_note(last, as_of)) for r, last in stale(agg, end.touched)],
            points=self.points(week), public=self.public, names=self.names, limits=self.limits,
        )

    def points(self, until: str | None = None) -> list[Point]:
        """The burn-up: every week from the first commit's to `until` (default the as-of date's)."""
        found = []
        week, last = self.first, until or self.current
        while week <= last:
            end = self._end_at(week)
            if end is not None:
                found.append(replace(self._count(end), week=week))
            week = week_of(monday(week) + timedelta(days=7))
        return found

    # -- one pass over the history ---------------------------------------------------------

    @cached_property
    def _ends(self) -> list[_End]:
        with collector_paused():
            return self._replay()

    def _replay(self) -> list[_End]:
        ends: list[_End] = []
        current: dict[str, Problem] = {}
        touched: dict[str, date] = {}
        events: list[tuple[date, Event]] = []
        week, commits = "", 0
        for this, day, commit, delta in counted(self.history.steps, self.current):
            if week and this != week:
                ends.append(self._close_week(week, current, touched, events, commits))
                events, commits = [], 0
            week = this
            for path, problem in delta.items():
                if problem is None:
                    current.pop(path, None)
                else:
                    current[path] = problem
            for event in commit.events:
                _touch(touched, event, day)
                if _group(event) is not None:  # kept only what a report lists
                    events.append((day, event))
            commits += bool(commit.events)
        if week:
            ends.append(self._close_week(week, current, touched, events, commits))
        return ends

    def _close_week(self, week: str, current: dict[str, Problem], touched: dict[str, date],
                    events: list[tuple[date, Event]], commits: int) -> _End:
        problems = tuple(p for p in current.values() if self._kept(p))
        open_ = {m.id: touched.get(m.id) for p in problems for m in p.measures if m.status in OPEN}
        shown = tuple((day, e) for day, e in events if self._shown(e))
        return _End(week, problems, open_, shown, commits)

    def _kept(self, problem: Problem) -> bool:
        # Public: what the public site shows now, and was public then (a problem since deleted stays out).
        return not self.public or (problem.public and problem.id in self.agg.problem_by_id)

    def _shown(self, event: Event) -> bool:
        return not self.public or (not event.private and event.problem in self.agg.problem_by_id)

    def _end_at(self, week: str) -> _End | None:
        """The last week with commits up to `week`."""
        found = None
        for end in self._ends:
            if end.week > week:
                break
            found = end
        return found

    def _aggregate(self, end: _End, as_of: date) -> Aggregate:
        key = (end.week, as_of)
        if key not in self._aggregates:
            ledger = replace(self.agg.ledger, problems=list(end.problems))
            self._aggregates[key] = Aggregate(public_ledger(ledger) if self.public else ledger, as_of)
        return self._aggregates[key]

    def _count(self, end: _End) -> Point:
        if end.week not in self._counts:
            statuses = [m.status for p in end.problems for m in p.measures]
            self._counts[end.week] = Point(end.week, len(statuses), sum(s in COMPLETED for s in statuses),
                                           statuses.count("closed"))
        return self._counts[end.week]

    # -- the week's events, grouped ---------------------------------------------------------

    def _groups(self, end: _End | None, agg: Aggregate) -> tuple[list[tuple[str, list[Item]]], int]:
        """The week's events by group, and how many status changes there were in all."""
        lists: dict[str, list[Item]] = {g: [] for g in GROUPS}
        newly: dict[str, dict[str, Item]] = {"completed": {}, "closed": {}}
        changes = 0
        for day, event in end.events if end else ():
            group = _group(event)
            if group is None:
                continue
            changes += isinstance(event, StatusChanged)
            item = self._item(event, day, agg)
            if group == "newly":
                self._newly(newly, event, item, agg, lists)  # type: ignore[arg-type]
            else:
                lists[group].append(item)
        for group, items in newly.items():
            lists[group] = list(items.values())
        return [(g, lists[g]) for g in GROUPS if not (self.public and g in PRIVATE_GROUPS)], changes

    @staticmethod
    def _newly(newly: dict[str, dict[str, Item]], event: StatusChanged, item: Item, agg: Aggregate,
               lists: dict[str, list[Item]]) -> None:
        """Completed and closed count a measure once, and only when it still is at the week's end."""
        row = agg.row_by_id.get(event.measure)
        status = row.measure.status if row is not None and row.problem.id == event.problem else None
        placed = False
        if event.before in OPEN and event.after in COMPLETED and status in COMPLETED:
            newly["completed"].pop(event.measure, None)
            newly["completed"][event.measure] = item
            placed = True
        if event.after == "closed" and status == "closed":
            newly["closed"].pop(event.measure, None)
            newly["closed"][event.measure] = item
            placed = True
        if not placed:
            lists["status"].append(item)

    def _item(self, event: Event, day: date, agg: Aggregate) -> Item:
        row = agg.row_by_id.get(event.subject)
        departments = self.names.list("department", row.measure.department) if row else ""
        return Item(event.subject, event.problem, row.measure.text if row else "", departments,
                    event.words(self.names), day, *self._link(event.problem, event.subject))

    def _line(self, row: Row, note: str) -> ReportLine:
        m = row.measure
        return ReportLine(row, self.names.list("department", m.department),
                    "" if self.public else self.names.list("leader", m.leader), note, *self._link(row.problem.id, m.id))

    def _link(self, problem: str, subject: str) -> tuple[str | None, str]:
        """The problem's page and the measure's anchor there, as far as they exist now."""
        if problem not in self.agg.problem_by_id:
            return None, ""
        now = self.agg.row_by_id.get(subject)
        return f"problems/{problem}.md", subject if now is not None and now.problem.id == problem else ""


def _group(event: Event) -> str | None:
    if isinstance(event, StatusChanged):
        return "newly" if event.after in COMPLETED else "status"
    if isinstance(event, DueChanged):
        return "extended" if event.later else None
    if isinstance(event, EvidenceAdded):
        return "evidence"
    if isinstance(event, RecheckAdded):
        return "relapsed" if event.result == "relapsed" else "rechecked"
    return None


def _touch(touched: dict[str, date], event: Event, day: date) -> None:
    """Remember the day of the last event about each measure."""
    if isinstance(event, MeasureEvent):
        touched[event.measure] = day
    elif isinstance(event, ProblemAdded):
        touched.update(dict.fromkeys(event.measures, day))
    elif isinstance(event, TextEdited) and event.field == "measure":
        touched[event.id] = day


def due_next(agg: Aggregate, until: date) -> list[Row]:
    """Open measures due from the as-of date to `until` (next Sunday), earliest first."""
    found = [r for r in agg.rows if r.measure.status in OPEN and r.measure.due is not None
             and agg.as_of <= r.measure.due <= until]
    return sorted(found, key=lambda r: (r.measure.due, r.measure.id))


def stale(agg: Aggregate, touched: dict[str, date | None]) -> list[tuple[Row, date | None]]:
    """Open measures whose last update is more than two weeks before the as-of date, oldest first."""
    limit = agg.as_of - timedelta(days=STALE_DAYS)
    found = [(r, touched.get(r.measure.id)) for r in agg.rows if r.measure.status in OPEN]
    found = [(r, last) for r, last in found if last is None or last < limit]
    return sorted(found, key=lambda x: (x[1] or date.min, x[0].measure.id))


def _overdue_note(row: Row, as_of: date) -> str:
    return W["note_overdue"].format(days=(as_of - row.measure.due).days) if row.measure.due else ""


def _due_note(row: Row, as_of: date) -> str:
    days = (row.measure.due - as_of).days if row.measure.due else 0
    return W["note_due"].format(days=days) if days else W["note_due_today"]


def _stale_note(last: date | None, as_of: date) -> str:
    return W["note_stale"].format(date=last, days=(as_of - last).days) if last else W["note_never"]


# -- one week's report ------------------------------------------------------------------------

@dataclass
class Report:
    """What one week's report says; the site page, the Markdown and the Word report all read it."""

    week: str
    start: date  # Monday
    end: date  # Sunday
    as_of: date  # the Sunday, or the as-of date in the current week
    agg: Aggregate  # the ledger after the week's last commit
    before: Aggregate | None  # at the end of the week before (None before the first commit)
    groups: list[tuple[str, list[Item]]]
    commits: int
    status_changes: int
    overdue: list[ReportLine]
    due_next: list[ReportLine]
    stale: list[ReportLine]
    points: list[Point]  # the burn-up up to this week
    public: bool
    names: Names
    limits: str = ""  # what a report from the records' own dates could not include (one line), else ""

    @property
    def year(self) -> int:
        return int(self.week[:4])

    @property
    def number(self) -> int:
        return int(self.week[-2:])

    def count(self, group: str) -> int:
        return next((len(items) for g, items in self.groups if g == group), 0)

    def title(self) -> str:
        return W["report_title"].format(unit=self.agg.ledger.unit, year=self.year, week=self.number)

    def period(self) -> str:
        return W["period"].format(start=chinese_date(self.start), end=chinese_date(self.end, year=self.end.year != self.start.year),
                                  as_of=chinese_date(self.as_of))

    def heading(self) -> str:
        return W["heading"].format(year=self.year, week=self.number)

    # -- 一、总体进展

    def overall(self) -> list[str]:
        """The figure sentences: where the ledger stands, by measures and by problems, and the change."""
        t = self.agg.tally
        found = [W["sentence"].format(as_of=chinese_date(self.as_of), problems=len(self.agg.problems), measures=t.measures,
                                      completed=t.completed, closed=t.by_status["closed"], open=t.open,
                                      not_started=W["sentence_not_started"].format(count=t.by_status["not_started"])
                                      if t.by_status["not_started"] else "", rate=percent(t.completion_rate))]
        done = sum(problem_status(p) in COMPLETED for p in self.agg.problems)
        found.append(W["sentence_problems"].format(completed=done, open=len(self.agg.problems) - done))
        if self.before is None:
            found.append(W["sentence_first"])
        else:
            b = self.before.tally
            parts = [_change(W["what_completed"], b.completed, t.completed),
                     _change(W["what_closed"], b.by_status["closed"], t.by_status["closed"]),
                     _rate_change(b.completion_rate, t.completion_rate)]
            found.append(W["sentence_change"].format(parts="，".join(parts)))
        return found

    def figures(self) -> list[Figure]:
        """Week end against the week before: counts, the completion rate, overdue and due soon."""
        after = _figures(self.agg)
        before = _figures(self.before) if self.before else {}
        found = []
        for key, value in after.items():
            old = before.get(key)
            if key == "rate":
                shown = (percent(old) if old is not None else "—", percent(value))
                change = W["points"].format(value=_signed(round((value - old) * 100, 1))) if old is not None else "—"
            else:
                shown = (str(old) if old is not None else "—", str(value))
                change = _signed(value - old) if old is not None else "—"
            found.append(Figure(W[f"row_{key}"], *shown, change))
        return found

    def areas(self) -> list[tuple[str, int, int, str, int]]:
        """(一、area, measures, completed, rate, completed this week) per area."""
        newly = {i.subject for g, items in self.groups if g == "completed" for i in items}
        found = []
        for i, group in enumerate(self.agg.by_area(), 1):
            this_week = sum(r.measure.id in newly for r in group.rows)
            found.append((f"{chinese_number(i)}、{group.name}", group.tally.measures, group.tally.completed,
                          percent(group.tally.completion_rate), this_week))
        return found

    def burnup(self, last: int = 8) -> list[tuple[str, str, int, int, int, str]]:
        """The burn-up's last weeks as rows: (week, its end or the as-of date, measures, completed, closed, rate)."""
        return [(p.week, min(sunday(p.week), self.as_of).isoformat(), p.measures, p.completed, p.closed,
                 percent(p.completed / p.measures if p.measures else 0.0)) for p in self.points[-last:]]

    # -- 二、本周工作

    def work(self) -> str:
        """One sentence on the week's updates."""
        if not self.commits:
            return W["dated_work_none" if self.limits else "work_none"]
        counts = {g: len(items) for g, items in self.groups}
        counts["status"] = self.status_changes  # every change, not only those listed under 其他状态变化
        parts = [W[f"count_{g}"].format(n=counts[g]) for g in GROUPS if counts.get(g)]
        if self.limits:
            return W["dated_work"].format(parts="，".join(parts)) if parts else W["dated_work_none"]
        if not parts:
            return W["work_quiet"].format(commits=self.commits)
        return W["work_sentence"].format(commits=self.commits, parts="，".join(parts))

    def shown_groups(self) -> list[tuple[str, list[Item]]]:
        """The groups that have items, with their headings."""
        return [(W[f"group_{g}"], items) for g, items in self.groups if items]

    # -- 三、逾期及临期事项

    def due_next_note(self) -> str:
        return W["due_next_note"].format(start=chinese_date(self.as_of, year=False),
                                         end=chinese_date(self.end + timedelta(days=7), year=False))

    def stale_note(self) -> str:
        if self.limits:
            return W["dated_stale"]
        return W["stale_note"].format(date=chinese_date(self.as_of - timedelta(days=STALE_DAYS), year=False))

    def by_department(self) -> list[Count]:
        ids = [d.id for d in self.agg.ledger.departments]
        return self._counts("department", ids, lambda i: self.names.list("department", (i,)))

    def by_leader(self) -> list[Count]:
        if self.public:
            return []  # the public profile names no one
        ids = [p.id for p in self.agg.ledger.people]
        return self._counts("leader", ids, lambda i: self.names.list("leader", (i,)))

    def _counts(self, role: str, order: list[str], name) -> list[Count]:  # type: ignore[no-untyped-def]
        tallies: dict[str, list[int]] = {}
        for column, lines in enumerate((self.overdue, self.due_next, self.stale)):
            for line in lines:
                for key in getattr(line.row.measure, role):
                    tallies.setdefault(key, [0, 0, 0])[column] += 1
        keys = [k for k in order if k in tallies] + sorted(k for k in tallies if k not in order)
        return [Count(name(k), *tallies[k]) for k in keys]

    # -- 四、下一步工作

    def next_steps(self) -> list[str]:
        t = self.agg.tally
        long_term = sum(1 for r in self.agg.rows if r.measure.long_term and r.measure.status in OPEN)
        found = [W[key].format(n=n) for key, n in (
            ("next_overdue", len(self.overdue)), ("next_due", len(self.due_next)), ("next_stale", len(self.stale)),
            ("next_done", t.by_status["done"]), ("next_long_term", long_term)) if n]
        return found + [W["next_always"]]

    def signature(self) -> tuple[str, str]:
        return self.agg.ledger.unit, chinese_date(self.as_of)

    def headline(self) -> dict[str, int | str]:
        """The figures of the /weekly/ list."""
        return {"completed": self.count("completed"), "closed": self.count("closed"), "status": self.status_changes,
                "extended": self.count("extended"), "evidence": self.count("evidence"),
                "overdue": len(self.overdue), "rate": percent(self.agg.tally.completion_rate)}


def _figures(agg: Aggregate) -> dict[str, float]:
    t = agg.tally
    return {"problems": len(agg.problems), "measures": t.measures, "completed": t.completed, "closed": t.by_status["closed"],
            "in_progress": t.by_status["in_progress"], "not_started": t.by_status["not_started"],
            "rate": t.completion_rate, "overdue": t.overdue, "due_soon": t.due_soon}


def _signed(value: float) -> str:
    """+3, -2, 0; 3.4 → +3.4."""
    return f"{value:+g}" if value else "0"


def _change(what: str, before: int, after: int) -> str:
    """已完成措施增加3条 / 减少1条 / 与上周持平."""
    if after == before:
        return W["same"].format(what=what)
    return W["more" if after > before else "less"].format(what=what, n=abs(after - before))


def _rate_change(before: float, after: float) -> str:
    key = "rate_same" if after == before else "rate_up" if after > before else "rate_down"
    return W[key].format(before=percent(before), after=percent(after))


# -- the burn-up chart --------------------------------------------------------------------------
