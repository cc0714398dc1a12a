"""The annual report's .docx tables, built as one piece of XML each, are the very markup that
python-docx's cell API wrote before (tests/report_docx_reference.py): same cells, merges,
widths, fonts and text, on a generated archive and on the hand-made year."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from cases.documents import report, report_docx
from cases.documents.report_export import (
    _Grid,
    _table2_grid,
    _table3_grid,
    _table4_grid,
    export_report,
)
from cases.documents.report_text import draft_text
from cases.storage.store import Store
from tests.report_docx_reference import declare_fonts_stylewise, docx_table_cellwise
from tests.report_support import generate_years
from tests.test_report import build_hand_year


def table_markup(grid: _Grid, size: float, *, cellwise: bool) -> bytes:
    document = docx.Document()
    if cellwise:
        docx_table_cellwise(document, grid, size)
    else:
        report_docx._docx_table(document, grid, size)
    (table,) = document.element.body.iterchildren("{*}tbl")
    return etree.tostring(table)


def assert_same_tables(built: report.Report) -> None:
    for grid, size in (
        (_table2_grid(built), 10.5),
        (_table3_grid(built), 9.5),
        (_table4_grid(built), 10.5),
    ):
        assert table_markup(grid, size, cellwise=False) == table_markup(grid, size, cellwise=True)


def test_generated_archive_tables_match_the_cellwise_writer(store: Store) -> None:
    with store.transaction() as session:
        generate_years(session, 11, 2023, 2025, 2500)
    with store.session() as session:
        for year in (2024, 2025):
            assert_same_tables(report.build_report(session, year, checks=False))


def test_whole_document_matches_the_cellwise_writer(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.transaction() as session:
        build_hand_year(session)
    with store.session() as session:
        built = report.build_report(session, 2025)
        assert_same_tables(built)
        text = draft_text(session, built)
    export_report(built, tmp_path / "new.docx", text=text)
    monkeypatch.setattr(report_docx, "_docx_table", docx_table_cellwise)
    export_report(built, tmp_path / "old.docx", text=text)
    new, old = zipfile.ZipFile(tmp_path / "new.docx"), zipfile.ZipFile(tmp_path / "old.docx")
    assert new.namelist() == old.namelist()
    for part in new.namelist():
        if part != "docProps/core.xml":  # its time of creation differs by the second
            assert new.read(part) == old.read(part), part


def test_unusual_texts_and_an_empty_cell_are_written_alike() -> None:
    grid = _Grid(n_rows=3, n_cols=3, widths_mm=[20.0, 33.3, 41.7], header_rows=1)
    grid.put(0, 0, "表头\t分栏", cols=2, header=True)
    grid.put(0, 2, " 前后空格 ", rows=3, header=True)
    grid.put(1, 0, "第一行\n第二行\r第三行", rows=2, left=True)
    grid.put(1, 1, "<&>\"'")
    grid.put(2, 1, "")
    assert table_markup(grid, 9.5, cellwise=False) == table_markup(grid, 9.5, cellwise=True)
    sparse = _Grid(n_rows=2, n_cols=2, widths_mm=[10.0, 10.0], header_rows=0)
    sparse.put(0, 0, "只有一格")  # the other three cells stay empty
    assert table_markup(sparse, 10.5, cellwise=False) == table_markup(sparse, 10.5, cellwise=True)


def test_the_fonts_of_every_style_are_declared_as_through_the_style_objects(
    tmp_path: Path,
) -> None:
    """_declare_fonts walks the styles part itself; the styles part must come out the same,
    also for a style that has run properties already or table properties after them."""
    new, old = docx.Document(), docx.Document()
    for doc in (new, old):
        table_style = doc.styles["Table Grid"].element
        assert table_style.find(report_docx.qn("w:tblPr")) is not None
        heading = doc.styles["Heading 1"].element
        assert heading.find(report_docx.qn("w:rPr")) is not None
    report_docx._declare_fonts(new)
    declare_fonts_stylewise(old)
    assert etree.tostring(new.styles.element) == etree.tostring(old.styles.element)
    assert b'w:eastAsia="' in etree.tostring(new.styles.element)
