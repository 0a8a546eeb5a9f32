"""The ledger as data: the JSON export (docs/guide/format.md, JSON 导出) and a flat CSV of measures."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from taizhang import labels
from taizhang.ledger.figures import Aggregate, Row, problem_status, summary, tally
from taizhang.ledger.records import Area, Problem


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# Raised only when a key changes meaning; keys are only ever added (docs/guide/format.md, JSON 导出).
# taizhang.schema.json beside this module describes this version; a roll-up reads only the versions it knows.
SCHEMA_VERSION = 1


def to_data(agg: Aggregate, public: bool = False, commit: str | None = None) -> dict[str, Any]:
    """The JSON export; `public` drops people and non-public problems (docs/guide/format.md, 公开版);
    `commit` is the commit the ledger was read from (None outside git)."""
    ledger = agg.ledger
    inspection = ledger.inspection
    problems = [p for p in agg.problems if p.public or not public]
    shown = {p.id for p in problems}
    rows = [r for r in agg.rows if r.problem.id in shown]
    return {
        "schema_version": SCHEMA_VERSION,
        "commit": commit,
        "ledger": {
            "title": ledger.title, "unit": ledger.unit, "as_of": agg.as_of.isoformat(),
            "inspection": None if inspection is None else {
                "by": inspection.by, "from": _day(inspection.from_), "to": _day(inspection.to),
                "feedback_on": _day(inspection.feedback_on),
            },
        },
        "summary": summary(problems, rows),
        "areas": [_area(a, problems, rows) for a in ledger.areas],
        "problems": [_problem(p) for p in problems],
        "measures": [_measure(r, public) for r in rows],
    }


def _area(area: Area, problems: list[Problem], rows: list[Row]) -> dict[str, Any]:
    t = tally(r for r in rows if r.problem.area == area.id)
    return {
        "id": area.id,
        "name": area.name,
        "problems": sum(p.area == area.id for p in problems),
        "measures": t.measures,
        "completion_rate": t.completion_rate,
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "id": problem.id,
        "area": problem.area,
        "title": problem.title,
        "status": problem_status(problem),
        "path": problem.path,
        "measures": [m.id for m in problem.measures],
    }


def _measure(row: Row, public: bool) -> dict[str, Any]:
    m = row.measure
    found: dict[str, Any] = {
        "id": m.id,
        "problem": row.problem.id,
        "area": row.problem.area,
        "text": m.text,
        "leader": list(m.leader),
        "department": list(m.department),
        "owner": list(m.owner),
        "due": _day(m.due) if m.due else labels.LONG_TERM,
        "status": m.status,
        "overdue": row.overdue,
        "due_soon": row.due_soon,
        "late": row.late,
        "done_on": _day(m.done_on),
        "closed_on": _day(m.closed_on),
        "progress": m.progress,
        "outcome": m.outcome,
        "extensions": len(m.extensions),
    }
    if public:
        del found["leader"], found["owner"]
    return found


def to_json(agg: Aggregate, public: bool = False, commit: str | None = None) -> str:
    return json.dumps(to_data(agg, public, commit), ensure_ascii=False, indent=2) + "\n"


CSV_HEADER = ("编号", "问题编号", "方面", "整改措施", "责任领导", "责任科室", "责任人", "整改时限", "整改状态",
              "逾期", "临期", "超期完成", "完成时间", "销号时间", "整改进展")


def to_csv(agg: Aggregate) -> str:
    """One row per measure, names resolved, Chinese headers, UTF-8 with BOM so Excel opens it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    cell = _cell
    yes = lambda flag: "是" if flag else ""  # noqa: E731
    for r in agg.rows:
        m = r.measure
        writer.writerow([
            m.id, r.problem.id, cell(r.area.name if r.area else r.problem.area), cell(m.text),
            cell(names(m.leader, agg.people)), cell(names(m.department, agg.departments)), cell(names(m.owner, agg.people)),
            _day(m.due) or labels.MARK_LABELS["long_term"], labels.status_label(m.status),
            yes(r.overdue), yes(r.due_soon), yes(r.late), _day(m.done_on) or "", _day(m.closed_on) or "",
            cell(m.progress or ""),
        ])
    return "\ufeff" + out.getvalue()


def _cell(text: str) -> str:
    """Text that Excel or WPS would run as a formula (=, +, -, @) is kept as text with a leading quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def names(ids: tuple[str, ...], table: dict[str, Any]) -> str:
    """Ids resolved to names, joined with the Chinese enumeration comma."""
    return "、".join(table[i].name if i in table else i for i in ids)
