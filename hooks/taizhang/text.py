"""Making record text safe where it lands: HTML, Markdown tables, YAML front matter."""

from __future__ import annotations

import json
import re

from taizhang.labels import OFFICE_WORDS

# Characters that Markdown would read as markup; entities keep them literal in any context.
_MARKDOWN = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$"}
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_INLINE = str.maketrans({**_HTML, **_MARKDOWN, "\n": " ", "\r": " "})
# translate() looks up every character in the table (3 µs for a sentence of Chinese); most record
# text holds none of these, and a search for them takes a tenth of that. Hundreds of thousands of calls a build.
_INLINE_ANY = re.compile("[" + re.escape("".join(map(chr, _INLINE))) + "]")


def inline(value: object) -> str:
    """Record text as literal inline content: no HTML, no Markdown, no table break, one line."""
    if value is None:
        return ""
    text = str(value)
    return text.translate(_INLINE) if _INLINE_ANY.search(text) else text


def html(value: object) -> str:
    """Text for a place that is printed raw into HTML (e.g. MkDocs' site_name)."""
    return str(value).translate(str.maketrans(_HTML))


def title(value: str) -> str:
    """A page title for front matter: HTML-escaped (Material prints it raw), YAML-quoted."""
    escaped = str(value).translate(str.maketrans({**_HTML, "\n": " "}))
    return json.dumps(escaped, ensure_ascii=False).translate(_YAML_UNSAFE)


# JSON leaves these raw, but YAML refuses them (DEL, C1 controls, non-characters) or reads
# them as line breaks: a title holding one would silently cost the page its front matter.
_YAML_UNSAFE = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFFFE, 0xFFFF)}


def body(markdown: str) -> str:
    """A record's Markdown body kept as Markdown, unable to add HTML, attributes or script links.

    `&`, `<` and `{` become entities everywhere, so no tag opens and no attribute list
    (`{ onclick=… }`) attaches; headings, lists, emphasis, tables and links still render.
    Code is no exception: a backslash, a stray backtick or an unclosed fence can end code
    where a regex and Markdown disagree, so in code these three show as entities.
    A link target that would run script (`javascript:`, `data:`, `vbscript:`) gets a `#`
    in front, which makes it a harmless in-page address.
    """
    return _LINK_TARGET.sub(_defuse, markdown).translate(_BODY)


_BODY = str.maketrans({"&": "&amp;", "<": "&lt;", "{": "&#123;"})
# Where Markdown reads a link target: `[x](…`, `![x](…` and `[x]: …` (anywhere: in a quote or list too),
# up to its first character past spaces, controls, `<` and the `>` of quoted lines.
_LINK_TARGET = re.compile(r"(?:\]\(|\[[^\[\]\n]*\]:)[\s\x00-\x20<>]*")
_RUNNABLE = ("javascript:", "vbscript:", "data:")


def _defuse(match: re.Match[str]) -> str:
    # Browsers drop tabs and line breaks anywhere in a URL: `java<TAB>script:` still runs.
    head = "".join(c for c in match.string[match.end() : match.end() + 64] if c > " " and not c.isspace())
    return match.group(0) + ("#" if head.lower().startswith(_RUNNABLE) else "")


_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五, 12000 → 一万二千: large ledgers number past 99."""
    if n < 10:
        return _CN_DIGITS[n]
    if n >= 10**8:
        return str(n)
    high, low = divmod(n, 10000)
    found = _below_10000(low)
    if high:
        found = _below_10000(high) + "万" + ("零" if 0 < low < 1000 else "") + found
    return found[1:] if found.startswith("一十") else found


def _below_10000(n: int) -> str:
    """1..9999 with 千百十 and one 零 for a run of inner zeros ("" for 0)."""
    found, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            found += ("零" if gap else "") + _CN_DIGITS[digit] + unit
            gap = False
        elif found:
            gap = True
    return found


_SAFE_SCHEMES = ("http://", "https://", "ftp://", "mailto:")


def url(value: str) -> str | None:
    """An evidence link made safe for an href: web addresses only, never `javascript:`."""
    value = value.strip()
    if not value.lower().startswith(_SAFE_SCHEMES):
        return None
    return value.translate(str.maketrans(_HTML))


def week(name: str) -> str:
    """An ISO week as a reader sees it: 2023-W37 → 2023年第37周 (other text unchanged, e.g. 未提交)."""
    found = re.fullmatch(r"(\d{4})-W(\d{2})", name)
    return OFFICE_WORDS["week"].format(year=found[1], week=int(found[2])) if found else name
