"""The applicant type bulk-inserted cases keep (revision 0015), checked once instead of per row.

Revision 0015's cases_type_ai compares each new case's copy of its applicant's type with the
applicant's, and an AFTER INSERT row trigger costs SQLite about 40 µs a row even when it does
nothing (0.4 s of CPU for 10,000 imported cases). The bulk writers give the type with the row
(exchange.case_row), so for a bulk insert the trigger is dropped (cases.interchange.trigger_work)
and the new cases are put right by one statement, which finds none to change.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import Connection, Table

from cases.interchange import trigger_work

TRIGGER = "cases_type_ai"
_OF_APPLICANT = "(SELECT type FROM applicants WHERE id = cases.applicant_id)"
_PUT_RIGHT = (
    f"UPDATE cases SET applicant_type = {_OF_APPLICANT} "
    f"WHERE id > ? AND applicant_type IS NOT {_OF_APPLICANT}"
)


def types_after(conn: Connection, table: Table) -> AbstractContextManager[None]:
    """SQLite: the cases inserted inside the block are given their applicant's type at its end,
    where the row did not carry it."""
    if table.name != "cases":
        return nullcontext()
    return trigger_work.done_after(conn, "cases", TRIGGER, _put_right)


def _put_right(conn: Connection, last: int) -> None:
    conn.exec_driver_sql(_PUT_RIGHT, (last,))
