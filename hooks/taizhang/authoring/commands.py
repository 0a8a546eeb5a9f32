"""Authoring commands: new problems and measures, measure updates — exact edits, checked before written."""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Union

from taizhang.authoring import edits
from taizhang import labels
from taizhang.authoring.edits import Document, EditError, KeyPath
from taizhang.errors import Error
from taizhang.labels import EDIT_MESSAGES as MSG
from taizhang.ledger.lock import Busy, ledger_lock
from taizhang.ledger.repository import RECORDS, Cache, as_of_date, load
from taizhang.ledger.records import Ledger, Measure, Problem

_NUMBERED = re.compile(r"^(.*?)(\d+)$")
_EVIDENCE_SPLIT = re.compile(r",(?=\s*(?:title|path|url)\s*=)")
_ID_SPLIT = re.compile(r"[,，、\s]+")
OPEN = ("not_started", "in_progress")
# Keys a status forbids (docs/guide/format.md): they go when a measure moves back.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "not_started": ("done_on", "evidence", "closed_on", "closed_by"),
    "in_progress": ("done_on", "evidence", "closed_on", "closed_by"),
    "done": ("closed_on", "closed_by"),
    "closed": (),
}

Op = tuple[str, str, object]  # (key, "set" | "remove" | "append", value)


class Refused(Exception):
    """A command that cannot be carried out: a one-line message, the ledger errors behind it, an exit status."""

    def __init__(self, message: str, code: int = 1, errors: Sequence[Error] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.errors = list(errors)


# -- ids ------------------------------------------------------------------------

def next_id(existing: Sequence[str], taken: Collection[str], fallback: str) -> str:
    """The id after the highest of `existing`, in their own pattern: a prefix and a zero-padded number.

    P01…P35 gives P36, 2023-001 gives 2023-002, A1-03 gives A1-04; `fallback` when no id ends in a number.
    """
    numbered = [m for m in map(_NUMBERED.match, existing) if m]
    if not numbered:
        candidate, prefix, number, width = fallback, "", 0, 0
    else:
        prefix = Counter(m[1] for m in numbered).most_common(1)[0][0]
        digits = [m[2] for m in numbered if m[1] == prefix]
        number = max(int(d) for d in digits) + 1
        width = max((len(d) for d in digits if d.startswith("0")), default=1)
        candidate = f"{prefix}{number:0{width}d}"
    while candidate in taken:
        number += 1
        candidate = f"{prefix}{number:0{width}d}" if numbered else f"{fallback}-{number}"
    return candidate


def all_ids(ledger: Ledger) -> set[str]:
    return {i.id for p in ledger.problems for i in (p, *p.manifestations, *p.measures)}


def problem_id(ledger: Ledger, area: str) -> str:
    """The next problem id; per area when every id starts with its area's id (A1-03 → A1-04)."""
    problems = ledger.problems
    per_area = bool(problems) and all(p.id.startswith(p.area) and p.id != p.area for p in problems)
    if not per_area:
        return next_id([p.id for p in problems], all_ids(ledger), "P01")
    here = [p.id for p in problems if p.area == area]
    model = _NUMBERED.match(problems[0].id)
    if not here and model:  # the area's first problem: another area's pattern, numbered from 1
        here = [area + model[1][len(problems[0].area) :] + "0" * len(model[2])]
    return next_id(here, all_ids(ledger), f"{area}-01")


def measure_id(ledger: Ledger, problem: Problem) -> str:
    return next_id([m.id for m in problem.measures], all_ids(ledger), f"{problem.id}-M1")


def problem_path(ledger: Ledger, area: str, id: str) -> str:
    """Where a new problem goes: its area's folder when the ledger keeps one folder per area."""
    folders: dict[str, set[str]] = {}
    for problem in ledger.problems:
        folders.setdefault(problem.area, set()).add(str(PurePosixPath(problem.path).parent))
    owned = [next(iter(f)) for f in folders.values() if len(f) == 1]
    per_area = bool(folders) and len(owned) == len(folders) == len(set(owned)) and RECORDS not in owned
    if per_area:
        folder = next(iter(folders.get(area, {f"{RECORDS}/{area}"})))
    elif len({f for fs in folders.values() for f in fs}) == 1:
        folder = next(iter(next(iter(folders.values()))))
    else:
        folder = RECORDS
    return f"{folder}/{id}.md"


# -- checking and writing -------------------------------------------------------

def commit(root: Path, as_of: date, cache: Cache, path: str, data: bytes, new: bool = False) -> None:
    """Check the whole ledger with `data` in place of `path`, then write it atomically."""
    _, errors = load(root, as_of, cache, overrides={path: data})
    if errors:
        raise Refused(MSG["refused"], errors=errors)
    edits.write_atomic(root / path, data, new=new)


def _ledger(root: Path, as_of: date, cache: Cache) -> tuple[Ledger, list[Error]]:
    """The ledger as it is; its errors are judged on the edited ledger, or explain a record not found."""
    return load(root, as_of, cache)


def _not_found(message: str, errors: list[Error]) -> Refused:
    return Refused(message + (MSG["maybe_broken"] if errors else ""), errors=errors)


def _measure(ledger: Ledger, errors: list[Error], id: str) -> tuple[Problem, Measure]:
    for problem in ledger.problems:
        for measure in problem.measures:
            if measure.id == id:
                return problem, measure
    raise _not_found(MSG["no_measure"].format(id=id), errors)


def _document(root: Path, path: str) -> Document:
    try:
        return Document((root / path).read_bytes(), path)
    except EditError as exc:
        raise Refused(f"{path}: {exc}") from None


def _apply(doc: Document, where: KeyPath, ops: list[Op]) -> None:
    """Run the edits in the record's key order, so each new key finds its predecessor in place."""
    rank = {k: i for i, k in enumerate(edits.MEASURE_KEYS)}
    for key, action, value in sorted(ops, key=lambda op: rank.get(op[0], len(rank))):
        try:
            if action == "set":
                doc.set(where, key, value)  # type: ignore[arg-type]
            elif action == "remove":
                doc.remove(where, key)
            else:
                doc.append(where, key, value)  # type: ignore[arg-type]
        except EditError as exc:
            raise Refused(f"{doc.path}: {exc}") from None


# -- update ---------------------------------------------------------------------

@dataclass
class Update:
    """What `taizhang update` was asked to change."""

    status: str | None = None
    progress: str | None = None
    done_on: date | None = None
    evidence: list[dict[str, str]] = field(default_factory=list)
    close: bool = False
    by: str | None = None
    on: date | None = None
    extend_to: date | None = None
    approved_by: str | None = None
    reason: str | None = None
    recheck: str | None = None
    note: str | None = None
    leader: list[str] = field(default_factory=list)
    department: list[str] = field(default_factory=list)
    owner: list[str] = field(default_factory=list)


def check_options(u: Update) -> None:
    """Options that only make sense together (exit status 2 when they do not)."""
    pairs = [("--close", u.close, "--by", u.by), ("--recheck", u.recheck, "--by", u.by), ("--extend-to", u.extend_to, "--approved-by", u.approved_by)]
    for option, given, other, value in pairs:
        if given and not value:
            raise Refused(MSG["needs"].format(option=option, other=other), 2)
    alone = [("--by", u.by, "--close 或 --recheck", u.close or u.recheck), ("--note", u.note, "--recheck", u.recheck),
             ("--approved-by", u.approved_by, "--extend-to", u.extend_to), ("--reason", u.reason, "--extend-to", u.extend_to),
             ("--on", u.on, "--close、--recheck 或 --extend-to", u.close or u.recheck or u.extend_to)]
    for option, given, other, partner in alone:
        if given and not partner:
            raise Refused(MSG["only_with"].format(option=option, other=other), 2)
    if u.close and u.recheck:
        raise Refused(MSG["conflict"].format(option="--close", other="--recheck"), 2)
    if u.close and u.status not in (None, "closed"):
        raise Refused(MSG["conflict"].format(option="--close", other=f"--status {u.status}"), 2)
    if u.recheck == "relapsed" and u.status not in (None, *OPEN):
        raise Refused(MSG["conflict"].format(option="--recheck relapsed", other=f"--status {u.status}"), 2)
    if u == Update():
        raise Refused(MSG["nothing"], 2)


def target_status(u: Update) -> str | None:
    if u.close:
        return "closed"
    if u.recheck == "relapsed":
        return u.status or "in_progress"
    return u.status


def update_ops(u: Update, measure: Measure, doc: Document, where: KeyPath, as_of: date) -> list[Op]:
    """The edits that carry out `u` on `measure`."""
    ops: list[Op] = [(key, "set", values) for key, values in (("leader", u.leader), ("department", u.department), ("owner", u.owner)) if values]
    status = target_status(u)
    if measure.status == "closed" and status not in (None, "closed") and u.recheck != "relapsed":
        raise Refused(MSG["reopen"].format(id=measure.id))
    if status:
        ops.append(("status", "set", status))
        ops += [(key, "remove", None) for key in FORBIDDEN.get(status, ()) if doc.get((*where, key)) is not None]
    if u.progress is not None:
        ops.append(("progress", "set", u.progress))
    if u.done_on or (status == "done" and doc.get((*where, "done_on")) is None):
        ops.append(("done_on", "set", u.done_on or as_of))
    ops += [("evidence", "append", item) for item in u.evidence]
    if u.close:
        ops += [("closed_on", "set", u.on or as_of), ("closed_by", "set", u.by)]
    if u.extend_to:
        ops += _extension(u, measure, doc, where, as_of)
    if u.recheck:
        ops.append(("rechecks", "append", _recheck(u, measure, as_of)))
    return ops


def _extension(u: Update, measure: Measure, doc: Document, where: KeyPath, as_of: date) -> list[Op]:
    due = doc.get((*where, "due"))
    if measure.due is None and getattr(due, "value", None) == labels.LONG_TERM:
        raise Refused(MSG["long_term"].format(id=measure.id))
    entry: dict[str, object] = {"from": measure.due or getattr(due, "value", ""), "to": u.extend_to,
                                "approved_by": u.approved_by, "approved_on": u.on or as_of}
    if u.reason:
        entry["reason"] = u.reason
    return [("extensions", "append", entry), ("due", "set", u.extend_to)]


def _recheck(u: Update, measure: Measure, as_of: date) -> dict[str, object]:
    if measure.status not in ("done", "closed"):
        raise Refused(MSG["recheck_open"].format(id=measure.id, status=labels.status_label(measure.status)))
    entry: dict[str, object] = {"date": u.on or as_of, "by": u.by, "result": u.recheck}
    if u.note:
        entry["note"] = u.note
    return entry


def update(root: Path, as_of: date, id: str, u: Update) -> tuple[str, list[str]]:
    """Change one measure as `u` says; returns the record's path and the keys its new status removed."""
    check_options(u)
    with ledger_lock(root):  # from the read to the replace: a writer beside us must not be overwritten
        cache = Cache()
        problem, measure = _measure(*_ledger(root, as_of, cache), id)
        doc = _document(root, problem.path)
        index = doc.index("measures", id)
        if index is None:
            raise Refused(MSG["no_measure"].format(id=id))
        where: KeyPath = ("measures", index)
        ops = update_ops(u, measure, doc, where, as_of)
        _apply(doc, where, ops)
        commit(root, as_of, cache, problem.path, doc.to_bytes())
    return problem.path, [key for key, action, _ in ops if action == "remove"]


# -- new ------------------------------------------------------------------------

def new_measure(root: Path, as_of: date, problem_id: str, fields: dict[str, object]) -> tuple[str, str]:
    """Append a not-started measure with the next free id; returns its id and the record's path."""
    with ledger_lock(root):  # two new measures at once must not take the same id
        return _new_measure(root, as_of, problem_id, fields)


def _new_measure(root: Path, as_of: date, problem_id: str, fields: dict[str, object]) -> tuple[str, str]:
    cache = Cache()
    ledger, errors = _ledger(root, as_of, cache)
    problem = next((p for p in ledger.problems if p.id == problem_id), None)
    if problem is None:
        raise _not_found(MSG["no_problem"].format(id=problem_id), errors)
    id = measure_id(ledger, problem)
    doc = _document(root, problem.path)
    item = {"id": id, **fields, "status": "not_started"}
    try:
        doc.append((), "measures", item, order=edits.PROBLEM_KEYS)  # type: ignore[arg-type]
    except EditError as exc:
        raise Refused(f"{problem.path}: {exc}") from None
    commit(root, as_of, cache, problem.path, doc.to_bytes())
    return id, problem.path


def new_problem(root: Path, as_of: date, area: str, title: str, manifestations: list[str],
                measure: dict[str, object], id: str | None = None) -> tuple[str, str]:
    """Write a new problem record with its manifestations and first measure; returns its id and path."""
    with ledger_lock(root):  # two new problems at once must not take the same id
        return _new_problem(root, as_of, area, title, manifestations, measure, id)


def _new_problem(root: Path, as_of: date, area: str, title: str, manifestations: list[str],
                 measure: dict[str, object], id: str | None) -> tuple[str, str]:
    cache = Cache()
    ledger, _ = _ledger(root, as_of, cache)
    known = [a.id for a in ledger.areas]
    if area not in known:
        raise Refused(MSG["no_area"].format(area=area, known="、".join(known)))
    id = id or problem_id(ledger, area)
    if id in all_ids(ledger):
        raise Refused(MSG["id_taken"].format(id=id))
    path = problem_path(ledger, area, id)
    if (root / path).exists():
        raise Refused(f"{path}: {MSG['exists']}")
    doc = _skeleton(root, ledger, id)
    doc.set((), "area", area, order=edits.PROBLEM_KEYS)
    doc.set((), "title", title, order=edits.PROBLEM_KEYS)
    for n, text in enumerate(manifestations, 1):
        doc.append((), "manifestations", {"id": f"{id}-{n}", "text": text}, order=edits.PROBLEM_KEYS)
    doc.append((), "measures", {"id": f"{id}-M1", **measure, "status": "not_started"}, order=edits.PROBLEM_KEYS)  # type: ignore[arg-type]
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    commit(root, as_of, cache, path, doc.to_bytes(), new=True)
    return id, path


def _skeleton(root: Path, ledger: Ledger, id: str) -> Document:
    """An empty record written like its neighbours: their line endings and list indentation."""
    newline, indent = "\n", 2
    if ledger.problems:
        with contextlib.suppress(EditError, OSError):  # an unreadable neighbour: the defaults serve
            sample = Document((root / ledger.problems[-1].path).read_bytes())
            newline, indent = sample.newline, sample.seq_indent()
    text = f"---{newline}id: {edits.scalar(id)}{newline}---{newline}"
    return Document(text.encode("utf-8"), indent=indent)


# -- command line -----------------------------------------------------------------

def _text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(MSG["bad_text"].format(value=value.encode("utf-8", "replace").decode())) from None
    return value


def _date(value: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    raise argparse.ArgumentTypeError(MSG["bad_date"].format(value=value))


def _due(value: str) -> Union[date, str]:
    if value == labels.LONG_TERM:
        return value
    try:
        return _date(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(MSG["bad_due"].format(value=value)) from None


def _evidence(value: str) -> dict[str, str]:
    """`title=T,path=P` or `title=T,url=U`; commas inside the title are kept."""
    item: dict[str, str] = {}
    for part in _EVIDENCE_SPLIT.split(_text(value)):
        key, sep, text = part.partition("=")
        key = key.strip()
        if not sep or key not in ("title", "path", "url") or key in item or not text.strip():
            raise argparse.ArgumentTypeError(MSG["evidence"].format(value=value))
        item[key] = text.strip()
    if "title" not in item or ("path" in item) == ("url" in item):
        raise argparse.ArgumentTypeError(MSG["evidence"].format(value=value))
    return {"title": item["title"], **{k: v for k, v in item.items() if k != "title"}}


def ids(values: Sequence[str] | None) -> list[str]:
    """Repeated and comma-separated ids as one list."""
    return [v for value in values or () for v in _ID_SPLIT.split(value) if v]


def _as_of(args: argparse.Namespace) -> date:
    try:
        return args.as_of or as_of_date()
    except ValueError as exc:
        raise Refused(str(exc), 2) from None


def _run(action: object) -> int:
    try:
        return action()  # type: ignore[operator]
    except Refused as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        for error in exc.errors:
            print(error, file=sys.stderr)
        return exc.code
    except Busy as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return 1


def _owner_options(sub: argparse.ArgumentParser, required: bool) -> None:
    for option, help in (("--leader", "责任领导的人员编号"), ("--department", "责任科室编号"), ("--owner", "责任人的人员编号")):
        sub.add_argument(option, action="append", type=_text, required=required, metavar="ID",
                         help=f"{help}；多个时重复本选项或用逗号分隔")


def register_update(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser(
        "update", parents=[parent], help="修改一条整改措施（只改动相关的行）",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="修改一条整改措施：只改动相关的行，写入前先校验整个台账，不合规则拒绝且不写入。日期默认为统计日期。\n"
                    "例：taizhang update P01-M1 --progress \"已起草学习计划\"\n"
                    "    taizhang update P01-M1 --status done --evidence \"title=学习计划,path=evidence/P01-M1.pdf\"\n"
                    "    taizhang update P01-M1 --close --by wangwu")
    sub.add_argument("measure", metavar="MEASURE", help="措施编号，如 P01-M1")
    sub.add_argument("--status", choices=labels.STATUSES, help="整改状态")
    sub.add_argument("--progress", type=_text, metavar="TEXT", help="最新整改进展")
    sub.add_argument("--done-on", type=_date, metavar="DATE", help="完成时间（--status done 时默认为统计日期）")
    sub.add_argument("--evidence", action="append", type=_evidence, default=[], metavar="title=T,path=P",
                     help="增加一份佐证材料：\"title=标题,path=evidence/文件\" 或 \"title=标题,url=网址\"；可重复")
    sub.add_argument("--close", action="store_true", help="销号（需 --by 审核人）")
    sub.add_argument("--by", type=_text, metavar="PERSON", help="销号审核人或回头看检查人的人员编号")
    sub.add_argument("--on", type=_date, metavar="DATE", help="销号、回头看或批准延期的日期（默认为统计日期）")
    sub.add_argument("--extend-to", type=_date, metavar="DATE", help="延期至（需 --approved-by）；同时改动整改时限")
    sub.add_argument("--approved-by", type=_text, metavar="PERSON", help="批准延期的人员编号")
    sub.add_argument("--reason", type=_text, metavar="TEXT", help="延期原因")
    sub.add_argument("--recheck", choices=tuple(labels.RECHECK_RESULTS), help="回头看结果（需 --by）；relapsed（反弹）把措施改回推进中")
    sub.add_argument("--note", type=_text, metavar="TEXT", help="回头看备注")
    _owner_options(sub, required=False)
    return sub


def run_update(args: argparse.Namespace) -> int:
    def action() -> int:
        u = Update(status=args.status, progress=args.progress, done_on=args.done_on, evidence=args.evidence,
                   close=args.close, by=args.by, on=args.on, extend_to=args.extend_to, approved_by=args.approved_by,
                   reason=args.reason, recheck=args.recheck, note=args.note,
                   leader=ids(args.leader), department=ids(args.department), owner=ids(args.owner))
        path, removed = update(args.root, _as_of(args), args.measure, u)
        print(MSG["updated"].format(id=args.measure, path=path))
        if removed:
            print(MSG["removed"].format(status=target_status(u), keys="、".join(removed)))
        return 0

    return _run(action)


def register_new(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("new", help="新增问题或整改措施（自动分配下一个编号）",
                          description="新增问题或整改措施，自动分配下一个空闲编号；写入前先校验整个台账。"
                                      "例：taizhang new measure P01 --text \"制定学习计划\" --leader zhangsan --department dzb "
                                      "--owner lisi --due 2023-09-30；选项见 taizhang new problem --help")
    kinds = sub.add_subparsers(dest="kind", required=True, metavar="problem|measure")
    problem = kinds.add_parser(
        "problem", parents=[parent], help="新增问题", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="新增一个问题，连同问题表现和第一条整改措施。\n"
                    "例：taizhang new problem --area A1 --title \"理论学习不够深入\" --manifestation \"学习次数不足\" \\\n"
                    "      --measure \"制定学习计划\" --leader zhangsan --department dzb --owner lisi --due 2023-09-30")
    problem.add_argument("--area", required=True, type=_text, help="方面编号（ledger.yml 中的 areas）")
    problem.add_argument("--title", required=True, type=_text, help="问题标题")
    problem.add_argument("--manifestation", action="append", type=_text, default=[], metavar="TEXT", help="问题表现；可重复")
    problem.add_argument("--id", type=_text, help="问题编号（默认：按台账已有编号顺延）")
    problem.add_argument("--measure", type=_text, metavar="TEXT", help="第一条整改措施的内容")
    _measure_options(problem, required=False)
    measure = kinds.add_parser(
        "measure", parents=[parent], help="为问题新增一条整改措施", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="为问题新增一条整改措施（状态为未启动）。\n"
                    "例：taizhang new measure P01 --text \"制定学习计划\" --leader zhangsan --department dzb --owner lisi --due 2023-09-30")
    measure.add_argument("problem", metavar="PROBLEM", help="问题编号，如 P01")
    measure.add_argument("--text", required=True, type=_text, help="措施内容")
    measure.add_argument("--addresses", action="append", type=_text, metavar="ID", help="针对的问题表现编号；可重复或用逗号分隔")
    _measure_options(measure, required=True)
    return sub


def _measure_options(sub: argparse.ArgumentParser, required: bool) -> None:
    _owner_options(sub, required)
    sub.add_argument("--due", type=_due, required=required, metavar="DATE|long_term", help="整改时限，或 long_term（长期坚持）")


def _fields(args: argparse.Namespace, text: str) -> dict[str, object]:
    """A new measure's keys in the record's order; one id stays a scalar, several make a list."""
    found: dict[str, object] = {"text": text}
    if getattr(args, "addresses", None):
        found["addresses"] = ids(args.addresses)
    for key in ("leader", "department", "owner"):
        values = ids(getattr(args, key))
        found[key] = values[0] if len(values) == 1 else values
    found["due"] = args.due
    return found


def run_new(args: argparse.Namespace) -> int:
    def action() -> int:
        as_of = _as_of(args)
        if args.kind == "measure":
            id, path = new_measure(args.root, as_of, args.problem, _fields(args, args.text))
            print(MSG["created_measure"].format(id=id, path=path))
            return 0
        if not args.manifestation or not (args.measure and args.leader and args.department and args.owner and args.due):
            raise Refused(MSG["new_problem_needs"], 2)
        id, path = new_problem(args.root, as_of, args.area, args.title, args.manifestation, _fields(args, args.measure), args.id)
        print(MSG["created_problem"].format(id=id, path=path))
        return 0

    return _run(action)
