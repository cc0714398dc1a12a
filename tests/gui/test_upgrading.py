"""The window's schema upgrade: a dialog drawn while it runs in a thread, its error raised."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cases.storage import store as store_mod
from cases.storage.migrations import HEAD_REVISION
from gui.upgrading import UpgradeDialog, run_upgrade
from tests.test_upgrade_notice import at_revision


def _dialogs() -> list[UpgradeDialog]:
    shown = QApplication.topLevelWidgets()
    return [w for w in shown if isinstance(w, UpgradeDialog) and w.isVisible()]


def test_the_dialog_is_up_while_the_upgrade_runs_elsewhere_and_gone_after(qtbot: QtBot) -> None:
    seen: list[tuple[bool, str]] = []
    ran_in: list[threading.Thread] = []

    def look() -> None:
        shown = _dialogs()
        seen.append((bool(shown), shown[0].labelText() if shown else ""))
        if shown:  # neither Esc nor a close takes it away mid-upgrade
            shown[0].close()
            qtbot.keyClick(shown[0], Qt.Key.Key_Escape)

    def upgrade() -> None:
        ran_in.append(threading.current_thread())
        time.sleep(0.6)  # long enough for the event loop to turn several times meanwhile

    QTimer.singleShot(200, look)
    QTimer.singleShot(350, lambda: seen.append((bool(_dialogs()), "")))
    run_upgrade("0015", upgrade)
    assert ran_in and ran_in[0] is not threading.main_thread()
    assert seen[0][0] and f"从版本 0015 升级到 {HEAD_REVISION}" in seen[0][1]
    assert seen[1][0], "the dialog was closed before the upgrade ended"
    assert _dialogs() == []


def test_an_upgrade_that_fails_raises_its_error_and_takes_the_dialog_away(qtbot: QtBot) -> None:
    def upgrade() -> None:
        raise store_mod.StoreError("磁盘已满")

    with pytest.raises(store_mod.StoreError, match="磁盘已满"):
        run_upgrade("0014", upgrade)
    assert _dialogs() == []


def test_an_older_file_opened_for_the_window_is_upgraded_through_the_dialog(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = at_revision(tmp_path / "old.sqlite", "0015")
    shown: list[bool] = []
    QTimer.singleShot(0, lambda: shown.append(bool(_dialogs())))
    store = store_mod.open_store(path, upgrading=run_upgrade)
    try:
        with store.engine.connect() as conn:
            assert store_mod._current_revision(conn) == HEAD_REVISION
    finally:
        store.close()
    assert shown == [True]
