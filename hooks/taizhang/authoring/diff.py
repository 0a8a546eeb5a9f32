"""What a change does to the ledger, for a pull request: its events, figures before → after, rule breaks.

Each side is read with a constant number of git processes: `ls-tree` per revision and one
`cat-file --batch` for both; the working tree is read from disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from taizhang.history import git
from taizhang.ledger.figures import Aggregate, percent
from taizhang.errors import Error
from taizhang.history.events import (
    DueChanged, EvidenceAdded, Event, ManifestationAdded, ManifestationRemoved, MeasureAdded, MeasureRemoved,
    Names, ProblemAdded, ProblemRemoved, StatusChanged, changes, new_extension,
)
from taizhang.history.commits import FOLDER, is_problem_path
from taizhang.labels import HISTORY_WORDS, LABELS, MARK_LABELS, REVIEW_WORDS, status_label
from taizhang.ledger.repository import RECORDS, natural, parse_problem, problem_paths
from taizhang.ledger.records import Ledger, Measure, Problem
from taizhang.site.pages import environment

R = REVIEW_WORDS


@dataclass
class Side:
    """The problems of one revision (or of the working tree), and the files that did not parse."""

    label: str  # a short commit id, or 工作区
    problems: list[Problem] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # paths that did not parse

    def measures(self) -> dict[str, tuple[Measure, Problem]]:
        return {m.id: (m, p) for p in self.problems for m in p.measures}


def read_sides(root: Path, base: str | None = None, head: str | None = None) -> tuple[Side, Side]:
    """BASE (default: the merge base of main and HEAD, else HEAD) and HEAD (default: the working tree)."""
    repo = git.repo(root)
    if repo.head is None:
        raise git.GitError(HISTORY_WORDS["no_commits"])
    if base is None:
        base = _default_base(repo)
    revs = [base] if head is None else [base, head]
    ids = git.rev_parse(repo, *revs)
    trees = [git.ls_tree(repo, i, FOLDER) for i in ids]
    wanted = {blob: path for tree in trees for path, blob in tree.items() if is_problem_path(path)}
    data = dict(git.blobs(repo, wanted))
    sides = [_side(i[:7], tree, data) for i, tree in zip(ids, trees)]
    if head is None:
        sides.append(working_tree(root))
    return sides[0], sides[1]


def _default_base(repo: git.Repo) -> str:
    try:
        return git.merge_base(repo, "main", "HEAD")
    except git.GitError:  # no branch main (or no common history): compare with HEAD
        return "HEAD"


def _side(label: str, tree: dict[str, str], data: dict[str, bytes | None]) -> Side:
    side = Side(label)
    for path in sorted((p for p in tree if is_problem_path(p)), key=natural):
        _add(side, path, data.get(tree[path]))
    return side


def working_tree(root: Path) -> Side:
    side = Side(HISTORY_WORDS["working_tree"])
    for path in problem_paths(root / RECORDS, side.errors):
        try:
            _add(side, path, (root / path).read_bytes())
        except OSError as exc:
            side.errors.append(Error(path, 1, "file", f"无法读取文件：{exc.strerror or exc}"))
            side.broken.add(path)
    return side


def _add(side: Side, path: str, data: bytes | None) -> None:
    problem, errors = parse_problem(data, path) if data is not None else (None, [])
    side.errors.extend(errors)
    if problem is None or errors:
        side.broken.add(path)
    else:
        side.problems.append(problem)


# -- the review -------------------------------------------------------------------

@dataclass
class Review:
    """A change in ledger terms."""

    base: Side
    head: Side
    events: list[Event]
    figures: list[tuple[str, str, str]]  # (what, before, after)
    violations: list[Error]

    def sections(self, limit: int = 0) -> list[tuple[str, int, list[Event], int]]:
        """Per group a reviewer reads (empty ones left out): heading, count, the first `limit` events, how many more."""
        groups: dict[str, list[Event]] = {key: [] for key in SECTIONS}
        for event in self.events:
            groups[_section(event)].append(event)
        return [(R[f"section_{key}"], len(found), *_first(found, limit)) for key, found in groups.items() if found]


def _first(items: list, limit: int) -> tuple[list, int]:  # type: ignore[type-arg]
    """The first `limit` items (all for 0) and how many are left out."""
    shown = items[:limit] if limit else items
    return shown, len(items) - len(shown)


SECTIONS = ("status", "due", "added", "evidence", "other")


def _section(event: Event) -> str:
    if isinstance(event, StatusChanged):
        return "status"
    if isinstance(event, DueChanged):
        return "due"
    if isinstance(event, (ProblemAdded, ProblemRemoved, MeasureAdded, MeasureRemoved,
                          ManifestationAdded, ManifestationRemoved)):
        return "added"
    return "evidence" if isinstance(event, EvidenceAdded) else "other"


def review(base: Side, head: Side, as_of: date) -> Review:
    return Review(base, head, changes(base.problems, head.problems), figures(base, head, as_of),
                  violations(base, head))


def figures(base: Side, head: Side, as_of: date) -> list[tuple[str, str, str]]:
    """Counts and rates at the as-of date, computed on both sides the same way the site does."""
    before, after = (Aggregate(Ledger("", "", [], problems=s.problems), as_of).tally for s in (base, head))
    return [
        (LABELS["measures"], str(before.measures), str(after.measures)),
        (LABELS["completed"], str(before.completed), str(after.completed)),
        (LABELS["completion_rate"], percent(before.completion_rate), percent(after.completion_rate)),
        (MARK_LABELS["overdue"], str(before.overdue), str(after.overdue)),
    ]


# -- the rules of `diff --check` (docs/guide/format.md, 合并请求检查) ------------------------------------

def violations(base: Side, head: Side) -> list[Error]:
    """Every rule the change breaks, one line each naming the id, in file and line order."""
    found = list(head.errors)
    old, new = base.measures(), head.measures()
    for id, (b, problem) in new.items():
        a = old.get(id, (None, None))[0]
        found.extend(measure_rules(a, b))
    found.extend(missing(base, head))
    return sorted(dict.fromkeys(found), key=lambda e: (natural(e.path), e.line, e.field))


def measure_rules(a: Measure | None, b: Measure) -> Iterator[Error]:
    """The rules on one measure that existed in BASE as `a` (None: new) and in HEAD as `b`."""
    if a is not None and a.due and b.due and b.due > a.due and new_extension(a, b) is None:
        yield b.where.error("due", R["silent_extension"].format(id=b.id, before=a.due, after=b.due))
    if b.status == "closed" and (a is None or a.status != "closed"):
        lacking = [LABELS[k] for k in ("evidence", "closed_on", "closed_by") if not getattr(b, k)]
        if lacking:
            yield b.where.error("status", R["closed_without"].format(id=b.id, missing="、".join(lacking)))
    if a is not None and a.status == "closed" and b.status != "closed" and not _relapse_added(a, b):
        yield b.where.error("status", R["reopened"].format(id=b.id, status=status_label(b.status)))


def _relapse_added(a: Measure, b: Measure) -> bool:
    old = {(r.date, r.by, r.result, r.note) for r in a.rechecks}
    return any(r.result == "relapsed" and (r.date, r.by, r.result, r.note) not in old for r in b.rechecks)


def missing(base: Side, head: Side) -> Iterator[Error]:
    """Published problem and measure ids that HEAD no longer has (unless their file no longer parses)."""
    problems = {p.id for p in head.problems}
    measures = head.measures()
    for p in base.problems:
        if p.path in head.broken:
            continue  # its errors are reported; whether its ids survive cannot be told
        if p.id not in problems:
            yield p.where.error("id", R["problem_missing"].format(id=p.id))
            continue
        for m in p.measures:
            if m.id not in measures:
                yield m.where.error("id", R["measure_missing"].format(id=m.id, problem=p.id))


def markdown(review: Review, as_of: date, names: Names, limit: int = 0) -> str:
    """The review as Markdown for a pull-request comment (record text escaped).

    `limit` (0: none) lists at most that many lines per section, then how many more there are:
    a comment has a size limit on the git host (65,536 characters on GitHub).
    """
    template = environment().get_template("diff.md.j2")
    violations, more = _first(review.violations, limit)
    return template.render(review=review, sections=review.sections(limit), violations=violations, more=more,
                           as_of=as_of, names=names, R=REVIEW_WORDS)
