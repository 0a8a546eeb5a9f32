"""`make bench`: the ledger's site build against a bare MkDocs + Material build of as many plain pages.

For each size N (problems, 20 weekly commits) it times `taizhang check`, `taizhang export
--format json` and `mkdocs build` of the demo ledger's site, and `mkdocs build` of a bare site:
the ledger's mkdocs.yml without the taizhang plugin, the same hand-written docs/, and one plain Markdown page
for every page the ledger's site generates, holding the text a reader sees on the ledger's page at that address.
Every command runs in a fresh process: wall time is the median of --runs runs (ledger and bare
builds alternate, so a busy machine slows both alike), memory the peak resident set of the
process (wait4), git processes are counted by a `git` on PATH that logs each start. It also
times history extraction against a plain `git log --name-status` (also on the same changes made
one commit per changed record), reads the hook's own time
from its `mkdocs build -v` line, and measures a rebuild under `mkdocs serve` after one record
is edited. Prints the table and writes it to bench/results.md.

Generated repositories are kept in bench/work/ (not in git), keyed by size, weeks and seed.
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

from taizhang.cli import demo, init
from taizhang.speed import timing
from taizhang.ledger.repository import load_valid
from taizhang.ledger.records import Problem
from taizhang.speed.store import FOLDER, git_dir

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = HERE / "work"
BIN = Path(sys.executable).parent
WEEKS = 20
SEED = 1
SIZES = (100, 500, 1000, 5000)
LINEAR_ONLY = {500}  # measured for the growth target only: cold ledger builds, no bare or warm ones (20 minutes in all)
SPLIT_SIZES = {1000, 5000}  # history also read from the same changes made one commit per changed record
SERVE_SIZE = 1000
# Three months after the last weekly commit: every open measure with a deadline is overdue, so the overdue
# lists are as long as this ledger makes them.
AS_OF = demo.START + timedelta(weeks=WEEKS + 13)
REAL_GIT = shutil.which("git") or "/usr/bin/git"
# The hook's timing line under `mkdocs build -v` (taizhang_hook.on_post_build).
TIMINGS = re.compile(r"taizhang timings: (.*)$", re.M)
# The second process that makes the pages (pipeline.py), its own seconds per step.
ASIDE = re.compile(r"taizhang second process: (.*)$", re.M)

TARGETS = {
    "build": 1.3,  # ledger build / bare build, at every size (issue 14)
    "hook": 0.15,  # the hook's own work / ledger build, at the largest size
    "linear": 11.0,  # ledger build at 5,000 / at 500
    "history": 3.0,  # history extraction / plain git log --name-status
    "memory": 1.5,  # ledger build peak / bare build peak
}


@dataclass
class Run:
    """One finished process: wall seconds, CPU seconds and peak resident set (its own and its
    children's), the git processes it started."""

    seconds: float
    cpu: float
    peak_mb: float
    git: int
    stderr: str = ""


@dataclass
class Runs:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def git(self) -> list[int]:
        return sorted({r.git for r in self.runs})


# -- running and measuring one process ---------------------------------------------------


def git_shim() -> Path:
    """A folder with a `git` that appends one line per start to $TAIZHANG_BENCH_GIT_LOG, then runs git."""
    folder = WORK / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "$TAIZHANG_BENCH_GIT_LOG"\nexec "{REAL_GIT}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return folder


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"PATH": f"{git_shim()}{os.pathsep}{BIN}{os.pathsep}{env.get('PATH', '')}",
                "TAIZHANG_AS_OF": AS_OF.isoformat(), "NO_MKDOCS_2_WARNING": "1", "LC_ALL": "C.UTF-8"})
    env.update(extra or {})
    return env


def run(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `command` to the end in a fresh process; raise with its stderr when it fails."""
    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        log = Path(scratch) / "git.log"
        log.touch()
        errors = Path(scratch) / "stderr"
        with open(errors, "wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(list(command), cwd=cwd, env=environment({"TAIZHANG_BENCH_GIT_LOG": str(log), **(env or {})}),
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
            # The child's rusage, with that of the processes it waited for: the peak is the largest of them.
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
        text = errors.read_text(encoding="utf-8", errors="replace")
        if process.returncode != 0:
            raise SystemExit(f"bench: {' '.join(command)} failed in {cwd} (exit {process.returncode}):\n{text[-3000:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, usage.ru_maxrss / 1024, len(log.read_text().splitlines()), text)


# -- the repositories ------------------------------------------------------------------------


def ledger_repo(problems: int) -> Path:
    """The demo ledger with `problems` problems, generated once, with the current site configuration."""
    root = WORK / f"ledger-{problems}-w{WEEKS}-s{SEED}"
    stamp = root.with_suffix(".done")
    if not stamp.exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"  generating {root.name} …", flush=True)
        demo.generate(root, problems, weeks=WEEKS, seed=SEED)
        stamp.touch()
    init.write_site(root)
    return root


def split_repo(problems: int) -> Path:
    """The demo ledger's history with each weekly commit made one commit per record it changes,
    the way a ledger worked through pull requests grows (the performance notes' 1,000 files and
    5,000 commits): the same changes, authors and final tree, made once."""
    ledger = ledger_repo(problems)
    root = WORK / f"split-{problems}-w{WEEKS}-s{SEED}"
    stamp = root.with_suffix(".done")
    if not stamp.exists():
        shutil.rmtree(root, ignore_errors=True)
        print(f"  generating {root.name} …", flush=True)
        subprocess.run([REAL_GIT, "clone", "-q", str(ledger), str(root)], check=True)
        subprocess.run([REAL_GIT, "-C", str(root), "fast-import", "--quiet", "--force"],
                       input=split_commits(root), check=True)
        subprocess.run([REAL_GIT, "-C", str(root), "reset", "-q", "--hard"], check=True)
        stamp.touch()
    return root


def split_commits(root: Path) -> bytes:
    """A `git fast-import` stream rewriting the current branch: the first commit as it is, each later
    one as one commit per file it changes, a second apart (blobs are the repository's own)."""
    out = subprocess.run([REAL_GIT, "-C", str(root), "log", "--reverse", "--raw", "-z", "--no-abbrev", "--no-renames",
                          "--format=%x01%at%x00%an%x00%ae%x00%B", "--", "records/"], capture_output=True, check=True).stdout
    branch = subprocess.run([REAL_GIT, "-C", str(root), "symbolic-ref", "HEAD"], capture_output=True, check=True).stdout.strip()
    commits: list[tuple[int, bytes, bytes, bytes, list[tuple[bytes, bytes, bytes]]]] = []
    tokens = out.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        if token.startswith(b"\x01"):
            commits.append((int(token[1:]), tokens[i + 1], tokens[i + 2], tokens[i + 3].strip(), []))
            i += 4
        elif token.startswith(b":"):
            fields = token.split()
            commits[-1][4].append((fields[4][:1], fields[3], tokens[i + 1]))
            i += 2
        else:
            i += 1
    stream = bytearray()
    mark = 0
    for n, (when, name, email, message, changes) in enumerate(commits):
        for k, group in enumerate([changes] if n == 0 else [[c] for c in changes]):
            mark += 1
            person = b"%s <%s> %d +0800" % (name, email, when + k)
            stream += b"commit %s\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n" % (
                branch, mark, person, person, len(message), message)
            stream += b"from :%d\n" % (mark - 1) if mark > 1 else b""
            for status, blob, path in group:
                stream += b"D %s\n" % path if status == b"D" else b"M 100644 %s %s\n" % (blob, path)
    return bytes(stream)


def bare_config(text: str) -> str:
    """A ledger's mkdocs.yml (`text`, as `taizhang init` writes it) without the taizhang plugin:
    the same theme, other plugins, extensions and nav policy."""
    plugin = re.compile(r"^  - taizhang\b.*\n", re.M)
    if not plugin.search(text):
        raise SystemExit("bench: the ledger's mkdocs.yml lists no taizhang plugin to remove")
    return plugin.sub("", text)


def generated_pages(site: Path, docs: Path) -> list[str]:
    """Docs-relative files, one per page the ledger's build generated (hand-written pages excluded)."""
    written = {p.relative_to(docs).with_suffix('').as_posix() for p in docs.rglob("*.md")}
    found = []
    for page in sorted(site.rglob("index.html")):
        folder = page.parent.relative_to(site).as_posix()
        folder = "" if folder == "." else folder
        if folder not in written and f"{folder}/index".lstrip("/") not in written:
            found.append(f"{folder}/index.md".lstrip("/"))
    return found


def bare_repo(problems: int, ledger: Path, pages: list[str]) -> Path:
    """A bare site with a plain page at each of `pages`, holding the text the ledger's built page at that
    address shows (`page_markdown`); the ledger's site must be built (ledger/site)."""
    root = WORK / f"bare-{problems}-w{WEEKS}-s{SEED}"
    shutil.rmtree(root, ignore_errors=True)
    init.write_site(root)  # the ledger's configuration and hand-written docs/, as the ledger has them
    (root / "records").mkdir()  # watched by the ledger's mkdocs.yml, empty here
    (root / "mkdocs.yml").write_text(bare_config((root / "mkdocs.yml").read_text(encoding="utf-8")), encoding="utf-8")
    for uri in pages:
        path = root / "docs" / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page_markdown(built_page(ledger / "site", uri)), encoding="utf-8")
    return root


def built_page(site: Path, uri: str) -> str:
    """The HTML MkDocs wrote for docs file `uri` (directory URLs)."""
    folder = uri.removesuffix("index.md").removesuffix(".md")
    return (site / folder / "index.html").read_text(encoding="utf-8")


_DROPPED = re.compile(r"<(script|style|svg)\b.*?</\1>|<a [^>]*class=\"headerlink\".*?</a>", re.S)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
_BLOCK_END = re.compile(r"</(?:p|li|tr|dd|dt|div|pre|blockquote|table|ul|ol|details|summary|figcaption|caption)>|<br\s*/?>")
_CELL_END = re.compile(r"</t[dh]>")
_TAG = re.compile(r"<[^>]+>")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(#|[-+=]|\d+[.)])")


def page_markdown(page: str) -> str:
    """The text a reader sees in a built page's article as plain Markdown: its headings as headings,
    every other block (paragraph, list item, table row) a paragraph, characters Markdown would read
    as markup escaped. Bulk lists are text like any other here: a reader sees them."""
    article = page[page.index("<article"):page.index("</article>")]
    article = " ".join(_DROPPED.sub("", article).split())  # line breaks in the markup are no paragraphs

    def heading(found: re.Match[str]) -> str:
        return f"\n\x00{found.group(1)}{_TAG.sub('', found.group(2))}\n"

    article = _HEADING.sub(heading, article)
    article = _CELL_END.sub(" ", _BLOCK_END.sub("\n", article))
    lines = []
    for line in html.unescape(_TAG.sub(" ", article)).splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if line.startswith("\x00"):
            level, words = int(line[1]), line[2:].strip()
            lines.append("#" * level + " " + _MARKDOWN.sub(r"\\\1", words))
        else:
            lines.append(_LINE_START.sub(r"\\\1", _MARKDOWN.sub(r"\\\1", line)))
    return "\n\n".join(lines) + "\n"


# -- what is measured ------------------------------------------------------------------------


def mkdocs_build(root: Path) -> Run:
    return run([str(BIN / "mkdocs"), "build", "-v", "--clean", "-d", str(root / "site")], root)


def taizhang(root: Path, *args: str) -> Run:
    return run([str(BIN / "taizhang"), *args, "--root", str(root), "--as-of", AS_OF.isoformat()], root)


# Scripts run in a fresh interpreter; each prints its answer as the last line of stderr.
HISTORY = """
import sys, time
from pathlib import Path
from taizhang.history.commits import begin_history
from taizhang.speed.store import Store
store = Store(Path(sys.argv[1])) if sys.argv[2:] == ["--stored"] else None
start = time.perf_counter()
pending = begin_history(Path(sys.argv[1]), store=store)
outline = time.perf_counter() - start
history = pending.result()
seconds = time.perf_counter() - start
assert history.available and not history.warnings, history.warnings
print(outline, seconds, file=sys.stderr)
"""

def script(source: str, root: Path, *args: str) -> tuple[str, Run]:
    process = run([sys.executable, "-c", source, str(root), *args], root)
    return process.stderr.strip().splitlines()[-1], process


def history_seconds(root: Path, stored: bool = False) -> tuple[float, float, Run]:
    """read_history's own seconds (no interpreter start-up): to its outline (`git log`: which
    commits touched which files, enough to list and date the pages) and to its end (every
    revision parsed), and its process, git starts counted; `stored`: from the history the last
    build stored, HEAD unchanged."""
    answer, process = script(HISTORY, root, *(["--stored"] if stored else []))
    outline, seconds = answer.split()
    return float(outline), float(seconds), process


def forget(root: Path) -> None:
    """Remove what earlier builds stored (store.py), so that the next build starts cold."""
    found = git_dir(root)
    if found is not None:
        shutil.rmtree(found / FOLDER, ignore_errors=True)


def hook_seconds(build: Run, line: re.Pattern[str] = TIMINGS) -> dict[str, float]:
    found = line.findall(build.stderr)
    return timing.parse(found[-1]) if found else {}


@dataclass
class Size:
    problems: int
    pages: int = 0
    page_bytes: int = 0  # the mean size of a bare page's Markdown
    bare_mb: float = 0.0  # all bare pages' Markdown
    check: Runs = field(default_factory=Runs)
    check_warm: Runs = field(default_factory=Runs)
    export: Runs = field(default_factory=Runs)
    ledger: Runs = field(default_factory=Runs)  # cold: nothing stored by an earlier build
    warm: Runs = field(default_factory=Runs)  # the same build again, from what the cold one stored
    bare: Runs = field(default_factory=Runs)
    history: list[float] = field(default_factory=list)
    history_warm: list[float] = field(default_factory=list)
    outline: list[float] = field(default_factory=list)  # cold: git log only, no revision parsed
    history_git: list[int] = field(default_factory=list)
    git_log: Runs = field(default_factory=Runs)
    git_patch: Runs = field(default_factory=Runs)
    hook: list[dict[str, float]] = field(default_factory=list)
    hook_warm: list[dict[str, float]] = field(default_factory=list)
    aside: list[dict[str, float]] = field(default_factory=list)  # the pages' second process, cold
    aside_warm: list[dict[str, float]] = field(default_factory=list)
    split_commits: int = 0  # the same changes, one commit per changed record (split_repo)
    split_history: list[float] = field(default_factory=list)
    split_outline: list[float] = field(default_factory=list)
    split_git: list[int] = field(default_factory=list)
    split_log: Runs = field(default_factory=Runs)

    def hook_total(self, warm: bool = False) -> float:
        hooks = self.hook_warm if warm else self.hook
        return statistics.median(h.get("total", 0.0) for h in hooks) if hooks else float("nan")

    def build_ratio(self, warm: bool = False) -> float:
        """The median of each ledger build against the bare build run between the cold and the warm one
        (steadier on a busy machine than medians taken apart)."""
        builds = self.warm if warm else self.ledger
        return statistics.median(ratio(a.seconds, b.seconds) for a, b in zip(builds.runs, self.bare.runs))

    def hook_share(self, warm: bool = False) -> float:
        hooks, builds = (self.hook_warm, self.warm) if warm else (self.hook, self.ledger)
        return statistics.median(ratio(h.get("total", 0.0), r.seconds) for h, r in zip(hooks, builds.runs))


def measure(problems: int, runs: int, paired: bool = True) -> Size:
    """`paired`: each cold build followed by a bare and a warm one; else cold builds only."""
    print(f"N = {problems}", flush=True)
    ledger = ledger_repo(problems)
    result = Size(problems)
    bare: Path | None = None
    for i in range(runs):
        forget(ledger)
        result.ledger.runs.append(step(f"  ledger build {i + 1}/{runs} cold", lambda: mkdocs_build(ledger)))
        result.hook.append(hook_seconds(result.ledger.runs[-1]))
        result.aside.append(hook_seconds(result.ledger.runs[-1], ASIDE))
        if result.pages == 0:  # the first build says which pages the ledger's site has, and how large
            pages = generated_pages(ledger / "site", ledger / "docs")
            result.pages = len(pages)
        if not paired:
            continue
        if bare is None:
            bare = bare_repo(problems, ledger, pages)
            sizes = [len((bare / "docs" / uri).read_bytes()) for uri in pages]
            result.page_bytes, result.bare_mb = round(statistics.mean(sizes)), sum(sizes) / 1e6
        result.bare.runs.append(step(f"  bare build   {i + 1}/{runs}", lambda: mkdocs_build(bare)))
        result.warm.runs.append(step(f"  ledger build {i + 1}/{runs} warm", lambda: mkdocs_build(ledger)))
        result.hook_warm.append(hook_seconds(result.warm.runs[-1]))
        result.aside_warm.append(hook_seconds(result.warm.runs[-1], ASIDE))
        result.history_warm.append(history_seconds(ledger, stored=True)[1])  # from what the warm build stored
    for i in range(runs):
        forget(ledger)
        result.check.runs.append(taizhang(ledger, "check"))
        result.check_warm.runs.append(taizhang(ledger, "check"))
        result.export.runs.append(taizhang(ledger, "export", "--format", "json"))
        outline, seconds, process = history_seconds(ledger)
        result.outline.append(outline)
        result.history.append(seconds)
        result.history_git.append(process.git)
        result.git_log.runs.append(run([REAL_GIT, "log", "--name-status", "--", "records/"], ledger))
        result.git_patch.runs.append(run([REAL_GIT, "log", "-p", "--", "records/"], ledger))
    if problems in SPLIT_SIZES:
        split = split_repo(problems)
        result.split_commits = int(subprocess.run([REAL_GIT, "-C", str(split), "rev-list", "--count", "HEAD"],
                                                  capture_output=True, check=True).stdout)
        for i in range(runs):
            outline, seconds, process = history_seconds(split)
            result.split_outline.append(outline)
            result.split_history.append(seconds)
            result.split_git.append(process.git)
            result.split_log.runs.append(run([REAL_GIT, "log", "--name-status", "--", "records/"], split))
    return result


def step(label: str, action: Callable[[], Run]) -> Run:
    found = action()
    print(f"{label}: {found.seconds:6.1f} s  CPU {found.cpu:6.1f} s  {found.peak_mb:6.0f} MB  git {found.git}", flush=True)
    return found


# -- serve -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(check: Callable[[], bool], deadline: float) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False


def serve_seconds(problems: int, edits: int) -> list[float]:
    """Seconds from saving an edited record to `mkdocs serve` serving the page that shows the edit."""
    ledger = ledger_repo(problems)
    record = sorted((ledger / "records").rglob("P*.md"))[0]
    page = f"problems/{record.stem}/"
    original = record.read_bytes()
    port = free_port()
    log = WORK / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"], cwd=ledger,
                                  env=environment({"TAIZHANG_BENCH_GIT_LOG": os.devnull}), stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/{page}"
    found = []
    try:
        if not wait_for(lambda: fetch(url) is not None, 900):
            raise SystemExit(f"bench: mkdocs serve did not start, see {log}")
        for i in range(edits):
            marker = f"基准编辑{i}号{time.time_ns()}"
            text = original.decode("utf-8")
            edited, count = re.subn(r"^(    progress: ).*$", rf"\g<1>{marker}", text, count=1, flags=re.M)
            if not count:
                raise SystemExit(f"bench: {record} has no progress line to edit")
            time.sleep(1.0)  # the watcher sees a new modification time
            start = time.perf_counter()
            record.write_text(edited, encoding="utf-8")
            if not wait_for(lambda: marker in (fetch(url) or ""), 900):
                raise SystemExit(f"bench: the edit never showed under mkdocs serve, see {log}")
            found.append(time.perf_counter() - start)
            print(f"  serve rebuild {i + 1}/{edits}: {found[-1]:6.1f} s", flush=True)
    finally:
        record.write_bytes(original)
        server.terminate()
        server.wait(30)
    return found


# -- the report ----------------------------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(sizes: list[Size], serve: list[float], runs: int, started: float) -> str:
    by = {s.problems: s for s in sizes}
    largest = max(sizes, key=lambda s: s.problems)
    lines = [
        "# Benchmark: the ledger's site against bare MkDocs + Material",
        "",
        f"`make bench` on {date.today()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"MkDocs {metadata.version('mkdocs')}, Material {metadata.version('mkdocs-material')}; "
        f"demo ledgers with {WEEKS} weekly commits (seed {SEED}), as of {AS_OF}; median of {runs} runs; "
        f"{(time.perf_counter() - started) / 60:.1f} minutes in all.",
        "",
        "Bare: the same mkdocs.yml without the taizhang plugin and one plain Markdown page at each address the ledger's "
        "site generates, holding the text a reader sees on the ledger's page there (its article: headings as headings, "
        "every paragraph, list item and table row a paragraph; bulk lists included), so the bare site converts, themes "
        "and indexes as many words as the ledger's (page bytes: the mean bare page, bare MB: all of them). Cold: a ledger build "
        "with nothing stored by an earlier one (a fresh clone, as in CI); warm: the same build again, starting "
        "from the parsed records and history the cold one stored in .git/taizhang (a unit's own machine, "
        "`mkdocs serve`, a CI that keeps that folder). Each run is cold, bare, warm, in that order. Seconds are wall time; "
        "a ratio is the median over runs of a ledger build against the bare build of its run; "
        "CPU seconds add the processes a build waited for. Hook: the plugin's own seconds in "
        "the build's process, from its `mkdocs build -v` line (waiting for a page the second process has not "
        "sent yet counts); the second process's seconds are listed below the tables. Memory: the "
        "peak resident set of the build or of any process it waited for. History: `read_history` timed in its "
        "process, to the end (every revision parsed) and to its outline (`git log` alone).",
        "",
        "## Site build",
        "",
        "| problems | pages | page bytes | bare MB | bare s | cold s | ratio | hook s | hook share | warm s | ratio | hook s "
        "| hook share | cold CPU s | warm CPU s | bare CPU s | ledger MB | bare MB | memory ratio | git processes cold, warm |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for s in sizes:
        if not s.bare.runs:
            lines.append(f"| {s.problems:,} | {s.pages:,} | – | – | – | {s.ledger.seconds:.1f} | – "
                         f"| {s.hook_total():.1f} | {s.hook_share():.0%} | – | – | – | – | {s.ledger.cpu:.1f} | – | – "
                         f"| {s.ledger.peak_mb:.0f} | – | – | {', '.join(map(str, s.ledger.git))} |")
            continue
        peak = max(s.ledger.peak_mb, s.warm.peak_mb)
        lines.append(
            f"| {s.problems:,} | {s.pages:,} | {s.page_bytes:,} | {s.bare_mb:.1f} | {s.bare.seconds:.1f} "
            f"| {s.ledger.seconds:.1f} | {s.build_ratio():.2f} | {s.hook_total():.1f} | {s.hook_share():.0%} "
            f"| {s.warm.seconds:.1f} | {s.build_ratio(True):.2f} | {s.hook_total(True):.1f} | {s.hook_share(True):.0%} "
            f"| {s.ledger.cpu:.1f} | {s.warm.cpu:.1f} | {s.bare.cpu:.1f} "
            f"| {peak:.0f} | {s.bare.peak_mb:.0f} | {ratio(peak, s.bare.peak_mb):.2f} "
            f"| {', '.join(map(str, s.ledger.git))}; {', '.join(map(str, s.warm.git))} |")
    lines += [
        "",
        "## Commands and history",
        "",
        "| problems | check s cold | check s warm | export json s | history s cold | history s warm "
        "| git log --name-status s | ratio cold | ratio warm | outline s cold | ratio "
        "| git log -p s | cold to -p | git processes (history) |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for s in sizes:
        history = statistics.median(s.history)
        warm = statistics.median(s.history_warm) if s.history_warm else float("nan")
        outline = statistics.median(s.outline)
        lines.append(f"| {s.problems:,} | {s.check.seconds:.2f} | {s.check_warm.seconds:.2f} | {s.export.seconds:.2f} "
                     f"| {history:.2f} | {warm:.2f} | {s.git_log.seconds:.2f} "
                     f"| {ratio(history, s.git_log.seconds):.0f} | {ratio(warm, s.git_log.seconds):.0f} "
                     f"| {outline:.3f} | {ratio(outline, s.git_log.seconds):.1f} "
                     f"| {s.git_patch.seconds:.2f} | {ratio(history, s.git_patch.seconds):.1f} "
                     f"| {', '.join(map(str, sorted(set(s.history_git))))} |")
    split = [s for s in sizes if s.split_history]
    if split:
        lines += [
            "",
            "## History made one commit per changed record",
            "",
            "The same changes as the ledgers above (and the same final records), each weekly commit made one commit "
            "per record it changes, as a ledger worked through pull requests grows; history read cold.",
            "",
            "| problems | commits | history s cold | git log --name-status s | ratio | outline s | ratio | git processes (history) |",
            "|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for s in split:
            history, outline = statistics.median(s.split_history), statistics.median(s.split_outline)
            lines.append(f"| {s.problems:,} | {s.split_commits:,} | {history:.2f} | {s.split_log.seconds:.2f} "
                         f"| {ratio(history, s.split_log.seconds):.1f} | {outline:.2f} "
                         f"| {ratio(outline, s.split_log.seconds):.1f} | {', '.join(map(str, sorted(set(s.split_git))))} |")
    for name, hooks, whose in (("cold", largest.hook, "The hook's steps in the build's process"),
                               ("warm", largest.hook_warm, "The hook's steps in the build's process"),
                               ("cold", largest.aside, "The second process's steps (pages made beside the build)"),
                               ("warm", largest.aside_warm, "The second process's steps (pages made beside the build)")):
        steps = sorted({k for h in hooks for k in h if k != "total"})
        if steps:
            lines += ["", f"{whose} at {largest.problems:,} problems, {name} (seconds, median): "
                      + ", ".join(f"{k} {statistics.median(h.get(k, 0.0) for h in hooks):.2f}" for k in steps) + "."]
    lines += ["", "## Targets", ""]
    lines += targets(by, largest, serve)
    return "\n".join(lines) + "\n"


def targets(by: dict[int, Size], largest: Size, serve: list[float]) -> list[str]:
    found = []
    paired = [s for s in by.values() if s.bare.runs]
    for warm, name in ((False, "cold"), (True, "warm")):
        worst = max(paired, key=lambda s: s.build_ratio(warm))
        r = worst.build_ratio(warm)
        found.append(f"- {mark(r <= TARGETS['build'])} ledger build ({name}) at most {TARGETS['build']}× bare at {', '.join(f'{s.problems:,}' for s in paired)}: "
                     f"worst {r:.2f}× at {worst.problems:,}")
    for warm, name in ((False, "cold"), (True, "warm")) if largest.warm.runs else ((False, "cold"),):
        share = largest.hook_share(warm)
        found.append(f"- {mark(share < TARGETS['hook'])} hook's own work ({name}) under {TARGETS['hook']:.0%} of the build at "
                     f"{largest.problems:,}: {share:.0%}")
    if 500 in by and 5000 in by:
        r = ratio(by[5000].ledger.seconds, by[500].ledger.seconds)
        found.append(f"- {mark(r <= TARGETS['linear'])} linear: build at 5,000 at most {TARGETS['linear']:.0f}× the build at 500: {r:.1f}×")
    for history, name in ((largest.history, "cold"), (largest.history_warm, "warm")):
        if not history:
            continue
        h = ratio(statistics.median(history), largest.git_log.seconds)
        found.append(f"- {mark(h <= TARGETS['history'])} history ({name}) within {TARGETS['history']:.0f}× plain "
                     f"git log --name-status at {largest.problems:,}, {WEEKS} weekly commits: {h:.1f}×")
    if largest.split_history:
        h = ratio(statistics.median(largest.split_history), largest.split_log.seconds)
        found.append(f"- {mark(h <= TARGETS['history'])} history (cold) within {TARGETS['history']:.0f}× plain "
                     f"git log --name-status at {largest.problems:,}, the same changes in {largest.split_commits:,} "
                     f"commits, one per changed record: {h:.1f}×")
    if largest.outline:
        h = ratio(statistics.median(largest.outline), largest.git_log.seconds)
        found.append(f"- (for comparison, not the target) the history's outline alone, `git log` with no revision "
                     f"parsed, at {largest.problems:,}: {h:.1f}× plain git log --name-status")
    history = sorted({c for s in by.values() for c in (*s.history_git, *s.split_git)})
    cold = sorted({c for s in by.values() for c in s.ledger.git})
    warm = sorted({c for s in paired for c in s.warm.git})
    same = len(history) == len(cold) == len(warm) == 1
    found.append(f"- {mark(same)} a constant number of git processes at every size: "
                 f"history {history}, build cold {cold}, warm {warm}" if history and cold else "- ✗ no git process counted")
    worst = max(paired, key=lambda s: ratio(max(s.ledger.peak_mb, s.warm.peak_mb), s.bare.peak_mb))
    r = ratio(max(worst.ledger.peak_mb, worst.warm.peak_mb), worst.bare.peak_mb)
    found.append(f"- {mark(r <= TARGETS['memory'])} peak memory at most {TARGETS['memory']}× bare: worst {r:.2f}× at {worst.problems:,}")
    if serve and SERVE_SIZE in by:
        bare = by[SERVE_SIZE].bare.seconds
        found.append(f"- {mark(statistics.median(serve) <= bare)} `mkdocs serve` at {SERVE_SIZE:,}: an edited record is served "
                     f"{statistics.median(serve):.1f} s after saving (median of {len(serve)}), one bare build takes {bare:.1f} s")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="problems per ledger, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--serve-edits", type=int, default=3, help="edits timed under mkdocs serve (0: none)")
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [measure(int(n), args.runs, int(n) not in LINEAR_ONLY) for n in args.sizes.split(",")]
    serve = serve_seconds(SERVE_SIZE, args.serve_edits) if args.serve_edits and SERVE_SIZE in {s.problems for s in sizes} else []
    text = report(sizes, serve, args.runs, started)
    print("\n" + text)
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
