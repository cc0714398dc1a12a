"""Start-up when the shared database server does not answer: say so and offer to try again."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QMessageBox

from cases.storage.store import ServerUnreachable, Store

TITLE = "无法连接数据库服务器"
HINT = "网络或服务器恢复后请点“重试”；点“退出”关闭程序。"


def ask_retry(message: str) -> bool:
    """Show why the server cannot be reached; True when the user chose to try again."""
    if QApplication.instance() is None:
        QApplication(sys.argv)
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, message)
    box.setInformativeText(HINT)
    retry = box.addButton("重试", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.exec()
    return box.clickedButton() is retry


def open_with_retry(opener: Callable[[], Store], ask: Callable[[str], bool] = ask_retry) -> Store:
    """Open the store, asking to try again for as long as the server cannot be reached.

    When the user gives up, the last ServerUnreachable propagates: the caller prints its one line
    and exits with status 1, as on the command line.
    """
    while True:
        try:
            return opener()
        except ServerUnreachable as exc:
            if not ask(str(exc)):
                raise
