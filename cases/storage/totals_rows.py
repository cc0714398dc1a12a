"""The kept totals' statements and rows (revision 0014), free of SQLAlchemy.

One text of each statement and one reading of its rows, run by the ORM session (storage.totals)
and by sqlite3 for a report read from an up-to-date file (documents.report.from_file), so that
both ways read the same numbers. sqlite3 and SQLAlchemy's text() both take `:name` parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

CaseKey = tuple[str, str | None, int, int | None, str | None, bool]
ReviewKey = tuple[str, str | None, int, int | None, str | None]

CASES = "applicant_type, outcome_code, received_year, outcome_year, body, demo, cases"
# The rows any count of a year can take: received in it, closed in it, or received before it and
# not closed by its start (the others count in none of the report's figures for that year).
CASES_OF_YEAR = (
    f"SELECT {CASES} FROM case_totals WHERE received_year = :year OR outcome_year = :year "
    "OR (received_year < :year AND (outcome_year IS NULL OR outcome_year > :year))"
)
REVIEWS = "kind, result, filed_year, decided_year, body, reviews"
# Filed by the end of the year, and decided in it or later or not at all (table 四's reach).
REVIEWS_OF_YEAR = (
    f"SELECT {REVIEWS} FROM review_totals WHERE filed_year <= :year "
    "AND (decided_year IS NULL OR decided_year >= :year)"
)


def case_row(r: Sequence[object]) -> tuple[CaseKey, int]:
    kind, code, received, outcome, body, demo, n = r
    key: CaseKey = (str(kind), _text(code), _int(received), _year(outcome), _text(body), bool(demo))
    return key, _int(n)


def review_row(r: Sequence[object]) -> tuple[ReviewKey, int]:
    kind, result, filed, decided, body, n = r
    key: ReviewKey = (str(kind), _text(result), _int(filed), _year(decided), _text(body))
    return key, _int(n)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int:
    return int(str(value))


def _year(value: object) -> int | None:
    return None if value is None else _int(value)
