"""Revision 0016 attacked: odd case numbers through the actions, copies, imports and damage."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from cases import actions
from cases.actions import imports
from cases.interchange import bulk, exchange
from cases.rules.handbook import RoleId
from cases.sample import demo
from cases.storage import dbcopy, verify
from cases.storage import store as store_mod
from cases.storage.model import Case, User
from cases.storage.store import Store, open_store
from tests.actions_support import DAY0, Desk
from tests.test_number_terms import (
    TODAY,
    description_tokens,
    number_tokens,
    open_ids,
    raw,
    searched,
    spelt_descriptions,
)
from tests.test_number_terms import spelt_numbers as spelt
from tests.test_search_received import reference

# Numbers a desk may type: Chinese, full-width digits, letters in both cases, 〔〕, spaces, and
# numbers of 20, 21 and 64 characters (the column's width), around revision 0016's NUMBER_PIECE.
ODD_NUMBERS = [
    "沪崇府信公〔2025〕第12号",
    "２０２５－００１２",
    "AbC-2025-xY",
    "ab c 2025 07",
    "T" * 20,
    "Q" + "2025-0001" * 2 + "ZZ",  # 21
    "长兴镇" + "〔2025〕" * 10 + "号",  # 64
]
USER = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)


def pieces_of(numbers: list[str]) -> list[str]:
    """Each number whole, its prefix, middle and end, its upper and lower spelling, a piece of
    20 and of 21 characters where it has them, and a term longer than any number."""
    terms = {"〔", "〕", "２", "ab", "AB", " ", "c 2", "2025", "Q2025", "x" * 65, "乙丙丁"}
    for no in numbers:
        terms |= {no, no[:3], no[1:-1], no[-3:], no.upper(), no.lower(), no[: len(no) // 2]}
        if len(no) >= 21:
            terms |= {no[:20], no[-20:], no[:21], no[-21:], no[1:22]}
    return sorted({t.strip() for t in terms} - {""})


def same_as_plain(store: Store, terms: list[str]) -> None:
    """Every term's first screens at 50 and 100, both ways, are the plain filter's."""
    got = searched(store, terms)
    with store.session() as session:
        for (term, desc, limit), ids in got.items():
            assert ids == reference(session, term, desc)[:limit], (term, desc, limit)


def tokens_as_spelt(store: Store) -> None:
    """SQLite: both token tables hold exactly what the import's writer spells for each case."""
    if store.is_sqlite:
        assert number_tokens(store) == spelt(store)
        assert description_tokens(store) == spelt_descriptions(store)
        with store.session() as session:
            assert verify.verify(session).ok


def odd_desk(store: Store) -> tuple[Desk, dict[str, int]]:
    """A desk's cases with odd numbers, registered, split, voided, closed and archived."""
    desk = Desk.open(store)
    numbered = [desk.register(no=n, description=f"第{i}件申请") for i, n in enumerate(ODD_NUMBERS)]
    plain = [desk.register(description=d) for d in ("长兴镇征收补偿", "A", "Ｂ")]
    desk.do(actions.split, desk.handler, numbered[0], ["留在本案", "拆出的一项", "再拆一项"])
    desk.do(actions.void, desk.reviewer, plain[2], reason="重复登记")
    desk.to_handle(numbered[2])
    served = DAY0 + dt.timedelta(days=10)
    desk.close(numbered[2], "disclose_public", ["website"], served, served)
    with store.session() as session:
        ids = {no: i for no, i in session.execute(select(Case.no, Case.id))}
    return desk, ids


def test_odd_numbers_through_the_actions_are_found_as_the_plain_filter_finds_them(
    store: Store,
) -> None:
    _, ids = odd_desk(store)
    assert f"{ODD_NUMBERS[0]}-3" in ids  # the split's
    terms = pieces_of(list(ids))
    same_as_plain(store, terms)
    tokens_as_spelt(store)
    # Corrected by hand: the number and the description of an open case, the description
    # emptied; the archived case refuses both and keeps its tokens.
    opened, archived = ids[ODD_NUMBERS[3]], ids[ODD_NUMBERS[2]]
    raw(store, "UPDATE cases SET no = :no WHERE id = :id", no="ＡＢ〔2026〕 7号", id=opened)
    raw(store, "UPDATE cases SET description = '' WHERE id = :id", id=ids[ODD_NUMBERS[4]])
    for change in ("no = 'X'", "description = 'X'"):
        with pytest.raises(DBAPIError, match="已归档的案件不可修改"):
            raw(store, f"UPDATE cases SET {change} WHERE id = :id", id=archived)
    same_as_plain(store, [*terms, "ＡＢ〔2026〕 7号", "〕 7", "第4件"])
    tokens_as_spelt(store)


def test_odd_numbers_keep_their_tokens_through_db_copy_both_ways(
    store: Store, sqlite_template: Path, tmp_path: Path
) -> None:
    """SQLite → the backend under test → a new SQLite file."""
    source = open_store(tmp_path / "source.sqlite")
    try:
        _, ids = odd_desk(source)
        assert dbcopy.copy_database(source, store).ok
        back = open_store(tmp_path / "back.sqlite")
        try:
            assert dbcopy.copy_database(store, back).ok
            terms = pieces_of(list(ids))
            for copied in (store, back):
                same_as_plain(copied, terms)
                tokens_as_spelt(copied)
        finally:
            back.close()
    finally:
        source.close()


@pytest.mark.parametrize("way", ["per_row", "bulk", "staged"])
def test_an_import_of_odd_numbers_writes_the_triggers_tokens(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    source = open_store(tmp_path / "source.sqlite")
    try:
        _, ids = odd_desk(source)
        # The void action leaves voided_on empty, which the import refuses (a test of its own).
        raw(source, "UPDATE cases SET voided_on = '2025-03-04' WHERE voided")
        with source.session() as session:
            exchange.export_jsonl(session, tmp_path / "cases.jsonl")
    finally:
        source.close()
    monkeypatch.setattr(bulk, "THROUGH_DRIVER", way != "per_row")
    if way == "staged":
        imports.import_file_in_steps(sqlite_store, USER, tmp_path / "cases.jsonl")
    else:
        rows = exchange.read_jsonl(tmp_path / "cases.jsonl")
        with sqlite_store.transaction() as session:
            exchange.import_rows(session, rows, "张三")
    same_as_plain(sqlite_store, pieces_of(list(ids)))
    tokens_as_spelt(sqlite_store)


def test_verify_names_a_case_whose_number_tokens_were_damaged(sqlite_store: Store) -> None:
    store = sqlite_store
    _, ids = odd_desk(store)
    target = ids[ODD_NUMBERS[5]]  # 21 characters: its whole number is a suffix token
    whole = ODD_NUMBERS[5].lower().encode().hex()
    raw(
        store,
        "INSERT INTO search_number_terms(search_number_terms, rowid, pieces) "
        "VALUES ('delete', :id, :token)",
        id=target,
        token=whole,
    )
    with store.session() as session:
        found = verify.verify(session)
    assert not found.ok
    assert [f.id for f in found.findings if f.kind == "search_tokens"] == [target]
    assert ODD_NUMBERS[5] in found.findings[-1].message
    # Every token of a case's number gone, as a trigger dropped before a delete and back.
    other = ids[ODD_NUMBERS[1]]
    raw(store, "INSERT INTO search_number_terms(search_number_terms) VALUES ('delete-all')")
    with store.session() as session:
        found = verify.verify(session)
    assert not found.ok and "检索索引缺" in found.findings[-1].message
    assert found.findings[-1].id == min(ids.values())
    assert other in ids.values()
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == len(ids)


# Descriptions put on the demo's cases of odd numbers, by the number's place in ODD_NUMBERS:
# empty, longer than search_positions' last row (cut to 60 below) with the cut inside a letter
# and a run of digits, one character, and a run of 70 digits that no shift repeats across it.
ODD_DESCRIPTIONS = {0: "", 1: "Ａb长兴镇〔2025〕" * 7, 2: "x", 3: "第" + str(7**83) + "号"}


def test_the_upgrades_fill_spells_the_tokens_the_triggers_sql_spells(
    sqlite_store: Store,
) -> None:
    """Revision 0016 fills both tables in Python: token for token (and position in the
    descriptions' table) what its triggers' SQL writes for the same cases, each read back after
    the fill on a demo whose texts cross search_positions' last row."""
    store = sqlite_store
    with store.transaction() as session:
        demo.generate(session, 2000, seed=8, today=TODAY)
    columns = ", ".join(c.name for c in Case.__table__.c if c.name not in ("id", "no"))
    first = open_ids(store)[0]
    for n, no in enumerate(ODD_NUMBERS):
        raw(
            store,
            f"INSERT INTO cases (no, {columns}) SELECT :no, {columns} FROM cases WHERE id = :id",
            no=no,
            id=first,
        )
        if n in ODD_DESCRIPTIONS:
            raw(
                store,
                "UPDATE cases SET description = :d WHERE no = :no",
                d=ODD_DESCRIPTIONS[n],
                no=no,
            )
    with store.engine.begin() as conn:
        command.downgrade(store_mod._alembic_config(conn), "0015")
    # The triggers' SQL spells a text up to search_positions' last row (100,000: SQLite's substr
    # walks a text from its start, so a text that long would cost minutes here); 60 rows, for
    # the cut to fall inside the demo's descriptions, the longest number and the run of digits.
    raw(store, "DELETE FROM search_positions WHERE n > 60")
    with store.engine.begin() as conn:
        # This revision by name: the fill is compared with its own SQL, whatever follows it.
        command.upgrade(store_mod._alembic_config(conn), "0016")
    by_python = number_tokens(store), description_tokens(store)
    assert len(by_python[0]) == len(by_python[1]) + 1 == 2000 + len(ODD_NUMBERS)  # one empty
    revision = import_module("cases.storage.migrations.versions.0016_number_terms")
    with store.engine.begin() as conn:
        for table in ("search_case_terms", "search_number_terms"):
            conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
        conn.exec_driver_sql(
            f"INSERT INTO search_case_terms(rowid, {revision.DESCRIPTION_COLUMNS}) "
            f"SELECT c.id, {revision._description_values('c')} FROM cases AS c ORDER BY c.id"
        )
        conn.exec_driver_sql(
            "INSERT INTO search_number_terms(rowid, pieces) "
            f"SELECT c.id, {revision._pieces('c')} FROM cases AS c ORDER BY c.id"
        )
    assert (number_tokens(store), description_tokens(store)) == by_python
