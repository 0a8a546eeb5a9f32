"""The versioned JSON export: its schema version, unit, inspection, as-of date and commit, checked against the shipped schema."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from conftest import AS_OF, REPO, build, site_repo
from taizhang.cli.main import main


def schema() -> dict:
    return json.loads((resources.files("taizhang.ledger") / "taizhang.schema.json").read_text(encoding="utf-8"))


def exported(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    out = tmp_path / "taizhang.json"
    assert main(["export", "--format", "json", "--root", str(root), "--as-of", AS_OF, "-o", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_reference_export_is_valid_and_names_its_commit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = exported(REPO, tmp_path, capsys)
    jsonschema.validate(data, schema())
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert data["schema_version"] == 1
    assert data["commit"] == head
    assert data["ledger"]["unit"] == "青山镇党委"
    assert data["ledger"]["as_of"] == AS_OF


def test_outside_git_the_commit_is_null(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "ledger"
    root.mkdir()
    import shutil

    shutil.copytree(REPO / "records", root / "records")
    data = exported(root, tmp_path, capsys)
    jsonschema.validate(data, schema())
    assert data["commit"] is None


def test_the_schema_rejects_an_unknown_version_and_a_missing_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = exported(REPO, tmp_path, capsys)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "schema_version": 2}, schema())
    del data["ledger"]["unit"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


@pytest.mark.parametrize("profile", ["", "public"])
def test_the_sites_download_is_valid(tmp_path: Path, profile: str) -> None:
    root = site_repo(tmp_path / "ledger", REPO / "records")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "records"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "commit", "-qm", "records"], check=True)
    done = build(root, env={"TAIZHANG_AS_OF": AS_OF, "TAIZHANG_PROFILE": profile})
    assert done.error is None, done.warnings()
    data = json.loads((done.site / "downloads" / "taizhang.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema())
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert data["commit"] == head


def test_the_commit_is_read_from_loose_and_packed_refs_detached_and_unborn(tmp_path: Path) -> None:
    from taizhang.history import git

    root = tmp_path / "repo"
    run = lambda *a: subprocess.run(["git", "-C", str(root), *a], capture_output=True, text=True, check=True).stdout.strip()  # noqa: E731
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert git.head(root) is None  # unborn: no commit yet
    (root / "a.txt").write_text("a", encoding="utf-8")
    run("add", "a.txt")
    run("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "a")
    head = run("rev-parse", "HEAD")
    assert git.head(root) == head  # a loose ref
    run("pack-refs", "--all")
    assert not (root / ".git" / "refs" / "heads" / run("branch", "--show-current")).exists()
    assert git.head(root) == head  # packed
    run("checkout", "-q", "--detach")
    assert git.head(root) == head
    run("worktree", "add", "-q", str(tmp_path / "linked"), "-b", "other")
    assert git.head(tmp_path / "linked") == head  # a linked worktree: .git is a file
