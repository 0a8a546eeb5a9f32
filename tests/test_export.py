"""The exports of the reference ledger against figures counted by hand from its records."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import REPO
from taizhang.cli.main import main


@pytest.fixture(scope="module")
def data() -> dict:
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        assert main(["export", "--format", "json", "--root", str(REPO), "--as-of", "2023-09-15"]) == 0
    return json.loads(out.getvalue())


def test_summary_matches_the_hand_count(data: dict) -> None:
    assert data["ledger"] == {"title": "区委第三巡察组巡察青山镇党委反馈意见整改台账", "unit": "青山镇党委", "as_of": "2023-09-15",
                              "inspection": {"by": "区委第三巡察组", "from": "2023-04-20", "to": "2023-05-20",
                                             "feedback_on": "2023-07-06"}}
    assert data["summary"] == {
        "problems": 35, "manifestations": 56, "measures": 88,
        "measures_by_status": {"not_started": 4, "in_progress": 17, "done": 19, "closed": 48},
        "overdue": 5, "due_soon": 5, "completion_rate": 0.7614,
        # Issue 17: the problem-level figures of the upward sentence (a problem is completed when all its measures are).
        "problems_by_status": {"not_started": 0, "in_progress": 20, "done": 10, "closed": 5},
        "problems_completed": 15, "measures_completed": 67,
    }


def test_areas(data: dict) -> None:
    assert [(a["id"], a["problems"], a["measures"], a["completion_rate"]) for a in data["areas"]] == [
        ("A1", 9, 22, 0.8182), ("A2", 9, 21, 0.7619), ("A3", 9, 24, 0.7083), ("A4", 8, 21, 0.7619),
    ]


def test_derived_marks(data: dict) -> None:
    by = lambda key: sorted(m["id"] for m in data["measures"] if m[key])  # noqa: E731
    assert by("overdue") == ["P06-M1", "P13-M2", "P16-M2", "P23-M2", "P35-M2"]
    # P02-M2 falls due on the as-of date itself, P25-M2 on the last day of the 14-day window.
    assert by("due_soon") == ["P02-M2", "P14-M2", "P19-M2", "P21-M2", "P25-M2"]
    assert by("late") == ["P04-M2", "P11-M1", "P19-M1", "P30-M2"]
    assert sorted(m["id"] for m in data["measures"] if m["due"] == "long_term") == [
        "P01-M3", "P06-M3", "P15-M3", "P28-M3", "P32-M3", "P34-M2"]


def test_problem_statuses(data: dict) -> None:
    status = {p["id"]: p["status"] for p in data["problems"]}
    assert sorted(k for k, v in status.items() if v == "closed") == ["P03", "P05", "P08", "P18", "P22"]
    assert sum(v == "done" for v in status.values()) == 10
    assert sum(v == "in_progress" for v in status.values()) == 20
    assert data["problems"][0] == {"id": "P01", "area": "A1", "title": data["problems"][0]["title"],
                                   "status": "in_progress", "path": "records/A1/P01.md",
                                   "measures": ["P01-M1", "P01-M2", "P01-M3"]}


def test_measure_shape(data: dict) -> None:
    m = next(m for m in data["measures"] if m["id"] == "P35-M2")
    assert (m["status"], m["overdue"], m["done_on"], m["closed_on"]) == ("in_progress", True, None, None)
    assert isinstance(m["leader"], list) and isinstance(m["department"], list) and isinstance(m["owner"], list)


def test_csv_has_one_row_per_measure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "csv", "--root", str(REPO), "--as-of", "2023-09-15"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("\ufeff编号,问题编号,方面,整改措施")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 89
    overdue = [r[0] for r in rows[1:] if r[9] == "是"]
    assert overdue == ["P06-M1", "P13-M2", "P16-M2", "P23-M2", "P35-M2"]


def test_export_to_file(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.json"
    assert main(["export", "--format", "json", "-o", str(out), "--root", str(REPO), "--as-of", "2023-09-15"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["measures"] == 88
    assert capsys.readouterr().out == ""


def test_csv_cells_never_become_formulas(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import PROBLEM

    root = ledger({"records/A1/P01.md": PROBLEM.replace("text: 制定学习计划", "text: =HYPERLINK(\"http://x\")")
                   .replace("progress: 已起草", "progress: '@SUM(1+1)'")})
    assert main(["export", "--format", "csv", "--root", str(root), "--as-of", "2023-09-15"]) == 0
    row = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))[1]
    assert row[3] == "'=HYPERLINK(\"http://x\")" and row[14] == "'@SUM(1+1)"
