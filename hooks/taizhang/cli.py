"""The `taizhang` command: thin subcommands over the same core the site uses."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from . import authoring, export, githook
from .aggregate import Aggregate
from .errors import Error, LedgerError
from .ledger import as_of_date, load, load_valid

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


def warnings(agg: Aggregate) -> list[str]:
    """Counted figures that differ from the declared ones (对账): warnings, not errors."""
    where = agg.ledger.declared.where if agg.ledger.declared else None
    found = []
    names = {"problems": "问题", "manifestations": "问题表现", "measures": "整改措施"}
    for key, declared, counted in agg.mismatches():
        line = where.line_of(key) if where else 1
        found.append(f"records/ledger.yml:{line}: declared.{key}: 警告：反馈意见{names[key]}数为 {declared}，台账实际为 {counted}")
    return found


# -- check ----------------------------------------------------------------------

def register_check(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    return subs.add_parser("check", parents=[parent], help="校验台账", description="校验台账；错误逐行输出到标准错误。例：taizhang check --root .")


def run_check(args: argparse.Namespace) -> int:
    ledger, errors = load(args.root, as_of(args))
    if errors:
        print_errors(errors)
        return 1
    for line in warnings(Aggregate(ledger, as_of(args))):
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
    agg = Aggregate(load_valid(args.root, as_of(args)), as_of(args))
    if args.format == "xlsx":
        if args.output is None:
            raise UsageError("导出 xlsx 时必须用 -o 指定输出文件")
        from . import excel

        excel.write(agg, args.output)
        return 0
    text = export.to_json(agg) if args.format == "json" else export.to_csv(agg)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


COMMANDS: dict[str, tuple[Callable[..., argparse.ArgumentParser], Command]] = {
    "check": (register_check, run_check),
    "export": (register_export, run_export),
    "new": (authoring.register_new, authoring.run_new),
    "update": (authoring.register_update, authoring.run_update),
    "install-hook": (githook.register_install_hook, githook.run_install_hook),
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
