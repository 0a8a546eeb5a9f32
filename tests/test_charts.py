"""Inline SVG charts: well-formed, accessible, escaped, with their figures written out."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from taizhang.site.charts import Bar, Segment, Series, bars, line_chart, stacked_bar

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: str) -> ET.Element:
    """The chart's <div> as XML: raises when it is not well-formed."""
    return ET.fromstring(chart)


def texts(chart: str) -> list[str]:
    return [t.text or "" for t in parse(chart).iter(f"{SVG}text")]


def test_stacked_bar_prints_counts_and_shares() -> None:
    chart = stacked_bar([Segment("已销号", 3, "closed"), Segment("推进中", 1, "in_progress")], title="按整改状态")
    assert texts(chart) == ["已销号 3（75%）", "推进中 1（25%）"]
    svg = parse(chart).find(f"{SVG}svg")
    assert svg is not None and svg.get("role") == "img"
    assert svg.get("aria-label") == "按整改状态：已销号 3（75%），推进中 1（25%）"
    assert svg.findtext(f"{SVG}title") == svg.get("aria-label")


def test_stacked_bar_widths_follow_shares() -> None:
    chart = stacked_bar([Segment("a", 3, "closed"), Segment("b", 1, "overdue")], title="t", width=400)
    rects = [r for r in parse(chart).iter(f"{SVG}rect") if r.get("height") == "28.0"]
    assert [(r.get("class"), r.get("width")) for r in rects] == [("tz-chart__bar tz-closed", "300.0"),
                                                                ("tz-chart__bar tz-overdue", "100.0")]


def test_empty_stacked_bar_draws_a_track() -> None:
    chart = stacked_bar([Segment("已销号", 0, "closed")], title="t")
    assert 'class="tz-chart__track"' in chart and "已销号 0（0%）" in chart


def test_bars_scale_to_the_full_value() -> None:
    chart = bars([Bar("甲", 0.5, "50%（1/2）"), Bar("乙", 1.0, "100%（2/2）")], title="完成率", scale=1.0)
    lengths = [float(r.get("width") or 0) for r in parse(chart).iter(f"{SVG}rect")
               if "tz-chart__bar" in (r.get("class") or "")]
    assert lengths[1] == 2 * lengths[0]
    assert texts(chart) == ["甲", "50%（1/2）", "乙", "100%（2/2）"]


def test_line_chart_labels_axes_and_last_values() -> None:
    chart = line_chart([Series("已完成", [1, None, 5], "closed")], ["W1", "W2", "W3"], title="趋势")
    found = texts(chart)
    assert {"W1", "W2", "W3", "0", "5", "已完成"} <= set(found)
    polyline = next(parse(chart).iter(f"{SVG}polyline"))
    assert len((polyline.get("points") or "").split()) == 2  # the missing week is skipped, not drawn as 0
    assert "已完成：W1 1、W3 5" in chart


def test_all_text_is_escaped() -> None:
    evil = '<img src=x onerror=alert(1)>"&'
    for chart in (stacked_bar([Segment(evil, 1, "closed")], title=evil),
                  bars([Bar(evil, 1, evil)], title=evil),
                  line_chart([Series(evil, [1, 2], "closed")], [evil, evil], title=evil)):
        assert "<img" not in chart
        assert evil in "".join(parse(chart).itertext())
