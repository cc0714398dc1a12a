"""The totals SQLite keeps by triggers (revision 0014): reading them, and checking them.

A row of case_totals counts the cases, voided ones left out, of one key: applicant type, outcome
code, year of receipt, year of outcome (None while open), answering body, demo. A row of
review_totals counts the reviews (复议、诉讼) of the cases not voided, by kind, result, year filed,
year decided (None while pending) and the case's body. The annual report reads them instead of
the cases and reviews (cases.documents.report.kept); `verify` compares them with a recount.
PostgreSQL keeps none (the revision says why): `kept` is False there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from cases.storage.totals_rows import (
    CASES,
    CASES_OF_YEAR,
    REVIEWS,
    REVIEWS_OF_YEAR,
    CaseKey,
    ReviewKey,
    case_row,
    review_row,
)

_CASES_OF_YEAR = text(CASES_OF_YEAR)
_REVIEWS_OF_YEAR = text(REVIEWS_OF_YEAR)
_CASES, _REVIEWS = CASES, REVIEWS
# The same keys counted from the rows themselves, as the revision filled the tables.
_YEAR = "CAST(substr({}, 1, 4) AS INTEGER)"
_CASE_RECOUNT = text(
    f"SELECT a.type, c.outcome_code, {_YEAR.format('c.received')}, "
    f"{_YEAR.format('c.outcome_on')}, c.body, c.demo IS 1, count(*) "
    "FROM cases AS c JOIN applicants AS a ON a.id = c.applicant_id WHERE c.voided IS NOT 1 "
    "GROUP BY 1, 2, 3, 4, 5, 6"
)
_REVIEW_RECOUNT = text(
    f"SELECT r.kind, r.result, {_YEAR.format('r.filed')}, {_YEAR.format('r.decided')}, "
    "c.body, count(*) FROM reviews AS r JOIN cases AS c ON c.id = r.case_id "
    "WHERE c.voided IS NOT 1 GROUP BY 1, 2, 3, 4, 5"
)


_TABLES = text(
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
    "AND name IN ('case_totals', 'review_totals')"
)


def kept(session: Session) -> bool:
    """Whether this database keeps the totals: SQLite at revision 0014 or later (a file is
    migrated when opened; one opened without, at an older revision, is counted)."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    return session.execute(_TABLES).scalar() == 2


def cases_of_year(session: Session, year: int) -> list[tuple[CaseKey, int]]:
    """The kept case rows a report of `year` can count, each key with its number of cases."""
    return [_case_row(r) for r in session.execute(_CASES_OF_YEAR, {"year": year})]


def reviews_of_year(session: Session, year: int) -> list[tuple[ReviewKey, int]]:
    """The kept review rows table 四 of `year` counts, each key with its number of reviews."""
    return [_review_row(r) for r in session.execute(_REVIEWS_OF_YEAR, {"year": year})]


_case_row, _review_row = case_row, review_row


@dataclass(frozen=True)
class Difference:
    """A key whose kept number is not the number of its rows."""

    table: str  # case_totals | review_totals
    key: CaseKey | ReviewKey
    kept: int
    counted: int


def differences(session: Session) -> list[Difference]:
    """Every key where the kept totals and a recount disagree (a full read of cases and reviews)."""
    found = []
    for table, row, recount in (
        ("case_totals", _case_row, _CASE_RECOUNT),
        ("review_totals", _review_row, _REVIEW_RECOUNT),
    ):
        columns = _CASES if table == "case_totals" else _REVIEWS
        have = _summed(map(row, session.execute(text(f"SELECT {columns} FROM {table}"))))
        want = _summed(map(row, session.execute(recount)))
        keys = sorted(set(have) | set(want), key=repr)
        found += [Difference(table, k, have[k], want[k]) for k in keys if have[k] != want[k]]
    return found


def _summed(rows: Iterable[tuple[CaseKey | ReviewKey, int]]) -> Counter[CaseKey | ReviewKey]:
    counts = Counter[CaseKey | ReviewKey]()
    for key, n in rows:
        counts[key] += n
    return counts
