"""Annual-report exports: the .docx and .xlsx reopened and read back cell by cell against the JSON,
the official merged layout, page set-up and fonts, and refusal when a check fails."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from lxml import etree

from cases.documents import report
from cases.documents.report_export import export_report, report_json
from cases.storage.store import Store
from tests.report_support import D, add_case, generate_years
from tests.test_report import build_hand_year

Grid = list[list[str]]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LABEL_COLUMNS = 3  # table 三 in the format: three label columns, then the seven figures
TABLE2_FIGURES = {
    ("第二十条第（一）项", "规章", "本年制发件数"): 3,
    ("第二十条第（一）项", "行政规范性文件", "现行有效件数"): 41,
    ("第二十条第（六）项", "行政强制", "本年处理决定数量"): 7,
    ("第二十条第（八）项", "行政事业性收费", "本年收费金额（单位：万元）"): "12.35",
}


def dedupe(cells: list[str]) -> list[str]:
    """A merged cell reads back once per grid position; keep each run of equal texts once."""
    out: list[str] = []
    for text in cells:
        if text and (not out or out[-1] != text):
            out.append(text)
    return out


def table3_from(grid: Grid, header_rows: int = 3) -> dict[tuple[str, ...], list[int]]:
    rows = {}
    for cells in grid[header_rows:]:
        path = tuple(dedupe(cells[:LABEL_COLUMNS]))
        rows[path] = [int(v) for v in cells[LABEL_COLUMNS:]]
    return rows


def table4_from(grid: Grid) -> dict[str, int]:
    *header, values = grid
    return {
        "/".join(dedupe([row[k] for row in header])): int(values[k]) for k in range(len(values))
    }


def table2_from(grid: Grid) -> dict[tuple[str, str, str], str]:
    found: dict[tuple[str, str, str], str] = {}
    block, columns = "", {}
    for cells in grid:
        if len(set(cells)) == 1:
            block = cells[0]
        elif cells[0] == "信息内容":
            columns = {name: cells.index(name) for name in dedupe(cells[1:])}
        else:
            for name, k in columns.items():
                if cells[k]:
                    found[(block, cells[0], name)] = cells[k]
    return found


def docx_grids(path: Path) -> list[Grid]:
    document = docx.Document(str(path))
    # A merged cell is returned at each grid position it covers, as python-docx reads it.
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def xlsx_grids(path: Path) -> dict[str, Grid]:
    wb = openpyxl.load_workbook(str(path))
    grids = {}
    for ws in wb.worksheets:
        values: dict[tuple[int, int], Any] = {}
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                values[(cell.row, cell.column)] = cell.value
        for merged in ws.merged_cells.ranges:
            top = values.get((merged.min_row, merged.min_col))
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    values[(r, c)] = top
        grids[ws.title] = [
            [_text(values.get((r, c))) for c in range(1, ws.max_column + 1)]
            for r in range(2, ws.max_row + 1)
        ]
    return grids


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def json_table3(data: dict[str, Any]) -> dict[tuple[str, ...], list[int]]:
    return {tuple(r["path"]): r["values"] for r in data["table3"]["rows"]}


def exported(store: Store, tmp_path: Path, year: int) -> tuple[dict[str, Any], Path, Path]:
    with store.session() as session:
        built = report.build_report(session, year)
    export_report(built, tmp_path / "r.json")
    export_report(built, tmp_path / "r.docx")
    export_report(built, tmp_path / "r.xlsx")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    return data, tmp_path / "r.docx", tmp_path / "r.xlsx"


@pytest.fixture
def hand_year(store: Store) -> Store:
    with store.transaction() as session:
        build_hand_year(session)
        report.save_table2(session, 2025, TABLE2_FIGURES, "年报编制人")
    return store


def test_json_is_laid_out_as_design_says(hand_year: Store, tmp_path: Path) -> None:
    data, _, _ = exported(hand_year, tmp_path, 2025)
    assert list(data) == ["year", "office", "body", "table3", "table4", "table2", "checks"]
    assert data["office"] == "上海市崇明区人民政府" and data["body"] is None  # the compiled report
    assert data["year"] == 2025
    assert data["table3"]["columns"] == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"
    ]  # fmt: skip
    rows = data["table3"]["rows"]
    assert rows[0] == {
        "path": ["一、本年新收政府信息公开申请数量"],
        "values": [4, 2, 1, 1, 1, 1, 10],
        "subtotal": False,
    }
    assert rows[2] == {"path": ["三、本年度办理结果"], "values": None, "subtotal": False}
    secret = ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    assert {"path": secret, "values": [0, 0, 1, 0, 0, 0, 1], "subtotal": False} in rows
    # （三）（四）（五）（六） are marked: they repeat the sums of the sub-rows under them.
    subtotals = [r["path"][-1][:3] for r in rows if r["subtotal"]]
    assert subtotals == ["（三）", "（四）", "（五）", "（六）"]
    table2 = data["table2"]
    assert table2["complete"] is (not table2["missing"])
    assert [b["title"] for b in table2["blocks"]] == [b.title for b in report.TABLE2]
    assert data["table4"]["columns"][0] == "行政复议/结果维持"
    assert data["table4"]["columns"][-1] == "行政诉讼/复议后起诉/总计"
    assert data["table4"]["values"] == [1, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1]
    assert all(set(c) == {"rule", "ok", "cases"} and c["ok"] for c in data["checks"])


@pytest.mark.parametrize("seed", [4, 5])
def test_docx_and_xlsx_read_back_equal_to_the_json(store: Store, tmp_path: Path, seed: int) -> None:
    with store.transaction() as session:
        generate_years(session, seed, 2023, 2025, 200)
        report.save_table2(session, 2024, TABLE2_FIGURES, "年报编制人")
    data, docx_path, xlsx_path = exported(store, tmp_path, 2024)
    in_json = json_table3(data)
    t4_json = dict(zip(data["table4"]["columns"], data["table4"]["values"], strict=True))

    table2, table3, table4 = docx_grids(docx_path)
    sheets = xlsx_grids(xlsx_path)
    for grid3, grid4, grid2 in (
        (table3, table4, table2),
        (sheets["表三"], sheets["表四"], sheets["表二"]),
    ):
        read3 = table3_from(grid3)
        # every row with figures in the format, in order, and nothing else
        assert list(read3) == [p for p, v in in_json.items() if v is not None and not any(
            q != p and q[: len(p)] == p for q in in_json
        )]  # fmt: skip
        for path, values in read3.items():
            assert values == in_json[path], path
        assert table4_from(grid4) == t4_json
        assert table2_from(grid2) == {k: str(v) for k, v in TABLE2_FIGURES.items()}


def test_docx_header_cells_are_merged_as_in_the_format(hand_year: Store, tmp_path: Path) -> None:
    _, docx_path, _ = exported(hand_year, tmp_path, 2025)
    document = docx.Document(str(docx_path))
    t2, t3, t4 = document.tables
    note = t3.cell(0, 0)
    assert note.text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert t3.cell(2, 2)._tc is note._tc  # three rows by three label columns
    assert t3.cell(0, 3).text == "申请人情况" and t3.cell(0, 9)._tc is t3.cell(0, 3)._tc
    assert t3.cell(1, 4).text == "法人或其他组织" and t3.cell(1, 8)._tc is t3.cell(1, 4)._tc
    assert t3.cell(2, 3)._tc is t3.cell(1, 3)._tc  # 自然人 spans both header rows
    heading = t3.cell(5, 0)
    assert heading.text == "三、本年度办理结果"
    assert t3.cell(5 + 25 - 3 - 1, 0)._tc is heading._tc  # down to （七）总计
    assert t4.cell(0, 0).text == "行政复议" and t4.cell(0, 4)._tc is t4.cell(0, 0)._tc
    assert t4.cell(0, 5).text == "行政诉讼" and t4.cell(0, 14)._tc is t4.cell(0, 5)._tc
    assert t4.cell(2, 0)._tc is t4.cell(1, 0)._tc  # 行政复议's results span two header rows
    assert t2.cell(0, 0).text == "第二十条第（一）项" and t2.cell(0, 3)._tc is t2.cell(0, 0)._tc


def test_docx_pages_are_a4_with_landscape_tables(hand_year: Store, tmp_path: Path) -> None:
    _, docx_path, _ = exported(hand_year, tmp_path, 2025)
    sections = docx.Document(str(docx_path)).sections
    assert len(sections) == 3
    assert sections[0].orientation == WD_ORIENT.PORTRAIT
    assert (round(sections[0].page_width.mm), round(sections[0].page_height.mm)) == (210, 297)
    for landscape in sections[1:]:
        assert landscape.orientation == WD_ORIENT.LANDSCAPE
        assert (round(landscape.page_width.mm), round(landscape.page_height.mm)) == (297, 210)


def test_docx_declares_the_east_asian_font_everywhere(hand_year: Store, tmp_path: Path) -> None:
    _, docx_path, _ = exported(hand_year, tmp_path, 2025)
    with zipfile.ZipFile(docx_path) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        body = etree.fromstring(z.read("word/document.xml"))

    def declared(holder: Any) -> bool:
        fonts = holder.find(f"{W}rPr/{W}rFonts")
        # a theme attribute (eastAsiaTheme …) would override the named font
        return (
            fonts is not None
            and bool(fonts.get(f"{W}eastAsia"))
            and not any(name.lower().endswith("theme") for name in fonts.attrib)
        )

    missing = [
        s.get(f"{W}styleId")
        for s in styles.iter(f"{W}style")
        if s.get(f"{W}type") != "numbering" and not declared(s)
    ]
    assert missing == []
    assert declared(styles.find(f"{W}docDefaults/{W}rPrDefault"))
    runs = list(body.iter(f"{W}r"))
    assert runs and all(declared(r) for r in runs)


def test_xlsx_merges_and_page_setup(hand_year: Store, tmp_path: Path) -> None:
    _, _, xlsx_path = exported(hand_year, tmp_path, 2025)
    wb = openpyxl.load_workbook(str(xlsx_path))
    assert wb.sheetnames == ["表二", "表三", "表四"]
    ws3 = wb["表三"]
    merged = {str(r) for r in ws3.merged_cells.ranges}
    assert {"A2:C4", "D2:J2", "E3:I3", "D3:D4", "J3:J4"} <= merged
    assert ws3["A2"].value.startswith("（本列数据的勾稽关系为")
    assert ws3.page_setup.orientation == "landscape"
    assert wb["表二"].page_setup.orientation == "portrait"
    assert int(ws3.page_setup.paperSize) == int(ws3.PAPERSIZE_A4)
    assert isinstance(ws3["J5"].value, int) and ws3["J5"].value == 10
    fee = wb["表二"]
    amounts = [
        c.value for row in fee.iter_rows() for c in row if isinstance(c.value, Decimal | float)
    ]
    assert amounts and float(amounts[0]) == 12.35


def test_failed_check_refuses_every_export_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        add_case(session, "GOOD", D(2025, 2, 3), outcome="disclose", on=D(2025, 2, 10))
        add_case(session, "WRONG", D(2025, 2, 3), outcome="not_a_code", on=D(2025, 2, 10))
    with store.session() as session:
        built = report.build_report(session, 2025)
    out = tmp_path / "out"
    out.mkdir()
    for suffix in ("json", "docx", "xlsx"):
        with pytest.raises(report.ReportCheckFailed) as refused:
            export_report(built, out / f"r.{suffix}")
        assert "各合计行等于其所列各行之和" in str(refused.value)
        assert "WRONG" in str(refused.value) and "GOOD" not in str(refused.value)
    assert list(out.iterdir()) == []


def test_unchecked_report_and_unknown_format_are_refused(hand_year: Store, tmp_path: Path) -> None:
    with hand_year.session() as session:
        unchecked = report.build_report(session, 2025, checks=False)
        checked = report.build_report(session, 2025)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(report.ReportError, match="尚未检查"):
        export_report(unchecked, out / "r.json")
    with pytest.raises(report.ReportError, match=r"不支持的年报格式“\.pdf”"):
        export_report(checked, out / "r.pdf")
    with pytest.raises(report.ReportError, match="文件夹不存在"):
        export_report(checked, out / "missing" / "r.docx")
    assert list(out.iterdir()) == []
    assert report_json(checked)["year"] == 2025


def test_docx_title_names_the_office_from_its_profile(hand_year: Store, tmp_path: Path) -> None:
    from cases.office.profile import load_profile, save_profile

    with hand_year.transaction() as session:
        profile = dataclasses.replace(
            load_profile(session), issuing_body="上海市崇明区长兴镇人民政府"
        )
        save_profile(session, profile, "测试")
    _, docx_path, _ = exported(hand_year, tmp_path, 2025)
    first = docx.Document(str(docx_path)).paragraphs[0].text
    assert first == "上海市崇明区长兴镇人民政府2025年政府信息公开工作年度报告统计表"
