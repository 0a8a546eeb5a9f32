"""A ledger's past from the records' own dates, for reports where git has no history.

`done_on`, `closed_on`, an extension's `approved_on` and a recheck's `date` say when a measure
was completed, signed off, extended and re-checked. Rolling each measure back to a day gives
the ledger as it stood then, and the dates give the events: enough for a weekly report's
figures at a week's end and its events. What only git knows (progress text, when a record
was last touched, records added later) is not there; the reports say so in one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time

from taizhang.history.commits import Commit, History
from taizhang.history.events import DueChanged, Event, RecheckAdded, StatusChanged
from taizhang.labels import WEEKLY_WORDS as W
from taizhang.ledger.figures import Aggregate
from taizhang.ledger.repository import CHINA
from taizhang.ledger.records import Ledger, Measure, Problem
from taizhang.reports.weekly import Weekly, week_of, weeks_of

AUTHOR = "台账记录"  # what the synthetic steps say made them; no report prints it


def measure_at(measure: Measure, day: date) -> Measure:
    """The measure as its own dates say it stood at the end of `day`."""
    extensions = [e for e in measure.extensions if e.approved_on is None or e.approved_on <= day]
    due = measure.due
    if len(extensions) < len(measure.extensions):
        due = extensions[-1].to if extensions else measure.extensions[0].from_
    changes: dict[str, object] = {"extensions": extensions, "due": due,
                                  "rechecks": [r for r in measure.rechecks if r.date is None or r.date <= day]}
    if measure.done_on is not None and measure.done_on > day:
        changes.update(status="in_progress", done_on=None, evidence=[], closed_on=None, closed_by=None, outcome=None)
    elif measure.closed_on is not None and measure.closed_on > day:
        changes.update(status="done", closed_on=None, closed_by=None)
    return replace(measure, **changes)  # type: ignore[arg-type]


def problem_at(problem: Problem, day: date) -> Problem:
    return replace(problem, measures=[measure_at(m, day) for m in problem.measures])


def ledger_at(ledger: Ledger, day: date) -> Ledger:
    return replace(ledger, problems=[problem_at(p, day) for p in ledger.problems])


def events_on(problem: Problem, day: date) -> list[Event]:
    """What the records say happened to the problem's measures on `day`, in the order it happens."""
    found: list[Event] = []
    for m in problem.measures:
        if m.done_on == day:
            found.append(StatusChanged(problem.id, problem.path, m.id, "in_progress", "done"))
        if m.closed_on == day:
            found.append(StatusChanged(problem.id, problem.path, m.id, "done", "closed"))
        for e in m.extensions:
            if e.approved_on == day:
                found.append(DueChanged(problem.id, problem.path, m.id, e.from_, e.to, e))
        for r in m.rechecks:
            if r.date == day:
                found.append(RecheckAdded(problem.id, problem.path, m.id, r.date, r.result))
    return found


def days(ledger: Ledger, as_of: date) -> list[date]:
    """Every day a record names up to `as_of`, and the feedback day the ledger starts from (never none)."""
    found: set[date] = set()
    inspection = ledger.inspection
    if inspection is not None and inspection.feedback_on is not None:
        found.add(inspection.feedback_on)
    for m in ledger.measures():
        found.update(_dates(m))
    # No dated record and no feedback day: the ledger as it stands, so that the as-of week still has a report.
    return sorted(d for d in found if d <= as_of) or [as_of]


def _dates(m: Measure) -> Iterable[date]:
    yield from (d for d in (m.done_on, m.closed_on) if d is not None)
    yield from (e.approved_on for e in m.extensions if e.approved_on is not None)
    yield from (r.date for r in m.rechecks if r.date is not None)


def dated_history(ledger: Ledger, as_of: date) -> History:
    """A history of one step per dated day, shaped as git's: the weekly machinery reads it unchanged.

    The first step puts every problem in as it stood on the first day; later steps set the
    problems that changed. Every record is taken to exist from the first day on.
    """
    steps: list[tuple[Commit, dict[str, Problem | None]]] = []
    for i, day in enumerate(days(ledger, as_of)):
        events = [e for p in ledger.problems for e in events_on(p, day)]
        changed = {e.path for e in events}
        delta: dict[str, Problem | None] = {p.path: problem_at(p, day) for p in ledger.problems
                                            if i == 0 or p.path in changed}
        moment = datetime.combine(day, time(12), CHINA)
        steps.append((Commit(f"dated-{day.isoformat()}", AUTHOR, moment, tuple(events)), delta))
    commits = [c for c, _ in reversed(steps)]
    return History(commits=commits, available=bool(steps), steps=steps)


def weekly(history: History | None, agg: Aggregate, public: bool = False) -> Weekly:
    """The weekly reports from git where it has commits up to the as-of date, else from the records' dates.

    Not a repository, a shallow clone, or every commit after the as-of date: the records'
    own dates, and a line in every report saying what they leave out.
    """
    if history is not None and history.available:
        if weeks_of((c for c, _ in history.steps), week_of(agg.as_of)):
            return Weekly(history, agg, public)
        reason = W["no_weeks"].rstrip("。")
    else:
        reason = "；".join(history.warnings) if history is not None else ""
    limits = W["dated_limits"].format(reason=f"（{reason}）" if reason else "")
    return Weekly(dated_history(agg.ledger, agg.as_of), agg, public, limits=limits)


def weeks(agg: Aggregate) -> list[str]:
    """The weeks a `weekly` from the records' dates has, newest first, known before it is made."""
    return list(reversed(dict.fromkeys(week_of(d) for d in days(agg.ledger, agg.as_of))))
