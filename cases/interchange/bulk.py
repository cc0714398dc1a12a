"""Bulk writing for large batches (import, demo): keys handed out up front, plain Core inserts."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import (
    ColumnDefault,
    Connection,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from cases.interchange import kept_totals, kept_types, search_terms
from cases.storage import archive_mark, audit, case_types, model

_paused = 0
_paused_lock = threading.Lock()
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a large import builds and keeps its rows.

    An import of 10,000 rows makes a few hundred thousand objects that all live to its end; each
    full collection walks every one of them again (half a second of such walks for 10,000
    rows, more in a process that holds much else). Reference counting still frees what is
    dropped; cycles made meanwhile wait for the first collection after the import. Nested and
    concurrent imports share one pause; the collector is enabled again only if it was before.
    """
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


class Keys:
    """Primary keys handed out before a bulk insert, so that no row needs a round trip.

    PostgreSQL: the column's own sequence, one value per row. SQLite: after the largest id, which
    is safe because the caller's store.transaction() holds the database's write lock.
    """

    def __init__(self, session: Session, table: type[model.Base]) -> None:
        self.session, self.table = session, table
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.next: int | None = None

    def take(self, n: int) -> list[int]:
        if n == 0:
            return []
        if self.postgres:
            stmt = text(
                "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
            )
            return list(self.session.scalars(stmt, {"t": self.table.__tablename__, "n": n}))
        if self.next is None:
            column = cast(Table, self.table.__table__).c.id
            self.next = (self.session.scalar(select(func.max(column))) or 0) + 1
        start, self.next = self.next, self.next + n
        return list(range(start, start + n))


def insert_rows(session: Session, cls: type[model.Base], rows: list[dict[str, Any]]) -> None:
    """Core inserts, not ORM bulk ones: the ORM splits a batch wherever a value turns None.

    Audit records are chained (cases.storage.audit) and numbered here, in list order, after
    whatever the session still holds unflushed, so that id order stays chain order.
    On SQLite the rows go through the driver (fill), the work of the triggers that index and
    count them done after them (work_after).
    """
    if not rows:
        return
    if cls is model.AuditRecord:
        session.flush()
        audit.chain_rows(session.connection(), rows)
        for row, new_id in zip(rows, Keys(session, cls).take(len(rows)), strict=True):
            row["id"] = new_id
    table = cast(Table, cls.__table__)
    defaults = _scalar_defaults(table, rows[0])
    if not THROUGH_DRIVER or defaults is None or session.get_bind().dialect.name != "sqlite":
        session.execute(insert(table), rows)
        return
    conn = session.connection()
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    with work_after(conn, table):
        fill(conn, table, rows)


@contextmanager
def work_after(conn: Connection, table: Table) -> Iterator[None]:
    """SQLite: what the table's insert triggers would do per row (its search tokens, the kept
    totals of cases, the applicant type each case keeps) done once for the rows the block
    inserts, those triggers dropped meanwhile; nothing for a table without such a trigger."""
    with (
        search_terms.tokens_after(conn, table),
        kept_totals.totals_after(conn, table),
        kept_types.types_after(conn, table),
    ):
        yield


@contextmanager
def batch(session: Session, cls: type[model.Base]) -> Iterator[None]:
    """SQLite: the insert_rows calls into `cls` inside the block share one work_after.

    An import writes its cases a chunk at a time; each chunk's tokens in a statement of their
    own made FTS5 write a segment per chunk and merge them (0.22 s for ten chunks at 300,000
    cases, 0.17 s as one), and each chunk dropped and created the triggers again. Nothing on
    PostgreSQL or with THROUGH_DRIVER off (the triggers then fire row by row, the reference).
    """
    if not THROUGH_DRIVER or session.get_bind().dialect.name != "sqlite":
        yield
        return
    with work_after(session.connection(), cast(Table, cls.__table__)):
        yield


ROOMY_KIB = 64 * 1024


@contextmanager
def roomy_cache(session: Session) -> Iterator[None]:
    """SQLite: a page cache of ROOMY_KIB for the block, the connection's own size given back.

    Inserting 10,000 cases touches pages all over the two dozen indexes of a large file; the
    default cache (2 MB) evicts and reads them again and again (the applicants' inserts took
    0.20 s at 300,000 cases, 0.13 s with 64 MB). Pages are taken only as they are read, and the
    connection returns to its pool with its own size (a desk's connection keeps the default).
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    conn = session.connection()
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    page = int(conn.exec_driver_sql("PRAGMA page_size").scalar() or 4096)
    kib = -before if before < 0 else before * page // 1024  # negative: KiB; positive: pages
    if kib >= ROOMY_KIB:
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = -{ROOMY_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {before}")


# False: every bulk insert through SQLAlchemy's executemany, as before (the tests compare).
THROUGH_DRIVER = True
# The search index (FTS5, revision 0006) writes out its pending terms at the end of every
# statement inside a transaction, so one INSERT per row (what executemany is) through its trigger
# leaves a segment per case and merges them over and over (2.1 s for 10,000 cases); the trigger
# also spells every token in SQL (0.9 s). The kept totals (revision 0014) take two statements a
# case (0.45 s). Both are done once for a bulk insert instead (work_after).


def _scalar_defaults(table: Table, row: dict[str, Any]) -> dict[str, Any] | None:
    """The Python-side defaults of the columns the rows leave out, as SQLAlchemy's insert would
    send them; None when one is computed per row (then SQLAlchemy's insert fills it)."""
    left_out = [c for c in table.c if c.name not in row and c.default is not None]
    if not all(isinstance(c.default, ColumnDefault) and c.default.is_scalar for c in left_out):
        return None
    return {c.name: cast(ColumnDefault, c.default).arg for c in left_out}


def insert_cases(
    session: Session,
    case_rows: list[dict[str, Any]],
    children: Mapping[type[model.Base], list[dict[str, Any]]],
) -> None:
    """Cases and the rows that belong to them; a case is archived only once its rows are in."""
    rows, marks = archive_mark.unmarked(case_rows)
    if rows and "applicant_type" in rows[0] and not case_types.on_file(session.connection()):
        rows = case_types.without_type(rows)  # a file at a revision before 0015
    insert_rows(session, model.Case, rows)
    for table, table_rows in children.items():
        insert_rows(session, table, table_rows)
    archive_mark.set_marks(session.connection(), marks)


def fill(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """SQLite: rows (all with the keys of the first) into a table through the driver, each value
    converted by its column type's own bind processor: what SQLAlchemy's executemany does,
    without building a parameter dictionary per row (a third of a bulk write's Python time).
    A temporary table's name is found first, as SQLite looks in temp before main."""
    names = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    # Column by column: a value without a processor is never touched by Python code, and the
    # tuples are made by zip (a generator per row cost 0.3 s of CPU for 10,000 imported cases).
    columns = []
    for name, process in zip(names, processors, strict=True):
        column = [row[name] for row in rows]
        columns.append(column if process is None else _processed(column, process))
    conn.exec_driver_sql(statement, list(zip(*columns, strict=True)))


_SAME_WHEN_EQUAL = {dt.date, bool, type(None)}


def _processed(values: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    """The values through a bind processor, each distinct one once: a date column of an import
    holds a few hundred days, a time column one time. Dates, booleans and None that are equal
    are the same value; datetimes are not (two instants may be equal in different zones and be
    written differently), so each is processed once per object."""
    kinds = set(map(type, values))
    if kinds <= _SAME_WHEN_EQUAL:
        done = {v: process(v) for v in set(values)}
        return list(map(done.__getitem__, values))
    if kinds <= {dt.datetime, type(None)}:
        objects = {id(v): v for v in values}
        by_object = {key: process(v) for key, v in objects.items()}
        return [by_object[id(v)] for v in values]
    return list(map(process, values))
