"""`make bench`'s companion: what each fast path saves, one turned off at a time (TAIZHANG_BENCH_OFF).

For each size: a cold and a warm `mkdocs build` of the demo ledger with every mechanism on, then
with each build mechanism off in turn; and at 1,000 problems a rebuild under `mkdocs serve` after one
edit, with each serve mechanism off in turn. Prints a Markdown table (seconds wall and CPU).
"""

from __future__ import annotations

import argparse
import os
import sys

import run

BUILD = ("", "pages", "downloads", "store")  # "" = everything on
SERVE = ("", "reuse")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--serve-edits", type=int, default=1)
    args = parser.parse_args(argv)
    run.WORK.mkdir(parents=True, exist_ok=True)
    lines = ["| problems | off | cold s | cold CPU s | warm s | warm CPU s |", "|--:|:--|--:|--:|--:|--:|"]
    for size in map(int, args.sizes.split(",")):
        ledger = run.ledger_repo(size)
        for off in BUILD:
            os.environ["TAIZHANG_BENCH_OFF"] = off
            run.forget(ledger)
            cold = run.step(f"  {size} cold, off: {off or '-'}", lambda: run.mkdocs_build(ledger))
            warm = run.step(f"  {size} warm, off: {off or '-'}", lambda: run.mkdocs_build(ledger))
            lines.append(f"| {size:,} | {off or '–'} | {cold.seconds:.1f} | {cold.cpu:.1f} | {warm.seconds:.1f} | {warm.cpu:.1f} |")
            print(lines[-1], flush=True)
    if args.serve_edits and run.SERVE_SIZE in map(int, args.sizes.split(",")):
        lines += ["", "| problems | off | rebuild after an edit under serve s |", "|--:|:--|--:|"]
        for off in SERVE:
            os.environ["TAIZHANG_BENCH_OFF"] = off
            found = run.serve_seconds(run.SERVE_SIZE, args.serve_edits)
            lines.append(f"| {run.SERVE_SIZE:,} | {off or '–'} | {', '.join(f'{s:.1f}' for s in found)} |")
            print(lines[-1], flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
