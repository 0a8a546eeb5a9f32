"""The upward reports: the rectification report (stage), 考核 (assessment), 督办 (due), and reports without git."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook

from conftest import AS_OF, REPO, build
from taizhang.cli import demo
from taizhang.cli.main import main

ARTIFACTS = REPO / "tests" / "artifacts"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def exported(root: Path, as_of: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = run(["export", "--format", "json", "--root", str(root), "--as-of", as_of], capsys)
    assert code == 0
    return json.loads(out)


def stage_md(root: Path, as_of: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run(["report", "stage", "--root", str(root), "--as-of", as_of], capsys)
    assert (code, err) == (0, "")
    return out


def rate(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def one(pattern: str, text: str) -> tuple[str, ...]:
    found = re.findall(pattern, text)
    assert len(found) == 1, (pattern, found)
    return found[0] if isinstance(found[0], tuple) else (found[0],)


def check_figures(text: str, data: dict[str, Any]) -> int:
    """Every figure sentence of the report against the JSON export's figures; returns how many figures were held."""
    s, measures, problems = data["summary"], data["measures"], data["problems"]
    by = s["measures_by_status"]
    completed, open_ = by["done"] + by["closed"], by["not_started"] + by["in_progress"]
    held = 0

    def same(found: tuple[str, ...], expected: tuple[Any, ...]) -> None:
        nonlocal held
        assert found == tuple(str(e) for e in expected)
        held += len(expected)

    same(one(r"涉及(\d+)个方面、(\d+)个问题、(\d+)条具体表现", text),
         (len(data["areas"]), s["problems"], s["manifestations"]))
    same(one(r"逐一制定整改措施，共(\d+)条", text), (s["measures"],))
    if open_:
        started = f"（其中尚未启动{by['not_started']}项）" if by["not_started"] else ""
        same(one(r"已整改完成(\d+)项（其中已销号(\d+)项），正在推进(\d+)项((?:（其中尚未启动\d+项）)?)，整改措施完成率([\d.]+%)", text),
             (completed, by["closed"], open_, started, rate(s["completion_rate"])))
    else:
        same(one(r"(\d+)项整改措施已全部整改完成（其中已销号(\d+)项），整改措施完成率([\d.]+%)", text),
             (completed, by["closed"], rate(s["completion_rate"])))
    done_problems = sum(p["status"] in ("done", "closed") for p in problems)
    if done_problems and len(problems) > done_problems:
        same(one(r"(\d+)个问题的整改措施已全部完成，(\d+)个问题正在整改", text), (done_problems, len(problems) - done_problems))
    elif done_problems:
        same(one(r"按问题计，(\d+)个问题的整改措施已全部完成。", text), (done_problems,))
    else:
        same(one(r"按问题计，(\d+)个问题均在整改中。", text), (len(problems),))
    long_term = [m for m in measures if m["due"] == "long_term"]
    if long_term:
        same(one(r"长期坚持的整改措施(\d+)项，其中(\d+)项持续推进", text),
             (len(long_term), sum(m["status"] in ("not_started", "in_progress") for m in long_term)))
    extended, late = sum(m["extensions"] > 0 for m in measures), sum(m["late"] for m in measures)
    if s["overdue"] or extended or late:
        same(one(r"逾期未完成的整改措施(\d+)项，经批准延期的(\d+)项，超期完成的(\d+)项", text), (s["overdue"], extended, late))
    else:
        assert "没有逾期未完成、延期或超期完成的整改措施。" in text
    areas = re.findall(r"该方面反馈问题(\d+)个，制定整改措施(\d+)条，(?:已整改完成(\d+)条，正在推进(\d+)条|已全部整改完成)，"
                       r"完成率([\d.]+%)", text)
    expected = []
    for a in data["areas"]:
        if not a["measures"]:
            continue  # said plainly: 该方面没有整改措施。
        done = sum(m["status"] in ("done", "closed") for m in measures if m["area"] == a["id"])
        split = (done, a["measures"] - done) if done < a["measures"] else ("", "")  # all done: said so, no "0"
        expected.append(tuple(map(str, (a["problems"], a["measures"], *split, rate(a["completion_rate"])))))
    assert areas == expected
    assert text.count("该方面没有整改措施。") == sum(not a["measures"] for a in data["areas"])
    held += 5 * len(areas)
    if s["overdue"]:
        same(one(r"(\d+)项整改措施超过整改时限仍未完成", text), (s["overdue"],))
    else:
        assert "没有超过整改时限仍未完成的整改措施。" in text
    if extended:
        same(one(r"(\d+)项整改措施经批准延期，共延期(\d+)次", text), (extended, sum(m["extensions"] for m in measures)))
    if late:
        same(one(r"另有(\d+)项整改措施超过整改时限后才完成", text), (late,))
    dated_open = sum(m["status"] in ("not_started", "in_progress") and m["due"] != "long_term" for m in measures)
    if dated_open:
        same(one(r"对尚未完成的(\d+)项整改措施", text), (dated_open,))
    if by["done"]:
        same(one(r"对已完成、待销号的(\d+)项整改措施", text), (by["done"],))
    return held


# -- the stage report --------------------------------------------------------------------------------

def test_stage_figures_agree_with_the_json_export_on_the_reference_ledger(reference: Path,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = stage_md(reference, AS_OF, capsys)
    data = exported(reference, AS_OF, capsys)
    assert check_figures(text, data) >= 40
    # the reference case as of 2023-09-15, in the report's own words
    assert "截至2023年9月15日，已整改完成67项（其中已销号48项），正在推进21项（其中尚未启动4项），整改措施完成率76.1%（按整改措施计）。" in text
    assert text.startswith("# 关于青山镇党委巡察反馈意见整改进展情况的报告\n\n（截至2023年9月15日）\n\n区委第三巡察组：\n")
    headings = re.findall(r"^## (.*)$", text, re.M)
    assert headings == ["一、基本情况", "二、整改落实情况", "三、存在的不足", "四、下一步打算", "附件"]
    appendix = text[text.index("## 附件"):]
    assert len(re.findall(r"^\| \d+ \|", appendix, re.M)) == data["summary"]["measures"]
    assert "\n\n附件：整改台账\n\n青山镇党委  \n2023年9月15日\n\n## 附件\n\n整改台账\n" in text


def test_stage_figures_agree_with_the_json_export_on_a_demo_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "demo"
    demo.generate(root, 40, weeks=10, seed=7)
    last = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%as"], capture_output=True, text=True, check=True)
    as_of = last.stdout.strip()
    assert check_figures(stage_md(root, as_of, capsys), exported(root, as_of, capsys)) >= 20


def test_stage_report_with_nothing_open_says_so(ledger, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    root = ledger({"records/A1/P01.md": CLOSED})
    text = stage_md(root, "2023-09-15", capsys)
    assert check_figures(text, exported(root, "2023-09-15", capsys)) > 0
    assert "截至2023年9月15日，1项整改措施已全部整改完成（其中已销号1项），整改措施完成率100%（按整改措施计）。" in text
    assert "没有逾期未完成、延期或超期完成的整改措施。" in text
    assert "没有超过整改时限仍未完成的整改措施。" in text and "没有延期的整改措施。" in text
    assert "按问题计，1个问题的整改措施已全部完成。" in text
    assert "对尚未完成的" not in text and not re.search(r"(?<![\d-])0[项个条]", text)


CLOSED = """\
---
id: P01
area: A1
title: 理论学习不够深入
manifestations:
  - id: P01-1
    text: 学习次数不足
measures:
  - id: P01-M1
    text: 制定学习计划
    leader: zhangsan
    department: dzb
    owner: lisi
    due: 2023-09-30
    status: closed
    progress: 已印发
    outcome: 建立学习考勤通报制度
    done_on: 2023-08-20
    evidence:
      - title: 学习计划
        url: https://intranet.example/1
    closed_on: 2023-09-05
    closed_by: wangwu
---
"""


@pytest.fixture(scope="module")
def stage_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import site_repo

    root = site_repo(tmp_path_factory.mktemp("stage") / "ledger", REPO / "records")
    target = root / "整改情况报告.docx"
    assert main(["report", "stage", "--format", "docx", "-o", str(target), "--root", str(root), "--as-of", AS_OF]) == 0
    return target


def fonts(element: Any) -> dict[str, str]:
    from docx.oxml.ns import qn

    found = element.find(qn("w:rPr") if element.tag != qn("w:rPr") else element.tag)
    rpr = element if element.tag == qn("w:rPr") else found
    names = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return {k.split("}")[1]: v for k, v in (names.attrib.items() if names is not None else [])}


def test_stage_docx_is_laid_out_as_gb_t_9704(stage_docx: Path) -> None:
    doc = Document(str(stage_docx))
    section = doc.sections[0]
    def cm(value: Any) -> float:  # Word keeps twentieths of a point: 21 cm is 11906 of them
        return round(value.cm, 2)

    assert (cm(section.page_width), cm(section.page_height)) == (21.0, 29.7)  # A4
    assert [cm(section.top_margin), cm(section.bottom_margin), cm(section.left_margin), cm(section.right_margin)] == [
        3.7, 3.5, 2.8, 2.6]
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)  # 三号
    assert fonts(normal.element.get_or_add_rPr())["eastAsia"] == "仿宋_GB2312"
    assert fonts(doc.styles["Heading 1"].element.get_or_add_rPr())["eastAsia"] == "黑体"
    assert fonts(doc.styles["Heading 2"].element.get_or_add_rPr())["eastAsia"] == "楷体_GB2312"
    title = doc.paragraphs[0]
    assert title.text == "关于青山镇党委巡察反馈意见整改进展情况的报告"
    assert title.runs[0].font.size == Pt(22)  # 二号
    assert fonts(title.runs[0]._r)["eastAsia"] == "方正小标宋简体"
    assert doc.core_properties.title == title.text
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、基本情况", "二、整改落实情况", "三、存在的不足", "四、下一步打算", "附件"]
    appendix = next(p for p in doc.paragraphs if p.text == "附件")
    assert appendix.paragraph_format.page_break_before
    texts = [p.text for p in doc.paragraphs]
    signed = texts.index("青山镇党委")
    assert (texts[signed - 2], texts[signed + 1]) == ("附件：整改台账", "2023年9月15日")  # 附件说明, blank line, signature
    assert 'w:instr="PAGE"' in section.footer._element.xml  # page numbers
    with zipfile.ZipFile(stage_docx) as z:  # fonts named, none embedded
        assert not [n for n in z.namelist() if n.startswith("word/fonts/")]
        assert "embedTrueTypeFonts" not in z.read("word/settings.xml").decode()
    assert len(doc.tables[-1].rows) == 88 + 1


def test_stage_docx_the_same_bytes_for_the_same_day(stage_docx: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.docx"
    assert main(["report", "stage", "--format", "docx", "-o", str(again), "--root", str(stage_docx.parent),
                 "--as-of", AS_OF]) == 0
    assert again.read_bytes() == stage_docx.read_bytes()


@pytest.mark.slow
def test_stage_docx_prints_through_libreoffice(stage_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """soffice → PDF → pdftoppm: the first page is kept as tests/artifacts/stage-report-page1.png."""
    if not shutil.which("soffice") or not shutil.which("pdftoppm") or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice or poppler is not installed (.ci/run installs libreoffice-writer-nogui and poppler-utils)")
    profile = tmp_path / "profile"  # a fresh LibreOffice profile: no lock shared with another run
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(stage_docx)], check=True, capture_output=True, timeout=60)
    pdf = tmp_path / (stage_docx.stem + ".pdf")
    assert pdf.is_file()
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / "stage-report-page1")], check=True, timeout=60)
    assert (ARTIFACTS / "stage-report-page1.png").stat().st_size > 10_000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    flat = re.sub(r"\s+", "", text)
    from taizhang.ledger.figures import Aggregate
    from taizhang.ledger.repository import load_valid
    from taizhang.reports.stage import figure_sentences
    from datetime import date

    agg = Aggregate(load_valid(stage_docx.parent, date.fromisoformat(AS_OF)), date.fromisoformat(AS_OF))
    sentences = figure_sentences(agg)
    assert len(sentences) >= 6
    for sentence in sentences:
        assert re.sub(r"\s+", "", sentence) in flat, sentence
    assert "—1—" in flat  # the page number


# -- 考核 -------------------------------------------------------------------------------------------------

def measure(id: str, status: str, due: str, **more: str) -> str:
    lines = [f"  - id: {id}", f"    text: 措施{id}", f"    leader: {more.pop('leader', 'zhangsan')}",
             f"    department: {more.pop('department', 'dzb')}", f"    owner: {more.pop('owner', 'lisi')}",
             f"    due: {due}", f"    status: {status}"]
    if status in ("done", "closed"):
        lines += [f"    done_on: {more.pop('done_on')}", "    evidence:", "      - title: 材料", "        url: https://x.example/1"]
    if status == "closed":
        lines += [f"    closed_on: {more.pop('closed_on')}", "    closed_by: wangwu"]
    lines += [f"    {k}: {v}" for k, v in more.items()]
    return "\n".join(lines)


def problem(id: str, area: str, *measures: str) -> str:
    return "\n".join(["---", f"id: {id}", f"area: {area}", f"title: 问题{id}", "manifestations:", f"  - id: {id}-1",
                      "    text: 表现", "measures:", *measures, "---", ""])


# Five measures, as of 2023-09-15, with the answers worked out by hand below.
ASSESSED = {
    "records/A1/P01.md": problem(
        "P01", "A1",
        # on time (done 08-20, due 09-30), department dzb, leader zhangsan, owner lisi
        measure("P01-M1", "closed", "2023-09-30", done_on="2023-08-20", closed_on="2023-09-01"),
        # late (done 08-10 after due 07-31), czs, leader zhangsan, owner wangwu
        measure("P01-M2", "done", "2023-07-31", done_on="2023-08-10", department="czs", owner="wangwu"),
        # overdue now (due 09-01), dzb and czs, leader lisi, owner lisi; one extension approved 07-25
        measure("P01-M3", "in_progress", "2023-09-01", department="[dzb, czs]", leader="lisi",
                extensions="\n      - {from: 2023-07-31, to: 2023-09-01, approved_by: zhangsan, approved_on: 2023-07-25}"),
    ),
    "records/A2/P02.md": problem(
        "P02", "A2",
        # done on time (done 06-15, before the period from 07-01), czs, leader lisi; relapsed 09-10
        measure("P02-M1", "closed", "2023-06-30", done_on="2023-06-15", closed_on="2023-06-20", department="czs",
                leader="lisi", rechecks="\n      - {date: 2023-09-10, by: wangwu, result: relapsed}"),
        # long-term, open: counted, neither done nor overdue
        measure("P02-M2", "in_progress", "long_term", department="czs", leader="lisi", owner="wangwu"),
    ),
}


def assessment_rows(text: str, heading: str) -> dict[str, list[str]]:
    part = text[text.index(f"、{heading}"):]
    part = part[: part.find("\n## ", 1) if "\n## " in part[1:] else len(part)]
    rows = [line.strip("| ").split(" | ") for line in part.splitlines() if re.match(r"^\| \d+ \|", line)]
    return {row[1]: row[2:] for row in rows}


def test_assessment_counts_on_a_hand_made_ledger(ledger, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    root = ledger(ASSESSED)
    code, text, err = run(["report", "assessment", "--root", str(root), "--as-of", "2023-09-15"], capsys)
    assert (code, err) == (0, "")
    #  measures, done, on time, late, overdue now, extensions, relapsed, on-time rate
    assert assessment_rows(text, "按责任科室") == {
        "党政办公室": ["2", "1", "1", "0", "1", "1", "0", "50%"],  # M1 on time, M3 overdue
        "财政所": ["4", "2", "1", "1", "1", "1", "1", "33.3%"],  # M2 late, M3 overdue, P02-M1 on time, P02-M2 open
    }
    assert list(assessment_rows(text, "按责任科室")) == ["党政办公室", "财政所"]  # by on-time rate
    assert assessment_rows(text, "按责任领导") == {
        "张三": ["2", "2", "1", "1", "0", "0", "0", "50%"],
        "李四": ["3", "1", "1", "0", "1", "1", "1", "50%"],
    }
    assert assessment_rows(text, "按责任人") == {
        "李四": ["3", "2", "2", "0", "1", "1", "1", "66.7%"],
        "王五": ["2", "1", "0", "1", "0", "0", "0", "0%"],
    }
    assert "按期完成率：按期完成 ÷（已完成 &#43; 当前逾期）" in text  # the definitions are written out
    # a period from 07-01: P02-M1's completion (06-15) and P01-M3's extension (07-25) drop out or stay
    code, text, _ = run(["report", "assessment", "--root", str(root), "--as-of", "2023-09-15", "--from", "2023-07-01"], capsys)
    assert assessment_rows(text, "按责任科室")["财政所"] == ["4", "1", "0", "1", "1", "1", "1", "0%"]
    code, text, _ = run(["report", "assessment", "--root", str(root), "--from", "2023-08-01", "--to", "2023-08-31"], capsys)
    # as of 08-31: P01-M3 (due 09-01) not yet overdue, the relapse (09-10) not yet, the extension (07-25) before
    assert assessment_rows(text, "按责任科室")["财政所"] == ["4", "1", "0", "1", "0", "0", "0", "0%"]


def test_assessment_as_xlsx_and_in_the_excel_download(ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    root = ledger(ASSESSED)
    target = tmp_path / "考核.xlsx"
    assert run(["report", "assessment", "--format", "xlsx", "-o", str(target), "--root", str(root),
                "--as-of", "2023-09-15"], capsys)[0] == 0
    sheet = load_workbook(target).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["1", "党政办公室", 2, 1, 1, 0, 1, 1, 0, "50%"] in values
    download = tmp_path / "台账.xlsx"
    assert run(["export", "--format", "xlsx", "-o", str(download), "--root", str(root), "--as-of", "2023-09-15"], capsys)[0] == 0
    book = load_workbook(download)
    rows = [[c for c in row if c is not None] for row in book["考核"].iter_rows(values_only=True)]
    assert ["2", "财政所", 4, 2, 1, 1, 1, 1, 1, "33.3%"] in rows


# -- 督办 --------------------------------------------------------------------------------------------------

def test_due_list_on_the_reference_ledger(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = exported(reference, AS_OF, capsys)
    code, text, err = run(["report", "due", "--root", str(reference), "--as-of", AS_OF], capsys)
    assert (code, err) == (0, "")
    s = data["summary"]
    assert f"截至2023年9月15日，逾期未完成的整改措施{s['overdue']}项，14天内到期的{s['due_soon']}项。" in text
    listed = set(re.findall(r"^\| \d+ \| (P\d\d-M\d) \|", text, re.M))
    assert listed == {m["id"] for m in data["measures"] if m["overdue"] or m["due_soon"]}
    leaders = re.findall(r"^## [一二三四五六七八九十]+、(\S+)（(\d+)项）$", text, re.M)
    assert leaders[0] == ("李明", "1") and ("孙浩", "5") in leaders
    assert "| 1 | P35-M2 | 对东湖村、石桥村反弹的村级财务问题重新整改，代管资金一律纳入委托代理账户 | 2023-08-31 | 逾期15天 | 宋涛 |" in text
    assert "| 今天到期 | 杨雪 |" in text
    code, week, _ = run(["report", "due", "--days", "7", "--root", str(reference), "--as-of", AS_OF], capsys)
    assert "逾期未完成的整改措施5项，7天内到期的3项。" in week and "P21-M2" not in week  # due 09-25: ten days off


@pytest.mark.parametrize("argv, message", [
    (["stage", "--format", "docx"], "taizhang: 生成 docx 时必须用 -o 指定输出文件\n"),
    (["due", "--format", "xlsx"], "taizhang: 生成 xlsx 时必须用 -o 指定输出文件\n"),
    (["assessment", "--from", "2023-10-01"], "taizhang: --from 2023-10-01 晚于 --to 2023-09-15\n"),
    (["due", "--days", "-3"], "天数应为不小于 0 的整数"),
    (["assessment", "--to", "2023-02-30"], "日期应写成 YYYY-MM-DD"),
])
def test_usage_errors(reference: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["report", *argv, "--root", str(reference), "--as-of", AS_OF], capsys)
    assert (code, out) == (2, "") and message in err and "Traceback" not in err


# -- without git ---------------------------------------------------------------------------------------------

def test_every_report_works_in_a_copy_without_git(reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert not (reference / ".git").exists()
    code, weekly, err = run(["report", "weekly", "--root", str(reference), "--as-of", AS_OF], capsys)
    assert (code, err) == (0, "")
    assert len([line for line in weekly.splitlines() if "没有可用的 git 历史记录" in line]) == 1
    # the week's figures at its end from the records' dates: the same as the ledger's own as of that day
    data = exported(reference, AS_OF, capsys)
    by = data["summary"]["measures_by_status"]
    assert f"已完成{by['done'] + by['closed']}条（其中已销号{by['closed']}条）" in weekly
    code, before, _ = run(["report", "weekly", "--week", "2023-W35", "--root", str(reference), "--as-of", AS_OF], capsys)
    # at the end of W35 (Sunday 2023-09-03), by hand from the export's dates
    completed = sum(m["done_on"] is not None and m["done_on"] <= "2023-09-03" for m in data["measures"])
    closed = sum(m["closed_on"] is not None and m["closed_on"] <= "2023-09-03" for m in data["measures"])
    assert f"截至2023年9月3日，反馈问题35个，制定整改措施88条，已完成{completed}条（其中已销号{closed}条）" in before
    assert "据台账记录中的日期，本周新完成整改措施" in before
    for kind in (["stage"], ["assessment"], ["due"]):
        code, out, err = run(["report", *kind, "--root", str(reference), "--as-of", AS_OF], capsys)
        assert (code, err) == (0, "") and out.startswith("# ")
    for kind, fmt in (("stage", "docx"), ("assessment", "docx"), ("due", "xlsx"), ("weekly", "docx")):
        target = tmp_path / f"{kind}.{fmt}"
        assert main(["report", kind, "--format", fmt, "-o", str(target), "--root", str(reference), "--as-of", AS_OF]) == 0
        assert target.stat().st_size > 5_000


# -- the site ---------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_report_pages_on_the_site(reference: Path) -> None:
    done = build(reference, env={"TAIZHANG_AS_OF": AS_OF})
    assert done.error is None and done.warnings() == []
    reports = done.html("reports")
    assert "关于青山镇党委巡察反馈意见整改进展情况的报告" in reports and 'href="taizhang-stage.docx"' in reports
    assert Document(str(done.site / "reports" / "taizhang-stage.docx")).paragraphs[0].text.startswith("关于青山镇党委")
    assert "按期完成率：按期完成" in done.html("assessment") and "何晓燕" in done.html("assessment")
    assert "P16-M2" in done.html("due") and "逾期15天" in done.html("due")
    assert done.html("").count('href="due/"') >= 2  # the overdue and due-soon figures on the home page


@pytest.mark.slow
def test_report_pages_in_the_public_profile_name_no_one(reference: Path) -> None:
    done = build(reference, env={"TAIZHANG_AS_OF": AS_OF, "TAIZHANG_PROFILE": "public"})
    assert done.error is None and done.warnings() == []
    assert not (done.site / "reports" / "taizhang-stage.docx").exists()
    people = [p["name"] for p in __import__("yaml").safe_load((reference / "records/owners.yml").read_text())["people"]]
    for address in ("reports", "assessment", "due"):
        page = done.html(address)
        assert not [name for name in people if name in page], address
    assert "按责任科室" in done.html("assessment") and "按责任领导" not in done.html("assessment")
