"""The public profile (docs/guide/format.md, 公开版): the ledger as a unit may disclose it, derived once per build.

Pages and exports of the public site are rendered from `public_ledger(ledger)`, so figures,
lists, charts and the search index are computed over what may be shown and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Any

from taizhang.errors import Error
from taizhang.labels import LABELS
from taizhang.ledger.records import Ledger, Measure, Problem, Where


def public_ledger(ledger: Ledger) -> Ledger:
    """The ledger without people, evidence, narrative, free-form extras and `public: false` problems.

    `declared` goes too: its figures count the problems left out, so reconciling against them
    would tell the reader that something is hidden.
    """
    return replace(ledger, people=[], declared=None, extra=None,
                   problems=[_problem(p) for p in ledger.problems if p.public])


def _problem(problem: Problem) -> Problem:
    # The body is the internal narrative (root causes, who leads what); the disclosure is the measures.
    return replace(problem, body="", extra=None, measures=[_measure(m) for m in problem.measures])


def _measure(measure: Measure) -> Measure:
    return replace(
        measure, leader=(), owner=(), evidence=[], closed_by=None, extra=None,
        extensions=[replace(e, approved_by="") for e in measure.extensions],
        rechecks=[replace(r, by="") for r in measure.rechecks],
    )


def named(ledger: Ledger) -> list[Error]:
    """Person names in the text the public profile publishes as written: each one would be a leak."""
    names = [p.name for p in ledger.people if p.name]
    return [where.error(key, LABELS["public_named"].format(name=name))
            for problem in ledger.problems if problem.public
            for where, key, text in _published(problem) for name in names if name in text]


def _published(problem: Problem) -> Iterator[tuple[Where, str, str]]:
    """(where, key, text) of every free text of a problem that the public profile shows."""
    yield problem.where, "title", problem.title
    for f in problem.manifestations:
        yield f.where, "text", f.text
    for m in problem.measures:
        yield from ((m.where, key, getattr(m, key) or "") for key in ("text", "progress", "outcome"))
        yield from ((e.where, "reason", e.reason or "") for e in m.extensions)
        yield from ((r.where, "note", r.note or "") for r in m.rechecks)


def public_nav(items: list[Any], keep: Collection[str]) -> list[Any]:
    """A MkDocs `nav` without the pages the public site leaves out; sections left empty go too.

    `keep` holds the docs-relative paths of the pages that stay; links to other sites stay.
    """
    found: list[Any] = []
    for item in items:
        title, value = next(iter(item.items())) if isinstance(item, dict) else (None, item)
        if isinstance(value, list):
            value = public_nav(value, keep)
            if not value:
                continue
        elif "://" not in value and value.lstrip("/") not in keep:
            continue
        found.append(value if title is None else {title: value})
    return found
