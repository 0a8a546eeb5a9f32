"""The rows of bulk lists as HTML, written in Python: at thousands of rows Jinja's cost per macro call was most of filling them.

Tables keep their frame (heads, wrappers) in templates/bulk.html.j2; the rows come from here,
record text escaped by `text.inline` as everywhere. Links start at the site root (bulk.ROOT),
so a row made once serves every page it is on: each page puts its own way up in ROOT's place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from markupsafe import escape

from taizhang.ledger.figures import Aggregate, Row
from taizhang.site.fills import ROOT, address
from taizhang.labels import HISTORY_WORDS, LABELS, MARK_LABELS, STATUS_LABELS, STATUSES
from taizhang.ledger.records import Evidence, Measure
from taizhang.text import inline, url
from taizhang.history.timeline import TimelineEntry, Said
from taizhang.reports.weekly import Item, ReportLine

_ORDER = {s: i for i, s in enumerate(STATUSES)}  # statuses sort in the order they are worked
T = TypeVar("T")


def badge(status: str) -> str:
    return f'<span class="tz-badge tz-{status}" data-sort="{_ORDER[status]}">{STATUS_LABELS[status]}</span>'


def marks(row: Row) -> str:
    return "".join(f' <span class="tz-badge tz-{m}">{MARK_LABELS[m]}</span>' for m in row.marks)


def due(measure: Measure) -> str:
    return f'<span class="tz-nowrap">{measure.due or MARK_LABELS["long_term"]}</span>'


class Rows:
    """Rows of one build's bulk lists; a row that is on many lists is made once."""

    def __init__(self, agg: Aggregate, public: bool = False, directory_urls: bool = True) -> None:
        self.who = not public  # people's columns: the public profile names departments only
        self.directory_urls = directory_urls
        self._people = {p.id: inline(p.name) for p in agg.ledger.people}
        self._departments = {d.id: inline(d.name) for d in agg.ledger.departments}
        self._made: dict[str, dict[int, str]] = {}  # kind → id(item) → HTML
        self._kept: list[Any] = []  # the items made: alive, their ids cannot be reused while cached

    def link(self, target: str) -> str:
        """The address of file `target` (docs-relative) from the site root."""
        return ROOT + address(target, self.directory_urls)

    def people(self, ids: Iterable[str]) -> str:
        return "、".join(f'<a href="{self.link(f"owners/{i}.md")}">{self._people.get(i) or inline(i)}</a>' for i in ids)

    def departments(self, ids: Iterable[str]) -> str:
        return "、".join(f'<a href="{self.link(f"departments/{i}.md")}">{self._departments.get(i) or inline(i)}</a>'
                        for i in ids)

    def measure_link(self, row: Row) -> str:
        return f'<a href="{self.link(f"problems/{row.problem.id}.md")}#{row.measure.id}">{row.measure.id}</a>'

    def subject(self, page: str | None, anchor: str, subject: str) -> str:
        """An id linked to its problem's page (and its anchor there) while that page exists."""
        if not page:
            return inline(subject)
        return f'<a href="{self.link(page)}{"#" + anchor if anchor else ""}">{inline(subject)}</a>'

    # -- a problem page's parts

    def lead(self, rows: Iterable[Row]) -> str:
        """The rows of a problem's measures at a glance, each linked to its section of the page."""
        return "".join(f'<tr><td><a href="#{r.measure.id}">{r.measure.id}</a></td><td>{inline(r.measure.text)}</td>'
                       f"<td>{self.people(r.measure.owner) if self.who else self.departments(r.measure.department)}</td>"
                       f"<td>{due(r.measure)}</td><td>{badge(r.measure.status)}{marks(r)}</td></tr>\n" for r in rows)

    def fields(self, row: Row, since: TimelineEntry | str | None) -> str:
        """A measure's fields as table rows, cells one per line as Python-Markdown writes a table.

        `since` is the entry in which the measure took its status, or a placeholder for the row
        that says so (bulk.py), put in once the history is read."""
        cells = [_cells(label, value) for label, value in self._fields(row, None if isinstance(since, str) else since)]
        if isinstance(since, str):
            cells.insert(1, since.strip())  # the placeholder alone: the row it stands for ends its line
        return "".join(cells)

    def since(self, since: TimelineEntry | None) -> str:
        """The row saying since when a measure has had its status ("" when the history does not say)."""
        found = _since(since)
        return _cells(*found) if found else ""

    def _fields(self, row: Row, since: TimelineEntry | None) -> list[tuple[str, str]]:
        """A measure's fields as (label, HTML), in the order its page lists them."""
        m = row.measure
        found = [(LABELS["status"], badge(m.status) + marks(row))]
        status_since = _since(since)
        if status_since:
            found.append(status_since)
        if m.addresses:
            found.append((LABELS["manifestation"], "、".join(m.addresses)))
        if self.who:
            found.append((LABELS["leader"], self.people(m.leader)))
        found.append((LABELS["department"], self.departments(m.department)))
        if self.who:
            found.append((LABELS["owner"], self.people(m.owner)))
        found.append((LABELS["due"], due(m)))
        found += [(LABELS[key], inline(value)) for key, value in (("progress", m.progress), ("outcome", m.outcome)) if value]
        if m.done_on:
            found.append((LABELS["done_on"], str(m.done_on)))
        if m.closed_on:
            found.append((LABELS["closed_on"], f"{m.closed_on}" + (f"（{self.people([m.closed_by])}）" if self.who else "")))
        if m.evidence:
            found.append((LABELS["evidence"], "<br>".join(_evidence(e) for e in m.evidence)))
        return found

    # -- the lists

    def measures(self, rows: Iterable[Row]) -> str:
        """The task list's rows: a measure's row is the same on every list."""
        return "".join(self._once("measure", row, self._measure) for row in rows)

    def _measure(self, row: Row) -> str:
        m = row.measure
        who = self.who
        return (f"<tr{_keys(row, who)}><td>{self.measure_link(row)}</td><td>{inline(row.problem.title)}</td><td>{inline(m.text)}</td>"
                + (f"<td>{self.people(m.leader)}</td>" if who else "") + f"<td>{self.departments(m.department)}</td>"
                + (f"<td>{self.people(m.owner)}</td>" if who else "")
                + f"<td>{due(m)}</td><td>{badge(m.status)}{marks(row)}</td></tr>\n")

    def history(self, entries: Iterable[TimelineEntry], problems: bool = False) -> str:
        """Timeline rows; with `problems` the change log's, which name the problem too."""
        return "".join(self._entry(e, problems) for e in entries)

    def _entry(self, e: TimelineEntry, problems: bool) -> str:
        # The commit is a small link under its date: a column of hashes is a machine's word, and it wrapped.
        return (f'<tr><td class="tz-nowrap">{e.day}{_commit(e)}</td>' + (f"<td>{inline(e.author)}</td>" if self.who else "")
                + (f"<td>{self.subject(e.page, '', e.problem)}</td>" if problems else "")
                # The same events are on the problem's page and on /changes/: put in words once.
                + f"<td>{self._once('said', e, self._said)}</td></tr>\n")

    def _said(self, e: TimelineEntry) -> str:
        return "<br>".join(self._one_said(s) for s in e.said)

    def _one_said(self, s: Said) -> str:
        return f"{self.subject(s.page, s.anchor, s.subject)} {inline(s.words)}"

    def items(self, items: Iterable[Item]) -> str:
        """A weekly report's events of one group."""
        return "".join(f"<tr><td>{self.subject(i.page, i.anchor, i.subject)}</td><td>{inline(i.text)}</td>"
                       f"<td>{inline(i.departments)}</td><td>{inline(i.words)}</td><td class=\"tz-nowrap\">{i.day}</td></tr>\n"
                       for i in items)

    def lines(self, lines: Iterable[ReportLine]) -> str:
        """A weekly report's measures to watch (overdue, due next week, not updated), with a note each."""
        return "".join(self._line(line) for line in lines)

    def _line(self, line: ReportLine) -> str:
        m = line.row.measure
        return (f"<tr><td>{self.subject(line.page, line.anchor, m.id)}</td><td>{inline(m.text)}</td>"
                f"<td>{inline(line.departments)}</td>" + (f"<td>{inline(line.leaders)}</td>" if self.who else "")
                + f"<td>{due(m)}</td><td>{badge(m.status)}{marks(line.row)}</td><td class=\"tz-nowrap\">{line.note}</td></tr>\n")

    def _once(self, kind: str, item: T, make: Callable[[T], str]) -> str:
        # Strings in plain dicts: a tuple per row would be one more object for the cycle collector to scan.
        made = self._made.setdefault(kind, {})
        found = made.get(id(item))
        if found is None:
            found = made[id(item)] = make(item)
            self._kept.append(item)
        return found


def _keys(row: Row, who: bool) -> str:
    """What /tasks/' filters pick rows by (taizhang.js): ids, the deadline, the marks as of the build."""
    m = row.measure
    keys = {"status": m.status, "area": row.problem.area, "department": " ".join(m.department),
            "leader": " ".join(m.leader) if who else "", "due": str(m.due or ""), "marks": " ".join(row.marks)}
    return "".join(f' data-{key}="{escape(value)}"' for key, value in keys.items() if value)


def _evidence(e: Evidence) -> str:
    """An evidence file's title, linked where it is a web address; else the address or path as text."""
    if e.url:
        safe = url(e.url)
        return f'<a href="{safe}">{inline(e.title)}</a>' if safe else f"{inline(e.title)}（{inline(e.url)}）"
    return f"{inline(e.title)}（records/{inline(e.path)}）"


def _cells(label: str, value: str) -> str:
    return f"<tr>\n<td>{label}</td>\n<td>{value}</td>\n</tr>\n"


def _commit(e: TimelineEntry) -> str:
    """A commit's short id, small, after a date: linked to the git host where the site knows it."""
    if not e.commit:
        return ""
    if e.url:
        return f' <a class="tz-commit" href="{escape(e.url)}" title="{HISTORY_WORDS["commit"]} {e.commit}">{e.commit}</a>'
    return f' <small class="tz-commit">{e.commit}</small>'


def _since(since: TimelineEntry | None) -> tuple[str, str] | None:
    if not since:
        return None
    return HISTORY_WORDS["status_since_label"], since.day + _commit(since)
