"""Reading the values units type into Excel ledgers: dates, deadlines, statuses, names, numbering."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import Any

from openpyxl.utils.datetime import from_excel
from pypinyin import Style, lazy_pinyin

from taizhang import labels
from taizhang.errors import show

# Excel's day numbers for 1954–2119: a bare number in a date column outside these is no date.
SERIALS = (20000, 80000)

_NOISE = re.compile(r"\s+|[（(][^）)]*[）)]|[*＊:：]")
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十百零〇]+\s*[、.．]|[（(]\s*[一二三四五六七八九十百零〇\d]+\s*[）)]"
    r"|\d{1,3}\s*[、.．](?!\d)|[①-⑳])\s*"
)
_ITEM = re.compile(r"^\s*(?:(\d{1,2})\s*[、.．]|[（(]\s*(\d{1,2})\s*[）)]|([①-⑳]))\s*")
AREA_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")
PROBLEM_HEADING = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[）)]")
_YMD = re.compile(r"(\d{4})\s*[年./\-．]\s*(\d{1,2})\s*[月./\-．]\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YM = re.compile(r"(\d{4})\s*[年./\-．]\s*(\d{1,2})\s*月?\s*(?:底|末|份)?")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:年底|底|年末|末)")
_BEFORE = re.compile(r"(?:之前|以前|前)$")
_SEPARATORS = re.compile(r"[、，,；;/／\n]+")
_TITLED = re.compile(r"^(.+?)\s*[（(]\s*(.+?)\s*[）)]$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates as ISO, surrounding space dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def header_word(value: Any) -> str:
    """A header compared without spaces, bracketed notes or colons: 整改时限（年月日） is 整改时限."""
    return _NOISE.sub("", text(value))


def strip_number(value: str) -> str:
    """Drop one leading 一、 / （一） / 1. / （1） / ① as official numbering writes it."""
    return _NUMBERING.sub("", value, count=1).strip()


def split_items(value: str) -> list[str]:
    """A cell's numbered items (1.… 2.… or （1）… or ①…), each without its number.

    Only a run numbered 1, 2, … from the first line splits: 1.5万元… alone is one item.
    """
    lines = [line.strip() for line in value.split("\n") if line.strip()]
    items: list[str] = []
    for line in lines:
        if _item_number(line) == len(items) + 1:
            items.append(_ITEM.sub("", line, count=1).strip())
        elif items:
            items[-1] += "\n" + line
        else:
            break
    if len(items) >= 2 and all(items):
        return items
    return [strip_number(value.strip())] if value.strip() else []


def _item_number(line: str) -> int | None:
    match = _ITEM.match(line)
    if not match:
        return None
    digits = match.group(1) or match.group(2)
    return int(digits) if digits else ord(match.group(3)) - ord("①") + 1


def read_date(value: Any, month_end: bool = False) -> tuple[date | None, str | None]:
    """(the date, None) or (None, what was wrong). `month_end` reads 2023年9月 as its last day."""
    found, problem = _date(value, month_end)
    if found or problem:
        return found, problem
    return None, f"应为日期（如 2023年9月30日、2023.9.30、2023-09-30），实际为{show(text(value))}"


def _date(value: Any, month_end: bool) -> tuple[date | None, str | None]:
    """As `read_date`, with (None, None) for text that is no date at all."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIALS[0] <= value <= SERIALS[1]:
            return from_excel(value).date(), None
        return None, f"应为日期，实际为数字{show(text(value))}"
    word = _BEFORE.sub("", re.sub(r"\s+", "", text(value)))
    for pattern, make in ((_YMD, _ymd), (_COMPACT, _ymd)) + (((_YEAR_END, _year_end), (_YM, _month_end)) if month_end else ()):
        match = pattern.fullmatch(word)
        if match:
            try:
                return make(*map(int, match.groups())), None
            except ValueError:
                return None, f"应为真实存在的日期，实际为{show(text(value))}"
    return None, None


def _ymd(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def read_due(value: Any) -> tuple[date | None, str | None]:
    """整改时限: a date (2023年9月底 is its last day) or a long-term word (None, None)."""
    found, problem = _date(value, month_end=True)
    if found or problem:
        return found, problem
    word = header_word(value)
    if any(w in word for w in labels.LONG_TERM_WORDS):
        return None, None
    return None, f"应为日期（如 2023年9月30日、2023.9.30）或“{labels.MARK_LABELS['long_term']}”，实际为{show(text(value))}"


def read_status(value: Any) -> tuple[str | None, str | None]:
    word = header_word(value)
    if word in labels.STATUSES:
        return word, None
    found = labels.STATUS_WORDS.get(word)
    if found:
        return found, None
    known = "、".join(labels.STATUS_LABELS.values())
    return None, f"应为整改状态（{known}，或正在推进、已整改、未开始等），实际为{show(text(value))}"


def names(value: Any) -> list[tuple[str, str | None]]:
    """Names in a cell (张伟、李明 / 张伟（镇党委书记）) as (name, title or None).

    Forms pad two-character names with spaces (张  伟); spaces split names only
    between parts of two characters or more.
    """
    found: list[tuple[str, str | None]] = []
    for part in _SEPARATORS.split(text(value)):
        part = part.strip()
        if not part:
            continue
        titled = _TITLED.match(part)
        name, title = (titled.group(1), titled.group(2)) if titled else (part, None)
        for one in _spaced(name):
            found.append((one, title))
    return found


def _spaced(name: str) -> list[str]:
    chunks = name.split()
    if not _CJK.search(name):
        return [" ".join(chunks)]
    return chunks if len(chunks) > 1 and all(len(c) >= 2 for c in chunks) else ["".join(chunks)]


def person_id(name: str) -> str:
    """A readable id from a name: 张伟 → zhangwei."""
    return _ascii_id("".join(lazy_pinyin(name)), "person")


def department_id(name: str) -> str:
    """A short id from a department's name: 党政办公室 → dzbgs."""
    return _ascii_id("".join(lazy_pinyin(name, style=Style.FIRST_LETTER)), "dept")


def _ascii_id(value: str, fallback: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower()) or fallback
