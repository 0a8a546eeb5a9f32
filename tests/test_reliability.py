"""Nothing lost: simultaneous writers in a real repository, and workbooks the import must refuse whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl.styles import PatternFill

from taizhang.ledger.lock import lock_path

from conftest import AS_OF
from test_authoring import repository
from test_excel import UNIT_ROWS, unit_sheet

RECORD = "records/A1/P01.md"
WAIT = 60  # seconds any waiting loop here gives before it fails

# A taizhang command that starts the moment a file appears: both of a pair pass the barrier together.
BARRIER = r"""
import os, sys, time
ready, go = sys.argv[1], sys.argv[2]
from taizhang.cli.main import main  # loaded before the barrier, so that only the command itself races
open(ready, "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(go):
    if time.monotonic() > deadline:
        sys.exit("barrier: never released")
    time.sleep(0.0005)
sys.exit(main(sys.argv[3:]))
"""

# Holds the ledger lock until killed or until a file appears.
HOLDER = r"""
import os, sys, time
from pathlib import Path
from taizhang.ledger.lock import ledger_lock
root, held, release = sys.argv[1:4]
with ledger_lock(Path(root)):
    open(held, "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(release) and time.monotonic() < deadline:
        time.sleep(0.01)
"""

# Runs one command as its child and reports its exit status, output and peak memory (KiB on Linux).
MEASURED = r"""
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr, "peak_kib": peak}))
"""


def env() -> dict[str, str]:
    return {**os.environ, "TAIZHANG_AS_OF": AS_OF}


def wait_for(path: Path, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT} s"
        time.sleep(0.005)


def front(root: Path) -> dict[str, Any]:
    return yaml.safe_load((root / RECORD).read_text(encoding="utf-8").split("---\n")[1])


def progress(root: Path) -> dict[str, str]:
    return {m["id"]: m.get("progress") for m in front(root)["measures"]}


def title(root: Path) -> str:
    return str(front(root)["title"])


def update_pairs(root: Path, tmp: Path, pairs: int) -> list[str]:
    """Run `pairs` pairs of simultaneous updates of P01-M1 and P01-M2; what went missing."""
    lost: list[str] = []
    for n in range(pairs):
        go = tmp / f"go-{n}"
        children = []
        for measure in ("P01-M1", "P01-M2"):
            ready = tmp / f"ready-{n}-{measure}"
            argv = ["update", measure, "--progress", f"第{n}轮 {measure}", "--root", str(root)]
            children.append(subprocess.Popen([sys.executable, "-c", BARRIER, str(ready), str(go), *argv], env=env(),
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            wait_for(ready, f"{measure} reaching the barrier")
        go.touch()
        for child in children:
            out, err = child.communicate(timeout=WAIT)
            assert (child.returncode, err) == (0, ""), out
            assert out.startswith("已更新")
        found = progress(root)
        lost += [f"pair {n}: {m}" for m in ("P01-M1", "P01-M2") if found[m] != f"第{n}轮 {m}"]
    return lost


@pytest.fixture
def repo(reference: Path) -> Path:
    return repository(reference)


def test_simultaneous_updates_lose_nothing(repo: Path, tmp_path: Path) -> None:
    assert update_pairs(repo, tmp_path, 20) == []
    assert subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--ignored"],
                          capture_output=True, text=True, check=True).stdout == " M records/A1/P01.md\n"  # no lock file


@pytest.mark.slow
def test_two_hundred_simultaneous_update_pairs_lose_nothing(repo: Path, tmp_path: Path) -> None:
    assert update_pairs(repo, tmp_path, 200) == []


def test_simultaneous_new_measures_take_different_ids(repo: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    children = []
    for n in range(2):
        ready = tmp_path / f"ready-{n}"
        argv = ["new", "measure", "P01", "--text", f"新措施{n}", "--leader", "zhangwei", "--department", "djb",
                "--owner", "gaopeng", "--due", "2023-12-31", "--root", str(repo)]
        children.append(subprocess.Popen([sys.executable, "-c", BARRIER, str(ready), str(go), *argv], env=env(),
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        wait_for(ready, "new measure reaching the barrier")
    go.touch()
    outs = sorted(child.communicate(timeout=WAIT)[0] for child in children)
    assert [child.returncode for child in children] == [0, 0]
    assert outs == ["已新增整改措施 P01-M4：records/A1/P01.md\n", "已新增整改措施 P01-M5：records/A1/P01.md\n"]
    text = (repo / RECORD).read_text(encoding="utf-8")
    assert "新措施0" in text and "新措施1" in text


def holder(root: Path, tmp: Path) -> tuple[subprocess.Popen[bytes], Path]:
    held, release = tmp / "held", tmp / "release"
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(root), str(held), str(release)], env=env())
    wait_for(held, "the holder taking the lock")
    return child, release


def test_a_waiting_writer_says_so_and_then_writes(repo: Path, tmp_path: Path) -> None:
    child, release = holder(repo, tmp_path)
    err = tmp_path / "err"
    with err.open("w") as stderr:
        update = subprocess.Popen([sys.executable, "-m", "taizhang.cli", "update", "P01-M3", "--progress", "等锁之后写入",
                                   "--root", str(repo)], env=env(), stdout=subprocess.PIPE, stderr=stderr, text=True)
        deadline = time.monotonic() + WAIT
        while "正在等待" not in err.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the waiting writer never said so"
            assert update.poll() is None, "the writer did not wait for the lock"
            time.sleep(0.05)
        assert progress(repo)["P01-M3"] != "等锁之后写入"  # it waits: nothing written while the lock is held
        release.touch()
        out, _ = update.communicate(timeout=WAIT)
    child.wait(timeout=WAIT)
    assert update.returncode == 0
    assert out.startswith("已更新 P01-M3")
    lines = err.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("taizhang: 台账正由另一个进程（进程号 ")
    assert str(lock_path(repo)) in lines[0]
    assert progress(repo)["P01-M3"] == "等锁之后写入"


def test_a_lock_left_by_a_killed_process_never_blocks(repo: Path, tmp_path: Path) -> None:
    child, _ = holder(repo, tmp_path)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=WAIT)
    assert lock_path(repo).exists()  # the file stays; the kernel dropped the lock with the process
    done = subprocess.run([sys.executable, "-m", "taizhang.cli", "update", "P01-M3", "--progress", "持有者已退出",
                           "--root", str(repo)], env=env(), capture_output=True, text=True, timeout=WAIT)
    assert (done.returncode, done.stderr) == (0, "")
    assert progress(repo)["P01-M3"] == "持有者已退出"


def test_import_waits_for_the_lock_too(repo: Path, tmp_path: Path) -> None:
    """An import over a ledger that is being updated does not slip in between the read and the write."""
    before = title(repo)
    child, release = holder(repo, tmp_path)
    xlsx = tmp_path / "台账.xlsx"
    unit_sheet(UNIT_ROWS, ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"]).save(xlsx)
    err = tmp_path / "err"
    with err.open("w") as stderr:
        job = subprocess.Popen([sys.executable, "-m", "taizhang.cli", "import", str(xlsx), "--force", "--root", str(repo)],
                               env=env(), stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + WAIT
        while "正在等待" not in err.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline and job.poll() is None, "the import did not wait for the lock"
            time.sleep(0.05)
        assert title(repo) == before  # the old ledger is untouched while the lock is held
        release.touch()
        job.wait(timeout=WAIT)
    child.wait(timeout=WAIT)
    assert job.returncode == 0
    assert title(repo) == "理论学习不深入"


# -- hostile workbooks -----------------------------------------------------------------------

LIMIT_KIB = 300 * 1024


def measured_import(xlsx: Path, root: Path) -> dict[str, object]:
    """`taizhang import` in a child of a fresh process, so that the peak memory is the import's alone."""
    command = [sys.executable, "-m", "taizhang.cli", "import", str(xlsx), "--root", str(root), "--as-of", AS_OF]
    done = subprocess.run([sys.executable, "-c", MEASURED, *command], capture_output=True, text=True, env=env(),
                          timeout=600, check=True)
    return json.loads(done.stdout)


def refused(xlsx: Path, root: Path) -> list[str]:
    """The error lines of an import that must fail: exit 1, nothing written, memory bounded."""
    result = measured_import(xlsx, root)
    assert (result["code"], result["out"]) == (1, "")
    assert not root.exists()
    assert result["peak_kib"] < LIMIT_KIB, f"peak memory {result['peak_kib'] // 1024} MB"
    return str(result["err"]).splitlines()


FORMULA = "公式单元格没有计算结果：请在 Excel/WPS 中打开并保存后再导入"


def test_formula_cells_without_a_result_are_named_and_refused(tmp_path: Path) -> None:
    rows = [list(r) for r in UNIT_ROWS]
    rows[0][9] = '=CONCATENATE("已印发","计划")'  # 完成情况 (整改进展), optional
    rows[2][4] = '=UPPER("清理村级微信群")'  # 整改措施, required
    wb = unit_sheet(rows, ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"])
    xlsx = tmp_path / "公式.xlsx"
    wb.save(xlsx)
    assert refused(xlsx, tmp_path / "repo") == [f"{xlsx}:Sheet1!J4: 完成情况: {FORMULA}",
                                                  f"{xlsx}:Sheet1!E6: 整改措施: {FORMULA}"]


def test_a_formula_with_a_cached_result_is_read_as_its_result(tmp_path: Path) -> None:
    """A workbook saved by Excel keeps each formula's result: that value is imported, nothing refused."""
    wb = unit_sheet(UNIT_ROWS, ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"])
    source = tmp_path / "source.xlsx"
    wb.save(source)
    xlsx = tmp_path / "计算过.xlsx"
    # As Excel writes it: the formula and its cached result in <v>.
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                cell = text.index('<c r="J4"')
                end = text.index("</c>", cell) + 4
                text = text[:cell] + '<c r="J4" t="str"><f>CONCATENATE("已印发","计划")</f><v>已印发计划</v></c>' + text[end:]
                data = text.encode()
            zout.writestr(item, data)
    result = measured_import(xlsx, tmp_path / "repo")
    assert (result["code"], result["err"]) == (0, ""), result
    assert "progress: 已印发计划" in (tmp_path / "repo/records/A1/P01.md").read_text(encoding="utf-8")


def test_a_cell_past_excels_limit_is_refused(tmp_path: Path) -> None:
    rows = [list(r) for r in UNIT_ROWS]
    rows[1][9] = "进" * 40_000
    xlsx = tmp_path / "长.xlsx"
    unit_sheet(rows, ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"]).save(xlsx)
    assert refused(xlsx, tmp_path / "repo") == [
        f"{xlsx}:Sheet1!J5: 完成情况: 内容达到 Excel 单元格的上限 32767 个字符，可能已被截断；请核对完整内容、缩短后再导入"]


def test_a_workbook_that_unpacks_past_the_limit_is_refused_from_its_directory(tmp_path: Path) -> None:
    source = tmp_path / "source.xlsx"
    unit_sheet(UNIT_ROWS).save(source)
    xlsx = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(item, data)
                continue
            head, tail = data.split(b"<sheetData>")
            with zout.open(item.filename, "w", force_zip64=True) as out:  # 256 MB of blanks, under 1 MB packed
                out.write(head + b"<sheetData>")
                chunk = b" " * 2**20
                for _ in range(256):
                    out.write(chunk)
                out.write(tail)
    assert xlsx.stat().st_size < 2**20
    lines = refused(xlsx, tmp_path / "repo")
    assert len(lines) == 1
    assert lines[0].startswith(f"taizhang: {xlsx}：解压后共 256.")
    assert "超过导入上限 20 MB（其中 “xl/worksheets/sheet1.xml” 为 256.0 MB）" in lines[0]


def test_a_hundred_thousand_formatted_empty_rows_are_refused(tmp_path: Path) -> None:
    wb = unit_sheet(UNIT_ROWS)
    ws = wb.active
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(ws.max_row + 1, ws.max_row + 100_001):
        for c in (1, 5):
            ws.cell(r, c).fill = fill
    xlsx = tmp_path / "空行.xlsx"
    wb.save(xlsx)
    assert refused(xlsx, tmp_path / "repo") == [
        f"{xlsx}:Sheet1: 工作表超过 100000 行（含带格式的空行），超过导入上限；请删除表格下方多余的行后再导入"]


@pytest.mark.slow
def test_formatted_empty_rows_below_the_limit_cost_no_memory(tmp_path: Path) -> None:
    """Rows formatted far below the ledger are read and dropped a row at a time: the import succeeds."""
    wb = unit_sheet(UNIT_ROWS, ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"])
    ws = wb.active
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(ws.max_row + 1, 90_000):
        for c in (1, 5, 15):
            ws.cell(r, c).fill = fill
    xlsx = tmp_path / "格式.xlsx"
    wb.save(xlsx)
    result = measured_import(xlsx, tmp_path / "repo")
    assert (result["code"], result["err"]) == (0, ""), result
    assert "整改措施 5 条" in str(result["out"])
    assert result["peak_kib"] < LIMIT_KIB, f"peak memory {int(result['peak_kib']) // 1024} MB"


def test_the_limits_are_documented() -> None:
    from conftest import REPO
    from taizhang.office import sheet

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert sheet.MAX_UNPACKED == 20 * 2**20 and "20 MB" in readme
    assert sheet.MAX_PART == 2 * 2**20 and "2 MB" in readme
    assert sheet.MAX_ROWS == 100_000 and "100,000 行" in readme
    assert "32,767" in readme


@pytest.mark.parametrize("part, closing, item", [
    ("xl/styles.xml", b"</cellXfs>", b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'),
    ("xl/workbook.xml", b"</workbook>", b'<definedName name="n">Sheet1!$A$1</definedName>'),
])
def test_a_part_read_whole_past_its_limit_is_refused(part: str, closing: bytes, item: bytes, tmp_path: Path) -> None:
    """Styles and defined names become an object each: 18 MB of either took 400–640 MB before this limit."""
    source = tmp_path / "source.xlsx"
    unit_sheet(UNIT_ROWS).save(source)
    xlsx = tmp_path / "膨胀.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                at = data.index(closing)
                data = data[:at] + item * (3 * 2**20 // len(item)) + data[at:]
            zout.writestr(info, data)
    lines = refused(xlsx, tmp_path / "repo")
    assert len(lines) == 1
    assert lines[0].startswith(f"taizhang: {xlsx}：其中 “{part}” 解压后为 3.0 MB，超过导入上限 2 MB")


def test_a_damaged_sheet_is_one_clear_refusal(tmp_path: Path) -> None:
    source = tmp_path / "source.xlsx"
    unit_sheet(UNIT_ROWS).save(source)
    xlsx = tmp_path / "损坏.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)
    assert refused(xlsx, tmp_path / "repo") == [
        f"taizhang: 无法读取 {xlsx}：文件内容不完整或已损坏；请在 Excel/WPS 中打开并另存为 .xlsx 后再导入"]


def test_many_merged_ranges_stay_within_the_memory_bound(tmp_path: Path) -> None:
    """600,000 merged ranges under the size limit: read as four numbers each, never as openpyxl objects (573 MB)."""
    source = tmp_path / "source.xlsx"
    unit_sheet(UNIT_ROWS, ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"]).save(source)
    xlsx = tmp_path / "合并.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"</mergeCells>")
                data = data[:at] + b"".join(b'<mergeCell ref="P%d:Q%d"/>' % (k + 20, k + 20) for k in range(600_000)) + data[at:]
            zout.writestr(info, data)
    result = measured_import(xlsx, tmp_path / "repo")
    assert (result["code"], result["err"]) == (0, ""), result
    assert "整改措施 5 条" in str(result["out"])
    assert result["peak_kib"] < LIMIT_KIB, f"peak memory {int(result['peak_kib']) // 1024} MB"
