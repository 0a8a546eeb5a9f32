"""Finding the ledger in a workbook: the sheet, its header row by name, merged cells filled,
and the hidden id sheet of an exported workbook."""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from taizhang.office import cells
from taizhang import labels
from taizhang.errors import show
from taizhang.ledger.schema import ID

X = labels.XLSX
HEADER_SCAN = 10  # the header row is looked for in this many rows
# What the import reads at most (README, 导入 Excel 台账): a ledger sheet has hundreds of rows and
# unpacks to a few MB; these bound the memory a hostile or mistaken workbook can take.
# Bytes, all members of the .xlsx together. Rows are read one at a time, but openpyxl reads the
# shared strings whole: 20 MB of the smallest strings measured about 240 MB of memory.
MAX_UNPACKED = 20 * 2**20
# Any other part openpyxl parses whole becomes objects: 19 MB of cell formats measured 636 MB,
# 18 MB of defined names 416 MB. Such parts take tens of KB, a bloated one a few hundred.
MAX_PART = 2 * 2**20
# Parts exempt from MAX_PART, by content type: sheets are read a row at a time, the shared strings
# hold the ledger's text (and stay within MAX_UNPACKED), images are never read by the import.
_BIG_PARTS = (".worksheet+xml", ".sharedStrings+xml")
_CONTENT_TYPES = "[Content_Types].xml"
# Parts openpyxl reads by their fixed name whatever their declared type: never exempt.
_FIXED = frozenset(["xl/styles.xml", "xl/workbook.xml", "docProps/core.xml", "docProps/custom.xml", "docProps/app.xml",
                    _CONTENT_TYPES])
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAX_ROWS = 100_000  # rows of the ledger sheet, formatted empty ones included
MAX_CELL = 32_767  # Excel's limit of characters in a cell: a cell this long was probably cut

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHEET_DATA, _ROW, _CELL, _FORMULA, _VALUE, _MERGE = (
    _MAIN + t for t in ("sheetData", "row", "c", "f", "v", "mergeCell"))


def _headers() -> dict[str, str]:
    """Every header word the importer knows, to its column key."""
    found: dict[str, str] = {}
    for key, words in labels.XLSX_ALIASES.items():
        found.update((cells.header_word(w), key) for w in words)
    found.update((cells.header_word(w), k) for k, w in {**labels.XLSX_COLUMNS, **labels.XLSX_HIDDEN}.items())
    return found


HEADERS = _headers()


@dataclass(frozen=True, order=True)
class CellError:
    """A value the import cannot use, where it is: FILE:SHEET!F12: HEADER: MESSAGE."""

    row: int
    col: int
    source: str
    sheet: str
    field: str
    message: str

    def __str__(self) -> str:
        cell = f"!{get_column_letter(self.col)}{self.row}" if self.col else f"!{self.row}:{self.row}" if self.row else ""
        return f"{self.source}:{self.sheet}{cell}: {self.field}: {self.message}"


class ImportFailed(Exception):
    """Nothing was written: carries every line to show."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


# -- the workbook and its sheet -----------------------------------------------------------

def open_book(path: Path) -> Workbook:
    """The workbook in read-only mode (rows are parsed as they are read), its unpacked size checked first."""
    if not path.is_file():
        raise ImportFailed([f"taizhang: 找不到文件 {path}"])
    try:
        check_size(path)
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, EOFError, SyntaxError, OSError):
        raise ImportFailed([f"taizhang: 无法读取 {path}：应为 Excel .xlsx 文件（.xls 或 WPS 格式请先另存为 .xlsx）"]) from None


def check_size(path: Path) -> None:
    """Refuse a workbook that unpacks past MAX_UNPACKED, from the zip directory alone.

    The sizes the directory declares bound what is read: zipfile stops each member at its
    declared size (and fails on a member that lies), so nothing larger is ever unpacked.
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > MAX_UNPACKED:
            big = max(members, key=lambda m: m.file_size)
            raise ImportFailed([labels.IMPORT_LIMITS["unpacked"].format(
                path=path, size=_mb(total), limit=MAX_UNPACKED // 2**20, member=show(big.filename, 60), member_size=_mb(big.file_size))])
        kinds = _content_types(archive, members)
    for member in members:
        kind = kinds(member.filename)
        exempt = member.filename not in _FIXED and (kind.endswith(_BIG_PARTS) or kind.startswith("image/"))
        if member.file_size > MAX_PART and not exempt:
            raise ImportFailed([labels.IMPORT_LIMITS["part"].format(
                path=path, member=show(member.filename, 60), size=_mb(member.file_size), limit=MAX_PART // 2**20)])


def _content_types(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> Callable[[str], str]:
    """Each part's content type as [Content_Types].xml declares it, which is how openpyxl finds the parts it reads."""
    info = next((m for m in members if m.filename == _CONTENT_TYPES), None)
    if info is None or info.file_size > MAX_PART:
        return lambda name: ""  # no exemptions: openpyxl refuses it, or every part meets MAX_PART
    tree = ElementTree.fromstring(archive.read(info))
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in tree.iter(f"{_TYPES}Default")}
    overrides = {e.get("PartName", "").lstrip("/"): e.get("ContentType", "") for e in tree.iter(f"{_TYPES}Override")}
    return lambda name: overrides.get(name) or defaults.get(name.rpartition(".")[2].lower(), "")


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}"


@dataclass
class Scan:
    """What the values leave out, from one pass over the sheet's XML: merged ranges, formulas without a result."""

    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min col, min row, max col, max row
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, column), from 1
    last_row: int = 0


def scan(ws: Any, source: str) -> Scan:
    """Read the sheet's XML once, a row at a time, refusing a sheet of more than MAX_ROWS rows.

    Read-only worksheets do not give merged ranges, and with data_only a formula that was
    never calculated reads as an empty cell: both come from the XML here.
    """
    found = Scan()
    count = row = col = 0
    open_elements: list[ElementTree.Element] = []
    # The read-only worksheet's own part of the archive (openpyxl keeps both on the objects).
    with ws.parent._archive.open(ws._worksheet_path) as src:
        for event, elem in ElementTree.iterparse(src, events=("start", "end")):
            if event == "start":
                open_elements.append(elem)
                if elem.tag == _ROW:  # before its cells, which may leave out their address
                    row, col = int(elem.get("r") or row + 1), 0
                continue
            open_elements.pop()
            if elem.tag == _CELL:
                ref = elem.get("r")
                row, col = coordinate_to_tuple(ref) if ref else (row, col + 1)
                if elem.find(_FORMULA) is not None and _uncalculated(elem):
                    found.formulas.append((row, col))
            elif elem.tag == _ROW:
                count += 1
                found.last_row = max(found.last_row, row)
                if max(count, row) > MAX_ROWS:
                    raise ImportFailed([labels.IMPORT_LIMITS["rows"].format(source=source, sheet=ws.title, limit=MAX_ROWS)])
            elif elem.tag == _MERGE:
                with contextlib.suppress(ValueError, TypeError):
                    bounds = range_boundaries(elem.get("ref") or "")
                    if None not in bounds:
                        found.merges.append(bounds)  # type: ignore[arg-type]
            if len(open_elements) == 2:  # a row, a merged range, a link …: read, so let go (memory stays flat)
                open_elements[-1].remove(elem)
    return found


def _uncalculated(cell: ElementTree.Element) -> bool:
    """A formula cell with no cached result. A formula whose result is empty text is t="str" with an empty <v>."""
    value = cell.find(_VALUE)
    return value is None or (not value.text and cell.get("t") != "str")


def grid(ws: Any, source: str) -> tuple[list[list[Any]], Scan, list[tuple[int, int]]]:
    """The sheet's values with every merged range's value copied into all its cells.

    Also what the values cannot be trusted with: the scan's formulas and the cells at Excel's
    length limit (openpyxl reads a longer cell cut to it), as (row, column). Empty rows after
    the last filled one are not kept, so a sheet formatted far down costs no memory.
    """
    found = scan(ws, source)
    ws.reset_dimensions()  # read every row the XML has, whatever its <dimension> claims
    rows: list[list[Any]] = []
    empty = 0
    long: list[tuple[int, int]] = []
    for r, values in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True) if found.last_row else (), 1):
        if any(v is not None for v in values):
            rows.extend([] for _ in range(empty))
            empty = 0
            rows.append(list(values))
            long += [(r, c) for c, v in enumerate(values, 1) if isinstance(v, str) and len(v) >= MAX_CELL]
        else:
            empty += 1
        if r >= found.last_row:
            break  # asking for more would make openpyxl read on and build the merged ranges as objects
    width = max(map(len, rows), default=0)
    for row in rows:
        row.extend([None] * (width - len(row)))
    for min_col, min_row, max_col, max_row in found.merges:
        if not 1 <= min_row <= len(rows) or not 1 <= min_col <= width:
            continue
        value = rows[min_row - 1][min_col - 1]
        for r in range(min_row - 1, min(max_row, len(rows))):
            for c in range(min_col - 1, min(max_col, width)):
                rows[r][c] = value
    return rows, found, long


@dataclass
class SheetTable:
    """The ledger sheet: its filled grid, the header row and where each known column is."""

    source: str
    sheet: str
    rows: list[list[Any]]
    header: int  # index into rows
    columns: dict[str, int]  # key -> index into a row
    words: dict[str, str]  # key -> the header as written
    ignored: list[str]

    def value(self, r: int, key: str) -> Any:
        col = self.columns.get(key)
        return None if col is None or col >= len(self.rows[r]) else self.rows[r][col]

    def text(self, r: int, key: str) -> str:
        return cells.text(self.value(r, key))

    def cell_error(self, row: int, col: int, message: str) -> CellError:
        """An error about the cell at `row`, `col` (from 1), under its column's header."""
        word = next((self.words[k] for k, c in self.columns.items() if c == col - 1 and k in self.words), None)
        return CellError(row, col, self.source, self.sheet, word or labels.IMPORT_LIMITS["cell"], message)

    def error(self, r: int, key: str, message: str, *fallbacks: str) -> CellError:
        """An error about column `key` of row index `r`, at the first of `key`, `fallbacks` the sheet has."""
        found = next((k for k in (key, *fallbacks) if k in self.columns), None)
        col = self.columns[found] + 1 if found else 0
        word = self.words.get(key) or labels.XLSX_COLUMNS.get(key) or labels.XLSX_HIDDEN.get(key, key)
        return CellError(r + 1, col, self.source, self.sheet, word, message)


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int], dict[str, str], list[str]] | None:
    """The row in the first few that names the most known columns, with 问题 and 整改措施 among them."""
    best: tuple[int, dict[str, int], dict[str, str], list[str]] | None = None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        columns: dict[str, int] = {}
        words: dict[str, str] = {}
        ignored: list[str] = []
        for c, value in enumerate(row):
            key = HEADERS.get(cells.header_word(value))
            if key and key not in columns:
                columns[key], words[key] = c, cells.text(value).replace("\n", "")
            elif cells.text(value) and not key:
                ignored.append(cells.text(value).replace("\n", ""))
        if "problem" in columns and "measure" in columns and (best is None or len(columns) > len(best[1])):
            best = (r, columns, words, ignored)
    return best


def table(book: Workbook, source: str, sheet: str | None) -> SheetTable:
    """The ledger sheet: the one named, else 整改台账, else the first with a header."""
    if sheet is not None and sheet not in book.sheetnames:
        raise ImportFailed([f"{source}: 找不到工作表 {show(sheet)}（有：{'、'.join(book.sheetnames)}）"])
    names = [sheet] if sheet else sorted(book.sheetnames, key=lambda n: n != X["sheet_ledger"])
    for name in names:
        ws = book[name]
        if ws.sheet_state != "visible" and name != sheet:
            continue
        rows, marks, long = grid(ws, source)
        found = find_header(rows)
        if found:
            t = SheetTable(source, name, rows, *found)
            refused = [t.cell_error(r, c, labels.IMPORT_LIMITS["formula"]) for r, c in marks.formulas]
            refused += [t.cell_error(r, c, labels.IMPORT_LIMITS["too_long"].format(limit=MAX_CELL)) for r, c in long]
            if refused:
                raise ImportFailed([str(e) for e in sorted(refused)])
            return t
    where = f"工作表 {show(sheet)}" if sheet else "各工作表"
    raise ImportFailed([f"{source}: 找不到表头：{where}前 {HEADER_SCAN} 行中没有同时含“问题”和“整改措施”两列的行"])


# -- the hidden id sheet of an exported workbook ----------------------------------------------

@dataclass
class Known:
    """What the export's hidden 编号对照 sheet says: areas, departments, people, settings."""

    areas: list[tuple[str, str]] = field(default_factory=list)
    departments: list[tuple[str, str]] = field(default_factory=list)
    people: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


def known(book: Workbook, source: str, errors: list[CellError]) -> Known:
    found = Known()
    if X["sheet_ids"] not in book.sheetnames:
        return found
    ws = book[X["sheet_ids"]]
    ws.reset_dimensions()  # every row, whatever the sheet's <dimension> claims
    for r, row in enumerate(ws.iter_rows(min_row=2, max_col=5, values_only=True), 2):
        kind, id, name, title, department = (cells.text(v) for v in (*row, None, None, None, None, None)[:5])
        if kind == X["kind_ledger"]:
            found.settings = read_json(name, lambda m: errors.append(
                CellError(r, 3, source, X["sheet_ids"], X["kind_ledger"], m))) or {}
        elif not ID.fullmatch(id) or not name:
            continue  # a row the user blanked: the sheet's own cells decide
        elif kind == X["kind_area"]:
            found.areas.append((id, name))
        elif kind == X["kind_department"]:
            found.departments.append((id, name))
        elif kind == X["kind_person"]:
            found.people.append((id, name, title or None, department or None))
    return found


def read_json(value: str, fail: Callable[[str], None]) -> dict[str, Any] | None:
    """A hidden data cell; blank is None, anything but a JSON object is an error."""
    if not value:
        return None
    try:
        found = json.loads(value)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        fail(f"应为 taizhang 导出时写入的数据（JSON 对象），实际为{show(value)}")
        return None
    return found
