"""Ledger rules across fields and records: references, statuses, dates, uniqueness.

Each rule is a small generator of errors over the typed model (see `schema.py` for types).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path, PurePosixPath

from taizhang.errors import Error
from taizhang.labels import STATUS_LABELS
from taizhang.ledger.records import Ledger, Measure, Problem, Where


class _Unread(frozenset):
    """The ids of a file that could not be read: every reference to it passes (its error is reported once)."""

    def __contains__(self, item: object) -> bool:
        return True


class Context:
    """What every rule may look up: the as-of date, known ids, the records folder."""

    def __init__(self, ledger: Ledger, as_of: date, records: Path, unread: frozenset[str] = frozenset()) -> None:
        self.as_of = as_of
        self.records = records
        self.areas = _Unread() if "ledger.yml" in unread else {a.id for a in ledger.areas}
        self.people = _Unread() if "owners.yml" in unread else {p.id for p in ledger.people}
        self.departments = _Unread() if "owners.yml" in unread else {d.id for d in ledger.departments}


def check(ledger: Ledger, as_of: date, records: Path, unread: frozenset[str] = frozenset()) -> list[Error]:
    """Every cross-field and cross-record rule; `unread` names ledger.yml/owners.yml when they failed to load."""
    ctx = Context(ledger, as_of, records, unread)
    errors = [*unique_ids(ledger), *page_addresses(ledger), *owner_rules(ledger, ctx), *inspection_rules(ledger, ctx)]
    for problem in ledger.problems:
        errors.extend(problem_rules(problem, ctx))
        for measure in problem.measures:
            errors.extend(measure_rules(measure, problem, ctx))
    return errors


def unique_ids(ledger: Ledger) -> Iterator[Error]:
    """Problems, manifestations and measures share one namespace; areas, people, departments each their own."""
    record_ids: dict[str, Where] = {}
    for problem in ledger.problems:
        yield from _unique(record_ids, problem.id, problem.where)
        for item in [*problem.manifestations, *problem.measures]:
            yield from _unique(record_ids, item.id, item.where)
    for group in (ledger.areas, ledger.departments, ledger.people):
        seen: dict[str, Where] = {}
        for item in group:
            yield from _unique(seen, item.id, item.where)


def _unique(seen: dict[str, Where], id: str, where: Where) -> Iterator[Error]:
    if not id:
        return
    first = seen.setdefault(id, where)
    if first is not where:
        yield where.error("id", f"编号 {id} 重复，已用于 {first.path}:{first.line_of('id')}")


def page_addresses(ledger: Ledger) -> Iterator[Error]:
    """A problem, person or department id is a page's file name: `index` would replace the list page."""
    for item in [*ledger.problems, *ledger.people, *ledger.departments]:
        if item.id.lower() == "index":
            yield item.where.error("id", f"应为不与列表页地址 index 相同的编号，实际为 {item.id}")


def owner_rules(ledger: Ledger, ctx: Context) -> Iterator[Error]:
    for person in ledger.people:
        if person.department and person.department not in ctx.departments:
            yield person.where.error("department", f"应为 owners.yml 中的科室编号，实际为 {person.department}")


def inspection_rules(ledger: Ledger, ctx: Context) -> Iterator[Error]:
    inspection, where = ledger.inspection, ledger.where
    if inspection is None:
        return
    dates = [d for d in (inspection.from_, inspection.to, inspection.feedback_on) if d]
    if dates != sorted(dates):
        yield Error(where.path, where.line_of("inspection"), "inspection", "日期应按 from ≤ to ≤ feedback_on 的顺序")
    if dates and max(dates) > ctx.as_of:
        yield Error(where.path, where.line_of("inspection"), "inspection", f"日期不能晚于统计日期 {ctx.as_of}，实际为 {max(dates)}")


def problem_rules(problem: Problem, ctx: Context) -> Iterator[Error]:
    if problem.area and problem.area not in ctx.areas:
        yield problem.where.error("area", f"应为 ledger.yml 中 areas 的编号（{'、'.join(sorted(ctx.areas))}），实际为 {problem.area}")


def measure_rules(measure: Measure, problem: Problem, ctx: Context) -> Iterator[Error]:
    yield from references(measure, problem, ctx)
    yield from status_fields(measure)
    yield from measure_dates(measure, ctx)
    yield from extension_chain(measure)
    for evidence in measure.evidence:
        if evidence.path is not None:
            yield from evidence_path(evidence.path, evidence.where, ctx)


def references(measure: Measure, problem: Problem, ctx: Context) -> Iterator[Error]:
    w = measure.where
    for key, known, kind in (("leader", ctx.people, "人员"), ("owner", ctx.people, "人员"), ("department", ctx.departments, "科室")):
        for index, value in enumerate(getattr(measure, key)):
            if value not in known:
                yield w.error(key, f"应为 owners.yml 中的{kind}编号，实际为 {value}", index if f"{key}[{index}]" in w.lines else None)
    manifestations = {m.id for m in problem.manifestations}
    for index, value in enumerate(measure.addresses):
        if value not in manifestations:
            yield w.error("addresses", f"应为本问题的问题表现编号（{'、'.join(sorted(manifestations))}），实际为 {value}", index if f"addresses[{index}]" in w.lines else None)
    if measure.closed_by and measure.closed_by not in ctx.people:
        yield w.error("closed_by", f"应为 owners.yml 中的人员编号，实际为 {measure.closed_by}")
    for item in measure.extensions:
        if item.approved_by and item.approved_by not in ctx.people:
            yield item.where.error("approved_by", f"应为 owners.yml 中的人员编号，实际为 {item.approved_by}")
    for item in measure.rechecks:
        if item.by and item.by not in ctx.people:
            yield item.where.error("by", f"应为 owners.yml 中的人员编号，实际为 {item.by}")


def status_fields(measure: Measure) -> Iterator[Error]:
    """done_on and evidence belong to done/closed; closed_on and closed_by to closed."""
    w, status = measure.where, measure.status
    if status not in STATUS_LABELS:
        return
    completed = status in ("done", "closed")
    label = f"{status}（{STATUS_LABELS[status]}）"
    for key, present in (("done_on", measure.done_on is not None), ("evidence", bool(measure.evidence))):
        if completed and not present and key not in w.invalid:  # a value that could not be read is reported already
            yield Error(w.path, w.line_of("status"), w.key(key), f"状态为 {label} 时必须填写 {key}")
        elif present and not completed:
            yield w.error(key, f"只有状态为 done 或 closed 时才能填写 {key}，实际状态为 {label}")
    for key, present in (("closed_on", measure.closed_on is not None), ("closed_by", measure.closed_by is not None)):
        if status == "closed" and not present and key not in w.invalid:
            yield Error(w.path, w.line_of("status"), w.key(key), f"状态为 {label} 时必须填写 {key}")
        elif present and status != "closed":
            yield w.error(key, f"只有状态为 closed 时才能填写 {key}，实际状态为 {label}")


def measure_dates(measure: Measure, ctx: Context) -> Iterator[Error]:
    w = measure.where
    for key in ("done_on", "closed_on"):
        value = getattr(measure, key)
        if value and value > ctx.as_of:
            yield w.error(key, f"不能晚于统计日期 {ctx.as_of}，实际为 {value}")
    if measure.done_on and measure.closed_on and measure.closed_on < measure.done_on:
        yield w.error("closed_on", f"不能早于完成时间 {measure.done_on}，实际为 {measure.closed_on}")
    for item in measure.extensions:
        if item.approved_on and item.approved_on > ctx.as_of:
            yield item.where.error("approved_on", f"不能晚于统计日期 {ctx.as_of}，实际为 {item.approved_on}")
    for item in measure.rechecks:
        if item.date and item.date > ctx.as_of:
            yield item.where.error("date", f"不能晚于统计日期 {ctx.as_of}，实际为 {item.date}")
        # A relapse sends the measure back; once it is done again, that recheck predates done_on.
        elif item.date and measure.done_on and item.date < measure.done_on and item.result != "relapsed":
            yield item.where.error("date", f"回头看日期不能早于完成时间 {measure.done_on}，实际为 {item.date}")


def extension_chain(measure: Measure) -> Iterator[Error]:
    """Each `from` is the previous `to`, `from` < `to`, and `due` is the last `to`."""
    previous = None
    for item in measure.extensions:
        if item.from_ and item.to and item.from_ >= item.to:
            yield item.where.error("to", f"应晚于原时限 {item.from_}，实际为 {item.to}")
        if previous and item.from_ and previous != item.from_:
            yield item.where.error("from", f"应等于上一次延期的 to {previous}，实际为 {item.from_}")
        previous = item.to
    if measure.extensions and previous and "due" not in measure.where.invalid:
        if measure.due is None:
            yield measure.where.error("due", f"有延期记录时应等于最后一次延期的 to {previous}，实际为 long_term")
        elif measure.due != previous:
            yield measure.where.error("due", f"有延期记录时应等于最后一次延期的 to {previous}，实际为 {measure.due}")


def evidence_path(value: str, where: Where, ctx: Context) -> Iterator[Error]:
    """An evidence file must exist under records/ and never point outside it."""
    if PurePosixPath(value).is_absolute() or value.startswith("\\") or (len(value) > 1 and value[1] == ":"):
        yield where.error("path", f"应为 records/ 下的相对路径，实际为绝对路径 {value}")
        return
    root = ctx.records.resolve()
    try:
        target = (ctx.records / value).resolve()
    except (OSError, RuntimeError) as exc:
        yield where.error("path", f"无法解析路径 {value}：{exc}")
        return
    if not target.is_relative_to(root):
        yield where.error("path", f"应位于 records/ 之内，实际指向其外：{value}")
    elif not target.is_file():
        yield where.error("path", f"应为 records/ 下存在的文件，实际找不到 records/{value}")
