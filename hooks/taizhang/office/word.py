"""The weekly report as a Word document laid out as a Chinese official report (公文格式), with python-docx.

A4 portrait with the margins of GB/T 9704 (top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm),
22 lines a page; title in 方正小标宋简体 二号, headings 一、 in 黑体, （一） in 楷体_GB2312, body in
仿宋_GB2312 三号 (16 pt); tables repeat their header row on every page; page numbers — 1 — in
the footer. Chinese font names go into w:eastAsia, which is what Word uses for Chinese text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timezone
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from taizhang.labels import LABELS, MARK_LABELS
from taizhang.labels import WEEKLY_WORDS as W
from taizhang.ledger.repository import CHINA
from taizhang.office.ooxml import repack
from taizhang.text import chinese_number
from taizhang.reports.document import Block as DocBlock
from taizhang.reports.document import ReportDocument
from taizhang.reports.document import Heading as DocHeading
from taizhang.reports.document import ReportTable
from taizhang.reports.weekly import ReportLine, Report

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

BODY = Pt(16)  # 三号
TITLE = Pt(22)  # 二号
TABLE = Pt(10.5)  # 五号
PAGE_NUMBER = Pt(14)  # 四号
LINE = Pt(29)  # 22 lines on the type area of an A4 page
INDENT = Pt(32)  # two characters of 三号

# Column widths (cm) of the measure tables; they add up to the type area, 21 − 2.8 − 2.6 = 15.6 cm.
LINE_COLUMNS = (0.9, 1.7, 4.8, 2.4, 1.6, 2.2, 2.0)
PUBLIC_LINE_COLUMNS = (1.0, 1.8, 6.2, 2.6, 2.2, 1.8)


def write(report: Report, path: Path) -> None:
    path.write_bytes(to_bytes(report))


def to_bytes(report: Report) -> bytes:
    doc = document(report)
    out = BytesIO()
    doc.save(out)
    return repack(out.getvalue(), _moment(report))


def document(report: Report) -> DocumentObject:
    doc = Document()
    _page(doc)
    _styles(doc)
    _properties(doc, report)
    _title(doc, report)
    _limits(doc, report)
    _overall(doc, report)
    _work(doc, report)
    _urgent(doc, report)
    _next(doc, report)
    _signature(doc, report)
    return doc


# -- page, styles, properties ---------------------------------------------------------------------

def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:  # 22 lines a page, as the line spacing gives
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(int(LINE.pt * 20)))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", NUMBER_FONT, PAGE_NUMBER)
    _page_field(footer)
    _run(footer, " —", NUMBER_FONT, PAGE_NUMBER)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word fills in the page number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    rpr = run.get_or_add_rPr()
    _font(rpr, NUMBER_FONT)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(int(PAGE_NUMBER.pt * 2)))
    rpr.append(size)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _styles(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    _style_font(normal, BODY_FONT, BODY)
    _lines(normal, LINE, indent=INDENT)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        style = doc.styles[name]
        _style_font(style, font, BODY)
        _lines(style, LINE, indent=INDENT)
        style.paragraph_format.keep_with_next = True
    table = doc.styles.add_style("Table Text", 1)
    table.base_style = normal
    _style_font(table, BODY_FONT, TABLE)
    _lines(table, None, indent=Pt(0))
    table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _style_font(style: ParagraphStyle, name: str, size: Pt) -> None:
    style.font.size = size
    style.font.bold = False
    style.font.italic = False
    # The built-in headings take their colour and fonts from the theme: black and the given font instead.
    rpr = style.element.get_or_add_rPr()
    _font(rpr, name)
    for element in rpr.findall(qn("w:color")) + rpr.findall(qn("w:szCs")):
        rpr.remove(element)


def _font(rpr, name: str) -> None:  # type: ignore[no-untyped-def]
    """Set the font for Latin and East Asian text, dropping theme fonts (asciiTheme, cstheme…) that would win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        if key.lower().endswith("theme"):
            del fonts.attrib[key]
    latin = LATIN_FONT if name == BODY_FONT else name  # digits and letters of body text in Times New Roman
    for key, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", name), ("w:cs", name)):
        fonts.set(qn(key), value)


def _lines(style: ParagraphStyle, exactly: Pt | None, indent: Pt) -> None:
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exactly is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = exactly
    fmt.first_line_indent = indent


def _properties(doc: DocumentObject, report: Report) -> None:
    """Title and unit; dated at the report's as-of date so that the same week gives the same file."""
    props = doc.core_properties
    props.title = report.title()
    props.author = props.last_modified_by = report.agg.ledger.unit
    props.comments = props.subject = props.keywords = props.category = ""
    # core.xml stores UTC: 17:30 in Beijing
    props.created = props.modified = _moment(report).astimezone(timezone.utc).replace(tzinfo=None)
    props.revision = 1


def _moment(report: Report) -> datetime:
    """17:30 in Beijing on the report's as-of date: the time the file says it was made."""
    return datetime.combine(report.as_of, time(17, 30), CHINA)


# -- text -----------------------------------------------------------------------------------------

def _run(paragraph: Paragraph, text: str, font: str, size: Pt) -> None:
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = False
    _font(run._r.get_or_add_rPr(), font)


def _paragraph(doc: DocumentObject, text: str) -> Paragraph:
    return doc.add_paragraph(text)


def _heading(doc: DocumentObject, text: str, level: int) -> Paragraph:
    return doc.add_paragraph(text, style=f"Heading {level}")


def _title(doc: DocumentObject, report: Report) -> None:
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = title.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing = Pt(35)
    _run(title, report.title(), TITLE_FONT, TITLE)
    period = doc.add_paragraph()
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period.paragraph_format.first_line_indent = Pt(0)
    _run(period, report.period(), SUBHEADING_FONT, BODY)
    doc.add_paragraph().paragraph_format.first_line_indent = Pt(0)


# -- the sections -----------------------------------------------------------------------------------

def _overall(doc: DocumentObject, report: Report) -> None:
    _heading(doc, f"一、{W['section_overall']}", 1)
    for sentence in report.overall():
        _paragraph(doc, sentence)
    _heading(doc, f"（一）{W['figures']}", 2)
    _table(doc, [W["figure"], W["last_week"], W["this_week"], W["change"]],
           [(f.label, f.before, f.after, f.change) for f in report.figures()], widths=(6.0, 3.2, 3.2, 3.2), numeric=1)
    _heading(doc, f"（二）{W['by_area']}", 2)
    _table(doc, [LABELS["area"], LABELS["measure_count"], LABELS["completed"], LABELS["completion_rate"], W["col_this_week"]],
           [tuple(map(str, row)) for row in report.areas()], widths=(6.0, 2.4, 2.4, 2.4, 2.4), numeric=1)
    _heading(doc, f"（三）{W['burnup']}", 2)
    _table(doc, [W["week"], W["as_of"], W["burnup_total"], W["burnup_completed"], W["burnup_closed"], LABELS["completion_rate"]],
           [tuple(map(str, row)) for row in report.burnup()], widths=(2.4, 2.8, 2.3, 3.3, 2.4, 2.4), numeric=2)


def _work(doc: DocumentObject, report: Report) -> None:
    _heading(doc, f"二、{W['section_work']}", 1)
    _paragraph(doc, report.work())
    for i, (heading, items) in enumerate(report.shown_groups(), 1):
        _heading(doc, f"（{chinese_number(i)}）{heading}（{len(items)}）", 2)
        for n, item in enumerate(items, 1):
            _paragraph(doc, f"{n}. {item.sentence()}")


def _urgent(doc: DocumentObject, report: Report) -> None:
    _heading(doc, f"三、{W['section_urgent']}", 1)
    _heading(doc, f"（一）{W['overdue']}（{len(report.overdue)}）", 2)
    _lines_table(doc, report, report.overdue)
    _heading(doc, f"（二）{W['due_next']}（{len(report.due_next)}）", 2)
    _paragraph(doc, report.due_next_note())
    _lines_table(doc, report, report.due_next)
    _heading(doc, f"（三）{W['stale']}（{len(report.stale)}）", 2)
    _paragraph(doc, report.stale_note())
    _lines_table(doc, report, report.stale)
    columns = [W["col_overdue"], W["col_due_next"], W["col_stale"]]
    for number, (heading, role, counts) in enumerate(
            ((W["by_department"], LABELS["department"], report.by_department()),
             (W["by_leader"], LABELS["leader"], report.by_leader())), 4):
        if counts:
            _heading(doc, f"（{chinese_number(number)}）{heading}", 2)
            _table(doc, [role, *columns], [(c.name, str(c.overdue), str(c.due_next), str(c.stale)) for c in counts],
                   widths=(6.0, 3.2, 3.2, 3.2), numeric=1)


def _lines_table(doc: DocumentObject, report: Report, lines: Sequence[ReportLine]) -> None:
    if not lines:
        _paragraph(doc, W["none"])
        return
    header = [W["col_seq"], W["col_id"], LABELS["measure"], LABELS["department"], LABELS["leader"], LABELS["due"], W["col_note"]]
    rows = [(str(i), line.row.measure.id, line.row.measure.text, line.departments, line.leaders,
             str(line.row.measure.due or MARK_LABELS["long_term"]), line.note) for i, line in enumerate(lines, 1)]
    if report.public:
        header.pop(4)
        rows = [row[:4] + row[5:] for row in rows]
    _table(doc, header, rows, widths=PUBLIC_LINE_COLUMNS if report.public else LINE_COLUMNS, numeric=None)


def _limits(doc: DocumentObject, report: Report) -> None:
    """Without git history: the one line saying what the report could not include."""
    if report.limits:
        _paragraph(doc, report.limits)


def _next(doc: DocumentObject, report: Report) -> None:
    _heading(doc, f"四、{W['section_next']}", 1)
    for n, step in enumerate(report.next_steps(), 1):
        _paragraph(doc, f"{n}. {step}")


def _signature(doc: DocumentObject, report: Report) -> None:
    _signature_lines(doc, report.signature())


# -- tables -------------------------------------------------------------------------------------------

def _table(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
           numeric: int | None) -> Table:
    """A bordered table whose header row repeats on every page; columns from `numeric` on are centred."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    _cells(table.rows[0].cells, header, widths, numeric, head=True)
    _repeat_header(table.rows[0])
    for values in rows:
        _cells(table.add_row().cells, values, widths, numeric)
    doc.add_paragraph().paragraph_format.first_line_indent = Pt(0)  # Word needs a paragraph between tables
    return table


def _cells(cells, values: Sequence[str], widths: Sequence[float], numeric: int | None, head: bool = False) -> None:  # type: ignore[no-untyped-def]
    for i, (cell, value) in enumerate(zip(cells, values)):
        cell.width = Cm(widths[i])
        if head:
            _shade(cell, "D9D9D9")  # before vAlign: the schema orders tcPr's children
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.style = "Table Text"
        if head or (numeric is not None and i >= numeric) or i == 0 and numeric is None:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, value, HEADING_FONT if head else BODY_FONT, TABLE)


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    """w:tblHeader: Word repeats this row at the top of every page the table runs onto; w:cantSplit keeps it whole."""
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        properties.append(element)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


# -- the upward reports (reports.document): the stage report, the assessment, the supervision list ------

def _blocks(doc: DocumentObject, blocks: Sequence[DocBlock]) -> None:
    for block in blocks:
        if isinstance(block, ReportTable):
            _table(doc, block.header, block.rows, block.widths, numeric=block.numeric)
        elif isinstance(block, DocHeading):
            heading = _heading(doc, block.text, min(block.level, 2))
            if block.new_page:  # an attachment (附件) starts a page, its mark flush left (GB/T 9704)
                heading.paragraph_format.page_break_before = True
                heading.paragraph_format.first_line_indent = Pt(0)
        else:
            _paragraph(doc, block.text)


def _signature_lines(doc: DocumentObject, lines: Sequence[str]) -> None:
    """The unit and the date at the right, four characters in from the edge (右空四字)."""
    doc.add_paragraph()
    for text in lines:
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.right_indent = Pt(64)


def document_bytes(report: ReportDocument) -> bytes:
    """Any `reports.document.ReportDocument` in the same official-document layout as the weekly report."""
    doc = Document()
    _page(doc)
    _styles(doc)
    moment = datetime.combine(report.as_of, time(17, 30), CHINA)
    props = doc.core_properties
    props.title = report.title
    props.author = props.last_modified_by = report.unit
    props.comments = props.subject = props.keywords = props.category = ""
    props.created = props.modified = moment.astimezone(timezone.utc).replace(tzinfo=None)
    props.revision = 1
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(35)
    _run(title, report.title, TITLE_FONT, TITLE)
    if report.subtitle:
        sub = doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub.paragraph_format.first_line_indent = Pt(0)
        _run(sub, report.subtitle, SUBHEADING_FONT, BODY)
    doc.add_paragraph().paragraph_format.first_line_indent = Pt(0)
    if report.note:
        _paragraph(doc, report.note)
    if report.addressee:  # 主送机关: flush left, no indent
        doc.add_paragraph(report.addressee).paragraph_format.first_line_indent = Pt(0)
    for kind, part in report.parts():
        if kind == "attachment":  # 附件说明: a blank line, then two characters in
            doc.add_paragraph()
            _paragraph(doc, str(part))
        elif kind == "signature":
            _signature_lines(doc, part)  # type: ignore[arg-type]
        else:
            _blocks(doc, part)  # type: ignore[arg-type]
    out = BytesIO()
    doc.save(out)
    return repack(out.getvalue(), moment)
