"""The annual report as a .docx: title, opening, six sections, the tables in the official layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from cases.documents.docprops import stamp_document
from cases.documents.report import Report
from cases.documents.report_export import (
    BODY_FONT,
    HEADING_FONT,
    SECTION_TABLE2,
    SECTION_TABLE3,
    SECTION_TABLE4,
    SUBHEADING_FONT,
    TABLE_FONT,
    TITLE_FONT,
    _Grid,
    _table2_grid,
    _table3_grid,
    _table4_grid,
    demo_note,
)
from cases.documents.report_text import SECTIONS, ReportText


def _east_asian(element: Any, font: str) -> None:
    """Declare the font for Latin and east-Asian text alike; without w:eastAsia, WPS and Word
    fall back to a Latin font for Chinese characters."""
    _set_fonts(element.get_or_add_rPr(), font)


def _set_fonts(rpr: Any, font: str) -> None:
    fonts = rpr.get_or_add_rFonts()  # placed where the schema wants it
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    # A theme font attribute wins over the named font: remove them, or the name is ignored.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)


def _declare_fonts(doc: Any) -> None:
    default = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if default is not None:
        _set_fonts(default, BODY_FONT)
    for style in doc.styles:
        if style.type == WD_STYLE_TYPE.LIST:
            continue  # numbering styles carry no run properties
        name = style.name or ""
        font = HEADING_FONT if name.startswith("Heading") else BODY_FONT
        if name == "Title":
            font = TITLE_FONT
        _east_asian(style.element, font)


def _run(paragraph: Any, text: str, font: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    _east_asian(run._r, font)


def _page(section: Any, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    if landscape:  # table 三 needs most of the page: 28 rows, labels up to 34 characters
        section.top_margin = section.bottom_margin = Mm(15)
        section.left_margin = section.right_margin = Mm(20)
    else:  # GB/T 9704 margins
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


def _heading(doc: Any, text: str) -> None:
    """一、… in 黑体, indented two characters like the text (GB/T 9704 7.3.3)."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, text, HEADING_FONT, 16)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _narrow_margins(table: Any) -> None:
    """1 mm cell margins instead of Word's 1.9 mm, so that a four-character header such as
    结果维持 fits on one line in table 四's narrow columns."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "57")  # twentieths of a point: 1 mm
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # The schema orders tblPr's children: tblCellMar goes after tblLayout, before tblLook.
    tblpr = table._tbl.tblPr
    look = tblpr.find(qn("w:tblLook"))
    if look is None:
        tblpr.append(margins)
    else:
        look.addprevious(margins)


def _docx_table(doc: Any, grid: _Grid, size: float) -> None:
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the widths below are kept as given
    _narrow_margins(table)
    # table.cell() walks the whole table on every call; take every cell once, before merging.
    # The merged areas never overlap, so each area's corner cells are still in place when it
    # is merged.
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


def _paragraph(doc: Any, text: str, *, font: str = BODY_FONT, indent: bool = True) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28.95)  # the GB/T 9704 grid of the letters: 22 lines a page
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 3号
    _run(paragraph, text, font, 16)


def write_docx(report: Report, path: Path, text: ReportText | None = None) -> None:
    """The whole report as published: title, opening, six sections with their tables.

    Without `text` (the drafted sentences, see report_text.py) only the tables are written,
    under their section titles.
    """
    doc = Document()
    stamp_document(doc, report.office)  # the reporting body, not python-docx's defaults
    _declare_fonts(doc)
    _page(doc.sections[0], landscape=False)
    heading = (
        text.title if text else f"{report.office}{report.year}年政府信息公开工作年度报告统计表"
    )
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, heading, TITLE_FONT, 22)
    if demo_note(report):
        # In the page header, which every later section inherits: on each printed page.
        mark = doc.sections[0].header.paragraphs[0]
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(mark, demo_note(report), BODY_FONT, 12, bold=True)
    if text is not None:
        _paragraph(doc, text.opening)
        _heading(doc, SECTIONS[0])
        for line in text.overview:
            is_sub = line.startswith("（") and not line.startswith("（请")
            _paragraph(doc, line, font=SUBHEADING_FONT if is_sub else BODY_FONT)
    _heading(doc, SECTION_TABLE2)
    _docx_table(doc, _table2_grid(report), 10.5)
    for section_title, grid, size in (
        (SECTION_TABLE3, _table3_grid(report), 9.5),
        (SECTION_TABLE4, _table4_grid(report), 10.5),
    ):
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
        _heading(doc, section_title)
        _docx_table(doc, grid, size)
    if text is not None:
        _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=False)
        _heading(doc, SECTIONS[4])
        for line in text.problems:
            _paragraph(doc, line)
        _heading(doc, SECTIONS[5])
        for line in text.other_matters:
            _paragraph(doc, line)
    doc.save(str(path))
