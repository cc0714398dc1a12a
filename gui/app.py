"""Starting the window: the QApplication, the main window, the event loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cases.store import Store
from gui.mainwindow import TITLE, MainWindow

__all__ = ["MainWindow", "run"]


def run(store: Store, argv: list[str], after_shown: Callable[[], None] | None = None) -> int:
    """Show the case window on an open store and run until it is closed; returns the exit status.

    after_shown runs from the event loop after the window's show has been processed (main.py
    starts the start-up backup there, so that copying a large file does not compete with it).
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName(TITLE)
    app.setApplicationDisplayName(TITLE)
    window = MainWindow(store)
    window.show()
    if after_shown is not None:
        QTimer.singleShot(0, after_shown)
    return app.exec()
