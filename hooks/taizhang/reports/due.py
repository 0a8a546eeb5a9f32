"""督办: the daily supervision list — overdue measures and those due within days, by responsible leader, then department."""

from __future__ import annotations

from dataclasses import dataclass

from taizhang.labels import REPORT_WORDS as R
from taizhang.labels import LABELS
from taizhang.ledger.figures import Aggregate, Row, is_due_soon
from taizhang.reports.document import ReportDocument
from taizhang.reports.stage import names
from taizhang.reports.weekly import chinese_date
from taizhang.text import chinese_number

COLUMNS = (0.9, 1.7, 4.6, 2.0, 1.7, 1.5, 3.2)
PUBLIC_COLUMNS = (0.9, 1.7, 6.1, 2.0, 1.7, 3.2)


@dataclass(frozen=True, slots=True)
class DueItem:
    """One measure on the list, with its days left (negative: days overdue)."""

    row: Row
    days: int

    @property
    def when(self) -> str:
        if self.days < 0:
            return R["due_over"].format(n=-self.days)
        return R["due_in"].format(n=self.days) if self.days else R["due_today"]


@dataclass
class Supervision:
    """The list as of the aggregate's day: what is overdue and due within `days`, grouped."""

    agg: Aggregate
    days: int
    public: bool = False

    def items(self) -> list[DueItem]:
        """Overdue first (longest overdue first), then by deadline; overdue is the Aggregate's own mark."""
        as_of = self.agg.as_of
        found = [DueItem(r, (r.measure.due - as_of).days) for r in self.agg.rows if r.measure.due is not None
                 and (r.overdue or is_due_soon(r.measure, as_of, self.days))]
        return sorted(found, key=lambda i: (i.days, i.row.measure.id))

    def groups(self) -> list[tuple[str, list[tuple[str, list[DueItem]]]]]:
        """(leader, [(department, items)]) in the order of owners.yml: a measure under each of its leaders, and there
        under its lead department (牵头部门, the first it names), so that a leader's list has each measure once.

        The public profile names no one: one group, by department only.
        """
        items = self.items()
        leaders = [""] if self.public else [p.id for p in self.agg.ledger.people]
        found = []
        for leader in leaders:
            mine = [i for i in items if not leader or leader in i.row.measure.leader]
            if not mine:
                continue
            departments = []
            for d in self.agg.ledger.departments:
                theirs = [i for i in mine if i.row.measure.department[:1] == (d.id,)]
                if theirs:
                    departments.append((d.name, theirs))
            found.append((names(self.agg, "leader", (leader,)) if leader else "", departments))
        return found

    def document(self, note: str = "") -> ReportDocument:
        agg = self.agg
        items = self.items()
        overdue = sum(i.days < 0 for i in items)
        doc = ReportDocument(title=R["due_title"].format(unit=agg.ledger.unit),
                       subtitle=R["due_subtitle"].format(as_of=chinese_date(agg.as_of), days=self.days),
                       as_of=agg.as_of, unit=agg.ledger.unit, note=note)
        doc.paragraph(R["due_sentence"].format(as_of=chinese_date(agg.as_of), overdue=overdue, soon=len(items) - overdue,
                                               days=self.days) if items else R["due_none"].format(
            as_of=chinese_date(agg.as_of), days=self.days))
        header = (R["col_seq"], LABELS["id"], LABELS["measure"], LABELS["due"], R["col_when"], LABELS["owner"],
                  R["col_progress"])
        for n, (leader, departments) in enumerate(self.groups(), 1):
            count = len({i.row.measure.id for _, its in departments for i in its})
            if leader:
                doc.heading(1, R["due_leader"].format(n=chinese_number(n), name=leader, count=count))
            for m, (department, its) in enumerate(departments, 1):
                doc.heading(2, R["due_department"].format(n=chinese_number(m), name=department, count=len(its)))
                rows = [(str(k), i.row.measure.id, i.row.measure.text, str(i.row.measure.due), i.when,
                         names(agg, "owner", i.row.measure.owner), i.row.measure.progress or "")
                        for k, i in enumerate(its, 1)]
                if self.public:
                    header_, rows = header[:5] + header[6:], [r[:5] + r[6:] for r in rows]
                    doc.table(header_, rows, PUBLIC_COLUMNS)
                else:
                    doc.table(header, rows, COLUMNS)
        return doc
