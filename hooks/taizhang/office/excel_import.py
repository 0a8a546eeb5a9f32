"""Importing a unit's Excel ledger: one sheet of rows into records/, checked before anything is written.

The sheet may be laid out like the export (whose hidden columns carry ids and what no
column shows, so that the round trip is lossless) or like units' own ledgers: headers
found by name in the first rows, merged cells filled, numbering stripped, ids generated.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import yaml
from openpyxl.utils import get_column_letter

from taizhang.office import cells
from taizhang import labels
from taizhang.errors import Error
from taizhang.ledger.lock import Busy, ledger_lock
from taizhang.ledger.repository import RECORDS, load, problem_paths
from taizhang.ledger.schema import DATE, ID
from taizhang.office.sheet import CellError, ImportFailed, Known, SheetTable, known, open_book, read_json, table

X = labels.XLSX
VISIBLE = frozenset([*labels.XLSX_COLUMNS, "co_department", "outcome"])
COMPLETED = ("done", "closed")
REQUIRED = ("problem", "measure", "leader", "department", "owner", "due")


@dataclass
class Result:
    """What an import wrote, for the summary line."""

    areas: int
    problems: int
    manifestations: int
    measures: int
    departments: int
    people: int
    evidence_files: list[str]
    assumed_approvers: int
    ignored_columns: list[str]
    sheet: str
    new_ids: list[tuple[str, str]]  # (name, generated id) of people and departments


# -- names to ids -------------------------------------------------------------------------------

class Registry:
    """People or departments by id and name; a new name gets a readable, unused id."""

    def __init__(self, make: Callable[[str], str]) -> None:
        self.make = make
        self.records: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, str] = {}
        self.made: list[str] = []  # ids generated here, for the summary

    def add(self, id: str, name: str, **more: Any) -> str:
        self.records[id] = {"id": id, "name": name, **{k: v for k, v in more.items() if v}}
        self.by_name.setdefault(name, id)
        return id

    def resolve(self, name: str, hint: str = "", title: str | None = None) -> str:
        """The id of `name`: the hinted id when it is that name's, else the known one, else a new one."""
        if hint and ID.fullmatch(hint) and self.records.get(hint, {"name": name})["name"] == name:
            found = hint if hint in self.records else self.add(hint, name)
        elif name in self.by_name:
            found = self.by_name[name]
        else:
            base = found = self.make(name)
            n = 2
            while found in self.records:
                found, n = f"{base}{n}", n + 1
            self.made.append(self.add(found, name))
        if title and "title" not in self.records[found]:
            self.records[found]["title"] = title
        return found


# -- rows to records ----------------------------------------------------------------------------

@dataclass
class Draft:
    """A problem being built from its rows, and where each of its parts came from."""

    key: tuple[str, ...]
    id: str
    area: str
    title: str
    row: int  # index of its first row
    manifestations: list[tuple[str, str]] = field(default_factory=list)  # (id, text)
    cells_seen: dict[str, list[str]] = field(default_factory=dict)  # 问题表现 cell text -> manifestation ids
    measures: list[dict[str, Any]] = field(default_factory=list)
    measure_rows: list[int] = field(default_factory=list)
    layout: list[list[str]] = field(default_factory=list)  # the 问题表现 beside each measure
    data: dict[str, Any] = field(default_factory=dict)
    path: str = ""


class Builder:
    """Turns the sheet's data rows into ledger, owners, problem and evidence records."""

    def __init__(self, t: SheetTable, k: Known, title: str | None, unit: str | None) -> None:
        self.t = t
        self.errors: list[CellError] = []
        self.people = Registry(cells.person_id)
        self.departments = Registry(cells.department_id)
        for id, name in k.departments:
            self.departments.add(id, name)
        for id, name, person_title, department in k.people:
            self.people.add(id, name, title=person_title, department=department)
        self.areas: dict[str, str] = dict(k.areas)  # id -> name
        self.settings = k.settings
        self.problems: dict[tuple[str, ...], Draft] = {}
        self.by_title: dict[tuple[str, str], Draft] = {}
        self.reserved = self._reserved()
        self.width = max(2, len(str(len({t.text(r, "problem") for r in range(t.header + 1, len(t.rows))}))))
        self.evidence: dict[str, str] = {}
        self.assumed_approvers = 0
        self.title = title or self._title()
        self.unit = unit or self._unit()

    # The ledger's title and unit come from the rows above the header.
    def _above(self) -> Iterator[str]:
        for row in self.t.rows[: self.t.header]:
            yield from dict.fromkeys(cells.text(v) for v in row if cells.text(v))

    def _title(self) -> str:
        found = next((line for line in self._above() if not re.fullmatch(r"附件\s*\d*", line)), "")  # 附件2 above the title
        if not found:
            self.errors.append(CellError(1, 1, self.t.source, self.t.sheet, "标题", "表头上方应有台账标题，实际为空（或用 --title 指定）"))
        return found

    def _unit(self) -> str:
        for line in self._above():
            match = re.search(r"单位\s*[:：]\s*(\S+?)(?:\s|$)", line)
            if match:
                return re.sub(r"[（(][^）)]*[）)]$", "", match.group(1))  # 镇党委（盖章）
        self.errors.append(CellError(min(2, self.t.header + 1), 1, self.t.source, self.t.sheet, "单位",
                                     "表头上方应有“单位：……”，实际没有找到（或用 --unit 指定）"))
        return ""

    def _reserved(self) -> set[str]:
        """Ids the sheet carries, so that generated ones never collide with them."""
        found: set[str] = set()
        for r in range(self.t.header + 1, len(self.t.rows)):
            for key in ("problem_id", "measure_id", "manifestation_ids"):
                found.update(i for i in self.t.text(r, key).split(",") if ID.fullmatch(i))
        return found

    def _free(self, make: Callable[[int], str]) -> str:
        n = 1
        while make(n) in self.reserved:
            n += 1
        self.reserved.add(make(n))
        return make(n)

    # -- rows --

    def rows(self) -> Iterator[tuple[int, str, str, str]]:
        """(row index, area, problem, 问题表现) of each data row; headings and blank rows skipped.

        A blank area, problem or 问题表现 cell repeats the one above, as in sheets whose
        cells were unmerged; heading rows (一、… across the sheet) set the area or problem.
        """
        area = problem = manifestation = ""
        for r in range(self.t.header + 1, len(self.t.rows)):
            values = {k: self.t.text(r, k) for k in self.t.columns if k in VISIBLE}
            filled = {k: v for k, v in values.items() if v}
            if not filled:
                continue
            heading = _heading(filled)
            if heading is not None:
                if cells.AREA_HEADING.match(heading):
                    area, problem, manifestation = heading, "", ""
                elif cells.PROBLEM_HEADING.match(heading):
                    problem, manifestation = heading, ""
                continue
            if values.get("area") and values["area"] != area:
                area, problem, manifestation = values["area"], "", ""
            if values.get("problem") and values["problem"] != problem:
                problem, manifestation = values["problem"], ""
            manifestation = values.get("manifestations") or manifestation
            yield r, area, problem, manifestation

    def build(self) -> None:
        for r, area, problem, manifestation in self.rows():
            if not problem:
                self.errors.append(self.t.error(r, "problem", "应为非空文字，实际为空"))
                continue
            draft = self._problem(r, self._area(r, area), problem)
            addresses = self._manifestations(draft, r, manifestation)
            self._measure(draft, r, addresses)
        for draft in self.problems.values():
            self._addresses(draft)

    @staticmethod
    def _addresses(draft: Draft) -> None:
        """Where a problem's 问题表现 sit in cells of their own, each measure addresses the one beside it."""
        if len(draft.cells_seen) < 2:
            return
        for record, beside in zip(draft.measures, draft.layout):
            record["addresses"] = record["addresses"] or list(beside)

    def _area(self, r: int, name: str) -> str:
        name = cells.strip_number(name) or X["default_area"]
        hint = self.t.text(r, "area_id")
        if ID.fullmatch(hint) and self.areas.get(hint, name) == name:
            self.areas[hint] = name
            return hint
        for id, area_name in self.areas.items():
            if area_name == name:
                return id
        n = 1
        while f"A{n}" in self.areas:
            n += 1
        self.areas[f"A{n}"] = name
        return f"A{n}"

    def _problem(self, r: int, area: str, cell: str) -> Draft:
        title = cells.strip_number(cell)
        hint = self.t.text(r, "problem_id")
        key = ("id", hint) if ID.fullmatch(hint) else ("title", area, title)
        draft = self.problems.get(key)
        if draft is None and key[0] == "title":  # a row added in Excel joins the problem it sits under
            draft = self.by_title.get((area, title))
        if draft is None:
            id = hint if key[0] == "id" else self._free(lambda n: f"P{n:0{self.width}d}")
            draft = self.problems[key] = Draft(key, id, area, title, r)
            self.by_title.setdefault((area, title), draft)
            draft.data = read_json(self.t.text(r, "problem_data"),
                               lambda m: self.errors.append(self.t.error(r, "problem_data", m))) or {}
        return draft

    def _manifestations(self, draft: Draft, r: int, cell: str) -> list[str]:
        """Add the items of this row's 问题表现 cell once; the ids this row's measure addresses."""
        cell = cell or draft.title
        if cell in draft.cells_seen:
            return draft.cells_seen[cell]
        hints = [i for i in self.t.text(r, "manifestation_ids").split(",") if ID.fullmatch(i)]
        items = [cell.strip()] if len(hints) == 1 else cells.split_items(cell)
        if len(hints) != len(items) or any(h in {m[0] for m in draft.manifestations} for h in hints):
            hints = [self._free(lambda n: f"{draft.id}-{n}") for _ in items]
        draft.manifestations += list(zip(hints, items))
        draft.cells_seen[cell] = hints
        return hints

    def _measure(self, draft: Draft, r: int, addresses: list[str]) -> None:
        t, fail = self.t, lambda key, message, *more: self.errors.append(self.t.error(r, key, message, *more))
        hidden = read_json(t.text(r, "measure_data"), lambda m: fail("measure_data", m))
        data = hidden or {}
        hint = t.text(r, "measure_id")
        text = t.text(r, "measure") if ID.fullmatch(hint) else cells.strip_number(t.text(r, "measure"))
        if not text:
            fail("measure", "应为非空文字，实际为空")
        id = hint if ID.fullmatch(hint) and hint not in {m["id"] for m in draft.measures} \
            else self._free(lambda n: f"{draft.id}-M{n}")
        status = self._status(r, fail)
        record: dict[str, Any] = {"id": id, "text": text}
        record["addresses"] = data.get("addresses")
        record["leader"] = self._names(r, "leader", self.people, fail)
        record["department"] = self._names(r, "department", self.departments, fail) + \
            (self._names(r, "co_department", self.departments, fail) if "co_department" in t.columns else [])
        record["owner"] = self._names(r, "owner", self.people, fail)
        record["due"] = self._due(r, fail)
        record["status"] = status
        record["progress"] = t.text(r, "progress") or None
        record["outcome"] = t.text(r, "outcome") or data.get("outcome")
        record.update(self._completion(r, status, data, record, fail))
        record["extensions"] = [_dates(e, "from", "to", "approved_on") for e in data.get("extensions") or []]
        record["rechecks"] = [_dates(c, "date") for c in data.get("rechecks") or []]
        record["extra"] = self._extra(r, hidden, status)
        draft.measures.append(record)
        draft.measure_rows.append(r)
        draft.layout.append(addresses)

    def _status(self, r: int, fail: Callable[..., None]) -> str:
        """The status cell, or for a sheet without one what its dates say."""
        t = self.t
        if t.text(r, "status"):
            status, problem = cells.read_status(t.value(r, "status"))
            if problem:
                fail("status", problem)
            return status or "in_progress"
        if t.text(r, "closed_on"):
            return "closed"
        if t.text(r, "done_on"):
            return "done"
        return "in_progress" if t.text(r, "progress") else "not_started"

    def _names(self, r: int, key: str, registry: Registry, fail: Callable[..., None]) -> list[str]:
        found = cells.names(self.t.value(r, key))
        if not found and key != "co_department":
            fail(key, f"应填写{labels.XLSX_COLUMNS[key]}，实际为空")
        hints = self.t.text(r, f"{key}_ids").split(",")
        hints = hints if len(hints) == len(found) else [""] * len(found)
        return list(dict.fromkeys(registry.resolve(name, hint, title) for (name, title), hint in zip(found, hints)))

    def _due(self, r: int, fail: Callable[..., None]) -> date | str | None:
        if not self.t.text(r, "due"):
            fail("due", f"应为日期或“{labels.MARK_LABELS['long_term']}”，实际为空")
            return None
        due, problem = cells.read_due(self.t.value(r, "due"))
        if problem:
            fail("due", problem)
            return None
        return due or labels.LONG_TERM

    def _date(self, r: int, key: str, fail: Callable[..., None]) -> date | None:
        if not self.t.text(r, key):
            return None
        found, problem = cells.read_date(self.t.value(r, key))
        if problem:
            fail(key, problem)
        return found

    def _completion(self, r: int, status: str, data: dict[str, Any], record: dict[str, Any],
                    fail: Callable[..., None]) -> dict[str, Any]:
        """done_on, evidence, closed_on and closed_by, which only completed measures have."""
        found: dict[str, Any] = {"done_on": self._date(r, "done_on", fail)}
        closed_on = self._date(r, "closed_on", fail)
        label = labels.status_label(status)
        if status in COMPLETED:
            if not self.t.text(r, "done_on"):
                fail("done_on", f"整改状态为{label}时应填写完成时间，实际为空", "status")
            found["evidence"] = data.get("evidence") or self._evidence(r, record["id"], label, fail)
        found["closed_on"] = closed_on
        if status == "closed":
            if not self.t.text(r, "closed_on"):
                fail("closed_on", f"整改状态为{label}时应填写销号时间，实际为空", "status")
            found["closed_by"] = data.get("closed_by") or (record["leader"][0] if record["leader"] else None)
            self.assumed_approvers += not data.get("closed_by")
        return found

    def _evidence(self, r: int, measure: str, label: str, fail: Callable[..., None]) -> list[dict[str, str]]:
        """The 佐证材料 cell's text, kept in a file under evidence/ that the record points at."""
        value = self.t.text(r, "evidence")
        if not value:
            fail("evidence", f"整改状态为{label}时应填写佐证材料，实际为空", "status")
            return []
        path = f"evidence/{measure}.txt"
        cell = self.t.error(r, "evidence", "")
        self.evidence[path] = X["evidence_file"].format(
            source=f"{PurePosixPath(self.t.source).name}:{self.t.sheet}!{get_column_letter(cell.col)}{cell.row}", text=value)
        return [{"title": "；".join(line.strip() for line in value.split("\n") if line.strip()), "path": path}]

    def _extra(self, r: int, hidden: dict[str, Any] | None, status: str) -> Any:
        """A unit's own notes (备注), and evidence listed for a measure not yet completed, kept under extra.

        The export's 备注 only repeats derived marks: a row with hidden data keeps its own extra.
        """
        if hidden is not None:
            return hidden.get("extra")
        found = {"note": self.t.text(r, "note"), "evidence": "" if status in COMPLETED else self.t.text(r, "evidence")}
        return {k: v for k, v in found.items() if v} or None


def _heading(filled: dict[str, str]) -> str | None:
    """A row that is one text across the sheet (or only in its first columns): a heading."""
    texts = set(filled.values())
    if len(texts) == 1 and (len(filled) >= 3 or "measure" not in filled):
        return texts.pop()
    return None


def _dates(item: Any, *keys: str) -> Any:
    """ISO date strings of a hidden record back to dates, so YAML writes them plain."""
    if not isinstance(item, dict):
        return item
    return {k: _date(v) if k in keys else v for k, v in item.items()}


def _date(value: Any) -> Any:
    if isinstance(value, str) and DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # left as text: the ledger check reports it against the hidden data cell
    return value


# -- records as files ---------------------------------------------------------------------------

class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml where compiled in
    """Writes a list used twice (measures addressing the same 问题表现) twice: the ledger refuses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10**9)


def ledger_record(b: Builder) -> dict[str, Any]:
    """ledger.yml in the record format's order; settings only an exported workbook carries."""
    s = b.settings
    record: dict[str, Any] = {"title": b.title, "unit": b.unit}
    if s.get("inspection"):
        record["inspection"] = _dates(s["inspection"], "from", "to", "feedback_on")
    if s.get("declared"):
        record["declared"] = s["declared"]
    record["areas"] = [{"id": id, "name": name} for id, name in b.areas.items()]
    for key in ("due_soon_days", "extra"):
        if s.get(key) is not None:
            record[key] = s[key]
    return record


def owners_record(b: Builder) -> dict[str, Any]:
    return {"departments": list(b.departments.records.values()), "people": list(b.people.records.values())}


def problem_text(draft: Draft) -> str:
    front: dict[str, Any] = {"id": draft.id, "area": draft.area, "title": draft.title}
    if "public" in draft.data:
        front["public"] = draft.data["public"]
    front["manifestations"] = [{"id": id, "text": text} for id, text in draft.manifestations]
    front["measures"] = [{k: _one(v) if k in ("leader", "department", "owner") else v
                          for k, v in m.items() if v not in (None, [], "")} for m in draft.measures]
    if draft.data.get("extra") is not None:
        front["extra"] = draft.data["extra"]
    body = draft.data.get("body")
    return f"---\n{_yaml(front)}---\n{body if isinstance(body, str) else ''}"


def _one(ids: list[str]) -> str | list[str]:
    """One id as a plain value, several as a list, as people write them."""
    return ids[0] if len(ids) == 1 else ids


def place(b: Builder) -> None:
    """Each problem's file: where the export says it was, else records/<area>/<id>.md."""
    taken: set[str] = set()
    for draft in b.problems.values():
        path = draft.data.get("path")
        if not (isinstance(path, str) and _safe(path)) or path in taken:
            path = f"{RECORDS}/{draft.area}/{draft.id}.md"
        draft.path = path
        taken.add(path)


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (len(parts) >= 2 and parts[0] == RECORDS and parts[1] != "evidence" and path.endswith(".md")
            and ".." not in parts and "\\" not in path and ":" not in path and "\x00" not in path)


def files(b: Builder) -> dict[str, str]:
    """Every file the import writes, by path from the ledger root."""
    place(b)
    found = {f"{RECORDS}/ledger.yml": _yaml(ledger_record(b)), f"{RECORDS}/owners.yml": _yaml(owners_record(b))}
    found.update((d.path, problem_text(d)) for d in b.problems.values())
    found.update((f"{RECORDS}/{path}", text) for path, text in b.evidence.items())
    return found


# -- checked before written ---------------------------------------------------------------------

# Where a record's field came from in the sheet, first choice first.
MEASURE_COLUMNS = {
    "id": "measure_id", "text": "measure", "leader": "leader", "department": "department", "owner": "owner",
    "due": "due", "status": "status", "progress": "progress", "outcome": "outcome", "done_on": "done_on",
    "evidence": "evidence", "closed_on": "closed_on", "closed_by": "closed_on", "extensions": "due",
}
PROBLEM_COLUMNS = {"id": "problem_id", "area": "area", "title": "problem", "manifestations": "manifestations"}
_MEASURE_FIELD = re.compile(r"measures\[(\d+)\](?:\.(\w+))?")


def check(found: dict[str, str], b: Builder, root: Path, as_of: date) -> list[str]:
    """The ledger check on the files as they would be written, errors placed in the sheet."""
    # Beside the ledger where it exists, so that evidence files can be linked rather than copied.
    with tempfile.TemporaryDirectory(prefix=".taizhang-import-", dir=root if root.is_dir() else None) as tmp:
        base = Path(tmp)
        evidence = root / RECORDS / "evidence"
        if evidence.is_dir():
            shutil.copytree(evidence, base / RECORDS / "evidence", symlinks=True, copy_function=_link)
        _write(found, base)
        _, errors = load(base, as_of)
    by_path = {d.path: d for d in b.problems.values()}
    placed = [locate(e, b, by_path) for e in errors]
    cells_found = sorted({p for p in placed if isinstance(p, CellError)})
    return [str(e) for e in cells_found] + list(dict.fromkeys(p for p in placed if isinstance(p, str)))


def _link(source: str, target: str) -> None:
    """Evidence may be large: link it for the check where the file system allows."""
    try:
        Path(target).hardlink_to(source)
    except OSError:
        shutil.copy2(source, target)


def locate(error: Error, b: Builder, by_path: dict[str, Draft]) -> CellError | str:
    draft = by_path.get(error.path)
    if draft is None:
        return f"{b.t.source}: {error}"
    match = _MEASURE_FIELD.match(error.field)
    if match and int(match.group(1)) < len(draft.measure_rows):
        key = MEASURE_COLUMNS.get(match.group(2) or "text", "measure_data")
        return b.t.error(draft.measure_rows[int(match.group(1))], key, error.message, "measure_data", "status", "measure")
    key = PROBLEM_COLUMNS.get(re.split(r"[.\[]", error.field)[0], "problem_data")
    return b.t.error(draft.row, key, error.message, "problem_data", "problem")


# -- writing ------------------------------------------------------------------------------------

def existing(root: Path) -> list[str]:
    """The ledger files already in records/."""
    records = root / RECORDS
    if not records.is_dir():
        return []
    found = [f"{RECORDS}/{name}" for name in ("ledger.yml", "owners.yml") if (records / name).exists()]
    return found + problem_paths(records, [])


def _write(found: dict[str, str], root: Path) -> None:
    """Write the files; an evidence file already there is the unit's own and is kept."""
    for rel, text in found.items():
        path = root / rel
        if rel.startswith(f"{RECORDS}/evidence/") and path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _clear(root: Path, paths: list[str]) -> None:
    """Remove the old ledger's files (not evidence) and the folders they leave empty."""
    for rel in paths:
        (root / rel).unlink()
    for rel in sorted({str(PurePosixPath(p).parent) for p in paths}, key=len, reverse=True):
        folder = root / rel
        if rel != RECORDS and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _read(book: Any, source: str, sheet: str | None) -> tuple[SheetTable, Known, list[CellError]]:
    """The ledger sheet and the hidden id sheet, read a row at a time; a damaged part is one clear refusal."""
    errors: list[CellError] = []
    try:
        t = table(book, source, sheet)
        ids = known(book, source, errors)
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError, IndexError, ValueError, TypeError, EOFError,
            OSError):
        raise ImportFailed([labels.IMPORT_LIMITS["damaged"].format(path=source)]) from None
    return t, ids, errors


def import_workbook(path: Path, root: Path, as_of: date, force: bool = False, sheet: str | None = None,
                    title: str | None = None, unit: str | None = None) -> Result:
    """Read the workbook, check the ledger it makes, then write it; on any error write nothing.

    The ledger's lock is held from looking at records/ to the last file written, so that a
    `taizhang update` or a second import cannot slip in between.
    """
    try:
        with ledger_lock(root):
            return _import(path, root, as_of, force, sheet, title, unit)
    except Busy as exc:
        raise ImportFailed([f"taizhang: {exc}"]) from None


def _import(path: Path, root: Path, as_of: date, force: bool, sheet: str | None, title: str | None,
            unit: str | None) -> Result:
    old = existing(root)
    if old and not force:
        raise ImportFailed([f"taizhang: {root / RECORDS} 中已有台账（{old[0]} 等 {len(old)} 个文件），"
                            "导入会覆盖它；确需覆盖请加 --force（records/evidence/ 中的文件保留）"])
    book = open_book(path)
    try:
        t, ids, errors = _read(book, str(path), sheet)
        missing = [CellError(t.header + 1, 0, t.source, t.sheet, labels.XLSX_COLUMNS[k],
                             f"表头中找不到这一列（可用的列名：{'、'.join(_words(k))}）") for k in REQUIRED if k not in t.columns]
        if missing:
            raise ImportFailed([str(e) for e in missing])
        b = Builder(t, ids, title, unit)
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    b.build()
    if not b.problems and not b.errors:
        b.errors.append(CellError(t.header + 2, 0, t.source, t.sheet, "数据", "表头下应有数据行，实际没有"))
    if b.errors or errors:
        raise ImportFailed([str(e) for e in sorted(set(b.errors + errors))])
    found = files(b)
    problems = check(found, b, root, as_of)
    if problems:
        raise ImportFailed(problems)
    _clear(root, old)
    _write(found, root)
    return Result(len(b.areas), len(b.problems), sum(len(d.manifestations) for d in b.problems.values()),
                  sum(len(d.measures) for d in b.problems.values()), len(b.departments.records), len(b.people.records),
                  sorted(b.evidence), b.assumed_approvers, t.ignored, t.sheet,
                  [(r.records[id]["name"], id) for r in (b.people, b.departments) for id in r.made])


def summary(r: Result) -> list[str]:
    """What the import did and what the user should look at next."""
    lines = [f"已从工作表“{r.sheet}”导入：方面 {r.areas} 个、问题 {r.problems} 个、问题表现 {r.manifestations} 条、"
             f"整改措施 {r.measures} 条，科室 {r.departments} 个、人员 {r.people} 名；台账校验通过。",
             f"已写入 {RECORDS}/ledger.yml、{RECORDS}/owners.yml 和每个问题一个文件。"]
    if r.new_ids:
        shown = "、".join(f"{name} → {id}" for name, id in r.new_ids[:3])
        lines.append(f"新生成编号 {len(r.new_ids)} 个（人员按姓名拼音，科室按名称拼音首字母：{shown} 等）；"
                     "编号发布后不再更改，如需调整请在首次提交前修改 owners.yml 和问题文件。")
    if r.evidence_files:
        lines.append(f"{len(r.evidence_files)} 条已完成措施的佐证材料只有文字，已存为 {RECORDS}/evidence/<措施编号>.txt；"
                     "请补充实际材料文件。")
    if r.assumed_approvers:
        lines.append(f"{r.assumed_approvers} 条已销号措施的表格中没有销号审核人，暂记为其第一位责任领导（closed_by），请核对。")
    if r.ignored_columns:
        lines.append(f"未导入的列：{'、'.join(r.ignored_columns)}")
    return lines


def _words(key: str) -> list[str]:
    return [labels.XLSX_COLUMNS[key], *labels.XLSX_ALIASES.get(key, ())]
