"""Building the report of a year for a reporting body: the tables, then the checks."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from cases.documents.report.checks import check_report
from cases.documents.report.counting import (
    Report,
    ReportLine,
    _office_name,
    _review_counts,
    _table4_values,
    _tallies,
    _values,
    body_scope,
)
from cases.documents.report.kept import kept_review_counts, kept_tallies
from cases.documents.report.layout import default_layout
from cases.documents.report.table2 import (
    load_table2,
)


def build_report(
    session: Session, year: int, *, checks: bool = True, body: str | None = None
) -> Report:
    """Tables 二, 三 and 四 for a year, with every consistency check (unless checks=False).

    `body` names the reporting unit (its short name); None is the compiled report of all units.
    """
    layout = default_layout()
    scope = body_scope(session, body)
    # SQLite keeps the totals the tallies and table 四 are summed from (revision 0014);
    # PostgreSQL counts the cases and reviews.
    tallies = kept_tallies(session, year, body)
    if tallies is None:
        tallies = _tallies(session, year, scope)
    reviews = kept_review_counts(session, year, body)
    if reviews is None:
        reviews = _review_counts(session, year, scope)
    report = Report(
        year=year,
        layout=layout,
        rows=tuple(ReportLine(line, _values(layout, tallies, line)) for line in layout.lines),
        table4=_table4_values(layout, reviews),
        table2=load_table2(session, year),
        tallies=tallies,
        office=_office_name(session, body),
        body=body,
        scope=scope,
    )
    if checks:
        report = dataclasses.replace(report, checks=check_report(session, report))
    return report
