"""The first screens read ahead in idle moments: after the paint, in order, faults only logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from cases.query import caselist
from cases.query.caselist import CaseQuery, SortKey, View
from cases.storage.store import Store
from gui import mainwindow
from gui.casemodel import COLUMNS
from gui.mainwindow import DETAIL_JOB, WARMUP_JOB, MainWindow
from gui.warmup import Warmup
from tests.gui.conftest import TODAY, fill_demo


class _Owner(QObject):
    """A parent for a Warmup under test, and whether it may run now."""

    def __init__(self) -> None:
        super().__init__()
        self.idle = True


def test_jobs_run_one_a_slice_in_order_and_only_while_idle(qtbot: QtBot) -> None:
    owner = _Owner()
    ran: list[str] = []
    warmup = Warmup(lambda: owner.idle, tick_ms=1, parent=owner)
    warmup.later([("b", lambda: ran.append("b")), ("c", lambda: ran.append("c"))])
    warmup.first([("a", lambda: ran.append("a")), ("c", lambda: ran.append("c!"))])
    assert warmup.waiting() == ["a", "c", "b"]  # put first, in their order; c moved ahead
    owner.idle = False
    assert not warmup.run_one() and ran == []
    owner.idle = True
    assert warmup.run_one() and ran == ["a"]  # one job a slice
    qtbot.waitUntil(lambda: not warmup.waiting())
    assert ran == ["a", "c!", "b"]
    # A key that ran, or that the user asked for, is not queued again.
    warmup.done("d")
    warmup.later([("a", lambda: ran.append("again")), ("d", lambda: ran.append("d"))])
    assert warmup.waiting() == []


def test_a_fault_in_a_job_is_logged_and_the_next_one_runs(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    owner = _Owner()
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("磁盘读取失败")

    warmup = Warmup(lambda: True, tick_ms=1, parent=owner)
    with caplog.at_level(logging.WARNING, logger="gui.warmup"):
        warmup.later([("broken", broken), ("next", lambda: ran.append("next"))])
        qtbot.waitUntil(lambda: ran == ["next"])
    assert warmup.failures == 1
    (record,) = caplog.records
    assert "broken" in record.getMessage() and record.exc_info is not None
    assert "磁盘读取失败" in str(record.exc_info[1])


def test_stop_drops_what_waits(qtbot: QtBot) -> None:
    owner = _Owner()
    ran: list[str] = []
    warmup = Warmup(lambda: True, tick_ms=1, parent=owner)
    warmup.later([("a", lambda: ran.append("a"))])
    warmup.stop()
    qtbot.wait(20)
    assert ran == [] and warmup.waiting() == []


@contextmanager
def statements_sent(store: Store) -> Iterator[list[Any]]:
    """Whether each statement sent meanwhile was found compiled in SQLAlchemy's cache."""
    seen: list[Any] = []

    def note(*args: Any) -> None:
        context = args[4]
        seen.append(context.cache_hit)

    engine = store.engine
    event.listen(engine, "after_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", note)


def _window(store: Store, qtbot: QtBot) -> MainWindow:
    window = MainWindow(store, today=lambda: TODAY)
    qtbot.addWidget(window)
    return window


def test_the_reading_ahead_waits_for_the_paint_and_follows_the_case_view(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    fill_demo(sqlite_store, 300)
    window = _window(sqlite_store, qtbot)
    assert window.warmup.waiting() == []  # planned after the paint, not before it
    assert window.after_paint.pending(WARMUP_JOB)
    order: list[str] = []
    show_case = window.detail.show_case

    def shown(case_id: int | None) -> None:
        order.append("case view")
        show_case(case_id)

    window.detail.show_case = shown  # type: ignore[method-assign]
    prepared: list[CaseQuery] = []
    model_prepare = window.model.prepare

    def noted(query: CaseQuery) -> None:
        order.append("read ahead")
        prepared.append(query)
        model_prepare(query)

    window.model.prepare = noted  # type: ignore[method-assign]
    window.show()
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    start = window.model.query
    sorts = [
        replace(start, sort=c.sort, descending=d)
        for c in COLUMNS
        if c.sort is not None
        for d in (False, True)
        if (c.sort, d) != (start.sort, start.descending)
    ]
    planned = prepared + window.warmup.waiting()  # a slice or two may have run meanwhile
    assert planned[: len(sorts)] == sorts  # the headers first, in their order
    later = planned[len(sorts) :]
    assert replace(start, view=View.WARNED) in later
    assert replace(start, status="open") in later
    assert any(q.search for q in later)
    qtbot.waitUntil(lambda: not window.warmup.waiting(), timeout=60_000)
    assert order[0] == "case view" and set(order[1:]) == {"read ahead"}
    assert prepared[: len(sorts)] == sorts and start not in prepared
    assert window.warmup.failures == 0 and window.last_message == ""
    window.model.wait()


def _other_sorts(query: CaseQuery) -> list[CaseQuery]:
    """The list's first screen by every other sort, in the order of the headers."""
    return [
        replace(query, sort=c.sort, descending=d)
        for c in COLUMNS
        if c.sort is not None
        for d in (False, True)
        if (c.sort, d) != (query.sort, query.descending)
    ]


def test_a_budget_runs_that_many_jobs_and_then_takes_no_more(qtbot: QtBot) -> None:
    owner = _Owner()
    ran: list[str] = []
    warmup = Warmup(lambda: True, tick_ms=1, budget=3, parent=owner)
    warmup.later((k, lambda k=k: ran.append(k)) for k in "ab")  # type: ignore[misc]
    qtbot.waitUntil(lambda: not warmup.waiting())
    assert ran == ["a", "b"] and warmup.left == 1
    warmup.only((k, lambda k=k: ran.append(k)) for k in "cde")  # type: ignore[misc]
    assert warmup.waiting() == ["c", "d", "e"]
    qtbot.waitUntil(lambda: not warmup.waiting())
    assert ran == ["a", "b", "c"] and warmup.left == 0  # d and e were dropped with the budget
    warmup.first([("f", lambda: ran.append("f"))])
    warmup.later([("g", lambda: ran.append("g"))])
    assert warmup.waiting() == []


@pytest.mark.postgres
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_on_a_shared_server_only_the_sorts_of_the_list_shown_are_read_ahead_within_a_budget(
    store: Store, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No quick view, filter or search; a list left behind drops its sorts; then nothing."""
    monkeypatch.setattr(mainwindow, "SERVER_READ_AHEAD", 30)  # spent within three lists
    fill_demo(store, 300)
    window = _window(store, qtbot)
    prepared: list[CaseQuery] = []
    model_prepare = window.model.prepare

    def noted(query: CaseQuery) -> None:
        prepared.append(query)
        model_prepare(query)

    window.model.prepare = noted  # type: ignore[method-assign]
    window.show()
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    start = window.model.query
    assert prepared + window.warmup.waiting() == _other_sorts(start)

    def show(query: CaseQuery) -> None:
        window.model.set_query(query)
        qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)
        qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
        qtbot.waitUntil(lambda: not window.warmup.waiting(), timeout=60_000)

    ran_before = len(prepared)  # a slice or two may have run already
    assert ran_before < len(_other_sorts(start))
    moved = replace(start, status="open")
    show(moved)
    assert prepared[ran_before:] == _other_sorts(moved)  # the start list's other sorts dropped
    assert window.warmup.left == 30 - len(prepared) > 0
    closed = replace(start, status="closed")
    show(closed)
    assert len(prepared) == 30 and window.warmup.left == 0
    assert (
        prepared[ran_before + len(_other_sorts(moved)) :]
        == _other_sorts(closed)[: 30 - ran_before - len(_other_sorts(moved))]
    )
    show(replace(start, include_voided=True))
    assert len(prepared) == 30 and window.warmup.waiting() == []
    assert window.warmup.failures == 0 and window.last_message == ""
    window.model.wait()


def test_nothing_is_read_ahead_while_the_full_id_list_is_still_coming(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    fill_demo(sqlite_store, 300)
    window = _window(sqlite_store, qtbot)
    window.show()
    qtbot.waitUntil(lambda: not window.after_paint.pending(DETAIL_JOB), timeout=10_000)
    window.model.set_query(CaseQuery(sort=SortKey.NO))
    assert window.model.total is None
    assert not window.warmup.run_one()  # the worker's list is not in: nothing ran
    qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    assert window.warmup.run_one()
    window.model.wait()


def test_a_click_after_the_reading_ahead_finds_its_statements_compiled_and_the_same_rows(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    """No statement of each sort's first screen compiled again, the rows the same."""
    fill_demo(sqlite_store, 400)
    window = _window(sqlite_store, qtbot)
    window.show()
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    qtbot.waitUntil(lambda: not window.warmup.waiting(), timeout=60_000)
    first = window.model.rowCount()
    for column in COLUMNS:
        if column.sort is None:
            continue
        query = replace(window.model.query, sort=column.sort, descending=False)
        with statements_sent(sqlite_store) as seen:
            window.model.set_query(query)
        # (the session's own BEGIN is plain text, which has nothing to compile)
        assert CacheStats.CACHE_HIT in seen and CacheStats.CACHE_MISS not in seen, column.title
        with sqlite_store.session() as s:
            expected = caselist.case_ids(s, query, limit=first, today=TODAY)
        assert [window.model.case_id(r) for r in range(first)] == expected
        window.model.wait()
        qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)
    window.model.wait()


def test_without_the_reading_ahead_a_first_click_compiles(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    """The test above can fail: a new process's first click on a header compiles statements."""
    fill_demo(sqlite_store, 400)
    window = _window(sqlite_store, qtbot)
    window.warmup.stop()
    window.after_paint.cancel(WARMUP_JOB)
    missed = []
    for column in COLUMNS:
        if column.sort is None:
            continue
        query = replace(window.model.query, sort=column.sort, descending=False)
        with statements_sent(sqlite_store) as seen:
            window.model.set_query(query)
        missed.append(any(hit is CacheStats.CACHE_MISS for hit in seen))
        window.model.wait()
    assert any(missed)
    window.model.wait()


def test_a_fault_in_reading_ahead_is_logged_not_shown(
    sqlite_store: Store, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    fill_demo(sqlite_store, 300)
    window = _window(sqlite_store, qtbot)
    calls: list[CaseQuery] = []

    def broken(query: CaseQuery) -> None:
        calls.append(query)
        raise RuntimeError("读取失败")

    window.model.prepare = broken  # type: ignore[method-assign]
    shown = [window.model.case_id(r) for r in range(window.model.rowCount())]
    with caplog.at_level(logging.WARNING, logger="gui.warmup"):
        window.show()
        qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
        qtbot.waitUntil(lambda: not window.warmup.waiting(), timeout=60_000)
    assert len(calls) > 1  # every job tried, one fault each
    assert window.warmup.failures == len(calls) == len(caplog.records)
    assert window.last_message == "" and window.statusBar().currentMessage() == ""
    assert [window.model.case_id(r) for r in range(window.model.rowCount())] == shown
    window.model.wait()


def test_a_searched_list_reads_nothing_ahead(sqlite_store: Store, qtbot: QtBot) -> None:
    fill_demo(sqlite_store, 300)
    window = _window(sqlite_store, qtbot)
    window.show()
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    window.warmup.stop()
    name = window.model.case_row(0).applicant_name  # type: ignore[union-attr]
    window.model.set_query(replace(window.model.query, search=name[:1]))
    qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    assert window.warmup.waiting() == []
    window.model.set_query(replace(window.model.query, search=""))
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    assert window.warmup.waiting()  # a plain list reads ahead again
    window.model.wait()
