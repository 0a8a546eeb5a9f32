"""An upward report as data: a title, then headings, paragraphs and tables, then the signature.

The stage report, the assessment and the supervision list are each built as a `ReportDocument`;
one Markdown template and one Word writer (office.word) lay out any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1: 一、 in 黑体; 2: （一） in 楷体
    text: str
    new_page: bool = False  # an attachment (附件) starts a page


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class ReportTable:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...]  # cm, adding up to the 15.6 cm type area of GB/T 9704
    numeric: int | None = None  # columns from this one on are figures, centred


Block = Heading | Paragraph | ReportTable


@dataclass
class ReportDocument:
    """What a report says, in order; `note` is the one line saying what it could not include."""

    title: str
    subtitle: str
    as_of: date
    unit: str
    addressee: str = ""
    note: str = ""
    blocks: list[Block] = field(default_factory=list)
    attachment: str = ""  # 附件说明, after the text and before the signature (GB/T 9704)
    signature: tuple[str, ...] = ()
    appendix: list[Block] = field(default_factory=list)  # the attachment itself, after the signature

    def heading(self, level: int, text: str, new_page: bool = False) -> None:
        self.blocks.append(Heading(level, text, new_page))

    def paragraph(self, text: str) -> None:
        if text:
            self.blocks.append(Paragraph(text))

    def table(self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...],
              numeric: int | None = None) -> None:
        self.blocks.append(ReportTable(header, rows, widths, numeric))

    def paragraphs(self) -> list[str]:
        """Every paragraph's text, in order (tests hold the figure sentences against the export)."""
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    def parts(self) -> list[tuple[str, list[Block] | str | tuple[str, ...]]]:
        """The document in order, for the writers: ("blocks", …), ("attachment", text), ("signature", lines), ("blocks", appendix)."""
        found: list[tuple[str, list[Block] | str | tuple[str, ...]]] = [("blocks", self.blocks)]
        if self.attachment:
            found.append(("attachment", self.attachment))
        if self.signature:
            found.append(("signature", self.signature))
        if self.appendix:
            found.append(("blocks", self.appendix))
        return found
