"""The kept totals of bulk-inserted cases added in one go instead of by the insert trigger.

Revision 0014's case_totals_ai counts each new case under its key (applicant type, outcome code,
year of receipt, year of outcome, answering body, demo) with two statements per case: 0.45 s of
SQLite's time for 10,000 imported cases, half of what inserting them costs. For a bulk insert
the trigger is dropped (cases.interchange.trigger_work) and the new cases are counted by one
GROUP BY, each key then added with the trigger's own two steps: a row with no cases made where
the key has none, and its count raised by the key's number of new cases. The keys are made in
the order of their first case, as the trigger made them, so that even the rows' ids are the same.
tests/test_import_kept_work.py compares the totals of both ways after the same imports.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Connection, Table

from cases.interchange import trigger_work

TRIGGER = "case_totals_ai"
COLUMNS = ("applicant_type", "outcome_code", "received_year", "outcome_year", "body", "demo")
PARAMS = ("t", "o", "ry", "oy", "b", "d")
# The trigger's key of a case, spelt as revision 0014 spells it for `new`.
_KEY = (
    "(SELECT type FROM applicants WHERE id = c.applicant_id)",
    "c.outcome_code",
    "CAST(substr(c.received, 1, 4) AS INTEGER)",
    "CAST(substr(c.outcome_on, 1, 4) AS INTEGER)",
    "c.body",
    "(c.demo IS 1)",
)
_NEW = (
    f"SELECT {', '.join(_KEY)}, count(*), min(c.id) FROM cases AS c "
    "WHERE c.id > ? AND c.voided IS NOT 1 GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 8"
)
# IS, not =: a key may hold NULLs (no outcome, the office's own body), as in the trigger.
_MATCHES = " AND ".join(f"{c} IS :{p}" for c, p in zip(COLUMNS, PARAMS, strict=True))
_MAKE = (
    f"INSERT INTO case_totals ({', '.join(COLUMNS)}, cases) "
    f"SELECT {', '.join(':' + p for p in PARAMS)}, 0 "
    f"WHERE NOT EXISTS (SELECT 1 FROM case_totals WHERE {_MATCHES})"
)
_ADD = f"UPDATE case_totals SET cases = cases + :n WHERE {_MATCHES}"


def totals_after(conn: Connection, table: Table) -> AbstractContextManager[None]:
    """SQLite: the cases inserted inside the block are counted in case_totals at its end."""
    if table.name != "cases":
        return nullcontext()
    return trigger_work.done_after(conn, "cases", TRIGGER, _count_new)


def _count_new(conn: Connection, last: int) -> None:
    keys = [
        dict(zip(PARAMS, row[:6], strict=True), n=row[6])
        for row in conn.exec_driver_sql(_NEW, (last,))
    ]
    if keys:
        conn.exec_driver_sql(_MAKE, keys)
        conn.exec_driver_sql(_ADD, keys)
