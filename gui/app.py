"""Starting the window: the QApplication, who signs in, the main window, the event loop."""

from __future__ import annotations

import gc
from collections.abc import Callable

# The core modules the window's first screen uses, imported before Qt: once PySide6 is loaded,
# its import hook (shibokensupport's feature_imported) runs on every import statement that
# follows (gui/loading.py, through which main.py loads this module, spares it their sources).
# They would be imported right after anyway. What the case view needs only once it shows
# a case (the actions' forms, the checks, repeats and similar cases, the review file, PDF) is
# imported then, after the first paint, and pays the hook there.
import cases.actions
import cases.query.caselist
import cases.rules.settings
import cases.timing.deadlines  # noqa: F401

# isort: split
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from cases.storage.model import User
from cases.storage.store import Store
from gui.fonts import use_bundled_fonts
from gui.mainwindow import EXTENSIONS, TITLE, MainWindow
from gui.signin import choose_user

__all__ = ["MainWindow", "run", "show_window"]

COLLECTOR_JOB = "cycle collector"  # the collector running again, after the first paint


def application(argv: list[str]) -> QApplication:
    """The program's QApplication, made on first use (a dialog before the window may make it)."""
    existing = QApplication.instance()
    if existing is None:
        # Fractional scale factors (125 %, 150 % on office laptops) are passed through, not
        # rounded; Qt takes this only before the application object exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    return existing if isinstance(existing, QApplication) else QApplication(argv)


def run(store: Store, argv: list[str], after_shown: Callable[[], None] | None = None) -> int:
    """Sign in, show the case window on an open store and run until it is closed.

    after_shown runs from the event loop after the window's show has been processed (main.py
    starts the start-up backup there, so that copying a large file does not compete with it).
    """
    app = application(argv)
    app.setApplicationName(TITLE)
    app.setApplicationDisplayName(TITLE)
    use_bundled_fonts()  # a frozen build on a desktop without a Chinese font
    user = choose_user(store)
    if user is None:
        return 0  # the user cancelled the sign-in or the first-run wizard
    # The 文件, 统计, 设置 and 帮助 menus and their pages join the window; imported here, not at the
    # top, because they bring the Excel and Word code that the first paint does not need.
    from gui import menus

    if menus.install not in EXTENSIONS:
        EXTENSIONS.append(menus.install)
    _window = show_window(store, user)  # held while the event loop runs
    if after_shown is not None:
        QTimer.singleShot(0, after_shown)
    return app.exec()


def show_window(store: Store, user: User | None = None) -> MainWindow:
    """Make the case window and show it, with the cycle collector paused until its first paint.

    Building the window and its first screen (the ORM's configuration on the first query, the
    widgets, the rows) makes tens of thousands of objects, and the collector, counting them,
    walked the young ones some twenty-five times before the first paint (5–13 ms). It runs again
    once the window has painted, after the work queued to follow the paint, or when the window
    goes first; a collector paused by the caller stays paused.
    """
    if not gc.isenabled():
        window = MainWindow(store, user=user)
        window.show()
        return window
    gc.disable()
    try:
        window = MainWindow(store, user=user)
        window.show()
    except BaseException:
        gc.enable()
        raise
    window.after_paint.call(COLLECTOR_JOB, gc.enable)
    window.destroyed.connect(lambda *_: gc.enable())
    return window
