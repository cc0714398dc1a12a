"""Revision 0013 (a year's list reads an index led by the year) and 申请人类型's walks, on demos."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import replace
from typing import Any

import pytest
from alembic import command
from sqlalchemy import case, func, inspect, select, text

from cases.query import caselist
from cases.query.caselist import CaseQuery, SortKey, View, case_ids
from cases.rules import vocab
from cases.sample import demo
from cases.storage import store as store_mod
from cases.storage.model import YEAR_INDEXES, Applicant, Case
from cases.storage.store import Store
from tests.test_list_indexes import plans, sent_by

TODAY = dt.date(2026, 11, 20)
YEARS = (2023, 2024, 2025, 2026)


@pytest.fixture
def demo_store(store: Store) -> Store:
    """Some thousands of demo cases over four years, their statistics gathered as `demo` does."""
    with store.transaction() as session:
        demo.generate(session, 2_400, seed=13, years=YEARS, today=TODAY)
    assert store.analyze()
    return store


def year_index_names(store: Store) -> set[str]:
    with store.engine.connect() as conn, warnings.catch_warnings():
        if store.is_sqlite:  # SQLAlchemy does not read an index on an expression from SQLite
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
            return {r[0] for r in rows} & set(YEAR_INDEXES)
        return {i["name"] for i in inspect(conn).get_indexes("cases")} & set(YEAR_INDEXES)


def screens(store: Store, queries: list[CaseQuery]) -> list[tuple[list[int], list[int]]]:
    """Each query's full list and first screen of 50, as the window asks for them."""
    with store.session() as session:
        return [
            (case_ids(session, q, today=TODAY), case_ids(session, q, limit=50, today=TODAY))
            for q in queries
        ]


def year_queries() -> list[CaseQuery]:
    found = []
    for key in SortKey:
        for desc in (False, True):
            base = CaseQuery(sort=key, descending=desc)
            found += [replace(base, year=y) for y in (*YEARS, 2019)]  # 2019: no case at all
            found += [
                replace(base, view=View.THIS_YEAR),
                replace(base, year=2026, status="open"),
                replace(base, year=2025, status="closed", department="区住房保障房屋管理局"),
                replace(base, year=2024, include_voided=True),
            ]
    return found


def test_a_years_screens_are_those_of_the_date_range_on_demo_cases(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year as the indexes hold it gives the same ids in the same order as the range of
    dates it replaces (which the list used before revision 0013), for every sort either way,
    every year, the quick view of this year, and the year beside other filters."""
    queries = year_queries()
    with demo_store.session() as session:
        in_years = session.execute(
            select(func.count()).where(Case.received.between(dt.date(2023, 1, 1), TODAY))
        ).scalar_one()
        assert in_years == 2_400
    indexed = screens(demo_store, queries)
    monkeypatch.setattr(caselist, "_YEAR_INDEXED", frozenset())
    by_range = screens(demo_store, queries)
    for query, new, old in zip(queries, indexed, by_range, strict=True):
        assert new == old, query
        assert new[1] == new[0][:50]
    assert sum(1 for full, _ in indexed if len(full) > 50) >= len(queries) // 2


def test_a_years_first_screen_reads_the_index_of_its_sort(demo_store: Store) -> None:
    wanted = {
        SortKey.NO: "ix_cases_year_no",
        SortKey.STATUS: "ix_cases_year_status_due",
        SortKey.REMAINING: "ix_cases_year_status_due",
        SortKey.DUE: "ix_cases_year_due",
        SortKey.DEPARTMENT: "ix_cases_year_department",
        SortKey.OUTCOME: "ix_cases_year_outcome",
        SortKey.HANDLER: "ix_cases_year_handler",
    }
    assert set(wanted) == caselist._YEAR_INDEXED
    for key, index in wanted.items():
        for desc in (False, True):
            query = CaseQuery(sort=key, descending=desc, year=2025)
            sent = sent_by(demo_store, lambda s, q=query: case_ids(s, q, limit=50, today=TODAY))
            # Every segment's statement (of a status, of the empty values): a segment of a few
            # rows may be found another way, the year's many rows only through its index.
            listed = [s for s in sent if "ORDER BY" in s[0]]
            assert index in plans(demo_store, listed), (key, desc)


def test_revision_0013_goes_down_and_up_again_with_cases(demo_store: Store) -> None:
    """Down and up again on a file of cases: the indexes go and come back, the lists stay the
    same, and a file with the planner's statistics has them for the new indexes too."""
    query = CaseQuery(sort=SortKey.DUE, year=2025)
    before = screens(demo_store, [query])
    assert year_index_names(demo_store) == set(YEAR_INDEXES)
    try:
        with demo_store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), "0012")
        assert year_index_names(demo_store) == set()
        with demo_store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0012"
        assert screens(demo_store, [query]) == before  # the same list, only slower
    finally:
        with demo_store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    assert year_index_names(demo_store) == set(YEAR_INDEXES)
    assert screens(demo_store, [query]) == before
    if demo_store.is_sqlite:  # PostgreSQL analyzes the table; SQLite keeps a row per index
        with demo_store.engine.connect() as conn:
            rows: Any = conn.execute(text("SELECT idx, stat FROM sqlite_stat1")).all()
        stats = {idx: stat for idx, stat in rows}
        assert all(stats[name].startswith("2400 ") for name in YEAR_INDEXES)


@pytest.mark.parametrize("year", [None, 2025], ids=["all years", "2025"])
def test_applicant_type_screens_are_those_of_the_applicants_types_on_demo_cases(
    demo_store: Store, year: int | None
) -> None:
    """申请人类型 either way reads the type each case keeps (revision 0015): the first screen,
    a longer one that runs into the rarer types, and the full list give the ids of the order
    spelt from the applicants' own types, as the list asked for it before."""
    values = list(vocab.APPLICANT_TYPES)
    with demo_store.session() as session:
        for desc in (False, True):
            order = list(reversed(values)) if desc else values
            rank = case(*[(Applicant.type == v, n) for n, v in enumerate(order)], else_=len(order))
            spelt = (
                select(Case.id)
                .join(Applicant, Applicant.id == Case.applicant_id)
                .where(Case.voided.is_not(True))
                .order_by(rank, Case.received.desc(), Case.id.desc())
            )
            if year is not None:
                spelt = spelt.where(
                    Case.received.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
                )
            expected = list(session.scalars(spelt))
            kinds = session.scalars(
                select(Applicant.type)
                .join(Case, Case.applicant_id == Applicant.id)
                .where(Case.id.in_(expected[:2_000]))
                .distinct()
            )
            assert len(set(kinds)) >= 2  # the longer screen runs into the next type
            query = CaseQuery(sort=SortKey.APPLICANT_TYPE, descending=desc, year=year)
            assert case_ids(session, query, today=TODAY) == expected
            for limit in (50, 2_000):
                assert case_ids(session, query, limit=limit, today=TODAY) == expected[:limit]
