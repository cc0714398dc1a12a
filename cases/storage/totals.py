"""The case totals SQLite keeps by triggers (revision 0014): reading them, and checking them.

A row counts the cases, voided ones left out, of one key: applicant type, outcome code, year of
receipt, year of outcome (None while open), answering body, demo. The annual report reads them
instead of the year's cases (cases.documents.report.kept); `verify` compares them with a recount.
PostgreSQL keeps none (the revision says why): `kept` is False there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

Key = tuple[str, str | None, int, int | None, str | None, bool]

_COLUMNS = "applicant_type, outcome_code, received_year, outcome_year, body, demo, cases"
# The rows any count of a year can take: received in it, closed in it, or received before it and
# not closed by its start (the others count in none of the report's figures for that year).
_OF_YEAR = text(
    f"SELECT {_COLUMNS} FROM case_totals WHERE received_year = :year OR outcome_year = :year "
    "OR (received_year < :year AND (outcome_year IS NULL OR outcome_year > :year))"
)
_ALL = text(f"SELECT {_COLUMNS} FROM case_totals")
# The same keys counted from the cases themselves, as the revision filled the table.
_RECOUNT = text(
    "SELECT a.type, c.outcome_code, CAST(substr(c.received, 1, 4) AS INTEGER), "
    "CAST(substr(c.outcome_on, 1, 4) AS INTEGER), c.body, c.demo IS 1, count(*) "
    "FROM cases AS c JOIN applicants AS a ON a.id = c.applicant_id WHERE c.voided IS NOT 1 "
    "GROUP BY 1, 2, 3, 4, 5, 6"
)


def kept(session: Session) -> bool:
    """Whether this database keeps the totals (SQLite at revision 0014 or later)."""
    return session.get_bind().dialect.name == "sqlite"


def of_year(session: Session, year: int) -> list[tuple[Key, int]]:
    """The kept rows a report of `year` can count, each key with its number of cases."""
    return [_row(r) for r in session.execute(_OF_YEAR, {"year": year})]


def _row(r: tuple[object, ...]) -> tuple[Key, int]:
    kind, code, received, outcome, body, demo, n = r
    key: Key = (str(kind), _text(code), int(str(received)), _year(outcome), _text(body), bool(demo))
    return key, int(str(n))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _year(value: object) -> int | None:
    return None if value is None else int(str(value))


@dataclass(frozen=True)
class Difference:
    """A key whose kept number is not the number of its cases."""

    key: Key
    kept: int
    counted: int


def differences(session: Session) -> list[Difference]:
    """Every key where the kept totals and a recount of the cases disagree (a full read)."""
    have = Counter[Key]()
    for key, n in map(_row, session.execute(_ALL)):
        have[key] += n
    want = Counter[Key](dict(map(_row, session.execute(_RECOUNT))))
    keys = sorted(set(have) | set(want), key=repr)
    return [Difference(k, have[k], want[k]) for k in keys if have[k] != want[k]]
