"""The ledger as the Excel workbook units hand upward: sheets 整改台账, 统计汇总, 逾期清单 and 考核."""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from copy import copy
from weakref import WeakKeyDictionary
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from taizhang import labels
from taizhang.ledger.figures import Aggregate, Group, Row, Tally, percent
from taizhang.ledger.export import names
from taizhang.ledger.records import Area, Measure, Problem
from taizhang.office.ooxml import repack
from taizhang.reports.assessment import Assessment
from taizhang.reports.document import ReportDocument
from taizhang.reports.document import Heading as DocHeading
from taizhang.reports.document import ReportTable
from taizhang.text import chinese_number

X = labels.XLSX
COLUMNS: tuple[str, ...] = tuple(labels.XLSX_COLUMNS)
HIDDEN: tuple[str, ...] = tuple(labels.XLSX_HIDDEN)
HEADER_ROW = 3  # title, sub-title, then the header
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.0%"
MAX_CELL = 32767  # Excel refuses longer cell text

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
HEADER_FONT = Font(name="黑体", size=10, bold=True)
TITLE_FONT = Font(name="黑体", size=16, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")
OVERDUE_FONT = Font(name="宋体", size=10, color="C00000")
# The wall-chart colour code (DOMAIN.md): grey not started, yellow in progress or awaiting
# sign-off, green signed off, blue long-term; red overdue is the whole row's fill.
STATUS_FILLS = {"not_started": "EDEDED", "in_progress": "FFF2CC", "done": "FFF2CC", "closed": "C6EFCE"}
LONG_TERM_FILL = "DDEBF7"
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# (narrowest, widest) width per column in Excel's units (one Latin digit; a Chinese character is two).
WIDTHS: dict[str, tuple[int, int]] = {
    "seq": (5, 6), "area": (8, 14), "problem": (14, 28), "manifestations": (14, 34), "measure": (16, 38),
    "leader": (8, 12), "department": (8, 14), "owner": (8, 12), "due": (15, 15), "progress": (14, 34),
    "done_on": (15, 15), "status": (8, 10), "closed_on": (15, 15), "evidence": (10, 26), "note": (8, 22),
}
CENTERED = frozenset({"seq", "leader", "department", "owner", "due", "done_on", "status", "closed_on"})
MERGED = ("area", "problem", "manifestations")  # cells spanning their measures


def write(agg: Aggregate, path: Path) -> None:
    """The workbook to a file."""
    path.write_bytes(to_bytes(agg))


def to_bytes(agg: Aggregate) -> bytes:
    """The workbook as the site's download serves it: the same bytes for the same ledger as of
    the same day, so that a rebuilt site differs only where the ledger did."""
    out = io.BytesIO()
    workbook(agg).save(out)
    return _dated(out.getvalue(), datetime.combine(agg.as_of, time()))


_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def _dated(xlsx: bytes, moment: datetime) -> bytes:
    """The workbook with `moment` where openpyxl stamps the time of saving: each member of the
    archive, and the document's modification time."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    modified = partial(_MODIFIED.sub, lambda m: m.group(1) + stamp + m.group(2))
    return repack(xlsx, moment, {"docProps/core.xml": modified})


def workbook(agg: Aggregate) -> Workbook:
    wb = Workbook()
    wb.properties.title = agg.ledger.title
    wb.properties.creator = "taizhang"
    wb.properties.created = datetime.combine(agg.as_of, time())
    ledger_sheet(wb.active, agg)
    summary_sheet(wb.create_sheet(X["sheet_summary"]), agg)
    overdue_sheet(wb.create_sheet(X["sheet_overdue"]), agg)
    document_sheet(wb.create_sheet(labels.REPORT_WORDS["sheet_assessment"]), Assessment(agg).document())
    ids_sheet(wb.create_sheet(X["sheet_ids"]), agg)
    return wb


# -- cells ------------------------------------------------------------------------------

_STYLES: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], StyleArray]] = WeakKeyDictionary()


def put(ws: Worksheet, row: int, col: int, value: Any, font: Font = FONT, align: Alignment = LEFT,
        fill: str | PatternFill | None = None, border: bool = True) -> None:
    """One styled cell. Text never becomes a formula: a record saying `=HYPERLINK(...)` stays text."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        cell.data_type = "s"
    else:
        cell.value = value
    number_format = DATE_FORMAT if isinstance(value, date) else PERCENT_FORMAT if isinstance(value, float) else None
    style(cell, font, align, fill, border, number_format)


def style(cell: Cell, font: Font, align: Alignment, fill: str | PatternFill | None, border: bool,
          number_format: str | None) -> None:
    """Style a cell, reusing the style of an earlier cell styled alike.

    Setting font, fill and border one by one makes openpyxl hash each style object for
    every cell, which took most of a minute for 5,000 measures; copying the finished
    style array of a cell styled alike is what openpyxl does itself when copying cells.
    """
    known = _STYLES.setdefault(cell.parent.parent, {})
    key = (id(font), id(align), fill if isinstance(fill, str) else id(fill), border, number_format)
    if key in known:
        cell._style = copy(known[key])
        return
    cell.font, cell.alignment = font, align
    if border:
        cell.border = BORDER
    if fill is not None:
        cell.fill = fill if isinstance(fill, PatternFill) else PatternFill("solid", fgColor=fill)
    if number_format:
        cell.number_format = number_format
    known[key] = copy(cell._style)


def display_width(text: str) -> int:
    """Width in Excel's units: Chinese (wide) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def lines_needed(value: Any, width: float) -> int:
    """Lines a wrapped cell of this width takes."""
    if value is None or value == "":
        return 1
    text = value if isinstance(value, str) else "0000年00月00日"
    room = max(1.0, width - 1)
    return sum(max(1, math.ceil(display_width(line) / room)) for line in text.split("\n"))


def day(value: date) -> str:
    return X["date"].format(year=value.year, month=value.month, day=value.day)


def title_rows(ws: Worksheet, title: str, subtitle: str, width: int) -> None:
    """A merged title row and a sub-title row above the header, as official forms have."""
    put(ws, 1, 1, title, TITLE_FONT, CENTER, border=False)
    put(ws, 2, 1, subtitle, FONT, Alignment(horizontal="left", vertical="center"), border=False)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[1].height = 32
    ws.row_dimensions[2].height = 20


def header(ws: Worksheet, row: int, words: Sequence[str]) -> None:
    for col, word in enumerate(words, 1):
        put(ws, row, col, word, HEADER_FONT, CENTER, HEADER_FILL)
    ws.row_dimensions[row].height = 24


def subtitle(agg: Aggregate) -> str:
    return X["subtitle"].format(unit=agg.ledger.unit, as_of=day(agg.as_of))


def print_setup(ws: Worksheet, header_row: int, last_col: int, last_row: int) -> None:
    """A4 landscape, one page wide, the header repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(last_row, header_row)}"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = X["page_footer"]


def fit_widths(ws: Worksheet, columns: Sequence[str], values: dict[str, list[Any]],
               widths: dict[str, tuple[int, int]]) -> dict[str, float]:
    """Each column as wide as its longest line, within its bounds; long text wraps."""
    found: dict[str, float] = {}
    for col, key in enumerate(columns, 1):
        low, high = widths.get(key, (8, 30))
        longest = max((display_width(line) for v in values.get(key, []) if isinstance(v, str) for line in v.split("\n")),
                      default=0)
        found[key] = min(high, max(low, longest + 2))
        ws.column_dimensions[get_column_letter(col)].width = found[key]
    return found


def fit_heights(ws: Worksheet, rows: dict[int, dict[str, Any]], blocks: list[tuple[int, int, str, Any]],
                widths: dict[str, float]) -> None:
    """Row heights for wrapped text; a merged block's text gets room across its rows."""
    lines = {r: max(lines_needed(v, widths[k]) for k, v in cells.items() if k in widths) for r, cells in rows.items()}
    for first, last, key, value in blocks:
        missing = lines_needed(value, widths[key]) - sum(lines[r] for r in range(first, last + 1))
        if missing > 0:
            lines[last] += missing
    for r, n in lines.items():
        ws.row_dimensions[r].height = 13.5 * n + 4


# -- 整改台账 ----------------------------------------------------------------------------

@dataclass
class LedgerLine:
    """One row of sheet 整改台账: a measure with its area and problem and their numbers."""

    row: Row
    seq: int
    area_no: int
    problem_no: int
    first_of_problem: bool


def ledger_lines(agg: Aggregate) -> list[LedgerLine]:
    """Measures in ledger order, numbered 一、 for areas and （一） for problems within an area."""
    found: list[LedgerLine] = []
    area_no = 0
    for area in agg.ledger.areas:
        problems = agg.problems_in(area)
        if not problems:
            continue
        area_no += 1
        for problem_no, problem in enumerate(problems, 1):
            for i, measure in enumerate(problem.measures):
                found.append(LedgerLine(agg.row_by_id[measure.id], len(found) + 1, area_no, problem_no, i == 0))
    return found


def ledger_sheet(ws: Worksheet, agg: Aggregate) -> None:
    ws.title = X["sheet_ledger"]
    title_rows(ws, agg.ledger.title, subtitle(agg), len(COLUMNS))
    header(ws, HEADER_ROW, [*labels.XLSX_COLUMNS.values(), *labels.XLSX_HIDDEN.values()])
    cells = {HEADER_ROW + 1 + i: ledger_cells(agg, line) for i, line in enumerate(ledger_lines(agg))}
    for r, values in cells.items():
        ledger_row(ws, r, values, agg.row_by_id[values["measure_id"]])
    blocks = merge_blocks(ws, cells)
    values = {k: [v[k] for v in cells.values()] for k in COLUMNS}
    values = {k: v + [labels.XLSX_COLUMNS[k]] for k, v in values.items()}
    widths = fit_widths(ws, COLUMNS, values, WIDTHS)
    for col in range(len(COLUMNS) + 1, len(COLUMNS) + len(HIDDEN) + 1):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    fit_heights(ws, cells, blocks, widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1).coordinate
    print_setup(ws, HEADER_ROW, len(COLUMNS), HEADER_ROW + len(cells))


def ledger_cells(agg: Aggregate, line: LedgerLine) -> dict[str, Any]:
    """The values of one row, visible columns then hidden ones."""
    r, m, p = line.row, line.row.measure, line.row.problem
    area = r.area or Area(p.area, p.area)
    return {
        "seq": line.seq,
        "area": f"{chinese_number(line.area_no)}、{area.name}",
        "problem": f"（{chinese_number(line.problem_no)}）{p.title}",
        "manifestations": manifestation_text(p),
        "measure": m.text,
        "leader": names(m.leader, agg.people),
        "department": names(m.department, agg.departments),
        "owner": names(m.owner, agg.people),
        "due": m.due or labels.MARK_LABELS["long_term"],
        "progress": m.progress or "",
        "done_on": m.done_on,
        "status": labels.status_label(m.status),
        "closed_on": m.closed_on,
        "evidence": "\n".join(e.title for e in m.evidence),
        "note": note(r, agg.as_of),
        "area_id": area.id,
        "problem_id": p.id,
        "manifestation_ids": ",".join(x.id for x in p.manifestations),
        "measure_id": m.id,
        "leader_ids": ",".join(m.leader),
        "department_ids": ",".join(m.department),
        "owner_ids": ",".join(m.owner),
        "problem_data": problem_data(p) if line.first_of_problem else "",
        "measure_data": measure_data(m),
    }


def manifestation_text(problem: Problem) -> str:
    items = problem.manifestations
    if len(items) == 1:
        return items[0].text
    return "\n".join(f"{i}.{x.text}" for i, x in enumerate(items, 1))


def note(row: Row, as_of: date) -> str:
    """备注: the marks a reader must not miss, the original deadline of an extended measure."""
    m = row.measure
    found = []
    if row.overdue and m.due:
        found.append(X["mark_overdue"].format(days=(as_of - m.due).days))
    if row.due_soon and m.due:
        days = (m.due - as_of).days
        found.append(X["mark_due_soon"].format(days=days) if days else X["mark_due_today"])
    if row.late:
        found.append(labels.MARK_LABELS["late"])
    if m.extensions and m.extensions[0].from_:
        found.append(X["mark_extended"].format(date=day(m.extensions[0].from_)))
    if row.relapsed:
        found.append(labels.MARK_LABELS["relapsed"])
    return "；".join(found)


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def problem_data(problem: Problem) -> str:
    """What of a problem no column shows; a body too long for one cell is left out."""
    data = _compact({"path": problem.path, "public": None if problem.public else False,
                     "body": problem.body, "extra": problem.extra})
    text = json.dumps(data, ensure_ascii=False)
    if len(text) > MAX_CELL:
        text = json.dumps({k: v for k, v in data.items() if k != "body"}, ensure_ascii=False)
    return text


def measure_data(m: Measure) -> str:
    """What of a measure no column shows (or shows only in part), for a lossless round trip."""
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return json.dumps(_compact({
        "addresses": list(m.addresses),
        "outcome": m.outcome,
        "evidence": [_compact({"title": e.title, "path": e.path, "url": e.url}) for e in m.evidence],
        "closed_by": m.closed_by,
        "extensions": [_compact({"from": iso(e.from_), "to": iso(e.to), "approved_by": e.approved_by,
                                 "approved_on": iso(e.approved_on), "reason": e.reason}) for e in m.extensions],
        "rechecks": [_compact({"date": iso(c.date), "by": c.by, "result": c.result, "note": c.note}) for c in m.rechecks],
        "extra": m.extra,
    }), ensure_ascii=False)


def ledger_row(ws: Worksheet, r: int, values: dict[str, Any], row: Row) -> None:
    m = row.measure
    for col, key in enumerate(COLUMNS, 1):
        fill: str | PatternFill | None = None
        font = FONT
        if key == "status":
            fill = LONG_TERM_FILL if m.long_term and m.status in ("not_started", "in_progress") else STATUS_FILLS.get(m.status)
        if row.overdue and key not in MERGED:
            fill, font = OVERDUE_FILL, OVERDUE_FONT
        put(ws, r, col, values[key], font, CENTER if key in CENTERED else LEFT, fill)
    for col, key in enumerate(HIDDEN, len(COLUMNS) + 1):
        if values[key]:  # hidden cells are read by the import only: no style, no empty cells
            ws.cell(r, col, values[key]).data_type = "s"


def merge_blocks(ws: Worksheet, cells: dict[int, dict[str, Any]]) -> list[tuple[int, int, str, Any]]:
    """Merge area, problem and 问题表现 cells across their measures; the merged blocks.

    The ranges are set at once: `merge_cells` checks each new range against all earlier
    ones, quadratic in a large ledger. The cells under a merge keep their borders.
    """
    blocks: list[tuple[int, int, str, Any]] = []
    ranges: list[CellRange] = []
    for key, group in (("area", "area_id"), ("problem", "problem_id"), ("manifestations", "problem_id")):
        col = COLUMNS.index(key) + 1
        for first, last in runs(cells, group):
            blocks.append((first, last, key, cells[first][key]))
            if last > first:
                ranges.append(CellRange(min_col=col, min_row=first, max_col=col, max_row=last))
    ws.merged_cells = MultiCellRange([*ws.merged_cells.ranges, *ranges])
    return blocks


def runs(cells: dict[int, dict[str, Any]], key: str) -> list[tuple[int, int]]:
    """(first, last) rows of each run of equal `key` values."""
    found: list[tuple[int, int]] = []
    for r, values in cells.items():
        if found and cells[found[-1][0]][key] == values[key]:
            found[-1] = (found[-1][0], r)
        else:
            found.append((r, r))
    return found


# -- 统计汇总 ----------------------------------------------------------------------------

SUMMARY_COLUMNS = ("name", "problems", "measures", *labels.STATUSES, "overdue", "completion_rate")


def summary_header() -> list[str]:
    words = {"name": X["item"], "problems": labels.LABELS["problem_count"], "measures": labels.LABELS["measure_count"],
             **labels.STATUS_LABELS, "overdue": labels.MARK_LABELS["overdue"],
             "completion_rate": labels.LABELS["completion_rate"]}
    return [words[k] for k in SUMMARY_COLUMNS]


def summary_values(name: str, problems: int, t: Tally) -> list[Any]:
    return [name, problems, t.measures, *(t.by_status[s] for s in labels.STATUSES), t.overdue, t.completion_rate]


def summary_sheet(ws: Worksheet, agg: Aggregate) -> None:
    """Figures overall, by area and by department (a measure of two departments counts in each)."""
    width = len(SUMMARY_COLUMNS)
    title_rows(ws, X["summary_title"].format(title=agg.ledger.title), subtitle(agg), width)
    t = agg.tally
    sentence = labels.LABELS["unit_sentence"].format(
        problems=len(agg.problems), manifestations=agg.manifestations, measures=t.measures, completed=t.completed,
        closed=t.by_status["closed"], open=t.open, rate=percent(t.completion_rate))
    put(ws, 3, 1, sentence, FONT, LEFT, border=False)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws.row_dimensions[3].height = 36
    sections = [
        (X["overall"], [summary_values(labels.LABELS["total"], len(agg.problems), t)]),
        (labels.LABELS["by_area"], [summary_values(g.name, problem_count(g), g.tally) for g in agg.by_area()]),
        (labels.LABELS["by_department"], [summary_values(g.name, problem_count(g), g.tally) for g in agg.by_department()]),
    ]
    r = 5
    for number, (heading, rows) in enumerate(sections, 1):
        put(ws, r, 1, f"{chinese_number(number)}、{heading}", BOLD, border=False)
        header(ws, r + 1, summary_header())
        for i, values in enumerate(rows):
            for col, value in enumerate(values, 1):
                put(ws, r + 2 + i, col, value, FONT, LEFT if col == 1 else CENTER)
        r += len(rows) + 3
    for col, w in enumerate([24] + [10] * (width - 1), 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    print_setup(ws, 6, width, r)


def problem_count(group: Group) -> int:
    return len({r.problem.id for r in group.rows})


# -- 逾期清单 ----------------------------------------------------------------------------

OVERDUE_COLUMNS: dict[str, str] = {
    "seq": labels.XLSX_COLUMNS["seq"], "id": labels.LABELS["id"], "area": labels.XLSX_COLUMNS["area"],
    "problem": labels.XLSX_COLUMNS["problem"], "measure": labels.XLSX_COLUMNS["measure"],
    "leader": labels.XLSX_COLUMNS["leader"], "department": labels.XLSX_COLUMNS["department"],
    "owner": labels.XLSX_COLUMNS["owner"], "due": labels.XLSX_COLUMNS["due"], "days": labels.LABELS["days_over"],
    "status": labels.XLSX_COLUMNS["status"], "progress": labels.XLSX_COLUMNS["progress"],
}
OVERDUE_WIDTHS = {**WIDTHS, "id": (8, 10), "days": (8, 10), "problem": (14, 30), "measure": (16, 40)}


def overdue_sheet(ws: Worksheet, agg: Aggregate) -> None:
    """Overdue measures, longest overdue first, with whom to chase (督办)."""
    keys = tuple(OVERDUE_COLUMNS)
    title_rows(ws, X["overdue_title"].format(title=agg.ledger.title), subtitle(agg), len(keys))
    header(ws, HEADER_ROW, list(OVERDUE_COLUMNS.values()))
    cells = {HEADER_ROW + 1 + i: overdue_cells(agg, i + 1, row) for i, row in enumerate(agg.overdue())}
    for r, values in cells.items():
        for col, key in enumerate(keys, 1):
            put(ws, r, col, values[key], OVERDUE_FONT if key == "days" else FONT,
                CENTER if key in CENTERED or key in ("id", "days") else LEFT)
    last = HEADER_ROW + len(cells)
    if not cells:
        last += 1
        put(ws, last, 1, labels.LABELS["no_items"], FONT, CENTER)
        ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=len(keys))
    values = {k: [v[k] for v in cells.values()] + [OVERDUE_COLUMNS[k]] for k in keys}
    widths = fit_widths(ws, keys, values, OVERDUE_WIDTHS)
    fit_heights(ws, cells, [], widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1).coordinate
    print_setup(ws, HEADER_ROW, len(keys), last)


def overdue_cells(agg: Aggregate, seq: int, row: Row) -> dict[str, Any]:
    m = row.measure
    return {
        "seq": seq, "id": m.id, "area": row.area.name if row.area else row.problem.area, "problem": row.problem.title,
        "measure": m.text, "leader": names(m.leader, agg.people), "department": names(m.department, agg.departments),
        "owner": names(m.owner, agg.people), "due": m.due, "days": (agg.as_of - m.due).days if m.due else 0,
        "status": labels.status_label(m.status), "progress": m.progress or "",
    }


# -- 编号对照 (hidden) -------------------------------------------------------------------

IDS_COLUMNS = ("kind", "id", "name", "title", "person_department")


def ids_sheet(ws: Worksheet, agg: Aggregate) -> None:
    """Areas, departments and people with their ids and the ledger's settings, for the import."""
    words = {"kind": X["kind"], "id": labels.LABELS["id"], "name": X["name"], "title": labels.LABELS["title"],
             "person_department": X["person_department"]}
    for col, key in enumerate(IDS_COLUMNS, 1):
        put(ws, 1, col, words[key], HEADER_FONT, border=False)
    for r, values in enumerate(id_rows(agg), 2):
        for col, value in enumerate(values, 1):
            put(ws, r, col, value, FONT, border=False)
    ws.column_dimensions["C"].width = 30
    ws.sheet_state = "hidden"


def id_rows(agg: Aggregate) -> Iterable[list[Any]]:
    ledger = agg.ledger
    settings = _compact({
        "inspection": _inspection(ledger.inspection) if ledger.inspection else None,
        "declared": _compact({"problems": ledger.declared.problems, "manifestations": ledger.declared.manifestations,
                              "measures": ledger.declared.measures}) if ledger.declared else None,
        "due_soon_days": ledger.due_soon_days,
        "extra": ledger.extra,
    })
    yield [X["kind_ledger"], "", json.dumps(settings, ensure_ascii=False), None, None]
    for a in ledger.areas:
        yield [X["kind_area"], a.id, a.name, None, None]
    for d in ledger.departments:
        yield [X["kind_department"], d.id, d.name, None, None]
    for p in ledger.people:
        yield [X["kind_person"], p.id, p.name, p.title, p.department]


def _inspection(inspection: Any) -> dict[str, Any]:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return _compact({"by": inspection.by, "from": iso(inspection.from_), "to": iso(inspection.to),
                     "feedback_on": iso(inspection.feedback_on)})


# -- the upward reports (reports.document): 考核 in the download, and `taizhang report assessment|due --format xlsx` --

def document_sheet(ws: Worksheet, doc: ReportDocument) -> None:
    """A report on one sheet: its title, then headings, sentences and tables one under the other."""
    width = max((len(b.header) for b in doc.blocks if isinstance(b, ReportTable)), default=1)
    title_rows(ws, doc.title, doc.subtitle, width)
    r = 3
    if doc.note:
        r = _sentence_row(ws, r, doc.note, width)
    for block in doc.blocks:
        if isinstance(block, ReportTable):
            header(ws, r, block.header)
            for row in block.rows:
                r += 1
                for col, value in enumerate(row, 1):
                    numeric = block.numeric is not None and col - 1 >= block.numeric and value.isdigit()
                    put(ws, r, col, int(value) if numeric else value, FONT, CENTER if col == 1 or numeric else LEFT)
            r += 2
        elif isinstance(block, DocHeading):
            put(ws, r, 1, block.text, BOLD, border=False)
            r += 1
        else:
            r = _sentence_row(ws, r, block.text, width)
    widths = {col: 6 for col in range(1, width + 1)}
    for block in doc.blocks:
        if isinstance(block, ReportTable):
            for col, cm in enumerate(block.widths, 1):
                widths[col] = max(widths[col], round(cm * 4.5))  # about 4.5 Excel units to the centimetre
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w
    print_setup(ws, 3, width, r)


def _sentence_row(ws: Worksheet, r: int, text: str, width: int) -> int:
    put(ws, r, 1, text, FONT, LEFT, border=False)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    ws.row_dimensions[r].height = 15 * max(1, math.ceil(display_width(text) / 110))
    return r + 1


def document_bytes(doc: ReportDocument) -> bytes:
    wb = Workbook()
    wb.properties.title = doc.title
    wb.properties.creator = "taizhang"
    wb.properties.created = datetime.combine(doc.as_of, time())
    wb.active.title = doc.title[:31]
    document_sheet(wb.active, doc)
    out = io.BytesIO()
    wb.save(out)
    return _dated(out.getvalue(), datetime.combine(doc.as_of, time()))
