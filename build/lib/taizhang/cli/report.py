"""The `report` command: `taizhang report weekly`, the week's report as Markdown or a Word document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from taizhang.ledger.figures import Aggregate
from taizhang.history.commits import read_history
from taizhang.labels import WEEKLY_WORDS as W
from taizhang.ledger.repository import as_of_date, load_valid, stored
from taizhang.site.pages import environment
from taizhang.speed.store import Store
from taizhang.reports.weekly import Report, Weekly, parse_week, week_of


def register_report(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("report", help="生成报告（每周报告）",
                          description="生成报告。例：taizhang report weekly --week 2023-W37 --format docx -o 周报.docx")
    kinds = sub.add_subparsers(dest="kind", required=True, metavar="KIND")
    weekly = kinds.add_parser("weekly", parents=[parent], help="每周报告（整改工作周报）",
                              description="一周的整改工作周报：本周动态、周末数据及与上周比较、逾期和下周到期的措施、"
                                          "两周以上未更新的措施、下一步工作；数据来自台账的 git 历史。"
                                          "例：taizhang report weekly --week 2023-W37 --format docx -o 周报.docx")
    weekly.add_argument("--week", type=_week, metavar="YYYY-Www", help="ISO 周次，如 2023-W37（默认：统计日期所在的周）")
    weekly.add_argument("--format", choices=("md", "docx"), default="md", help="md（默认）或 docx（Word 文档）")
    weekly.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="输出文件（默认：标准输出；docx 必须指定）")
    return sub


def _week(value: str) -> str:
    try:
        return parse_week(value)
    except ValueError:
        raise argparse.ArgumentTypeError(W["bad_week"].format(value=value)) from None


def run_report(args: argparse.Namespace) -> int:
    as_of = args.as_of or as_of_date()
    if args.format == "docx" and args.output is None:
        return _usage(W["docx_needs_output"])
    with stored(args.root) as cache:
        agg = Aggregate(load_valid(args.root, as_of, cache), as_of)
    weekly = Weekly(read_history(args.root, store=Store(args.root)), agg)
    if not weekly.available:
        why = W["no_weeks"] if weekly.history.available else W["no_history"].format(reason="；".join(weekly.warnings))
        print(f"taizhang: {why}", file=sys.stderr)
        return 1
    week = args.week or week_of(as_of)
    if week > weekly.current:
        return _usage(W["after_as_of"].format(week=week, as_of=as_of, current=weekly.current))
    if week < weekly.first:
        return _usage(W["before_history"].format(week=week, first=weekly.first))
    report = weekly.report(week)
    if args.format == "docx":
        from taizhang.office import word  # python-docx loads only for this

        word.write(report, args.output)
        print(W["written"].format(path=args.output), file=sys.stderr)
        return 0
    text = markdown(report)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


def markdown(report: Report) -> str:
    """The report as plain Markdown (no site links, no chart), record text escaped."""
    return environment().get_template("weekly.md.j2").render(report=report, web=False)


def _usage(message: str) -> int:
    print(f"taizhang: {message}", file=sys.stderr)
    return 2
