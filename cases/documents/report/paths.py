"""Parsing a cell named on the command line: row path and column, typed loosely."""

from __future__ import annotations

import re

from cases.documents.report.base import (
    TABLE4_PATH,
    Path,
    ReportError,
)
from cases.documents.report.layout import default_layout

_LOOSE = str.maketrans({"(": "（", ")": "）", '"': "", "“": "", "”": "", " ": "", "\u3000": ""})


def _loose(text: str) -> str:
    """Typed on a command line, brackets come half-width and quotes straight; compare without."""
    return text.strip().translate(_LOOSE)


def parse_cell(path_text: str, column: str) -> tuple[Path, str]:
    """Turn `三、本年度办理结果/（三）不予公开/1.属于国家秘密` and a column label into a cell.

    The path may be shortened to its last parts when they name one row
    (`（三）不予公开/1.属于国家秘密`).
    `表四` names table 四's row, whose columns are written like `行政复议/结果维持`.
    Raises ReportError naming the unknown row or column and what could be meant.
    """
    layout = default_layout()
    parts = tuple(p for p in re.split(r"[/／]", path_text) if p.strip())
    if tuple(_loose(p) for p in parts) == TABLE4_PATH:
        names = {_loose(c.name): c.name for c in layout.review_columns}
        # an unknown name falls through to review_column, which raises listing the columns
        return TABLE4_PATH, names.get(_loose(column)) or layout.review_column(column).name
    if not parts:
        raise ReportError("请写出表三的行（用“/”连接各级标签）或“表四”")
    wanted = tuple(_loose(p) for p in parts)
    matches = [
        line.path
        for line in layout.lines
        if tuple(_loose(p) for p in line.path[-len(wanted) :]) == wanted
        and len(line.path) >= len(wanted)
    ]
    exact = [p for p in matches if len(p) == len(wanted)]
    if exact:
        matches = exact
    if not matches:
        raise ReportError(
            f"表三中没有这一行：{path_text}"
            "（各级标签用“/”连接，如 三、本年度办理结果/（一）予以公开）"
        )
    if len(matches) > 1:
        options = "；".join("/".join(p) for p in matches)
        raise ReportError(f"“{path_text}”可指多行，请写出完整路径：{options}")
    labels = {_loose(c.label): c.label for c in layout.columns}
    return matches[0], labels.get(_loose(column)) or layout.column(column).label
