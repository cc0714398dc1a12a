"""The window paints its first screen before the counts around it, which follow by themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cases.query import caselist
from cases.storage.model import Case, User
from cases.storage.store import Store
from gui.mainwindow import TOTALS_JOB, MainWindow, me_of
from tests.gui.conftest import TODAY, fill_demo

ROOT = Path(__file__).resolve().parents[2]


def test_view_counts_and_the_to_do_notice_follow_the_first_paint(
    store: Store, qtbot: QtBot
) -> None:
    fill_demo(store, 60)
    with store.session() as s:
        name = s.scalar(select(func.max(Case.handler)))
    # A handler named on the demo cases, who also signs: both parts of 我的待办 count.
    handler = User(username="h", display_name=name, roles="handler signer", active=True)
    window = MainWindow(store, user=handler, today=lambda: TODAY)
    qtbot.addWidget(window)
    # Built and showing its first screen, without a single COUNT over the file yet.
    assert window.model.rowCount() > 0
    assert all(entry.count is None for entry in window.views.entries)
    assert window.notice_text() == ""
    window.show()
    qtbot.waitUntil(lambda: all(entry.count is not None for entry in window.views.entries[:9]))
    with store.session() as s:
        calendar = window._overview.calendar
        expected = caselist.view_counts(s, me_of(handler), TODAY, calendar)
        due, overdue = caselist.my_deadlines(s, me_of(handler), TODAY)  # type: ignore[arg-type]
    assert {entry.key: entry.count for entry in window.views.entries[:9]} == {
        view.value: n for view, n in expected.items()
    }
    assert expected[caselist.View.MINE] > 0
    assert window.notice_text().startswith("我的待办：")
    assert (f"今日到期 {due} 件" in window.notice_text()) == bool(due or overdue)
    window.model.wait()


def test_the_status_bar_totals_follow_the_first_paint_before_the_view_counts(
    store: Store, qtbot: QtBot
) -> None:
    """Counted after the list is painted, first of what follows it, and the same figures."""
    from PySide6.QtCore import QEvent, QObject

    fill_demo(store, 400)
    with store.session() as s:
        total = caselist.count_cases(s, include_voided=True)
        voided = total - caselist.count_cases(s)
        provisional = caselist.provisional_open_count(s)
    assert voided > 0  # the demo voids a few: both parts of the text are there
    window = MainWindow(store, today=lambda: TODAY)
    qtbot.addWidget(window)
    assert window.model.rowCount() > 0 and window.filters.isEnabled()
    assert window.counts_text().startswith("共 … 件")
    seen: dict[str, str] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                seen.setdefault("painted", window.counts_text())
            return False

    probe = FirstPaint()
    window.table.viewport().installEventFilter(probe)
    window.views.dataChanged.connect(lambda *_: seen.setdefault("views", window.counts_text()))
    window.show()
    qtbot.waitUntil(lambda: "views" in seen, timeout=10_000)
    assert seen["painted"].startswith("共 … 件")
    counted = f"共 {total - voided:,} 件（另有作废 {voided:,} 件）"
    assert seen["views"].startswith(counted)  # the totals came before the view counts
    assert window.counts_text().startswith(counted)
    shown = window.provisional_text()
    assert (f"有 {provisional} 件" in shown) if provisional else shown == ""
    window.model.wait()


def test_a_fault_in_counting_the_totals_is_shown_where_they_would_be(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    import sqlite3

    fill_demo(sqlite_store, 30)
    window = MainWindow(sqlite_store, today=lambda: TODAY)
    qtbot.addWidget(window)
    assert sqlite_store.path is not None
    # The file changes under the window between its first screen and the counts that follow.
    with sqlite3.connect(sqlite_store.path) as raw:
        raw.execute("ALTER TABLE cases RENAME COLUMN due_provisional TO gone")
    window.show_pending_counts()
    assert window.counts_text().startswith("统计案件数出错：")
    assert "due_provisional" in window.counts_text()
    window._show_counts()  # as after any new list: the fault stays said
    assert window.counts_text().startswith("统计案件数出错：")


def test_an_empty_file_shows_its_totals_at_once(store: Store, qtbot: QtBot) -> None:
    window = MainWindow(store, today=lambda: TODAY)
    qtbot.addWidget(window)
    assert window.counts_text().startswith("共 0 件")  # nothing to count: no wait for the paint
    assert not window.after_paint.pending(TOTALS_JOB)


def test_closing_before_the_counts_leaves_nothing_running(store: Store, qtbot: QtBot) -> None:
    fill_demo(store, 10)
    window = MainWindow(store, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    window.close()  # at once: the counts must not run against a store about to be closed
    qtbot.wait(100)
    assert all(entry.count is None for entry in window.views.entries)


def test_a_status_message_is_not_drawn_over_the_to_do_notice(store: Store, qtbot: QtBot) -> None:
    fill_demo(store, 10)
    handler = User(username="h", display_name="秦峰杰", roles="handler", active=True)
    window = MainWindow(store, user=handler, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    window.show_pending_counts()
    notice = next(
        label
        for label in window.statusBar().findChildren(QLabel)
        if label.accessibleName() == "今日提醒"
    )
    assert notice.isVisible() and notice.text().startswith("我的待办：")
    window.statusBar().showMessage("已登记 2026-000001")
    # A refresh of the user's line (after every action) while the message is up: one text only.
    window._show_user()
    assert not notice.isVisible()
    window.statusBar().clearMessage()
    assert notice.isVisible()


WINDOW_WITH_MENUS = """
import sys
import gui.app  # as main.py: the core first, then Qt
from PySide6.QtWidgets import QApplication
from cases.storage.store import open_store
from gui import menus
from gui.mainwindow import EXTENSIONS, MainWindow

app = QApplication([])
EXTENSIONS.append(menus.install)  # as gui/app.py gives every window its menus
window = MainWindow(open_store(sys.argv[1]))
window.show()
app.processEvents()
window.close()
print(" ".join(sys.modules))
"""


def test_the_window_with_its_menus_loads_no_page_excel_or_word_code(tmp_path: Path) -> None:
    """The menus are there from the first paint; the pages behind them are made when shown."""
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_WITH_MENUS, str(tmp_path / "desk.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    loaded = set(result.stdout.split())
    assert "gui.menus" in loaded and "PySide6.QtWidgets" in loaded
    unwanted = (
        "openpyxl",
        "docx",
        "docxtpl",
        "PySide6.QtCharts",
        "gui.reportpage",
        "gui.statspage",
        "gui.importexport",
        "cases.documents.report",
        "cases.interchange.ledger",
        "cases.office.templates_folder",
    )
    found = [m for m in loaded if any(m == u or m.startswith(u + ".") for u in unwanted)]
    assert found == []


def test_the_menus_name_the_settings_sections_without_loading_them(tmp_path: Path) -> None:
    """The 设置 menu lists the sections from their titles alone (gui/settings/titles.py)."""
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_WITH_MENUS, str(tmp_path / "desk.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    loaded = set(result.stdout.split())
    assert "gui.settings.titles" in loaded
    sections = ("page", "base", "calendar", "profile", "rules", "templates", "users")
    assert [s for s in sections if f"gui.settings.{s}" in loaded] == []
    assert "cases.actions.holidays" not in loaded


FIRST_PAINT = """
import sys
from gui.loading import load_window
load_window()  # as main.py
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from cases.storage.store import open_store
from gui import menus
from gui.mainwindow import DETAIL_JOB, EXTENSIONS, MainWindow

app = QApplication([])
EXTENSIONS.append(menus.install)
window = MainWindow(open_store(sys.argv[1]))
at_paint = []

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not at_paint:
            at_paint.append(set(sys.modules))
        return False

first = FirstPaint()
window.table.viewport().installEventFilter(first)
window.show()
while not at_paint or window.after_paint.pending(DETAIL_JOB):
    app.processEvents()
print("painted", " ".join(sorted(at_paint[0])))
print("case", window.detail.case_id is not None, " ".join(sorted(sys.modules)))
window.close()
"""


def test_the_case_view_loads_the_actions_and_checks_after_the_first_paint(tmp_path: Path) -> None:
    """The first screen is painted before the case view's actions, forms and checks are loaded;
    the first row's case view, after the paint, loads them."""
    from cases.storage.store import open_store

    desk = open_store(tmp_path / "desk.sqlite")
    fill_demo(desk, 40)  # here: the demo's generator loads the actions itself
    desk.close()
    result = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, str(tmp_path / "desk.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    painted, after = set(lines["painted"].split()), lines["case"].split()
    later = (
        "gui.actionspecs",
        "gui.forms",
        "gui.detail_pages",
        "gui.registration",
        "gui.backups",
        "cases.assist.checks",
        "cases.assist.repeats",
        "cases.assist.review_file",
        "cases.assist.similar",
        "cases.documents.pdf",
    )
    assert "gui.detail" in painted and "gui.casemodel" in painted  # the probe saw the window
    assert [m for m in later if m in painted] == []
    assert after[0] == "True"  # the first row's case view was shown
    shown = set(after[1:])
    # What a case view needs came with it; the registration form, backups, PDF and the tab of
    # repeats and similar cases come when asked for.
    asked = (
        "gui.registration",
        "gui.backups",
        "cases.documents.pdf",
        "cases.assist.repeats",
        "cases.assist.similar",
    )
    wanted = [m for m in later if m not in asked]
    assert [m for m in wanted if m not in shown] == []


def test_the_action_shortcuts_come_with_the_first_case_shown(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    """Before any case is shown no case offers an action; the shortcuts are made with the first."""
    from PySide6.QtGui import QKeySequence

    from gui.actionspecs import SPECS
    from tests.gui.support import wait_case_view

    fill_demo(sqlite_store, 20)
    window = MainWindow(sqlite_store, today=lambda: TODAY)
    qtbot.addWidget(window)
    assert window.detail._shortcuts == []  # built, not yet showing a case
    window.show()
    wait_case_view(qtbot, window)
    assert window.detail.case_id is not None
    keys = sorted(QKeySequence(s.shortcut).toString() for s in SPECS.values() if s.shortcut)
    assert len(keys) >= 4
    made = sorted(k.key().toString() for k in window.detail._shortcuts)
    assert made == keys
    window.show_cases(caselist.View.ARCHIVED)  # another case: the shortcuts are not made again
    wait_case_view(qtbot, window)
    assert sorted(k.key().toString() for k in window.detail._shortcuts) == keys
    window.model.wait()


def test_the_window_reads_a_screen_of_rows_first_and_the_rest_after(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    """At least FIRST_PAGE rows, as many as the screen could show, the list's first rows."""
    from gui.mainwindow import FIRST_PAGE

    fill_demo(sqlite_store, 300)
    window = MainWindow(sqlite_store, today=lambda: TODAY)
    qtbot.addWidget(window)
    first = max(FIRST_PAGE, window.table.rows_a_screen_holds())
    assert first * window.table.verticalHeader().defaultSectionSize() >= (
        window.table.screen().availableGeometry().height()
    )
    assert window.model.rowCount() == first < 300  # read before the paint, the rest after it
    with sqlite_store.session() as s:
        expected = caselist.case_ids(s, window.model.query)
    assert [window.model.case_id(r) for r in range(first)] == expected[:first]
    window.show()
    qtbot.waitUntil(lambda: window.model.total == len(expected), timeout=10_000)
    window.model.wait()
