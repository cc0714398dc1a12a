"""The annual report's .xlsx, written as SpreadsheetML directly, reads back with openpyxl exactly
as the workbook openpyxl wrote (tests/report_xlsx_reference.py): every cell's value, font,
alignment, border, fill and number format, the merges, column widths, page set-up and the
rows printed on every page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.xml.functions import tostring

from cases.documents import report
from cases.documents.report import ReportError
from cases.documents.report_export import export_report
from cases.documents.report_xlsx import _value
from cases.sample import demo
from cases.storage.store import Store
from tests.report_support import generate_years
from tests.report_xlsx_reference import write_xlsx_openpyxl
from tests.test_report import build_hand_year
from tests.test_report_export import TABLE2_FIGURES

STYLE = ("font", "alignment", "border", "fill", "number_format", "protection")


def described(style: Any) -> Any:
    """A style read back, as its XML: openpyxl's style proxies compare by identity."""
    if isinstance(style, str):
        return style
    return tostring(style.to_tree())


def read_back(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(str(path))
    sheets = {}
    for ws in wb.worksheets:
        cells = {
            c.coordinate: (c.value, *(described(getattr(c, a)) for a in STYLE))
            for row in ws.iter_rows()
            for c in row
        }
        setup = ws.page_setup
        sheets[ws.title] = {
            "cells": cells,
            "size": (ws.max_row, ws.max_column),
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items()},
            "page": (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight),
            "fit": ws.sheet_properties.pageSetUpPr.fitToPage,
            "titles": ws.print_title_rows,
        }
    return {"names": wb.sheetnames, "sheets": sheets}


def assert_same_workbooks(built: report.Report, tmp_path: Path) -> None:
    export_report(built, tmp_path / "new.xlsx")
    write_xlsx_openpyxl(built, tmp_path / "old.xlsx")
    new, old = read_back(tmp_path / "new.xlsx"), read_back(tmp_path / "old.xlsx")
    assert new["names"] == old["names"] == ["表二", "表三", "表四"]
    for name in old["names"]:
        for key, value in old["sheets"][name].items():
            assert new["sheets"][name][key] == value, (name, key)


def test_generated_archive_reads_back_as_before(store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        generate_years(session, 12, 2023, 2025, 2500)
        report.save_table2(session, 2024, TABLE2_FIGURES, "年报编制人")
    with store.session() as session:
        built = report.build_report(session, 2024)
    assert_same_workbooks(built, tmp_path)


def test_hand_year_reads_back_as_before(store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        build_hand_year(session)
        report.save_table2(session, 2025, TABLE2_FIGURES, "年报编制人")
    with store.session() as session:
        built = report.build_report(session, 2025)
    assert_same_workbooks(built, tmp_path)


def test_demo_year_with_its_note_reads_back_as_before(store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        demo.generate(session, 400, seed=5, years=(2025,), today=dt.date(2025, 12, 20))
    with store.session() as session:
        built = report.build_report(session, 2025)
    assert built.demo_cases > 0  # each sheet's title row then carries the demo-data note
    assert_same_workbooks(built, tmp_path)


def test_the_file_names_the_reporting_body(store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        build_hand_year(session)
    with store.session() as session:
        built = report.build_report(session, 2025)
    export_report(built, tmp_path / "r.xlsx")
    properties = openpyxl.load_workbook(str(tmp_path / "r.xlsx")).properties
    assert properties.creator == built.office == "上海市崇明区人民政府"
    assert properties.created is not None


def test_a_control_character_is_refused_not_written() -> None:
    with pytest.raises(ReportError, match="B3"):
        _value("B3", 4, "表\x01头")
    assert _value("B3", 4, "表\t头\n").startswith('<c r="B3" s="4" t="inlineStr">')
