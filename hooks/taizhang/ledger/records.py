"""The ledger's records as typed, located objects: what the files say, nothing derived."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from taizhang.errors import Error


@dataclass(frozen=True, slots=True)
class Where:
    """Where a mapping was written: file, field path prefix, and the line of each key."""

    path: str
    field: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)  # keys whose value could not be read

    def key(self, name: str = "") -> str:
        if not name:
            return self.field or ("yaml" if self.path.endswith(".yml") else "front matter")
        return f"{self.field}.{name}" if self.field else name

    def line_of(self, name: str = "") -> int:
        return self.lines.get(name, self.line)

    def error(self, name: str, message: str, index: int | None = None) -> Error:
        """An error about key `name` (item `index` of it, when a list)."""
        key = self.key(name) + (f"[{index}]" if index is not None else "")
        line = self.lines.get(f"{name}[{index}]", self.line_of(name)) if index is not None else self.line_of(name)
        return Error(self.path, line, key, message)


NOWHERE = Where("", "", 1)


@dataclass(slots=True)
class Area:
    id: str
    name: str
    where: Where = NOWHERE


@dataclass(slots=True)
class Inspection:
    by: str | None = None
    from_: date | None = None
    to: date | None = None
    feedback_on: date | None = None


@dataclass(slots=True)
class Declared:
    problems: int | None = None
    manifestations: int | None = None
    measures: int | None = None
    where: Where = NOWHERE


@dataclass(slots=True)
class Department:
    id: str
    name: str
    where: Where = NOWHERE


@dataclass(slots=True)
class Person:
    id: str
    name: str
    title: str | None = None
    department: str | None = None
    git: tuple[str, ...] = ()  # the e-mail addresses and names they commit under: history shows this person's name
    where: Where = NOWHERE


@dataclass(slots=True)
class Evidence:
    title: str
    path: str | None = None
    url: str | None = None
    where: Where = NOWHERE


@dataclass(slots=True)
class Extension:
    from_: date | None
    to: date | None
    approved_by: str
    approved_on: date | None
    reason: str | None = None
    where: Where = NOWHERE


@dataclass(slots=True)
class Recheck:
    date: date | None
    by: str
    result: str
    note: str | None = None
    where: Where = NOWHERE


@dataclass(slots=True)
class Manifestation:
    id: str
    text: str
    where: Where = NOWHERE


@dataclass(slots=True)
class Measure:
    id: str
    text: str
    leader: tuple[str, ...]
    department: tuple[str, ...]
    owner: tuple[str, ...]
    due: date | None  # None: long-term (长期坚持)
    status: str
    addresses: tuple[str, ...] = ()
    progress: str | None = None
    outcome: str | None = None
    done_on: date | None = None
    evidence: list[Evidence] = field(default_factory=list)
    closed_on: date | None = None
    closed_by: str | None = None
    extensions: list[Extension] = field(default_factory=list)
    rechecks: list[Recheck] = field(default_factory=list)
    extra: Any = None
    where: Where = NOWHERE
    problem: str = ""

    @property
    def long_term(self) -> bool:
        return self.due is None


@dataclass(slots=True)
class Problem:
    id: str
    area: str
    title: str
    manifestations: list[Manifestation]
    measures: list[Measure]
    public: bool = True
    body: str = ""
    extra: Any = None
    path: str = ""
    where: Where = NOWHERE


@dataclass(slots=True)
class Ledger:
    title: str
    unit: str
    areas: list[Area]
    inspection: Inspection | None = None
    declared: Declared | None = None
    due_soon_days: int = 14
    extra: Any = None
    departments: list[Department] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    where: Where = NOWHERE

    def measures(self) -> list[Measure]:
        return [m for p in self.problems for m in p.measures]
