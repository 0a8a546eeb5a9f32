"""Charts as inline SVG made at build time: no JavaScript, nothing fetched, printable.

Three general shapes, each returning one HTML block (a `<div class="tz-chart">` holding an
`<svg role="img">`) that a Markdown page can carry as raw HTML, on lines of its own with a
blank line before and after:

    stacked_bar([Segment("已销号", 48, "closed"), Segment("推进中", 21, "in_progress")], title="…")
    bars([Bar("思想政治建设", 0.8, "80%（16/20）")], title="…", scale=1.0)
    line_chart([Series("措施总数", [88, 88, 88], "not_started"), Series("已完成", [40, 52, 67], "closed")],
               ["W35", "W36", "W37"], title="…")

Colours: `tone` is a status or mark key (closed, done, in_progress, not_started, overdue,
due_soon, long_term, late, extended, relapsed). Each shape carries `class="tz-<tone>"`, and
taizhang.css fills it with that class's --tz-bd colour, so charts follow the badges and the
dark scheme; the `fill` attribute is the light-scheme fallback where the stylesheet is absent.
Text uses currentColor. Every number is printed beside its shape (legend, value labels),
the whole chart has a `<title>` and an aria-label, and all text is XML-escaped here:
callers pass plain strings (labels from labels.py, record names as they are). The block
carries `data-search-exclude` so that Material's search does not index the chart's words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from taizhang.ledger.figures import Group, Tally, percent
from taizhang.labels import LABELS, STATUS_LABELS
from taizhang.labels import WEEKLY_WORDS as W
from taizhang.reports.weekly import Point
from taizhang.text import chinese_number, week

# Light-scheme --tz-bd colours of taizhang.css, used only where the stylesheet does not reach.
FALLBACK = {
    "closed": "#43a047", "done": "#9cb523", "in_progress": "#e6b800", "not_started": "#9e9e9e",
    "overdue": "#c62828", "due_soon": "#f57c00", "long_term": "#1e88e5", "late": "#8e24aa",
    "extended": "#26a69a", "relapsed": "#b71c1c", "uncommitted": "#9e9e9e",
}
TRACK = "#e0e0e0"

FONT = 13          # px in the drawing's own units; the drawing scales down on narrow screens
ROW = 22           # height of one bar row
GAP = 8
WIDTH = 680


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: its legend label, its count and its colour key."""

    label: str
    value: float
    tone: str


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length (in units of `scale`), the text printed after it."""

    label: str
    value: float
    note: str = ""
    tone: str = "closed"


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a value per x label (None where there is no value)."""

    label: str
    values: Sequence[float | None]
    tone: str


def escape(value: object) -> str:
    """Text safe inside SVG/HTML text and attribute values."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def text_width(value: str, size: float = FONT) -> float:
    """Estimated drawn width: CJK and full-width characters are one em, the rest about half."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in value)


def number(value: float) -> str:
    """48 → "48", 0.5 → "0.5": counts without a trailing .0."""
    return f"{value:g}"


def stacked_bar(segments: Sequence[Segment], *, title: str, width: int = WIDTH) -> str:
    """One horizontal bar split by share, with a legend giving each count and its percentage."""
    total = sum(s.value for s in segments)
    bar_y, bar_h = 4, 28
    parts, x = [], 0.0
    for s in segments:
        w = width * s.value / total if total else 0
        if w > 0:
            parts.append(_rect(x, bar_y, w, bar_h, s.tone, f"{s.label} {_share(s.value, total)}"))
        x += w
    if not total:
        parts.append(_track(0, bar_y, width, bar_h))
    legend, height = _legend([(s.label + " " + _share(s.value, total), s.tone) for s in segments],
                             bar_y + bar_h + 14, width)
    summary = "，".join(f"{s.label} {_share(s.value, total)}" for s in segments)
    return _svg(width, height, title, summary, parts + legend)


def bars(items: Sequence[Bar], *, title: str, scale: float | None = None, width: int = WIDTH) -> str:
    """Horizontal bars, one row per item: label left, bar on a track, note right.

    `scale` is the value of a full-length bar (1.0 for rates); default the largest value.
    """
    full = scale if scale is not None else max((b.value for b in items), default=0)
    label_w = max((text_width(b.label) for b in items), default=0) + GAP
    note_w = max((text_width(b.note) for b in items), default=0) + GAP
    bar_w = max(width - label_w - note_w, 40)
    parts = []
    for i, b in enumerate(items):
        y = i * (ROW + GAP)
        w = bar_w * min(b.value / full, 1) if full else 0
        parts.append(_text(label_w - GAP, y + ROW / 2, b.label, anchor="end"))
        parts.append(_track(label_w, y, bar_w, ROW))
        if w > 0:
            parts.append(_rect(label_w, y, w, ROW, b.tone, f"{b.label} {b.note}".strip()))
        parts.append(_text(label_w + bar_w + GAP, y + ROW / 2, b.note))
    height = max(len(items) * (ROW + GAP) - GAP, ROW)
    summary = "，".join(f"{b.label} {b.note}".strip() for b in items)
    return _svg(width, height, title, summary, parts)


def line_chart(series: Sequence[Series], x_labels: Sequence[str], *, title: str,
               width: int = WIDTH, height: int = 240) -> str:
    """Lines over shared x labels (e.g. weeks), y from 0, each line's last value printed at its end."""
    top = max((v for s in series for v in s.values if v is not None), default=0)
    ticks = _ticks(top)
    small = FONT * 0.85
    edge = [text_width(x_labels[i], small) / 2 for i in (0, -1)] if x_labels else [0, 0]
    left = max(max(text_width(number(t), small) for t in ticks) + GAP, edge[0])
    right = max(max((text_width(number(_last(s) or 0), small) for s in series), default=0) + GAP * 2, edge[1])
    plot_h = height - FONT * 2 - GAP
    plot_w = width - left - right
    step = plot_w / (len(x_labels) - 1) if len(x_labels) > 1 else 0

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, plot_h - plot_h * v / ticks[-1] + FONT / 2

    parts = []
    for t in ticks:
        _, y = xy(0, t)
        parts.append(f'<line class="tz-chart__grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}"'
                     f' stroke="{TRACK}"/>')
        parts.append(_text(left - GAP / 2, y, number(t), anchor="end", small=True))
    # print every n-th x label so that labels never overlap
    every = max(1, math.ceil(len(x_labels) * text_width(max(x_labels, key=text_width, default=""), small)
                             * 1.2 / max(plot_w, 1)))
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == len(x_labels) - 1:
            parts.append(_text(xy(i, 0)[0], plot_h + FONT / 2 + FONT + 2, label, anchor="middle", small=True))
    for s in series:
        parts += _line(s, xy)
    parts += _end_labels(series, xy)
    legend, legend_h = _legend([(s.label, s.tone) for s in series], height + 4, width)
    summary = "；".join(f"{s.label}：" + "、".join(f"{x} {number(v)}" for x, v in zip(x_labels, s.values)
                                                  if v is not None) for s in series)
    return _svg(width, legend_h, title, summary, parts + legend)


def _line(s: Series, xy) -> list[str]:  # type: ignore[no-untyped-def]
    points = [xy(i, v) for i, v in enumerate(s.values) if v is not None]
    if not points:
        return []
    fallback = FALLBACK.get(s.tone, "currentColor")
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts = [f'<polyline class="tz-chart__line tz-{escape(s.tone)}" points="{path}" fill="none"'
             f' stroke="{fallback}" stroke-width="2.5" stroke-linejoin="round"><title>{escape(s.label)}</title></polyline>']
    parts += [f'<circle class="tz-chart__dot tz-{escape(s.tone)}" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{fallback}"/>'
              for x, y in points]
    return parts


def _end_labels(series: Sequence[Series], xy) -> list[str]:  # type: ignore[no-untyped-def]
    """Each line's last value at its end, moved apart vertically where lines end close together."""
    ends = []
    for s in series:
        last = next((i for i in range(len(s.values) - 1, -1, -1) if s.values[i] is not None), None)
        if last is not None:
            ends.append((*xy(last, s.values[last]), number(s.values[last])))
    ends.sort(key=lambda e: e[1])
    gap = FONT * 0.85 + 2
    placed: list[tuple[float, float, str]] = []
    for x, y, label in ends:
        if placed and abs(placed[-1][0] - x) < 1 and y - placed[-1][1] < gap:
            y = placed[-1][1] + gap
        placed.append((x, y, label))
    return [_text(x + GAP / 2, y, label, small=True) for x, y, label in placed]


def _last(s: Series) -> float | None:
    return next((v for v in reversed(s.values) if v is not None), None)


def _ticks(top: float) -> list[float]:
    """0 and four or five round steps up to at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step)
    return [round(i * step, 6) for i in range(count + 1)]


def _share(value: float, total: float) -> str:
    share = f"{value / total * 100:.1f}".rstrip("0").rstrip(".") if total else "0"
    return f"{number(value)}（{share}%）"


def _legend(entries: list[tuple[str, str]], y: float, width: int) -> tuple[list[str], float]:
    """Swatches with their text, wrapped over as many lines as the width needs; returns the bottom."""
    parts, x = [], 0.0
    for label, tone in entries:
        w = 14 + 6 + text_width(label) + 18
        if x and x + w > width:
            x, y = 0.0, y + FONT + 10
        parts.append(_rect(x, y, 14, 14, tone))
        parts.append(_text(x + 20, y + 7, label))
        x += w
    return parts, y + 14 + 4


def _rect(x: float, y: float, w: float, h: float, tone: str, tip: str = "") -> str:
    tip_element = f"<title>{escape(tip)}</title>" if tip else ""
    return (f'<rect class="tz-chart__bar tz-{escape(tone)}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"'
            f' fill="{FALLBACK.get(tone, "currentColor")}">{tip_element}</rect>')


def _track(x: float, y: float, w: float, h: float) -> str:
    return f'<rect class="tz-chart__track" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{TRACK}"/>'


def _text(x: float, y: float, value: str, anchor: str = "start", small: bool = False) -> str:
    size = f' font-size="{FONT * 0.85:g}"' if small else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="central"'
            f' fill="currentColor"{size}>{escape(value)}</text>')


def _svg(width: float, height: float, title: str, summary: str, parts: list[str]) -> str:
    label = f"{title}：{summary}" if summary else title
    # Kept out of the search index: legend texts would match every search for a status.
    return (f'<div class="tz-chart" data-search-exclude="true">\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-1 -1 {width + 2:.0f} {height + 2:.0f}"'
            f' width="{width + 2:.0f}" height="{height + 2:.0f}" role="img" aria-label="{escape(label)}"'
            f' font-size="{FONT}">\n'
            f'<title>{escape(label)}</title>\n' + "\n".join(parts) + "\n</svg>\n</div>")


# The ledger's own charts -------------------------------------------------------------------
# Closed first, so that the green grows from the left as the work gets done.
STATUS_ORDER = ("closed", "done", "in_progress", "not_started")


def status_chart(tally: Tally) -> str:
    """The measures by status as one stacked bar (进度总览, home page)."""
    segments = [Segment(STATUS_LABELS[s], tally.by_status[s], s) for s in STATUS_ORDER]
    return stacked_bar(segments, title=LABELS["by_status"])


def completion_chart(groups: Sequence[Group], title: str, numbered: bool = False) -> str:
    """Completion rate of each group (area, department) as bars on a 0–100% scale."""
    items = [Bar(_group_label(i, g.name, numbered), g.tally.completion_rate,
                 f"{percent(g.tally.completion_rate)}（{g.tally.completed}/{g.tally.measures}）")
             for i, g in enumerate(groups, 1)]
    return bars(items, title=f"{title}{LABELS['completion_rate']}", scale=1.0)


def _group_label(index: int, name: str, numbered: bool) -> str:
    return f"{chinese_number(index)}、{name}" if numbered else name


def burnup_chart(points: Iterable[Point]) -> str:
    """Measures completed and closed per week against the total, as inline SVG ("" without points)."""
    points = list(points)
    if not points:
        return ""
    same_year = len({p.week[:4] for p in points}) == 1
    labels = [W["week_label"].format(week=int(p.week[6:])) if same_year else week(p.week) for p in points]
    series = [Series(W["burnup_total"], [p.measures for p in points], "not_started"),
              Series(W["burnup_completed"], [p.completed for p in points], "done"),
              Series(W["burnup_closed"], [p.closed for p in points], "closed")]
    return line_chart(series, labels, title=W["burnup_title"])
