"""The annual report's .docx tables as python-docx's cell API writes them (cell by cell, merge by
merge): the writer report_docx used before it built each table's XML at once, kept here so
that a test can show that both write the same XML."""

from __future__ import annotations

from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from cases.documents.report_export import BODY_FONT, HEADING_FONT, TABLE_FONT, TITLE_FONT, _Grid


def _set_fonts(rpr: Any, font: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def declare_fonts_stylewise(doc: Any) -> None:
    """report_docx._declare_fonts as it was: every style through python-docx's style objects."""
    default = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if default is not None:
        _set_fonts(default, BODY_FONT)
    for style in doc.styles:
        if style.type == WD_STYLE_TYPE.LIST:
            continue
        name = style.name or ""
        font = HEADING_FONT if name.startswith("Heading") else BODY_FONT
        if name == "Title":
            font = TITLE_FONT
        _set_fonts(style.element.get_or_add_rPr(), font)


def _run(paragraph: Any, text: str, font: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _set_fonts(run._r.get_or_add_rPr(), font)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _narrow_margins(table: Any) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblpr = table._tbl.tblPr
    look = tblpr.find(qn("w:tblLook"))
    if look is None:
        tblpr.append(margins)
    else:
        look.addprevious(margins)


def docx_table_cellwise(doc: Any, grid: _Grid, size: float) -> None:
    """Append `grid` to `doc` as a table, through python-docx's table, row and cell objects."""
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _narrow_margins(table)
    cells = table._cells
    for k, column in enumerate(table.columns):
        column.width = Mm(grid.widths_mm[k])
    for r, row in enumerate(table.rows):
        row.height = Mm(grid.row_mm)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for k in range(grid.n_cols):
            cells[r * grid.n_cols + k].width = Mm(grid.widths_mm[k])
    for spec in grid.cells:
        cell = cells[spec.row * grid.n_cols + spec.col]
        if spec.rows > 1 or spec.cols > 1:
            last = (spec.row + spec.rows - 1) * grid.n_cols + spec.col + spec.cols - 1
            cell = cell.merge(cells[last])
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if spec.left else WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.line_spacing = 1.0
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _run(paragraph, spec.text, TABLE_FONT, size, bold=spec.header and spec.row == 0)
    for r in range(grid.header_rows):
        _repeat_header(table.rows[r])
