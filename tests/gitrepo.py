"""A real git repository in tmp_path with fixed authors and dates, for history and diff tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

from conftest import LEDGER_YML as LEDGER
from conftest import OWNERS_YML as OWNERS

# Authors' e-mail addresses: none of them may ever appear in any output.
AUTHORS = {
    "张三": "zhangsan.secret@example.gov.cn",
    "李四": "lisi.secret@example.gov.cn",
    "王五": "wangwu.secret@example.gov.cn",
}

REAL_GIT = shutil.which("git") or "git"


def isolated_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment minus the caller's git identity and configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})
    env.update(extra or {})
    return env


class GitRepo:
    """A ledger repository whose commits carry the given author and date (and no other identity)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run([REAL_GIT, "-C", str(self.root), *args], capture_output=True, text=True,
                              env=isolated_env(env), check=True)
        return done.stdout

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")

    def remove(self, path: str) -> None:
        (self.root / path).unlink()

    def move(self, source: str, target: str) -> None:
        (self.root / target).parent.mkdir(parents=True, exist_ok=True)
        (self.root / source).rename(self.root / target)

    def commit(self, when: str, author: str = "张三", message: str = "更新台账") -> str:
        """Commit everything at `when` (YYYY-MM-DD, 17:30 in Beijing) by `author`; the full id."""
        stamp = f"{when}T17:30:00+08:00"
        email = AUTHORS.get(author, "someone@example.gov.cn")
        env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": stamp,
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": stamp}
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


def problem(pid: str, area: str = "A1", measures: str = "", manifestations: str = "", title: str = "问题") -> str:
    """A problem file; `measures` and `manifestations` are YAML list items at column 2."""
    manifestations = manifestations or f"  - id: {pid}-1\n    text: 表现一\n"
    return (f"---\nid: {pid}\narea: {area}\ntitle: {title}\nmanifestations:\n{manifestations}"
            f"measures:\n{measures}---\n说明。\n")


def measure(mid: str, status: str = "not_started", due: str = "2023-09-30", owner: str = "lisi", *,
            text: str = "措施内容", leader: str = "zhangsan", department: str = "dzb", **more: str) -> str:
    """One measure as a list item; `more` adds keys as written (values are raw YAML)."""
    lines = [f"  - id: {mid}", f"    text: {text}", f"    leader: {leader}", f"    department: {department}",
             f"    owner: {owner}", f"    due: {due}", f"    status: {status}"]
    for key, value in more.items():
        if value.startswith("\n"):
            lines.append(f"    {key}:" + textwrap.indent(textwrap.dedent(value).rstrip("\n"), "      "))
        else:
            lines.append(f"    {key}: {value}")
    return "\n".join(lines) + "\n"


def git_shim(folder: Path, log: Path) -> str:
    """A `git` on PATH that logs each invocation to `log`, then runs the real git; the new PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    shim = folder / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{REAL_GIT}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"


SUBCOMMANDS = ("rev-parse", "log", "status", "cat-file", "ls-tree", "merge-base", "diff", "show")


def git_commands(log: Path) -> list[str]:
    """The subcommand of each git invocation the shim logged, in order."""
    return [next(word for word in line.split() if word in SUBCOMMANDS) for line in log.read_text().splitlines()]
