"""Hostile input: every case ends in exact SPEC section 4 lines and exit 1 — no traceback, no hang."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import PROBLEM, build
from taizhang.cli.main import main

AS_OF = "2023-09-15"
P02 = "records/A1/P02.md"
VALID = PROBLEM.replace("P01", "P02")  # a second, valid problem; each case spoils it


def spoil(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def done_with(path: str) -> str:
    """The valid problem's measure completed, with one evidence file at `path`."""
    return spoil("    status: in_progress\n", f"    status: done\n    done_on: 2023-09-01\n    evidence:\n      - title: 计划\n        path: {path}\n")


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check", "--root", str(root), "--as-of", AS_OF])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err.splitlines()


def check_process(root: Path) -> tuple[int, list[str]]:
    """`taizhang check` in its own interpreter: a hang is a timeout, a C-level crash a signal."""
    done = subprocess.run([sys.executable, "-m", "taizhang.cli", "check", "--root", str(root), "--as-of", AS_OF],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    return done.returncode, done.stderr.splitlines()


# -- malformed records: (content of records/A1/P02.md, the exact lines on stderr) -----------------

GBK_AT = len(b"---\nid: P02\narea: A1\ntitle: ") + 1

CASES: dict[str, tuple[str | bytes, list[str]]] = {
    "unclosed flow sequence": ("---\nid: P02\nmeasures: [a, b\n---\n", [
        f"{P02}:4: yaml: YAML 语法错误：while parsing a flow sequence，did not find expected ',' or ']'"]),
    "unclosed flow mapping": ("---\nid: {a: 1\n---\n", [
        f"{P02}:3: yaml: YAML 语法错误：while parsing a flow mapping，did not find expected ',' or '}}'"]),
    "unclosed quote": ('---\nid: P02\ntitle: "理论学习\n---\n', [
        f"{P02}:4: yaml: YAML 语法错误：while scanning a quoted scalar，found unexpected end of stream"]),
    "key indented too far": ("---\nid: P02\n  area: A1\n---\n", [
        f"{P02}:3: yaml: YAML 语法错误：mapping values are not allowed in this context"]),
    "list item indented wrong": (spoil("    text: 学习次数不足", "   text: 学习次数不足"), [
        f"{P02}:7: yaml: YAML 语法错误：while parsing a block collection，did not find expected '-' indicator"]),
    "tab indentation": (spoil("  - id: P02-1", "\t- id: P02-1"), [
        f"{P02}:6: yaml: YAML 语法错误：while scanning for the next token，found character that cannot start any token"]),
    "duplicate key": (spoil("area: A1\n", "area: A1\narea: A2\n"), [f"{P02}:4: area: 键重复出现"]),
    "scalar as front matter": ("---\n只有一句话\n---\n正文\n", [f"{P02}:2: front matter: 应为键值映射，实际为“只有一句话”"]),
    "list as front matter": ("---\n- id: P02\n- area: A1\n---\n", [f"{P02}:2: front matter: 应为键值映射，实际为列表"]),
    "scalar as a measure": (spoil("  - id: P02-M1\n", "  - 制定学习计划\n  - id: P02-M1\n"), [
        f"{P02}:9: measures[0]: 应为键值映射，实际为“制定学习计划”"]),
    "missing closing line": ("---\nid: P02\narea: A1\n", [f"{P02}:1: front matter: YAML 头部缺少结束行 ---"]),
    "only an opening line": ("---\n", [f"{P02}:1: front matter: YAML 头部缺少结束行 ---"]),
    "empty front matter": ("---\n---\n正文\n", [f"{P02}:1: front matter: YAML 头部为空"]),
    "no front matter": ("# 理论学习不够深入\n\n正文\n", [f"{P02}:1: front matter: 应以 --- 开头的 YAML 头部，实际第一行为 “# 理论学习不够深入”"]),
    "empty file": ("", [f"{P02}:1: front matter: 应以 --- 开头的 YAML 头部，实际文件为空"]),
    "blank lines only": ("\n  \n\n", [f"{P02}:1: front matter: 应以 --- 开头的 YAML 头部，实际文件为空"]),
    "GBK bytes": (VALID.encode("gbk"), [
        f"{P02}:4: encoding: 应为 UTF-8 编码，实际第 {GBK_AT} 字节无法按 UTF-8 解码（可能是 GBK 编码，请另存为 UTF-8）"]),
    "NUL byte": (spoil("学习次数不足", "学习\x00次数不足"), [f"{P02}:7: encoding: 应为文本文件，实际包含 NUL 字节"]),
    "control character": (spoil("学习次数不足", "学习\x07次数\x1b[31m不足"), [
        f"{P02}:7: yaml: 应为可打印的文字，实际包含不允许的字符 U+0007"]),
    "alias": (spoil("    owner: lisi\n", "    owner: &who lisi\n    leader: *who\n"), [
        f"{P02}:13: yaml: 不支持 YAML 锚点与别名（& 和 *），请直接写出内容"]),  # the anchor's line
    "merge key": (spoil("  - id: P02-M1\n", "  - <<: {id: P02-M1}\n"), [f"{P02}:9: yaml: 不支持 YAML 标签 tag:yaml.org,2002:merge"]),
    "python object tag": ("---\nid: !!python/object/apply:os.system ['touch PWNED']\n---\n", [
        f"{P02}:2: yaml: 不支持 YAML 标签 tag:yaml.org,2002:python/object/apply:os.system"]),
    "python name tag": ("---\nid: !!python/name:os.system\n---\n", [
        f"{P02}:2: yaml: 不支持 YAML 标签 tag:yaml.org,2002:python/name:os.system"]),
    "custom tag": (spoil("title: 理论", "title: !foo 理论"), [f"{P02}:4: yaml: 不支持 YAML 标签 !foo"]),
    "YAML 1.1 boolean key on": (spoil("area: A1\n", "area: A1\non: yes\n"), [
        f"{P02}:4: on: 未知的键 on（可用的键：area、extra、id、manifestations、measures、public、title）"]),
    "YAML 1.1 boolean key yes": (spoil("area: A1\n", "area: A1\nyes: 1\n"), [
        f"{P02}:4: yes: 未知的键 yes（可用的键：area、extra、id、manifestations、measures、public、title）"]),
    "YAML 1.1 boolean value": (spoil("area: A1\n", "area: A1\npublic: yes\n"), [
        f"{P02}:4: public: 应为 true 或 false，实际为“yes”"]),
    "impossible date": (spoil("due: 2023-09-30", "due: 2023-02-30"), [
        f"{P02}:14: measures[0].due: 应为真实存在的日期，实际为“2023-02-30”"]),
    "impossible done_on": (done_with("evidence/plan.txt").replace("done_on: 2023-09-01", "done_on: 2023-13-01"), [
        f"{P02}:16: measures[0].done_on: 应为真实存在的日期，实际为“2023-13-01”",
        f"{P02}:19: measures[0].evidence[0].path: 应为 records/ 下存在的文件，实际找不到 records/evidence/plan.txt"]),
    "line break inside a quoted value": (spoil("status: in_progress", 'status: "in\\nprogress"'), [
        f"{P02}:15: measures[0].status: 应为 not_started | in_progress | done | closed 之一，实际为“in\\nprogress”"]),
    "blank key": (spoil("area: A1\n", 'area: A1\n" ": 1\n'), [f"{P02}:4: front matter: 键应为非空文字，实际为“ ”"]),
    "list as key": (spoil("area: A1\n", "area: A1\n? [a, b]\n: 1\n"), [f"{P02}:4: front matter: 键应为非空文字，实际为列表"]),
    "key with colon and line break": (spoil("area: A1\n", 'area: A1\n"x: y\\nz": 1\n'), [
        f"{P02}:4: x:y\\nz: 未知的键 x: y\\nz（可用的键：area、extra、id、manifestations、measures、public、title）"]),
    "too deep for the model": (spoil("progress: 已起草", "extra: " + "[" * 40 + "]" * 40), [
        f"{P02}:16: yaml: 嵌套层级过深（超过 32 层）"]),
    # An id is an address: none of these may name a file.
    "id with a slash": (spoil("id: P02\n", "id: ../../evil\n"), [
        f"{P02}:2: id: 编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为“../../evil”"]),
    "id with a space": (spoil("id: P02\n", "id: P 02\n"), [
        f"{P02}:2: id: 编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为“P 02”"]),
    "id that is ..": (spoil("id: P02\n", "id: ..\n"), [
        f"{P02}:2: id: 编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为“..”"]),
    "id index takes a list page's address": (spoil("id: P02\n", "id: index\n"), [
        f"{P02}:2: id: 应为不与列表页地址 index 相同的编号，实际为 index"]),
    "measure id with a slash": (spoil("id: P02-M1", "id: P02/M1"), [
        f"{P02}:9: measures[0].id: 编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为“P02/M1”"]),
    "evidence path with ..": (done_with("../../outside.txt"), [
        f"{P02}:19: measures[0].evidence[0].path: 应位于 records/ 之内，实际指向其外：../../outside.txt"]),
    "evidence path absolute": (done_with("/etc/passwd"), [
        f"{P02}:19: measures[0].evidence[0].path: 应为 records/ 下的相对路径，实际为绝对路径 /etc/passwd"]),
    "evidence path Windows absolute": (done_with("C:/Windows/win.ini"), [
        f"{P02}:19: measures[0].evidence[0].path: 应为 records/ 下的相对路径，实际为绝对路径 C:/Windows/win.ini"]),
    "very long value": (spoil("status: in_progress", "status: " + "x" * 1_000_000), [
        f"{P02}:15: measures[0].status: 应为 not_started | in_progress | done | closed 之一，实际为“{'x' * 39}…”"]),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_record(case: str, ledger, capsys: pytest.CaptureFixture[str]) -> None:
    content, expected = CASES[case]
    root = ledger({P02: content})
    assert check(root, capsys) == (1, expected)


def test_object_tag_runs_nothing(ledger, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = ledger({P02: "---\nid: !!python/object/apply:os.system ['touch PWNED']\n---\n"})
    monkeypatch.chdir(root)
    assert check(root, capsys)[0] == 1
    assert not (root / "PWNED").exists()


ACCEPTED: dict[str, str | bytes] = {
    "UTF-8 BOM": b"\xef\xbb\xbf" + VALID.encode(),
    "CRLF line endings": VALID.replace("\n", "\r\n"),
    "BOM and CRLF": b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode(),
    "tabs inside values": spoil("title: 理论学习不够深入", "title:\t理论\t学习不够深入"),
    "front matter closed by ...": spoil("---\n问题说明", "...\n问题说明"),
    "--- inside a block scalar": spoil("title: 理论学习不够深入\n", "title: 理论学习不够深入\nextra:\n  note: |\n    ---\n    见附件\n"),
    "a 1 MB title": spoil("title: 理论学习不够深入", "title: " + "长" * 1_000_000),
}


@pytest.mark.parametrize("case", ACCEPTED)
def test_accepted(case: str, ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({P02: ACCEPTED[case]})
    assert check(root, capsys) == (0, [])


# -- cases that could hang or crash the interpreter: run in a subprocess ----------------------------

def billion_laughs() -> str:
    levels = [f"l0: &l0 [{', '.join(['哈'] * 9)}]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "---\n" + "\n".join(levels) + "\n---\n"


def many_measures(n: int) -> str:
    measure = ("  - id: P02-M{i}\n    text: 措施{i}\n    leader: zhangsan\n    department: dzb\n"
               "    owner: lisi\n    due: 2023-09-30\n    status: in_progress\n")
    return spoil("  - id: P02-M1\n    text: 制定学习计划\n    leader: zhangsan\n    department: dzb\n    owner: lisi\n"
                 "    due: 2023-09-30\n    status: in_progress\n    progress: 已起草\n",
                 "".join(measure.format(i=i) for i in range(1, n + 1)))


HEAVY: dict[str, tuple[Callable[[], str], int, list[str]]] = {
    "billion laughs": (billion_laughs, 1, [f"{P02}:2: yaml: 不支持 YAML 锚点与别名（& 和 *），请直接写出内容"]),
    "20 MB record": (lambda: VALID + "正文" * 3_500_000, 1, [f"{P02}:1: file: 文件过大：应不超过 8 MB，实际为 20.0 MB"]),
    "10,000 measures": (lambda: many_measures(10_000), 0, []),
    "10,000 nested flow sequences": (lambda: "---\nid: " + "[" * 10_000 + "]" * 10_000 + "\n---\n", 1, [
        f"{P02}:2: yaml: YAML 语法错误：while increasing flow level，exceeded maximum nesting depth"]),
    "10,000 unclosed flow mappings": (lambda: "---\nid: " + "{a: " * 10_000 + "\n---\n", 1, [
        f"{P02}:2: yaml: YAML 语法错误：while increasing flow level，exceeded maximum nesting depth"]),
    "2,000 nested block mappings": (lambda: "---\n" + "".join(" " * i + "a:\n" for i in range(2_000)) + "---\n", 1, [
        f"{P02}:1001: yaml: YAML 语法错误：while increasing block level，exceeded maximum nesting depth"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", HEAVY)
def test_heavy_record(case: str, ledger) -> None:
    make, code, expected = HEAVY[case]
    root = ledger({P02: make()})
    assert check_process(root) == (code, expected)


def test_heavy_ledger_yml(ledger) -> None:
    root = ledger({"records/ledger.yml": billion_laughs().strip("-\n") + "\n"})
    assert check_process(root) == (1, [
        "records/ledger.yml:1: yaml: 不支持 YAML 锚点与别名（& 和 *），请直接写出内容",
    ])


# -- the file system: links out of records/, pipes, broken ledger files ----------------------------

@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the ledger, holding a valid problem and an evidence file."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "P09.md").write_text(PROBLEM.replace("P01", "P09"), encoding="utf-8")
    (folder / "plan.txt").write_text("计划", encoding="utf-8")
    return folder


def test_linked_problem_outside(ledger, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger()
    (root / "records/A1/P09.md").symlink_to(outside / "P09.md")
    assert check(root, capsys) == (1, ["records/A1/P09.md:1: file: 符号链接指向 records/ 之外，已拒绝读取"])


def test_linked_folder_outside(ledger, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger()
    (root / "records/A2").symlink_to(outside, target_is_directory=True)
    assert check(root, capsys) == (1, ["records/A2:1: file: 符号链接指向 records/ 之外，已拒绝读取"])


def test_linked_evidence_folder_outside(ledger, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({P02: done_with("evidence/plan.txt")})
    (root / "records/evidence").symlink_to(outside, target_is_directory=True)
    assert check(root, capsys) == (1, [f"{P02}:19: measures[0].evidence[0].path: 应位于 records/ 之内，实际指向其外：evidence/plan.txt"])


def test_linked_evidence_file_outside(ledger, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({P02: done_with("evidence/plan.txt")})
    (root / "records/evidence").mkdir()
    (root / "records/evidence/plan.txt").symlink_to(outside / "plan.txt")
    assert check(root, capsys) == (1, [f"{P02}:19: measures[0].evidence[0].path: 应位于 records/ 之内，实际指向其外：evidence/plan.txt"])


def test_linked_ledger_yml_outside(ledger, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger()
    (outside / "ledger.yml").write_text((root / "records/ledger.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "records/ledger.yml").unlink()
    (root / "records/ledger.yml").symlink_to(outside / "ledger.yml")
    assert check(root, capsys) == (1, [
        "records/ledger.yml:1: file: 符号链接指向 records/ 之外，已拒绝读取",
    ])


def test_link_inside_records_is_read(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger()
    (root / "records/A1/P05.md").symlink_to("P01.md")
    assert check(root, capsys) == (1, [
        "records/A1/P05.md:2: id: 编号 P01 重复，已用于 records/A1/P01.md:2",
        "records/A1/P05.md:6: manifestations[0].id: 编号 P01-1 重复，已用于 records/A1/P01.md:6",
        "records/A1/P05.md:9: measures[0].id: 编号 P01-M1 重复，已用于 records/A1/P01.md:9",
    ])


def test_link_loop(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger()
    (root / "records/A1/P05.md").symlink_to("P06.md")
    (root / "records/A1/P06.md").symlink_to("P05.md")
    assert check(root, capsys) == (1, [
        "records/A1/P05.md:1: file: 无法读取文件：符号链接形成循环",
        "records/A1/P06.md:1: file: 无法读取文件：符号链接形成循环",
    ])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_named_pipe_is_not_read(ledger) -> None:
    root = ledger()
    os.mkfifo(root / P02)
    assert check_process(root) == (1, [f"{P02}:1: file: 应为普通文件，实际为文件夹、管道或设备"])


def test_line_break_in_a_file_name(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({"records/A1/P\n02.md": ""})
    assert check(root, capsys) == (1, ["records/A1/P\\n02.md:1: front matter: 应以 --- 开头的 YAML 头部，实际文件为空"])


@pytest.mark.parametrize("name", ["records/一 组/问题 \"甲\" 'x'.md", "records/A1/$(touch PWNED).md", "records/A1/;touch PWNED;`touch PWNED`.md"])
def test_file_names_are_only_names(name: str, ledger, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = ledger({name: spoil("due: 2023-09-30", "due: 2023-02-30")})
    monkeypatch.chdir(root)
    assert check(root, capsys) == (1, [f"{name}:14: measures[0].due: 应为真实存在的日期，实际为“2023-02-30”"])
    assert not (root / "PWNED").exists()


LEDGER_FILES: dict[str, tuple[str, str | bytes, list[str]]] = {
    "ledger.yml empty": ("records/ledger.yml", "", ["records/ledger.yml:1: yaml: 文件为空"]),
    "ledger.yml a list": ("records/ledger.yml", "- title: 台账\n", ["records/ledger.yml:1: yaml: 应为键值映射，实际为列表"]),
    # GBK 台 (CC A8) happens to be valid UTF-8; 账 (D5 CB) is not: its second byte is the 10th.
    "ledger.yml in GBK": ("records/ledger.yml", "title: 台账\n".encode("gbk"), [
        "records/ledger.yml:1: encoding: 应为 UTF-8 编码，实际第 10 字节无法按 UTF-8 解码（可能是 GBK 编码，请另存为 UTF-8）"]),
    "ledger.yml unclosed": ("records/ledger.yml", "title: [台账\n", [
        "records/ledger.yml:2: yaml: YAML 语法错误：while parsing a flow sequence，did not find expected ',' or ']'"]),
}


@pytest.mark.parametrize("case", LEDGER_FILES)
def test_hostile_ledger_yml(case: str, ledger, capsys: pytest.CaptureFixture[str]) -> None:
    name, content, expected = LEDGER_FILES[case]
    root = ledger({name: content})
    # An unreadable ledger.yml is reported once, not again as every problem's unknown area.
    assert check(root, capsys) == (1, expected)


def test_owners_yml_a_list(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({"records/owners.yml": "- 张三\n"})
    assert check(root, capsys)[1][0] == "records/owners.yml:1: yaml: 应为键值映射，实际为列表"


# -- an id is an address: a real build writes nothing outside site/ --------------------------------

def files_under(folder: Path, skip: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if skip not in p.parents and p != skip}


@pytest.mark.slow
@pytest.mark.parametrize("bad_id", ["../../evil", "a/b", "P 02", "..", "index"])
def test_hostile_id_builds_nothing_outside_site(bad_id: str, ledger, tmp_path: Path) -> None:
    owners = "departments:\n  - id: dzb\n    name: 党政办公室\n  - id: czs\n    name: 财政所\npeople:\n"
    owners += f"  - id: zhangsan\n    name: 张三\n  - id: lisi\n    name: 李四\n  - id: '{bad_id}'\n    name: 王五\n"
    root = ledger({P02: spoil("id: P02\n", f"id: '{bad_id}'\n"), "records/owners.yml": owners}, site=True)
    before = files_under(tmp_path, root / "site")
    result = build(root, env={"TAIZHANG_AS_OF": AS_OF})
    assert result.error is not None  # --strict: the errors are warnings
    assert any(f"{P02}:2: id: " in w for w in result.warnings())
    assert any("records/owners.yml:11: people[2].id: " in w for w in result.warnings())
    assert files_under(tmp_path, root / "site") == before
    assert not [p for p in (root / "site").rglob("*") if "evil" in p.name or p.name == "王五"]
