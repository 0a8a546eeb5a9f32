"""Each rule of SPEC section 3, one broken record per case, checked against the exact error lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from taizhang.cli.main import main

from conftest import PROBLEM

DONE = """\
    status: done
    done_on: 2023-09-10
    evidence:
      - title: 学习计划
        url: http://oa.example/1
"""
CLOSED = DONE.replace("status: done", "status: closed") + "    closed_on: 2023-09-12\n    closed_by: wangwu\n"


def problem(old: str, new: str) -> str:
    assert old in PROBLEM
    return PROBLEM.replace(old, new, 1)


CASES = {
    "unknown key": (
        problem("    progress: 已起草\n", "    progress: 已起草\n    priority: 高\n"),
        ["records/A1/P01.md:17: measures[0].priority: 未知的键 priority（可用的键：addresses、closed_by、closed_on、department、done_on、due、evidence、extensions、extra、id、leader、outcome、owner、progress、rechecks、status、text）"],
    ),
    "missing required key": (
        problem("    owner: lisi\n", ""),
        ["records/A1/P01.md:9: measures[0].owner: 缺少必填项 owner"],
    ),
    "impossible date": (
        problem("due: 2023-09-30", "due: 2023-02-30"),
        ["records/A1/P01.md:14: measures[0].due: 应为真实存在的日期，实际为“2023-02-30”"],
    ),
    "due neither date nor long_term": (
        problem("due: 2023-09-30", "due: 年底前"),
        ["records/A1/P01.md:14: measures[0].due: 应为日期 YYYY-MM-DD 或 long_term，实际为“年底前”"],
    ),
    "unknown status": (
        problem("status: in_progress", "status: 推进中"),
        ["records/A1/P01.md:15: measures[0].status: 应为 not_started | in_progress | done | closed 之一，实际为“推进中”"],
    ),
    "bad id": (
        problem("id: P01\n", "id: P 01\n"),
        ["records/A1/P01.md:2: id: 编号应由字母、数字、.、_、- 组成且以字母或数字开头，实际为“P 01”"],
    ),
    "duplicate id across kinds": (
        problem("id: P01-M1", "id: P01-1"),
        ["records/A1/P01.md:9: measures[0].id: 编号 P01-1 重复，已用于 records/A1/P01.md:6"],
    ),
    "unknown area": (
        problem("area: A1", "area: A7"),
        ["records/A1/P01.md:3: area: 应为 ledger.yml 中 areas 的编号（A1、A2），实际为 A7"],
    ),
    "unknown person": (
        problem("leader: zhangsan", "leader: [zhangsan, zhaoliu]"),
        ["records/A1/P01.md:11: measures[0].leader[1]: 应为 owners.yml 中的人员编号，实际为 zhaoliu"],
    ),
    "unknown department": (
        problem("department: dzb", "department: xcb"),
        ["records/A1/P01.md:12: measures[0].department: 应为 owners.yml 中的科室编号，实际为 xcb"],
    ),
    "addresses another problem's manifestation": (
        problem("    leader: zhangsan\n", "    addresses: [P02-1]\n    leader: zhangsan\n"),
        ["records/A1/P01.md:11: measures[0].addresses[0]: 应为本问题的问题表现编号（P01-1），实际为 P02-1"],
    ),
    "no manifestations": (
        problem("  - id: P01-1\n    text: 学习次数不足\n", "").replace("manifestations:\n", "manifestations: []\n"),
        ["records/A1/P01.md:5: manifestations: 应至少有 1 项，实际为 0 项"],
    ),
    "done without done_on and evidence": (
        problem("    status: in_progress\n", "    status: done\n"),
        ["records/A1/P01.md:15: measures[0].done_on: 状态为 done（已完成） 时必须填写 done_on",
         "records/A1/P01.md:15: measures[0].evidence: 状态为 done（已完成） 时必须填写 evidence"],
    ),
    "done_on with in_progress": (
        problem("    progress: 已起草\n", "    progress: 已起草\n    done_on: 2023-09-01\n"),
        ["records/A1/P01.md:17: measures[0].done_on: 只有状态为 done 或 closed 时才能填写 done_on，实际状态为 in_progress（推进中）"],
    ),
    "closed without closed_on and closed_by": (
        problem("    status: in_progress\n", DONE.replace("status: done", "status: closed")),
        ["records/A1/P01.md:15: measures[0].closed_on: 状态为 closed（已销号） 时必须填写 closed_on",
         "records/A1/P01.md:15: measures[0].closed_by: 状态为 closed（已销号） 时必须填写 closed_by"],
    ),
    "closed_by with done": (
        problem("    status: in_progress\n", DONE + "    closed_by: wangwu\n"),
        ["records/A1/P01.md:20: measures[0].closed_by: 只有状态为 closed 时才能填写 closed_by，实际状态为 done（已完成）"],
    ),
    "closed before done": (
        problem("    status: in_progress\n", CLOSED.replace("closed_on: 2023-09-12", "closed_on: 2023-09-01")),
        ["records/A1/P01.md:20: measures[0].closed_on: 不能早于完成时间 2023-09-10，实际为 2023-09-01"],
    ),
    "done after the as-of date": (
        problem("    status: in_progress\n", DONE.replace("2023-09-10", "2023-09-20")),
        ["records/A1/P01.md:16: measures[0].done_on: 不能晚于统计日期 2023-09-15，实际为 2023-09-20"],
    ),
    "unknown approver": (
        problem("    status: in_progress\n", CLOSED.replace("closed_by: wangwu", "closed_by: nobody")),
        ["records/A1/P01.md:21: measures[0].closed_by: 应为 owners.yml 中的人员编号，实际为 nobody"],
    ),
    "evidence with both path and url": (
        problem("    status: in_progress\n", DONE.replace("        url:", "        path: evidence/a.txt\n        url:")),
        ["records/A1/P01.md:18: measures[0].evidence[0]: 佐证材料应有 path 或 url 之一（且只能有一个）",
         "records/A1/P01.md:19: measures[0].evidence[0].path: 应为 records/ 下存在的文件，实际找不到 records/evidence/a.txt"],
    ),
    "evidence outside records": (
        problem("    status: in_progress\n", DONE.replace("url: http://oa.example/1", "path: ../mkdocs.yml")),
        ["records/A1/P01.md:19: measures[0].evidence[0].path: 应位于 records/ 之内，实际指向其外：../mkdocs.yml"],
    ),
    "evidence absolute path": (
        problem("    status: in_progress\n", DONE.replace("url: http://oa.example/1", "path: /etc/passwd")),
        ["records/A1/P01.md:19: measures[0].evidence[0].path: 应为 records/ 下的相对路径，实际为绝对路径 /etc/passwd"],
    ),
    "due differs from the last extension": (
        problem("    progress: 已起草\n", "    progress: 已起草\n    extensions:\n      - from: 2023-08-31\n"
                "        to: 2023-09-20\n        approved_by: zhangsan\n        approved_on: 2023-08-25\n"),
        ["records/A1/P01.md:14: measures[0].due: 有延期记录时应等于最后一次延期的 to 2023-09-20，实际为 2023-09-30"],
    ),
    "broken extension chain": (
        problem("    progress: 已起草\n", "    progress: 已起草\n    extensions:\n      - from: 2023-08-31\n"
                "        to: 2023-09-10\n        approved_by: zhangsan\n        approved_on: 2023-08-25\n"
                "      - from: 2023-09-11\n        to: 2023-09-30\n        approved_by: zhangsan\n        approved_on: 2023-09-05\n"),
        ["records/A1/P01.md:22: measures[0].extensions[1].from: 应等于上一次延期的 to 2023-09-10，实际为 2023-09-11"],
    ),
    "extension moving a deadline earlier": (
        problem("    progress: 已起草\n", "    progress: 已起草\n    extensions:\n      - from: 2023-10-31\n"
                "        to: 2023-09-30\n        approved_by: zhangsan\n        approved_on: 2023-08-25\n"),
        ["records/A1/P01.md:19: measures[0].extensions[0].to: 应晚于原时限 2023-10-31，实际为 2023-09-30"],
    ),
    "recheck before done": (
        problem("    status: in_progress\n", DONE + "    rechecks:\n      - date: 2023-09-01\n        by: wangwu\n        result: passed\n"),
        ["records/A1/P01.md:21: measures[0].rechecks[0].date: 回头看日期不能早于完成时间 2023-09-10，实际为 2023-09-01"],
    ),
    "recheck result": (
        problem("    status: in_progress\n", DONE + "    rechecks:\n      - date: 2023-09-12\n        by: wangwu\n        result: ok\n"),
        ["records/A1/P01.md:23: measures[0].rechecks[0].result: 应为 passed | relapsed 之一，实际为“ok”"],
    ),
    "public not a boolean": (
        problem("title: 理论学习不够深入\n", "title: 理论学习不够深入\npublic: 否\n"),
        ["records/A1/P01.md:5: public: 应为 true 或 false，实际为“否”"],
    ),
    "yaml 1.1 boolean key read as written": (
        problem("    progress: 已起草\n", "    progress: 已起草\n    on: 2023-09-01\n"),
        ["records/A1/P01.md:17: measures[0].on: 未知的键 on（可用的键：addresses、closed_by、closed_on、department、done_on、due、evidence、extensions、extra、id、leader、outcome、owner、progress、rechecks、status、text）"],
    ),
    "object tag": (
        problem("title: 理论学习不够深入", "title: !!python/object/apply:os.system [echo]"),
        ["records/A1/P01.md:4: yaml: 不支持 YAML 标签 tag:yaml.org,2002:python/object/apply:os.system"],
    ),
    "no front matter": (
        "# 只有正文\n",
        ["records/A1/P01.md:1: front matter: 应以 --- 开头的 YAML 头部，实际第一行为 “# 只有正文”"],
    ),
    "yaml syntax": (
        problem("title: 理论学习不够深入", "title: [未闭合"),
        ["records/A1/P01.md:5: yaml: YAML 语法错误：while parsing a flow sequence，did not find expected ',' or ']'"],
    ),
    "not utf-8": (
        PROBLEM.encode("gbk"),
        ["records/A1/P01.md:4: encoding: 应为 UTF-8 编码，实际第 29 字节无法按 UTF-8 解码（可能是 GBK 编码，请另存为 UTF-8）"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_rule(case: str, ledger, capsys: pytest.CaptureFixture[str]) -> None:
    content, expected = CASES[case]
    root = ledger({"records/A1/P01.md": content})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 1
    assert capsys.readouterr().err.splitlines() == expected


def test_valid_small_ledger_is_silent(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger()
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 0
    assert capsys.readouterr() == ("", "")


def test_bom_and_crlf_are_accepted(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({"records/A1/P01.md": b"\xef\xbb\xbf" + PROBLEM.replace("\n", "\r\n").encode()})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 0


def test_cross_file_rules(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({
        "records/A2/P02.md": PROBLEM.replace("P01", "P02").replace("id: P02-M1", "id: P01-M1"),
        "records/owners.yml": "departments:\n  - id: dzb\n    name: 党政办公室\npeople:\n  - id: zhangsan\n    name: 张三\n"
                              "    department: xx\n  - id: lisi\n    name: 李四\n  - id: zhangsan\n    name: 张三丰\n",
    })
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "records/owners.yml:7: people[0].department: 应为 owners.yml 中的科室编号，实际为 xx",
        "records/owners.yml:10: people[2].id: 编号 zhangsan 重复，已用于 records/owners.yml:5",
        "records/A2/P02.md:9: measures[0].id: 编号 P01-M1 重复，已用于 records/A1/P01.md:9",
    ]


def test_every_error_at_once(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """One record broken in many ways reports each fault, in file order."""
    broken = (PROBLEM.replace("area: A1", "area: A9").replace("owner: lisi", "owner: nobody")
              .replace("due: 2023-09-30", "due: 2023-13-01").replace("status: in_progress", "status: done"))
    root = ledger({"records/A1/P01.md": broken, "records/ledger.yml": "title: x\nunit: y\nareas: []\n"})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "records/ledger.yml:3: areas: 应至少有 1 项，实际为 0 项",
        "records/A1/P01.md:3: area: 应为 ledger.yml 中 areas 的编号（），实际为 A9",
        "records/A1/P01.md:13: measures[0].owner: 应为 owners.yml 中的人员编号，实际为 nobody",
        "records/A1/P01.md:14: measures[0].due: 应为真实存在的日期，实际为“2023-13-01”",
        "records/A1/P01.md:15: measures[0].done_on: 状态为 done（已完成） 时必须填写 done_on",
        "records/A1/P01.md:15: measures[0].evidence: 状态为 done（已完成） 时必须填写 evidence",
    ]


def test_missing_records_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("records:1: records: 找不到台账文件夹")


def test_inspection_dates_in_order(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger({"records/ledger.yml": "title: t\nunit: u\ninspection:\n  from: 2023-05-20\n  to: 2023-04-20\nareas:\n"
                                         "  - id: A1\n    name: 甲\n"})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 1
    assert capsys.readouterr().err.splitlines() == ["records/ledger.yml:3: inspection: 日期应按 from ≤ to ≤ feedback_on 的顺序"]


def test_an_unreadable_owners_file_is_reported_once(ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """References into a file that failed to load are not reported again for every record."""
    root = ledger({"records/owners.yml": "people: [unclosed\n"})
    assert main(["check", "--root", str(root), "--as-of", "2023-09-15"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("records/owners.yml:2: yaml: YAML 语法错误")
