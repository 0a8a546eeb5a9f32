"""The command line: exit codes, usage errors, the as-of date, and that every command is documented."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from taizhang.cli.main import COMMANDS, main, parser


def test_check_reference_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(REPO), "--as-of", "2023-09-15"]) == 0
    assert capsys.readouterr() == ("", "")


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--as-of", "2023-02-30"]) == 2
    assert "统计日期应为 YYYY-MM-DD" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2


def test_as_of_from_environment(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TAIZHANG_AS_OF", "2023-08-01")
    assert main(["export", "--format", "json", "--root", str(REPO)]) == 1  # records dated after 2023-08-01
    err = capsys.readouterr().err
    assert "不能晚于统计日期 2023-08-01" in err and "Traceback" not in err
    monkeypatch.setenv("TAIZHANG_AS_OF", "2023-09-15")
    assert main(["export", "--format", "json", "--root", str(REPO)]) == 0
    assert json.loads(capsys.readouterr().out)["ledger"]["as_of"] == "2023-09-15"


def test_xlsx_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "xlsx", "--root", str(REPO), "--as-of", "2023-09-15"]) == 2
    assert "-o" in capsys.readouterr().err


def test_export_of_a_broken_ledger_reports_errors(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({"records/A1/P01.md": "no front matter\n"})
    assert main(["export", "--format", "json", "--root", str(root)]) == 1
    assert capsys.readouterr().err.startswith("records/A1/P01.md:1: front matter:")


def test_declared_mismatch_is_a_warning(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({"records/ledger.yml": "title: t\nunit: u\ndeclared:\n  problems: 2\n  measures: 1\nareas:\n  - id: A1\n    name: 甲\n"})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 0
    assert capsys.readouterr().err.splitlines() == ["records/ledger.yml:4: declared.problems: 警告：反馈意见问题数为 2，台账实际为 1"]


def test_every_command_has_help_with_an_example() -> None:
    subs = next(a for a in parser()._actions if a.dest == "command")
    for name in COMMANDS:
        sub = subs.choices[name]
        assert sub.description and "taizhang " + name in sub.description, name
        assert name in (REPO / "README.md").read_text(encoding="utf-8"), f"README does not document {name}"


@pytest.mark.slow
def test_demo_command_writes_a_valid_ledger(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo"
    assert main(["demo", str(target), "--problems", "12", "--weeks", "3", "--seed", "2"]) == 0
    assert "12 个问题，4 次提交" in capsys.readouterr().out
    assert main(["check", "--root", str(target), "--as-of", "2023-08-04"]) == 0
    assert (target / "mkdocs.yml").is_file()


def test_demo_refuses_a_non_empty_folder(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("x")
    assert main(["demo", str(tmp_path), "--problems", "3"]) == 2
    assert "not an empty directory" in capsys.readouterr().err
