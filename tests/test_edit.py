"""The record editor: exact spans, the list's own style, quoting only where YAML needs it, atomic writes."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.authoring import edits as edit
from taizhang.authoring.edits import Document, EditError, needs_quotes

M = ("measures", 0)


def doc(text: str) -> Document:
    return Document(text.encode("utf-8"))


def record(*measure_lines: str, indent: str = "    ") -> str:
    lines = "".join(f"{indent}{line}\n" for line in measure_lines)
    return f"---\nid: P01\nmeasures:\n  - id: P01-M1\n{lines}---\n正文\n"


@pytest.mark.parametrize("value, quoted", [
    ("已起草学习计划", False),
    ("完成A,B两项", False),
    ("x:y", False),
    ("a: b", True),
    ("进度 #2", True),
    ("#2", True),
    ("- 第一项", True),
    ("[草案]", True),
    ("{x}", True),
    ("'引号", True),
    ('"引号', True),
    ("&anchor", True),
    ("*alias", True),
    ("!tag", True),
    ("|", True),
    (">", True),
    ("%x", True),
    ("@x", True),
    ("`x", True),
    ("true", True),
    ("No", True),
    ("null", True),
    ("~", True),
    ("123", True),
    ("1.5", True),
    ("2023-09-30", True),
    ("", True),
    (" 前导空格", True),
    ("末尾空格 ", True),
    ("两行\n文字", True),
    ("\ufeff隐藏", True),
])
def test_needs_quotes_in_block_context(value: str, quoted: bool) -> None:
    assert needs_quotes(value) is quoted


@pytest.mark.parametrize("value, quoted", [("zhangsan", False), ("a,b", True), ("a]", True), ("a}", True), ("中文", False)])
def test_needs_quotes_in_flow_context(value: str, quoted: bool) -> None:
    assert needs_quotes(value, in_flow=True) is quoted


def test_set_replaces_only_the_scalar_and_keeps_its_comment() -> None:
    d = doc(record("status: in_progress   # 推进中", "progress: 已起草  # 第一周"))
    d.set(M, "progress", "已印发")
    assert d.text == record("status: in_progress   # 推进中", "progress: 已印发  # 第一周")


@pytest.mark.parametrize("before, after", [
    ('progress: "旧的"', 'progress: "新的: 50%"'),
    ("progress: '旧的'", "progress: '新的: 50%'"),
    ("progress: 旧的", 'progress: "新的: 50%"'),
    ("progress:", 'progress: "新的: 50%"'),
    ("progress: ~", 'progress: "新的: 50%"'),
])
def test_set_keeps_the_quoting_style(before: str, after: str) -> None:
    d = doc(record("status: in_progress", before))
    d.set(M, "progress", "新的: 50%")
    assert d.text == record("status: in_progress", after)


def test_set_inserts_a_missing_key_after_its_predecessor() -> None:
    d = doc(record("due: 2023-09-30", "status: done", "progress: 已完成", "outcome: 有成效", "closed_by: wangwu"))
    d.set(M, "done_on", date(2023, 9, 1))
    assert d.text == record("due: 2023-09-30", "status: done", "progress: 已完成", "outcome: 有成效", "done_on: 2023-09-01", "closed_by: wangwu")


def test_set_into_a_block_scalar_keeps_header_and_indentation() -> None:
    d = doc(record("progress: |", "  第一行", "  第二行", "", "status: in_progress"))
    d.set(M, "progress", "新一行")
    assert d.text == record("progress: |", "  新一行", "", "status: in_progress")


def test_multiline_text_becomes_a_literal_block() -> None:
    d = doc(record("status: in_progress"))
    d.set(M, "progress", "第一行\n第二行")
    assert d.text == record("status: in_progress", "progress: |-", "  第一行", "  第二行")


def test_ids_follow_the_existing_form() -> None:
    d = doc(record("leader: zhangsan", "department: [dzb]", "owner:", "  - lisi", "  - wangwu", "due: long_term"))
    d.set(M, "leader", ["zhangsan", "lisi"])
    d.set(M, "department", ["czs"])
    d.set(M, "owner", ["lisi"])
    assert d.text == record("leader: [zhangsan, lisi]", "department: [czs]", "owner:", "  - lisi", "due: long_term")


def test_remove_takes_the_key_and_its_whole_value() -> None:
    d = doc(record("status: done", "done_on: 2023-09-01", "evidence:", "  - title: 计划", "    path: evidence/a.pdf", "rechecks: []"))
    d.remove(M, "evidence")
    d.remove(M, "done_on")
    d.remove(M, "missing")
    assert d.text == record("status: done", "rechecks: []")


def test_append_to_a_block_list_copies_its_indentation() -> None:
    d = doc(record("evidence:", "- title: 计划", "  path: evidence/a.pdf", "status: done"))
    d.append(M, "evidence", {"title": "记录", "url": "https://oa.example/1"})
    assert d.text == record("evidence:", "- title: 计划", "  path: evidence/a.pdf", "- title: 记录", "  url: https://oa.example/1", "status: done")


def test_append_to_a_flow_list_stays_on_its_line() -> None:
    d = doc(record("evidence: [{title: 计划, path: evidence/a.pdf}]", "rechecks: []  # 回头看"))
    d.append(M, "evidence", {"title": "记录, 第二批", "url": "https://oa.example/1"})
    d.append(M, "rechecks", {"date": date(2023, 9, 1), "by": "wangwu", "result": "passed"})
    assert d.text == record(
        'evidence: [{title: 计划, path: evidence/a.pdf}, {title: "记录, 第二批", url: https://oa.example/1}]',
        "rechecks: [{date: 2023-09-01, by: wangwu, result: passed}]  # 回头看",
    )


def test_a_new_list_follows_the_files_list_style() -> None:
    text = "---\nid: P01\nmanifestations:\n- id: P01-1\n  text: 表现\nmeasures:\n- id: P01-M1\n  status: done\n---\n"
    d = doc(text)
    d.append(M, "evidence", {"title": "计划", "path": "evidence/a.pdf"})
    assert d.text == text.replace("  status: done\n", "  status: done\n  evidence:\n  - title: 计划\n    path: evidence/a.pdf\n")


def test_crlf_and_bom_survive_byte_for_byte() -> None:
    text = "\ufeff---\r\nid: P01\r\nmeasures:\r\n  - id: P01-M1\r\n    status: in_progress\r\n---\r\n正文\r\n"
    d = Document(text.encode("utf-8"))
    d.set(M, "status", "done")
    d.append(M, "evidence", {"title": "计划", "path": "evidence/a.pdf"})
    expected = text.replace("in_progress\r\n", "done\r\n    evidence:\r\n      - title: 计划\r\n        path: evidence/a.pdf\r\n")
    assert d.to_bytes() == expected.encode("utf-8")


@pytest.mark.parametrize("text", [
    "no front matter\n",
    "---\nid: P01\n",
    "---\n[1, 2]\n---\n",
    "---\nid: &a P01\nx: *a\n---\n",
])
def test_unreadable_records_are_refused(text: str) -> None:
    with pytest.raises(EditError):
        doc(text)


def test_a_flow_mapping_measure_is_refused_not_rewritten() -> None:
    d = doc("---\nid: P01\nmeasures: [{id: P01-M1, status: done}]\n---\n")
    with pytest.raises(EditError):
        d.set(M, "progress", "x")


def _text_values():
    tricky = st.sampled_from(list(" \n\t#:-'\"[]{},&*!|>%@`?~\\\r中0a.yYnN\x85\u2028\ufeff\x00"))
    return st.text(alphabet=tricky | st.characters(blacklist_categories=("Cs",)), max_size=16)


BASES = [
    record("progress: 旧的 # 注释", "status: done"),
    record('progress: "旧的"'),
    record("progress: '旧的'"),
    record("progress: |", "  旧的", "  两行", "", "status: done"),
    record("progress: >-", "  旧的"),
    record("status: done"),
    record("progress:", "status: done"),
    "---\r\nid: P01\r\nmeasures:\r\n  - id: P01-M1\r\n    progress: 旧的\r\n---\r\n",
]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.sampled_from(BASES), _text_values())
def test_any_text_reads_back_exactly_and_nothing_else_moves(base: str, value: str) -> None:
    d = doc(base)
    d.set(M, "progress", value)
    node = d.get((*M, "progress"))
    assert node is not None
    assert (node.value.rstrip("\n") if node.style in ("|", ">") else node.value) == value
    assert d.text.endswith("---\n正文\n") == base.endswith("---\n正文\n")
    assert ("status: done" in d.text) == ("status: done" in base)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from([record("evidence: []"), record("status: done"), record("evidence:", "  - title: a", "    url: b")]),
       _text_values(), _text_values())
def test_any_evidence_appends_exactly(base: str, title: str, url: str) -> None:
    d = doc(base)
    d.append(M, "evidence", {"title": title, "url": url})
    item = d.get((*M, "evidence")).value[-1]
    assert [(k.value, v.value) for k, v in item.value] == [("title", title), ("url", url)]


# -- atomic writes ------------------------------------------------------------------

def test_write_atomic_replaces_content_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "P01.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    edit.write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["P01.md"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "P01.md"
    path.write_bytes(b"old")

    def fail(src: str, dst: str) -> None:
        assert Path(src).read_bytes() == b"new"  # written and flushed, not yet renamed
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(edit, "replace", fail)
    with pytest.raises(OSError):
        edit.write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["P01.md"]


def test_a_new_file_never_replaces_one_that_exists(tmp_path: Path) -> None:
    path = tmp_path / "P02.md"
    path.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        edit.write_atomic(path, b"theirs", new=True)
    assert path.read_bytes() == b"mine"
