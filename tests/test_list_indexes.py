"""Revision 0012: the list's statements can use its indexes, and the revision goes down and up."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from alembic import command
from sqlalchemy import event, inspect, text

from cases.query.caselist import CaseQuery, Me, View, case_ids, view_counts
from cases.rules.handbook import RoleId
from cases.storage import store as store_mod
from cases.storage.store import Store
from cases.timing.calendar import WorkCalendar

NEW_INDEXES = {
    "approvals": {"ix_approvals_waiting"},
    "cases": {"ix_cases_archived_at"},
}
SIGNER = Me("王签发", "王签发", frozenset({RoleId.HANDLER, RoleId.SIGNER}))


def index_names(store: Store) -> dict[str, set[str]]:
    with store.engine.connect() as conn, warnings.catch_warnings():
        # The names alone; SQLAlchemy reads no index on an expression back from SQLite (0013).
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        found = inspect(conn)
        return {t: {i["name"] for i in found.get_indexes(t)} for t in NEW_INDEXES}


def sent_by(store: Store, ask: Any) -> list[tuple[str, Any]]:
    """The statements the program sends while `ask(session)` runs."""
    sent: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, _x: Any, _m: Any) -> None:
        sent.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        with store.session() as session:
            ask(session)
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    return sent


def plans(store: Store, sent: list[tuple[str, Any]], hiding: tuple[str, ...] = ()) -> str:
    """The plans of `sent`, with PostgreSQL told to prefer any index it may use (an empty table
    would otherwise be read whole): an index named here is one the statement can use.

    On PostgreSQL the indexes in `hiding` are dropped for the length of the rolled-back
    transaction, so that a rival the planner may cost lower on a small test table (its choice
    moves with what the statistics hold when the test runs) cannot hide the one asked about."""
    sqlite = store.engine.dialect.name == "sqlite"
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if not sqlite:
            cursor.execute("SET enable_seqscan = off")
            for name in hiding:
                cursor.execute(f"DROP INDEX {name}")
        lines = []
        for statement, params in sent:
            cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, params)
            lines += [str(row[-1]) for row in cursor.fetchall()]
        return "\n".join(lines)
    finally:
        raw.rollback()
        raw.close()


def test_my_to_do_list_and_its_count_use_the_index_of_waiting_approvals(store: Store) -> None:
    query = CaseQuery(view=View.MINE, me=SIGNER)
    rival = ("ix_approvals_case_id",)  # also serves the case's approvals, with no decision test
    listed = plans(store, sent_by(store, lambda s: case_ids(s, query, limit=50)), hiding=rival)
    assert "ix_approvals_waiting" in listed
    assert "ix_approvals_waiting" in plans(store, sent_by(store, counts), hiding=rival)


def counts(session: Any) -> None:
    view_counts(session, SIGNER, dt.date(2026, 12, 1), WorkCalendar())


def test_the_count_of_archived_cases_reads_the_archive_index(store: Store) -> None:
    # ix_cases_voided also serves `voided = false`; which of the two a 200-case table is read by
    # is the planner's guess of the moment (CI once chose the other).
    listed = plans(store, sent_by(store, counts), hiding=("ix_cases_voided",))
    assert "ix_cases_archived_at" in listed


def test_revision_0012_goes_down_and_up_again(store: Store) -> None:
    assert all(NEW_INDEXES[t] <= names for t, names in index_names(store).items())
    try:
        with store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), "0011")
        assert all(not (NEW_INDEXES[t] & names) for t, names in index_names(store).items())
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0011"
    finally:
        with store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    assert all(NEW_INDEXES[t] <= names for t, names in index_names(store).items())
