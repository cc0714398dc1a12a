"""Counting the cases into tables 三 and 四: which cases a year and a reporting body count."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, false, func, literal, literal_column, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases.documents.report.bodies import office_name, unit_names
from cases.documents.report.layout import Layout

# The tables' plain types and sums live apart, free of SQLAlchemy; named here as before.
from cases.documents.report.tables import Report as Report
from cases.documents.report.tables import ReportLine as ReportLine
from cases.documents.report.tables import Tallies as Tallies
from cases.documents.report.tables import Tally as Tally
from cases.documents.report.tables import _line_codes as _line_codes
from cases.documents.report.tables import _table4_values as _table4_values
from cases.documents.report.tables import _values as _values
from cases.office.profile import load_profile
from cases.storage.model import Applicant, Case, Review


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def not_voided() -> ColumnElement[bool]:
    # Voided cases never count. Written as IS NOT TRUE so that SQLite does not pick the index on
    # `voided`, which matches nearly every row, over the date indexes.
    return Case.voided.is_not(True)


def _received_in(year: int) -> ColumnElement[bool]:
    first, last = _bounds(year)
    return Case.received.between(first, last)


def _closed_in(year: int) -> ColumnElement[bool]:
    first, last = _bounds(year)
    return Case.outcome_on.between(first, last)


def _open_at_start(year: int) -> ColumnElement[bool]:
    """Received before 1 January and no final outcome before it (二; next year's view of 四)."""
    first, _ = _bounds(year)
    return and_(Case.received < first, or_(Case.outcome_on.is_(None), Case.outcome_on >= first))


def open_at_end(year: int) -> ColumnElement[bool]:
    """Open at the end of the year: carried forward (table 三 row 四)."""
    return _open_at_end(year)


def _open_at_end(year: int) -> ColumnElement[bool]:
    """Received by 31 December and no final outcome by then (四). Written with the year's last
    day, not as _open_at_start(year + 1), so that the continuity check compares two formulations."""
    _, last = _bounds(year)
    return and_(Case.received <= last, or_(Case.outcome_on.is_(None), Case.outcome_on > last))


def year_scope(year: int) -> ColumnElement[bool]:
    """A superset of the cases any row or check of the year counts: received or closed in it, or
    not closed by its end (cases received later included; every count has its own condition).

    The plain statement of the year's reach, read in one scan of the table (COALESCE keeps the
    indexes out of it). The tallies and the statistics read the narrower `touching`, by index
    ranges; the tests compare what both give."""
    _, last = _bounds(year)
    return or_(
        _received_in(year), _closed_in(year), func.coalesce(Case.outcome_on, dt.date.max) > last
    )


def _as_int(expr: ColumnElement[bool]) -> Any:
    return func.sum(case((expr, 1), else_=0))


def unindexed(column: Any) -> Any:
    """The column as an expression no index serves, so that the planner finds that part of a
    condition by the other column's index (COALESCE of a column with itself is the column)."""
    return func.coalesce(column, column)


def _fewer_before(session: Session, year: int) -> bool:
    """Whether fewer cases were received before the year than were closed after it, judged by
    the span of days on each side (two index ends): the cases open across one of its ends are
    then found from the received side, else from the outcome side. Only the speed depends on
    it; the usual report, of last year, has the fewer cases after it."""
    first, last = _bounds(year)
    earliest, latest = session.execute(
        select(
            select(func.min(Case.received)).scalar_subquery(),
            select(func.max(Case.outcome_on)).scalar_subquery(),
        )
    ).one()
    return earliest is not None and latest is not None and first - earliest < latest - last


def _open_across(session: Session, year: int) -> ColumnElement[bool]:
    """Received before the year and closed after it or not at all, spelt for the index of the
    smaller side (_fewer_before)."""
    first, last = _bounds(year)
    if _fewer_before(session, year):
        outcome_on = unindexed(Case.outcome_on)
        return and_(Case.received < first, or_(outcome_on.is_(None), outcome_on > last))
    # Two terms of the OR, each served by the index on outcome_on (SQLite combines the ranges
    # of an OR only at its top level).
    before = unindexed(Case.received) < first
    return or_(and_(Case.outcome_on > last, before), and_(Case.outcome_on.is_(None), before))


def _tested_only(rule: ColumnElement[bool]) -> ColumnElement[bool]:
    """The rule tested on each row found, but offered to no index (COALESCE with false lets the
    same rows through a WHERE), so that the planner finds the rows by the condition beside it
    rather than by a range of the rule's own that covers most of the table."""
    return func.coalesce(rule, false())


def _across_years() -> ColumnElement[bool]:
    """Closed in a later year than received, or not at all: the only cases that can be open at
    a year's end (a few in a hundred). Spelt as the condition of SQLite's partial index of them
    (revision 0014), constants written out, so that SQLite sees the index serves the query."""

    def year(column: Any) -> Any:
        return func.substr(column, literal_column("1"), literal_column("4"))

    return or_(Case.outcome_on.is_(None), year(Case.outcome_on) > year(Case.received))


def _indexes_across(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def found_open_at_end(session: Session, year: int) -> ColumnElement[bool]:
    """open_at_end(year) spelt so that an index finds its cases: the same cases, found among
    those open across some year's end (SQLite) or from the smaller side of the year's end
    (_fewer_before), not by reading the whole table."""
    _, last = _bounds(year)
    if _indexes_across(session):
        return and_(_across_years(), Case.received <= last, _tested_only(_open_at_end(year)))
    if _fewer_before(session, year):
        side = Case.received <= last
    else:
        side = or_(Case.outcome_on > last, Case.outcome_on.is_(None))
    return and_(side, _tested_only(_open_at_end(year)))


def found_open_at_start(session: Session, year: int) -> ColumnElement[bool]:
    """_open_at_start(year) spelt so that an index finds its cases (as found_open_at_end)."""
    first, _ = _bounds(year)
    if _indexes_across(session):
        return and_(_across_years(), Case.received < first, _tested_only(_open_at_start(year)))
    if _fewer_before(session, year):
        side = Case.received < first
    else:
        side = or_(Case.outcome_on >= first, Case.outcome_on.is_(None))
    return and_(side, _tested_only(_open_at_start(year)))


def touching(session: Session, year: int) -> ColumnElement[bool]:
    """The cases any tally of the year can count, as index ranges: received in the year, closed
    in it, and the older cases still open at its end (closed later, or not at all).

    Each tally's condition is evaluated on these rows alone; a case outside them counts in none
    (open at the start of the year means received before it and closed in it or later; open at
    its end means received in it or before it and not closed by then)."""
    return or_(_received_in(year), _closed_in(year), _open_across(session, year))


def _tally_conditions(year: int) -> tuple[ColumnElement[bool], ...]:
    """The condition of each field of Tally, in its order."""
    _, last = _bounds(year)
    dateless = and_(
        Case.received <= last, Case.outcome_code.is_not(None), Case.outcome_on.is_(None)
    )
    return (
        _received_in(year),
        _open_at_start(year),
        _closed_in(year),
        _open_at_end(year),
        _open_at_start(year + 1),
        _open_at_end(year - 1),
        dateless,
        and_(Case.demo.is_(True), or_(_received_in(year), _open_at_start(year))),
    )


def _tallies(
    session: Session, year: int, scope: ColumnElement[bool]
) -> dict[tuple[str, str | None], Tally]:
    """One GROUP BY over the cases that touch the year: every figure of table 三 and of the
    checks on it comes from this single pass.

    Each case's conditions are packed into one number (bit i: the condition of Tally field i)
    and the cases are counted by applicant type, outcome code and that number; one count per
    group costs the database far less than a sum per field. A group no condition holds for is
    left out (it would be a Tally of zeros)."""
    conditions = _tally_conditions(year)
    bits = functools.reduce(
        operator.add, [case((c, 1 << i), else_=0) for i, c in enumerate(conditions)]
    )
    rows = (
        select(Applicant.type.label("kind"), Case.outcome_code.label("code"), bits.label("bits"))
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), scope, touching(session, year))
        .subquery()
    )
    stmt = select(rows.c.kind, rows.c.code, rows.c.bits, func.count()).group_by(
        rows.c.kind, rows.c.code, rows.c.bits
    )
    counts: dict[tuple[str, str | None], list[int]] = {}
    for kind, code, packed, n in session.execute(stmt):
        if not packed:
            continue
        fields = counts.setdefault((kind, code), [0] * len(conditions))
        for i in range(len(conditions)):
            if packed >> i & 1:
                fields[i] += n
    return {key: Tally(*fields) for key, fields in counts.items()}


def _review_class(year: int) -> Any:
    """尚未审结 unless decided within the year with a result; else the result as recorded."""
    _, last = _bounds(year)
    undecided = or_(Review.decided.is_(None), Review.decided > last, Review.result.is_(None))
    return case((undecided, literal("pending")), else_=Review.result)


def _review_scope(year: int, scope: ColumnElement[bool] | None = None) -> ColumnElement[bool]:
    """Filed by the end of the year, and decided in it or still undecided at its end."""
    first, last = _bounds(year)
    return and_(
        not_voided(),
        true() if scope is None else scope,
        Review.filed <= last,
        or_(Review.decided.is_(None), Review.decided >= first),
    )


def _review_counts(
    session: Session, year: int, scope: ColumnElement[bool]
) -> dict[tuple[str, str], int]:
    klass = _review_class(year).label("klass")
    stmt = (
        select(Review.kind, klass, func.count(Review.id))
        .join(Case, Case.id == Review.case_id)
        .where(_review_scope(year, scope))
        .group_by(Review.kind, klass)
    )
    return {(kind, k): int(n) for kind, k, n in session.execute(stmt)}


def _office_name(session: Session, body: str | None) -> str:
    return office_name(lambda: load_profile(session), body)


def body_scope(session: Session, body: str | None) -> ColumnElement[bool]:
    """The cases a reporting body counts: those it answered; None is the compiled report.

    A unit's own report (部门、乡镇年报) counts the cases answered in its name; the district's
    compiled report counts every unit's cases (domain.md §4, issue 11).
    """
    names = body_names(session, body)
    if names is None:
        return true()
    listed, own = names
    if own:
        return or_(Case.body.is_(None), Case.body.in_(listed))
    return Case.body.in_(listed)


def scope_of(session: Session, report: Report) -> ColumnElement[bool]:
    """The SQL condition of the report's body: the one it was built with through the ORM, or
    body_scope's for a report read through sqlite3 (which carries none)."""
    scope: ColumnElement[bool] | None = report.scope
    return body_scope(session, report.body) if scope is None else scope


def body_names(session: Session, body: str | None) -> tuple[list[str], bool] | None:
    """What body_scope tests: the values of cases.body a reporting body counts, and whether it
    counts the cases of no named body too (the office's own); None counts every case."""
    return unit_names(lambda: load_profile(session), body)


def by_number() -> Any:
    """Case numbers in order, sorted after the cases are found: SQLite would otherwise walk the
    whole table in the order of the numbers' index rather than sort the year's few thousand."""
    return unindexed(Case.no)


def _numbers(session: Session, *where: ColumnElement[bool]) -> tuple[str, ...]:
    stmt = (
        select(Case.no)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), *where)
        .order_by(by_number())
    )
    return tuple(session.scalars(stmt))


def _type_filter(layout: Layout, labels: Iterable[str]) -> ColumnElement[bool]:
    """Cases of the named columns; the total column stands for every applicant type."""
    columns = [layout.column(label) for label in labels]
    if any(c.total for c in columns):
        return literal(True)
    return Applicant.type.in_([c.id for c in columns])
