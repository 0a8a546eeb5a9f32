"""Bulk rows made in Python (rows.py), the groups they are listed in, and the fast path of record-text escaping."""

from __future__ import annotations

import re
from datetime import date

import pytest

from taizhang.cli import demo
from taizhang.site import pages as site
from taizhang.ledger.figures import Aggregate, Row
from taizhang.history.commits import History, read_history
from taizhang.ledger.repository import load
from taizhang.ledger.records import Measure
from taizhang.text import _INLINE, inline

SPECIAL = sorted(map(chr, _INLINE))


@pytest.mark.parametrize("char", SPECIAL)
def test_inline_escapes_each_special_character_wherever_it_stands(char: str) -> None:
    # inline() skips translate() for text without any of them: the check must see every one.
    plain = "截至11月29日，已完成整改"
    for text in (char, plain + char, char + plain, plain[:4] + char + plain[4:]):
        assert inline(text) == text.translate(_INLINE) != text


def test_inline_keeps_plain_text_and_reads_any_value() -> None:
    assert inline("已完成整改（第一阶段）“回头看”") == "已完成整改（第一阶段）“回头看”"
    assert inline(None) == "" and inline(2023) == "2023"


# -- the rows of a real ledger with a history: the demo generator's, small ----------------------

AS_OF = date(2023, 12, 1)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Aggregate, History]:
    root = tmp_path_factory.mktemp("rows") / "ledger"
    demo.generate(root, 40, weeks=8, seed=5)
    found, errors = load(root, AS_OF)
    assert errors == []
    return Aggregate(found, AS_OF), read_history(root)


def test_groups_by_role_hold_the_rows_a_plain_filter_finds(ledger: tuple[Aggregate, History]) -> None:
    # The groups come from one index per kind; each must hold what a pass over every row finds, in order.
    agg, _ = ledger

    def ids(rows: list[Row]) -> list[str]:
        return [r.measure.id for r in rows]

    def approved(m: Measure, who: str) -> bool:
        return m.closed_by == who or any(e.approved_by == who for e in m.extensions) or any(r.by == who for r in m.rechecks)

    for p in agg.ledger.people:
        assert ids(agg.as_leader(p).rows) == ids([r for r in agg.rows if p.id in r.measure.leader])
        assert ids(agg.as_owner(p).rows) == ids([r for r in agg.rows if p.id in r.measure.owner])
        assert ids(agg.as_approver(p).rows) == ids([r for r in agg.rows if approved(r.measure, p.id)])
    for d in agg.ledger.departments:
        assert ids(agg.department_group(d).rows) == ids([r for r in agg.rows if d.id in r.measure.department])
    assert [ids(g.rows) for g in agg.by_area()] == [ids([r for r in agg.rows if r.problem.area == a.id]) for a in agg.ledger.areas]
    assert sum(len(agg.as_approver(p).rows) for p in agg.ledger.people) > 0  # the history signs measures off


def test_a_timeline_says_the_same_on_its_problem_page_and_on_the_change_log(ledger: tuple[Aggregate, History]) -> None:
    agg, history = ledger
    pages = {p.uri: p for p in site.pages(agg, site.Options(downloads=False), history)}
    changes = "".join(fill() for fill in pages["changes/index.md"].fills.values())
    problem = agg.problems[0]
    page = pages[f"problems/{problem.id}.md"]
    timeline = next(fill() for fill in page.fills.values() if fill.args[1] == "timeline")
    said = re.findall(r"<td>([^<]*(?:<(?!/td>)[^<]*)*)</td></tr>", timeline)
    assert said, timeline
    for words in said:  # what a problem's entry says, the change log says too, its links made from /changes/
        if "新增问题" in words and "建立台账" in changes:
            continue  # the import: one row of the change log for every problem it added (issue 17)
        assert words.replace('href="./', f'href="../problems/{problem.id}/') in changes
    # On its own page a measure's link stays on the page; elsewhere it leads there.
    assert f'<a href="./#{problem.measures[0].id}">' in timeline
    assert f'<a href="../problems/{problem.id}/#{problem.measures[0].id}">' in changes
