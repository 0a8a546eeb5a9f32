"""Ledger events: what changed between two versions of the records, typed, and in words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from taizhang.labels import EVENT_WORDS, LABELS, MARK_LABELS, RECHECK_RESULTS, status_label
from taizhang.ledger.records import Extension, Ledger, Measure, Problem, Recheck

W = EVENT_WORDS


@dataclass(frozen=True, slots=True)
class Names:
    """Person and department names for the words of an event (ids where a name is unknown)."""

    people: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, ledger: Ledger) -> Names:
        return cls({p.id: p.name for p in ledger.people}, {d.id: d.name for d in ledger.departments})

    def list(self, role: str, ids: tuple[str, ...]) -> str:
        table = self.departments if role == "department" else self.people
        return "、".join(table.get(i, i) for i in ids) or W["nothing"]


NO_NAMES = Names()


def _day(value: date | None) -> str:
    return value.isoformat() if value else MARK_LABELS["long_term"]


# -- the events ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Event:
    """One change to the ledger; `path` is the problem's file after it (before it, when removed)."""

    problem: str
    path: str
    kind: ClassVar[str] = ""
    private: ClassVar[bool] = False  # names a person, evidence or a file: left out of the public profile

    @property
    def subject(self) -> str:
        """The id the event is about (a measure's, a manifestation's or the problem's)."""
        return self.problem

    def about(self, id: str) -> bool:
        return id == self.subject

    def words(self, names: Names = NO_NAMES) -> str:
        raise NotImplementedError

    def sentence(self, names: Names = NO_NAMES) -> str:
        """"P01-M1 状态：推进中 → 已完成"."""
        return f"{self.subject} {self.words(names)}"


@dataclass(frozen=True, slots=True)
class _Whole(Event):
    """A whole problem, with its measures."""

    title: str
    measures: tuple[str, ...]

    def about(self, id: str) -> bool:
        return id == self.problem or id in self.measures

    def words(self, names: Names = NO_NAMES) -> str:
        return W[self.kind].format(text=self.title)


@dataclass(frozen=True, slots=True)
class ProblemAdded(_Whole):
    kind: ClassVar[str] = "problem_added"


@dataclass(frozen=True, slots=True)
class ProblemRemoved(_Whole):
    kind: ClassVar[str] = "problem_removed"


@dataclass(frozen=True, slots=True)
class ProblemMoved(Event):
    before: str
    kind: ClassVar[str] = "problem_moved"

    def words(self, names: Names = NO_NAMES) -> str:
        return W["problem_moved"].format(before=self.before, after=self.path)


@dataclass(frozen=True, slots=True)
class TextEdited(Event):
    """The problem's title or body, a manifestation's or a measure's text was rewritten."""

    id: str
    field: str  # title | body | manifestation | measure
    text: str
    kind: ClassVar[str] = "text_edited"

    @property
    def subject(self) -> str:
        return self.id

    @property
    def private(self) -> bool:  # type: ignore[override]
        return self.field == "body"  # the narrative is internal (docs/guide/format.md, 公开版)

    def words(self, names: Names = NO_NAMES) -> str:
        return W[f"text_{self.field}"].format(text=self.text)


@dataclass(frozen=True, slots=True)
class _Manifestation(Event):
    manifestation: str
    text: str

    @property
    def subject(self) -> str:
        return self.manifestation

    def words(self, names: Names = NO_NAMES) -> str:
        return W[self.kind].format(text=self.text)


@dataclass(frozen=True, slots=True)
class ManifestationAdded(_Manifestation):
    kind: ClassVar[str] = "manifestation_added"


@dataclass(frozen=True, slots=True)
class ManifestationRemoved(_Manifestation):
    kind: ClassVar[str] = "manifestation_removed"


@dataclass(frozen=True, slots=True)
class MeasureEvent(Event):
    """An event about one measure."""

    measure: str

    @property
    def subject(self) -> str:
        return self.measure


@dataclass(frozen=True, slots=True)
class MeasureAdded(MeasureEvent):
    text: str
    status: str
    kind: ClassVar[str] = "measure_added"

    def words(self, names: Names = NO_NAMES) -> str:
        return W["measure_added"].format(status=status_label(self.status), text=self.text)


@dataclass(frozen=True, slots=True)
class MeasureRemoved(MeasureEvent):
    text: str
    kind: ClassVar[str] = "measure_removed"

    def words(self, names: Names = NO_NAMES) -> str:
        return W["measure_removed"].format(text=self.text)


@dataclass(frozen=True, slots=True)
class StatusChanged(MeasureEvent):
    before: str
    after: str
    kind: ClassVar[str] = "status"

    def words(self, names: Names = NO_NAMES) -> str:
        return W["status"].format(before=status_label(self.before), after=status_label(self.after))


@dataclass(frozen=True, slots=True)
class DueChanged(MeasureEvent):
    """`due` moved; `extension` is the new extension entry whose `to` is the new `due`, if any."""

    before: date | None  # None: long-term
    after: date | None
    extension: Extension | None
    kind: ClassVar[str] = "due"

    @property
    def later(self) -> bool:
        return self.before is not None and self.after is not None and self.after > self.before

    def words(self, names: Names = NO_NAMES) -> str:
        text = W["due"].format(before=_day(self.before), after=_day(self.after))
        if self.extension is not None:
            return text + W["due_extended"].format(approved_on=self.extension.approved_on or "")
        return text + (W["due_silent"] if self.later else "")


@dataclass(frozen=True, slots=True)
class ResponsibleChanged(MeasureEvent):
    role: str  # leader | department | owner
    before: tuple[str, ...]
    after: tuple[str, ...]
    kind: ClassVar[str] = "responsible"

    @property
    def private(self) -> bool:  # type: ignore[override]
        return self.role != "department"

    def words(self, names: Names = NO_NAMES) -> str:
        return W["responsible"].format(role=LABELS[self.role], before=names.list(self.role, self.before),
                                       after=names.list(self.role, self.after))


@dataclass(frozen=True, slots=True)
class _Evidence(MeasureEvent):
    title: str
    private: ClassVar[bool] = True

    def words(self, names: Names = NO_NAMES) -> str:
        return W[self.kind].format(text=self.title)


@dataclass(frozen=True, slots=True)
class EvidenceAdded(_Evidence):
    kind: ClassVar[str] = "evidence_added"


@dataclass(frozen=True, slots=True)
class EvidenceRemoved(_Evidence):
    kind: ClassVar[str] = "evidence_removed"


@dataclass(frozen=True, slots=True)
class _Text(MeasureEvent):
    text: str

    def words(self, names: Names = NO_NAMES) -> str:
        return W[self.kind].format(text=self.text or W["nothing"])


@dataclass(frozen=True, slots=True)
class ProgressChanged(_Text):
    kind: ClassVar[str] = "progress"


@dataclass(frozen=True, slots=True)
class OutcomeChanged(_Text):
    kind: ClassVar[str] = "outcome"


@dataclass(frozen=True, slots=True)
class DateChanged(MeasureEvent):
    """`done_on` or `closed_on` set, moved or cleared."""

    field: str  # done_on | closed_on
    before: date | None
    after: date | None
    kind: ClassVar[str] = "date"

    def words(self, names: Names = NO_NAMES) -> str:
        after = self.after.isoformat() if self.after else W["nothing"]
        if self.before is None:
            return W["date_set"].format(field=LABELS[self.field], after=after)
        return W["date_changed"].format(field=LABELS[self.field], before=self.before, after=after)


@dataclass(frozen=True, slots=True)
class RecheckAdded(MeasureEvent):
    date: date | None
    result: str  # passed | relapsed
    kind: ClassVar[str] = "recheck"

    def words(self, names: Names = NO_NAMES) -> str:
        return W["recheck"].format(date=self.date or "", result=RECHECK_RESULTS.get(self.result, self.result))


@dataclass(frozen=True, slots=True)
class FileChanged(Event):
    """A file under records/ that is no problem (ledger.yml, owners.yml, evidence) changed."""

    change: str  # added | modified | deleted
    kind: ClassVar[str] = "file"
    private: ClassVar[bool] = True

    @property
    def subject(self) -> str:
        return self.path

    def words(self, names: Names = NO_NAMES) -> str:
        return W[f"file_{self.change}"]


# -- deriving events -----------------------------------------------------------------

def changes(before: Iterable[Problem], after: Iterable[Problem]) -> list[Event]:
    """The events that turn the problems `before` into the problems `after`, paired by id."""
    old, new = _by_id(before), _by_id(after)
    found: list[Event] = []
    for key, problem in new.items():
        if key in old:
            found.extend(problem_events(old[key], problem))
        else:
            found.append(ProblemAdded(problem.id, problem.path, problem.title, tuple(m.id for m in problem.measures)))
    for key, problem in old.items():
        if key not in new:
            found.append(ProblemRemoved(problem.id, problem.path, problem.title, tuple(m.id for m in problem.measures)))
    return found


def _by_id(problems: Iterable[Problem]) -> dict[str, Problem]:
    found: dict[str, Problem] = {}
    for p in problems:
        # Two files claiming one id (an invalid ledger) stay apart rather than vanish.
        found[p.id if p.id not in found else f"{p.id}\0{p.path}"] = p
    return found


def problem_events(a: Problem, b: Problem) -> Iterator[Event]:
    """What changed in one problem between two of its versions."""
    pid, path = b.id, b.path
    if a.path != b.path:
        yield ProblemMoved(pid, path, a.path)
    if a.title != b.title:
        yield TextEdited(pid, path, pid, "title", b.title)
    if a.body.strip() != b.body.strip():
        yield TextEdited(pid, path, pid, "body", "")
    yield from _manifestations(a, b)
    old = {m.id: m for m in a.measures}
    for m in b.measures:
        if m.id in old:
            if old[m.id] is not m:  # revisions share the measures they did not change
                yield from measure_events(b, old[m.id], m)
        else:
            yield MeasureAdded(pid, path, m.id, m.text, m.status)
    kept = {m.id for m in b.measures}
    for m in a.measures:
        if m.id not in kept:
            yield MeasureRemoved(pid, path, m.id, m.text)


def _manifestations(a: Problem, b: Problem) -> Iterator[Event]:
    old = {m.id: m for m in a.manifestations}
    for m in b.manifestations:
        if m.id not in old:
            yield ManifestationAdded(b.id, b.path, m.id, m.text)
        elif old[m.id].text != m.text:
            yield TextEdited(b.id, b.path, m.id, "manifestation", m.text)
    kept = {m.id for m in b.manifestations}
    for m in a.manifestations:
        if m.id not in kept:
            yield ManifestationRemoved(b.id, b.path, m.id, m.text)


def measure_events(problem: Problem, a: Measure, b: Measure) -> Iterator[Event]:
    """What changed in one measure, in the order a reader follows it."""
    at = (problem.id, problem.path, b.id)
    if a.text != b.text:
        yield TextEdited(problem.id, problem.path, b.id, "measure", b.text)
    if a.status != b.status:
        yield StatusChanged(*at, a.status, b.status)
    if a.due != b.due:
        yield DueChanged(*at, a.due, b.due, new_extension(a, b))
    for role in ("leader", "department", "owner"):
        if getattr(a, role) != getattr(b, role):
            yield ResponsibleChanged(*at, role, getattr(a, role), getattr(b, role))
    yield from _evidence(at, a, b)
    if a.progress != b.progress:
        yield ProgressChanged(*at, b.progress or "")
    if a.outcome != b.outcome:
        yield OutcomeChanged(*at, b.outcome or "")
    for name in ("done_on", "closed_on"):
        if getattr(a, name) != getattr(b, name):
            yield DateChanged(*at, name, getattr(a, name), getattr(b, name))
    old = {_recheck_key(r) for r in a.rechecks}
    for r in b.rechecks:
        if _recheck_key(r) not in old:
            yield RecheckAdded(*at, r.date, r.result)


def _evidence(at: tuple[str, str, str], a: Measure, b: Measure) -> Iterator[Event]:
    old = [(e.title, e.path, e.url) for e in a.evidence]
    new = [(e.title, e.path, e.url) for e in b.evidence]
    if old == new:
        return
    for key in new:
        if key not in old:
            yield EvidenceAdded(*at, key[0])
    for key in old:
        if key not in new:
            yield EvidenceRemoved(*at, key[0])


def _recheck_key(r: Recheck) -> tuple:
    return (r.date, r.by, r.result, r.note)


def _extension_key(e: Extension) -> tuple:
    return (e.from_, e.to, e.approved_by, e.approved_on, e.reason)


def new_extension(a: Measure, b: Measure) -> Extension | None:
    """The extension entry added by this change whose `to` is the new `due`, if there is one."""
    old = {_extension_key(e) for e in a.extensions}
    for e in reversed(b.extensions):
        if _extension_key(e) not in old and e.to == b.due:
            return e
    return None

