"""The main window (依申请公开办理台): quick views, filters, the case list, the case view.

Other parts of the window install themselves through `add_menu` and `add_page` (the 文件, 统计,
设置 and 帮助 menus and their pages live in their own modules); functions listed in
`EXTENSIONS` are called with each new window, after its own menus exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cases.query import caselist
from cases.query.caselist import CaseQuery, Me, View
from cases.result import Notice
from cases.rules import settings, vocab
from cases.storage.model import User
from cases.storage.paths import data_dir
from cases.storage.store import Store
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import WarningLevel
from gui.afterpaint import AfterPaint
from gui.casemodel import COL_RECEIVED, COLUMNS, CaseTableModel
from gui.caseview import CaseTable
from gui.detail import CaseDetail
from gui.filterbar import FilterBar
from gui.operations import Changes, OperationRunner
from gui.viewlist import KEY_ROLE, ViewListModel
from gui.warmup import Warmup

if TYPE_CHECKING:
    # Made when asked for: the actions' code is not needed before the window's first paint.
    from gui.registration import RegistrationDialog

TITLE = "依申请公开办理台"
DETAIL_JOB = "case view"  # the case view of a new list's first row, after the list's paint
COUNTS_JOB = "view counts"  # the counts beside the quick views, after the first paint
WARMUP_JOB = "read ahead"  # the first screens to read in idle moments, planned after the paint
TOTALS_JOB = "totals"  # the status bar's counts over the whole file, first after the first paint
# On a shared server, the most first screens a window reads ahead in its life (_plan_warmup):
# the start list's other sorts (23) and about one more list's.
SERVER_READ_AHEAD = 48
# The rows a new list (query, sort, filter, search, view) reads first: what bench/bench_list.py
# measures, and more than any window on its screen shows (a taller screen reads as many as it
# holds). A search of a common term walking the list's order took three times as long for 100
# rows as for 50 (15 ms against 5 at 300,000 cases); the rest follow with the full id list, a
# page at a time, as before. A list read again after a change reads a whole page, as before.
FIRST_PAGE = 50
# Called with every new MainWindow once its own menus exist: (window) -> None.
EXTENSIONS: list[Callable[[MainWindow], None]] = []


def me_of(user: User | None) -> Me | None:
    return Me(user.username, user.display_name, frozenset(user.role_set)) if user else None


@dataclass(frozen=True)
class Totals:
    """The status bar's counts over the whole file."""

    total: int  # every case in the file, voided ones included
    voided: int
    provisional: int  # open cases whose deadline is provisional (暂定)


NO_CASES = Totals(0, 0, 0)


@dataclass(frozen=True)
class Overview:
    """The figures around the list: choices for the filters, totals for the status bar."""

    calendar: WorkCalendar
    any_cases: bool  # whether the file holds a case (voided ones included)
    departments: list[str]
    years: list[int]
    amber_days: int = caselist.DEFAULT_AMBER_DAYS  # 临期 threshold, an office setting
    totals: Totals | None = None  # None while they are being counted (after the first paint)


def load_totals(session: Session) -> Totals:
    """The counts of the status bar: a few COUNTs over the whole file (tens of ms at 1,000,000)."""
    total = caselist.count_cases(session, include_voided=True)
    return Totals(
        total=total,
        voided=caselist.voided_count(session),
        provisional=caselist.provisional_open_count(session),
    )


def load_overview(session: Session, *, totals: bool = True) -> Overview:
    """What the window shows around the list; without `totals` they are left to load_totals.

    A file without a case needs no count: its totals are known at once.
    """
    counted = load_totals(session) if totals else None
    any_cases = counted.total > 0 if counted is not None else caselist.any_cases(session)
    if counted is None and not any_cases:
        counted = NO_CASES
    return Overview(
        calendar=deadlines.load_calendar(session),
        any_cases=any_cases,
        departments=caselist.departments(session),
        years=caselist.years(session),
        amber_days=int(settings.value(session, settings.AMBER_DAYS)),
        totals=counted,
    )


def where_is(store: Store) -> str:
    """The database as the user should read it: the file path, or the URL without its password."""
    if store.path is not None:
        return str(store.path)
    return make_url(store.target.url).render_as_string(hide_password=True)


def empty_message(store: Store) -> str:
    return (
        "<h2>数据库里还没有案件</h2>"
        "<p>点击下面的“登记申请”（Ctrl+N）登记第一件申请。</p>"
        "<p>也可以导入已有的台账或交换文件：<br>"
        "<code>python main.py import 台账.xlsx</code>（或 <code>.jsonl</code> 交换文件）</p>"
        "<p>也可以先生成一批演示案件试用：<br><code>python main.py demo</code></p>"
        f"<p style='color:#777'>数据库：{where_is(store)}</p>"
    )


class MainWindow(QMainWindow):
    """The case window: a handler's to-do list and the case they work on."""

    def __init__(
        self,
        store: Store,
        *,
        user: User | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.store = store
        self.user = user
        self._today = today
        self.runner = OperationRunner(store, self)
        # The status bar's totals are counted after the first paint (TOTALS_JOB below).
        self._overview = self.runner.read(lambda s: load_overview(s, totals=False))
        self._totals_failed = ""  # why they could not be counted, shown in their place
        self.last_message = ""  # the last refusal or warning shown, as the user read it
        self._keep_place = False
        self._scroll = 0
        self._pages: dict[str, QWidget | Callable[[], QWidget]] = {}

        self.filters = FilterBar()
        self.table = CaseTable()
        self.model = CaseTableModel(
            self.runner,
            self._overview.calendar,
            today=today,
            first_page=lambda: max(FIRST_PAGE, self.table.rows_a_screen_holds()),
            amber_days=self._overview.amber_days,
            parent=self,
        )
        self.table.setModel(self.model)
        self.table.set_column_widths()
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setAccessibleName("案件列表")
        # What a new screen of cases brings with it (the case view of its first row, the full id
        # list, at start the counts beside the quick views) waits until the list is painted.
        self.after_paint = AfterPaint(self.table.viewport(), self, parent=self)
        self.model.start_after(self.after_paint)
        # The first screens the user may ask for next, read in idle moments (gui/warmup.py).
        self.warmup = Warmup(
            self._idle, budget=None if store.is_sqlite else SERVER_READ_AHEAD, parent=self
        )
        self._detail_later = False
        self.detail = CaseDetail(
            self.runner, self._overview.calendar, today, amber_days=self._overview.amber_days
        )
        self.detail.on_escape = self.focus_list
        self.detail.set_user(user)

        self.views = ViewListModel(self)
        self.nav = QListView()
        self.nav.setModel(self.views)
        self.nav.setAccessibleName("快速视图")
        self.nav.setToolTip("快速视图：Ctrl+1 至 Ctrl+9")
        self.nav.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.nav.setMaximumWidth(170)
        self.nav.setMinimumWidth(120)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 560])
        self._main = splitter

        self.empty = QLabel(empty_message(store))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.setWordWrap(True)
        self.empty_register = QPushButton("登记申请(&N)")
        self.empty_register.setAccessibleName("登记第一件申请")
        self.empty_register.clicked.connect(self.register)
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty)
        empty_layout.addWidget(self.empty_register, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self._empty_page = empty_page
        self._stack = QStackedWidget()
        self._stack.addWidget(splitter)
        self._stack.addWidget(empty_page)

        cases_side = QWidget()
        side = QVBoxLayout(cases_side)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.filters)
        side.addWidget(self._stack, 1)
        self._pages_stack = QStackedWidget()
        self._pages_stack.addWidget(cases_side)
        self._cases_side = cases_side
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.nav)
        outer.addWidget(self._pages_stack)
        outer.setStretchFactor(1, 1)
        outer.setSizes([150, 1200])
        self._outer = outer
        self.setCentralWidget(outer)

        self._where = QLabel(f"数据库：{where_is(store)}")
        self._where.setToolTip(self._where.text())
        self._notice = QLabel()
        self._notice.setAccessibleName("今日提醒")
        self._who = QLabel()
        self._counts = QLabel()
        self._provisional = QLabel()
        self._provisional.setStyleSheet("color: #8a5a00;")
        bar = self.statusBar()
        bar.addWidget(self._notice)
        bar.addWidget(self._where, 1)
        bar.addPermanentWidget(self._provisional)
        bar.addPermanentWidget(self._counts)
        bar.addPermanentWidget(self._who)

        self._build_actions()
        self._connect()
        self.filters.set_choices(self._overview.departments, self._overview.years)
        self.table.horizontalHeader().setSortIndicator(COL_RECEIVED, Qt.SortOrder.DescendingOrder)
        if self._overview.totals is None:
            # Queued before the list's own work, so that the status bar is complete first: three
            # COUNTs over the file (13 ms at 300,000 cases, 27 ms at 1,000,000).
            self.after_paint.call(TOTALS_JOB, self._show_totals_later)
        start = View.MINE if user is not None else View.ALL
        self.model.set_query(CaseQuery(view=start, me=me_of(user)))
        self.nav.setCurrentIndex(self.views.index(self.views.row_of(start.value), 0))
        # Enabling sorting asks the model to sort by the indicator: the query it already has.
        self.table.setSortingEnabled(True)
        # The counts beside the quick views and the to-do notice cost a few COUNTs over the
        # whole file (a second on 300,000 cases): they follow once the first screen is painted,
        # as the case list's full id list does (gui/casemodel.py). A timer of its own raced the
        # paint: when building and showing the window took longer than its delay, the counts
        # came first.
        self._show_overview(view_counts=False)
        self._show_user(deadlines=False)
        self.after_paint.call(COUNTS_JOB, self._show_counts_later)
        self._restore_layout()
        for install in EXTENSIONS:
            install(self)

    # --- places for other parts of the window ----------------------------------------------

    def add_menu(self, menu: QMenu, *, before: QMenu | None = None) -> None:
        """Put a menu in the menu bar, at the end or before another one (e.g. self.case_menu)."""
        bar = self.menuBar()
        if before is not None:
            bar.insertMenu(before.menuAction(), menu)
        else:
            bar.addMenu(menu)

    def add_page(
        self, name: str, title: str, widget: QWidget | Callable[[], QWidget], tip: str = ""
    ) -> None:
        """A page beside the case list (statistics, the annual report …), listed under the views.

        Given as a function, the page is made when it is first shown (`page`): the pages of the
        menus (gui/menus.py) load the report, Excel and Word code and count the year, none of
        which the window's first screen needs.
        """
        self._pages[name] = widget
        self.views.add_page(name, title, tip)

    def page(self, name: str) -> QWidget:
        """A page added with add_page, made now if it was given as a function."""
        page = self._pages[name]
        if not isinstance(page, QWidget):
            page = self._pages[name] = page()
        if self._pages_stack.indexOf(page) < 0:
            self._pages_stack.addWidget(page)
        return page

    def show_page(self, name: str) -> None:
        self.nav.setCurrentIndex(self.views.index(self.views.row_of(f"page:{name}"), 0))

    def show_cases(self, view: View | None = None) -> None:
        key = (view or self.model.query.view).value
        self.nav.setCurrentIndex(self.views.index(self.views.row_of(key), 0))

    # --- wiring ----------------------------------------------------------------------------

    def _build_actions(self) -> None:
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        menu = self.menuBar().addMenu("案件(&C)")
        self.case_menu = menu
        self.register_action = QAction("登记申请(&N)…", self)
        self.register_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.register_action.setToolTip("登记一件新的政府信息公开申请（Ctrl+N）")
        self.register_action.triggered.connect(self.register)
        menu.addAction(self.register_action)
        refresh = QAction("刷新(&R)", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.refresh)
        menu.addAction(refresh)
        menu.addSeparator()
        self.switch_action = QAction("切换用户(&U)…", self)
        self.switch_action.triggered.connect(self.switch_user)
        menu.addAction(self.switch_action)
        menu.addSeparator()
        leave = QAction("退出(&X)", self)
        leave.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        leave.triggered.connect(self.close)
        menu.addAction(leave)
        views = self.menuBar().addMenu("视图(&V)")
        self.view_menu = views
        for n, entry in enumerate(self.views.entries):
            action = QAction(entry.title, self)
            action.setToolTip(entry.tip)
            if n < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            action.triggered.connect(lambda _c=False, k=entry.key: self.show_cases(View(k)))
            views.addAction(action)

    def _connect(self) -> None:
        self.filters.changed.connect(self._on_filters)
        self.filters.search.leave_down.connect(self.focus_list)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.open_requested.connect(self._open_detail)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.model.modelReset.connect(self._after_reset)
        # After _after_reset, so that the list's case view is queued first.
        self.model.modelReset.connect(lambda: self.after_paint.call(WARMUP_JOB, self._plan_warmup))
        self.model.counted.connect(self._on_counted)
        self.model.sort_refused.connect(self._restore_sort_indicator)
        self.model.load_failed.connect(
            lambda message: self.statusBar().showMessage(f"读取案件列表出错：{message}")
        )
        self.nav.selectionModel().currentChanged.connect(self._on_nav)
        self.runner.changed.connect(self._on_changed)
        self.runner.refused.connect(self._on_refused)
        self.runner.warned.connect(self._on_warned)
        self.runner.cancelled.connect(
            lambda action: self.statusBar().showMessage(f"已取消“{action}”，没有写入任何内容")
        )

    # --- slots -----------------------------------------------------------------------------

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
        if not self._detail_later:
            # Chosen on purpose (a registered case, the list's focus, a right click): its case
            # view now, also when the row was already current with its view still to follow.
            self.show_in_detail(self.model.case_id(row))

    def refresh(self) -> None:
        """Read everything again (another desk may have written to a shared database)."""
        self._on_changed(Changes(case_list=True, calendar=True))

    def _set_query(self, query: CaseQuery) -> None:
        self._keep_place = False
        self.model.set_query(query)

    def _on_filters(self, query: CaseQuery) -> None:
        # The filter bar knows nothing of sorting or views: those stay what the user chose.
        current = self.model.query
        self._set_query(
            replace(
                query,
                sort=current.sort,
                descending=current.descending,
                view=current.view,
                me=current.me,
            )
        )

    def _on_nav(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = str(current.data(KEY_ROLE) or "")
        if key.startswith("page:"):
            self._pages_stack.setCurrentWidget(self.page(key[5:]))
            return
        self._pages_stack.setCurrentWidget(self._cases_side)
        if key and View(key) is not self.model.query.view:
            self._set_query(replace(self.model.query, view=View(key), me=me_of(self.user)))

    def _restore_sort_indicator(self) -> None:
        from gui.casemodel import COLUMNS

        query = self.model.query
        column = next(n for n, c in enumerate(COLUMNS) if c.sort is query.sort)
        order = Qt.SortOrder.DescendingOrder if query.descending else Qt.SortOrder.AscendingOrder
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)
        self.statusBar().showMessage("该列不能排序；可以用左侧的快速视图或上方的筛选", 5000)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._detail_later:
            self.after_paint.call(DETAIL_JOB, self._show_current_case)
        else:
            self.show_in_detail(self.model.case_id(current.row()) if current.isValid() else None)

    def _show_current_case(self) -> None:
        current = self.table.currentIndex()
        self.detail.show_case(self.model.case_id(current.row()) if current.isValid() else None)

    def show_in_detail(self, case_id: int | None) -> None:
        """Show a case in the case view now (a first row's case view waiting is not wanted)."""
        self.after_paint.cancel(DETAIL_JOB)
        self.detail.show_case(case_id)

    def _open_detail(self, row: int) -> None:
        self.show_in_detail(self.model.case_id(row))
        sizes = self._main.sizes()
        if sizes[1] == 0:  # the user had dragged the pane shut: opening a case brings it back
            self._main.setSizes([sum(sizes) * 2 // 3, sum(sizes) // 3])
        self.detail.focus_current_page()

    def _after_reset(self) -> None:
        self._show_counts()
        if self._keep_place:
            # A change reloaded the list: the case the user works on stays selected and in view.
            self._keep_place = False
            shown = self.detail.case_id
            row = self.model.row_of(shown) if shown is not None else None
            if row is not None:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.table.verticalScrollBar().setValue(self._scroll)
                return
            if shown is not None:
                # The case left this view (it moved on to someone else's step): it stays open
                # in the case view, so the user sees what their action did.
                self.table.verticalScrollBar().setValue(self._scroll)
                return
        # A new query, sort or filter: back to the top, on the first row. Its case view (tens of
        # milliseconds: several queries and rich text) follows once the list is painted.
        self.table.scrollToTop()
        if self.model.rowCount() > 0:
            self._detail_later = True
            try:
                self.select_row(0)
            finally:
                self._detail_later = False
        else:
            self.show_in_detail(None)

    # --- what is read ahead, in idle moments ----------------------------------------------

    def _idle(self) -> bool:
        """Whether nothing the user asked for is under way (gui/warmup.py runs only then)."""
        return (
            self.isVisible()
            and not self.after_paint.pending()
            and self.model.total is not None  # the full id list's worker is done
            and not self.runner.busy
            and not self.filters.search_waiting()
            and QApplication.activeModalWidget() is None
            and QApplication.activePopupWidget() is None
        )

    def _plan_warmup(self) -> None:
        """Queue the first screens a user goes to from the list just shown.

        Its other sorts first (a click on a header), then its quick views, filters and a few
        searches, which stay queued behind the sorts of the lists shown later; nothing for a
        searched list.

        On a shared server, only the other sorts of the list shown, within SERVER_READ_AHEAD
        in all: the pages a read brings into the server's memory are there for every desk,
        so reading ahead buys a desk no more than its own statements compiled (a few ms of its
        next click), while the server does the work again for each desk; twenty desks opening
        at once sent it some forty-six first screens each, searches among them.
        """
        query = self.model.query
        self.warmup.done(query)
        if query.search:
            # Each of a searched list's sorts is a search of its own (up to tens of ms, on a
            # server too), and typing makes a new list at every pause: nothing is read ahead.
            return
        sorts = (
            self._prepared(replace(query, sort=column.sort, descending=descending))
            for column in COLUMNS
            if column.sort is not None
            for descending in (False, True)
        )
        if not self.store.is_sqlite:
            self.warmup.only(sorts)  # the sorts of a list the user has left are not wanted
            return
        self.warmup.first(sorts)
        me = me_of(self.user)
        nearby = [
            replace(query, view=View(entry.key), me=me)
            for entry in self.views.entries
            if not entry.key.startswith("page:")
        ]
        nearby += [replace(query, status=code) for code in vocab.STATUSES]
        nearby += [
            replace(query, warning=level)
            for level in (WarningLevel.AMBER, WarningLevel.RED, WarningLevel.OVERDUE)
        ]
        nearby.append(replace(query, include_voided=not query.include_voided))
        nearby += [replace(query, year=year) for year in self._overview.years[:2]]
        nearby += [replace(query, department=d) for d in self._overview.departments[:1]]
        nearby += [replace(query, search=term) for term in self._search_terms()]
        self.warmup.later(self._prepared(q) for q in nearby)

    def _search_terms(self) -> list[str]:
        """Terms a user might search for, from the list's first row: one, two and more
        characters of its applicant's name, its department, the start of its number."""
        row = self.model.case_row(0)
        if row is None:
            return []
        name = row.applicant_name.strip()
        found = [name[:1], name[:2], name, (row.department or "").strip(), row.no[:7]]
        return [t for t in dict.fromkeys(found) if t]

    def _prepared(self, query: CaseQuery) -> tuple[CaseQuery, Callable[[], None]]:
        return query, lambda: self.model.prepare(query)

    def _on_counted(self, _total: int) -> None:
        self._show_counts()
        self.table.fetch_if_needed()

    def _reload_in_place(self) -> None:
        self._keep_place = True
        self._scroll = self.table.verticalScrollBar().value()
        self.model.reload()

    def _on_changed(self, changes: Changes) -> None:
        if changes.settings:
            # A new 临期 threshold moves warnings everywhere: read the list again with it.
            self._overview = self.runner.read(load_overview)
            self.model.set_amber_days(self._overview.amber_days)
            self.detail.set_amber_days(self._overview.amber_days)
        if changes.case_list or changes.calendar:
            self._overview = self.runner.read(load_overview)
            self.filters.set_choices(self._overview.departments, self._overview.years)
        if changes.calendar:
            self._keep_place = True
            self._scroll = self.table.verticalScrollBar().value()
            self.model.set_calendar(self._overview.calendar)  # reloads the list
            self.detail.set_calendar(self._overview.calendar)
        elif changes.case_list:
            self._reload_in_place()
            self.detail.refresh()
        else:
            self.model.refresh_rows(changes.cases)
            if changes.touches(self.detail.case_id):
                self.detail.refresh()
        if changes.users and self.user is not None:
            self.detail.set_user(self.user)
        self._show_overview()

    def _message(self, text: str, icon: QMessageBox.Icon) -> None:
        # Not modal-blocking: the window stays usable and tests can read what was said.
        self.last_message = text
        box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._box = box

    def _on_refused(self, action: str, message: str) -> None:
        self._message(f"{action}未执行：{message}", QMessageBox.Icon.Warning)

    def _on_warned(self, action: str, warnings: tuple[Notice, ...]) -> None:
        text = "；".join(w.message for w in warnings)
        self.statusBar().showMessage(f"{action}：{text}", 15_000)
        self._message(f"{action}已保存，请注意：{text}", QMessageBox.Icon.Information)

    def _context_menu(self, point: QPoint) -> None:
        menu = self.context_menu_at(self.table.indexAt(point).row())
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(point))

    def context_menu_at(self, row: int) -> QMenu | None:
        """The right-click menu of a row: the actions the selected case allows this user."""
        case_id = self.model.case_id(row)
        if case_id is None:
            return None
        self.select_row(row)
        from gui.actionspecs import case_info, offered

        info = self.runner.read(lambda s: case_info(s, case_id, self.user))
        if info is None:
            return None
        menu = QMenu(self)
        for offer in offered(info):
            action = menu.addAction(offer.text)
            action.setToolTip(offer.tip)
            action.triggered.connect(lambda _c=False, o=offer: self.detail.open_offer(o))
        if menu.isEmpty():
            menu.addAction("（本步骤没有您可以办理的操作）").setEnabled(False)
        self._menu = menu
        return menu

    # --- who is signed in ------------------------------------------------------------------

    def register(self) -> RegistrationDialog | None:
        """Open the registration form (Ctrl+N)."""
        if self.user is None:
            self._message("请先登录再登记申请", QMessageBox.Icon.Warning)
            return None
        from gui.registration import RegistrationDialog

        dialog = RegistrationDialog(
            self.runner, self.user, self._today(), self._draft_receipt, self
        )
        dialog.registered.connect(self._show_registered)
        dialog.open()
        self.registration = dialog
        return dialog

    def _show_registered(self, case_id: int) -> None:
        if self.model.query.view not in (View.ALL, View.MINE, View.THIS_YEAR):
            self.show_cases(View.MINE)
        self.model.wait()
        row = self.model.row_of(case_id)
        if row is not None:
            self.select_row(row)
        else:
            self.show_in_detail(case_id)

    def _draft_receipt(self, case_id: int) -> None:
        self.show_in_detail(case_id)
        self.detail.show_tab("letters")
        index = self.detail.letters.kind.findData("receipt")
        if index >= 0:
            self.detail.letters.kind.setCurrentIndex(index)
            self.detail.letters.draft()

    def set_user(self, user: User | None) -> None:
        self.user = user
        self.detail.set_user(user)
        self._set_query(replace(self.model.query, me=me_of(user)))
        self._show_user()
        self._show_overview()

    def switch_user(self) -> None:
        from gui.signin import SignInDialog

        dialog = SignInDialog(self.store, self)
        if dialog.exec() == SignInDialog.DialogCode.Accepted.value and dialog.user is not None:
            self.set_user(dialog.user)

    def _show_totals_later(self) -> None:
        try:
            totals = self.runner.read(load_totals)
        except Exception as exc:  # the window stays usable; the status bar says what failed
            self._totals_failed = str(exc)
            self._show_counts()
            return
        self._overview = replace(self._overview, totals=totals)
        self._show_overview(view_counts=False)

    def _show_counts_later(self) -> None:
        try:
            self._show_view_counts()
            self._show_my_deadlines()
        except Exception as exc:  # as above: said where the counts would have been
            self.statusBar().showMessage(f"统计快速视图的件数出错：{exc}")

    def show_pending_counts(self) -> None:
        """Fill in the counts left for after the first paint now (closing, tests, benchmarks)."""
        for job in (TOTALS_JOB, COUNTS_JOB):
            later = self.after_paint.cancel(job)
            if later is not None:
                later()

    def _show_user(self, deadlines: bool = True) -> None:
        from gui.signin import user_caption

        self._who.setText(user_caption(self.user) if self.user else "未登录（只读）")
        if self.user is None:
            # Emptied, not hidden: a widget shown or hidden by hand stays out of the status bar's
            # own hiding, and would be drawn under a message shown at the same time.
            self._notice.clear()
        self.register_action.setEnabled(self.user is not None)
        self.empty_register.setVisible(self.user is not None)
        if deadlines:
            self._show_my_deadlines()

    def _show_my_deadlines(self) -> None:
        me = me_of(self.user)
        if me is None:
            return
        today = self._today()
        due, overdue = self.runner.read(lambda s: caselist.my_deadlines(s, me, today))
        if due or overdue:
            self._notice.setText(f"我的待办：今日到期 {due} 件，已逾期 {overdue} 件")
            self._notice.setStyleSheet("color:#b71c1c; font-weight:bold;")
        else:
            self._notice.setText("我的待办：今天没有到期或逾期的案件")
            self._notice.setStyleSheet("")

    def notice_text(self) -> str:
        return self._notice.text()

    def user_text(self) -> str:
        return self._who.text()

    # --- status bar ------------------------------------------------------------------------

    def _show_overview(self, view_counts: bool = True) -> None:
        o = self._overview
        self._stack.setCurrentWidget(self._main if o.any_cases else self._empty_page)
        self.filters.setEnabled(o.any_cases)
        if o.totals is not None and o.totals.provisional:
            self._provisional.setText(
                f"有 {o.totals.provisional} 件未办结案件的答复期限为暂定"
                "（所跨年份的节假日安排尚未录入）"
            )
            self._provisional.show()
        else:
            self._provisional.hide()
        if view_counts:
            self._show_view_counts()
        self._show_counts()

    def _show_view_counts(self) -> None:
        o = self._overview
        me, today, cal, amber = me_of(self.user), self._today(), o.calendar, o.amber_days
        self.views.set_counts(
            self.runner.read(lambda s: caselist.view_counts(s, me, today, cal, amber))
        )

    def _show_counts(self) -> None:
        o = self._overview.totals
        if o is None and self._totals_failed:
            text = f"统计案件数出错：{self._totals_failed}"
        elif o is None:
            text = "共 … 件"  # counted once the first screen is painted
        else:
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

    # --- remembering the layout ------------------------------------------------------------

    def _settings(self) -> QSettings:
        return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        s = self._settings()
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            pass
        else:
            # Fits a 1366×768 screen with its task bar.
            self.resize(1340, 700)
        for key, splitter in (("split_main", self._main), ("split_outer", self._outer)):
            state = s.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
        header = s.value("columns")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        s = self._settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("split_main", self._main.saveState())
        s.setValue("split_outer", self._outer.saveState())
        s.setValue("columns", self.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The store may be closed right after the window: nothing waiting may read it later.
        self.after_paint.cancel(TOTALS_JOB)
        self.after_paint.cancel(COUNTS_JOB)
        self.after_paint.cancel(DETAIL_JOB)
        self.after_paint.cancel(WARMUP_JOB)
        self.warmup.stop()
        self.model.resume_collector()  # no paint may follow to resume it
        self.save_layout()
        self.model.wait()  # let the workers finish before the store may be closed
        self.runner.wait()
        super().closeEvent(event)
