"""`taizhang init`: a unit's new ledger repository builds with the installed package, no code copied."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from conftest import AS_OF, REPO, build
from taizhang.cli.main import main


def files_in(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


@pytest.mark.slow
def test_init_writes_a_repository_that_builds_and_grows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unit = tmp_path / "unit"
    assert main(["init", str(unit), "--unit", "青山镇党委"]) == 0
    assert "已建立台账仓库" in capsys.readouterr().out
    assert files_in(unit) == {
        "mkdocs.yml", "records/ledger.yml", "records/owners.yml", ".gitignore", ".pre-commit-config.yaml",
        "requirements.txt", ".github/workflows/taizhang.yml", ".gitlab-ci.yml",
        "docs/guide/index.md", "docs/guide/records.md", "docs/guide/review.md", "docs/guide/update.md",
        "docs/guide/format.md"}
    assert (unit / ".git").is_dir()
    assert not [p for p in files_in(unit) if p.endswith((".py", ".js", ".css"))]  # no code copied
    assert "- taizhang" in (unit / "mkdocs.yml").read_text(encoding="utf-8")
    ledger = yaml.safe_load((unit / "records" / "ledger.yml").read_text(encoding="utf-8"))
    assert (ledger["title"], ledger["unit"]) == ("青山镇党委巡察反馈意见整改台账", "青山镇党委")
    assert main(["check", "--root", str(unit), "--as-of", AS_OF]) == 0

    assert main(["new", "problem", "--root", str(unit), "--as-of", AS_OF, "--area", "A1", "--title", "学习制度执行不严格",
                 "--manifestation", "集体学习次数不足", "--measure", "制定学习计划", "--leader", "zhangsan",
                 "--department", "dzb", "--owner", "zhangsan", "--due", "2023-12-31"]) == 0
    built = build(unit, env={"TAIZHANG_AS_OF": AS_OF})
    assert built.error is None, built.warnings()
    assert "学习制度执行不严格" in built.html("/problems/P01/")
    assert (built.site / "assets" / "taizhang.css").is_file()  # the styles come from the package
    assert "青山镇党委巡察反馈意见整改台账" in built.html("/")


def test_title_and_unit_are_written_as_typed(tmp_path: Path) -> None:
    title = '区委第一巡察组 "专项" 反馈: #1 整改台账'
    assert main(["init", str(tmp_path / "u"), "--title", title, "--unit", "镇党委: 本级"]) == 0
    ledger = yaml.safe_load((tmp_path / "u" / "records" / "ledger.yml").read_text(encoding="utf-8"))
    assert (ledger["title"], ledger["unit"]) == (title, "镇党委: 本级")


def test_init_refuses_a_directory_with_files_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(target)]) == 1
    assert "不是空目录" in capsys.readouterr().err
    assert files_in(target) == {"notes.txt"} and not (target / ".git").exists()


@pytest.mark.slow
def test_init_keeps_an_empty_repository_it_is_given(tmp_path: Path) -> None:
    target = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    (target / ".git" / "marker").write_text("kept", encoding="utf-8")
    assert main(["init", str(target)]) == 0
    assert (target / ".git" / "marker").read_text(encoding="utf-8") == "kept"
    assert (target / "mkdocs.yml").is_file()


def test_this_repository_uses_the_ci_files_every_unit_gets() -> None:
    skeleton = REPO / "hooks" / "taizhang" / "cli" / "skeleton"
    for name in (".github/workflows/taizhang.yml", ".gitlab-ci.yml"):
        assert (REPO / name).read_bytes() == (skeleton / name).read_bytes(), name


@pytest.mark.slow
def test_pip_install_then_init_builds_with_no_code_in_the_unit(tmp_path: Path) -> None:
    """The README's three commands, in a fresh virtual environment: install, init, build."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"NO_MKDOCS_2_WARNING": "1", "TAIZHANG_AS_OF": AS_OF, "PATH": f"{bin_dir}:{env['PATH']}"}
    installed = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(REPO)],
                               env=env, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-2000:]
    unit = tmp_path / "unit"
    done = subprocess.run([str(bin_dir / "taizhang"), "init", str(unit)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = subprocess.run([str(bin_dir / "mkdocs"), "build", "--strict"], cwd=unit, env=env,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    assert (unit / "site" / "progress" / "index.html").is_file()
    assert not [p for p in files_in(unit) if p.endswith(".py")]
    assert sys.prefix not in (unit / "mkdocs.yml").read_text(encoding="utf-8")
