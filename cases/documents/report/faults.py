"""What the checks read through the ORM session: whether a year has cases, the cases at fault.

The CheckSource of checks.py for a report built from a session (SQLite or PostgreSQL); each
query is the one the check made before the arithmetic moved to checks.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import Session

from cases.documents.report.base import Check
from cases.documents.report.counting import (
    Report,
    _bounds,
    _closed_in,
    _numbers,
    _open_at_end,
    _open_at_start,
    _received_in,
    _review_class,
    _review_scope,
    _type_filter,
    not_voided,
    scope_of,
)
from cases.storage.model import Applicant, Case, Review


class SessionFaults:
    """checks.CheckSource over an ORM session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def year_has_cases(self, report: Report, year: int) -> bool:
        scope = scope_of(self.session, report)
        found = select(exists().where(not_voided(), scope, _received_in(year)))
        return bool(self.session.scalar(found))

    def closed_before_received(self, report: Report, labels: Sequence[str]) -> tuple[str, ...]:
        return _numbers(
            self.session,
            scope_of(self.session, report),
            Case.outcome_on < Case.received,
            or_(_received_in(report.year), _closed_in(report.year)),
            _type_filter(report.layout, labels),
        )

    def stray_outcomes(
        self, report: Report, stray: Sequence[str], unclassified: bool
    ) -> tuple[str, ...]:
        known = list(report.layout.outcome_paths)
        wrong = [Case.outcome_code.in_(list(stray))]
        if unclassified:
            wrong += [Case.outcome_code.is_(None), Case.outcome_code.not_in(known)]
        scope = scope_of(self.session, report)
        return _numbers(self.session, scope, _closed_in(report.year), or_(*wrong))

    def untyped(self, report: Report) -> tuple[str, ...]:
        types = [c.id for c in report.layout.type_columns]
        year = report.year
        counted = or_(
            _received_in(year), _open_at_start(year), _closed_in(year), _open_at_end(year)
        )
        scope = scope_of(self.session, report)
        return _numbers(self.session, scope, counted, Applicant.type.not_in(types))

    def continuity_differs(self, report: Report, other: int) -> tuple[str, ...]:
        year = report.year
        if other > year:
            mine_rule, their_rule = _open_at_end(year), _open_at_start(year + 1)
        else:
            mine_rule, their_rule = _open_at_start(year), _open_at_end(year - 1)
        differ = or_(and_(mine_rule, not_(their_rule)), and_(their_rule, not_(mine_rule)))
        return _numbers(self.session, scope_of(self.session, report), differ)

    def table4_unclassed(
        self, report: Report, kind: str, results: Sequence[str]
    ) -> tuple[str, ...]:
        stmt = (
            select(Case.no)
            .join(Review, Review.case_id == Case.id)
            .where(
                _review_scope(report.year, scope_of(self.session, report)),
                Review.kind == kind,
                _review_class(report.year).not_in(list(results)),
            )
            .order_by(Case.no)
        )
        return tuple(self.session.scalars(stmt))

    def dateless(self, report: Report) -> tuple[str, ...]:
        _, last = _bounds(report.year)
        return _numbers(
            self.session,
            scope_of(self.session, report),
            Case.received <= last,
            Case.outcome_code.is_not(None),
            Case.outcome_on.is_(None),
        )

    def published(self, report: Report) -> Check | None:
        from cases.documents.report_snapshot import published_check

        return published_check(self.session, report)
