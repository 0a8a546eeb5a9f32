"""Derived state and figures: overdue, due soon, late, problem status, counts and rates.

Built once per build from the model; every page and export reads from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from taizhang.labels import LABELS, OFFICE_WORDS, STATUSES
from taizhang.ledger.repository import natural
from taizhang.ledger.records import Area, Department, Ledger, Measure, Person, Problem

OPEN = ("not_started", "in_progress")
COMPLETED = ("done", "closed")
# Weekly reports sort every week's problems again: their ids' sort keys are worth keeping.
_natural = cache(natural)


def is_overdue(measure: Measure, as_of: date) -> bool:
    return measure.status in OPEN and measure.due is not None and measure.due < as_of


def is_due_soon(measure: Measure, as_of: date, days: int) -> bool:
    return measure.status in OPEN and measure.due is not None and as_of <= measure.due <= as_of + timedelta(days=days)


def is_late(measure: Measure) -> bool:
    return measure.done_on is not None and measure.due is not None and measure.done_on > measure.due


def is_relapsed(measure: Measure) -> bool:
    return bool(measure.rechecks) and measure.rechecks[-1].result == "relapsed"


def problem_status(problem: Problem) -> str:
    statuses = {m.status for m in problem.measures}
    if statuses == {"closed"}:
        return "closed"
    if statuses <= set(COMPLETED):
        return "done"
    if statuses == {"not_started"}:
        return "not_started"
    return "in_progress"


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def percent(value: float) -> str:
    """A completion rate as Chinese reports print it: 97.7%."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


@dataclass
class Tally:
    """Counts over a set of measures."""

    measures: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    overdue: int = 0
    due_soon: int = 0
    late: int = 0
    long_term: int = 0
    extended: int = 0

    @property
    def completed(self) -> int:
        return self.by_status["done"] + self.by_status["closed"]

    @property
    def open(self) -> int:
        return self.measures - self.completed

    @property
    def completion_rate(self) -> float:
        return rate(self.completed, self.measures)


@dataclass
class Row:
    """One measure with what is derived from it, as every list page shows it."""

    measure: Measure
    problem: Problem
    area: Area | None
    overdue: bool
    due_soon: bool
    late: bool
    relapsed: bool

    @property
    def marks(self) -> list[str]:
        found = [m for m in ("overdue", "due_soon", "late", "relapsed") if getattr(self, m)]
        if self.measure.long_term:
            found.append("long_term")
        if self.measure.extensions:
            found.append("extended")
        return found


@dataclass
class Group:
    """Measures grouped under an area, department or person, with their tally."""

    key: str
    name: str
    rows: list[Row]
    tally: Tally


class Aggregate:
    """Everything pages and exports derive from the ledger at an as-of date."""

    def __init__(self, ledger: Ledger, as_of: date) -> None:
        self.ledger = ledger
        self.as_of = as_of
        self.areas = {a.id: a for a in ledger.areas}
        self.people = {p.id: p for p in ledger.people}
        self.departments = {d.id: d for d in ledger.departments}
        order = {a.id: i for i, a in enumerate(ledger.areas)}
        self.problems = sorted(ledger.problems, key=lambda p: (order.get(p.area, len(order)), _natural(p.id)))
        self.problem_by_id = {p.id: p for p in self.problems}
        self.rows = [self._row(m, p) for p in self.problems for m in p.measures]
        self.row_by_id = {r.measure.id: r for r in self.rows}
        self.tally = tally(self.rows)
        self.manifestations = sum(len(p.manifestations) for p in self.problems)
        self._indexes: dict[str, dict[str, list[Row]]] = {}  # see _rows_by

    def _row(self, measure: Measure, problem: Problem) -> Row:
        days = self.ledger.due_soon_days
        return Row(
            measure, problem, self.areas.get(problem.area),
            is_overdue(measure, self.as_of), is_due_soon(measure, self.as_of, days),
            is_late(measure), is_relapsed(measure),
        )

    def problem_status(self, problem: Problem) -> str:
        return problem_status(problem)

    def problem_tally(self, problem: Problem) -> Tally:
        return tally(self.row_by_id[m.id] for m in problem.measures)

    def problems_in(self, area: Area) -> list[Problem]:
        return [p for p in self.problems if p.area == area.id]

    def by_area(self) -> list[Group]:
        return [self._group(a.id, a.name, self._rows_by("area").get(a.id, ())) for a in self.ledger.areas]

    def by_department(self) -> list[Group]:
        return [self.department_group(d) for d in self.ledger.departments]

    def department_group(self, department: Department) -> Group:
        return self._group(department.id, department.name, self._rows_by("department").get(department.id, ()))

    def as_leader(self, person: Person) -> Group:
        return self._group(person.id, person.name, self._rows_by("leader").get(person.id, ()))

    def as_owner(self, person: Person) -> Group:
        return self._group(person.id, person.name, self._rows_by("owner").get(person.id, ()))

    def as_approver(self, person: Person) -> Group:
        """Measures the person signed off (销号), approved an extension of, or re-checked."""
        return self._group(person.id, person.name, self._rows_by("approver").get(person.id, ()))

    def _rows_by(self, kind: str) -> dict[str, list[Row]]:
        """Rows by area, department, leader, owner or approver id, in ledger order, each row once under an id.

        One pass per kind: a pass over every row for each person took seconds at thousands of measures.
        """
        found = self._indexes.get(kind)
        if found is None:
            found = self._indexes[kind] = {}
            for r in self.rows:
                for key in dict.fromkeys(_KEYS[kind](r)):
                    found.setdefault(key, []).append(r)
        return found

    def overdue(self) -> list[Row]:
        return sorted((r for r in self.rows if r.overdue), key=lambda r: (r.measure.due, r.measure.id))

    def due_soon(self) -> list[Row]:
        return sorted((r for r in self.rows if r.due_soon), key=lambda r: (r.measure.due, r.measure.id))

    def reconciliation(self) -> list[tuple[str, int | None, int]]:
        """(what, declared, counted) for problems, manifestations and measures."""
        declared = self.ledger.declared
        counted = {"problems": len(self.problems), "manifestations": self.manifestations, "measures": len(self.rows)}
        return [(k, getattr(declared, k) if declared else None, v) for k, v in counted.items()]

    def mismatch_lines(self) -> list[str]:
        """Counted figures that differ from the declared ones (对账), one warning line each, as
        `taizhang check` prints them and the site build logs them (information, not an error)."""
        where = self.ledger.declared.where if self.ledger.declared else None
        return [f"records/ledger.yml:{where.line_of(key) if where else 1}: declared.{key}: "
                + LABELS["mismatch_line"].format(what=LABELS[key], declared=declared, counted=counted)
                for key, declared, counted in self.reconciliation() if declared is not None and declared != counted]

    def summary(self) -> dict[str, Any]:
        """The JSON export's summary of this ledger (see `summary`)."""
        return summary(self.problems, self.rows)

    def upward(self) -> list[str]:
        return upward(self.summary())


    def _group(self, key: str, name: str, rows: Iterable[Row]) -> Group:
        found = list(rows)
        return Group(key, name, found, tally(found))


def _approvers(m: Measure) -> list[str]:
    """Who signed the measure off (销号), approved an extension of it, or re-checked it."""
    return ([m.closed_by] if m.closed_by else []) + [e.approved_by for e in m.extensions] + [r.by for r in m.rechecks]


_KEYS: dict[str, Callable[[Row], Iterable[str]]] = {
    "area": lambda r: (r.problem.area,), "department": lambda r: r.measure.department,
    "leader": lambda r: r.measure.leader, "owner": lambda r: r.measure.owner, "approver": lambda r: _approvers(r.measure),
}


def summary(problems: list[Problem], rows: list[Row]) -> dict[str, Any]:
    """The headline figures of the JSON export's summary, which the site's upward sentence reads too."""
    t = tally(rows)
    by_status = dict.fromkeys(STATUSES, 0)
    for problem in problems:
        by_status[problem_status(problem)] += 1
    return {
        "problems": len(problems),
        "manifestations": sum(len(p.manifestations) for p in problems),
        "measures": t.measures,
        "measures_by_status": dict(t.by_status),
        "overdue": t.overdue,
        "due_soon": t.due_soon,
        "completion_rate": t.completion_rate,
        # Problem-level counts (a problem is completed when all its measures are), as reports upward give them.
        "problems_by_status": by_status,
        "problems_completed": by_status["done"] + by_status["closed"],
        "measures_completed": t.completed,
    }


def upward(figures: dict[str, Any]) -> list[str]:
    """The sentences a unit reports upward, problems then measures, in the status bar's categories."""
    p, m = figures["problems_by_status"], figures["measures_by_status"]
    return [
        OFFICE_WORDS["upward_problems"].format(total=figures["problems"], completed=figures["problems_completed"],
                                               closed=p["closed"], in_progress=p["in_progress"], not_started=p["not_started"]),
        OFFICE_WORDS["upward_measures"].format(total=figures["measures"], completed=figures["measures_completed"],
                                               closed=m["closed"], in_progress=m["in_progress"], not_started=m["not_started"],
                                               overdue=figures["overdue"], rate=percent(figures["completion_rate"])),
    ]


def tally(rows: Iterable[Row]) -> Tally:
    t = Tally()
    for r in rows:
        m = r.measure
        t.measures += 1
        if m.status in t.by_status:
            t.by_status[m.status] += 1
        t.overdue += r.overdue
        t.due_soon += r.due_soon
        t.late += r.late
        t.long_term += m.long_term
        t.extended += bool(m.extensions)
    return t
