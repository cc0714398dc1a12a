"""Archived cases written in bulk: each case unarchived, then its rows, then its archive mark.

An archived case takes no new row (revision 0011), so import, the demo and `db copy` hold the
mark back until the case's rows are in, and set it in the same transaction: what is stored in
the end is what the rows said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, text, update

from cases.storage.model import Case

Mark = dict[str, Any]
CASES = cast(Table, Case.__table__)


def mark_of(row: Any) -> Mark:
    """The archive mark of a case row, and its updated_at, which the update would set to now."""
    return {"mark_id": row["id"], "mark_at": row["archived_at"], "mark_updated": row["updated_at"]}


def unmarked(rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Mark]]:
    """The case rows to insert, none archived yet, and the marks to set after their rows."""
    to_insert, marks = [], []
    for row in rows:
        if row.get("archived_at") is not None:
            marks.append(mark_of(row))
            row = {**row, "archived_at": None}
        to_insert.append(row)
    return to_insert, marks


def set_marks(conn: Connection, marks: list[Mark]) -> None:
    """Archive the cases as their rows had it, once everything that belongs to them is in."""
    if not marks:
        return
    if conn.dialect.name == "postgresql":
        # One statement for the batch: an UPDATE per case costs a round trip each (a millisecond).
        conn.execute(
            text(
                "UPDATE cases SET archived_at = m.mark_at, updated_at = m.mark_updated "
                "FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[]), "
                "CAST(:ups AS timestamptz[])) AS m(mark_id, mark_at, mark_updated) "
                "WHERE cases.id = m.mark_id"
            ),
            {
                "ids": [m["mark_id"] for m in marks],
                "ats": [m["mark_at"] for m in marks],
                "ups": [m["mark_updated"] for m in marks],
            },
        )
        return
    # SQLite: an UPDATE per mark (executemany) costs SQLAlchemy's and SQLite's step per case,
    # 0.17 s for 10,000 imported cases. The marks an import sets share one time, so the cases
    # of each (archived_at, updated_at) pair are set by one statement per chunk of ids; the
    # marks whose time is their own (a copy's) still go by one executemany. A time is grouped
    # with its zone: equal instants in two zones are equal datetimes, but SQLite keeps a time's
    # wall clock, which differs.
    by_time: dict[tuple[Any, ...], list[int]] = {}
    for m in marks:
        at, updated = m["mark_at"], m["mark_updated"]
        by_time.setdefault((at, updated, _zone(at), _zone(updated)), []).append(m["mark_id"])
    shared = update(CASES).where(CASES.c.id.in_(bindparam("mark_ids", expanding=True)))
    shared = shared.values(archived_at=bindparam("mark_at"), updated_at=bindparam("mark_updated"))
    alone: list[Mark] = []
    for (at, updated, *_), ids in by_time.items():
        if len(ids) == 1:
            alone.append({"mark_id": ids[0], "mark_at": at, "mark_updated": updated})
            continue
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            conn.execute(shared, {"mark_ids": chunk, "mark_at": at, "mark_updated": updated})
    if alone:
        each = (
            update(CASES)
            .where(CASES.c.id == bindparam("mark_id"))
            .values(archived_at=bindparam("mark_at"), updated_at=bindparam("mark_updated"))
        )
        conn.execute(each, alone)


def _zone(time: Any) -> Any:
    return time.utcoffset() if isinstance(time, dt.datetime) else None


CHUNK = 500  # ids a statement: under SQLite's oldest limit of 999 parameters
