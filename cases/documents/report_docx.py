"""The annual report as a .docx: title, opening, six sections, the tables in the official layout."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.styles import BabelFish

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
    _Cell,
    _Grid,
    _table2_grid,
    _table3_grid,
    _table4_grid,
    demo_note,
)
from cases.documents.report_text import SECTIONS, ReportText
from cases.documents.xml_text import escape


def _east_asian(element: Any, font: str) -> None:
    """Declare the font for Latin and east-Asian text alike; without w:eastAsia, WPS and Word
    fall back to a Latin font for Chinese characters."""
    _set_fonts(element.get_or_add_rPr(), font)


W_RPR, W_RFONTS, W_STYLE, W_TYPE = qn("w:rPr"), qn("w:rFonts"), qn("w:style"), qn("w:type")
# What may follow a style's w:rPr (CT_Style's sequence): with none of them, rPr goes last.
AFTER_STYLE_RPR = tuple(qn(t) for t in ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr"))
NAMED_FONTS = tuple(qn(a) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"))
THEME_FONTS = tuple(qn(a) for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"))


def _set_fonts(rpr: Any, font: str) -> None:
    fonts = rpr.find(W_RFONTS)
    if fonts is None and len(rpr) == 0:
        fonts = OxmlElement("w:rFonts")  # an empty rPr: where the schema wants it is first
        rpr.append(fonts)
    elif fonts is None:
        fonts = rpr.get_or_add_rFonts()  # placed where the schema wants it
    for attr in NAMED_FONTS:
        fonts.set(attr, font)
    # A theme font attribute wins over the named font: remove them, or the name is ignored.
    for attr in THEME_FONTS:
        fonts.attrib.pop(attr, None)


def _declare_fonts(doc: Any) -> None:
    """Every style's fonts, walked in the styles part itself: python-docx's style objects cost
    a fifth of writing the report for the same XML (tests/report_docx_reference.py keeps the
    walk over them to compare)."""
    styles = doc.styles.element
    default = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if default is not None:
        _set_fonts(default, BODY_FONT)
    for style in styles.iterchildren(W_STYLE):
        if style.get(W_TYPE) == "numbering":
            continue  # numbering styles carry no run properties
        name = BabelFish.internal2ui(style.name_val or "")
        font = HEADING_FONT if name.startswith("Heading") else BODY_FONT
        if name == "Title":
            font = TITLE_FONT
        rpr = style.find(W_RPR)
        if rpr is None and next(style.iterchildren(*AFTER_STYLE_RPR), None) is None:
            rpr = OxmlElement("w:rPr")  # where get_or_add_rPr would put it
            style.append(rpr)
        _set_fonts(rpr if rpr is not None else style.get_or_add_rPr(), font)


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


def _twips(mm: float) -> int:
    """A length in twentieths of a point, rounded as python-docx rounds Mm(mm)."""
    return int(Mm(mm).twips)


def _text_xml(text: str) -> str:
    """A run's content as python-docx writes it: a tab is w:tab, a line break w:br."""
    out: list[str] = []
    for k, piece in enumerate(re.split(r"(\t|\r|\n)", text)):
        if k % 2:
            out.append("<w:tab/>" if piece == "\t" else "<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(out)


def _cell_xml(spec: _Cell, width: int, size: float) -> str:
    span = f'<w:gridSpan w:val="{spec.cols}"/>' if spec.cols > 1 else ""
    merge = '<w:vMerge w:val="restart"/>' if spec.rows > 1 else ""
    font = escape(TABLE_FONT, {'"': "&quot;"})
    bold = "<w:b/>" if spec.header and spec.row == 0 else '<w:b w:val="0"/>'
    return (
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}{merge}'
        '<w:vAlign w:val="center"/></w:tcPr>'
        '<w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        f'<w:jc w:val="{"left" if spec.left else "center"}"/></w:pPr>'
        f'<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" '
        f'w:cs="{font}"/>{bold}<w:sz w:val="{round(size * 2)}"/></w:rPr>'
        f"{_text_xml(spec.text)}</w:r></w:p></w:tc>"
    )


def _table_xml(grid: _Grid, size: float) -> str:
    """The whole table as one piece of WordprocessingML.

    The markup is what python-docx's cell API made of the same grid (a merged area is its
    top-left w:tc with w:gridSpan, and below it w:vMerge continuation cells), built as one
    string: merging cell by cell walked the table's XML for every cell and took most of the
    time of writing the report (tests/report_docx_reference.py keeps that writer to compare).
    """
    widths = [_twips(mm) for mm in grid.widths_mm]
    starts: dict[tuple[int, int], _Cell] = {}
    below: dict[tuple[int, int], _Cell] = {}  # the rows under an area's first: continuations
    for spec in grid.cells:
        starts[(spec.row, spec.col)] = spec
        for r in range(spec.row + 1, spec.row + spec.rows):
            below[(r, spec.col)] = spec
    height = _twips(grid.row_mm)
    parts = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>"
        '<w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
        # fixed layout: the widths below are kept as given. 1 mm cell margins instead of
        # Word's 1.9 mm, so that a four-character header such as 结果维持 fits on one line
        # in table 四's narrow columns.
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
        '<w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
        'w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    for r in range(grid.n_rows):
        # a header row is repeated at the top of each page the table runs onto
        header = '<w:tblHeader w:val="true"/>' if r < grid.header_rows else ""
        parts.append(
            f'<w:tr><w:trPr><w:trHeight w:val="{height}" w:hRule="atLeast"/>{header}</w:trPr>'
        )
        c = 0
        while c < grid.n_cols:
            first = starts.get((r, c))
            if first is not None:
                parts.append(_cell_xml(first, sum(widths[c : c + first.cols]), size))
                c += first.cols
                continue
            above = below.get((r, c))
            if above is not None:
                width = sum(widths[c : c + above.cols])
                span = f'<w:gridSpan w:val="{above.cols}"/>' if above.cols > 1 else ""
                parts.append(
                    f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}<w:vMerge/>'
                    "</w:tcPr><w:p/></w:tc>"
                )
                c += above.cols
                continue
            parts.append(
                f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[c]}"/></w:tcPr><w:p/></w:tc>'
            )
            c += 1
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _docx_table(doc: Any, grid: _Grid, size: float) -> None:
    """Append `grid` to the document's body as a table (where doc.add_table would put it)."""
    doc.element.body._insert_tbl(parse_xml(_table_xml(grid, size)))


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
