"""The one builder of a report from plain figures, whichever way they were read; no SQLAlchemy.

build.build_report reads the figures through the ORM session (the kept totals on SQLite, a count
of the cases on PostgreSQL), from_file.py through sqlite3 from an up-to-date file; both hand them
here, and the checks read what else they need from the CheckSource each passes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cases.documents.report.checks import CheckSource, run_checks
from cases.documents.report.layout import default_layout
from cases.documents.report.table2 import Table2Key
from cases.documents.report.tables import (
    Report,
    ReportLine,
    Tallies,
    _table4_values,
    _values,
)


def assemble(
    year: int,
    body: str | None,
    *,
    tallies: Tallies,
    reviews: Mapping[tuple[str, str], int],
    table2: Mapping[Table2Key, Decimal],
    office: str,
    scope: Any,
    checks: CheckSource | None,
) -> Report:
    """Tables 二, 三 and 四 of the year for the reporting body, checked unless `checks` is None."""
    layout = default_layout()
    report = Report(
        year=year,
        layout=layout,
        rows=tuple(ReportLine(line, _values(layout, tallies, line)) for line in layout.lines),
        table4=_table4_values(layout, reviews),
        table2=table2,
        tallies=tallies,
        office=office,
        body=body,
        scope=scope,
    )
    if checks is not None:
        report = dataclasses.replace(report, checks=run_checks(checks, report))
    return report
