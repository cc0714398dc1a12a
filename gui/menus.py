"""The 文件, 统计, 设置 and 帮助 menus and their pages, installed into a main window.

`install` is the one hook: gui/app.py lists it in mainwindow.EXTENSIONS, so each new window gets
the menus after its own 案件 and 视图 menus exist. The menus are there from the first paint; the
pages and dialogs behind them, with the report, Excel and Word code they load, are made when
first used (the report page alone counts the year when made: 0.6 s on 300,000 cases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget
from sqlalchemy import select

from cases.storage.model import Case
from gui.exportkinds import EXPORTS
from gui.mainwindow import TITLE, MainWindow, where_is
from gui.settings.titles import SECTION_TITLES

if TYPE_CHECKING:
    from gui.backups import BackupsDialog
    from gui.helpdialogs import AboutDialog
    from gui.importexport import ImportDialog
    from gui.settings.page import SettingsPage

REPORT_PAGE, STATS_PAGE, SETTINGS_PAGE = "report", "stats", "settings"
PROACTIVE_PAGE = "proactive"


def _action(
    window: MainWindow, menu: QMenu, text: str, slot: Callable[[], object], keys: str = ""
) -> QAction:
    action = QAction(text, window)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def _bind(fn: Callable[..., object], *args: object) -> Callable[[], object]:
    """A slot calling fn with these arguments (the loop variable bound now, not at the call)."""
    return lambda: fn(*args)


def open_case_by_number(window: MainWindow, no: str) -> bool:
    """Show one case in the case view (from a report cell or a failed check)."""
    case_id = window.runner.read(lambda s: s.scalar(select(Case.id).where(Case.no == no)))
    if case_id is None:
        window.statusBar().showMessage(f"找不到案件 {no}")
        return False
    window.show_cases()
    window.detail.show_case(case_id)
    window.detail.focus_current_page()
    return True


def import_file(window: MainWindow) -> ImportDialog | None:
    from gui.importexport import ImportDialog

    if window.user is None or "admin" not in window.user.role_set:
        QMessageBox.information(window, TITLE, "导入案件需要由管理员登录后办理。")
        return None
    dialog = ImportDialog(window.runner, window.user, parent=window)
    dialog.open()
    return dialog


def backups(window: MainWindow) -> BackupsDialog:
    from gui.backups import BackupsDialog, restore_into

    dialog = BackupsDialog(window.store, lambda path: restore_into(window, path), parent=window)
    dialog.open()
    return dialog


def export(window: MainWindow, kind: str) -> None:
    from gui.importexport import choose_and_export

    choose_and_export(window.runner, kind, window)


def show_settings(window: MainWindow, section: str) -> None:
    window.show_page(SETTINGS_PAGE)
    settings_page(window).show_section(section)


def settings_page(window: MainWindow) -> SettingsPage:
    from gui.settings.page import SettingsPage

    page = window.page(SETTINGS_PAGE)
    assert isinstance(page, SettingsPage)
    return page


def about(window: MainWindow) -> AboutDialog:
    from gui.helpdialogs import AboutDialog

    dialog = AboutDialog(window.store, where_is(window.store), window)
    dialog.open()
    return dialog


def verify(window: MainWindow) -> None:
    from gui.backups import verify_record

    verify_record(window)


def guidance(window: MainWindow) -> None:
    from gui.helpdialogs import GuidanceDialog

    GuidanceDialog(window).open()


def shortcuts(window: MainWindow) -> None:
    from gui.helpdialogs import ShortcutsDialog

    ShortcutsDialog(window, window).open()


def show_waiting(window: MainWindow, line: str) -> None:
    """A write waits for another desk's lock: say so now, though the GUI thread may be held."""
    bar = window.statusBar()
    bar.showMessage(line, 15_000)
    bar.repaint()


def install(window: MainWindow) -> None:
    """Add the pages beside the case list and the four menus to one main window."""
    today = getattr(window, "_today", dt.date.today)
    window.runner.waiting.connect(lambda line: show_waiting(window, line))

    def report() -> QWidget:
        from gui.reportpage import ReportPage

        page = ReportPage(window.runner, user=lambda: window.user, today=today)
        page.open_case.connect(lambda no: open_case_by_number(window, no))
        window.report_page = page  # type: ignore[attr-defined]
        return page

    def stats() -> QWidget:
        from gui.statspage import StatsPage

        page = StatsPage(window.runner, today=today)
        window.stats_page = page  # type: ignore[attr-defined]
        return page

    def proactive() -> QWidget:
        from gui.proactivepage import ProactivePage

        return ProactivePage(window.runner, today=today)

    def settings() -> QWidget:
        from gui.settings.page import SettingsPage

        page = SettingsPage(window.runner, user=lambda: window.user, today=today)
        window.settings_page = page  # type: ignore[attr-defined]
        return page

    window.add_page(REPORT_PAGE, "年度报告", report, "国办公开办函〔2021〕30号 表二、三、四")
    window.add_page(STATS_PAGE, "统计图表", stats)
    window.add_page(
        PROACTIVE_PAGE, "主动公开建议", proactive, "多名申请人申请的同一信息，可考虑转为主动公开"
    )
    window.add_page(SETTINGS_PAGE, "设置", settings)

    first = window.menuBar().actions()[0].menu() if window.menuBar().actions() else None
    files = QMenu("文件(&F)", window)
    _action(window, files, "导入(&I)…", lambda: import_file(window), "Ctrl+I")
    exports = files.addMenu("导出(&E)")
    for kind, (title, _name, _filter) in EXPORTS.items():
        _action(
            window,
            exports,
            title + "…",
            _bind(export, window, kind),
        )
    files.addSeparator()
    _action(window, files, "备份与恢复(&B)…", lambda: backups(window))
    _action(window, files, "核验记录完整性(&V)…", lambda: verify(window))
    files.addSeparator()
    _action(window, files, "退出(&X)", window.close)
    window.add_menu(files, before=first if isinstance(first, QMenu) else None)

    figures = QMenu("统计(&S)", window)
    _action(window, figures, "年度报告(&R)", lambda: window.show_page(REPORT_PAGE), "Ctrl+Shift+R")
    _action(window, figures, "统计图表(&G)", lambda: window.show_page(STATS_PAGE), "Ctrl+Shift+G")
    _action(window, figures, "主动公开建议(&P)", lambda: window.show_page(PROACTIVE_PAGE))
    window.add_menu(figures)

    setup = QMenu("设置(&T)", window)
    for key, title in SECTION_TITLES.items():
        _action(window, setup, title, _bind(show_settings, window, key))
    window.add_menu(setup)

    helps = QMenu("帮助(&H)", window)
    _action(window, helps, "办事指引(&G)…", lambda: guidance(window), "F1")
    _action(window, helps, "键盘快捷键(&K)…", lambda: shortcuts(window))
    _action(window, helps, "关于(&A)…", lambda: about(window))
    window.add_menu(helps)
