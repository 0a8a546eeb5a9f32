"""考核: per department and per person (as leader, as responsible person), what was finished and whether on time.

The period runs from `start` to the aggregate's as-of date, both included. A measure counts
under each department, leader and responsible person it names. The definitions are in
labels.REPORT_WORDS and printed with the figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from taizhang.labels import LABELS
from taizhang.labels import REPORT_WORDS as R
from taizhang.ledger.figures import COMPLETED, Aggregate, Group, Row, is_late, percent
from taizhang.reports.document import ReportDocument
from taizhang.reports.weekly import chinese_date

COLUMNS = (0.9, 3.0, 1.3, 1.3, 1.4, 1.4, 1.4, 1.4, 1.5, 2.0)
DEFINITIONS = ("def_measures", "def_done", "def_on_time", "def_late", "def_overdue", "def_extended", "def_relapsed",
               "def_rate", "def_order")


@dataclass(frozen=True, slots=True)
class Score:
    """One department's or person's counts over the period."""

    name: str
    measures: int
    done: int
    on_time: int
    late: int
    overdue: int
    extended: int
    relapsed: int

    @property
    def judged(self) -> int:
        """The measures whose timeliness is known: completed in the period, or overdue now."""
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        return self.on_time / self.judged if self.judged else None

    def cells(self) -> tuple[str, ...]:
        return (self.name, str(self.measures), str(self.done), str(self.on_time), str(self.late), str(self.overdue),
                str(self.extended), str(self.relapsed), percent(self.rate) if self.rate is not None else "—")


def _within(day: date | None, start: date | None, end: date) -> bool:
    return day is not None and day <= end and (start is None or day >= start)


def score(name: str, rows: Iterable[Row], start: date | None, end: date) -> Score:
    """Counts over `rows`; overdue is the Aggregate's mark at `end`, late the same test as everywhere (figures.is_late)."""
    found = list(rows)
    done = [r for r in found if r.measure.status in COMPLETED and _within(r.measure.done_on, start, end)]
    late = sum(is_late(r.measure) for r in done)
    return Score(
        name, len(found), len(done), len(done) - late, late, sum(r.overdue for r in found),
        sum(_within(e.approved_on, start, end) for r in found for e in r.measure.extensions),
        sum(c.result == "relapsed" and _within(c.date, start, end) for r in found for c in r.measure.rechecks),
    )


def ranked(scores: Iterable[Score]) -> list[Score]:
    """By on-time rate, highest first; ties by more measures judged, then by name; none judged last."""
    return sorted((s for s in scores if s.measures),
                  key=lambda s: (s.rate is None, -(s.rate or 0.0), -s.judged, s.name))


@dataclass
class Assessment:
    agg: Aggregate  # as of the period's end
    start: date | None = None
    public: bool = False  # departments only (SPEC section 8)

    def _scores(self, groups: Iterable[Group]) -> list[Score]:
        return ranked(score(g.name, g.rows, self.start, self.agg.as_of) for g in groups)

    def departments(self) -> list[Score]:
        return self._scores(self.agg.by_department())

    def leaders(self) -> list[Score]:
        return [] if self.public else self._scores(self.agg.as_leader(p) for p in self.agg.ledger.people)

    def owners(self) -> list[Score]:
        return [] if self.public else self._scores(self.agg.as_owner(p) for p in self.agg.ledger.people)

    def period(self) -> str:
        end = chinese_date(self.agg.as_of)
        return R["period_from"].format(start=chinese_date(self.start), end=end) if self.start else R["period_to"].format(end=end)

    def tables(self) -> list[tuple[str, str, list[Score]]]:
        """(heading, the name column, scores) of each table there is."""
        found = [(R["by_department"], LABELS["department"], self.departments()),
                 (R["by_leader"], LABELS["leader"], self.leaders()), (R["by_owner"], LABELS["owner"], self.owners())]
        return [t for t in found if t[2]]

    @staticmethod
    def header(first: str) -> tuple[str, ...]:
        return (R["col_seq"], first, *(R[f"col_{k}"] for k in
                                       ("measures", "done", "on_time", "late", "overdue", "extended", "relapsed", "rate")))

    def document(self, note: str = "") -> ReportDocument:
        agg = self.agg
        doc = ReportDocument(title=R["assessment_title"].format(unit=agg.ledger.unit), subtitle=f"（{self.period()}）",
                       as_of=agg.as_of, unit=agg.ledger.unit, note=note)
        doc.heading(1, f"一、{R['definitions']}")
        for key in DEFINITIONS:
            doc.paragraph(R[key])
        for n, (heading, first, scores) in enumerate(self.tables(), 2):
            doc.heading(1, f"{'一二三四'[n - 1]}、{heading}")
            doc.table(self.header(first), [(str(i), *s.cells()) for i, s in enumerate(scores, 1)], COLUMNS, numeric=2)
        return doc
