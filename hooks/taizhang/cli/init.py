"""`taizhang init`: a new unit's ledger repository that builds with the installed package.

The files come from `skeleton/` beside this module: the site's configuration, record skeletons
with comments, the staff guide pages, CI and pre-commit settings. No code is copied: the
repository's `mkdocs.yml` names the installed `taizhang` plugin.
"""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from taizhang.labels import INIT_WORDS as W
from taizhang.ledger.lock import ledger_lock

SKELETON = resources.files("taizhang.cli") / "skeleton"
ROLLUP = resources.files("taizhang.cli") / "skeleton_rollup"  # a round's roll-up: units.yml, no records
SITE = ("mkdocs.yml", "docs", ".gitignore", ".pre-commit-config.yaml", "requirements.txt", ".github", ".gitlab-ci.yml")


class InitError(Exception):
    """The target cannot take a new ledger: say why, write nothing."""


def init(target: Path, title: str, unit: str) -> list[str]:
    """Write a new ledger repository at `target` (absent or empty); returns the files written."""
    with ledger_lock(target):  # an empty repository may have another writer: check and write as one
        _refuse_unless_empty(target)
        written = write_site(target)
        for name in ("ledger.yml", "owners.yml"):
            text = (SKELETON / "records" / name).read_text(encoding="utf-8")
            text = text.replace("$title", _quoted(title)).replace("$unit", _quoted(unit))
            written.append(_write(target / "records" / name, text.encode("utf-8")))
    return _repository(target, written)


def init_rollup(target: Path, round: str) -> list[str]:
    """Write a new roll-up repository at `target` (absent or empty); returns the files written."""
    with ledger_lock(target):
        _refuse_unless_empty(target)
        written = _copy(ROLLUP, target)
        units = target / "units.yml"
        units.write_text(units.read_text(encoding="utf-8").replace("$round", _quoted(round)), encoding="utf-8")
    return _repository(target, written)


def _refuse_unless_empty(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(p.name != ".git" for p in target.iterdir())):
        raise InitError(W["not_empty"].format(dir=target))


def _repository(target: Path, written: list[str]) -> list[str]:
    """`git init` unless `target` is a repository already; the written files, relative."""
    if not (target / ".git").exists():
        subprocess.run(["git", "init", "--quiet", str(target)], check=True, capture_output=True)
    return sorted(str(Path(p).relative_to(target)) for p in written)


def write_site(target: Path) -> list[str]:
    """Write the site's files (everything but the records) into `target`; returns their paths."""
    written: list[str] = []
    for name in SITE:
        written += _copy(SKELETON / name, target / name)
    return written


def _copy(source: Traversable, target: Path) -> list[str]:
    if source.is_dir():
        return [p for child in sorted(source.iterdir(), key=lambda c: c.name) for p in _copy(child, target / child.name)]
    return [_write(target, source.read_bytes())]


def _write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def _quoted(value: str) -> str:
    """A YAML scalar for any text: JSON's double-quoted string is one."""
    return json.dumps(value, ensure_ascii=False)
