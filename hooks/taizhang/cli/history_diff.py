"""The `history` and `diff` commands: a record's story and a pull request's review, from git."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from taizhang.history import git
from taizhang.authoring import diff
from taizhang.history.events import Names
from taizhang.history.commits import Commit, History, read_history
from taizhang.history.timeline import author, authors
from taizhang.labels import HISTORY_WORDS, REVIEW_WORDS, status_label
from taizhang.ledger.repository import as_of_date, load
from taizhang.ledger.records import Ledger
from taizhang.speed.store import Store

H = HISTORY_WORDS
LIMIT = 50  # lines per section of the diff summary, so that the comment fits a git host's limit


def current(root: Path) -> Ledger:
    """The ledger as it stands, for names and statuses (empty where it cannot be read)."""
    try:
        return load(root, as_of_date())[0]
    except (OSError, ValueError):
        return Ledger("", "", [])


def warn(lines: list[str]) -> None:
    for line in lines:
        print(H["warning"].format(text=line), file=sys.stderr)


# -- history --------------------------------------------------------------------------

def register_history(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("history", parents=[parent], help="一个问题或一项措施的修改历程（来自 git）",
                          description="按时间倒序列出一个问题或一项整改措施的修改：日期、提交人、提交、变更。"
                                      "例：taizhang history P01-M1")
    sub.add_argument("id", metavar="ID", help="问题或整改措施编号，如 P01 或 P01-M1")
    return sub


def run_history(args: argparse.Namespace) -> int:
    history = read_history(args.root, store=Store(args.root))
    warn(history.warnings)
    commits = history.for_problem(args.id) or history.for_measure(args.id)
    if not commits:
        print(H["no_events"].format(id=args.id), file=sys.stderr)
        return 1
    sys.stdout.write(history_text(history, args.id, commits, current(args.root)))
    return 0


def history_text(history: History, id: str, commits: list[Commit], ledger: Ledger) -> str:
    """The timeline as the terminal shows it, newest first."""
    names = Names.of(ledger)
    people = authors(ledger)
    lines = [H["timeline"].format(id=id)]
    measure = next((m for m in ledger.measures() if m.id == id), None)
    since = history.status_since(id)
    if measure is not None and since is not None:
        lines.append(H["status_since"].format(status=status_label(measure.status), date=_day(since), commit=_commit(since)))
    for commit in commits:
        lines += ["", f"{_day(commit)}  {author(people, commit) or '-'}  {_commit(commit)}"]
        lines += [f"  {event.sentence(names)}" for event in commit.events]
    return "\n".join(lines) + "\n"


def _day(commit: Commit) -> str:
    return commit.day.isoformat() if commit.day else H["working_tree"]


def _commit(commit: Commit) -> str:
    return commit.short or H["working_tree"]


# -- diff -------------------------------------------------------------------------------

def register_diff(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("diff", parents=[parent], help="两个版本之间台账的变化（用于合并请求）",
                          description="以 Markdown 列出两个版本之间台账的变化，可直接贴到合并请求的评论中；"
                                      "--check 检查是否违反台账规则（违反时退出码为 1）。"
                                      "例：taizhang diff origin/main；taizhang diff --check origin/main HEAD")
    sub.add_argument("base", nargs="?", metavar="BASE", help="基准版本（默认：main 与 HEAD 的共同祖先）")
    sub.add_argument("head", nargs="?", metavar="HEAD", help="比较版本（默认：工作区）")
    sub.add_argument("--check", action="store_true", help="只检查台账规则：逐行列出违反之处，有违反时退出码为 1")
    sub.add_argument("--limit", type=int, default=LIMIT, metavar="N",
                     help=f"每一类最多列出 N 行，其余只给出条数（默认 {LIMIT}，0 为不限）；评论的长度在代码托管平台上有上限")
    return sub


def run_diff(args: argparse.Namespace) -> int:
    as_of = args.as_of or as_of_date()
    try:
        base, head = diff.read_sides(args.root, args.base, args.head)
    except git.GitError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return 1
    found = diff.review(base, head, as_of)
    if args.check:
        for violation in found.violations:
            print(violation, file=sys.stderr)
        if not found.violations:
            print(REVIEW_WORDS["check_passed"].format(base=base.label, head=head.label), file=sys.stderr)
        return 1 if found.violations else 0
    sys.stdout.write(diff.markdown(found, as_of, Names.of(current(args.root)), max(args.limit, 0)))
    return 0
