"""A per-row trigger's work for a bulk insert done once after it, the trigger dropped meanwhile.

Some insert triggers do per row what a bulk insert can do for all its rows in one statement: the
search tokens of revision 0006 and the kept totals of revision 0014. For such an insert the
trigger is dropped and created again from its own stored text in the same transaction: SQLite's
DDL is transactional and the writer holds the database's only write lock, so no other connection
ever sees the table without it, and a failed or killed import rolls the drop back with the rows.
Every other trigger on the table still fires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

CatchUp = Callable[[Connection, int], None]
"""Does the trigger's work for the rows of the table whose id is above the given one."""


@contextmanager
def done_after(conn: Connection, table: str, trigger: str, catch_up: CatchUp) -> Iterator[None]:
    """SQLite: `trigger` dropped while the block inserts into `table`, `catch_up` run at its end.

    The new rows are those above the table's largest id at the start: every bulk writer hands
    out ids past it, under the write lock its transaction holds. The trigger is created again
    even when the block fails, so that a caller who goes on in the same transaction keeps it
    (the rows the failed block did insert get no catch-up: such a transaction is to be rolled
    back); unless SQLite ended the transaction itself (a full disk, an interrupt), which undid
    the drop.
    """
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).scalar()
    # None: an enclosing block dropped it and catches up for these rows too (bulk.batch), or a
    # schema without it (an older revision), where there is nothing to keep up.
    if found is None:
        yield
        return
    last = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
    conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    try:
        yield
        catch_up(conn, int(last or 0))
    finally:
        if _still_open(conn):
            conn.exec_driver_sql(str(found))


def _still_open(conn: Connection) -> bool:
    """Whether SQLite's transaction still runs: after some faults it rolls back by itself, and
    a CREATE TRIGGER then would fail on the restored trigger and hide the fault from the user."""
    return bool(conn.connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]
