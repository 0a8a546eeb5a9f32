"""TAIZHANG_PARALLEL: the build made in one process on one thread is the reference; the fast
paths (second processes, forks, threads) make the same files, byte for byte, cold and warm."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import REPO, build, site_repo
from gitrepo import isolated_env
from taizhang.cli import demo
from taizhang.speed import parallel

AS_OF = {"demo": (demo.START + timedelta(weeks=8)).isoformat(), "reference": "2023-09-15"}
MKDOCS = Path(sys.executable).parent / "mkdocs"


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def committed_reference(root: Path) -> Path:
    """The reference ledger in a git repository of one commit with a fixed author and date."""
    site_repo(root, REPO / "records")
    env = isolated_env({"GIT_AUTHOR_NAME": "张三", "GIT_AUTHOR_EMAIL": "zhangsan.secret@example.gov.cn",
                        "GIT_COMMITTER_NAME": "张三", "GIT_COMMITTER_EMAIL": "zhangsan.secret@example.gov.cn",
                        "GIT_AUTHOR_DATE": "2023-06-01T09:00:00+08:00", "GIT_COMMITTER_DATE": "2023-06-01T09:00:00+08:00"})
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "台账"]):
        subprocess.run(["git", "-C", str(root), *command], check=True, env=env)
    return root


def built(root: Path, as_of: str, switch: str, cold: bool) -> dict[str, bytes]:
    """Every file of the site built with TAIZHANG_PARALLEL=`switch`; `cold`: without the store of earlier builds."""
    if cold:
        shutil.rmtree(root / ".git" / "taizhang", ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.INFO)  # a fast path that fell back says so at INFO
    try:
        result = build(root, env={"TAIZHANG_PARALLEL": switch, "TAIZHANG_AS_OF": as_of})
    finally:
        logger.setLevel(level)
    assert result.error is None, result.warnings()
    failed = [r.getMessage() for r in result.logs if "second process failed" in r.getMessage()]
    assert failed == [], failed  # a fast path that fell back would make the same files
    return files(root / "site")


def differing(reference: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(set(reference) ^ set(other)) + [n for n in reference if n in other and reference[n] != other[n]]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["reference", "demo"])
def test_the_fast_paths_make_the_site_made_in_one_process(kind: str, tmp_path: Path) -> None:
    if not parallel.forkable():
        pytest.skip(f"no second process here: {parallel.why_not_beside() or parallel.why_not_fork()}")
    root = tmp_path / "ledger"
    if kind == "demo":
        demo.generate(root, 60, weeks=8, seed=5)
        site_repo(root)
    else:
        committed_reference(root)
    assert (root / ".git").is_dir()
    one = built(root, AS_OF[kind], "0", cold=True)
    assert len([n for n in one if n.startswith("problems/P")]) >= 35
    assert any(n.startswith("downloads/taizhang.") for n in one)
    assert differing(one, built(root, AS_OF[kind], "1", cold=True)) == []
    assert (root / ".git" / "taizhang").is_dir()  # the fast build stored what it parsed
    assert differing(one, built(root, AS_OF[kind], "1", cold=False)) == []
    assert differing(one, built(root, AS_OF[kind], "0", cold=False)) == []


@pytest.mark.slow
def test_a_build_with_the_switch_off_says_once_at_info_what_it_made_in_one_process(tmp_path: Path) -> None:
    """A real `mkdocs build` (a fresh process, nothing said yet): each fast path refused is named once, with the reason."""
    root = committed_reference(tmp_path / "ledger")
    done = subprocess.run([str(MKDOCS), "build", "--strict"], cwd=root, capture_output=True, text=True, timeout=300,
                          env=isolated_env({"TAIZHANG_PARALLEL": "0", "TAIZHANG_AS_OF": AS_OF["reference"]}))
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "TAIZHANG_PARALLEL=0" in line]
    assert said and all(line.startswith("INFO") for line in said), done.stderr
    assert any("the pages" in line for line in said) and any("the downloads" in line for line in said)
    assert len(said) == len(set(said))  # once each
