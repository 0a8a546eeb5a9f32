"""The Excel ledger: the exported workbook cell by cell, imports of units' own sheets, the round trip."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from openpyxl.workbook.workbook import Workbook

from conftest import AS_OF, PROBLEM, REPO, build
from taizhang.office import cells
from taizhang.office import excel
from taizhang.ledger import export
from taizhang.ledger import repository as ledger
from taizhang.site import pages as site
from taizhang.ledger.figures import Aggregate
from taizhang.cli.main import main

DAY = date.fromisoformat(AS_OF)
HEADER = ["序号", "方面", "问题", "问题表现", "整改措施", "责任领导", "责任科室", "责任人", "整改时限", "整改进展",
          "完成时间", "整改状态", "销号时间", "佐证材料", "备注"]


def reference_agg() -> Aggregate:
    return Aggregate(ledger.load_valid(REPO, DAY), DAY)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Workbook:
    path = tmp_path_factory.mktemp("export") / "taizhang.xlsx"
    assert main(["export", "--format", "xlsx", "-o", str(path), "--root", str(REPO), "--as-of", AS_OF]) == 0
    return openpyxl.load_workbook(path)


def row_of(ws: Any, measure: str) -> int:
    """The sheet row of a measure, found by its hidden id column (S)."""
    return next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 19).value == measure)


# -- export -----------------------------------------------------------------------------------

def test_sheets_and_title_rows(book: Workbook) -> None:
    assert book.sheetnames == ["整改台账", "统计汇总", "逾期清单", "考核", "编号对照"]
    assert [ws.sheet_state for ws in book] == ["visible", "visible", "visible", "visible", "hidden"]
    ws = book["整改台账"]
    assert ws["A1"].value == "区委第三巡察组巡察青山镇党委反馈意见整改台账"
    assert ws["A2"].value == "单位：青山镇党委　　统计日期：2023年9月15日"
    assert [c.value for c in ws[3]][:15] == HEADER
    assert [c.value for c in ws[3]][15:] == ["方面编号", "问题编号", "表现编号", "措施编号", "责任领导编号",
                                             "责任科室编号", "责任人编号", "问题数据", "措施数据"]
    assert [ws.column_dimensions[c].hidden for c in "OPX"] == [False, True, True]
    assert ws.max_row == 3 + 88


def test_first_rows_resolve_names_and_number_areas_and_problems(book: Workbook) -> None:
    ws = book["整改台账"]
    first = [c.value for c in ws[4]][:15]
    assert first[:3] == [1, "一、思想政治建设", "（一）理论学习中心组学习制度执行不严格"]
    assert first[3].split("\n")[0] == "1.2022年镇党委理论学习中心组集体学习仅开展8次，未达到每年不少于12次的要求"
    assert first[3].split("\n")[1].startswith("2.集体学习以读文件")
    assert first[5:9] == ["张伟", "党建工作办公室", "高鹏", datetime(2023, 7, 31)]
    assert first[10:14] == [datetime(2023, 7, 20), "已销号", datetime(2023, 8, 4), "2023年度镇党委理论学习中心组学习计划"]
    assert ws["I4"].number_format == 'yyyy"年"m"月"d"日"'
    assert ws.cell(row_of(ws, "P01-M3"), 9).value == "长期坚持"
    assert ws.cell(row_of(ws, "P02-M1"), 2).value is None  # inside area 一's merged cell
    assert ws.cell(row_of(ws, "P10-M1"), 2).value == "二、干部队伍建设"
    assert ws.cell(row_of(ws, "P10-M1"), 1).value == 23  # 序号 runs over all measures
    assert ws.cell(row_of(ws, "P19-M1"), 3).value.startswith("（一）")  # problems count again in each area


def test_area_problem_and_manifestation_cells_are_merged(book: Workbook) -> None:
    merged = {str(r) for r in book["整改台账"].merged_cells.ranges}
    # Areas A1–A4 hold 22, 21, 24 and 21 measures, from row 4.
    assert {"B4:B25", "B26:B46", "B47:B70", "B71:B91"} <= merged
    assert {"C4:C6", "D4:D6", "A1:O1", "A2:O2"} <= merged  # P01's three measures, the title rows
    assert not any(r.startswith(("E", "F", "L")) for r in merged)


def test_print_settings_and_frozen_header(book: Workbook) -> None:
    for ws in book.worksheets[:3]:
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    ws = book["整改台账"]
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.print_area == "'整改台账'!$A$1:$O$91"
    assert ws["E4"].alignment.wrap_text and ws["E4"].border.left.style == "thin"
    assert ws["A3"].fill.fgColor.rgb.endswith("D9E1F2")
    assert 30 <= ws.column_dimensions["E"].width <= 38 and ws.column_dimensions["A"].width <= 6


def test_overdue_rows_are_marked_and_notes_say_why(book: Workbook) -> None:
    ws = book["整改台账"]
    overdue = row_of(ws, "P06-M1")
    assert ws.cell(overdue, 15).value == "逾期15天"
    assert {ws.cell(overdue, c).fill.fgColor.rgb[-6:] for c in (1, 5, 9, 15)} == {"FFC7CE"}
    assert ws.cell(overdue, 5).font.color.rgb.endswith("C00000")
    on_time = row_of(ws, "P01-M2")
    assert ws.cell(on_time, 5).fill.fgColor.rgb[-6:] != "FFC7CE" and ws.cell(on_time, 15).value is None
    assert ws.cell(row_of(ws, "P02-M2"), 15).value == "临期（今天到期）"
    assert ws.cell(row_of(ws, "P25-M2"), 15).value == "临期（14天后到期）"
    assert ws.cell(row_of(ws, "P04-M2"), 15).value == "超期完成"
    assert "已延期（原时限2023年8月31日）" in ws.cell(row_of(ws, "P23-M2"), 15).value


def test_summary_sheet_figures(book: Workbook) -> None:
    ws = book["统计汇总"]
    rows = {r[0]: list(r[1:]) for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    assert ws["A3"].value.startswith("反馈问题35个、问题表现56条，制定整改措施88条，已完成67条（其中已销号48条）")
    header = ["问题数", "措施数", "未启动", "推进中", "已完成", "已销号", "逾期", "完成率"]
    assert rows["项目"] == header
    assert rows["合计"] == [35, 88, 4, 17, 19, 48, 5, 0.7614]
    areas = {a["name"]: [a["problems"], a["measures"], a["completion_rate"]] for a in export.to_data(reference_agg())["areas"]}
    for name, (problems, measures, rate) in areas.items():
        assert [rows[name][0], rows[name][1], rows[name][7]] == [problems, measures, rate]
    assert rows["财政所"] == [11, 18, 3, 5, 2, 8, 3, 0.5556]
    assert ws["I7"].number_format == "0.0%"


def test_overdue_sheet(book: Workbook) -> None:
    ws = book["逾期清单"]
    assert [c.value for c in ws[3]] == ["序号", "编号", "方面", "问题", "整改措施", "责任领导", "责任科室", "责任人",
                                        "整改时限", "逾期天数", "整改状态", "整改进展"]
    listed = [(r[1], r[8].date(), r[9]) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert listed == [("P06-M1", date(2023, 8, 31), 15), ("P16-M2", date(2023, 8, 31), 15),
                      ("P35-M2", date(2023, 8, 31), 15), ("P13-M2", date(2023, 9, 10), 5),
                      ("P23-M2", date(2023, 9, 12), 3)]
    assert ws["G5"].value == "党政办公室、财政所"
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"


def test_text_never_becomes_a_formula(ledger: Any) -> None:
    root = ledger({"records/A1/P01.md": PROBLEM.replace("制定学习计划", '"=HYPERLINK(\\"http://x\\")"')})
    ws = openpyxl.load_workbook(_bytes(excel.to_bytes(Aggregate(ledger_load(root), DAY))))["整改台账"]
    assert ws["E4"].value == '=HYPERLINK("http://x")' and ws["E4"].data_type == "s"


def test_the_workbook_is_dated_by_the_ledger_not_by_the_clock(ledger: Any) -> None:
    """The same ledger as of the same day gives the same bytes: a rebuilt site differs only where the ledger did."""
    data = excel.to_bytes(Aggregate(ledger_load(ledger()), DAY))
    with zipfile.ZipFile(_bytes(data)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(DAY.year, DAY.month, DAY.day, 0, 0, 0)}
    properties = openpyxl.load_workbook(_bytes(data)).properties
    assert properties.created == properties.modified == datetime(DAY.year, DAY.month, DAY.day)


def test_no_overdue_measure_says_so(ledger: Any) -> None:
    ws = openpyxl.load_workbook(_bytes(excel.to_bytes(Aggregate(ledger_load(ledger()), DAY))))["逾期清单"]
    assert ws["A4"].value == "无" and "A4:L4" in {str(r) for r in ws.merged_cells.ranges}


def test_export_xlsx_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "xlsx", "--root", str(REPO), "--as-of", AS_OF]) == 2
    assert capsys.readouterr().err == "taizhang: 导出 xlsx 时必须用 -o 指定输出文件\n"


@pytest.mark.slow
def test_site_serves_the_workbook_and_the_home_page_links_it() -> None:
    pages = {p.uri: p.content for p in site.pages(reference_agg(), site.Options())}
    ws = openpyxl.load_workbook(_bytes(pages["downloads/taizhang.xlsx"]))["整改台账"]
    assert ws.max_row == 91
    assert "- [Excel 台账](downloads/taizhang.xlsx)" in pages["index.md"]


@pytest.mark.slow
def test_built_site_has_the_download(reference: Path) -> None:
    result = build(reference, env={"TAIZHANG_AS_OF": AS_OF})
    assert result.error is None, result.warnings()
    assert openpyxl.load_workbook(reference / "site" / "downloads" / "taizhang.xlsx").sheetnames[0] == "整改台账"
    assert 'href="downloads/taizhang.xlsx"' in (reference / "site" / "index.html").read_text(encoding="utf-8")


def _bytes(data: str | bytes) -> Any:
    import io

    assert isinstance(data, bytes)
    return io.BytesIO(data)


def ledger_load(root: Path) -> Any:
    return ledger.load_valid(root, DAY)


# -- a unit's own sheet ---------------------------------------------------------------------------

UNIT_HEADER = ["序 号", "问题类别", "反馈问题", "具体表现", "整改措施", "分管领导", "牵头部门", "具体责任人",
               "完成时限", "完成情况", "状态", "完成时间", "佐证材料", "备注", "销号日期"]


def unit_sheet(rows: list[list[Any]], merges: list[str] = (), header: list[str] = UNIT_HEADER) -> Workbook:
    """A workbook as units keep them: a title, a unit line, variant headers, merged cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "青山镇党委落实区委巡察反馈意见整改台账"
    ws.merge_cells("A1:N1")
    ws["A2"] = "填报单位：青山镇党委（盖章）      填报日期：2023年9月15日"
    ws.append(header)
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    return wb


UNIT_ROWS = [
    [1, "一、思想政治建设", "（一）理论学习不深入", "1.学习次数不足\n2.研讨质量不高", "1.制定年度学习计划", "张  伟",
     "党政办公室", "李四（党政办主任）", datetime(2023, 7, 31), "已印发计划", "已销号", "2023年7月20日", "学习计划、签到表",
     None, "2023年8月4日"],
    [2, None, None, None, "2.建立学习考勤制度", "张伟、王芳", "党政办公室、组织办", "李四", "长期坚持", "正在执行",
     "正在推进", None, None, "每季度通报"],
    [3, None, "（二）意识形态工作不到位", "网络阵地管理薄弱", "清理村级微信群", "王芳", "宣传办", "赵六", "2023.9.30",
     "已清理12个", "推进中", None, None, None],
    [4, "二、乡村财务管理", "（一）村级财务不规范", "白条入账", "开展票据专项检查", "王芳", "财政所", "钱七",
     "2023年10月底", None, "未启动", None, None, None],
    [5, None, None, None, "建立报账审核制度", "吕强", "财政所", "钱七", "2023/8/31", "制度已印发", "已完成",
     datetime(2023, 8, 30), "报账审核制度", None],
]
UNIT_MERGES = ["B4:B6", "C4:C5", "D4:D5", "B7:B8", "C7:C8", "D7:D8"]


def write_book(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def failed(capsys: pytest.CaptureFixture[str], xlsx: Path, root: Path) -> list[str]:
    """The error lines of an import that must fail (exit 1, nothing on stdout)."""
    code, out, err = run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)
    assert (code, out) == (1, "")
    return err.splitlines()


def front(root: Path, rel: str) -> dict[str, Any]:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8").split("---\n")[1])


def test_import_a_units_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = write_book(unit_sheet(UNIT_ROWS, UNIT_MERGES), tmp_path / "台账.xlsx")
    root = tmp_path / "repo"
    code, out, err = run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "已从工作表“Sheet1”导入：方面 2 个、问题 3 个、问题表现 4 条、整改措施 5 条，科室 4 个、人员 6 名；台账校验通过。",
        "已写入 records/ledger.yml、records/owners.yml 和每个问题一个文件。",
        "新生成编号 10 个（人员按姓名拼音，科室按名称拼音首字母：张伟 → zhangwei、李四 → lisi、王芳 → wangfang 等）；"
        "编号发布后不再更改，如需调整请在首次提交前修改 owners.yml 和问题文件。",
        "2 条已完成措施的佐证材料只有文字，已存为 records/evidence/<措施编号>.txt；请补充实际材料文件。",
        "1 条已销号措施的表格中没有销号审核人，暂记为其第一位责任领导（closed_by），请核对。",
    ]
    assert yaml.safe_load((root / "records/ledger.yml").read_text(encoding="utf-8")) == {
        "title": "青山镇党委落实区委巡察反馈意见整改台账", "unit": "青山镇党委",
        "areas": [{"id": "A1", "name": "思想政治建设"}, {"id": "A2", "name": "乡村财务管理"}]}
    owners = yaml.safe_load((root / "records/owners.yml").read_text(encoding="utf-8"))
    assert owners["departments"] == [{"id": "dzbgs", "name": "党政办公室"}, {"id": "zzb", "name": "组织办"},
                                     {"id": "xcb", "name": "宣传办"}, {"id": "czs", "name": "财政所"}]
    # 张  伟 is 张伟 padded; 李四's title came in brackets; 吕 is lv in pinyin.
    assert owners["people"] == [{"id": "zhangwei", "name": "张伟"}, {"id": "lisi", "name": "李四", "title": "党政办主任"},
                                {"id": "wangfang", "name": "王芳"}, {"id": "zhaoliu", "name": "赵六"},
                                {"id": "qianqi", "name": "钱七"}, {"id": "lvqiang", "name": "吕强"}]
    p01 = front(root, "records/A1/P01.md")
    assert (p01["id"], p01["area"], p01["title"]) == ("P01", "A1", "理论学习不深入")
    assert p01["manifestations"] == [{"id": "P01-1", "text": "学习次数不足"}, {"id": "P01-2", "text": "研讨质量不高"}]
    assert p01["measures"] == [
        {"id": "P01-M1", "text": "制定年度学习计划", "leader": "zhangwei", "department": "dzbgs", "owner": "lisi",
         "due": date(2023, 7, 31), "status": "closed", "progress": "已印发计划", "done_on": date(2023, 7, 20),
         "evidence": [{"title": "学习计划、签到表", "path": "evidence/P01-M1.txt"}],
         "closed_on": date(2023, 8, 4), "closed_by": "zhangwei"},
        {"id": "P01-M2", "text": "建立学习考勤制度", "leader": ["zhangwei", "wangfang"], "department": ["dzbgs", "zzb"],
         "owner": "lisi", "due": "long_term", "status": "in_progress", "progress": "正在执行",
         "extra": {"note": "每季度通报"}},
    ]
    assert front(root, "records/A1/P02.md")["measures"][0]["due"] == date(2023, 9, 30)
    p03 = front(root, "records/A2/P03.md")
    assert [(m["id"], m["due"], m["status"]) for m in p03["measures"]] == [
        ("P03-M1", date(2023, 10, 31), "not_started"), ("P03-M2", date(2023, 8, 31), "done")]
    assert (root / "records/evidence/P03-M2.txt").read_text(encoding="utf-8") == \
        "佐证材料（导入自 台账.xlsx:Sheet1!M8）：\n报账审核制度\n"
    assert run(capsys, "check", "--root", str(root), "--as-of", AS_OF) == (0, "", "")


BAD_ROWS = [
    [1, "一、思想政治建设", "（一）理论学习不深入", "学习次数不足", "制定学习计划", "张伟", "党政办", "李四", "九月底",
     None, "推进中"],
    [2, None, None, None, "建立考勤制度", "张伟", "党政办", "李四", "2023.9.30", None, "差不多"],
    [3, None, None, None, "开展专题研讨", "张伟", "党政办", None, "2023.9.30", None, "推进中"],
    [4, None, None, None, "印发通报", "张伟", "党政办", "李四", "2023.8.31", "已印发", "已完成"],
    [5, None, None, None, "集中学习", "张伟", "党政办", "李四", "2023.8.31", "已学习", "已完成", "2023-02-30", "签到表"],
    [6, None, None, None, None, "张伟", "党政办", "李四", "2023.8.31", None, "推进中"],
]


def test_every_bad_row_is_reported_where_it_is_and_nothing_is_written(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = write_book(unit_sheet(BAD_ROWS, ["B4:B9", "C4:C9", "D4:D9"]), tmp_path / "bad.xlsx")
    root = tmp_path / "repo"
    f = f"{xlsx}:Sheet1"
    assert failed(capsys, xlsx, root) == [
        f"{f}!I4: 完成时限: 应为日期（如 2023年9月30日、2023.9.30）或“长期坚持”，实际为“九月底”",
        f"{f}!K5: 状态: 应为整改状态（未启动、推进中、已完成、已销号，或正在推进、已整改、未开始等），实际为“差不多”",
        f"{f}!H6: 具体责任人: 应填写责任人，实际为空",
        f"{f}!L7: 完成时间: 整改状态为已完成时应填写完成时间，实际为空",
        f"{f}!M7: 佐证材料: 整改状态为已完成时应填写佐证材料，实际为空",
        f"{f}!L8: 完成时间: 应为真实存在的日期，实际为“2023-02-30”",
        f"{f}!E9: 整改措施: 应为非空文字，实际为空",
    ]
    assert not root.exists()


def test_ledger_rules_are_reported_at_the_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        [1, "一、思想政治建设", "（一）理论学习不深入", "学习次数不足", "制定学习计划", "张伟", "党政办", "李四", "2023.9.30",
         None, "已完成", "2023年9月20日", "学习计划"],
        [2, None, None, None, "建立考勤制度", "张伟", "党政办", "李四", "2023.9.30", None, "推进中", "2023年9月1日"],
        [3, None, None, None, "开展研讨", "张伟", "党政办", "李四", "2023.9.30", None, "已销号", "2023年9月1日", "记录",
         None, "2023年8月1日"],
    ]
    xlsx = write_book(unit_sheet(rows, ["B4:B6", "C4:C6", "D4:D6"]), tmp_path / "rules.xlsx")
    root = tmp_path / "repo"
    root.mkdir()
    f = f"{xlsx}:Sheet1"
    assert failed(capsys, xlsx, root) == [
        f"{f}!L4: 完成时间: 不能晚于统计日期 2023-09-15，实际为 2023-09-20",
        f"{f}!L5: 完成时间: 只有状态为 done 或 closed 时才能填写 done_on，实际状态为 in_progress（推进中）",
        f"{f}!O6: 销号日期: 不能早于完成时间 2023-09-01，实际为 2023-08-01",
    ]
    assert list(root.iterdir()) == []


def test_missing_columns_and_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = [h for h in UNIT_HEADER if h not in ("分管领导", "完成时限")]
    xlsx = write_book(unit_sheet([], header=header), tmp_path / "cols.xlsx")
    assert run(capsys, "import", str(xlsx), "--root", str(tmp_path / "r"))[::2] == (1, (
        f"{xlsx}:Sheet1!3:3: 责任领导: 表头中找不到这一列（可用的列名：责任领导、分管领导、牵头领导、包保领导、责任领导（分管领导））\n"
        f"{xlsx}:Sheet1!3:3: 整改时限: 表头中找不到这一列（可用的列名：整改时限、完成时限、整改期限、时限、整改时间）\n"))
    xlsx = write_book(unit_sheet([], header=["序号", "事项", "说明"]), tmp_path / "none.xlsx")
    assert run(capsys, "import", str(xlsx), "--root", str(tmp_path / "r"))[::2] == (
        1, f"{xlsx}: 找不到表头：各工作表前 10 行中没有同时含“问题”和“整改措施”两列的行\n")
    (tmp_path / "old.xlsx").write_text("序号,问题\n", encoding="utf-8")
    assert run(capsys, "import", str(tmp_path / "old.xlsx"), "--root", str(tmp_path / "r"))[::2] == (
        1, f"taizhang: 无法读取 {tmp_path / 'old.xlsx'}：应为 Excel .xlsx 文件（.xls 或 WPS 格式请先另存为 .xlsx）\n")
    assert run(capsys, "import", str(tmp_path / "gone.xlsx"), "--root", str(tmp_path / "r"))[::2] == (1, f"taizhang: 找不到文件 {tmp_path / 'gone.xlsx'}\n")
    assert run(capsys, "import", str(xlsx), "--sheet", "台账", "--root", str(tmp_path / "r"))[::2] == (1, f"{xlsx}: 找不到工作表 “台账”（有：Sheet1）\n")


def test_heading_rows_and_a_sheet_without_areas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Areas written as rows across the sheet; blank cells below a problem repeat it (no merges)."""
    header = ["序号", "问题", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "整改情况"]
    rows = [["一、思想政治建设"] * 8, [1, "理论学习不深入", "制定计划", "张伟", "党政办", "李四", "2023年12月底", None],
            [2, None, "建立制度", "张伟", "党政办", "李四", "长期", "已起草"], ["二、乡村财务管理"] * 8,
            [3, "1.白条入账", "专项检查", "王芳", "财政所", "钱七", "2023-10-31", None]]
    xlsx = write_book(unit_sheet(rows, ["A4:H4", "A7:H7"], header=header), tmp_path / "h.xlsx")
    root = tmp_path / "repo"
    assert run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)[0] == 0
    assert yaml.safe_load((root / "records/ledger.yml").read_text(encoding="utf-8"))["areas"] == [
        {"id": "A1", "name": "思想政治建设"}, {"id": "A2", "name": "乡村财务管理"}]
    p01 = front(root, "records/A1/P01.md")
    assert p01["manifestations"] == [{"id": "P01-1", "text": "理论学习不深入"}]  # no 问题表现 column: the problem
    assert [(m["text"], m["due"], m["status"]) for m in p01["measures"]] == [
        ("制定计划", date(2023, 12, 31), "not_started"), ("建立制度", "long_term", "in_progress")]
    assert front(root, "records/A2/P02.md")["title"] == "白条入账"

    bare = write_book(unit_sheet([[1, "理论学习不深入", "制定计划", "张伟", "党政办", "李四", "2023.12.31", None]],
                                 header=header), tmp_path / "bare.xlsx")
    root = tmp_path / "bare"
    assert run(capsys, "import", str(bare), "--root", str(root), "--as-of", AS_OF)[0] == 0
    assert yaml.safe_load((root / "records/ledger.yml").read_text(encoding="utf-8"))["areas"] == [
        {"id": "A1", "name": "巡察反馈问题"}]


def test_measures_under_a_manifestation_address_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sheets that merge 问题表现 per manifestation, with the measures for each beside it."""
    rows = [[1, "一、思想政治建设", "理论学习不深入", "学习次数不足", "制定计划", "张伟", "党政办", "李四", "2023.12.31"],
            [2, None, None, None, "按月学习", "张伟", "党政办", "李四", "2023.12.31"],
            [3, None, None, "研讨质量不高", "确定发言人", "张伟", "党政办", "李四", "2023.12.31"]]
    xlsx = write_book(unit_sheet(rows, ["B4:B6", "C4:C6", "D4:D5"]), tmp_path / "m.xlsx")
    root = tmp_path / "repo"
    assert run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)[0] == 0
    p01 = front(root, "records/A1/P01.md")
    assert p01["manifestations"] == [{"id": "P01-1", "text": "学习次数不足"}, {"id": "P01-2", "text": "研讨质量不高"}]
    assert [m["addresses"] for m in p01["measures"]] == [["P01-1"], ["P01-1"], ["P01-2"]]
    assert "&" not in (root / "records/A1/P01.md").read_text(encoding="utf-8")  # written out, no YAML anchors


def test_title_and_unit_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["问题", "整改措施", "责任领导", "责任科室", "责任人", "整改时限"])
    wb.active.append(["理论学习不深入", "制定计划", "张伟", "党政办", "李四", "2023.12.31"])
    xlsx = write_book(wb, tmp_path / "plain.xlsx")
    root = tmp_path / "repo"
    assert run(capsys, "import", str(xlsx), "--root", str(root))[::2] == (1, (
        f"{xlsx}:Sheet!A1: 单位: 表头上方应有“单位：……”，实际没有找到（或用 --unit 指定）\n"
        f"{xlsx}:Sheet!A1: 标题: 表头上方应有台账标题，实际为空（或用 --title 指定）\n"))
    assert run(capsys, "import", str(xlsx), "--root", str(root), "--title", "整改台账", "--unit", "镇党委")[0] == 0
    assert yaml.safe_load((root / "records/ledger.yml").read_text(encoding="utf-8"))["unit"] == "镇党委"


def test_refuses_an_existing_ledger_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    xlsx = write_book(unit_sheet(UNIT_ROWS, UNIT_MERGES), tmp_path / "a.xlsx")
    assert run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)[0] == 0
    (root / "records/evidence/P01-M1.txt").write_text("扫描件说明\n", encoding="utf-8")
    before = (root / "records/A1/P01.md").read_bytes()
    smaller = write_book(unit_sheet(UNIT_ROWS[:3], ["B4:B6", "C4:C5", "D4:D5"]), tmp_path / "b.xlsx")
    code, out, err = run(capsys, "import", str(smaller), "--root", str(root), "--as-of", AS_OF)
    assert (code, out) == (1, "")
    assert err == (f"taizhang: {root / 'records'} 中已有台账（records/ledger.yml 等 5 个文件），导入会覆盖它；"
                   "确需覆盖请加 --force（records/evidence/ 中的文件保留）\n")
    assert (root / "records/A1/P01.md").read_bytes() == before
    assert run(capsys, "import", str(smaller), "--root", str(root), "--as-of", AS_OF, "--force")[0] == 0
    assert not (root / "records/A2").exists()  # P03 is gone with its folder
    assert (root / "records/evidence/P01-M1.txt").read_text(encoding="utf-8") == "扫描件说明\n"
    assert sorted(p.name for p in (root / "records").rglob("*.md")) == ["P01.md", "P02.md"]


# -- the round trip ----------------------------------------------------------------------------------

def without_places(value: Any) -> Any:
    """A record as plain data, without where it was written (lines differ between writers), nor a
    person's git identities (owners.yml's own: an Excel ledger has no column for them)."""
    if dataclasses.is_dataclass(value):
        return {f.name: without_places(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("where", "git")}
    if isinstance(value, (list, tuple)):
        return [without_places(v) for v in value]
    return value


def exported(tmp_path: Path, root: Path, name: str = "t.xlsx") -> Path:
    path = tmp_path / name
    assert main(["export", "--format", "xlsx", "-o", str(path), "--root", str(root), "--as-of", AS_OF]) == 0
    return path


def with_evidence(root: Path) -> Path:
    shutil.copytree(REPO / "records" / "evidence", root / "records" / "evidence")
    return root


def test_round_trip_gives_back_the_same_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = with_evidence(tmp_path / "again")
    code, out, err = run(capsys, "import", str(exported(tmp_path, REPO)), "--root", str(root), "--as-of", AS_OF)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["已从工作表“整改台账”导入：方面 4 个、问题 35 个、问题表现 56 条、整改措施 88 条，"
                                "科室 9 个、人员 19 名；台账校验通过。",
                                "已写入 records/ledger.yml、records/owners.yml 和每个问题一个文件。"]
    original, again = ledger.load_valid(REPO, DAY), ledger.load_valid(root, DAY)
    assert export.to_data(Aggregate(again, DAY)) == export.to_data(Aggregate(original, DAY))
    assert without_places(again) == without_places(original)  # bodies, rechecks, extensions, titles too
    first = openpyxl.load_workbook(exported(tmp_path, REPO, "1.xlsx"))["整改台账"]
    second = openpyxl.load_workbook(exported(tmp_path, root, "2.xlsx"))["整改台账"]
    assert list(second.values) == list(first.values)


def test_round_trip_without_the_evidence_files_says_which_are_missing(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = exported(tmp_path, REPO)
    code, out, err = run(capsys, "import", str(xlsx), "--root", str(tmp_path / "bare"), "--as-of", AS_OF)
    assert code == 1
    assert err.splitlines()[0] == (f"{xlsx}:整改台账!N4: 佐证材料: 应为 records/ 下存在的文件，"
                                   "实际找不到 records/evidence/P01-M1-学习计划.txt")
    assert len(err.splitlines()) == 10 and not (tmp_path / "bare").exists()


def test_edits_made_in_excel_come_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Visible cells decide; a row added under the last problem becomes its next measure."""
    xlsx = exported(tmp_path, REPO)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["整改台账"]
    r = row_of(ws, "P06-M1")
    ws.cell(r, 12).value, ws.cell(r, 11).value, ws.cell(r, 14).value = "已完成", datetime(2023, 9, 14), "基地验收照片"
    ws.cell(row_of(ws, "P01-M3"), 10).value = "第三季度通报已印发"
    ws.append([89, None, None, None, "开展整改“回头看”专项检查", "赵军", "镇纪委", "孙丽", "2023年12月31日", None, None, "未启动"])
    wb.save(xlsx)
    root = with_evidence(tmp_path / "edited")
    assert run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)[0] == 0
    agg = Aggregate(ledger.load_valid(root, DAY), DAY)
    m = agg.row_by_id["P06-M1"].measure
    assert (m.status, m.done_on, [(e.title, e.path) for e in m.evidence]) == (
        "done", date(2023, 9, 14), [("基地验收照片", "evidence/P06-M1.txt")])
    assert agg.row_by_id["P01-M3"].measure.progress == "第三季度通报已印发"
    added = agg.problem_by_id["P35"].measures[-1]
    assert (added.id, added.text, added.leader, added.owner) == ("P35-M5", "开展整改“回头看”专项检查", ("zhaojun",), ("sunli",))
    assert export.to_data(agg)["summary"]["measures"] == 89


# -- reading cells ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2023, 9, 30, 0, 0), date(2023, 9, 30)),
    (45199, date(2023, 9, 30)),
    ("2023年9月30日", date(2023, 9, 30)),
    ("2023.9.30", date(2023, 9, 30)),
    ("2023/09/30", date(2023, 9, 30)),
    ("20230930", date(2023, 9, 30)),
    ("2023年9月30日前", date(2023, 9, 30)),
    ("2023年9月底前", date(2023, 9, 30)),
    ("2024年2月", date(2024, 2, 29)),
    ("2023年底", date(2023, 12, 31)),
    ("长期坚持", None),
    ("长期", None),
    ("持续整改（每季度）", None),
])
def test_deadlines(value: Any, expected: date | None) -> None:
    assert cells.read_due(value) == (expected, None)


@pytest.mark.parametrize(("value", "problem"), [
    ("立行立改", "应为日期（如 2023年9月30日、2023.9.30）或“长期坚持”，实际为“立行立改”"),
    ("2023年2月30日", "应为真实存在的日期，实际为“2023年2月30日”"),
    (12, "应为日期，实际为数字“12”"),
])
def test_bad_deadlines(value: Any, problem: str) -> None:
    assert cells.read_due(value) == (None, problem)


def test_completion_dates_are_days_not_months() -> None:
    assert cells.read_date("2023年9月")[0] is None


@pytest.mark.parametrize(("value", "status"), [
    ("已销号", "closed"), ("已完成", "done"), ("已完成（待销号）", "done"), ("已整改", "done"), ("推进中", "in_progress"),
    ("正在推进", "in_progress"), (" 整改中 ", "in_progress"), ("未启动", "not_started"), ("未开始", "not_started"),
    ("closed", "closed"),
])
def test_statuses(value: str, status: str) -> None:
    assert cells.read_status(value) == (status, None)


@pytest.mark.parametrize(("value", "expected"), [
    ("张伟、李明", [("张伟", None), ("李明", None)]),
    ("张  伟", [("张伟", None)]),
    ("张伟 李明", [("张伟", None), ("李明", None)]),
    ("张伟（镇党委书记）,李明", [("张伟", "镇党委书记"), ("李明", None)]),
    ("党政办/财政所\n综治办", [("党政办", None), ("财政所", None), ("综治办", None)]),
    ("John Smith", [("John Smith", None)]),
    (None, []),
])
def test_names(value: Any, expected: list[tuple[str, str | None]]) -> None:
    assert cells.names(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("1.2022年学习不足\n2.研讨不够", ["2022年学习不足", "研讨不够"]),
    ("（1）甲\n续写\n（2）乙", ["甲\n续写", "乙"]),
    ("①甲\n②乙", ["甲", "乙"]),
    ("1.5万元未入账", ["1.5万元未入账"]),
    ("1.只有一条", ["只有一条"]),
    ("第一行\n第二行", ["第一行\n第二行"]),
])
def test_numbered_items(value: str, expected: list[str]) -> None:
    assert cells.split_items(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("一、思想政治建设", "思想政治建设"), ("（十二）问题", "问题"), ("(3) 问题", "问题"), ("3、措施", "措施"),
    ("2023年完成", "2023年完成"), ("1.5万元", "1.5万元"),
])
def test_numbering_is_stripped(value: str, expected: str) -> None:
    assert cells.strip_number(value) == expected


def test_generated_ids_are_readable() -> None:
    assert [cells.person_id(n) for n in ("张伟", "吕强", "Li Ming", "···")] == ["zhangwei", "lvqiang", "liming", "person"]
    assert [cells.department_id(n) for n in ("党政办", "财政所", "A组")] == ["dzb", "czs", "az"]


def edited_export(tmp_path: Path, edits: dict[tuple[str, int], Any]) -> Path:
    """The reference ledger exported, with cells (measure's row, column) changed as in Excel."""
    xlsx = exported(tmp_path, REPO)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["整改台账"]
    for (measure, col), value in edits.items():
        ws.cell(row_of(ws, measure), col).value = value
    wb.save(xlsx)
    return xlsx


def test_damaged_hidden_data_is_reported_at_its_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = edited_export(tmp_path, {("P01-M2", 24): "{broken", ("P02-M1", 23): '["not", "an object"]'})
    assert failed(capsys, xlsx, with_evidence(tmp_path / "r")) == [
        f"{xlsx}:整改台账!X5: 措施数据: 应为 taizhang 导出时写入的数据（JSON 对象），实际为“{{broken”",
        f"{xlsx}:整改台账!W7: 问题数据: 应为 taizhang 导出时写入的数据（JSON 对象），实际为“[\"not\", \"an object\"]”",
    ]


def test_a_path_in_hidden_data_stays_inside_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = edited_export(tmp_path, {("P01-M1", 23): '{"path": "records/../../evil.md"}',
                                    ("P02-M1", 23): '{"path": "records/evidence/P02.md"}'})
    root = with_evidence(tmp_path / "r")
    assert run(capsys, "import", str(xlsx), "--root", str(root), "--as-of", AS_OF)[0] == 0
    assert (root / "records/A1/P01.md").is_file() and (root / "records/A1/P02.md").is_file()
    assert not (tmp_path / "evil.md").exists() and not (root / "records/evidence/P02.md").exists()
