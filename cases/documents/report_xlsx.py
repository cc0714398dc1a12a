"""The annual report as a .xlsx: tables 二, 三 and 四, one sheet each, merged as in the format.

The workbook is written as SpreadsheetML directly, the parts openpyxl wrote for these three
sheets and nothing else: importing openpyxl took a report run as a process about 0.2 s, more
than writing the file. tests/report_xlsx_reference.py keeps the openpyxl writer, and a test
reads both files back with openpyxl cell by cell.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from cases.documents.report import Report, ReportError
from cases.documents.report_export import (
    HEADING_FONT,
    SECTION_TABLE2,
    SECTION_TABLE3,
    SECTION_TABLE4,
    TABLE_FONT,
    _Cell,
    _Grid,
    _table2_grid,
    _table3_grid,
    _table4_grid,
    demo_note,
)
from cases.documents.xml_text import escape, quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl refused them
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell formats (cellXfs), by index: the sheet's title; a table cell without text of its own
# (covered by a merge, or empty) keeps only the box; the table's own cells.
_TITLE, _BOX_ONLY, _BOLD_CENTER, _CENTER, _LEFT, _BOLD_LEFT = range(1, 7)


def _align(horizontal: str, font: int) -> str:
    return (
        f'<xf numFmtId="0" fontId="{font}" fillId="0" borderId="1" applyAlignment="1" xfId="0">'
        f'<alignment horizontal="{horizontal}" vertical="center" wrapText="1"/></xf>'
    )


def _styles() -> str:
    fonts = (
        # the workbook's default font, as Excel and openpyxl declare it
        '<font><name val="Calibri"/><family val="2"/><color theme="1"/><sz val="11"/>'
        '<scheme val="minor"/></font>'
        f'<font><name val={quoteattr(HEADING_FONT)}/><sz val="14"/></font>'
        f'<font><name val={quoteattr(TABLE_FONT)}/><b val="1"/><sz val="10"/></font>'
        f'<font><name val={quoteattr(TABLE_FONT)}/><sz val="10"/></font>'
    )
    xfs = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0"/>',
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0"/>',
        _align("center", 2),
        _align("center", 3),
        _align("left", 3),
        _align("left", 2),
    ]
    return (
        f'<styleSheet xmlns="{_MAIN}"><numFmts count="0"/><fonts count="4">{fonts}</fonts>'
        '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/>'
        '</border><border><left style="thin"/><right style="thin"/><top style="thin"/>'
        '<bottom style="thin"/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _column(k: int) -> str:
    """The letters of column k (1 = A)."""
    letters = ""
    while k:
        k, rest = divmod(k - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _value(ref: str, style: int, value: str | int | Decimal) -> str:
    if isinstance(value, str):
        if not value:
            return f'<c r="{ref}" s="{style}"/>'
        if _ILLEGAL.search(value):  # XML cannot carry them: refuse rather than write a bad file
            raise ReportError(f"单元格 {ref} 的文字含有表格文件不能保存的控制字符：{value!r}")
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def _cell_style(spec: _Cell) -> int:
    bold = spec.header and spec.row == 0
    if spec.left:
        return _BOLD_LEFT if bold else _LEFT
    return _BOLD_CENTER if bold else _CENTER


def _sheet(heading: str, grid: _Grid, landscape: bool) -> str:
    top = 2  # the table starts on the sheet's second row, under its section title
    starts = {(spec.row, spec.col): spec for spec in grid.cells}
    rows = [f'<row r="1">{_value("A1", _TITLE, heading)}</row>']
    for r in range(grid.n_rows):
        cells = []
        for c in range(grid.n_cols):
            ref = f"{_column(1 + c)}{top + r}"
            spec = starts.get((r, c))
            if spec is None:  # under a merge: boxed like the rest of the table, no value
                cells.append(f'<c r="{ref}" s="{_BOX_ONLY}"/>')
            else:
                value = spec.number if spec.number is not None else spec.text
                cells.append(_value(ref, _cell_style(spec), value))
        rows.append(f'<row r="{top + r}">{"".join(cells)}</row>')
    merges = [
        f'<mergeCell ref="{_column(1 + s.col)}{top + s.row}:'
        f'{_column(s.col + s.cols)}{top + s.row + s.rows - 1}"/>'
        for s in grid.cells
        if s.rows > 1 or s.cols > 1
    ]
    # Excel measures columns in characters of the default font, about 2 mm each.
    columns = "".join(
        f'<col min="{k}" max="{k}" width="{round(mm / 2.0, 1)}" customWidth="1"/>'
        for k, mm in enumerate(grid.widths_mm, start=1)
    )
    last = f"{_column(max(grid.n_cols, 1))}{top + grid.n_rows - 1}"
    return (
        f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
        f'<pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1"/>'
        '</sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        f"<cols>{columns}</cols><sheetData>{''.join(rows)}</sheetData>"
        + (f'<mergeCells count="{len(merges)}">{"".join(merges)}</mergeCells>' if merges else "")
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        f'<pageSetup orientation="{"landscape" if landscape else "portrait"}" paperSize="9" '
        'fitToHeight="0" fitToWidth="1"/></worksheet>'
    )


def _workbook(sheets: list[tuple[str, _Grid]]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(title)} sheetId="{k}" state="visible" r:id="rId{k}"/>'
        for k, (title, _) in enumerate(sheets, start=1)
    )
    # The header rows are printed again at the top of every page the table runs onto.
    titles = "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{k}">'
        f"{escape(_quoted(title))}!$2:${1 + grid.header_rows}</definedName>"
        for k, (title, grid) in enumerate(sheets)
        if grid.header_rows
    )
    return (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews>'
        '<workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets>"
        + (f"<definedNames>{titles}</definedNames>" if titles else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _package(n_sheets: int, author: str) -> dict[str, str]:
    """The parts around the sheets: content types, relationships, document properties."""
    sheet_type = f"{_TYPE}.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{sheet_type}"/>'
        for k in range(1, n_sheets + 1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{k}" Type="{_REL}/worksheet" Target="worksheets/sheet{k}.xml"/>'
        for k in range(1, n_sheets + 1)
    )
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = 'xsi:type="dcterms:W3CDTF"'
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" '
            f'ContentType="{_TYPE}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.spreadsheetml.styles+xml"/>'
            f"{overrides}"
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" '
            f'ContentType="{_TYPE}.extended-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>'
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>Microsoft Excel Compatible</Application>'
            "</Properties>"
        ),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{escape(author)}</dc:creator>"
            f"<dcterms:created {stamp}>{now}</dcterms:created>"
            f"<dcterms:modified {stamp}>{now}</dcterms:modified></cp:coreProperties>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG_REL}">{sheet_rels}'
            f'<Relationship Id="rId{n_sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
    }


def write_xlsx(report: Report, path: Path) -> None:
    note = demo_note(report)
    sheets: list[tuple[str, _Grid]] = []
    parts: dict[str, str] = {}
    for title, section, grid, landscape in (
        ("表二", SECTION_TABLE2, _table2_grid(report), False),
        ("表三", SECTION_TABLE3, _table3_grid(report), True),
        ("表四", SECTION_TABLE4, _table4_grid(report), True),
    ):
        sheets.append((title, grid))
        heading = f"{section}　{note}" if note else section
        parts[f"xl/worksheets/sheet{len(sheets)}.xml"] = _sheet(heading, grid, landscape)
    # The file names the reporting body as its author, as the .docx does (docprops.py).
    parts.update(_package(len(sheets), report.office))
    parts["xl/workbook.xml"] = _workbook(sheets)
    parts["xl/styles.xml"] = _styles()
    first = ("[Content_Types].xml", "_rels/.rels")  # where readers look first
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (*first, *sorted(set(parts) - set(first))):
            archive.writestr(name, _DECLARATION + parts[name])
