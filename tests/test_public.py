"""The public profile (SPEC section 8): a build of the reference ledger with nothing private in any file."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import AS_OF, PROBLEM, REPO, Build, build, site_repo

from taizhang.ledger.repository import as_of_date, load_valid
from taizhang.ledger.records import Ledger
from taizhang.ledger.public import public_ledger, public_nav

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

AUTHORS = ("郭靖", "黄蓉")
EMAILS = ("guojing@example.com", "huangrong@example.com")
HIDDEN = "P33"  # the reference ledger's only `public: false` problem


def git(root: Path, *args: str, author: int = 0, day: str = "2023-08-01") -> None:
    stamp = f"{day}T10:00:00+08:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": AUTHORS[author], "GIT_AUTHOR_EMAIL": EMAILS[author],
           "GIT_COMMITTER_NAME": AUTHORS[author], "GIT_COMMITTER_EMAIL": EMAILS[author],
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=root, env=env, check=True, capture_output=True, timeout=60)


def ledger_with_history(root: Path) -> Path:
    """The reference ledger as a git repository: a first version by one author, the reference by another.

    The first version names another responsible person for P01-M1 and another progress for
    P33-M2, so the history holds a person-changing event and an event of the hidden problem.
    """
    site_repo(root, REPO / "records")
    (root / ".gitignore").write_text("site/\n", encoding="utf-8")
    p01, p33 = root / "records/A1/P01.md", root / "records/A4/P33.md"
    final = {p: p.read_text(encoding="utf-8") for p in (p01, p33)}
    p01.write_text(re.sub(r"(?m)^(    owner: )\w+$", r"\1songtao", final[p01], count=1), encoding="utf-8")
    p33.write_text(final[p33].replace("已按程序处置，具体情况不在台账中记载", "已启动处置"), encoding="utf-8")
    assert {p.read_text(encoding="utf-8") for p in (p01, p33)}.isdisjoint(final.values())
    git(root, "init", "-q")
    git(root, "add", ".gitignore", "mkdocs.yml", "docs", "records")
    git(root, "commit", "-q", "-m", "Ledger as planned")
    for path, text in final.items():
        path.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-a", "-m", "Weekly update", author=1, day="2023-09-10")
    return root


@dataclass
class Site:
    build: Build
    files: dict[str, str]  # path under site/ → every readable form of its text

    def json(self) -> dict:
        return json.loads((self.build.site / "downloads/taizhang.json").read_text(encoding="utf-8"))


def readable(path: Path) -> str:
    """The file's text as a reader or a program would see it: unzipped, unescaped, unsegmented."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    forms = [text, html.unescape(text)]
    if path.suffix == ".json":  # the search index escapes Chinese as \uXXXX
        forms.append(json.dumps(json.loads(text), ensure_ascii=False))
    return "\n".join(forms).replace("\u200b", "")  # jieba joins the words it cuts with U+200B


def built(root: Path, public: bool) -> Site:
    env = {"TAIZHANG_AS_OF": AS_OF, **({"TAIZHANG_PROFILE": "public"} if public else {})}
    result = build(root, env=env)
    assert result.error is None, result.warnings()
    files = {str(p.relative_to(result.site)): readable(p) for p in sorted(result.site.rglob("*")) if p.is_file()}
    return Site(result, files)


@pytest.fixture(scope="module")
def reference_ledger() -> Ledger:
    return load_valid(REPO, as_of_date(AS_OF))


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return built(ledger_with_history(tmp_path_factory.mktemp("public") / "ledger"), public=True)


@pytest.fixture(scope="module")
def internal_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The same ledger built as usual: what the public build must leave out is really there."""
    return built(ledger_with_history(tmp_path_factory.mktemp("internal") / "ledger"), public=False)


def public_texts(ledger: Ledger) -> str:
    """Every record text the public profile shows: a title or evidence title quoted in it may appear.

    P28 is about the 镇党委书记; P14-M1 is to write the plan that is its evidence.
    """
    shown = public_ledger(ledger)
    texts = [shown.title, shown.unit, *(a.name for a in shown.areas), *(d.name for d in shown.departments)]
    for p in shown.problems:
        texts += [p.title, *(m.text for m in p.manifestations)]
        for m in p.measures:
            texts += [m.text, m.progress or "", m.outcome or "", *(e.reason or "" for e in m.extensions),
                      *(r.note or "" for r in m.rechecks)]
    return "\n".join(texts)


def private(ledger: Ledger) -> dict[str, list[str]]:
    """What must appear in no file of the public site, by kind."""
    hidden = next(p for p in ledger.problems if p.id == HIDDEN)
    shown = public_texts(ledger)
    evidence = [e for m in ledger.measures() for e in m.evidence]
    return {
        "name": [p.name for p in ledger.people],
        "title": [p.title for p in ledger.people if p.title and p.title not in shown],
        "evidence": [s for e in evidence for s in (e.title, e.path, e.url) if s and s not in shown],
        "author": [*AUTHORS, *EMAILS],
        "hidden problem": [hidden.title, *(m.text for m in hidden.manifestations),
                           *(s for m in hidden.measures for s in (m.text, m.progress) if s),
                           *(line.strip() for line in hidden.body.splitlines() if line.strip())],
    }


def words(ledger: Ledger) -> dict[str, re.Pattern[str]]:
    """Ids that must not appear as a word (a link to /owners/<id>/, a JSON value, P33-M1)."""
    ids = [p.id for p in ledger.people] + [HIDDEN]
    return {i: re.compile(rf"(?<![A-Za-z0-9_]){re.escape(i)}(?![A-Za-z0-9_])") for i in ids}


def found(site: Site, ledger: Ledger) -> set[tuple[str, str]]:
    """(kind, text) of everything private found anywhere in the site."""
    hits = {(kind, s) for kind, texts in private(ledger).items() for s in texts
            if any(s in text for text in site.files.values())}
    hits |= {("id", i) for i, pattern in words(ledger).items() if any(pattern.search(t) for t in site.files.values())}
    return hits


def test_nothing_private_in_any_file(public_site: Site, reference_ledger: Ledger) -> None:
    assert found(public_site, reference_ledger) == set()


def test_the_internal_site_has_it_all(internal_site: Site, reference_ledger: Ledger) -> None:
    """Guards the public test: each private thing it looks for is there in a usual build."""
    expected = {(kind, s) for kind, texts in private(reference_ledger).items() for s in texts if kind != "author"}
    expected |= {("id", i) for i in words(reference_ledger)}
    assert expected - found(internal_site, reference_ledger) == set()
    assert len(private(reference_ledger)["title"]) >= 15  # few are quoted in record text
    assert len(private(reference_ledger)["evidence"]) >= 100


def test_departments_are_named(public_site: Site, reference_ledger: Ledger) -> None:
    page = public_site.files["owners/index.html"]
    assert [d.name for d in reference_ledger.departments if d.name not in page] == []
    # One page per department, and their list (the 科室 tab, departments/index.html).
    assert sorted(p.name for p in (public_site.build.site / "departments").iterdir()) == sorted(
        [d.id for d in reference_ledger.departments] + ["index.html"])


def test_no_person_pages_and_no_guide(public_site: Site, internal_site: Site) -> None:
    assert sorted(p for p in public_site.files if p.startswith("owners/")) == ["owners/index.html"]
    assert [p for p in public_site.files if p.startswith("guide/")] == []
    assert "guide/index.html" in internal_site.files
    assert "使用指南" not in public_site.files["index.html"] and "使用指南" in internal_site.files["index.html"]


def test_only_the_public_json_to_download(public_site: Site, internal_site: Site) -> None:
    assert sorted(p for p in public_site.files if p.startswith("downloads/")) == ["downloads/taizhang.json"]
    assert sorted(p for p in internal_site.files if p.startswith("downloads/")) == [
        "downloads/taizhang.csv", "downloads/taizhang.json", "downloads/taizhang.xlsx"]
    assert "taizhang.xlsx" not in public_site.files["index.html"]


def test_public_figures_leave_the_hidden_problem_out(public_site: Site, internal_site: Site) -> None:
    public, internal = public_site.json(), internal_site.json()
    hidden = [m for m in internal["measures"] if m["problem"] == HIDDEN]
    assert len(hidden) == 2
    assert public["summary"]["problems"] == internal["summary"]["problems"] - 1 == 34
    assert public["summary"]["measures"] == internal["summary"]["measures"] - 2 == 86
    assert sum(a["measures"] for a in public["areas"]) == 86
    assert HIDDEN not in [p["id"] for p in public["problems"]]
    assert {k for m in public["measures"] for k in m} & {"leader", "owner", "closed_by", "evidence"} == set()
    assert {"leader", "owner"} <= set(internal["measures"][0])


def test_public_ledger(reference_ledger: Ledger) -> None:
    shown = public_ledger(reference_ledger)
    measures = shown.measures()
    assert (shown.people, shown.declared) == ([], None)
    assert [p.id for p in shown.problems] == [p.id for p in reference_ledger.problems if p.id != HIDDEN]
    assert all(not m.leader and not m.owner and not m.evidence and m.closed_by is None for m in measures)
    assert {e.approved_by for m in measures for e in m.extensions} == {""}
    assert {r.by for m in measures for r in m.rechecks} == {""}
    assert all(p.body == "" for p in shown.problems)
    assert len(reference_ledger.people) == 19 and reference_ledger.problems[0].body  # the original is untouched


@pytest.mark.parametrize(("nav", "expected"), [
    (["index.md", {"使用指南": ["guide/index.md", {"日常填报": "guide/update.md"}]}], ["index.md"]),
    ([{"首页": "index.md"}, {"外部": "https://example.org/"}, {"空": []}],
     [{"首页": "index.md"}, {"外部": "https://example.org/"}]),
    ([{"报告": ["weekly/index.md", "guide/x.md"]}], [{"报告": ["weekly/index.md"]}]),
])
def test_public_nav(nav: list, expected: list) -> None:
    assert public_nav(nav, {"index.md", "weekly/index.md"}) == expected


def test_a_name_typed_into_published_text_stops_the_public_build(ledger: Callable[..., Path]) -> None:
    """Progress is published as written: a person's name there fails `--strict`, with its line."""
    root = ledger({"records/A1/P01.md": PROBLEM.replace("progress: 已起草", "progress: 已起草，由李四负责")}, site=True)
    public = build(root, env={"TAIZHANG_AS_OF": AS_OF, "TAIZHANG_PROFILE": "public"})
    assert public.error is not None
    assert public.warnings() == ["records/A1/P01.md:16: measures[0].progress: 公开版原样公开这段文字，其中不应有人员姓名，实际有“李四”"]
    assert build(root, env={"TAIZHANG_AS_OF": AS_OF}).error is None
