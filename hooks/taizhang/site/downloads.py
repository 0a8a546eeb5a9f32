"""The site's downloads (JSON, CSV, Excel), made by a second process while MkDocs writes pages.

MkDocs renders on one core, and the exports need nothing but the ledger: on a machine with
more than one core a second process writes the files while the first one writes pages. The
hook starts it once every page is converted (by then the process making pages, pipeline.py,
has done most of its work: a third one running earlier takes turns with the build) and puts
the files into the site at the end. It is a forked copy of the build where a fork is safe;
else `python -m taizhang.site.downloads ROOT AS_OF FOLDER [--public]`, which loads the records
itself. Should it fail (say, a record was saved broken in between), the build makes the files
itself from the ledger it checked.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from taizhang.ledger.figures import Aggregate
from taizhang.errors import LedgerError
from taizhang.ledger.repository import Cache, load_valid
from taizhang.history import git
from taizhang.ledger.public import public_ledger
from taizhang.site.pages import Page, download_uris, downloads
from taizhang.speed import parallel
from taizhang.speed.store import Store

FOLDER = "downloads"


def uris(public: bool) -> list[str]:
    """The download files every build has (the public profile offers the JSON only, docs/guide/format.md, 公开版)."""
    return download_uris(public)


class Worker:
    """One build's downloads, written into a temporary folder by a second process: a forked copy
    of the build, which has the checked ledger in hand, or where that is unsafe (threads running,
    as under `mkdocs serve`) or impossible, a new process that loads the records itself."""

    def __init__(self, root: Path, as_of: date, public: bool, make: Callable[[], list[Page]]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="taizhang-downloads-"))
        self.public = public
        self.make = make  # the downloads of the ledger the build checked
        self.pid = 0
        self.process: subprocess.Popen[bytes] | None = None
        pid = parallel.fork("fork for the downloads (a new process loads the records instead)")
        if pid is not None:
            self.pid = pid
            if self.pid == 0:  # the copy: write, then leave at once, with no clean-up of the build's state
                code = 1
                try:
                    write(make(), self.folder)
                    code = 0
                finally:
                    os._exit(code)
            return
        command = [sys.executable, "-m", "taizhang.site.downloads", str(root), as_of.isoformat(), str(self.folder)]
        self.process = subprocess.Popen([*command, *(["--public"] if public else [])], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def files(self) -> list[tuple[str, Path]]:
        """(uri, path) of each download: the paths are written by the time `wait` returns."""
        return [(uri, self.folder / uri) for uri in uris(self.public)]

    def wait(self) -> None:
        """Until the files are written, by the second process or else here."""
        code = self._ended()
        if code != 0 or not all(path.is_file() for _, path in self.files()):
            parallel.refused("second process for the downloads (made in this process)",
                             f"the second process failed (exit {code})" if code else "files missing")
            write(self.make(), self.folder)

    def _ended(self) -> int:
        if self.process is not None:
            return self.process.wait()
        if self.pid:
            pid, self.pid = self.pid, 0
            try:
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            except ChildProcessError:
                return 1
        return 0

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # ended already
                pass
        self._ended()
        shutil.rmtree(self.folder, ignore_errors=True)


def write(pages: list[Page], folder: Path) -> None:
    for page in pages:
        path = folder / page.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page.content.encode("utf-8") if isinstance(page.content, str) else page.content)


def main(argv: list[str]) -> int:
    """The second process: exit 0 with the files written, 1 when the ledger does not load cleanly."""
    root, as_of, folder, *flags = argv
    try:
        # the records the build parsed, once it has stored them; the build keeps the store up to date
        ledger = load_valid(Path(root), date.fromisoformat(as_of), Cache().fill(Store(Path(root))))
    except LedgerError:  # changed since the build checked it: the build writes them itself
        return 1
    public = "--public" in flags
    write(downloads(Aggregate(public_ledger(ledger) if public else ledger, date.fromisoformat(as_of)), public, git.head(Path(root))), Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
