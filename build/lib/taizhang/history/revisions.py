"""Parsing many revisions of the same problem files, each unchanged measure only once.

A weekly commit touches one or two measures of a file. A revision whose head (every key but
`measures`) was seen before is put together from the measures already parsed, and its new
measures are parsed in large batches, many revisions at a time. The first revision of each
head, any other layout, and anything that does not parse cleanly that way go through
`ledger.parse_problem` whole, so every result is what `parse_problem` itself would give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from taizhang.ledger import frontmatter
from taizhang.errors import Error
from taizhang.ledger.repository import parse_problem
from taizhang.ledger.records import NOWHERE, Measure, Problem

Result = tuple[Problem | None, list[Error]]
BATCH = 100  # measures per batch document
# Valid problem head under which batches of measure items are parsed; ids are never checked there.
_HEAD = "id: X\narea: X\ntitle: X\nmanifestations:\n- id: X-1\n  text: X\nmeasures:\n"
_ITEM = re.compile(r"measures\[(\d+)\]")
_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML, not to a regular expression's ^
# Each line pattern starts with its newline: the regular expression engine then leaps from one
# newline to the next instead of trying every character, as it does for a `^` (four times faster).
_TAB = re.compile(r"\n *\t")
_KEY = re.compile(r"\nmeasures: *\n")
_FIRST = re.compile(r"(?: *(?:#[^\n]*)?\n)*( *)-(?: |\n)")  # blank and comment lines, then the first dash


@dataclass(frozen=True, slots=True)
class Layout:
    """A front matter cut around its measure items: before + "".join(items) + after."""

    before: str
    items: tuple[str, ...]
    after: str
    indent: int  # of the items' dashes


def layout(front: str) -> Layout | None:
    """The measure items of front matter in the plain block layout every writer of records uses.

    `measures:` once at column 0, items `- ` at one indentation, every other line of the block
    deeper, blank or a comment; no tab in any indentation. None for anything else, which is
    then parsed whole.
    """
    lines = "\n" + front  # every line, the first too, after a newline
    if not front.endswith("\n") or any(b in front for b in _BREAKS) or "\t" in front and _TAB.search(lines):
        return None
    key = list(_KEY.finditer(lines))
    first = _FIRST.match(front, key[0].end() - 1) if len(key) == 1 else None
    if first is None:
        return None
    dash = len(first.group(1))
    start = first.start(1)
    stop_at, item_at = _patterns(dash)
    stop = stop_at.search(front, start)  # `start` begins an item: the lines searched are those after it
    end = stop.start() + 1 if stop else len(front)
    starts = [start, *(m.start() + 1 for m in item_at.finditer(front, start, end))]
    bounds = [*starts, end]
    return Layout(front[:start], tuple(front[a:b] for a, b in zip(bounds, bounds[1:])), front[end:], dash)


@cache
def _patterns(dash: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """For items at indentation `dash`: the first line that ends the list, and each item's first line."""
    return (re.compile(rf"\n(?! {{{dash + 1}}}| {{{dash}}}-(?: |\n|\Z)| *(?:#|\n|\Z))"),
            re.compile(rf"\n {{{dash}}}-(?: |\n|\Z)"))


@dataclass(slots=True)
class _Waiting:
    """A revision to put together once its new measures are parsed."""

    data: bytes
    path: str
    head: Problem
    items: tuple[str, ...]
    body: str


class Revisions:
    """Collects revisions with `add`, then parses them all with `finish` (key → result)."""

    def __init__(self) -> None:
        self.heads: dict[tuple[str, str], Problem] = {}
        self.measures: dict[str, Measure] = {}
        self.results: dict[str, Result] = {}
        self.waiting: dict[str, _Waiting] = {}
        self.unseen: dict[int, dict[str, None]] = {}  # dash indentation → new items, in order
        self.tried: set[str] = set()  # items batched already, whether or not they parsed
        self.bodies: dict[str, str] = {}

    def add(self, key: str, data: bytes, path: str) -> None:
        text, _ = frontmatter.decode(data, path)
        parts = frontmatter.split_front_matter(text, path)[0] if text is not None else None
        cut = layout(parts.yaml) if parts is not None else None
        head = self.heads.get((cut.before, cut.after)) if cut is not None else None
        if parts is None or cut is None or head is None:
            self.results[key] = self._whole(data, path, cut)
            return
        body = self.bodies.setdefault(parts.body, parts.body)  # most revisions leave the body as it was: keep it once
        self.waiting[key] = _Waiting(data, path, head, cut.items, body)
        new = self.unseen.setdefault(cut.indent, {})
        new.update((i, None) for i in cut.items if i not in self.measures and i not in self.tried)
        if len(new) >= BATCH:  # parsed as they come: revisions may arrive for a while (`git log` streaming)
            self._batch(list(new))
            new.clear()

    def finish(self) -> dict[str, Result]:
        for unseen in self.unseen.values():
            items = list(unseen)
            for start in range(0, len(items), BATCH):
                self._batch(items[start:start + BATCH])
        for key, w in self.waiting.items():
            if all(i in self.measures for i in w.items):
                measures = [self._placed(i, w.head.id) for i in w.items]
                self.results[key] = replace(w.head, measures=measures, body=w.body, path=w.path), []
            else:  # an item that does not parse on its own: the whole file says why
                self.results[key] = parse_problem(w.data, w.path)
        self.waiting, self.unseen = {}, {}
        return self.results

    def parse(self, data: bytes, path: str) -> Result:
        """One revision on its own."""
        self.add("", data, path)
        return self.finish().pop("")

    def _whole(self, data: bytes, path: str, cut: Layout | None) -> Result:
        problem, errors = parse_problem(data, path)
        if problem is not None and not errors:
            _forget(problem)
        if cut is not None and problem is not None and not errors and len(problem.measures) == len(cut.items):
            self.heads[(cut.before, cut.after)] = problem
            self.measures.update(zip(cut.items, problem.measures))
        return problem, errors

    def _batch(self, items: list[str]) -> None:
        """Parse items together; keep each one that reads cleanly as the measure it says it is."""
        self.tried.update(items)
        problem, errors = parse_problem(f"---\n{_HEAD}{''.join(items)}---\n".encode(), "")
        if problem is None or len(problem.measures) != len(items):
            return  # e.g. a quote left open runs into the next item: parse those revisions whole
        found = [_ITEM.match(e.field) for e in errors]
        if not all(found):
            return  # an error not tied to one item
        bad = {int(m.group(1)) for m in found if m}
        for i, (item, measure) in enumerate(zip(items, problem.measures)):
            if i not in bad and measure.id and f"id: {measure.id}" in item:
                measure.problem = ""  # its problem is known when it is put in place
                self.measures[item] = _forget_measure(measure)

    def _placed(self, item: str, problem: str) -> Measure:
        """The measure parsed from `item`, belonging to `problem` (shared by every revision that has it)."""
        measure = self.measures[item]
        if not measure.problem:
            measure.problem = problem
        return measure if measure.problem == problem else replace(measure, problem=problem)


def _forget(problem: Problem) -> None:
    """Drop where each mapping was written: no error is ever reported against a past revision,
    and the line tables are most of a parsed record's memory."""
    problem.where = NOWHERE
    for manifestation in problem.manifestations:
        manifestation.where = NOWHERE
    for measure in problem.measures:
        _forget_measure(measure)


def _forget_measure(measure: Measure) -> Measure:
    measure.where = NOWHERE
    for item in (*measure.evidence, *measure.extensions, *measure.rechecks):
        item.where = NOWHERE
    return measure
