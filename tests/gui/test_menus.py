"""The menus and pages installed into the main window; backups, help and 关于."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cases.storage import restore as restoring
from cases.storage.model import AuditRecord, Case, Setting
from cases.storage.store import Store, open_store
from gui import menus
from gui.backups import BackupsDialog, restore_into, verify_record
from gui.helpdialogs import AboutDialog, GuidanceDialog, ShortcutsDialog, database_size
from gui.mainwindow import MainWindow, where_is
from tests.gui.conftest import TODAY, fill_demo
from tests.gui.support import make_user
from tests.report_support import D, add_case
from tests.test_record_protection import _tamper


@pytest.fixture
def window(store: Store, qtbot: QtBot) -> Iterator[MainWindow]:
    fill_demo(store, 120)
    admin = make_user(store, "admin", ("admin", "reviewer"))
    shown = MainWindow(store, user=admin, today=lambda: TODAY)
    menus.install(shown)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    shown.model.wait()


def menu_titles(window: MainWindow) -> list[str]:
    return [a.text().replace("&", "") for a in window.menuBar().actions()]


def entries(window: MainWindow, title: str) -> list[str]:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            menu = action.menu()
            assert isinstance(menu, QMenu)
            return [a.text().replace("&", "") for a in menu.actions() if a.text()]
    raise AssertionError(title)


def test_menus_match_the_work(window: MainWindow) -> None:
    titles = menu_titles(window)
    assert titles[0] == "文件(F)"
    assert {"统计(S)", "设置(T)", "帮助(H)", "案件(C)"} <= set(titles)
    assert entries(window, "文件(F)") == [
        "导入(I)…",
        "导出(E)",
        "备份与恢复(B)…",
        "核验记录完整性(V)…",
        "退出(X)",
    ]
    assert entries(window, "统计(S)") == ["年度报告(R)", "统计图表(G)", "主动公开建议(P)"]
    assert entries(window, "设置(T)") == [t for _, t in menus.settings_page(window).sections()]
    assert entries(window, "帮助(H)") == ["办事指引(G)…", "键盘快捷键(K)…", "关于(A)…"]


def test_a_page_is_made_when_first_shown(window: MainWindow) -> None:
    # The report page counts the year when it is made: not before the user asks for it.
    assert not hasattr(window, "report_page")
    window.show_page(menus.REPORT_PAGE)
    page = window.report_page  # type: ignore[attr-defined]
    assert window.page(menus.REPORT_PAGE) is page and page.isVisible()
    window.show_cases()
    window.show_page(menus.REPORT_PAGE)
    assert window.report_page is page  # type: ignore[attr-defined]  # made once


def test_the_proactive_disclosure_page_is_reached_from_the_menu(window: MainWindow) -> None:
    from gui.proactivepage import ProactivePage

    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "统计(&S)" and a.menu())
    action = next(a for a in menu.actions() if a.text() == "主动公开建议(&P)")
    action.trigger()
    assert isinstance(window._pages_stack.currentWidget(), ProactivePage)


def test_a_report_cell_opens_its_case_in_the_case_view(window: MainWindow) -> None:
    window.show_page(menus.REPORT_PAGE)
    page = window.report_page  # type: ignore[attr-defined]
    page.year.setValue(2025)
    numbers = page.show_cell(("一、本年新收政府信息公开申请数量",), "总计")
    assert numbers
    page.cases.setCurrentRow(0)
    page.open_button.click()
    with window.store.session() as s:
        wanted = s.scalar(select(Case.id).where(Case.no == numbers[0]))
    assert window.detail.case_id == wanted
    assert not menus.open_case_by_number(window, "没有这件")


def test_help_windows(window: MainWindow, qtbot: QtBot) -> None:
    guidance = GuidanceDialog(window)
    qtbot.addWidget(guidance)
    assert guidance.steps.count() >= 8
    guidance.steps.setCurrentRow(0)
    assert guidance.text.toPlainText().strip()
    keys = ShortcutsDialog(window, window)
    qtbot.addWidget(keys)
    shown = {keys.table.item(r, 1).text() for r in range(keys.table.rowCount())}
    assert {"登记申请", "导入", "年度报告", "办事指引"} <= shown
    about = AboutDialog(window.store, where_is(window.store), window)
    qtbot.addWidget(about)
    text = about.label.text()
    assert "版本" in text and where_is(window.store) in text
    size = database_size(window.store)
    assert size is not None and size > 0


def test_backups_list_back_up_now_and_restore_through_the_checked_restore(
    store: Store, qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.path is None:
        pytest.skip("backups are of SQLite files")
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _w, _t, text: said.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, _t, text: said.append(text))
    quit_calls: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda: quit_calls.append(True))
    dialog = BackupsDialog(store, lambda _p: None, parent=window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    made = dialog.back_up_now()
    assert made is not None and dialog.table.rowCount() == 1
    with store.session() as s:
        count = len(list(s.scalars(select(Case.id))))
    assert dialog.table.item(0, 1).text() == str(count)  # as the confirmation counts them
    chosen = dialog.found[0]
    with store.transaction() as s:
        add_case(s, "备份后登记-1", D(2025, 11, 19))  # entered after the backup
    text = dialog.restore_question(chosen)
    assert text is not None  # what the backup holds, what it replaces (with the new case)
    assert f"备份：{chosen.path.name}：{count} 件案件" in text
    assert f"{store.path.name}：{count + 1} 件案件" in text
    assert str(store.path) in text and ".before-restore" in text and "最后一次改动" in text
    path = store.path
    restore_into(window, chosen.path)  # what 恢复 does once confirmed
    assert quit_calls == [True] and "已从" in said[-1]
    kept = list(path.parent.glob(f"{path.name}.before-restore-*"))
    assert len(kept) == 1 and restoring.inspect_file(kept[0]).cases == count + 1
    reopened = open_store(path)
    try:
        with reopened.session() as s:
            assert len(list(s.scalars(select(Case.id)))) == count
    finally:
        reopened.close()


def test_a_damaged_backup_is_refused_in_the_window_and_nothing_changes(
    store: Store, qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.path is None:
        pytest.skip("backups are of SQLite files")
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _w, _t, text: said.append(text))
    dialog = BackupsDialog(store, lambda _p: None, parent=window)
    qtbot.addWidget(dialog)
    made = dialog.back_up_now()
    assert made is not None
    data = made.read_bytes()
    made.write_bytes(data[: len(data) // 2])  # a copy cut short by a full disk
    dialog.reload()
    window.model.wait()
    store.close()  # so that no checkpoint changes the file between the two digests
    before = hashlib.sha256(store.path.read_bytes()).hexdigest()
    assert dialog.restore_question(dialog.found[0]) is None
    assert len(said) == 1 and "不能用这份备份恢复" in said[0]
    assert hashlib.sha256(store.path.read_bytes()).hexdigest() == before
    with pytest.raises(restoring.RestoreRefused):  # and restore itself refuses it too
        restoring.restore(made, store.path)
    assert hashlib.sha256(store.path.read_bytes()).hexdigest() == before


def test_a_write_that_waits_for_another_desk_says_so_in_the_status_bar(
    store: Store, window: MainWindow
) -> None:
    if store.path is None:
        pytest.skip("the wait for the file's lock is SQLite's")
    other = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another desk's writer, an import's swap say

    def release() -> None:
        time.sleep(0.6)
        other.execute("COMMIT")

    heard: list[str] = []
    window.runner.waiting.connect(heard.append)
    thread = threading.Thread(target=release)
    thread.start()
    try:
        window.runner.write("保存设置", lambda s: s.add(Setting(key="wait_test", value="1")))
    finally:
        thread.join()
        other.close()
    assert len(heard) == 1 and "等待" in heard[0] and "\n" not in heard[0]
    assert "等待" in window.statusBar().currentMessage()
    with store.session() as s:
        assert s.get(Setting, "wait_test") is not None  # and then it wrote


def test_the_file_menu_verifies_the_record_and_names_a_tampered_audit_record(
    store: Store, qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[tuple[str, str]] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(
            QMessageBox, kind, lambda _w, _t, text, kind=kind: said.append((kind, text))
        )
    files = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
    item = next(a for a in files.actions() if a.text().startswith("核验记录完整性"))
    item.trigger()  # on the worker thread; the answer comes as a message box
    qtbot.waitUntil(lambda: len(said) == 1, timeout=60_000)
    assert said[0][0] == "information" and "核验通过" in said[0][1]
    with store.session() as s:
        target = s.scalars(select(AuditRecord.id).order_by(AuditRecord.id)).all()[3]
    _tamper(store, f"UPDATE audit SET new = '篡改' WHERE id = {target}")
    task = verify_record(window)
    qtbot.waitUntil(lambda: task.state != "running" and len(said) == 2, timeout=60_000)
    assert said[1][0] == "warning" and f"审计记录 {target}" in said[1][1]
    assert "核验未通过" in said[1][1]
