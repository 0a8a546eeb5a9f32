"""The roll-up of a round: demo units' real exports (a path and a URL on a local http.server), one
stale, one missing; the figures summed, every unit shown with its state, hostile text kept as text."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import build
from taizhang.cli.main import main
from taizhang.labels import ROLLUP_WORDS as R
from taizhang.rollup import units

TODAY = "2023-08-12"  # the roll-up's as-of date
CURRENT = "2023-08-11"  # the last weekly commit of a 4-week demo
STALE = "2023-07-28"  # the last of a 2-week demo: 15 days before TODAY, max_age_days is 8


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1, on a free port, for as long as the block runs."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_export(base: Path, name: str, seed: int, weeks: int, as_of: str) -> tuple[Path, dict]:
    root = base / name
    assert main(["demo", str(root), "--problems", "12", "--weeks", str(weeks), "--seed", str(seed)]) == 0
    out = base / "exports" / name / "taizhang.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    assert main(["export", "--format", "json", "--root", str(root), "--as-of", as_of, "-o", str(out)]) == 0
    return root, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Three demo units (two current, one stale) and one unit whose export is missing; one export
    is read over HTTP. Yields the roll-up's folder and the exports."""
    base = tmp_path_factory.mktemp("round")
    with contextlib.redirect_stdout(None):
        u1, e1 = demo_export(base, "u1", 1, 4, CURRENT)
        u2, e2 = demo_export(base, "u2", 2, 4, CURRENT)
        u3, e3 = demo_export(base, "u3", 3, 2, STALE)
        assert main(["init", "--rollup", str(base / "rollup"), "--round", "区委2023年第一轮巡察"]) == 0
    with served(base / "exports") as url:
        yield {"base": base, "root": base / "rollup", "url": url, "exports": {"u1": e1, "u2": e2, "u3": e3},
               "owners": [yaml.safe_load((u / "records" / "owners.yml").read_text(encoding="utf-8")) for u in (u1, u2, u3)]}


def write_units(root: Path, url: str, allow: bool, extra: str = "") -> None:
    (root / "units.yml").write_text(f"""\
round: 区委2023年第一轮巡察
from: 2023-05-01
to: 2023-06-30
allow_missing: {str(allow).lower()}
{extra}units:
  - {{id: u1, name: 青山镇, export: ../exports/u1/taizhang.json, site: "https://zhenggai.example.invalid/u1/"}}
  - {{id: u2, name: 绿水镇, export: "{url}/u2/taizhang.json"}}
  - {{id: u3, name: 白云街道, export: ../exports/u3/taizhang.json}}
  - {{id: u4, name: 红旗乡, export: "{url}/u4/taizhang.json"}}
""", encoding="utf-8")


def rollup_build(round_: dict, allow: bool, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    root = round_["root"]
    write_units(root, round_["url"], allow)
    shutil.rmtree(root / "site", ignore_errors=True)
    return build(root, env={"TAIZHANG_AS_OF": TODAY, **(env or {})})


def test_strict_build_fails_on_the_stale_and_the_missing_unit(round_: dict) -> None:
    built = rollup_build(round_, allow=False)
    assert built.error is not None
    lines = built.warnings()
    assert any("u3" in w and R["stale"] in w and STALE in w for w in lines), lines
    assert any("u4" in w and R["missing"] in w and "HTTP 404" in w for w in lines), lines
    assert not any("u1" in w or "u2" in w for w in lines)


def test_the_rounds_figures_are_the_sum_of_the_current_units_exports(round_: dict) -> None:
    built = rollup_build(round_, allow=True)
    assert built.error is None, built.warnings()
    current = [round_["exports"][u]["summary"] for u in ("u1", "u2")]
    summed = {k: sum(s[k] for s in current) for k in ("problems", "measures", "overdue", "due_soon")}
    completed = sum(s["measures_by_status"]["done"] + s["measures_by_status"]["closed"] for s in current)
    rate = f"{completed / summed['measures'] * 100:.1f}".rstrip("0").rstrip(".") + "%"
    home = built.html("/")
    assert R["sentence"].format(units=4, counted=2, completed=completed, rate=rate, **summed) in home
    # Every unit is on the page, the stale and the missing one with their state and the reason.
    for name in ("青山镇", "绿水镇", "白云街道", "红旗乡"):
        assert name in home
    assert R["lacking_title"].format(n=2) in home
    assert R["stale"] in home and R["missing"] in home and "HTTP 404" in home
    stale = built.html("/units/u3/")
    assert R["stale_note"].format(as_of=STALE) in stale
    assert str(round_["exports"]["u3"]["summary"]["measures"]) in stale
    assert round_["exports"]["u1"]["commit"][:8] in home  # the commit each export was built from


def test_overdue_and_due_soon_of_all_units_on_one_page_and_in_the_workbook(round_: dict) -> None:
    built = rollup_build(round_, allow=True)
    assert built.error is None, built.warnings()
    due = built.html("/due/")
    urgent = {u: [m["id"] for m in round_["exports"][u]["measures"] if m["overdue"] or m["due_soon"]] for u in ("u1", "u2")}
    assert urgent["u1"] and urgent["u2"]
    for ids in urgent.values():
        for mid in ids:
            assert f">{mid}<" in due
    assert 'href="https://zhenggai.example.invalid/u1/problems/' in due  # measures link to the unit's own site
    wb = openpyxl.load_workbook(built.site / "downloads" / "rollup.xlsx")
    assert wb.sheetnames == [R["sheet_units"], R["sheet_open"]]
    names = [wb[R["sheet_units"]].cell(r, 1).value for r in range(4, 9)]
    assert names == ["青山镇", "绿水镇", "白云街道", "红旗乡", R["total"]]
    measures = [wb[R["sheet_units"]].cell(r, 4).value for r in range(4, 9)]
    e = round_["exports"]
    assert measures == [e["u1"]["summary"]["measures"], e["u2"]["summary"]["measures"], e["u3"]["summary"]["measures"],
                        None, e["u1"]["summary"]["measures"] + e["u2"]["summary"]["measures"]]
    open_rows = wb[R["sheet_open"]]
    assert sorted(open_rows.cell(r, 2).value for r in range(4, open_rows.max_row + 1)) == sorted(urgent["u1"] + urgent["u2"])


def test_the_public_roll_up_names_no_person(round_: dict) -> None:
    built = rollup_build(round_, allow=True, env={"TAIZHANG_PROFILE": "public"})
    assert built.error is None, built.warnings()
    assert not (built.site / "downloads" / "rollup.xlsx").exists()
    people = [p for owners in round_["owners"] for p in owners["people"]]
    assert people
    for page in built.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for person in people:
            assert person["name"] not in html, (page, person["name"])
            assert person["id"] not in html, (page, person["id"])
    index = (built.site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert not [p["name"] for p in people if p["name"] in index]


def test_hostile_export_text_renders_as_text(tmp_path: Path, round_: dict) -> None:
    data = json.loads(json.dumps(round_["exports"]["u1"]))
    script = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    long = "长" * 100_000
    data["ledger"]["title"] = script + long
    data["areas"][0]["name"] = "[点我](javascript:alert(3)) " + script
    m = next(m for m in data["measures"] if m["overdue"])
    m["text"], m["progress"], m["id"] = script + " | 断表 |", long, "X<b>1</b>"
    (tmp_path / "hostile.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    root = tmp_path / "rollup"
    assert main(["init", "--rollup", str(root)]) == 0
    (root / "units.yml").write_text(
        "round: '<script>alert(4)</script>'\nunits:\n"
        "  - {id: h, name: '<b>恶意</b>" + "名" * 5000 + "', export: ../hostile.json, site: 'javascript:alert(5)'}\n",
        encoding="utf-8")
    built = build(root, env={"TAIZHANG_AS_OF": CURRENT})
    assert built.error is None, built.warnings()
    for page in built.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html, page
        assert 'href="javascript:' not in html, page
    unit = built.html("/units/h/")
    assert "&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;" in unit
    assert long in unit  # shown whole, as text


def test_unreadable_unknown_version_too_big_and_slow_exports_are_marked(tmp_path: Path, round_: dict) -> None:
    good = round_["exports"]["u1"]
    (tmp_path / "v2.json").write_text(json.dumps({**good, "schema_version": 2}), encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "hole.json").write_text(json.dumps({**good, "summary": {}}), encoding="utf-8")
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    silent = socket.socket()  # listens, never answers: the fetch must give up
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        config = units.Config("r", None, None, [], timeout_seconds=1.0, max_bytes=len(json.dumps(good)) + 10)
        day = date.fromisoformat(CURRENT)

        def state(export: str, **changes: object) -> tuple[str, str]:
            found = units.read(tmp_path, units.Config(**{**config.__dict__, **changes}), units.Source("x", "x", export), day)
            return found.state, found.reason

        assert state("good.json")[0] == "ok"
        assert state("v2.json") == ("unknown_schema", R["version"].format(version="“2”", known=1))
        assert state("bad.json")[0] == "unreadable"
        assert state("hole.json")[0] == "unreadable"
        assert state("nowhere.json")[0] == "missing"
        assert state("good.json", max_bytes=100) == ("unreadable", R["too_big"].format(limit=100))
        assert state(f"http://127.0.0.1:{silent.getsockname()[1]}/taizhang.json") == (
            "unreadable", R["timeout"].format(seconds=1.0))
        assert state(f"{round_['url']}/u1/taizhang.json", max_bytes=1 << 26)[0] == "ok"
    finally:
        silent.close()


def test_a_wrong_units_yml_is_reported_by_line(tmp_path: Path) -> None:
    root = tmp_path / "rollup"
    assert main(["init", "--rollup", str(root)]) == 0
    (root / "units.yml").write_text("round: r\nunits:\n  - id: a\n    name: 甲\n    export: a.json\n    colour: red\n"
                                    "  - id: a\n    name: 乙\n", encoding="utf-8")
    built = build(root, env={"TAIZHANG_AS_OF": CURRENT})
    assert built.error is not None
    lines = built.warnings()
    assert "units.yml:6: units[0].colour: " + R["unknown_key"] in lines
    assert any(w.startswith("units.yml:7: units[1].id: ") for w in lines), lines
    assert any(w.startswith("units.yml:7: units[1].export: ") for w in lines), lines


def test_init_rollup_writes_a_repository_with_ci_recipes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "round"
    assert main(["init", "--rollup", str(root), "--round", "区委第一轮巡察"]) == 0
    assert "已建立汇总仓库" in capsys.readouterr().out
    assert yaml.safe_load((root / "units.yml").read_text(encoding="utf-8"))["round"] == "区委第一轮巡察"
    assert (root / ".git").is_dir() and not (root / "records").exists()
    github = yaml.safe_load((root / ".github" / "workflows" / "rollup.yml").read_text(encoding="utf-8"))
    triggers = github[True]  # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    assert any("mkdocs build --strict" in step.get("run", "") for step in github["jobs"]["build"]["steps"])
    gitlab = yaml.safe_load((root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert {'$CI_PIPELINE_SOURCE == "schedule"', '$CI_PIPELINE_SOURCE == "web"'} <= {r["if"] for r in gitlab["pages"]["rules"]}
    unit_github = yaml.safe_load((root / "unit-ci" / "github-publish.yml").read_text(encoding="utf-8"))
    assert any(s.get("with", {}).get("path") == "site/downloads/taizhang.json" for s in unit_github["jobs"]["build"]["steps"])
    unit_gitlab = yaml.safe_load((root / "unit-ci" / "gitlab-publish.yml").read_text(encoding="utf-8"))
    assert "mkdocs build --strict --site-dir public" in unit_gitlab["pages"]["script"]
    assert main(["init", "--rollup", str(root)]) == 1  # not over an existing repository
