"""Annual report (国办公开办函〔2021〕30号): tables 二/三/四 from the cases, checks, drill-down.

Row labels, columns and review columns come from the handbook (handbook/report_rows.yaml and each
outcome's report path); this package only knows how a row counts. Counting is done by SQL GROUP
BY, so that a city's archive (300,000 cases) reports in well under a second.

One idea a module: layout (the rows and columns), tables (the report as plain values), table2
(what is entered by hand), counting (which cases a year and a reporting body count), kept (the
totals SQLite keeps), checks (and faults, the cases at fault), assemble (the one builder), build
(through the ORM), from_file (through sqlite3), drilldown, paths (a cell named on the command
line). The names below are what the rest of the program imports from `cases.documents.report`.

Each is imported from its module when first asked for (PEP 562): a report read through sqlite3
(from_file.py) uses this package without the modules that import SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from cases.documents.report.tables import Report, ReportLine, Tallies, Tally
    from cases.rules.handbook import Table2Block

# Where each name lives.
_MODULES = {
    "base": (
        "MAX_CASES_IN_MESSAGE",
        "TABLE4_PATH",
        "Check",
        "Path",
        "ReportCheckFailed",
        "ReportError",
    ),
    "build": ("build_report",),
    "checks": ("check_report",),
    "counting": (
        "body_scope",
        "by_number",
        "found_open_at_end",
        "not_voided",
        "open_at_end",
        "touching",
        "unindexed",
        "year_scope",
    ),
    "drilldown": ("cases_in_cell",),
    "layout": ("Layout", "Line", "RowKind", "default_layout", "layout_from", "row_paths"),
    "paths": ("parse_cell",),
    "table2": (
        "Table2Key",
        "load_table2",
        "save_table2",
        "table2_blocks",
        "table2_keys",
        "table2_missing",
        "table2_row_header",
    ),
    "tables": ("Report", "ReportLine", "Tallies", "Tally"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

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
    # TABLE2 and TABLE2_ROW_HEADER, read from the handbook when asked for.
    if name == "TABLE2":
        return importlib.import_module(f"{__name__}.table2").table2_blocks()
    if name == "TABLE2_ROW_HEADER":
        return importlib.import_module(f"{__name__}.table2").table2_row_header()
    if name == "Table2Block":
        from cases.rules.handbook import Table2Block

        return Table2Block
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked once
    return value
