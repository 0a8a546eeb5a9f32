"""The rectification report (整改情况报告) as of a day: fixed sentences around the Aggregate's figures.

Every figure is read from the Aggregate (its tally, its groups by area), as /progress/ and the
JSON export read them; the only other text is the records' own (problem titles, measures,
outcomes). A sentence whose figure is 0 says so plainly or is left out.
"""

from __future__ import annotations

from taizhang.labels import LABELS, MARK_LABELS, RECHECK_RESULTS, STATUS_LABELS
from taizhang.labels import REPORT_WORDS as R
from taizhang.ledger.figures import COMPLETED, OPEN, Aggregate, Row, percent, problem_status
from taizhang.reports.document import ReportDocument, Heading, Paragraph, ReportTable
from taizhang.reports.weekly import chinese_date
from taizhang.text import chinese_number

# Column widths (cm) of the tables, each adding up to the 15.6 cm type area.
OVERDUE_COLUMNS = (1.0, 1.9, 5.7, 2.6, 2.0, 2.4)
EXTENDED_COLUMNS = (1.0, 1.9, 4.7, 2.4, 2.4, 1.6, 1.6)
RELAPSED_COLUMNS = (1.0, 1.9, 5.3, 2.4, 1.8, 3.2)
OPEN_COLUMNS = (1.0, 1.9, 5.6, 2.6, 2.1, 2.4)
LEDGER_COLUMNS = (1.0, 2.2, 3.6, 3.8, 2.0, 1.6, 1.4)


def names(agg: Aggregate, role: str, ids: tuple[str, ...]) -> str:
    table = agg.departments if role == "department" else agg.people
    return "、".join(table[i].name if i in table else i for i in ids)


def due_text(row: Row) -> str:
    return row.measure.due.isoformat() if row.measure.due else MARK_LABELS["long_term"]


def sentence(text: str) -> str:
    """Record text as the end of a sentence: its own closing punctuation dropped, a 。 added."""
    return text.strip().rstrip("。；;，,.") + "。"


def stage(agg: Aggregate, public: bool = False, note: str = "") -> ReportDocument:
    """The report as of `agg.as_of`; `public` leaves every person's name out (SPEC section 8)."""
    ledger = agg.ledger
    by = ledger.inspection.by if ledger.inspection and ledger.inspection.by else ""
    doc = ReportDocument(title=R["stage_title"].format(unit=ledger.unit, by=by), as_of=agg.as_of, unit=ledger.unit,
                   subtitle=R["stage_subtitle"].format(as_of=chinese_date(agg.as_of)),
                   addressee=R["addressee"].format(by=by) if by else R["addressee_unknown"], note=note,
                   signature=(ledger.unit, chinese_date(agg.as_of)))
    _basics(doc, agg)
    _areas(doc, agg)
    _shortcomings(doc, agg, public)
    _next(doc, agg, public)
    _appendix(doc, agg)
    return doc


def figure_sentences(agg: Aggregate) -> list[str]:
    """The figures of 基本情况, each a sentence."""
    t, ledger = agg.tally, agg.ledger
    found = [R["scope"].format(areas=len(ledger.areas), problems=len(agg.problems), manifestations=agg.manifestations),
             R["measures"].format(unit=ledger.unit, measures=t.measures)]
    not_started = R["not_started"].format(n=t.by_status["not_started"]) if t.by_status["not_started"] else ""
    if t.open:
        found.append(R["status"].format(as_of=chinese_date(agg.as_of), completed=t.completed, closed=t.by_status["closed"],
                                        open=t.open, not_started=not_started, rate=percent(t.completion_rate)))
    else:
        found.append(R["status_all"].format(as_of=chinese_date(agg.as_of), completed=t.completed,
                                            closed=t.by_status["closed"], rate=percent(t.completion_rate)))
    done = sum(problem_status(p) in COMPLETED for p in agg.problems)
    open_problems = len(agg.problems) - done
    found.append(R["problems"].format(done=done, open=open_problems) if done and open_problems
                 else R["problems_all"].format(n=done) if done else R["problems_none"].format(n=open_problems))
    if t.long_term:
        long_term = [r for r in agg.rows if r.measure.long_term]
        found.append(R["long_term"].format(n=t.long_term, open=sum(r.measure.status in OPEN for r in long_term)))
    found.append(R["urgent"].format(overdue=t.overdue, extended=t.extended, late=t.late) if t.overdue or t.extended or t.late
                 else R["urgent_none"])
    return found


def _basics(doc: ReportDocument, agg: Aggregate) -> None:
    doc.heading(1, f"一、{R['basics']}")
    inspection = agg.ledger.inspection
    if inspection is not None and inspection.by:
        period = (R["period"].format(start=chinese_date(inspection.from_), end=chinese_date(inspection.to))
                  if inspection.from_ and inspection.to else "")
        feedback = R["feedback"].format(day=chinese_date(inspection.feedback_on)) if inspection.feedback_on else ""
        doc.paragraph(R["inspection"].format(period=period, by=inspection.by, unit=agg.ledger.unit, feedback=feedback))
    sentences = figure_sentences(agg)  # what was fed back and planned; where it stands; what is long-term or late
    for part in (sentences[:2], sentences[2:4], sentences[4:]):
        doc.paragraph("".join(part))


def _areas(doc: ReportDocument, agg: Aggregate) -> None:
    doc.heading(1, f"二、{R['areas']}")
    for i, group in enumerate(agg.by_area(), 1):
        area = agg.areas[group.key]
        problems = agg.problems_in(area)
        t = group.tally
        doc.heading(2, f"（{chinese_number(i)}）{group.name}")
        if not t.measures:
            doc.paragraph(R["area_empty"])
        elif t.open:
            doc.paragraph(R["area"].format(problems=len(problems), measures=t.measures, completed=t.completed, open=t.open,
                                           rate=percent(t.completion_rate)))
        else:
            doc.paragraph(R["area_all"].format(problems=len(problems), measures=t.measures, rate=percent(t.completion_rate)))
        n = 0
        for problem in problems:
            done = [agg.row_by_id[m.id].measure for m in problem.measures if m.status in COMPLETED]
            if not done:
                continue
            n += 1
            parts = "".join(sentence(f"{m.text}，{m.outcome or m.progress}" if (m.outcome or m.progress) else m.text)
                            for m in done)
            doc.paragraph(R["problem"].format(n=n, title=quoted_inside(problem.title), parts=parts))


def _shortcomings(doc: ReportDocument, agg: Aggregate, public: bool) -> None:
    doc.heading(1, f"三、{R['shortcomings']}")
    as_of = agg.as_of
    overdue = agg.overdue()
    doc.heading(2, f"（一）{R['overdue_heading']}")
    if not overdue:
        doc.paragraph(R["overdue_none"].format(as_of=chinese_date(as_of)))
    else:
        doc.paragraph(R["overdue"].format(as_of=chinese_date(as_of), n=len(overdue)))
        header = (R["col_seq"], LABELS["id"], LABELS["measure"], LABELS["department"], LABELS["leader"], LABELS["due"])
        rows = [(str(i), r.measure.id, r.measure.text, names(agg, "department", r.measure.department),
                 names(agg, "leader", r.measure.leader),
                 R["overdue_days"].format(due=due_text(r), days=(as_of - r.measure.due).days) if r.measure.due else "")
                for i, r in enumerate(overdue, 1)]
        _put(doc, header, rows, OVERDUE_COLUMNS, public, person_column=4)
    extended = [(r, e) for r in agg.rows for e in r.measure.extensions]
    doc.heading(2, f"（二）{R['extended_heading']}")
    if not extended:
        doc.paragraph(R["extended_none"])
    else:
        doc.paragraph(R["extended"].format(n=len({r.measure.id for r, _ in extended}), times=len(extended)))
        header = (R["col_seq"], LABELS["id"], LABELS["measure"], LABELS["from"], LABELS["to"], LABELS["approved_by"],
                  LABELS["reason"])
        rows = [(str(i), r.measure.id, r.measure.text, str(e.from_ or ""), str(e.to or ""),
                 names(agg, "leader", (e.approved_by,)), e.reason or "") for i, (r, e) in enumerate(extended, 1)]
        _put(doc, header, rows, EXTENDED_COLUMNS, public, person_column=5)
    relapsed = [(r, c) for r in agg.rows for c in r.measure.rechecks if c.result == "relapsed"]
    doc.heading(2, f"（三）{R['relapsed_heading']}")
    passed = sum(c.result == "passed" for r in agg.rows for c in r.measure.rechecks)
    if not relapsed:
        doc.paragraph(R["relapsed_none"].format(passed=passed) if passed else R["rechecks_none"])
    else:
        doc.paragraph(R["relapsed"].format(n=len(relapsed), passed=passed))
        header = (R["col_seq"], LABELS["id"], LABELS["measure"], LABELS["date"], LABELS["by"], LABELS["note"])
        rows = [(str(i), r.measure.id, r.measure.text, str(c.date or ""), names(agg, "leader", (c.by,)),
                 f"{RECHECK_RESULTS['relapsed']}{('：' + c.note) if c.note else ''}") for i, (r, c) in enumerate(relapsed, 1)]
        _put(doc, header, rows, RELAPSED_COLUMNS, public, person_column=4)
    late = agg.tally.late
    if late:
        doc.paragraph(R["late"].format(n=late))


def _next(doc: ReportDocument, agg: Aggregate, public: bool) -> None:
    doc.heading(1, f"四、{R['next']}")
    t = agg.tally
    dated = sorted((r for r in agg.rows if r.measure.status in OPEN and not r.measure.long_term),
                   key=lambda r: (r.measure.due, r.measure.leader, r.measure.id))
    long_term = [r for r in agg.rows if r.measure.long_term]
    n = 0
    header = (R["col_seq"], LABELS["id"], LABELS["measure"], LABELS["department"], LABELS["leader"], LABELS["due"])
    if dated:
        n += 1
        doc.paragraph(R["next_open"].format(n=n, count=len(dated)))
        rows = [(str(i), r.measure.id, r.measure.text, names(agg, "department", r.measure.department),
                 names(agg, "leader", r.measure.leader), due_text(r)) for i, r in enumerate(dated, 1)]
        _put(doc, header, rows, OPEN_COLUMNS, public, person_column=4)
    if t.by_status["done"]:
        n += 1
        doc.paragraph(R["next_done"].format(n=n, count=t.by_status["done"]))
    if long_term:
        n += 1
        doc.paragraph(R["next_long_term"].format(n=n, count=len(long_term)))
        rows = [(str(i), r.measure.id, r.measure.text, names(agg, "department", r.measure.department),
                 names(agg, "leader", r.measure.leader), STATUS_LABELS.get(r.measure.status, r.measure.status))
                for i, r in enumerate(long_term, 1)]
        _put(doc, header[:-1] + (LABELS["status"],), rows, OPEN_COLUMNS, public, person_column=4)
    n += 1
    doc.paragraph(R["next_recheck"].format(n=n))


def _appendix(doc: ReportDocument, agg: Aggregate) -> None:
    """附件说明 before the signature, the ledger table on a page of its own after it (GB/T 9704)."""
    doc.attachment = R["attachment"]
    doc.appendix.append(Heading(1, R["appendix_mark"], new_page=True))
    doc.appendix.append(Paragraph(R["appendix_title"]))
    header = (R["col_seq"], LABELS["area"], LABELS["problem"], LABELS["measure"], LABELS["due"], LABELS["status"],
              LABELS["done_on"])
    rows = [(str(i), r.area.name if r.area else r.problem.area, r.problem.title, r.measure.text, due_text(r),
             STATUS_LABELS.get(r.measure.status, r.measure.status), str(r.measure.done_on or ""))
            for i, r in enumerate(agg.rows, 1)]
    doc.appendix.append(ReportTable(header, rows, LEDGER_COLUMNS, numeric=4))


def _put(doc: ReportDocument, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...],
         public: bool, person_column: int) -> None:
    """A table; the public profile drops the column of persons and gives its width to the text column."""
    if public:
        header = header[:person_column] + header[person_column + 1:]
        rows = [row[:person_column] + row[person_column + 1:] for row in rows]
        widths = widths[:2] + (widths[2] + widths[person_column],) + widths[3:person_column] + widths[person_column + 1:]
    doc.table(header, rows, widths)


def quoted_inside(title: str) -> str:
    """A title set inside “…”: its own double quotes become single ones, as Chinese documents nest them."""
    return title.replace("“", "‘").replace("”", "’")
