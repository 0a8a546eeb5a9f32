"""The `taizhang` command: thin subcommands over the same core the site uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from taizhang.cli import history_diff
from taizhang.authoring import commands
from taizhang.ledger import export
from taizhang.authoring import githook
from taizhang.cli import report
from taizhang.ledger.figures import Aggregate
from taizhang.errors import Error, LedgerError
from taizhang.labels import INIT_WORDS, ROLLUP_WORDS
from taizhang.ledger.repository import as_of_date, load, load_valid, stored

Command = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A bad command line: exit status 2."""


def _as_of(value: str) -> date:
    try:
        return as_of_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--root", type=Path, default=Path("."), help="台账仓库目录（默认：当前目录）")
    parent.add_argument("--as-of", type=_as_of, default=None, metavar="DATE", help="统计日期 YYYY-MM-DD（默认：TAIZHANG_AS_OF 或北京时间今天）")
    return parent


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="taizhang", description="整改台账：以 Markdown + git 管理巡察整改台账。")
    subs = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parent = common()
    for name, (register, run) in COMMANDS.items():
        sub = register(subs, parent)
        sub.set_defaults(run=run)
    return top


def as_of(args: argparse.Namespace) -> date:
    return args.as_of or as_of_date()


def print_errors(errors: Sequence[Error]) -> None:
    for error in errors:
        print(error, file=sys.stderr)


# -- check ----------------------------------------------------------------------

def register_check(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    return subs.add_parser("check", parents=[parent], help="校验台账", description="校验台账；错误逐行输出到标准错误。例：taizhang check --root .")


def run_check(args: argparse.Namespace) -> int:
    with stored(args.root) as cache:
        ledger, errors = load(args.root, as_of(args), cache)
    if errors:
        print_errors(errors)
        return 1
    for line in Aggregate(ledger, as_of(args)).mismatch_lines():
        print(line, file=sys.stderr)
    return 0


# -- export ---------------------------------------------------------------------

def register_export(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("export", parents=[parent], help="导出整个台账",
                          description="导出整个台账。例：taizhang export --format json --as-of 2023-09-15")
    sub.add_argument("--format", choices=("json", "csv", "xlsx"), required=True)
    sub.add_argument("-o", "--output", type=Path, help="输出文件（默认：标准输出；xlsx 必须指定）")
    return sub


def run_export(args: argparse.Namespace) -> int:
    with stored(args.root) as cache:
        agg = Aggregate(load_valid(args.root, as_of(args), cache), as_of(args))
    if args.format == "xlsx":
        if args.output is None:
            raise UsageError("导出 xlsx 时必须用 -o 指定输出文件")
        from taizhang.office import excel

        excel.write(agg, args.output)
        return 0
    from taizhang.history import git

    text = export.to_json(agg, commit=git.head(args.root)) if args.format == "json" else export.to_csv(agg)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


# -- import ---------------------------------------------------------------------

def register_import(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("import", parents=[parent], help="从现有 Excel 台账创建记录",
                          description="从单位现有的 Excel 整改台账创建 records/（列名按常见叫法识别，合并单元格自动展开）；"
                                      "有任何一行读不了就什么也不写。例：taizhang import 整改台账.xlsx --root .")
    sub.add_argument("file", type=Path, metavar="FILE.xlsx", help="Excel 台账（.xlsx）")
    sub.add_argument("--sheet", help="工作表名称（默认：整改台账，否则第一个有表头的工作表）")
    sub.add_argument("--title", help="台账标题（默认：表头上方第一行）")
    sub.add_argument("--unit", help="被巡察单位（默认：表头上方的“单位：……”）")
    sub.add_argument("--force", action="store_true", help="records/ 中已有台账时覆盖它（records/evidence/ 中的文件保留）")
    return sub


def run_import(args: argparse.Namespace) -> int:
    from taizhang.office import excel_import  # openpyxl and pypinyin load only for this command

    try:
        result = excel_import.import_workbook(args.file, args.root, as_of(args), force=args.force,
                                              sheet=args.sheet, title=args.title, unit=args.unit)
    except excel_import.ImportFailed as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 1
    for line in excel_import.summary(result):
        print(line)
    return 0


# -- demo -----------------------------------------------------------------------

def register_demo(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("demo", parents=[parent], help="生成带 git 历史的示例台账",
                          description="生成一个示例台账仓库：随机但可复现的问题、措施和每周一次的 git 提交。"
                                      "例：taizhang demo /tmp/demo --problems 100 --weeks 20 --seed 1")
    sub.add_argument("dir", type=Path, metavar="DIR", help="新仓库目录（不存在或为空）")
    sub.add_argument("--problems", type=int, required=True, metavar="N", help="问题个数")
    sub.add_argument("--weeks", type=int, default=20, metavar="W", help="每周提交的周数（默认 20）")
    sub.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子（默认 1）")
    return sub


def run_demo(args: argparse.Namespace) -> int:
    import subprocess

    from taizhang.cli import demo

    try:
        demo.generate(args.dir, args.problems, args.weeks, args.seed)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except subprocess.CalledProcessError as exc:
        print(f"taizhang: git 运行失败：{(exc.stderr or b'').decode(errors='replace').strip()}", file=sys.stderr)
        return 1
    from taizhang.cli import init

    init.write_site(args.dir)  # left uncommitted: the history is the records'
    last = demo.START + timedelta(weeks=args.weeks)
    print(f"已生成 {args.dir}：{args.problems} 个问题，{args.weeks + 1} 次提交（最后一次 {last}）。")
    print(f"查看网站：cd {args.dir} && TAIZHANG_AS_OF={last} mkdocs serve")
    return 0


# -- init -----------------------------------------------------------------------

def register_init(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("init", parents=[parent], help=INIT_WORDS["help"], description=INIT_WORDS["description"])
    sub.add_argument("dir", type=Path, metavar="DIR", help=INIT_WORDS["dir"])
    sub.add_argument("--title", metavar="T", help=INIT_WORDS["title"])
    sub.add_argument("--unit", metavar="U", help=INIT_WORDS["unit"])
    sub.add_argument("--rollup", action="store_true", help=ROLLUP_WORDS["init_rollup"])
    sub.add_argument("--round", metavar="R", help=ROLLUP_WORDS["init_round"])
    return sub


def run_init(args: argparse.Namespace) -> int:
    from taizhang.cli import init

    if args.rollup:
        try:
            written = init.init_rollup(args.dir, args.round or ROLLUP_WORDS["default_round"])
        except init.InitError as exc:
            print(f"taizhang: {exc}", file=sys.stderr)
            return 1
        print(ROLLUP_WORDS["init_done"].format(dir=args.dir, count=len(written)))
        print("  " + ROLLUP_WORDS["init_next"].format(dir=args.dir))
        return 0
    unit = args.unit or INIT_WORDS["default_unit"]
    try:
        written = init.init(args.dir, args.title or INIT_WORDS["default_title"].format(unit=unit), unit)
    except init.InitError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return 1
    print(INIT_WORDS["done"].format(dir=args.dir, count=len(written)))
    print("  " + INIT_WORDS["next"].format(dir=args.dir))
    return 0


COMMANDS: dict[str, tuple[Callable[..., argparse.ArgumentParser], Command]] = {
    "check": (register_check, run_check),
    "export": (register_export, run_export),
    "import": (register_import, run_import),
    "new": (commands.register_new, commands.run_new),
    "update": (commands.register_update, commands.run_update),
    "install-hook": (githook.register_install_hook, githook.run_install_hook),
    "demo": (register_demo, run_demo),
    "init": (register_init, run_init),
    "history": (history_diff.register_history, history_diff.run_history),
    "diff": (history_diff.register_diff, history_diff.run_diff),
    "report": (report.register_report, report.run_report),
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return args.run(args)
    except SystemExit as exc:  # argparse: --help or a usage error
        return exc.code if isinstance(exc.code, int) else 2
    except UsageError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return 2
    except LedgerError as exc:
        print_errors(exc.errors)
        return 1
    except OSError as exc:
        print(f"taizhang: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
