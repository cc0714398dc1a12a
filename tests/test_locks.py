"""Locks never turn success into failure: a waiting writer says so; statistics give way."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cases.errors import Refused
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
