"""Loading a ledger repository: read every record file once, type it, check every rule."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from hashlib import blake2b
from pathlib import Path

import yaml

from taizhang.ledger import rules
from taizhang.ledger import schema
from taizhang.ledger import frontmatter
from taizhang.errors import Error, LedgerError
from taizhang.ledger.records import Department, Ledger, Person, Problem
from taizhang.speed.store import Store

RECORDS = "records"
MAX_BYTES = 8 * 1024 * 1024
CHINA = timezone(timedelta(hours=8))


def today() -> date:
    """Today in Asia/Shanghai (no daylight saving time there, so a fixed offset is exact)."""
    return datetime.now(CHINA).date()


def as_of_date(value: str | None = None) -> date:
    """The as-of date: the given value, else TAIZHANG_AS_OF, else today in Asia/Shanghai."""
    value = value or os.environ.get("TAIZHANG_AS_OF")
    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"统计日期应为 YYYY-MM-DD，实际为 “{value}”") from None


@dataclass
class Cache:
    """Parsed records by path and content, kept between rebuilds under `mkdocs serve`, and
    between builds in the repository's store (`store.py`)."""

    problems: dict[tuple[str, bytes], tuple[Problem | None, list[Error]]] = field(default_factory=dict)
    changed: bool = False  # parsed or dropped a record since filled or saved

    def problem(self, data: bytes, path: str) -> tuple[Problem | None, list[Error]]:
        key = (path, blake2b(data, digest_size=16).digest())
        found = self.problems.get(key)
        if found is None:
            found = self.problems[key] = parse_problem(data, path)
            self.changed = True
        return found

    def keep(self, paths: set[str]) -> None:
        kept = {k: v for k, v in self.problems.items() if k[0] in paths}
        self.changed = self.changed or len(kept) != len(self.problems)
        self.problems = kept

    def fill(self, store: Store) -> Cache:
        """Start from what the last build parsed, unless this cache holds something already."""
        if not self.problems:
            self.problems = store.read("records", dict) or {}
            self.changed = False
        return self

    def save(self, store: Store) -> None:
        if self.changed:
            store.write("records", self.problems)
            self.changed = False


@contextmanager
def stored(root: Path) -> Iterator[Cache]:
    """A cache holding the records the last build or command parsed at `root`, kept for the next
    when done: a command on a large ledger parses only the records changed since."""
    store = Store(root)
    cache = Cache().fill(store)
    yield cache
    cache.save(store)


def load(root: Path, as_of: date, cache: Cache | None = None, overrides: Mapping[str, bytes] | None = None) -> tuple[Ledger, list[Error]]:
    """The ledger at `root` and every error in it, sorted by file and line.

    `overrides` stand in for record files (by path from the root, new ones included), so an
    edit can be checked against the whole ledger before anything is written.
    """
    records = root / RECORDS
    errors: list[Error] = []
    if not records.is_dir():
        return Ledger("", "", []), [Error(RECORDS, 1, "records", f"找不到台账文件夹 {records}")]
    ledger = _ledger(records, errors)
    owners = _owners(records, errors)
    unread = frozenset(name for name, found in (("ledger.yml", ledger), ("owners.yml", owners)) if found is None)
    ledger = ledger or Ledger("", "", [])
    ledger.departments, ledger.people = owners or ([], [])
    cache = cache or Cache()
    overrides = overrides or {}
    paths = sorted({*problem_paths(records, errors), *overrides}, key=natural)
    for path in paths:
        data = overrides[path] if path in overrides else _read(root / path, path, errors)
        if data is None:
            continue
        problem, found = cache.problem(data, path)
        errors.extend(found)
        if problem is not None:
            ledger.problems.append(problem)
    cache.keep(set(paths))
    errors.extend(rules.check(ledger, as_of, records, unread))
    return ledger, sorted(dict.fromkeys(errors), key=_order)


def load_valid(root: Path, as_of: date, cache: Cache | None = None) -> Ledger:
    ledger, errors = load(root, as_of, cache)
    if errors:
        raise LedgerError(errors)
    return ledger


def _order(error: Error) -> tuple[int, str, int]:
    rank = {"records/ledger.yml": 0, "records/owners.yml": 1}.get(error.path, 2)
    return rank, error.path, error.line


def problem_paths(records: Path, errors: list[Error]) -> list[str]:
    """Every `*.md` under records/ except records/evidence/, as sorted POSIX paths from the root."""
    found: list[str] = []
    root = records.resolve()
    for folder, dirs, files in os.walk(records):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not (here == records and d == "evidence"))
        for name in dirs:  # os.walk does not enter linked folders; one leading outside must not pass unseen
            if _outside(here / name, root):
                errors.append(_refused(records, here / name))
        for name in files:
            if not name.endswith(".md"):
                continue
            path = here / name
            if _outside(path, root):
                errors.append(_refused(records, path))
                continue
            found.append(f"{RECORDS}/{path.relative_to(records).as_posix()}")
    return sorted(found, key=natural)


def _outside(path: Path, root: Path) -> bool:
    """A symbolic link that leads out of records/ (realpath, unlike resolve, never raises on a loop)."""
    return path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(root)


def _refused(records: Path, path: Path) -> Error:
    return Error(f"{RECORDS}/{path.relative_to(records).as_posix()}", 1, "file", "符号链接指向 records/ 之外，已拒绝读取")


def natural(text: str) -> tuple:
    """Sort key that puts P2 before P10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _read(path: Path, rel: str, errors: list[Error]) -> bytes | None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a named pipe would wait forever
            errors.append(Error(rel, 1, "file", "应为普通文件，实际为文件夹、管道或设备"))
            return None
        size = info.st_size
        if size > MAX_BYTES:
            errors.append(Error(rel, 1, "file", f"文件过大：应不超过 {MAX_BYTES // 1024 // 1024} MB，实际为 {size / 1024 / 1024:.1f} MB"))
            return None
        return path.read_bytes()
    except FileNotFoundError:
        errors.append(Error(rel, 1, "file", "找不到文件"))
    except OSError as exc:
        reason = "符号链接形成循环" if exc.errno == errno.ELOOP else exc.strerror or exc
        errors.append(Error(rel, 1, "file", f"无法读取文件：{reason}"))
    return None


def _yaml_file(records: Path, name: str, errors: list[Error]) -> schema.Fields | None:
    rel = f"{RECORDS}/{name}"
    if _outside(records / name, records.resolve()):
        errors.append(_refused(records, records / name))
        return None
    data = _read(records / name, rel, errors)
    if data is None:
        return None
    text, found = frontmatter.decode(data, rel)
    errors.extend(found)
    if text is None:
        return None
    node, found = frontmatter.compose(text, rel)
    errors.extend(found)
    if node is None:
        if not found:
            errors.append(Error(rel, 1, "yaml", "文件为空"))
        return None
    fields = schema.Fields(node, rel, "", 0, errors)  # reports a list or scalar file
    return fields if isinstance(node, yaml.MappingNode) else None


def _ledger(records: Path, errors: list[Error]) -> Ledger | None:
    fields = _yaml_file(records, "ledger.yml", errors)
    return schema.read_ledger(fields) if fields else None


def _owners(records: Path, errors: list[Error]) -> tuple[list[Department], list[Person]] | None:
    fields = _yaml_file(records, "owners.yml", errors)
    return schema.read_owners(fields) if fields else None


def parse_problem(data: bytes, path: str) -> tuple[Problem | None, list[Error]]:
    """One problem file's bytes to a typed record and its type errors (no cross-record rules)."""
    text, errors = frontmatter.decode(data, path)
    if text is None:
        return None, errors
    parts, errors = frontmatter.split_front_matter(text, path)
    if parts is None:
        return None, errors
    node, errors = frontmatter.compose(parts.yaml, path, parts.offset)
    if node is None:
        return None, errors or [Error(path, 1, "front matter", "YAML 头部为空")]
    fields = schema.Fields(node, path, "", parts.offset, errors)
    return schema.read_problem(fields, parts.body), errors
