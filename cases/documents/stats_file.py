"""The statistics' rows read through sqlite3 from an up-to-date SQLite file, for `report --stats`.

Each statement is the one stats.py's session runs, as SQLAlchemy spells it for SQLite (the
report's `touching` in both of its forms); the values come back as the ORM reads them there: a
date from its ISO text, an amount as a Numeric(12, 2). stats_figures.stats_from computes the
figures from either. A value of another type raises FullWay, and the command takes the full way.
tests/test_report_plain.py compares both ways on a demo of many years.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from typing import Any, Literal

from cases.documents.report.from_file import AMOUNT_SCALE, FullWay
from cases.documents.stats_figures import By, FeeRow, GroupRow, PairRow, TopRow
from cases.timing.calendar import WorkCalendar

_NOT_VOIDED = "cases.voided IS NOT 1"
_FROM = "FROM cases JOIN applicants ON applicants.id = cases.applicant_id"
# counting.touching(year): received or closed in the year, or open across its start, spelt for
# the index of the smaller side (counting._fewer_before) as SQLAlchemy spells either form.
_TOUCHING_BEFORE = (
    "cases.received BETWEEN :first AND :last OR cases.outcome_on BETWEEN :first AND :last "
    "OR cases.received < :first AND (coalesce(cases.outcome_on, cases.outcome_on) IS NULL "
    "OR coalesce(cases.outcome_on, cases.outcome_on) > :last)"
)
_TOUCHING_AFTER = (
    "cases.received BETWEEN :first AND :last OR cases.outcome_on BETWEEN :first AND :last "
    "OR cases.outcome_on > :last AND coalesce(cases.received, cases.received) < :first "
    "OR cases.outcome_on IS NULL AND coalesce(cases.received, cases.received) < :first"
)
_SPAN = "SELECT (SELECT min(cases.received) FROM cases), (SELECT max(cases.outcome_on) FROM cases)"
_GROUPS = (
    "SELECT coalesce(cases.department, cases.department), applicants.type, "
    "sum(CASE WHEN (cases.received BETWEEN :first AND :last) THEN 1 ELSE 0 END), "
    "sum(CASE WHEN (cases.outcome_on BETWEEN :first AND :last) THEN 1 ELSE 0 END), "
    "sum(CASE WHEN (cases.received <= :last AND coalesce(cases.outcome_on, '9999-12-31') > :last) "
    "THEN 1 ELSE 0 END), "
    "sum(CASE WHEN (cases.outcome_on BETWEEN :first AND :last AND cases.due IS NOT NULL "
    "AND cases.outcome_on <= cases.due) THEN 1 ELSE 0 END), "
    "sum(CASE WHEN (cases.outcome_on BETWEEN :first AND :last AND cases.due IS NOT NULL "
    "AND cases.outcome_on > cases.due) THEN 1 ELSE 0 END), "
    "sum(CASE WHEN (cases.outcome_on BETWEEN :first AND :last AND cases.due IS NULL) "
    "THEN 1 ELSE 0 END) "
    f"{_FROM} WHERE {_NOT_VOIDED} AND ({{touching}}) "
    "GROUP BY coalesce(cases.department, cases.department), applicants.type"
)
_LATER = (
    f"SELECT DISTINCT coalesce(cases.department, cases.department), applicants.type {_FROM} "
    f"WHERE {_NOT_VOIDED} AND cases.received > :last "
    "AND (cases.outcome_on IS NULL OR cases.outcome_on > :last)"
)
_PAIRS = (
    "SELECT cases.department, applicants.type, cases.day0, cases.outcome_on, count(cases.id) "
    f"{_FROM} WHERE {_NOT_VOIDED} AND cases.outcome_on BETWEEN :first AND :last "
    "GROUP BY cases.department, applicants.type, cases.day0, cases.outcome_on"
)
_RECEIVED = f"WHERE {_NOT_VOIDED} AND cases.received BETWEEN :first AND :last"
_APPLICANTS = {
    None: f"SELECT count(distinct(cases.applicant_id)) {_FROM} {_RECEIVED}",
    "department": f"SELECT cases.department, count(distinct(cases.applicant_id)) {_FROM} "
    f"{_RECEIVED} GROUP BY cases.department",
    "type": f"SELECT applicants.type, count(distinct(cases.applicant_id)) {_FROM} "
    f"{_RECEIVED} GROUP BY applicants.type",
}
_TOP = (
    "SELECT applicants.id, applicants.name, applicants.type, count(cases.id) AS n "
    "FROM applicants JOIN cases ON cases.applicant_id = applicants.id "
    f"{_RECEIVED} GROUP BY applicants.id, applicants.name, applicants.type "
    "ORDER BY n DESC, applicants.name, applicants.id LIMIT :limit"
)
_FEES_FROM = f"FROM fees JOIN cases ON cases.id = fees.case_id WHERE {_NOT_VOIDED}"
_FEE_TOTALS = {
    day: f"SELECT count(fees.id), sum(fees.amount) {_FEES_FROM} AND fees.{day} "
    "BETWEEN :first AND :last"
    for day in ("notice", "paid")
}
_FEES_BY_METHOD = (
    f"SELECT fees.method, count(fees.id), sum(fees.amount) {_FEES_FROM} "
    "AND fees.notice BETWEEN :first AND :last GROUP BY fees.method ORDER BY fees.method"
)


def _bounds(year: int) -> dict[str, str]:
    return {"first": f"{year:04d}-01-01", "last": f"{year:04d}-12-31"}


def _date(value: object) -> dt.date:
    """A date as SQLAlchemy reads it from SQLite: ISO text."""
    if not isinstance(value, str):
        raise FullWay("a date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise FullWay("a date") from exc


def _amount(value: object) -> Decimal | None:
    """A sum of amounts as SQLAlchemy reads a Numeric(12, 2) from SQLite."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FullWay("an amount")
    return Decimal(f"{value:.{AMOUNT_SCALE}f}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise FullWay("a text")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


class FileRows:
    """stats_figures.StatsRows through one sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def calendar(self) -> WorkCalendar:
        from cases.timing.office_calendar import plain_calendar

        return plain_calendar(self.connection)[0]

    def _fewer_before(self, year: int) -> bool:
        """counting._fewer_before: fewer days of cases before the year than after it."""
        ((earliest, latest),) = self.rows(_SPAN)
        if earliest is None or latest is None:
            return False
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return first - _date(earliest) < _date(latest) - last

    def groups(self, year: int) -> list[GroupRow]:
        touching = _TOUCHING_BEFORE if self._fewer_before(year) else _TOUCHING_AFTER
        found = self.rows(_GROUPS.format(touching=touching), **_bounds(year))
        return [
            (_optional_text(department), _text(kind), *(int(n) for n in numbers))  # type: ignore[misc]
            for department, kind, *numbers in found
        ]

    def later(self, year: int) -> list[tuple[str | None, str]]:
        found = self.rows(_LATER, **_bounds(year))
        return [(_optional_text(department), _text(kind)) for department, kind in found]

    def pairs(self, year: int) -> list[PairRow]:
        found = self.rows(_PAIRS, **_bounds(year))
        return [
            (_optional_text(department), _text(kind), _date(day0), _date(on), int(n))
            for department, kind, day0, on, n in found
        ]

    def applicants(self, year: int, by: By) -> dict[Any, int]:
        found = self.rows(_APPLICANTS[by], **_bounds(year))
        if by is None:
            return {None: int(found[0][-1])} if found else {}
        return {row[0]: int(row[-1]) for row in found}

    def top_applicants(self, year: int) -> list[TopRow]:
        from cases.documents.stats_figures import TOP_APPLICANTS

        found = self.rows(_TOP, limit=TOP_APPLICANTS, **_bounds(year))
        return [(int(i), _text(name), _text(kind), int(n)) for i, name, kind, n in found]

    def fee_totals(self, year: int, day: Literal["notice", "paid"]) -> FeeRow:
        ((n, amount),) = self.rows(_FEE_TOTALS[day], **_bounds(year))
        return int(n), _amount(amount)

    def fees_by_method(self, year: int) -> list[tuple[str, int, Decimal | None]]:
        found = self.rows(_FEES_BY_METHOD, **_bounds(year))
        return [(_text(method), int(n), _amount(amount)) for method, n, amount in found]
