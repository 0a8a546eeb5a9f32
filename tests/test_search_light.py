"""Search reads a light rendition of a problem page's tables (site/fills.py): the site and its search
index are byte for byte what they are when search parses the rich tables themselves."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from material.plugins.search.plugin import Parser

from conftest import REPO, build, site_repo
from taizhang.site import fills


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def words(site: Path) -> dict[str, Counter[str]]:
    """Each search entry's words, by location."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    found: dict[str, Counter[str]] = {}
    for entry in index["docs"]:
        text = f"{entry['title']} {entry['text']}".replace("\u200b", " ")
        found.setdefault(entry["location"], Counter()).update(text.split())
    return found


def sections(html: str) -> list[tuple[str, str, str]]:
    """Material's search parser over `html`: (id, title, text) of each section."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id or "", "".join(s.title), "".join(s.text)) for s in parser.data]


def test_search_finds_what_it_found_in_the_rich_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"TAIZHANG_AS_OF": "2023-09-15", "TAIZHANG_PARALLEL": "0"}
    light = site_repo(tmp_path / "light", REPO / "records")
    result = build(light, env=env)
    assert result.error is None, result.warnings()
    # The rich tables, as search read them before it had a light rendition.
    monkeypatch.setattr(fills, "searchable", lambda rich: rich)
    rich = site_repo(tmp_path / "rich", REPO / "records")
    result = build(rich, env=env)
    assert result.error is None, result.warnings()
    built, reference = files(light / "site"), files(rich / "site")
    assert sorted(built) == sorted(reference)
    assert [name for name in reference if built[name] != reference[name]] == []
    index = words(light / "site")
    assert sum(len(w) for location, w in index.items() if location.startswith("problems/")) > 5000
    assert index == words(rich / "site")


def test_the_light_rendition_reads_as_the_rich_one_with_a_fraction_of_its_tags() -> None:
    page = (REPO / "hooks" / "taizhang" / "site" / "templates" / "bulk.html.j2").read_text(encoding="utf-8")
    assert "data-search-exclude" in page  # the templates' own markup, below, is what pages carry
    rich = ('\n<div class="tz-fields">\n<table>\n<thead>\n<tr>\n<th></th>\n<th></th>\n</tr>\n</thead>\n<tbody>\n'
            '<tr><th>整改状态</th><td><span class="tz-badge">已销号</span>  </td></tr>\n'
            '<tr><th>责任人</th><td><a href="../../owners/gaopeng/">高鹏</a>、<a href="#">杨&lt;雪&gt;</a></td></tr>\n'
            '<tr><td>  </td><td>\n\n</td></tr>\n'
            '</tbody>\n</table>\n</div>\n<div class="x" data-search-exclude><p>不可搜索</p><div><i>隐</i></div></div>\n'
            '<p><strong>回头看</strong></p>\n<p> </p>\n<ul>\n<li>2023-09-05 <em>林娜</em> 通过</li>\n</ul>\n'
            '<div data-tz-fill="3"></div>\n')
    light = fills.searchable(rich)
    assert light.count("<") < rich.count("<") / 3
    for before, after in (("<h3 id=\"m1\">M1</h3>\n", "\n<h2 id=\"n\">下一节</h2>"), ("<p>前文</p>", "<p>后文</p>"), ("", "")):
        assert sections(before + light + after) == sections(before + rich + after)
    assert "不可搜索" not in light and "隐" not in light and "杨&lt;雪&gt;" in light
