"""The public profile (SPEC section 8): the ledger as a unit may disclose it, derived once per build.

Pages and exports of the public site are rendered from `public_ledger(ledger)`, so figures,
lists, charts and the search index are computed over what may be shown and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from .model import Ledger, Measure, Problem


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
