"""The `report` command: the weekly report, the rectification report (stage), 考核 (assessment) and 督办 (due)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datetime import date

from taizhang.ledger.figures import Aggregate
from taizhang.history.commits import read_history
from taizhang.labels import REPORT_WORDS as R
from taizhang.labels import WEEKLY_WORDS as W
from taizhang.ledger.repository import as_of_date, load_valid, stored
from taizhang.reports import dated
from taizhang.reports.assessment import Assessment
from taizhang.reports.document import ReportDocument
from taizhang.reports.due import Supervision
from taizhang.reports.stage import stage
from taizhang.site.pages import environment
from taizhang.speed.store import Store
from taizhang.reports.weekly import Report, parse_week, week_of


def register_report(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("report", help="生成报告（每周报告、整改情况报告、考核、督办）",
                          description="生成报告。例：taizhang report weekly --week 2023-W37 --format docx -o 周报.docx")
    kinds = sub.add_subparsers(dest="kind", required=True, metavar="KIND")
    weekly = kinds.add_parser("weekly", parents=[parent], help="每周报告（整改工作周报）",
                              description="一周的整改工作周报：本周动态、周末数据及与上周比较、逾期和下周到期的措施、"
                                          "两周以上未更新的措施、下一步工作；数据来自台账的 git 历史，"
                                          "没有 git 历史时依据台账记录中的完成、销号、延期审批和回头看日期。"
                                          "例：taizhang report weekly --week 2023-W37 --format docx -o 周报.docx")
    weekly.add_argument("--week", type=_week, metavar="YYYY-Www", help="ISO 周次，如 2023-W37（默认：统计日期所在的周）")
    weekly.add_argument("--format", choices=("md", "docx"), default="md", help="md（默认）或 docx（Word 文档）")
    weekly.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="输出文件（默认：标准输出；docx 必须指定）")
    _stage(kinds, parent)
    _assessment(kinds, parent)
    _due(kinds, parent)
    return sub


def _output(sub: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    sub.add_argument("--format", choices=formats, default="md", help=f"{'、'.join(formats)}（默认 md）")
    sub.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                     help="输出文件（默认：标准输出；docx、xlsx 必须指定）")
    sub.set_defaults(build=None)


def _stage(kinds: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    sub = kinds.add_parser("stage", parents=[parent], help="整改情况报告",
                           description="按统计日期由台账生成整改情况报告（基本情况、整改落实情况、存在的不足、下一步打算、"
                                       "附件整改台账）；Word 版按党政机关公文格式排版。"
                                       "例：taizhang report stage --as-of 2023-09-15 --format docx -o 整改情况报告.docx")
    _output(sub, ("md", "docx"))


def _assessment(kinds: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    sub = kinds.add_parser("assessment", parents=[parent], help="考核（按科室、人员统计按期完成情况）",
                           description="目标管理考核用的统计：按责任科室、责任领导、责任人统计措施数、已完成、按期完成、"
                                       "超期完成、当前逾期、批准延期、回头看反弹和按期完成率。"
                                       "例：taizhang report assessment --from 2023-07-01 --to 2023-09-30 --format xlsx -o 考核.xlsx")
    sub.add_argument("--from", dest="start", type=_date, default=None, metavar="DATE", help="统计期起始日期（默认：不限）")
    sub.add_argument("--to", dest="end", type=_date, default=None, metavar="DATE", help="统计期截止日期（默认：统计日期）")
    _output(sub, ("md", "xlsx", "docx"))


def _due(kinds: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    sub = kinds.add_parser("due", parents=[parent], help="督办清单（逾期和临期措施，按责任领导）",
                           description="每日督办清单：逾期和 N 天内到期的整改措施，按责任领导、责任科室排列，"
                                       "列出整改时限、剩余或逾期天数、责任人和最新进展。例：taizhang report due --days 7")
    sub.add_argument("--days", type=_days, default=None, metavar="N", help="列出 N 天内到期的措施（默认：台账的 due_soon_days）")
    _output(sub, ("md", "xlsx", "docx"))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，实际为“{value}”") from None


def _days(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"天数应为不小于 0 的整数，实际为“{value}”")
    return int(value)


def _week(value: str) -> str:
    try:
        return parse_week(value)
    except ValueError:
        raise argparse.ArgumentTypeError(W["bad_week"].format(value=value)) from None


def run_report(args: argparse.Namespace) -> int:
    as_of = args.as_of or as_of_date()
    if args.format in ("docx", "xlsx") and args.output is None:
        return _usage(R["docx_needs_output"].format(format=args.format))
    if args.kind != "weekly":
        return _upward(args, as_of)
    with stored(args.root) as cache:
        agg = Aggregate(load_valid(args.root, as_of, cache), as_of)
    weekly = dated.weekly(read_history(args.root, store=Store(args.root)), agg)
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


def _upward(args: argparse.Namespace, as_of: date) -> int:
    """stage, assessment, due: from the records alone, git or no git."""
    end = as_of
    if args.kind == "assessment":
        start, end = args.start, args.end or as_of
        if start is not None and start > end:
            return _usage(R["bad_range"].format(start=start, end=end))
    checked = max(as_of, end)
    with stored(args.root) as cache:
        ledger = load_valid(args.root, checked, cache)
    # A period ending before the as-of date: the ledger as its own dates say it stood then.
    agg = Aggregate(dated.ledger_at(ledger, end) if end < checked else ledger, end)
    if args.kind == "stage":
        doc = stage(agg)
    elif args.kind == "assessment":
        doc = Assessment(agg, start).document()
    else:
        doc = Supervision(agg, agg.ledger.due_soon_days if args.days is None else args.days).document()
    return _emit(doc, args.format, args.output)


def _emit(doc: ReportDocument, format: str, output: Path | None) -> int:
    if format == "md":
        text = document_markdown(doc)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
        return 0
    if format == "docx":
        from taizhang.office import word  # python-docx loads only for this

        data = word.document_bytes(doc)
    else:
        from taizhang.office import excel  # openpyxl, likewise

        data = excel.document_bytes(doc)
    assert output is not None
    output.write_bytes(data)
    print(R["written"].format(path=output), file=sys.stderr)
    return 0


def document_markdown(doc: ReportDocument) -> str:
    """An upward report as plain Markdown, record text escaped."""
    return environment().get_template("document.md.j2").render(doc=doc, web=False)


def markdown(report: Report) -> str:
    """The report as plain Markdown (no site links, no chart), record text escaped."""
    return environment().get_template("weekly.md.j2").render(report=report, web=False)


def _usage(message: str) -> int:
    print(f"taizhang: {message}", file=sys.stderr)
    return 2
