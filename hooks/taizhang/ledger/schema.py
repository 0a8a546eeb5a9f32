"""Reading YAML nodes into model records: required keys, types, unknown keys.

Each reader takes a node and returns a record (best effort) while appending to `errors`;
rules that relate several fields or records live in `rules.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import yaml

from taizhang import labels
from taizhang.errors import Error, show
from taizhang.ledger.records import (
    Area, Declared, Department, Evidence, Extension, Inspection, Ledger, Manifestation,
    Measure, Person, Problem, Recheck, Where,
)

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NULL = "tag:yaml.org,2002:null"
T = TypeVar("T")


class Fields:
    """One YAML mapping being read: typed getters that record errors, then unknown keys."""

    def __init__(self, node: yaml.Node, path: str, field: str, offset: int, errors: list[Error]) -> None:
        self.errors = errors
        self.offset = offset
        self.values: dict[str, yaml.Node] = {}
        self.used: set[str] = set()
        line = node.start_mark.line + 1 + offset
        self.where = Where(path, field, line, {})
        # Not a mapping is one error; its every required key reported missing would bury it.
        self.mapping = isinstance(node, yaml.MappingNode)
        if not self.mapping:
            self.fail("", f"应为键值映射，实际为{_kind(node)}")
            return
        for key, value in node.value:
            key_line = key.start_mark.line + 1 + offset
            if not isinstance(key, yaml.ScalarNode) or not key.value.strip():  # a blank key cannot name a field
                self.errors.append(Error(path, key_line, self.where.key(), f"键应为非空文字，实际为{_kind(key)}"))
                continue
            if key.value in self.values:
                self.errors.append(Error(path, key_line, self.where.key(key.value), "键重复出现"))
                continue
            self.values[key.value] = value
            self.where.lines[key.value] = key_line

    def fail(self, key: str, message: str, index: int | None = None) -> None:
        self.where.invalid.add(key)
        self.errors.append(self.where.error(key, message, index))

    def node(self, key: str, required: bool) -> yaml.Node | None:
        self.used.add(key)
        node = self.values.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL and node.value in ("", "~", "null")):
            if required and self.mapping:
                self.errors.append(Error(self.where.path, self.where.line, self.where.key(key), f"缺少必填项 {key}"))
            return None
        return node

    def scalar(self, key: str, required: bool, expected: str) -> str | None:
        node = self.node(key, required)
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.fail(key, f"应为{expected}，实际为{_kind(node)}")
            return None
        return node.value

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.scalar(key, required, "文字")
        if value is not None and not value.strip():
            if required:
                self.fail(key, "应为非空文字，实际为空")
            return None
        return value

    def id(self, key: str = "id") -> str:
        value = self.scalar(key, True, "编号")
        if value is None:
            return ""
        if not ID.fullmatch(value):
            self.fail(key, f"编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为{show(value)}")
        return value

    def date(self, key: str, required: bool = True) -> date | None:
        value = self.scalar(key, required, "日期 YYYY-MM-DD")
        return None if value is None else self._date(key, value)

    def _date(self, key: str, value: str, index: int | None = None) -> date | None:
        if not DATE.fullmatch(value):
            self.fail(key, f"应为日期 YYYY-MM-DD，实际为{show(value)}", index)
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(key, f"应为真实存在的日期，实际为{show(value)}", index)
            return None

    def due(self, key: str = "due") -> date | None:
        value = self.scalar(key, True, f"日期 YYYY-MM-DD 或 {labels.LONG_TERM}")
        if value is None or value == labels.LONG_TERM:
            return None
        if not DATE.fullmatch(value):
            self.fail(key, f"应为日期 YYYY-MM-DD 或 {labels.LONG_TERM}，实际为{show(value)}")
            return None
        return self._date(key, value)

    def integer(self, key: str) -> int | None:
        value = self.scalar(key, False, "非负整数")
        if value is None:
            return None
        if not value.isascii() or not value.isdigit():
            self.fail(key, f"应为非负整数，实际为{show(value)}")
            return None
        return int(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.scalar(key, False, "true 或 false")
        if value is None:
            return default
        if value.lower() not in ("true", "false"):
            self.fail(key, f"应为 true 或 false，实际为{show(value)}")
            return default
        return value.lower() == "true"

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.scalar(key, True, "取值之一：" + "、".join(allowed))
        if value is None:
            return ""
        if value not in allowed:
            self.fail(key, f"应为 {' | '.join(allowed)} 之一，实际为{show(value)}")
        return value

    def ids(self, key: str, required: bool = True) -> tuple[str, ...]:
        """An id or a non-empty list of ids (people, departments, manifestations)."""
        node = self.node(key, required)
        if node is None:
            return ()
        if isinstance(node, yaml.ScalarNode):
            items = [(node, None)]
        elif isinstance(node, yaml.SequenceNode):
            if not node.value and required:
                self.fail(key, "应为编号或编号列表，实际为空列表")
            items = [(item, i) for i, item in enumerate(node.value)]
        else:
            self.fail(key, f"应为编号或编号列表，实际为{_kind(node)}")
            return ()
        found: list[str] = []
        for item, index in items:
            if index is not None:
                self.where.lines[f"{key}[{index}]"] = item.start_mark.line + 1 + self.offset
            if not isinstance(item, yaml.ScalarNode) or not ID.fullmatch(item.value):
                self.fail(key, f"应为编号，实际为{show(_value(item))}", index)
                continue
            found.append(item.value)
        return tuple(found)

    def texts(self, key: str) -> tuple[str, ...]:
        """An optional text or list of texts (a person's git e-mail addresses and names)."""
        node = self.node(key, False)
        if node is None:
            return ()
        items = [(node, None)] if isinstance(node, yaml.ScalarNode) else (
            list(zip(node.value, range(len(node.value)))) if isinstance(node, yaml.SequenceNode) else None)
        if items is None:
            self.fail(key, f"应为文字或文字列表，实际为{_kind(node)}")
            return ()
        found: list[str] = []
        for item, index in items:
            if index is not None:
                self.where.lines[f"{key}[{index}]"] = item.start_mark.line + 1 + self.offset
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                self.fail(key, f"应为文字，实际为{show(_value(item))}", index)
                continue
            found.append(str(item.value).strip())
        return tuple(found)

    def items(self, key: str, required: bool, minimum: int = 0) -> Iterator[tuple[yaml.Node, str]]:
        """The items of a list of mappings, each with its field path."""
        node = self.node(key, required)
        if node is None:
            return
        if not isinstance(node, yaml.SequenceNode):
            self.fail(key, f"应为列表，实际为{_kind(node)}")
            return
        if len(node.value) < minimum:
            self.fail(key, f"应至少有 {minimum} 项，实际为 {len(node.value)} 项")
        for index, item in enumerate(node.value):
            self.where.lines[f"{key}[{index}]"] = item.start_mark.line + 1 + self.offset
            yield item, f"{self.where.key(key)}[{index}]"

    def records(self, key: str, read: Callable[[Fields], T], required: bool = False, minimum: int = 0) -> list[T]:
        return [read(self.child(item, field)) for item, field in self.items(key, required, minimum)]

    def child(self, node: yaml.Node, field: str) -> Fields:
        return Fields(node, self.where.path, field, self.offset, self.errors)

    def extra(self) -> Any:
        node = self.node("extra", False)
        return None if node is None else _plain(node)

    def done(self, *optional: str) -> Where:
        """Report keys nobody asked for (a typo must not silently drop data)."""
        for key in self.values:
            if key not in self.used and key not in optional:
                self.fail(key, f"未知的键 {key}（可用的键：{'、'.join(sorted(self.used))}）")
        return self.where


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "键值映射"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    return f"{show(node.value)}"


def _value(node: yaml.Node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else _kind(node)


def _plain(node: yaml.Node) -> Any:
    """Free-form `extra:` content as plain strings, lists and dicts."""
    if isinstance(node, yaml.MappingNode):
        return {_value(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    return node.value


# -- ledger.yml ---------------------------------------------------------------

def read_ledger(f: Fields) -> Ledger:
    ledger = Ledger(
        title=f.text("title") or "",
        unit=f.text("unit") or "",
        inspection=_inspection(f),
        declared=_declared(f),
        areas=f.records("areas", _area, required=True, minimum=1),
        due_soon_days=_due_soon_days(f),
        extra=f.extra(),
    )
    return _placed(ledger, f.done())


def _inspection(f: Fields) -> Inspection | None:
    node = f.node("inspection", False)
    if node is None:
        return None
    g = f.child(node, "inspection")
    found = Inspection(g.text("by", False), g.date("from", False), g.date("to", False), g.date("feedback_on", False))
    g.done()
    return found


def _declared(f: Fields) -> Declared | None:
    node = f.node("declared", False)
    if node is None:
        return None
    g = f.child(node, "declared")
    found = Declared(g.integer("problems"), g.integer("manifestations"), g.integer("measures"))
    return _placed(found, g.done())


def _due_soon_days(f: Fields) -> int:
    value = f.integer("due_soon_days")
    return 14 if value is None else value


def _area(f: Fields) -> Area:
    area = Area(f.id(), f.text("name") or "")
    return _placed(area, f.done())


def _placed(record: T, where: Where) -> T:
    record.where = where  # type: ignore[attr-defined]
    return record


# -- owners.yml ---------------------------------------------------------------

def read_owners(f: Fields) -> tuple[list[Department], list[Person]]:
    departments = f.records("departments", _department)
    people = f.records("people", _person)
    f.done()
    return departments, people


def _department(f: Fields) -> Department:
    return _placed(Department(f.id(), f.text("name") or ""), f.done())


def _person(f: Fields) -> Person:
    person = Person(f.id(), f.text("name") or "", f.text("title", False), None, f.texts("git"))
    node = f.node("department", False)
    if node is not None:
        person.department = f.id("department")
    return _placed(person, f.done())


# -- a problem ----------------------------------------------------------------

def read_problem(f: Fields, body: str) -> Problem:
    problem = Problem(
        id=f.id(),
        area=f.id("area"),
        title=f.text("title") or "",
        public=f.boolean("public", True),
        manifestations=f.records("manifestations", _manifestation, required=True, minimum=1),
        measures=f.records("measures", _measure, required=True, minimum=1),
        body=body,
        extra=f.extra(),
        path=f.where.path,
    )
    for measure in problem.measures:
        measure.problem = problem.id
    return _placed(problem, f.done())


def _manifestation(f: Fields) -> Manifestation:
    return _placed(Manifestation(f.id(), f.text("text") or ""), f.done())


def _measure(f: Fields) -> Measure:
    measure = Measure(
        id=f.id(),
        text=f.text("text") or "",
        addresses=f.ids("addresses", required=False),
        leader=f.ids("leader"),
        department=f.ids("department"),
        owner=f.ids("owner"),
        due=f.due(),
        status=f.choice("status", labels.STATUSES),
        progress=f.text("progress", False),
        outcome=f.text("outcome", False),
        done_on=f.date("done_on", False),
        evidence=f.records("evidence", _evidence),
        closed_on=f.date("closed_on", False),
        closed_by=f.id("closed_by") if f.node("closed_by", False) is not None else None,
        extensions=f.records("extensions", _extension),
        rechecks=f.records("rechecks", _recheck),
        extra=f.extra(),
    )
    return _placed(measure, f.done())


def _evidence(f: Fields) -> Evidence:
    evidence = Evidence(f.text("title") or "", f.text("path", False), f.text("url", False))
    if (evidence.path is None) == (evidence.url is None):
        f.fail("", "佐证材料应有 path 或 url 之一（且只能有一个）")
    return _placed(evidence, f.done())


def _extension(f: Fields) -> Extension:
    extension = Extension(f.date("from"), f.date("to"), f.id("approved_by"), f.date("approved_on"), f.text("reason", False))
    return _placed(extension, f.done())


def _recheck(f: Fields) -> Recheck:
    recheck = Recheck(f.date("date"), f.id("by"), f.choice("result", tuple(labels.RECHECK_RESULTS)), f.text("note", False))
    return _placed(recheck, f.done())
