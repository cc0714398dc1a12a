"""Annual report (国办公开办函〔2021〕30号): tables 二/三/四 from the cases, checks, drill-down.

Row labels, columns and review columns come from the handbook (handbook/report_rows.yaml and each
outcome's report path); this package only knows how a row counts. Counting is done by SQL GROUP
BY, so that a city's archive (300,000 cases) reports in well under a second.

One idea a module: layout (the rows and columns), table2 (what is entered by hand), counting
(which cases a year and a reporting body count), checks, build, drilldown, paths (a cell named
on the command line). The names below are what the rest of the program imports from
`cases.documents.report`.
"""

from typing import Any

from cases.documents.report.base import (
    MAX_CASES_IN_MESSAGE,
    TABLE4_PATH,
    Check,
    Path,
    ReportCheckFailed,
    ReportError,
)
from cases.documents.report.build import build_report
from cases.documents.report.checks import check_report
from cases.documents.report.counting import (
    Report,
    ReportLine,
    Tallies,
    Tally,
    body_scope,
    by_number,
    found_open_at_end,
    not_voided,
    open_at_end,
    touching,
    unindexed,
    year_scope,
)
from cases.documents.report.drilldown import cases_in_cell
from cases.documents.report.layout import (
    Layout,
    Line,
    RowKind,
    default_layout,
    layout_from,
    row_paths,
)
from cases.documents.report.paths import parse_cell
from cases.documents.report.table2 import (
    Table2Key,
    load_table2,
    save_table2,
    table2_blocks,
    table2_keys,
    table2_missing,
    table2_row_header,
)
from cases.rules.handbook import Table2Block

__all__ = [
    "MAX_CASES_IN_MESSAGE",
    "TABLE4_PATH",
    "Check",
    "Layout",
    "Line",
    "Path",
    "Report",
    "ReportCheckFailed",
    "ReportError",
    "ReportLine",
    "RowKind",
    "Table2Block",
    "Table2Key",
    "Tallies",
    "Tally",
    "body_scope",
    "build_report",
    "by_number",
    "cases_in_cell",
    "check_report",
    "default_layout",
    "found_open_at_end",
    "layout_from",
    "load_table2",
    "not_voided",
    "open_at_end",
    "parse_cell",
    "row_paths",
    "save_table2",
    "table2_blocks",
    "table2_keys",
    "table2_missing",
    "table2_row_header",
    "touching",
    "unindexed",
    "year_scope",
]


def __getattr__(name: str) -> Any:
    # TABLE2 and TABLE2_ROW_HEADER, read from the handbook when asked for (PEP 562).
    if name == "TABLE2":
        return table2_blocks()
    if name == "TABLE2_ROW_HEADER":
        return table2_row_header()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
