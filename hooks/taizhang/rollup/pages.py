"""The roll-up site's pages (home, one per unit, overdue and due-soon across units) and its Excel download, from one Rollup."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

from taizhang.labels import ROLLUP_WORDS as R
from taizhang.labels import STATUS_LABELS
from taizhang.ledger.figures import percent
from taizhang.rollup.units import Rollup, Unit, gather, load_config
from taizhang.site import charts
from taizhang.site.pages import Page, environment, relative

XLSX = "downloads/rollup.xlsx"
_LABEL_CHARS = 16  # a unit's name in the chart: a long one would squeeze the bars to nothing


def site(root: Path, as_of: date, public: bool = False) -> tuple[Rollup, list[Page]]:
    """The roll-up at `root` (its units.yml) as of `as_of`: every unit read, every page made.
    Raises units.ConfigError when units.yml is wrong."""
    rollup = gather(root, load_config(root), as_of)
    return rollup, pages(rollup, public)


def pages(rollup: Rollup, public: bool = False) -> list[Page]:
    total = rollup.total()
    found = [render("rollup_home.md.j2", "index.md", rollup, public, total=total, chart=chart(rollup))]
    found += [render("rollup_unit.md.j2", f"units/{u.source.id}.md", rollup, public, u=u) for u in rollup.units]
    found.append(render("rollup_due.md.j2", "due/index.md", rollup, public))
    if not public:  # as a unit's public site, the figures only: no workbook
        found.append(Page(XLSX, workbook(rollup, total)))
    return found


def render(template: str, uri: str, rollup: Rollup, public: bool, **context: object) -> Page:
    text = environment().get_template(template).render(
        R=R, rollup=rollup, config=rollup.config, public=public, link=lambda target: relative(uri, target), **context)
    return Page(uri, text)


def chart(rollup: Rollup) -> str:
    """Completion per unit; a unit without figures keeps its row, its state printed where its rate would be."""
    bars = []
    for u in rollup.units:
        name = u.source.name if len(u.source.name) <= _LABEL_CHARS else u.source.name[: _LABEL_CHARS - 1] + "…"
        if u.has_figures:
            note = f"{percent(u.completion_rate)}（{u.completed}/{u.measures}）"
            bars.append(charts.Bar(name, u.completion_rate, note if u.current else f"{note} {R[u.state]}",
                                   "closed" if u.current else "not_started"))
        else:
            bars.append(charts.Bar(name, 0.0, R[u.state], "overdue"))
    return charts.bars(bars, title=f"{R['completion_by_unit']}{R['completion_rate']}", scale=1.0)


# -- the workbook -------------------------------------------------------------------------

UNIT_COLUMNS = ("unit", "state", "problems", "measures", "completed", "in_progress", "overdue", "due_soon",
                "completion_rate", "on_time_rate", "unit_as_of", "commit")
OPEN_COLUMNS = ("unit", "measure_id", "measure_text", "due", "status", "overdue", "progress")


def workbook(rollup: Rollup, total: Unit) -> bytes:
    """Sheet 1: one row per unit and the total; sheet 2: every open overdue or due-soon measure, by unit.
    The same bytes for the same exports as of the same day."""
    from openpyxl import Workbook

    from taizhang.office import excel

    wb = Workbook()
    wb.properties.title = R["xlsx_title"].format(round=rollup.config.round)
    wb.properties.creator = "taizhang"
    wb.properties.created = datetime.combine(rollup.as_of, time())
    ws = wb.active
    ws.title = R["sheet_units"]
    _sheet_top(ws, rollup, UNIT_COLUMNS)
    row = 4
    for u in [*rollup.units, total]:
        figures = [u.problems, u.measures, u.completed, u.in_progress, u.overdue, u.due_soon,
                   u.completion_rate, u.on_time_rate] if u.has_figures or u is total else [None] * 8
        if u is total:
            state, as_of = f"{len(rollup.current)}{R['units_counted']}", rollup.as_of
        else:
            state, as_of = R[u.state] + (f"：{u.reason}" if u.reason else ""), u.as_of
        values = [u.source.name, state, *figures, as_of, (u.commit or "")[:12]]
        for col, value in enumerate(values, 1):
            excel.put(ws, row, col, excel.day(value) if isinstance(value, date) else value)
        row += 1
    _widths(ws, (18, 30, 8, 10, 10, 10, 8, 8, 10, 12, 18, 14))
    excel.print_setup(ws, 3, len(UNIT_COLUMNS), row - 1)
    ws = wb.create_sheet(R["sheet_open"])
    _sheet_top(ws, rollup, OPEN_COLUMNS)
    row = 4
    for u in rollup.current:
        for m in u.urgent:
            values = [u.source.name, m.id, m.text, R["long_term"] if m.due == "long_term" else m.due,
                      STATUS_LABELS.get(m.status, m.status), R["overdue"] if m.overdue else R["due_soon"], m.progress or ""]
            for col, value in enumerate(values, 1):
                excel.put(ws, row, col, value)
            row += 1
    _widths(ws, (18, 12, 60, 12, 10, 8, 40))
    excel.print_setup(ws, 3, len(OPEN_COLUMNS), row - 1)
    out = io.BytesIO()
    wb.save(out)
    return excel._dated(out.getvalue(), datetime.combine(rollup.as_of, time()))


def _sheet_top(ws: object, rollup: Rollup, columns: tuple[str, ...]) -> None:
    from taizhang.office import excel

    excel.title_rows(ws, R["xlsx_title"].format(round=rollup.config.round),
                     R["xlsx_subtitle"].format(as_of=excel.day(rollup.as_of)), len(columns))
    excel.header(ws, 3, [R[c] for c in columns])


def _widths(ws: object, widths: tuple[int, ...]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w  # type: ignore[attr-defined]
