"""A searched list by date on PostgreSQL, drawn from the term's matches and their dates, is the
plain filter's list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, select, text

from cases.query import caselist, search
from cases.query.caselist import CaseQuery, SortKey
from cases.storage.model import Base, Case
from cases.storage.store import Store, open_store
from tests.test_search_received import (
    LATE,
    OLD,
    TODAY,
    fill_demo,
    reference,
    served_by,
    terms_of,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_demo(pg_migrated: str) -> Iterator[Store]:
    """The demo of test_search_received.fill_demo on the PostgreSQL test database."""
    opened = open_store(pg_migrated)
    names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with opened.engine.begin() as conn:
        # As the store fixture empties it: replica mode skips the audit trail's protection.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    with opened.transaction() as session:
        fill_demo(session)
    yield opened
    opened.close()


# As shipped, and with a single candidate for each row of a screen (a voided case or a filter
# among the first matches leaves the screen short: every match is then tested).
REGIMES: dict[str, dict[str, int]] = {
    "as shipped": {},
    "one candidate a row": {"_HIT_CANDIDATES": 1},
}


@pytest.mark.parametrize("regime", list(REGIMES))
def test_every_first_screen_by_date_is_the_start_of_the_plain_list(
    pg_demo: Store, regime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in REGIMES[regime].items():
        monkeypatch.setattr(caselist, name, value)
    served = served_by(monkeypatch, "_received_from_hits")
    with pg_demo.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        terms = [*terms_of(session), *(f"{y}-0" for y in years[:-1]), LATE, OLD, "沪规建"]
        department = session.scalar(select(Case.department).where(Case.department.is_not(None)))
        for term in terms:
            for desc in (True, False):
                base = CaseQuery(search=term, descending=desc)
                full = caselist.case_ids(session, base)
                assert full == reference(session, term, desc), term
                queries = [base, replace(base, year=TODAY.year - 1)]
                if regime == "as shipped":
                    queries += [
                        replace(base, include_voided=True),
                        replace(base, status="closed"),
                        replace(base, department=department),
                    ]
                for query in queries:
                    whole = full if query is base else caselist.case_ids(session, query)
                    for limit in (1, 100) if regime == "as shipped" else (50,):
                        got = caselist.case_ids(session, query, limit=limit)
                        assert got == whole[:limit], (term, desc, query, limit)
    assert sum(served) > 40  # the matches and their dates served screens


def test_every_read_of_the_search_tokens_is_made_by_their_index(pg_demo: Store) -> None:
    # The planner would rather compute every row's tokens for a term it expects in most cases
    # (search.by_index): each statement that asks the tokens is sent with that way shut.
    shut = False
    unguarded: list[str] = []
    asked = 0

    def keep(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        nonlocal shut, asked
        if statement.startswith("SET LOCAL enable_seqscan = off"):
            shut = True
        elif statement.startswith("RESET enable_seqscan"):
            shut = False
        elif "@@" in statement:
            asked += 1
            if not shut:
                unguarded.append(statement)

    event.listen(pg_demo.engine, "before_cursor_execute", keep)
    try:
        with pg_demo.session() as session:
            for term in ("20", "申请", "公开", "2", "张", "2025-0", LATE, "沪规建"):
                for base in (CaseQuery(), CaseQuery(sort=SortKey.STATUS), CaseQuery(year=2025)):
                    query = replace(base, search=term)
                    whole = caselist.case_ids(session, query)
                    assert caselist.case_ids(session, query, limit=50) == whole[:50]
                    assert not shut  # and the session's setting is back after each
    finally:
        event.remove(pg_demo.engine, "before_cursor_execute", keep)
    assert asked > 20 and not unguarded


def test_a_failed_read_by_the_index_keeps_its_own_error(pg_demo: Store) -> None:
    import psycopg
    from sqlalchemy.exc import DBAPIError

    with pg_demo.session() as session:
        connection = session.connection()
        with pytest.raises(DBAPIError) as failed, search.by_index(connection):
            connection.exec_driver_sql("SELECT 1 / 0")
        # The division's error, not the aborted transaction's from a reset sent after it.
        assert isinstance(failed.value.orig, psycopg.errors.DivisionByZero)
        session.rollback()
        shown = session.connection().exec_driver_sql("SHOW enable_seqscan").scalar()
        assert shown == "on"  # the rollback ended the setting


# The short walks cut down so that most terms reach the matches' read, as the numeric terms of a
# large archive do (2021, -00, 2026, 2023 lie thick only far from the list's start there), and
# the dense stretch of the list's end made the demo's size, so that its walk is tried here too.
DENSE: dict[str, dict[str, Any]] = {
    "matches read whole": {"_WALKS": (2, 4)},
    "dense stretch walked": {
        "_WALKS": (2, 4),
        "_DENSE_STRETCH": 600,
        "_DENSE_SAMPLE": 60,
        "_DENSE_HITS": 2,
    },
}


@pytest.mark.parametrize("regime", list(DENSE))
def test_numeric_terms_far_from_the_start_give_the_plain_list(
    pg_demo: Store, regime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in DENSE[regime].items():
        monkeypatch.setattr(caselist, name, value)
    walked = served_by(monkeypatch, "_walk_dense_stretch")
    read = served_by(monkeypatch, "_received_from_hits")
    with pg_demo.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        terms = ["2021", "-00", "2026", "2023", "-0", "0", *years, "镇", LATE, OLD]
        for term in terms:
            for desc in (True, False):
                full = reference(session, term, desc)
                assert caselist.case_ids(session, CaseQuery(search=term, descending=desc)) == full
                for limit in (50, 100):
                    query = CaseQuery(search=term, descending=desc)
                    got = caselist.case_ids(session, query, limit=limit)
                    assert got == full[:limit], (term, desc, limit)
    assert sum(read) > 20
    if regime == "dense stretch walked":
        assert any(walked) and not all(walked)  # the walk served screens, and fell short
