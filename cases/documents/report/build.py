"""Building the report of a year for a reporting body through the ORM: the tables, the checks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cases.documents.report.assemble import assemble
from cases.documents.report.counting import (
    Report,
    _office_name,
    _review_counts,
    _tallies,
    body_scope,
)
from cases.documents.report.faults import SessionFaults
from cases.documents.report.kept import kept_review_counts, kept_tallies
from cases.documents.report.table2 import (
    load_table2,
)


def build_report(
    session: Session, year: int, *, checks: bool = True, body: str | None = None
) -> Report:
    """Tables 二, 三 and 四 for a year, with every consistency check (unless checks=False).

    `body` names the reporting unit (its short name); None is the compiled report of all units.
    """
    scope = body_scope(session, body)
    # SQLite keeps the totals the tallies and table 四 are summed from (revision 0014);
    # PostgreSQL counts the cases and reviews.
    tallies = kept_tallies(session, year, body)
    if tallies is None:
        tallies = _tallies(session, year, scope)
    reviews = kept_review_counts(session, year, body)
    if reviews is None:
        reviews = _review_counts(session, year, scope)
    return assemble(
        year,
        body,
        tallies=tallies,
        reviews=reviews,
        table2=load_table2(session, year),
        office=_office_name(session, body),
        scope=scope,
        checks=SessionFaults(session) if checks else None,
    )
