"""Writing the annual report: .json as design.md, .docx and .xlsx in the official table layout.

Every writer refuses a report whose checks failed, so a wrong table never leaves the program.
The .docx and .xlsx share one description of the merged cells (the _Grid below), so the two
files cannot drift apart.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
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
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from cases.documents.docprops import stamp_document
from cases.documents.report import (
    TABLE2,
    TABLE2_ROW_HEADER,
    Report,
    ReportError,
    ReportLine,
    RowKind,
    table2_missing,
)
from cases.documents.report_snapshot import save_snapshot
from cases.documents.report_text import SECTIONS, ReportText, draft_text

# Section titles of the report (国办公开办函〔2021〕30号) under which the tables stand.
SECTION_TABLE2 = "二、主动公开政府信息情况"
SECTION_TABLE3 = "三、收到和处理政府信息公开申请情况"
SECTION_TABLE4 = "四、政府信息公开行政复议、行政诉讼情况"
# The format's header over the applicant columns of table 三; the handbook lists the columns only.
APPLICANTS_HEADER = "申请人情况"

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"  # （一） headings, GB/T 9704
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"


# --------------------------------------------------------------------------- JSON


def _row_json(line: ReportLine) -> dict[str, Any]:
    # （三）（四）（五）（六） are the sums of the sub-rows printed under them in the official
    # layout; a reader adding up the numbered rows must not count them twice.
    subtotal = line.line.kind is RowKind.SUM and line.line.has_children
    return {
        "path": list(line.path),
        "values": None if line.values is None else list(line.values),
        "subtotal": subtotal,
    }


def table2_json(report: Report) -> dict[str, Any]:
    """Table 二 as entered, block by block, with what is still missing."""
    blocks = []
    for block in TABLE2:
        rows = []
        for row in block.rows:
            values = [report.table2.get((block.title, row, column)) for column in block.columns]
            rows.append({"label": row, "values": [_json_number(v) for v in values]})
        blocks.append(
            {
                "title": block.title,
                "row_header": TABLE2_ROW_HEADER,
                "columns": list(block.columns),
                "unit": "万元" if block.money else "件",
                "rows": rows,
            }
        )
    missing = table2_missing(report.table2)
    return {"blocks": blocks, "complete": not missing, "missing": ["/".join(k) for k in missing]}


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def report_json(report: Report) -> dict[str, Any]:
    """The report as design.md "Annual report as JSON" lays it out (heading rows: values null)."""
    return {
        "year": report.year,
        "office": report.office,
        "body": report.body,
        "table3": {
            "columns": list(report.columns),
            "rows": [_row_json(r) for r in report.rows],
        },
        "table4": {"columns": list(report.table4_columns), "values": list(report.table4)},
        "table2": table2_json(report),
        # A report counting demo cases says so here by its check 不含演示数据 (ok: false).
        "checks": [{"rule": c.rule, "ok": c.ok, "cases": list(c.cases)} for c in report.checks],
    }


def demo_note(report: Report) -> str:
    """The line a report carrying demo cases prints under its title; empty for a real one."""
    n = report.demo_cases
    return f"【演示数据】本表统计的案件中有{n}件是演示案件，不是正式年报" if n else ""


# --------------------------------------------------------------------------- the shared grid


@dataclass
class _Cell:
    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1
    header: bool = False
    number: int | Decimal | None = None  # written as a number in .xlsx
    left: bool = False  # row labels read left-aligned; headers and figures are centred


@dataclass
class _Grid:
    """One table: its size, its merged cells, and the widths of its columns in millimetres."""

    n_rows: int
    n_cols: int
    widths_mm: list[float]
    header_rows: int
    row_mm: float = 6.0  # least row height; a row with a long label grows
    cells: list[_Cell] = field(default_factory=list)

    def put(self, row: int, col: int, text: str, rows: int = 1, cols: int = 1, **kw: Any) -> None:
        self.cells.append(_Cell(row, col, text, rows, cols, **kw))


def _figure(value: int | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _table3_grid(report: Report) -> _Grid:
    layout = report.layout
    value_lines = [r for r in report.rows if r.line.has_value_cells]
    depth = max(len(r.path) for r in report.rows)
    n_values = len(layout.columns)
    head = 3
    grid = _Grid(
        n_rows=head + len(value_lines),
        n_cols=depth + n_values,
        widths_mm=[24.0, 30.0, 77.0][:depth] + [18.0] * n_values,
        row_mm=5.5,
        header_rows=head,
    )
    grid.put(0, 0, layout.note, rows=head, cols=depth, header=True)
    grid.put(0, depth, APPLICANTS_HEADER, cols=n_values, header=True)
    col = depth
    i = 0
    columns = layout.columns
    while i < len(columns):
        group = columns[i].group
        if group is None:
            grid.put(1, col + i, columns[i].label, rows=2, header=True)
            i += 1
            continue
        j = i
        while j < len(columns) and columns[j].group == group:
            grid.put(2, col + j, columns[j].label, header=True)
            j += 1
        grid.put(1, col + i, group, cols=j - i, header=True)
        i = j
    # A label cell spans down over every value row below it, and across to the figures when
    # the row has no deeper level (（一）予以公开 fills both label columns).
    placed: set[tuple[str, ...]] = set()
    for index, row in enumerate(value_lines):
        at = head + index
        for level in range(len(row.path)):
            prefix = row.path[: level + 1]
            if prefix in placed:
                continue
            placed.add(prefix)
            below = sum(1 for r in value_lines if r.path[: level + 1] == prefix)
            last = level == len(row.path) - 1
            cols = depth - level if last else 1
            grid.put(at, level, prefix[-1], rows=below, cols=cols, left=True)
        for k, value in enumerate(row.values or ()):
            grid.put(at, depth + k, str(value), number=value)
    return grid


def _table4_grid(report: Report) -> _Grid:
    columns = report.layout.review_columns
    head = max(len(c.path) for c in columns)
    grid = _Grid(
        n_rows=head + 1,
        n_cols=len(columns),
        widths_mm=[257 / len(columns)] * len(columns),
        header_rows=head,
        row_mm=8.0,
    )
    for level in range(head):
        k = 0
        while k < len(columns):
            path = columns[k].path
            if level >= len(path):
                k += 1
                continue
            prefix = path[: level + 1]
            end = k
            while end < len(columns) and columns[end].path[: level + 1] == prefix:
                end += 1
            last = level == len(path) - 1
            rows = head - level if last else 1
            grid.put(level, k, prefix[-1], rows=rows, cols=end - k, header=True)
            k = end
    for k, value in enumerate(report.table4):
        grid.put(head, k, str(value), number=value)
    return grid


def _table2_grid(report: Report) -> _Grid:
    width = max(len(b.columns) for b in TABLE2)
    n_rows = sum(2 + len(b.rows) for b in TABLE2)
    grid = _Grid(
        n_rows=n_rows, n_cols=1 + width, widths_mm=[39.0] * (1 + width), header_rows=0, row_mm=8.0
    )
    at = 0
    for block in TABLE2:
        grid.put(at, 0, block.title, cols=1 + width, header=True)
        grid.put(at + 1, 0, TABLE2_ROW_HEADER, header=True)
        # A block with fewer columns than the widest spreads each over an equal share of it.
        cuts = [j * width // len(block.columns) for j in range(len(block.columns) + 1)]
        spans = [(1 + cuts[j], cuts[j + 1] - cuts[j]) for j in range(len(block.columns))]
        for (start, span), column in zip(spans, block.columns, strict=True):
            grid.put(at + 1, start, column, cols=span, header=True)
        for i, row in enumerate(block.rows):
            grid.put(at + 2 + i, 0, row, left=True)
            for (start, span), column in zip(spans, block.columns, strict=True):
                value = report.table2.get((block.title, row, column))
                number: int | Decimal | None = value
                if value is not None and not block.money:
                    number = int(value)
                grid.put(at + 2 + i, start, _figure(number), cols=span, number=number)
        at += 2 + len(block.rows)
    return grid


# --------------------------------------------------------------------------- .docx


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


# --------------------------------------------------------------------------- .xlsx

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


def write_xlsx(report: Report, path: Path) -> None:
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


def write_json(report: Report, path: Path) -> None:
    text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


WRITERS: dict[str, Callable[[Report, Path], None]] = {
    ".json": write_json,
    ".docx": write_docx,
    ".xlsx": write_xlsx,
}


def export_report(
    report: Report, path: str | os.PathLike[str], *, text: ReportText | None = None
) -> Path:
    """Write the report in the format its extension names (.json, .docx, .xlsx).

    Refuses, writing nothing, when the report was built without checks or a check failed
    (ReportCheckFailed names the rule and the cases). The file appears complete or not at all.
    """
    target = Path(path)
    writer = WRITERS.get(target.suffix.lower())
    if writer is None:
        raise ReportError(
            f"不支持的年报格式“{target.suffix or target.name}”：请用 .json、.docx 或 .xlsx"
        )
    report.require_ok()
    folder = target.parent
    if not folder.is_dir():
        raise ReportError(f"文件夹不存在：{folder}")
    # Written beside the target and renamed over it, so that a failure never leaves half a file.
    # (Not mkstemp: its private 0600 mode would stay on a file meant to be passed on.)
    staging = folder / f".{target.stem}.{uuid.uuid4().hex}{target.suffix}"
    try:
        if writer is write_docx:
            write_docx(report, staging, text)
        else:
            writer(report, staging)
        os.replace(staging, target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return target


def publish(session: Session, report: Report, path: str | os.PathLike[str]) -> Path:
    """Export the whole report (the .docx with its drafted text) and keep what was published.

    The snapshot is written in the caller's transaction; next year's report is checked
    against it (report_snapshot.published_check).
    """
    text = draft_text(session, report) if Path(path).suffix.lower() == ".docx" else None
    target = export_report(report, path, text=text)
    save_snapshot(session, report)
    return target
