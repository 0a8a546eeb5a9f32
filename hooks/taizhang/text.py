"""Making record text safe where it lands: HTML, Markdown tables, YAML front matter."""

from __future__ import annotations

import json
import re

# Characters that Markdown would read as markup; entities keep them literal in any context.
_MARKDOWN = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$"}
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_INLINE = str.maketrans({**_HTML, **_MARKDOWN, "\n": " ", "\r": " "})
_FENCE = re.compile(r"^(\s*)(```|~~~)")


def inline(value: object) -> str:
    """Record text as literal inline content: no HTML, no Markdown, no table break, one line."""
    if value is None:
        return ""
    return str(value).translate(_INLINE)


def html(value: object) -> str:
    """Text for a place that is printed raw into HTML (e.g. MkDocs' site_name)."""
    return str(value).translate(str.maketrans(_HTML))


def title(value: str) -> str:
    """A page title for front matter: HTML-escaped (Material prints it raw), YAML-quoted."""
    escaped = str(value).translate(str.maketrans({**_HTML, "\n": " "}))
    return json.dumps(escaped, ensure_ascii=False)


def body(markdown: str) -> str:
    """A record's Markdown body kept as Markdown, with raw HTML shown as text.

    `<` and `&` outside fenced code become entities: tags cannot open, while headings,
    lists, emphasis and links still render. Inside fences they are literal already.
    """
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if match and (fence is None or match.group(2) == fence):
            fence = None if fence else match.group(2)
            out.append(line)
            continue
        out.append(line if fence else _code_aware(line))
    return "\n".join(out)


def _code_aware(line: str) -> str:
    """Escape `<` and `&` except inside `code spans`, where Markdown escapes them itself."""
    parts = re.split(r"(`+[^`]*`+)", line)
    return "".join(p if p.startswith("`") else p.replace("&", "&amp;").replace("<", "&lt;") for p in parts)


_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五 (up to 99, as official headings need)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


_SAFE_SCHEMES = ("http://", "https://", "ftp://", "mailto:")


def url(value: str) -> str | None:
    """An evidence link made safe for an href: web addresses only, never `javascript:`."""
    value = value.strip()
    if not value.lower().startswith(_SAFE_SCHEMES):
        return None
    return value.translate(str.maketrans(_HTML))
