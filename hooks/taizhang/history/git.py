"""Running git: one wrapper for every call, and readers of its NUL-separated output.

Arguments are lists (never a shell); paths arrive through `-z` output and leave only
through cat-file's stdin as blob ids, so no record content ever becomes a command.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import os
import queue
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from taizhang.labels import HISTORY_WORDS
from taizhang.speed import parallel
from taizhang.speed.store import git_dir

ZERO = "0" * 40
_CHUNK = 1 << 20
# No optional index refresh (the working tree is shared), no pager, no prompt, stable words.
ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
# Settings a user's config could turn on and that would change the output read here.
CONFIG = ("-c", "log.showSignature=false", "-c", "log.follow=false", "-c", "core.quotePath=false",
          "-c", "diff.renames=false", "-c", "log.showRoot=true")


# Set by git for its hooks; the repository is the one holding the ledger root, found from there.
_REPOSITORY_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                   "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_ENV}
    return {**env, **ENV}


class GitError(Exception):
    """git is missing, the folder is no repository, or a command failed: a one-line reason."""


@dataclass(frozen=True, slots=True)
class Repo:
    """Where the ledger sits in its repository."""

    root: Path
    prefix: str  # the ledger root relative to the repository's top, "" or "dir/"
    head: str | None  # None before the first commit
    shallow: bool


@dataclass(frozen=True, slots=True)
class Change:
    """One file changed by a commit: blob ids before and after (None: absent)."""

    path: str  # relative to the ledger root
    old: str | None
    new: str | None


@dataclass(slots=True)
class Entry:
    """One commit of `git log` with its changes under records/."""

    id: str
    parents: tuple[str, ...]
    author: str
    date: datetime
    changes: list[Change] = field(default_factory=list)
    identity: str = ""  # a digest of the author's e-mail address (see `identity`)

    @property
    def merge(self) -> bool:
        return len(self.parents) > 1


def run(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run one git command in `root` and return its stdout; GitError with git's reason when it fails."""
    try:
        done = subprocess.run(["git", "-C", str(root), *CONFIG, *args], input=stdin, capture_output=True,
                              env=_env(), check=False)
    except FileNotFoundError:
        raise GitError(HISTORY_WORDS["no_git"]) from None
    except OSError as exc:
        raise GitError(f"{HISTORY_WORDS['git_failed']}：{exc.strerror or exc}") from None
    if done.returncode != 0:
        raise GitError(f"{HISTORY_WORDS['git_failed']}：{_first_line(done.stderr)}")
    return done.stdout


def _first_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0].removeprefix("fatal: ").strip() if lines else "git"


def repo(root: Path) -> Repo:
    """The repository holding `root`; GitError when there is none or git is missing."""
    try:
        out = run(root, "rev-parse", "--is-shallow-repository", "--show-prefix", "--verify", "-q", "HEAD")
        lines = out.decode("utf-8", "replace").split("\n")
        head: str | None = lines[2].strip() or None
    except GitError:
        # An unborn HEAD makes rev-parse fail after printing the first two answers; ask again without it.
        out = run(root, "rev-parse", "--is-shallow-repository", "--show-prefix")
        lines = out.decode("utf-8", "replace").split("\n")
        head = None
    return Repo(root, lines[1].strip(), head, lines[0].strip() == "true")


def head(root: Path) -> str | None:
    """The commit checked out at `root` (the export's `commit`), or None outside git or before the
    first commit. Read from the git directory's files: a build starts the same git processes as
    before it named its commit; git itself answers only where the files do not (e.g. reftable)."""
    found = _head_from_files(root)
    if found is not False:
        return found
    try:
        return repo(root).head
    except (GitError, OSError):
        return None


_COMMIT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def _head_from_files(root: Path) -> str | None | bool:
    """HEAD's commit id from .git/HEAD, the ref's file or packed-refs; None outside git; False when unsure."""
    folder = git_dir(root)
    if folder is None:
        return None
    try:
        line = (folder / "HEAD").read_text("utf-8").strip()
        if _COMMIT_ID.fullmatch(line):  # detached, as in CI checkouts
            return line
        if not line.startswith("ref: refs/"):
            return False
        ref = line.removeprefix("ref: ")
        common = folder / (folder / "commondir").read_text("utf-8").strip() if (folder / "commondir").is_file() else folder
        for place in (folder, common):
            if (place / ref).is_file():
                found = (place / ref).read_text("utf-8").strip()
                return found if _COMMIT_ID.fullmatch(found) else False
        packed = common / "packed-refs"
        if packed.is_file():
            for entry in packed.read_text("utf-8").splitlines():
                if entry.endswith(" " + ref) and _COMMIT_ID.fullmatch(entry.split(" ", 1)[0]):
                    return entry.split(" ", 1)[0]
        return None if not (common / "reftable").exists() and (common / "refs").is_dir() else False  # unborn branch
    except (OSError, UnicodeDecodeError):
        return False


def _relative(repo: Repo, path: str) -> str | None:
    """A path from the repository top made relative to the ledger root (None: outside it)."""
    return path[len(repo.prefix):] if path.startswith(repo.prefix) else None


def log(repo: Repo, folder: str, since: str | None = None) -> list[Entry]:
    """Every commit that changed `folder` (after commit `since`, if given), oldest first, parents
    before children, with blob ids.

    One process. No rename detection: a moved record is
    paired by its id, which the record format makes the identity, not by content similarity. Merges show only
    the files that differ from every parent (a conflict resolution); the rest arrived with the
    merged commits themselves.
    """
    # --topo-order newest first, reversed here: what --reverse gives, without waiting for the end.
    entries = list(_entries(repo, _tokens(_streamed(
        repo.root, "log", "-z", "--raw", "--no-abbrev", "--no-renames", "-c", "--no-color", "--topo-order",
        "--format=%x01%H%x00%P%x00%an%x00%aI%x00%ae", *([f"{since}..HEAD"] if since else []), "--", folder))))
    entries.reverse()
    return entries


def _streamed(root: Path, *args: str) -> Iterator[bytes]:
    """The stdout of one git command, chunk by chunk as git writes it; GitError with git's reason
    when it fails (after the last chunk)."""
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: nothing to drain beside stdout
        try:
            proc = subprocess.Popen(["git", "-C", str(root), *CONFIG, *args], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=stderr, env=_env())
        except FileNotFoundError:
            raise GitError(HISTORY_WORDS["no_git"]) from None
        except OSError as exc:
            raise GitError(f"{HISTORY_WORDS['git_failed']}：{exc.strerror or exc}") from None
        read = False
        try:
            fd = proc.stdout.fileno()
            widen(fd)
            while chunk := os.read(fd, _CHUNK):
                yield chunk
            read = True
        finally:
            proc.stdout.close()
            if not read:  # the reader stopped early: git has no one left to write to
                proc.kill()
            proc.wait()
        if proc.returncode != 0:
            stderr.seek(0)
            raise GitError(f"{HISTORY_WORDS['git_failed']}：{_first_line(stderr.read())}")


def widen(fd: int) -> None:
    """A pipe that holds a megabyte, so that its writer can go on while the reader is busy (Linux)."""
    try:
        import fcntl

        fcntl.fcntl(fd, 1031, _CHUNK)  # F_SETPIPE_SZ (Python 3.10+ names it, only on Linux)
    except (ImportError, OSError):  # another system, or above its limit: the default will do
        pass


def _tokens(chunks: Iterable[bytes]) -> Iterator[str]:
    """NUL-separated fields across chunks, each decoded once it is whole."""
    rest = b""
    for chunk in chunks:
        whole, sep, rest = (rest + chunk).rpartition(b"\0")
        if sep:
            yield from whole.decode("utf-8", "surrogateescape").split("\0")
    yield rest.decode("utf-8", "surrogateescape")


def _entries(repo: Repo, tokens: Iterator[str]) -> Iterator[Entry]:
    entry: Entry | None = None
    for raw in tokens:
        token = raw.lstrip("\n")
        if token.startswith("\x01"):
            if entry is not None:
                yield entry
            parents, author, when, email = next(tokens, ""), next(tokens, ""), next(tokens, ""), next(tokens, "")
            entry = Entry(token[1:], tuple(parents.split()), _text(author), datetime.fromisoformat(when),
                          identity=identity(email))
        elif token.startswith(":") and entry is not None:
            change = _raw(repo, token, next(tokens, ""))
            if change is not None:
                entry.changes.append(change)
    if entry is not None:
        yield entry


def identity(email: str) -> str:
    """A digest of an e-mail address: it finds the person in owners.yml (their `git` key), and the
    address itself is never kept, shown or stored."""
    key = email.strip().lower()
    return hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest() if key else ""


def _raw(repo: Repo, meta: str, path: str) -> Change | None:
    """`:old-mode new-mode old-id new-id STATUS` (or `::` and one id per parent, for merges)."""
    colons = len(meta) - len(meta.lstrip(":"))
    fields = meta[colons:].split()
    ids = fields[colons + 1: 2 * colons + 2]
    old, new = ids[0], ids[-1]
    relative = _relative(repo, _text(path))
    if relative is None or fields[colons].startswith("160000"):  # a submodule is no file
        return None
    return Change(relative, None if old == ZERO else old, None if new == ZERO else new)


def _text(value: str) -> str:
    """git output decoded with surrogateescape, re-decoded leniently for display and paths."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def status(repo: Repo, folder: str) -> list[Change]:
    """Uncommitted changes under `folder`: the blob at HEAD (old) against the working tree.

    `new` is the path itself when the file exists in the working tree (its bytes are read from
    disk, not from git), None when it was deleted.
    """
    out = run(repo.root, "status", "--porcelain=v2", "-z", "--no-renames", "--untracked-files=all", "--", folder)
    found: dict[str, str | None] = {}
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    for token in tokens:
        kind, _, rest = token.partition(" ")
        if kind in ("1", "u"):
            # hH of an ordinary entry, h2 ("ours") of an unmerged one: both third from the end.
            fields = rest.split(" ", 9 if kind == "u" else 7)
            head = fields[-3]
            found[_text(fields[-1])] = None if head == ZERO else head
        elif kind == "?":
            found.setdefault(_text(rest), None)
    changes = []
    for path, old in found.items():
        relative = _relative(repo, path)
        if relative is not None:
            exists = (repo.root / relative).is_file()
            changes.append(Change(relative, old, relative if exists else None))
    return changes


def ls_tree(repo: Repo, rev: str, folder: str) -> dict[str, str]:
    """Path → blob id of every file under `folder` at `rev` (one process)."""
    out = run(repo.root, "ls-tree", "-r", "-z", "--full-tree", rev, "--", repo.prefix + folder)
    found = {}
    for token in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = token.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob":
            relative = _relative(repo, _text(path))
            if relative is not None:
                found[relative] = fields[2]
    return found


def rev_parse(repo: Repo, *revs: str) -> list[str]:
    """Full commit ids of `revs` (one process); GitError naming the first that is unknown."""
    for rev in revs:
        if rev.startswith("-"):  # rev-parse would take it for an option
            raise GitError(f"{HISTORY_WORDS['bad_revision']}：{rev}")
    return run(repo.root, "rev-parse", *[f"{r}^{{commit}}" for r in revs]).decode().split()


def is_ancestor(repo: Repo, ancestor: str, commit: str) -> bool:
    """Whether `commit` descends from `ancestor` (False too when either is unknown, e.g. after a rebase)."""
    try:
        run(repo.root, "merge-base", "--is-ancestor", ancestor, commit)
    except GitError:
        return False
    return True


def merge_base(repo: Repo, a: str, b: str) -> str:
    return run(repo.root, "merge-base", a, b).decode().strip()


def blobs(repo: Repo, ids: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
    """(id, bytes) of each blob, in order, from one `git cat-file --batch` (None: missing).

    `ids` may still be in the making (e.g. read from a queue while `git log` runs): each is sent
    as it comes, and each answer read as soon as git writes it.
    """
    ids = iter(ids)
    first = next(ids, None)
    if first is None:
        return
    try:
        proc = subprocess.Popen(["git", "-C", str(repo.root), *CONFIG, "cat-file", "--batch"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env=_env())
    except OSError as exc:
        raise GitError(f"{HISTORY_WORDS['git_failed']}：{exc.strerror or exc}") from None
    # A writer thread feeds ids while this thread reads, so neither pipe can fill up and block;
    # it hands each id on once sent, so that this thread knows which answer comes next.
    sent: queue.SimpleQueue[str | None] = queue.SimpleQueue()
    # Not a fast path (speed.parallel says so): without it the pipes could block each other.
    writer = parallel.thread(_feed, "taizhang-cat-file", proc, itertools.chain((first,), ids), sent)
    try:
        yield from _answers(proc, sent)
    finally:
        proc.stdout.close()
        writer.join()
        proc.wait()


def _feed(proc: subprocess.Popen, ids: Iterator[str], sent: queue.SimpleQueue[str | None]) -> None:
    """Send each id, then hand it on; None once all are sent, "" when sending failed."""
    fd = proc.stdin.fileno()
    try:
        for blob in ids:
            os.write(fd, f"{blob}\n".encode())  # unbuffered: an id waiting for the next would stall the reader
            sent.put(blob)
        sent.put(None)
    except BaseException:  # noqa: BLE001 - git ended early, or the ids failed: the reader says so
        sent.put("")
    finally:
        proc.stdin.close()


def _answers(proc: subprocess.Popen, sent: queue.SimpleQueue[str | None]) -> Iterator[tuple[str, bytes | None]]:
    out = proc.stdout
    while (blob := sent.get()) is not None:
        header = out.readline().split() if blob else []
        if not header:
            raise GitError(f"{HISTORY_WORDS['git_failed']}：cat-file")
        if len(header) < 3 or header[1] != b"blob":
            yield blob, None  # "<id> missing" (e.g. beyond a shallow boundary)
            continue
        size = int(header[2])
        data = out.read(size + 1)
        yield blob, data[:size]
