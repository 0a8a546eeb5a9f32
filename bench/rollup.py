"""`make bench`, roll-up row: a round of 100 units of 100 problems each, against one 5,000-problem ledger build.

Each unit is a `taizhang demo` ledger (its own seed), exported once as JSON (`taizhang export`
as a unit's CI publishes it). The exports are served by a local http.server on 127.0.0.1, and
the roll-up's `mkdocs build --strict` (fresh process, median of --runs) fetches and checks all
100 of them while it builds. The 5,000-problem ledger's cold build time is read from
bench/results.md (the site build table), as run.py measured it on this machine. Appends (or
replaces) the roll-up section of bench/results.md.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from taizhang.cli import demo, init
from taizhang.history import git
from taizhang.ledger import export
from taizhang.ledger.figures import Aggregate
from taizhang.ledger.repository import load_valid

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "rollup"
BIN = Path(sys.executable).parent
WEEKS = 4  # the roll-up reads each unit's last export only: a short history makes the same records
AS_OF = demo.START + timedelta(weeks=WEEKS)
HEADING = "## Roll-up of a round"


def units(count: int, problems: int) -> Path:
    """`count` demo ledgers, each exported once; kept in bench/work/rollup between runs."""
    exports = WORK / f"exports-{count}x{problems}"
    for i in range(1, count + 1):
        out = exports / f"u{i:03d}" / "taizhang.json"
        if out.exists():
            continue
        root = WORK / f"ledger-{problems}-{i:03d}"
        if not (root / "records").exists():
            demo.generate(root, problems, WEEKS, i)
        agg = Aggregate(load_valid(root, AS_OF), AS_OF)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(export.to_json(agg, commit=git.head(root)), encoding="utf-8")
    return exports


def rollup(count: int, url: str) -> Path:
    root = WORK / f"round-{count}"
    if not root.exists():
        init.init_rollup(root, f"基准测试：{count} 个单位")
    lines = [f"round: 基准测试：{count} 个单位", "units:"]
    lines += [f"  - {{id: u{i:03d}, name: 单位{i:03d}, export: \"{url}/u{i:03d}/taizhang.json\"}}" for i in range(1, count + 1)]
    (root / "units.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def timed_build(root: Path) -> float:
    env = {"NO_MKDOCS_2_WARNING": "1", "TAIZHANG_AS_OF": AS_OF.isoformat(), "PATH": f"{BIN}:/usr/bin:/bin"}
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", "site"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"roll-up build failed:\n{done.stderr[-3000:]}")
    return seconds


def ledger_5000() -> float | None:
    """The cold build of the 5,000-problem ledger, from run.py's table in results.md."""
    text = (HERE / "results.md").read_text(encoding="utf-8")
    found = re.search(r"^\| 5,000 \| [^|]+ \| [^|]+ \| [^|]+ \| ([0-9.]+) \|", text, re.M)
    return float(found.group(1)) if found else None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # a line per request would bury the table
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    exports = units(args.units, args.problems)
    prepared = time.perf_counter() - start
    size = sum(p.stat().st_size for p in exports.rglob("taizhang.json"))
    handler = functools.partial(_Quiet, directory=str(exports))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = rollup(args.units, f"http://127.0.0.1:{server.server_address[1]}")
        runs = [timed_build(root) for _ in range(args.runs)]
    finally:
        server.shutdown()
    median = statistics.median(runs)
    target = ledger_5000()
    ratio = f"{median / target:.2f}" if target else "–"
    verdict = "yes" if target and median <= target else "no" if target else "–"
    pages = sum(1 for _ in (root / "site").rglob("index.html"))
    section = "\n".join([
        HEADING, "",
        f"`bench/rollup.py` on {time.strftime('%Y-%m-%d')}: {args.units} units of {args.problems} problems each "
        f"(`taizhang demo` ledgers with seeds 1–{args.units}, {WEEKS} weekly commits, exported once as of {AS_OF}; "
        f"making them took {prepared:.0f} s and is not timed). The exports ({size / 1e6:.1f} MB in all) are served by "
        "a local http.server on 127.0.0.1; the roll-up's `mkdocs build --strict` fetches and checks every one of them "
        f"while it builds (fresh process, median of {args.runs} runs). The 5,000-problem ledger's cold build is run.py's "
        "figure in the site build table above.", "",
        "| units × problems | exports MB | roll-up pages | roll-up build s | runs s | 5,000-problem ledger build s | ratio | within |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
        f"| {args.units} × {args.problems} | {size / 1e6:.1f} | {pages} | {median:.1f} | "
        f"{', '.join(f'{r:.1f}' for r in runs)} | {target if target else '–'} | {ratio} | {verdict} |", "",
    ])
    results = HERE / "results.md"
    text = results.read_text(encoding="utf-8")
    text = text.split(HEADING)[0].rstrip("\n") + "\n\n" + section
    results.write_text(text, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
