"""Shared fixtures: the reference ledger, small ledgers written in tmp_path, real site builds."""

from __future__ import annotations

import logging
import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2023-09-15"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def site_repo(root: Path, records: Path | None = None) -> Path:
    """A ledger repository at `root` as `taizhang init` makes it: configuration, no code."""
    from taizhang.cli import init

    root.mkdir(parents=True, exist_ok=True)
    init.write_site(root)
    if records is not None:
        shutil.copytree(records, root / "records", dirs_exist_ok=True)
    return root


class Build:
    """The result of a real MkDocs build: the output folder and what was logged."""

    def __init__(self, site: Path, records: list[logging.LogRecord], error: BaseException | None) -> None:
        self.site = site
        self.logs = records
        self.error = error

    def html(self, address: str) -> str:
        return (self.site / address.strip("/") / "index.html").read_text(encoding="utf-8")

    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.logs if r.levelno >= logging.WARNING]


def build(root: Path, strict: bool = True, env: dict[str, str] | None = None) -> Build:
    """Run `mkdocs build` in-process on the ledger repository at `root`."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    site = root / "site"
    captured: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    old_env = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    error: BaseException | None = None
    try:
        config = load_config(str(root / "mkdocs.yml"), strict=strict, site_dir=str(site))
        mkdocs_build.build(config)
    except (Abort, SystemExit) as exc:
        error = exc
    finally:
        logger.removeHandler(handler)
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Build(site, captured, error)


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    """A copy of this repository's reference ledger, ready to build."""
    return site_repo(tmp_path / "ledger", REPO / "records")


LEDGER_YML = """\
title: 测试巡察整改台账
unit: 测试镇党委
areas:
  - id: A1
    name: 思想政治建设
  - id: A2
    name: 乡村财务管理
"""

OWNERS_YML = """\
departments:
  - id: dzb
    name: 党政办公室
  - id: czs
    name: 财政所
people:
  - id: zhangsan
    name: 张三
    title: 镇党委书记
    department: dzb
  - id: lisi
    name: 李四
    department: czs
  - id: wangwu
    name: 王五
"""

PROBLEM = """\
---
id: P01
area: A1
title: 理论学习不够深入
manifestations:
  - id: P01-1
    text: 学习次数不足
measures:
  - id: P01-M1
    text: 制定学习计划
    leader: zhangsan
    department: dzb
    owner: lisi
    due: 2023-09-30
    status: in_progress
    progress: 已起草
---
问题说明。
"""


@pytest.fixture
def ledger(tmp_path: Path) -> Callable[..., Path]:
    """Write a small ledger: `ledger(**{"records/A1/P01.md": text})` overrides or adds files."""

    def make(files: dict[str, str | bytes] | None = None, site: bool = False) -> Path:
        root = tmp_path / "small"
        defaults: dict[str, str | bytes] = {
            "records/ledger.yml": LEDGER_YML,
            "records/owners.yml": OWNERS_YML,
            "records/A1/P01.md": PROBLEM,
        }
        defaults.update(files or {})
        for name, content in defaults.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
        if site:
            site_repo(root)
        return root

    return make
