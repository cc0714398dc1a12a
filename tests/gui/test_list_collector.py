"""The cycle collector waits while a new list's first screen is read and painted, then runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from cases.query.caselist import CaseQuery, SortKey
from cases.storage.store import Store
from gui.afterpaint import AfterPaint
from gui.casemodel import COLLECTOR_JOB
from gui.mainwindow import MainWindow
from tests.gui.conftest import TODAY, fill_demo
from tests.gui.test_casemodel import make_model


@pytest.fixture
def collections() -> Iterator[list[dict[str, Any]]]:
    """The collections the cycle collector runs meanwhile (and a collector running after)."""
    seen: list[dict[str, Any]] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info)

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.enable()


def _shown(store: Store, qtbot: QtBot) -> MainWindow:
    fill_demo(store, 300)
    window = MainWindow(store, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    window.model.wait()
    qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)
    return window


class _Paints(QObject):
    """Whether the collector was running at each paint of the case table."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[bool] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.seen.append(gc.isenabled())
        return False


def test_the_collector_waits_from_a_new_list_to_its_paint_then_runs(
    store: Store, qtbot: QtBot, collections: list[dict[str, Any]]
) -> None:
    window = _shown(store, qtbot)
    assert gc.isenabled()
    reads: list[bool] = []
    real_read = window.runner.read

    def read(fn: Any) -> Any:
        reads.append(gc.isenabled())
        return real_read(fn)

    window.runner.read = read  # type: ignore[method-assign]
    paints = _Paints()
    window.table.viewport().installEventFilter(paints)
    gc.set_threshold(10)  # eager: a first screen makes far more objects than this
    try:
        for sort in (SortKey.NO, SortKey.APPLICANT, SortKey.DUE):
            reads.clear()
            paints.seen.clear()
            window.model.set_query(replace(window.model.query, sort=sort))
            assert reads == [False]  # its first screen read with the collector paused
            assert not gc.isenabled() and window.after_paint.pending(COLLECTOR_JOB)
            qtbot.waitUntil(lambda: not window.after_paint.pending(COLLECTOR_JOB), timeout=5_000)
            assert paints.seen and paints.seen[0] is False  # and painted so
            assert gc.isenabled()
            collections.clear()
            window.model.wait()
            qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)
            qtbot.waitUntil(lambda: bool(collections), timeout=5_000)  # it runs again
    finally:
        gc.set_threshold(700, 10, 10)
    window.model.wait()


def test_a_collector_paused_by_someone_else_stays_paused(
    sqlite_store: Store, qtbot: QtBot, collections: list[dict[str, Any]]
) -> None:
    window = _shown(sqlite_store, qtbot)
    gc.disable()
    window.model.set_query(replace(window.model.query, sort=SortKey.NO))
    assert not window.after_paint.pending(COLLECTOR_JOB)
    qtbot.waitUntil(lambda: not window.after_paint.pending(), timeout=10_000)
    assert not gc.isenabled()
    window.model.wait()


def test_a_window_closed_or_deleted_before_the_paint_lets_the_collector_run(
    sqlite_store: Store, qtbot: QtBot, collections: list[dict[str, Any]]
) -> None:
    window = _shown(sqlite_store, qtbot)
    window.model.set_query(replace(window.model.query, sort=SortKey.NO))
    assert not gc.isenabled()
    window.close()
    assert gc.isenabled()

    # A model deleted with its paint still to come (its view hidden): the deletion resumes it.
    view = QLabel("案件")
    qtbot.addWidget(view)
    model = make_model(sqlite_store)
    model.start_after(AfterPaint(view, view))
    model.set_query(CaseQuery(sort=SortKey.DUE))
    assert not gc.isenabled() and not view.isVisible()
    model.wait()
    model.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert gc.isenabled()
