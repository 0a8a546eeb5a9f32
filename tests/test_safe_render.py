"""Safe pages: record text shows as written on every page type and never becomes markup, script or template code."""

from __future__ import annotations

import html
import json
import re
import threading
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import markdown
import pytest
import yaml

from conftest import PROBLEM, REPO, Build, build, site_repo
from taizhang import text

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

X = "<script>alert(1)</script><img src=x onerror=alert(1)> | {{ 7*7 }} {% raw %} </textarea> \" '"
EVIDENCE = "evidence/<img src=x onerror=alert(1)>.txt"
BODY = f"""正文{X}

**粗体**保留 Markdown。

[x](javascript:alert(1)) [y]( JavaScript:alert(1)) ![z](data:text/html,<script>alert(1)</script>) [w](vbscript:msgbox(1)) [r][ref]

> [q](
> javascript:alert(1))

## 标题 {{ #P01-M1 onmouseover=alert(1) }}

段落
{{: onclick=alert(1) }}

`<script>alert(1)</script>` \\`<script>alert(1)</script>`

```
<script>alert(1)</script>

[ref]: java\tscript:alert(1)
"""


def dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def measure(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"P01-M{n}", "text": f"措施{n}{X}", "addresses": ["P01-1"], "leader": "p1", "department": "d1",
            "owner": "p2", **fields}


def hostile_ledger(root: Path) -> Path:
    """Every text field of every record file holds the payload."""
    files = {
        "records/ledger.yml": {"title": "台账" + X, "unit": "单位" + X, "inspection": {"by": "巡察组" + X},
                               "areas": [{"id": "A1", "name": "方面" + X}]},
        "records/owners.yml": {"departments": [{"id": "d1", "name": "科室" + X}],
                               "people": [{"id": "p1", "name": "张三" + X, "title": "书记" + X, "department": "d1"},
                                          {"id": "p2", "name": "李四" + X},
                                          {"id": "p3", "name": "王五\x7f\x85\u2028\x9f" + X}]},
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(dump(data), encoding="utf-8")
    (root / "records" / EVIDENCE).parent.mkdir()
    (root / "records" / EVIDENCE).write_text("x", encoding="utf-8")
    problem = {"id": "P01", "area": "A1", "title": "问题" + X, "manifestations": [{"id": "P01-1", "text": "表现" + X}],
               "measures": [
                   measure(1, due="2023-09-01", status="in_progress", progress="进展" + X, outcome="成效" + X),
                   measure(2, due="2023-09-20", status="closed", progress="进展" + X, done_on="2023-09-01",
                           evidence=[{"title": "佐证" + X, "url": "javascript:alert(1)"}, {"title": "文件" + X, "path": EVIDENCE},
                                     {"title": "网页" + X, "url": 'https://x.example/?q="><script>alert(1)</script>'}],
                           closed_on="2023-09-02", closed_by="p1",
                           extensions=[{"from": "2023-09-10", "to": "2023-09-20", "approved_by": "p1",
                                        "approved_on": "2023-09-01", "reason": "理由" + X}],
                           rechecks=[{"date": "2023-09-03", "by": "p1", "result": "passed", "note": "备注" + X}]),
                   measure(3, due="2023-09-25", status="not_started"),
               ]}
    (root / "records/A1").mkdir()
    (root / "records/A1/P01.md").write_text(f"---\n{dump(problem)}---\n{BODY}", encoding="utf-8")
    return site_repo(root)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    result = build(hostile_ledger(tmp_path_factory.mktemp("hostile") / "ledger"), env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert result.error is None, result.warnings()
    assert result.warnings() == []
    return result


class Page(HTMLParser):
    """What a browser would act on: elements, attributes, text, table rows."""

    RUNNABLE = ("javascript:", "vbscript:", "data:")

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []
        self.rows: list[list[int]] = []
        self.texts: list[str] = []
        self.title = ""
        self._in: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            target = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or (name in ("href", "src", "action", "formaction") and target.startswith(self.RUNNABLE)):
                self.dangers.append(f"<{tag} {name}={value!r}>")
        if tag in ("textarea", "iframe", "object", "embed") or (tag == "img" and dict(attrs).get("src") == "x"):
            self.dangers.append(f"<{tag}>")
        if tag == "table":
            self.rows.append([])
        elif tag == "tr" and self.rows:
            self.rows[-1].append(0)
        elif tag in ("td", "th") and self.rows and self.rows[-1]:
            self.rows[-1][-1] += 1
        if tag not in ("img", "br", "hr", "input", "meta", "link"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("textarea", "script") and tag not in self._in:
            self.dangers.append(f"</{tag}> without an opening tag")
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "script" in self._in:
            if "alert(1)" in data:
                self.dangers.append(f"script: {data[:60]}")
        else:
            self.texts.append(data)
        if "title" in self._in:
            self.title += data

    @property
    def text(self) -> str:
        return "".join(self.texts)


PAGES = ["", "problems", "problems/P01", "tasks", "owners", "owners/p1", "owners/p2", "owners/p3", "departments/d1", "progress",
         "weekly", "changes", "guide"]


@pytest.mark.parametrize("address", PAGES)
def test_nothing_runs(built: Build, address: str) -> None:
    assert Page(built.html(address)).dangers == []


def test_not_found_page(built: Build) -> None:
    assert Page((built.site / "404.html").read_text(encoding="utf-8")).dangers == []


@pytest.mark.parametrize("address", PAGES)
def test_tables_keep_their_columns(built: Build, address: str) -> None:
    for table in Page(built.html(address)).rows:
        assert len(set(table)) == 1, table


@pytest.mark.parametrize("address", PAGES)
def test_template_syntax_stays_literal(built: Build, address: str) -> None:
    page = Page(built.html(address))
    article = page.text
    assert "49" not in article
    if address not in ("weekly", "changes", "guide"):
        assert "{{ 7*7 }} {% raw %}" in article


SHOWN = {
    "": ["台账" + X, "单位" + X, "巡察组" + X, "方面" + X],
    "problems": ["问题" + X, "方面" + X],
    "problems/P01": ["问题" + X, "表现" + X, "措施1" + X, "进展" + X, "成效" + X, "张三" + X, "李四" + X, "科室" + X,
                     "佐证" + X, "文件" + X, "网页" + X, "理由" + X, "备注" + X, "javascript:alert(1)", EVIDENCE, "正文" + X],
    "tasks": ["问题" + X, "措施1" + X, "张三" + X, "科室" + X, "李四" + X],
    "owners": ["张三" + X, "书记" + X, "科室" + X, "李四" + X],
    "owners/p1": ["张三" + X, "书记" + X, "措施2" + X],
    "departments/d1": ["科室" + X, "措施3" + X],
    "progress": ["方面" + X, "科室" + X, "措施1" + X],
}


@pytest.mark.parametrize("address", SHOWN)
def test_record_text_shows_as_written(built: Build, address: str) -> None:
    article = Page(built.html(address)).text
    for value in SHOWN[address]:
        assert value in article, value


def test_titles_and_header(built: Build) -> None:
    assert Page(built.html("problems/P01")).title == f"P01 问题{X} - 台账{X}"
    assert Page(built.html("owners/p1")).title.startswith(f"张三{X} ")
    assert Page(built.html("departments/d1")).title.startswith(f"科室{X} ")
    # Characters YAML refuses in front matter must not cost a page its title.
    assert Page(built.html("owners/p3")).title.startswith(f"王五\x7f\x85\u2028\x9f{X} ")
    header = built.html("tasks").split('<header class="md-header', 1)[1].split("</header>", 1)[0]
    assert f'<span class="md-ellipsis">\n            台账{html.escape(X, quote=True).replace("&#x27;", "&#39;")}' in header


def test_body_keeps_markdown_without_markup(built: Build) -> None:
    page = built.html("problems/P01")
    assert "<strong>粗体</strong>保留" in page
    assert 'href="#javascript:alert(1)">x</a>' in page and 'href="#vbscript:msgbox(1)">w</a>' in page
    assert re.search(r'<h2 id="[^"]*">标题 &#123; #P01-M1 onmouseover=alert\(1\) }<a', page)  # text, not attributes


def test_evidence_links(built: Build) -> None:
    page = built.html("problems/P01")
    assert 'href="https://x.example/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "佐证&lt;script&gt;" in page and 'href="javascript' not in page


def test_search_index(built: Build) -> None:
    index = json.loads((built.site / "search/search_index.json").read_text(encoding="utf-8"))
    found = " ".join(doc["title"] + doc["text"] for doc in index["docs"])
    assert "alert(1)" in found  # the records are indexed ...
    for doc in index["docs"]:  # ... and Material inserts titles and texts as HTML
        assert Page(doc["title"]).dangers == [] and Page(doc["text"]).dangers == [], doc["location"]
        assert "{{ 7*7 }}" not in doc["text"] or "49" not in doc["text"]


# -- text.body against the site's own Markdown configuration, case by case ------------------------

@pytest.fixture(scope="module")
def site_markdown() -> markdown.Markdown:
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"))
    return markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)


BODIES = {
    "raw tag": "<script>alert(1)</script>",
    "html block": "<div>\n<script>alert(1)</script>\n</div>",
    "unclosed fence": "```\n<script>alert(1)</script>",
    "indented fence after a paragraph": "段落\n    ```\n<script>alert(1)</script>\n    ```",
    "backticks on one line": "```x```\n<script>alert(1)</script>\n```",
    "escaped backtick": "\\`<script>alert(1)</script>`",
    "attribute list on a heading": "# 标题 { onclick=alert(1) }",
    "attribute list on a paragraph": "段落\n{: onclick=alert(1) }",
    "fence options": '```{ .python onclick="alert(1)" }\nx\n```',
    "link": "[x](javascript:alert(1))",
    "link in capitals after spaces": "[x](  JaVaScRiPt:alert(1))",
    "link with a control character": "[x](\x01javascript:alert(1))",
    "link with a tab": "[x](java\tscript:alert(1))",
    "link in angle brackets": "[x](<javascript:alert(1)>)",
    "link target on the next quoted line": "> [x](\n> javascript:alert(1))",
    "image": "![x](data:text/html,alert(1))",
    "reference": "[x][r]\n\n[r]: vbscript:alert(1)",
    "reference in a quote": "> [x][r]\n>\n> [r]:\n> javascript:alert(1)",
    "entity in the scheme": "[x](jav&#97;script:alert(1))",
    "autolink": "<javascript:alert(1)>",
}


@pytest.mark.parametrize("case", BODIES)
def test_body_cases(case: str, site_markdown: markdown.Markdown) -> None:
    rendered = site_markdown.reset().convert(text.body(BODIES[case]))
    assert Page(rendered).dangers == []
    assert "<script" not in rendered


def test_body_keeps_safe_links(site_markdown: markdown.Markdown) -> None:
    rendered = site_markdown.reset().convert(text.body("[区政府](https://www.example.gov.cn/a?b=1&c=2) [上节](#P01-M1)"))
    assert rendered == '<p><a href="https://www.example.gov.cn/a?b=1&amp;c=2">区政府</a> <a href="#P01-M1">上节</a></p>'


# -- a real browser: the page shows the text and no dialog opens ------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: the browser check needs a headless Chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(built: Build):
    """The built site on 127.0.0.1, as a reader would open it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(built.site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("address", ["problems/P01/", "tasks/", "owners/p1/", "", "progress/"])
def test_browser_opens_no_dialog(browser, served: str, address: str) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(served + address, wait_until="load")
    page.hover("article")
    assert "{{ 7*7 }}" in page.inner_text("article")
    assert dialogs == []
    page.close()


def test_browser_shows_the_title(browser, served: str) -> None:
    page = browser.new_page()
    page.goto(served + "problems/P01/", wait_until="load")
    assert page.inner_text("article h1").startswith(f"P01 问题{X}")
    assert page.title().startswith(f"P01 问题{X}")
    page.close()


def test_edit_button_quotes_the_file_name(ledger) -> None:
    """Material prints edit_url raw into an href: a file name must not close the attribute."""
    name = 'records/A1/x" onmouseover="alert(1).md'
    root = ledger({name: PROBLEM.replace("P01", "P02")}, site=True)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nedit_uri: https://git.example.cn/tz/-/edit/main/docs/\n",
                      encoding="utf-8")
    result = build(root, env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert result.error is None, result.warnings()
    page = result.html("problems/P02")
    assert Page(page).dangers == []
    assert 'href="https://git.example.cn/tz/-/edit/main/records/A1/x%22%20onmouseover%3D%22alert%281%29.md"' in page


def test_errors_page_shows_hostile_values_as_text(ledger) -> None:
    """A broken ledger's error lines quote record values and file names: the errors page shows them as text."""
    name = "records/A1/<img src=x onerror=alert(1)>.md"
    root = ledger({name: PROBLEM.replace("id: P01\n", "id: <script>alert(1)</script>{{ 7*7 }}\n")
                   .replace("P01-", "P02-")}, site=True)
    result = build(root, strict=False, env={"TAIZHANG_AS_OF": "2023-09-15"})
    assert result.error is None
    page = Page(result.html(""))
    assert page.dangers == []
    assert f"{name}:2: id: 编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为“<script>alert(1)</script>{{{{ 7*7 }}}}”" in page.text
