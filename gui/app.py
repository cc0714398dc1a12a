"""Starting the window: the QApplication, the main window, the event loop."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from cases.store import Store
from gui.mainwindow import TITLE, MainWindow

__all__ = ["MainWindow", "run"]


def run(store: Store, argv: list[str]) -> int:
    """Show the case window on an open store and run until it is closed; returns the exit status."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName(TITLE)
    app.setApplicationDisplayName(TITLE)
    window = MainWindow(store)
    window.show()
    return app.exec()
