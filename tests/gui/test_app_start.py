"""Window start-up: work that is not needed to paint waits until the window is up.

The program's own event loop runs in a process of its own: once QApplication.exec has returned
through quit(), Qt leaves every later event loop of that process quitting at once, which would
break the GUI tests that run after this one.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from cases.storage.store import Store
from gui.app import COLLECTOR_JOB, show_window
from tests.gui.conftest import fill_demo

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


LOAD = """
import gc, sys
if sys.argv[1] == "paused":
    gc.disable()
walks = []
gc.callbacks.append(lambda phase, info: walks.append(info) if phase == "stop" else None)
from gui.loading import load_window
load_window()
# Once running again, the collector may look at its youngest generation, emptied by the freeze.
walks = [w for w in walks if w["generation"] > 0 or w["collected"] > 0]
loaded = "PySide6.QtWidgets" in sys.modules and "gui.mainwindow" in sys.modules
print("loaded", loaded, "walks", len(walks), "frozen", gc.get_freeze_count() > 20_000,
      "enabled", gc.isenabled())
"""


def test_the_window_code_loads_with_the_collector_paused_and_frozen_after() -> None:
    """main.py loads the window's code without a single collection; the collector runs again."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for state, enabled in (("running", True), ("paused", False)):
        done = subprocess.run(
            [sys.executable, "-c", LOAD, state],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        # Left as it was found: a caller that had paused the collector keeps it paused.
        assert f"loaded True walks 0 frozen True enabled {enabled}" in done.stdout, done.stdout


def test_without_the_pause_the_same_imports_walk_the_heap() -> None:
    """Guards the test above: importing the window's code plainly does run the collector."""
    plain = LOAD.replace("from gui.loading import load_window\nload_window()", "import gui.app")
    done = subprocess.run(
        [sys.executable, "-c", plain, "running"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    walks = int(done.stdout.split("walks ")[1].split()[0])
    assert walks > 10, done.stdout


SOURCE_READS = """
import inspect, sys
read = []
real = inspect.getsource
def reading(obj):
    read.append(obj.__name__)
    return real(obj)
inspect.getsource = reading  # what PySide6's import hook calls for each module it meets
from gui.loading import CORE_FIRST, load_window
load_window()
notes = sys.modules["shibokensupport.feature"].pyside_feature_dict
core = CORE_FIRST + ("sqlalchemy", "sqlalchemy.orm", "cases.storage.model", "datetime", "typing")
print("read", " ".join(read))
print("core", " ".join(str(notes.get(name)) for name in core))
print("gui", " ".join(f"{name}={notes[name]}" for name in sorted(notes) if name.startswith("gui")))
"""


def _source_reads(script: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {line.split(" ", 1)[0]: line.split()[1:] for line in done.stdout.splitlines() if line}


def _hooks_own_notes(entries: list[str]) -> dict[str, str]:
    """name=note → {name: note}, beside what PySide6's hook finds in each gui file's text."""
    notes = dict(entry.split("=") for entry in entries)
    for name in notes:
        path = ROOT / Path(*name.split("."))
        source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        assert notes[name] == ("0" if "PySide6" in source.read_text(encoding="utf-8") else "-1")
    return notes


def test_the_window_code_loads_without_reading_the_core_sources_for_pyside() -> None:
    """The modules loaded before Qt are noted as not using it (-1, PySide6's own word, as the
    one-folder build without sources has them all); the window's own modules as the hook would
    note them, from their text, without the hook reading one."""
    found = _source_reads(SOURCE_READS)
    core = ("cases.", "sqlalchemy", "datetime", "typing", "dataclasses", "collections", "gui")
    assert [m for m in found["read"] if m.startswith(core)] == []
    assert set(found["core"]) == {"-1"}
    notes = _hooks_own_notes(found["gui"])
    assert notes["gui.mainwindow"] == "0" and notes["gui.labels"] == "-1"  # both kinds are there
    assert "gui.reportpage" in notes  # noted before it is ever imported


def test_without_the_notes_pyside_reads_the_core_sources_again() -> None:
    """Guards the test above: imported plainly, the window's imports make the hook read them."""
    plain = SOURCE_READS.replace("load_window()", "import gui.app")
    found = _source_reads(plain)
    read = set(found["read"])
    assert {"cases.query.caselist", "sqlalchemy", "datetime", "gui.mainwindow"} <= read
    assert set(found["core"]) != {"-1"}
    # The notes the hook makes itself, for the gui modules it read, are the ones noted above.
    notes = _hooks_own_notes(found["gui"])
    assert notes["gui.mainwindow"] == "0"


def test_the_collector_is_paused_until_the_first_paint_then_runs_again(
    store: Store, qtbot: QtBot
) -> None:
    fill_demo(store, 30)
    try:
        window = show_window(store)
        qtbot.addWidget(window)
        assert not gc.isenabled()  # built and shown: the first paint is still to come
        assert window.after_paint.pending(COLLECTOR_JOB)
        qtbot.waitUntil(gc.isenabled, timeout=5_000)
        assert window.model.rowCount() > 0
        window.model.wait()
    finally:
        gc.enable()


def test_a_window_closed_before_its_first_paint_lets_the_collector_run(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    fill_demo(sqlite_store, 10)
    try:
        window = show_window(sqlite_store)
        window.close()
        window.deleteLater()
        # The deletion alone, no timers: the job queued after the paint never ran.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_a_window_that_fails_to_build_lets_the_collector_run(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    assert sqlite_store.path is not None
    with sqlite3.connect(sqlite_store.path) as raw:
        raw.execute("ALTER TABLE cases RENAME TO cases_elsewhere")
    try:
        with pytest.raises(Exception, match="cases"):
            show_window(sqlite_store)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_a_collector_paused_by_the_caller_stays_paused(store: Store, qtbot: QtBot) -> None:
    gc.disable()
    try:
        window = show_window(store)
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        qtbot.wait(50)
        assert not gc.isenabled()
        assert not window.after_paint.pending(COLLECTOR_JOB)
    finally:
        gc.enable()
