"""The main window (依申请公开办理台): filters, case list, detail pane and status bar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cases import caselist, deadlines
from cases.calendar import WorkCalendar
from cases.caselist import CaseQuery
from cases.store import Store
from gui.casemodel import COL_RECEIVED, CaseTableModel
from gui.caseview import CaseTable
from gui.detail import CaseDetail
from gui.filterbar import FilterBar
from gui.operations import Changes, OperationRunner

TITLE = "依申请公开办理台"


@dataclass(frozen=True)
class Overview:
    """The figures around the list: totals for the status bar, choices for the filters."""

    calendar: WorkCalendar
    total: int  # every case in the file, voided ones included
    voided: int
    provisional: int
    departments: list[str]
    years: list[int]


def load_overview(session: Session) -> Overview:
    total = caselist.count_cases(session, include_voided=True)
    return Overview(
        calendar=deadlines.load_calendar(session),
        total=total,
        voided=total - caselist.count_cases(session),
        provisional=caselist.provisional_open_count(session),
        departments=caselist.departments(session),
        years=caselist.years(session),
    )


def where_is(store: Store) -> str:
    """The database as the user should read it: the file path, or the URL without its password."""
    if store.path is not None:
        return str(store.path)
    return make_url(store.target.url).render_as_string(hide_password=True)


def empty_message(store: Store) -> str:
    return (
        "<h2>数据库里还没有案件</h2>"
        "<p>可以导入已有的台账或交换文件：<br>"
        "<code>python main.py import 台账.xlsx</code>（或 <code>.jsonl</code> 交换文件）</p>"
        "<p>也可以先生成一批演示案件试用：<br><code>python main.py demo</code></p>"
        f"<p style='color:#777'>数据库：{where_is(store)}</p>"
    )


class MainWindow(QMainWindow):
    """The read-only case window; later write actions go through `self.runner`."""

    def __init__(
        self,
        store: Store,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.resize(1560, 900)
        self.store = store
        self.runner = OperationRunner(store, self)
        self._overview = self.runner.read(load_overview)

        self.filters = FilterBar()
        self.model = CaseTableModel(self.runner, self._overview.calendar, today=today, parent=self)
        self.table = CaseTable()
        self.table.setModel(self.model)
        self.table.set_column_widths()
        self.detail = CaseDetail(self.runner, self._overview.calendar, today)
        self.detail.on_escape = self.focus_list

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([1060, 500])

        self.empty = QLabel(empty_message(store))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.setWordWrap(True)
        self._stack = QStackedWidget()
        self._main = splitter
        self._stack.addWidget(splitter)
        self._stack.addWidget(self.empty)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters)
        layout.addWidget(self._stack, 1)
        self.setCentralWidget(central)

        self._where = QLabel(f"数据库：{where_is(store)}")
        self._counts = QLabel()
        self._provisional = QLabel()
        self._provisional.setStyleSheet("color: #8a5a00;")
        bar = self.statusBar()
        bar.addWidget(self._where, 1)
        bar.addPermanentWidget(self._provisional)
        bar.addPermanentWidget(self._counts)

        self._build_actions()
        self._connect()
        self.filters.set_choices(self._overview.departments, self._overview.years)
        self.table.horizontalHeader().setSortIndicator(COL_RECEIVED, Qt.SortOrder.DescendingOrder)
        self.model.set_query(CaseQuery())
        # Enabling sorting asks the model to sort by the indicator: the query it already has.
        self.table.setSortingEnabled(True)
        self._show_overview()

    # --- wiring ----------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        menu = self.menuBar().addMenu("文件(&F)")
        refresh = QAction("刷新(&R)", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.refresh)
        menu.addAction(refresh)
        menu.addSeparator()
        leave = QAction("退出(&X)", self)
        leave.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        leave.triggered.connect(self.close)
        menu.addAction(leave)

    def _connect(self) -> None:
        self.filters.changed.connect(self._on_filters)
        self.filters.search.leave_down.connect(self.focus_list)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.open_requested.connect(self._open_detail)
        self.model.modelReset.connect(self._after_reset)
        self.model.counted.connect(self._on_counted)
        self.model.load_failed.connect(
            lambda message: self.statusBar().showMessage(f"读取案件列表出错：{message}")
        )
        self.runner.changed.connect(self._on_changed)
        self.runner.refused.connect(self._on_refused)

    # --- slots -----------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.filters.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search.selectAll()

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.select_row(0)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def refresh(self) -> None:
        """Read everything again (another desk may have written to a shared database)."""
        self._on_changed(Changes(case_list=True, calendar=True))

    def _on_filters(self, query: CaseQuery) -> None:
        # The filter bar knows nothing of sorting: the order stays what the header last chose.
        current = self.model.query
        self.model.set_query(replace(query, sort=current.sort, descending=current.descending))

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.detail.show_case(self.model.case_id(current.row()) if current.isValid() else None)

    def _open_detail(self, row: int) -> None:
        self.detail.show_case(self.model.case_id(row))
        sizes = self._main.sizes()
        if sizes[1] == 0:  # the user had dragged the pane shut: opening a case brings it back
            self._main.setSizes([sum(sizes) * 2 // 3, sum(sizes) // 3])
        self.detail.focus_current_page()

    def _after_reset(self) -> None:
        self._show_counts()
        shown = self.detail.case_id
        row = self.model.row_of(shown) if shown is not None else None
        if row is not None:
            self.select_row(row)
        else:
            self.detail.show_case(None)

    def _on_counted(self, _total: int) -> None:
        self._show_counts()
        self.table.fetch_if_needed()

    def _on_changed(self, changes: Changes) -> None:
        self._overview = self.runner.read(load_overview)
        self.filters.set_choices(self._overview.departments, self._overview.years)
        if changes.calendar:
            self.model.set_calendar(self._overview.calendar)  # reloads the list
            self.detail.set_calendar(self._overview.calendar)
        else:
            self.model.reload()
            if changes.touches(self.detail.case_id):
                self.detail.refresh()
        self._show_overview()

    def _on_refused(self, action: str, message: str) -> None:
        QMessageBox.warning(self, TITLE, f"{action}未执行：{message}")

    # --- status bar ------------------------------------------------------------------------------

    def _show_overview(self) -> None:
        o = self._overview
        self._stack.setCurrentWidget(self.empty if o.total == 0 else self._main)
        self.filters.setEnabled(o.total > 0)
        if o.provisional:
            self._provisional.setText(
                f"有 {o.provisional} 件未办结案件的答复期限为暂定（所跨年份的节假日安排尚未录入）"
            )
            self._provisional.show()
        else:
            self._provisional.hide()
        self._show_counts()

    def _show_counts(self) -> None:
        o = self._overview
        text = f"共 {o.total - o.voided:,} 件"
        if o.voided:
            text += f"（另有作废 {o.voided:,} 件）"
        total = self.model.total
        text += f"　列表 {total:,} 件" if total is not None else "　列表统计中…"
        self._counts.setText(text)

    def where_text(self) -> str:
        return self._where.text()

    def counts_text(self) -> str:
        return self._counts.text()

    def provisional_text(self) -> str:
        return self._provisional.text() if self._provisional.isVisibleTo(self) else ""

    def closeEvent(self, event: QCloseEvent) -> None:
        self.model.wait()  # let the worker finish before the store may be closed
        super().closeEvent(event)
