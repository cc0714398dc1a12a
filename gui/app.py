"""Starting the window: the QApplication, who signs in, the main window, the event loop."""

from __future__ import annotations

from collections.abc import Callable

# The core modules the window's first screen uses, imported before Qt: once PySide6 is loaded,
# its import hook (shibokensupport's feature_imported) runs on every import statement that
# follows. They would be imported right after anyway. What the case view needs only once it shows
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

from cases.storage.store import Store
from gui.fonts import use_bundled_fonts
from gui.mainwindow import EXTENSIONS, TITLE, MainWindow
from gui.signin import choose_user

__all__ = ["MainWindow", "run"]


def run(store: Store, argv: list[str], after_shown: Callable[[], None] | None = None) -> int:
    """Sign in, show the case window on an open store and run until it is closed.

    after_shown runs from the event loop after the window's show has been processed (main.py
    starts the start-up backup there, so that copying a large file does not compete with it).
    """
    existing = QApplication.instance()
    if existing is None:
        # Fractional scale factors (125 %, 150 % on office laptops) are passed through, not
        # rounded; Qt takes this only before the application object exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
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
    window = MainWindow(store, user=user)
    window.show()
    if after_shown is not None:
        QTimer.singleShot(0, after_shown)
    return app.exec()
