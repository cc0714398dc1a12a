"""Locks never turn success into failure: a waiting writer says so; statistics give way."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from cases.errors import Refused
from cases.storage import audit
from cases.storage import store as store_mod
from cases.storage.model import Case
from cases.storage.store import Store
from tests.test_store import add_case


def hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another desk's writer in the middle of its transaction (an import, say)."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_statistics_give_way_to_another_writer_and_the_commit_stands(
    sqlite_store: Store,
) -> None:
    with sqlite_store.transaction() as session:
        add_case(session, "A-1")
    assert sqlite_store.path is not None
    other = hold_write_lock(sqlite_store.path)
    try:
        assert sqlite_store.analyze() is False  # no exception: the import already succeeded
    finally:
        other.execute("ROLLBACK")
        other.close()
    with sqlite_store.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 1
    assert sqlite_store.analyze() is True


def test_a_writer_that_waits_says_so_in_one_line_and_then_writes(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(store_mod, "wait_notice", said.append)
    assert sqlite_store.path is not None
    other = hold_write_lock(sqlite_store.path)

    def release() -> None:
        time.sleep(0.6)
        other.execute("COMMIT")

    thread = threading.Thread(target=release)
    thread.start()
    try:
        with sqlite_store.transaction() as session:
            add_case(session, "B-1")
    finally:
        thread.join()
        other.close()
    assert len(said) == 1 and "\n" not in said[0] and "等待" in said[0]
    with sqlite_store.session() as session:
        assert session.scalar(select(Case.no)) == "B-1"


def test_a_writer_that_cannot_get_the_lock_is_refused_in_one_line(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "wait_notice", lambda _line: None)
    monkeypatch.setattr(store_mod, "SQLITE_BUSY_MS", 400)
    assert sqlite_store.path is not None
    other = hold_write_lock(sqlite_store.path)
    try:
        with (
            pytest.raises(Refused, match="本次操作未写入") as info,
            sqlite_store.transaction() as session,
        ):
            add_case(session, "C-1")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert isinstance(info.value, store_mod.DatabaseBusy)
    with sqlite_store.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 0


def test_a_quick_writer_takes_the_lock_without_a_word(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(store_mod, "wait_notice", said.append)
    with sqlite_store.transaction() as session:
        add_case(session, "D-1")
    assert said == []


def _hold_chain_lock(store: Store) -> Any:
    """Another desk in the middle of writing its audit records on the server."""
    holder = store.engine.connect()
    holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": audit.CHAIN_LOCK})
    holder.commit()
    return holder


def _release_chain_lock(holder: Any) -> None:
    holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": audit.CHAIN_LOCK})
    holder.commit()
    holder.close()


def test_a_server_writer_that_waits_says_so_once_and_then_writes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.is_sqlite:
        pytest.skip("the server's lock waits; SQLite's are above")
    said: list[str] = []
    monkeypatch.setattr(store_mod, "wait_notice", said.append)
    monkeypatch.setattr(store_mod, "SERVER_QUICK_MS", 300)
    holder = _hold_chain_lock(store)
    release = threading.Timer(1.5, _release_chain_lock, args=(holder,))
    release.start()
    try:
        with store.transaction() as session:
            add_case(session, "PG-1")
            audit.record(session, None, "张三", "register")  # waits for the chain's lock
    finally:
        release.join()
    assert len(said) == 1 and "等待" in said[0] and "\n" not in said[0]
    with store.session() as session:
        assert session.scalar(select(Case.no)) == "PG-1"


def test_a_server_writer_that_cannot_get_the_lock_is_refused_in_one_line(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.is_sqlite:
        pytest.skip("the server's lock waits; SQLite's are above")
    monkeypatch.setattr(store_mod, "wait_notice", lambda _line: None)
    monkeypatch.setattr(store_mod, "SQLITE_BUSY_MS", 400)
    holder = _hold_chain_lock(store)
    try:
        with (
            pytest.raises(Refused, match="本次操作未写入") as info,
            store.transaction() as session,
        ):
            add_case(session, "PG-2")
            audit.record(session, None, "张三", "register")
    finally:
        _release_chain_lock(holder)
    assert isinstance(info.value, store_mod.DatabaseBusy)
    with store.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 0
