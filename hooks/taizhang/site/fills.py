"""Bulk lists and record-page tables as HTML, put into pages after Markdown has run.

A list of thousands of rows costs Python-Markdown tens of seconds as a Markdown table, and
Material's search plugin as long again to parse its HTML, only to leave it out of the index
(bulk lists carry data-search-exclude). So a page carries a small placeholder through
Markdown and search, and the list, rendered straight to HTML from templates/bulk.html.j2,
replaces it in the finished page (`fill`). The tables of a problem page are searchable, but
Markdown still takes three times as long over them as over plain text: they are put in as
HTML right after Markdown, before the search plugin reads the page (`part`). Either renders
when its page is filled, not before, so a build never holds every list of every page at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

# A placeholder: '<div data-tz-fill="3"></div>'. Record text is escaped before it reaches a page
# (`<` becomes &lt;), so no record can write one.
_OPEN, _CLOSE = '<div data-tz-', '"></div>'
# A row shared by many lists is rendered once with links from the site root, written as ROOT + address;
# each page puts its own way up in ROOT's place. Record text cannot hold it: NUL is refused on reading.
ROOT = "\x00"

# Placeholder key → its HTML, or what renders it (made when the page is filled).
Fills = Mapping[str, "str | Callable[[], str]"]


@dataclass
class Bulk:
    """The HTML parts of one page: a placeholder each, rendered later by `render(macro, **args)`.

    A bulk list (`bulk(...)`) is left out of search and goes into the finished page; a part of a
    page (`bulk.part(...)`) is put in once Markdown has run, before the search plugin reads it.
    """

    render: Callable[..., str]
    fills: dict[str, Callable[[], str]] = field(default_factory=dict)

    def __call__(self, macro: str, **args: Any) -> str:
        """A placeholder for macro `macro` of bulk.html.j2 called with `args`, as a raw HTML block."""
        return self._later("fill", macro, args)

    def part(self, macro: str, **args: Any) -> str:
        return self._later("part", macro, args)

    def _later(self, stage: str, macro: str, args: dict[str, Any]) -> str:
        key = str(len(self.fills))
        self.fills[stage + key] = partial(self.render, macro, **args)
        return f'\n{_OPEN}{stage}="{key}{_CLOSE}\n'


def fill(html: str, fills: Fills, stage: str = "fill") -> str:
    """`html` with each placeholder of `stage` ("fill" or "part") replaced (unknown ones left as they are).

    Split on the placeholder's opening rather than searched by a regex: every page of a build
    passes here twice, and str.split scans a page four times as fast.
    """
    marker = f'{_OPEN}{stage}="'
    head, *tails = html.split(marker) if fills else (html,)
    if not tails:
        return html
    found = [head]
    for tail in tails:
        key, closed, rest = tail.partition(_CLOSE)
        render = fills.get(stage + key) if closed and key.isdigit() else None
        if render is None:
            found.append(marker + tail)
        else:
            found.append((render if isinstance(render, str) else render()) + rest)
    return "".join(found)


def address(uri: str, directory_urls: bool = True) -> str:
    """The address of the page made from file `uri` (docs-relative), as MkDocs gives it."""
    if not directory_urls:
        return uri[: -len(".md")] + ".html"
    if uri == "index.md":
        return ""
    return uri.removesuffix("index.md") if uri.endswith("/index.md") else uri[: -len(".md")] + "/"


def up(uri: str, directory_urls: bool = True) -> str:
    """From the address of page `uri` back to the site root, e.g. "../../" from owners/lisi/."""
    return "../" * address(uri, directory_urls).count("/")


def href(here: str, target: str) -> str:
    """A link from address `here` to address `target`, the shortest relative one, as MkDocs writes it."""
    folders = here.split("/")[:-1]
    parts = target.split("/")
    common = 0
    while common < len(folders) and common < len(parts) - 1 and folders[common] == parts[common]:
        common += 1
    return "../" * (len(folders) - common) + "/".join(parts[common:]) or "./"
