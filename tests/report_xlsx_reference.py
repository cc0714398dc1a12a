"""The annual report's .xlsx as openpyxl wrote it, cell by cell: the writer report_xlsx used
before it wrote the workbook's XML itself, kept here so that a test can read both files back
and compare every cell, merge, style and page setting."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cases.documents.report import Report
from cases.documents.report_export import (
    HEADING_FONT,
    SECTION_TABLE2,
    SECTION_TABLE3,
    SECTION_TABLE4,
    TABLE_FONT,
    _Grid,
    _table2_grid,
    _table3_grid,
    _table4_grid,
    demo_note,
)

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _xlsx_sheet(wb: Workbook, title: str, heading: str, grid: _Grid, landscape: bool) -> None:
    ws = wb.create_sheet(title)
    ws.cell(row=1, column=1, value=heading).font = Font(name=HEADING_FONT, size=14)
    top = 2  # the table starts on the sheet's second row, under its section title
    for spec in grid.cells:
        r, c = top + spec.row, 1 + spec.col
        cell = ws.cell(row=r, column=c, value=spec.number if spec.number is not None else spec.text)
        cell.font = Font(name=TABLE_FONT, size=10, bold=spec.header and spec.row == 0)
        cell.alignment = Alignment(
            horizontal="left" if spec.left else "center", vertical="center", wrap_text=True
        )
        if spec.rows > 1 or spec.cols > 1:
            ws.merge_cells(
                start_row=r, start_column=c, end_row=r + spec.rows - 1, end_column=c + spec.cols - 1
            )
    for r in range(top, top + grid.n_rows):
        for c in range(1, 1 + grid.n_cols):
            ws.cell(row=r, column=c).border = _BOX
    for k, width in enumerate(grid.widths_mm):
        # Excel measures columns in characters of the default font, about 2 mm each.
        ws.column_dimensions[get_column_letter(k + 1)].width = round(width / 2.0, 1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if grid.header_rows:
        ws.print_title_rows = f"{top}:{top + grid.header_rows - 1}"


def write_xlsx_openpyxl(report: Report, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    note = demo_note(report)
    for title, section, grid, landscape in (
        ("表二", SECTION_TABLE2, _table2_grid(report), False),
        ("表三", SECTION_TABLE3, _table3_grid(report), True),
        ("表四", SECTION_TABLE4, _table4_grid(report), True),
    ):
        _xlsx_sheet(wb, title, f"{section}　{note}" if note else section, grid, landscape)
    wb.save(str(path))
