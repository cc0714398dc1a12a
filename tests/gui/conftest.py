"""GUI test set-up: Qt runs headless (offscreen) unless a platform is chosen; window fixtures."""

from __future__ import annotations

import os

# Before anything imports Qt. An empty value would make Qt pick a real display, hence `or`.
os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM") or "offscreen"

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from cases.sample import demo
from cases.storage.store import Store
from gui.mainwindow import MainWindow
from tests.gui.support import wait_case_view

# The demo data and every window in these tests see the same day, so warnings are reproducible.
TODAY = dt.date(2025, 11, 20)


def fill_demo(store: Store, n_cases: int, seed: int = 11) -> None:
    with store.transaction() as session:
        demo.generate(session, n_cases, seed=seed, today=TODAY, years=(2024, 2025))


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[Callable[[Store], MainWindow]]:
    """Makes a shown main window on a store; waits for its worker thread when the test ends."""
    made: list[MainWindow] = []

    def make(store: Store) -> MainWindow:
        window = MainWindow(store, today=lambda: TODAY)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        wait_case_view(qtbot, window)  # the first row's case view follows the first paint
        made.append(window)
        return window

    yield make
    for window in made:
        window.model.wait()
