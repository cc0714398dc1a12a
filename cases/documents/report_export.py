"""Writing the annual report: .json as design.md, .docx and .xlsx in the official table layout.

Every writer refuses a report whose checks failed, so a wrong table never leaves the program.
The .docx and .xlsx share one description of the merged cells (the _Grid below), so the two
files cannot drift apart. Their writers live in report_docx.py and report_xlsx.py and are
imported only when that format is written: python-docx and openpyxl each take a tenth to a
quarter of a second to import, and a report as a process writes one format.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cases.documents.report.base import ReportError
from cases.documents.report.layout import RowKind
from cases.documents.report.table2 import table2_blocks, table2_missing, table2_row_header
from cases.documents.report.tables import Report, ReportLine
from cases.documents.report_text import ReportText

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    for block in table2_blocks():
        rows = []
        for row in block.rows:
            values = [report.table2.get((block.title, row, column)) for column in block.columns]
            rows.append({"label": row, "values": [_json_number(v) for v in values]})
        blocks.append(
            {
                "title": block.title,
                "row_header": table2_row_header(),
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
    blocks = table2_blocks()
    width = max(len(b.columns) for b in blocks)
    n_rows = sum(2 + len(b.rows) for b in blocks)
    grid = _Grid(
        n_rows=n_rows, n_cols=1 + width, widths_mm=[39.0] * (1 + width), header_rows=0, row_mm=8.0
    )
    at = 0
    for block in blocks:
        grid.put(at, 0, block.title, cols=1 + width, header=True)
        grid.put(at + 1, 0, table2_row_header(), header=True)
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


def write_json(report: Report, path: Path) -> None:
    text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


def write_docx(report: Report, path: Path, text: ReportText | None = None) -> None:
    """The whole report as published (see report_docx.write_docx)."""
    from cases.documents import report_docx

    report_docx.write_docx(report, path, text)


def write_xlsx(report: Report, path: Path) -> None:
    """The three tables, one sheet each (see report_xlsx.write_xlsx)."""
    from cases.documents import report_xlsx

    report_xlsx.write_xlsx(report, path)


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
    from cases.documents import report_snapshot
    from cases.documents.report_text import draft_text

    return publish_with(
        report,
        path,
        draft=lambda: draft_text(session, report),
        keep=lambda: report_snapshot.save_snapshot(session, report),
    )


def publish_with(
    report: Report,
    path: str | os.PathLike[str],
    *,
    draft: Callable[[], ReportText],
    keep: Callable[[], object],
) -> Path:
    """publish, with the text drafted and the snapshot kept by the caller's way of reading the
    database (the ORM session above, or sqlite3 in report.from_file)."""
    text = draft() if Path(path).suffix.lower() == ".docx" else None
    target = export_report(report, path, text=text)
    keep()
    return target
