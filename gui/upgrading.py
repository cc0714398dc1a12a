"""A schema upgrade at the window's start: run in a thread, a dialog saying so drawn meanwhile."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QProgressDialog

from cases.storage.migrations import HEAD_REVISION
from gui.app import application

TITLE = "正在升级数据库"
POLL_MS = 50  # how often the dialog looks whether the upgrade has ended


class UpgradeDialog(QProgressDialog):
    """A busy bar that neither Esc nor the title bar's close button takes away mid-upgrade."""

    def __init__(self, current: str) -> None:
        super().__init__(
            f"正在把数据库的表结构从版本 {current} 升级到 {HEAD_REVISION}。\n"
            "案件多时需要几分钟，请不要关闭程序。\n"
            "升级若被中断，数据库仍是升级前的样子，下次打开时会重新升级。",
            "",
            0,
            0,
        )
        self.setWindowTitle(TITLE)
        self.setCancelButton(None)  # no button
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumDuration(0)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.finished_upgrade = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.finished_upgrade:
            super().closeEvent(event)
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() != Qt.Key.Key_Escape:
            super().keyPressEvent(event)


def run_upgrade(current: str, upgrade: Callable[[], None]) -> None:
    """store.Upgrading for the window: the upgrade in a thread, the dialog shown until it ends.

    The event loop keeps the dialog drawn (and the desktop from calling the program hung): the
    upgrade's SQL runs in SQLite's or the server's code, which lets go of Python's lock. Its
    error, if any, is raised here, as if the upgrade had run in this thread.
    """
    application(sys.argv)
    failed: list[BaseException] = []

    def work() -> None:
        try:
            upgrade()
        except BaseException as exc:  # handed to the caller below, whatever it is
            failed.append(exc)

    worker = threading.Thread(target=work, name="schema-upgrade", daemon=True)
    dialog = UpgradeDialog(current)
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(POLL_MS)
    poll.timeout.connect(lambda: None if worker.is_alive() else loop.quit())
    dialog.show()
    worker.start()
    poll.start()
    loop.exec()
    poll.stop()
    worker.join()
    dialog.finished_upgrade = True
    dialog.close()
    dialog.deleteLater()
    if failed:
        raise failed[0]
