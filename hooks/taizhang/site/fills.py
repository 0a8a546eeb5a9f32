"""Bulk lists and record-page tables as HTML, put into pages after Markdown has run.

A list of thousands of rows costs Python-Markdown tens of seconds as a Markdown table, and
Material's search plugin as long again to parse its HTML, only to leave it out of the index
(bulk lists carry data-search-exclude). So a page carries a small placeholder through
Markdown and search, and the list, rendered straight to HTML from templates/bulk.html.j2,
replaces it in the finished page (`fill`). The tables of a problem page are searchable, but
Markdown still takes three times as long over them as over plain text: they are put in as
HTML right after Markdown (`part`). Search (Material's, an `html.parser` over every tag) would
still spend more on their tags than the rest of the build does on the page, so it reads a light
rendition (`searchable`: the same words in the same order, only the tags it keeps) and the
finished page gets the rich HTML back (`enrich`). Either renders when its page is filled, not
before, so a build never holds every list of every page at once.
"""

from __future__ import annotations

import re
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


# The tags Material's search keeps in its text (search/plugin.py, Parser.keep); all others it drops, but
# their text stays. A part holding a heading (a section of its own) is left rich.
_KEPT = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"))
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_HEADING = re.compile(r"<h[1-6][\s>]")
# Material's search strips these attributes from a page once it has read it (on_page_context).
_SEARCH_ATTRIBUTE = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
# Around a part's light rendition in a page until `enrich`: comments, which search skips.
_LIGHT_OPEN, _LIGHT_CLOSE = "<!--tz-light ", "<!--/tz-light-->"
_APART = "<!---->"  # ends a run of text for search's parser, and is no tag to it


def searchable(rich: str) -> str:
    """What Material's search reads of HTML `rich` as HTML it parses as fast as text: the same text
    and kept tags, with no attribute, no element it skips (`data-search-exclude`), no other tag.
    Its parser collapses a run of whitespace between two tags to one space unless the text before
    ended in one: the light rendition does that here, and where it cannot know (what comes before
    and after the part) it keeps the text apart with an empty comment. For our own templates' HTML."""
    if _HEADING.search(rich) or "<!--" in rich or "<pre" in rich:  # sections, comments, kept whitespace
        return rich
    tags = list(_TAG.finditer(rich))
    if not tags:
        return rich
    # The text before the first tag and after the last runs into the page's: as it is, kept apart.
    out: list[str] = [rich[:tags[0].start()], _APART]
    open_tags: list[str] = []
    skipping = 0  # depth in open_tags of the element search skips, 0 if none
    spaced: bool | None = None  # search's last text was whitespace only (None: not known here)
    for found, following in zip(tags, [*tags[1:], None]):
        closing, tag = found.group(1), found.group(2).lower()
        if tag in _VOID:
            pass
        elif closing:
            if open_tags and open_tags[-1] == tag:
                open_tags.pop()
                if skipping > len(open_tags):
                    skipping = 0
                elif not skipping and tag in _KEPT:
                    out.append(f"</{tag}>")
                    spaced = False
        else:
            open_tags.append(tag)
            if not skipping and "data-search-exclude" in found.group(3):
                skipping = len(open_tags)
            elif not skipping and tag in _KEPT:
                out.append(f"<{tag}>")
                spaced = False
        if following is None or skipping:
            continue
        chunk = rich[found.end():following.start()]
        if not chunk:
            continue
        if not chunk.isspace():
            out.append(chunk)
            spaced = False
        elif spaced is None:  # search decides, by what it read before the part
            out += [_APART, " ", _APART]
            spaced = True
        elif not spaced:
            out.append(" ")
            spaced = True
    out += [_APART, rich[tags[-1].end():]]
    return "".join(out)


def lighten(parts: Fills) -> dict[str, str]:
    """A page's parts, rendered, each with its light rendition for search ("light" + key)."""
    found: dict[str, str] = {}
    for key, part in parts.items():
        if key.startswith("part"):
            rich = part if isinstance(part, str) else part()
            found[key] = _SEARCH_ATTRIBUTE.sub("", rich)  # as search leaves the rest of the page
            found["light" + key] = searchable(rich)
    return found


def light(html: str, parts: Fills) -> str:
    """`html` with each part's light rendition in its placeholder's place (`lighten`'s parts)."""
    return fill(html, {key: f"{_LIGHT_OPEN}{key[4:]}-->{parts['light' + key]}{_LIGHT_CLOSE}"
                       for key in parts if key.startswith("part")}, "part")


def enrich(html: str, parts: Fills) -> str:
    """`html` with each light rendition back to its part's rich HTML."""
    head, *tails = html.split(_LIGHT_OPEN)
    found = [head]
    for tail in tails:
        key, _, rest = tail.partition("-->")
        rich = parts.get("part" + key)
        if rich is None or _LIGHT_CLOSE not in rest:
            found.append(_LIGHT_OPEN + tail)
            continue
        found.append((rich if isinstance(rich, str) else rich()) + rest.split(_LIGHT_CLOSE, 1)[1])
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
