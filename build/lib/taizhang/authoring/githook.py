"""The plain git pre-commit hook that runs `taizhang check` before each commit."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from taizhang.authoring import edits
from taizhang.labels import EDIT_MESSAGES as MSG

MARK = "# installed by taizhang install-hook"


def script() -> str:
    """A POSIX sh hook: the repository's own .venv taizhang when there is one, else the one on PATH."""
    return f"""#!/bin/sh
{MARK}: check the ledger before each commit.
# Skip once with `git commit --no-verify`; remove this file to uninstall.
root=$(git rev-parse --show-toplevel) || exit 1
if [ -x "$root/.venv/bin/taizhang" ]; then
    taizhang="$root/.venv/bin/taizhang"
elif [ -x "$root/.venv/Scripts/taizhang.exe" ]; then
    taizhang="$root/.venv/Scripts/taizhang.exe"
elif command -v taizhang >/dev/null 2>&1; then
    taizhang=taizhang
else
    echo "taizhang: {MSG['hook_missing']}" >&2
    exit 1
fi
exec "$taizhang" check --root "$root"
"""


def hooks_folder(root: Path) -> Path:
    """The repository's hooks folder as git itself names it (worktrees, core.hooksPath)."""
    try:
        found = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-path", "hooks"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise RuntimeError(MSG["not_repo"].format(root=root)) from None
    return root / found


def install(root: Path, force: bool = False) -> Path:
    """Write the pre-commit hook; a hook that taizhang did not write is replaced only with `force`."""
    folder = hooks_folder(root)
    path = folder / "pre-commit"
    if path.exists() and MARK not in path.read_text(encoding="utf-8", errors="replace") and not force:
        raise RuntimeError(MSG["foreign_hook"].format(path=path))
    folder.mkdir(parents=True, exist_ok=True)
    edits.write_atomic(path, script().encode("utf-8"), new=not path.exists())
    path.chmod(path.stat().st_mode | 0o111)
    return path


def register_install_hook(subs: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub = subs.add_parser("install-hook", parents=[parent], help="安装提交前检查（git pre-commit 钩子）",
                          description="安装 git 提交前钩子：每次 git commit 前运行 taizhang check，有错误则不提交。"
                                      "例：taizhang install-hook --root .")
    sub.add_argument("--force", action="store_true", help="替换已有的其他提交前钩子")
    return sub


def run_install_hook(args: argparse.Namespace) -> int:
    try:
        path = install(args.root, args.force)
    except RuntimeError as exc:
        print(f"taizhang: {exc}", file=sys.stderr)
        return 1
    print(MSG["hook_installed"].format(path=path))
    return 0
