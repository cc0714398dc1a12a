"""Window start-up: work that is not needed to paint waits until the window is up.

The program's own event loop runs in a process of its own: once QApplication.exec has returned
through quit(), Qt leaves every later event loop of that process quitting at once, which would
break the GUI tests that run after this one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cases.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from cases.storage.store import open_store
from gui import app
from gui.mainwindow import MainWindow
from tests.gui.support import make_user

store = open_store(sys.argv[1])
# The sign-in (or, on an empty file, the first-run wizard) is modal; it is tested elsewhere.
app.choose_user = lambda _store: make_user(store)
seen = []

def after_shown():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    seen.append(any(w.isVisible() for w in windows))
    for w in windows:
        w.model.wait()
        w.close()
    QApplication.quit()

QTimer.singleShot(20_000, QApplication.quit)  # fail rather than hang if it never runs
status = app.run(store, [], after_shown=after_shown)
store.close()
print("seen", seen, "status", status)
"""


def test_after_shown_runs_once_the_window_is_visible(sqlite_store: Store) -> None:
    path = str(sqlite_store.path)
    sqlite_store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "seen [True] status 0" in done.stdout, done.stdout + done.stderr
