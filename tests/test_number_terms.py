"""Revision 0016: case numbers' search tokens in a table of their own, on every path that writes."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from cases.interchange import search_terms
from cases.query import caselist, search
from cases.query.caselist import CaseQuery, SortKey
from cases.sample import demo
from cases.storage import search_tokens, verify
from cases.storage import store as store_mod
from cases.storage.model import Case
from cases.storage.store import Store
from tests.test_search_received import demo_file, reference  # noqa: F401 (a fixture)

TODAY = dt.date(2025, 12, 31)
NUMBER_TRIGGERS = ("search_cases_ai", "search_cases_ad", "search_cases_au", "search_numbers_au")


def raw(store: Store, sql: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def master(path: Path | str) -> set[tuple[str, str, str, str]]:
    """The schema as SQLite stores it: every object's type, name, table and text."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master")
        return set(rows.fetchall())
    finally:
        db.close()


def at_0015(path: Path) -> Path:
    """A new file migrated from nothing to revision 0015."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(store_mod._alembic_config(conn), "0015")
    engine.dispose()
    return path


def number_tokens(store: Store) -> dict[int, set[str]]:
    """Each case's tokens in search_number_terms (fts5vocab), by id."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_numbers "
            "USING fts5vocab(main, search_number_terms, instance)"
        )
        found: dict[int, set[str]] = {}
        for term, doc in conn.exec_driver_sql("SELECT term, doc FROM temp.v_numbers"):
            found.setdefault(int(doc), set()).add(str(term))
        return found


def description_tokens(store: Store) -> dict[int, list[tuple[str, str, int]]]:
    """Each case's tokens in search_case_terms: (term, column, position), by id."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_texts "
            "USING fts5vocab(main, search_case_terms, instance)"
        )
        found: dict[int, list[tuple[str, str, int]]] = {}
        rows = conn.exec_driver_sql("SELECT term, doc, col, offset FROM temp.v_texts")
        for term, doc, col, offset in rows:
            found.setdefault(int(doc), []).append((str(term), str(col), int(offset)))
        return {doc: sorted(tokens) for doc, tokens in found.items()}


def spelt_numbers(store: Store) -> dict[int, set[str]]:
    """What the number tokens of each case should be, spelt in Python (the import's writer)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(Case.id, Case.no, Case.description)).all()
    spelt = {i: set(search_terms.number_terms(no, d)[0].lower().split()) for i, no, d in rows}
    return {i: tokens for i, tokens in spelt.items() if tokens}


def spelt_descriptions(store: Store) -> dict[int, list[tuple[str, str, int]]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(Case.id, Case.description)).all()
    found = {}
    for i, description in rows:
        uni, bi = search_terms.description_terms(description)
        tokens = [(t.lower(), "d_uni", n) for n, t in enumerate(uni.split())]
        tokens += [(t.lower(), "d_bi", n) for n, t in enumerate(bi.split())]
        if tokens:
            found[i] = sorted(tokens)
    return found


def open_ids(store: Store) -> list[int]:
    """The ids of the cases not archived (the demo archives its older closed cases)."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM cases WHERE archived_at IS NULL ORDER BY id"))
        return [r[0] for r in rows]


def searched(store: Store, terms: list[str]) -> dict[tuple[str, bool, int], list[int]]:
    with store.session() as session:
        return {
            (term, desc, limit): caselist.case_ids(
                session, CaseQuery(search=term, descending=desc), limit=limit
            )
            for term in terms
            for desc in (True, False)
            for limit in (50, 100)
        }


@pytest.fixture
def demo_store(store: Store) -> Store:
    with store.transaction() as session:
        demo.generate(session, 400, seed=3, today=TODAY)
    return store


def test_revision_0016_goes_down_to_0015s_schema_and_up_again(
    demo_store: Store, tmp_path: Path
) -> None:
    store = demo_store
    with store.session() as session:
        numbers = list(session.scalars(select(Case.no).order_by(Case.id)))
    terms = ["2024", "2025-0", "-00", numbers[7], numbers[-1][-4:], "申请", "镇", "0"]
    before = searched(store, terms)
    try:
        with store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), "0015")
        if store.is_sqlite:
            assert store.path is not None
            assert master(store.path) == master(at_0015(tmp_path / "fresh.sqlite"))
            # 0006's table is filled again: a number's piece found by its suffixes there.
            with store.engine.connect() as conn:
                hits = conn.exec_driver_sql(
                    "SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH ? "
                    "ORDER BY rowid",
                    (f'n_suf : "{numbers[7].encode().hex()}" *',),
                ).all()
            assert [h[0] for h in hits] == [8]
        else:  # PostgreSQL's tokens are 0006's at either revision, and read the same
            assert searched(store, terms) == before
        # A case written and one renumbered at the older revision, through its triggers.
        changed = open_ids(store)[0]
        raw(
            store,
            "UPDATE cases SET no = 'Z-2024-77', description = '旧版本改写' WHERE id = :id",
            id=changed,
        )
    finally:
        with store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    after = searched(store, [*terms, "Z-2024-77", "旧版本"])
    with store.session() as session:
        for term in [*terms, "Z-2024-77", "旧版本"]:
            for desc in (True, False):
                whole = reference(session, term, desc)
                for limit in (50, 100):
                    assert after[(term, desc, limit)] == whole[:limit], (term, desc, limit)
        assert verify.verify(session).ok
        assert search_tokens.kept(session) is store.is_sqlite
    if store.is_sqlite:
        assert number_tokens(store) == spelt_numbers(store)
        assert description_tokens(store) == spelt_descriptions(store)


def test_the_triggers_keep_both_tables_on_insert_change_delete_and_archive(
    sqlite_store: Store,
) -> None:
    store = sqlite_store
    with store.transaction() as session:
        demo.generate(session, 60, seed=4, today=TODAY)
    long_number = "沪崇府信公〔2025〕第0000123号" + "续" * 20  # longer than NUMBER_PIECE
    numbered, described, both, archived = open_ids(store)[:4]
    raw(store, "UPDATE cases SET no = :no WHERE id = :id", no=long_number, id=numbered)
    text_sql = "UPDATE cases SET description = 'Ａb长兴镇征收-2031-7号' WHERE id = :id"
    raw(store, text_sql, id=described)
    raw(store, "UPDATE cases SET no = 'N-1', description = '两者同时' WHERE id = :id", id=both)
    raw(store, "UPDATE cases SET archived_at = CURRENT_TIMESTAMP WHERE id = :id", id=archived)
    columns = [c.name for c in Case.__table__.c if c.name not in ("id", "no")]
    listed = ", ".join(columns)
    copied = f"INSERT INTO cases (no, {listed}) SELECT 'D-1', {listed} FROM cases WHERE id = :id"
    raw(store, copied, id=described)
    assert 61 in number_tokens(store) and 61 in description_tokens(store)
    raw(store, "DELETE FROM cases WHERE id = 61")
    assert number_tokens(store) == spelt_numbers(store)
    assert description_tokens(store) == spelt_descriptions(store)
    assert 61 not in number_tokens(store) and 61 not in description_tokens(store)
    with store.session() as session:
        for term in (long_number, long_number[:21], long_number[3:25], "2025〕第0000", "N-1"):
            hits = caselist.case_ids(session, CaseQuery(search=term, include_voided=True))
            assert hits == [numbered if term != "N-1" else both], term
        # Digits and hyphens of a description are pieces too: found as one token.
        for term in ("-2031-7", "2031", "31-"):
            hits = caselist.case_ids(session, CaseQuery(search=term, include_voided=True))
            assert described in hits and hits == reference(session, term, True), term
        assert verify.verify(session).ok
    # An archived case's number stays as it was, and so do its tokens.
    with pytest.raises(Exception, match="已归档的案件不可修改"):
        raw(store, "UPDATE cases SET no = 'X-1' WHERE id = :id", id=archived)
    assert number_tokens(store) == spelt_numbers(store)


@pytest.mark.parametrize(
    ("dropped", "change"),
    [
        ("search_cases_ai", "INSERT"),
        ("search_numbers_au", "UPDATE cases SET no = 'Q-2025-1' WHERE id = :id"),
        ("search_cases_au", "UPDATE cases SET description = '改过的请求' WHERE id = :id"),
    ],
)
def test_verify_names_a_case_whose_tokens_are_missing(
    sqlite_store: Store, dropped: str, change: str
) -> None:
    store = sqlite_store
    with store.transaction() as session:
        demo.generate(session, 30, seed=6, today=TODAY)
        assert verify.verify(session).ok
    target = open_ids(store)[0]
    raw(store, f"DROP TRIGGER {dropped}")
    if change == "INSERT":
        columns = [c.name for c in Case.__table__.c if c.name not in ("id", "no")]
        listed = ", ".join(columns)
        raw(
            store,
            f"INSERT INTO cases (no, {listed}) SELECT 'Q-2025-2', {listed} FROM cases WHERE id = 4",
        )
    else:
        raw(store, change, id=target)
    with store.session() as session:
        found = verify.verify(session)
    assert not found.ok
    finding = found.findings[0]
    assert finding.kind == "search_tokens" and "检索索引缺 1 件" in finding.message
    assert finding.id == (31 if change == "INSERT" else target)


def test_number_pieces_list_as_the_plain_filter_both_ways_at_50_and_100(
    demo_file: Store,  # noqa: F811 (the fixture imported above)
) -> None:
    with demo_file.session() as session:
        numbers = list(session.scalars(select(Case.no).order_by(Case.id)))
        years = sorted({n[:4] for n in numbers if n[:2] == "20"})
        terms = [*years, *(f"{y}-0" for y in years), *(f"{y}-00" for y in years)]
        terms += [f"{years[-2]}-001", "-0", "-", "0", "9", numbers[100], numbers[-5][3:]]
        for term in terms:
            for desc in (True, False):
                whole = reference(session, term, desc)
                for limit in (50, 100):
                    query = CaseQuery(search=term, descending=desc)
                    got = caselist.case_ids(session, query, limit=limit)
                    assert got == whole[:limit], (term, desc, limit)
                for key in (SortKey.NO, SortKey.STATUS, SortKey.APPLICANT):
                    query = CaseQuery(search=term, sort=key, descending=desc)
                    full = caselist.case_ids(session, query)
                    assert sorted(full) == sorted(whole), (term, key)
                    assert caselist.case_ids(session, query, limit=50) == full[:50]
        # search.fts5_number_query reads a piece as one token and a longer term as a prefix.
        assert search.fts5_number_query("2024").endswith('"')
        assert search.fts5_number_query("1" * (search.NUMBER_PIECE + 1)).endswith("*")
