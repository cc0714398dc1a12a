"""Window start-up: work that is not needed to paint waits until the window is up."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cases.store import Store
from gui import app
from gui.mainwindow import MainWindow
from tests.gui.support import make_user


def test_after_shown_runs_once_the_window_is_visible(
    sqlite_store: Store, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    # The sign-in (or, on an empty file, the first-run wizard) is modal; it is tested elsewhere.
    monkeypatch.setattr(app, "choose_user", lambda _store: make_user(sqlite_store))

    def after_shown() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen.append(any(w.isVisible() for w in windows))
        for w in windows:
            w.model.wait()
            w.close()
        QApplication.quit()

    QTimer.singleShot(20_000, QApplication.quit)  # fail rather than hang if it never runs
    assert app.run(sqlite_store, [], after_shown=after_shown) == 0
    assert seen == [True]
