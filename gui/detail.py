"""The read-only detail pane: a case's facts, deadline explanation, audit trail and guidance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from cases.calendar import WorkCalendar
from gui.detail_pages import DetailPages, build_pages
from gui.operations import OperationRunner

PLACEHOLDER = "在左侧列表中选择一件申请，这里显示它的详细情况。"
TAB_NAMES = ("case", "clock", "trail", "guidance")


class _Browser(QTextBrowser):
    """A text page that hands Escape back to whoever opened it (the case list)."""

    def __init__(self, on_escape: Callable[[], None]) -> None:
        super().__init__()
        self._on_escape = on_escape
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._on_escape()
            return
        super().keyPressEvent(event)


class CaseDetail(QWidget):
    """Shows the case the list points at; reloads it from the database on request."""

    def __init__(
        self,
        runner: OperationRunner,
        calendar: WorkCalendar,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._calendar = calendar
        self._today = today
        self._case_id: int | None = None
        self.on_escape: Callable[[], None] = lambda: None

        self._title = QLabel(PLACEHOLDER)
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self._title.setFont(font)

        self._tabs = QTabWidget()
        self._pages: dict[str, QTextBrowser] = {}
        for name, title in zip(
            TAB_NAMES, ("案件信息", "期限计算", "操作记录", "办事指引"), strict=True
        ):
            browser = _Browser(lambda: self.on_escape())
            browser.setObjectName(f"detail_{name}")
            self._pages[name] = browser
            self._tabs.addTab(browser, title)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._title)
        layout.addWidget(self._tabs, 1)
        self._tabs.setEnabled(False)

    @property
    def case_id(self) -> int | None:
        return self._case_id

    def set_calendar(self, calendar: WorkCalendar) -> None:
        self._calendar = calendar
        self.refresh()

    def show_case(self, case_id: int | None) -> None:
        if case_id == self._case_id:
            return
        self._case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        """Read the shown case again (after a change, or a new calendar)."""
        if self._case_id is None:
            self._show(None)
            return
        case_id, cal, today = self._case_id, self._calendar, self._today()
        self._show(self._runner.read(lambda s: build_pages(s, case_id, cal, today)))

    def _show(self, pages: DetailPages | None) -> None:
        if pages is None:
            self._title.setText(PLACEHOLDER)
            for browser in self._pages.values():
                browser.clear()
            self._tabs.setTabText(self._tabs.indexOf(self._pages["guidance"]), "办事指引")
            self._tabs.setEnabled(False)
            return
        self._tabs.setEnabled(True)
        self._title.setText(pages.title)
        self._pages["case"].setHtml(pages.case_html)
        self._pages["clock"].setHtml(pages.clock_html)
        self._pages["trail"].setHtml(pages.trail_html)
        self._pages["guidance"].setMarkdown(pages.guidance_md)
        self._tabs.setTabText(self._tabs.indexOf(self._pages["guidance"]), pages.guidance_title)

    def page_text(self, name: str) -> str:
        """The plain text of one tab: case, clock, trail or guidance."""
        return self._pages[name].toPlainText()

    def show_tab(self, name: str) -> None:
        self._tabs.setCurrentWidget(self._pages[name])

    def focus_current_page(self) -> None:
        current = self._tabs.currentWidget()
        (current or self._tabs).setFocus(Qt.FocusReason.OtherFocusReason)
