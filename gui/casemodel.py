"""The case list's table model: it holds ids, pages rows in from SQL and never sorts in Python.

A new query shows its first page at once (cases.query.caselist answers a LIMIT query from an index
in a
millisecond or two), then fetches the full id list on a worker thread; until that arrives there is
nothing more to fetch. Rows are announced one page at a time through fetchMore, and only announced
rows are ever read from the database (`fetched_rows` counts them).
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPixmap
from sqlalchemy.orm import Session

from cases.query.caselist import (
    DEFAULT_AMBER_DAYS,
    CaseQuery,
    CaseRow,
    SortKey,
    case_ids,
    row_warning,
    rows_for,
)
from cases.rules import vocab
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import WarningLevel
from gui import labels
from gui.afterpaint import AfterPaint
from gui.operations import OperationRunner

Index = QModelIndex | QPersistentModelIndex
# One painted cell: display text, font, alignment, foreground, decoration, background (or None).
Painted = tuple[str, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class Column:
    title: str
    sort: SortKey | None  # None: the database has no index for it, the column does not sort
    width: int


# The to-do columns first, so that a narrow list pane beside the case view still shows them.
COLUMNS: tuple[Column, ...] = (
    Column("编号", SortKey.NO, 144),  # room for the 演示 badge of a demo case
    Column("申请人", SortKey.APPLICANT, 130),
    Column("当前环节", SortKey.STEP, 64),
    Column("剩余工作日", SortKey.REMAINING, 78),
    Column("答复期限", SortKey.DUE, 96),
    Column("承办人", SortKey.HANDLER, 64),
    Column("状态", SortKey.STATUS, 64),
    Column("收到日期", SortKey.RECEIVED, 86),
    Column("申请人类型", SortKey.APPLICANT_TYPE, 80),
    Column("渠道", SortKey.CHANNEL, 100),
    Column("承办部门", SortKey.DEPARTMENT, 136),
    Column("办理结果", SortKey.OUTCOME, 160),
)
COL_NO, COL_APPLICANT, COL_STEP, COL_REMAINING, COL_DUE, COL_HANDLER = range(6)
COL_STATUS, COL_RECEIVED, COL_TYPE, COL_CHANNEL, COL_DEPARTMENT, COL_OUTCOME = range(6, 12)

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
WARNING_ROLE = Qt.ItemDataRole.UserRole + 2

# domain.md §2 warning levels: amber, red, and 逾期 (past due) darker still.
WARNING_COLOURS: dict[WarningLevel, tuple[str, str]] = {
    WarningLevel.AMBER: ("#ffe08a", "#5c4300"),
    WarningLevel.RED: ("#f4a3a3", "#5c0000"),
    WarningLevel.OVERDUE: ("#b71c1c", "#ffffff"),
}
VOIDED_COLOUR = "#8a8a8a"
DEMO_COLOURS = ("#fff0d6", "#b35c00")  # background, text of the 演示 badge
_badge: list[QPixmap] = []


def demo_badge() -> QPixmap:
    """The small 演示 tag beside the number of a demo case, drawn once."""
    if not _badge:
        font = QFont()
        font.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        size = QFontMetrics(font).size(0, labels.DEMO_MARK)
        pixmap = QPixmap(size.width() + 8, size.height() + 2)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor(DEMO_COLOURS[0]))
        painter.setPen(QColor(DEMO_COLOURS[1]))
        painter.drawRoundedRect(pixmap.rect().adjusted(0, 0, -1, -1), 3, 3)
        painter.setFont(font)
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, labels.DEMO_MARK)
        painter.end()
        _badge.append(pixmap)
    return _badge[0]


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_CASE_ID = int(CASE_ID_ROLE)
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_CELL_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags

WORKER_DELAY_MS = 30
IDS_JOB = "case ids"  # the full id list's worker, queued after the view's paint
FREE_JOB = "free ids"  # the replaced full id list, let go after the paint
COLLECTOR_JOB = "list collector"  # the cycle collector running again, after a new list's paint


class _Relay(QObject):
    """Carries the worker thread's result back to the model's thread (a queued signal)."""

    done = Signal(int, object)
    failed = Signal(int, str)


class CaseTableModel(QAbstractTableModel):
    """Ids of the cases matching a CaseQuery, in the database's order; rows paged in."""

    counted = Signal(int)  # the full id list is in: how many cases match
    sort_refused = Signal()  # a column without an index was clicked: the order stays
    load_failed = Signal(str)

    def __init__(
        self,
        runner: OperationRunner,
        calendar: WorkCalendar,
        *,
        page_size: int = 100,
        first_page: Callable[[], int] | None = None,
        amber_days: int = DEFAULT_AMBER_DAYS,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._calendar = calendar
        self._page = page_size
        # How many rows a new list's first read holds (what a screen shows), by default a page;
        # a list read again after a change reads a page, so that selection and scroll stay.
        self._first_page = first_page or (lambda: page_size)
        self._amber_days = amber_days
        self._today_fn = today
        self._today = today()
        self._query = CaseQuery()
        self._ids: list[int] = []
        self._loaded = 0  # rows announced to views (rowCount)
        self._complete = True  # whether _ids holds every match
        self._rows: dict[int, CaseRow] = {}
        self._warnings: dict[int, tuple[WarningLevel, int | None]] = {}
        self._texts: dict[int, tuple[str, ...]] = {}  # each painted row's cells, made once
        self._generation = 0
        self.fetched_rows = 0  # rows read from the database since the model was made
        # How long the last new list's first read took, wall and CPU seconds: what of its first
        # screen was the database's, the rest the window's own (bench/bench_gui.py).
        self.last_read: tuple[float, float] = (0.0, 0.0)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: Callable[[], None] | None = None
        self._starter = QTimer(self)
        self._starter.setSingleShot(True)
        self._starter.setInterval(WORKER_DELAY_MS)
        self._starter.timeout.connect(self._start_worker)
        self._after: AfterPaint | None = None
        # Whether this model paused the cycle collector for a first screen (_pause_collector);
        # in a list, so that the model's deletion can resume it without the model.
        self._collector_paused = [False]
        self.destroyed.connect(lambda *_, paused=self._collector_paused: _resume(paused))
        self._discarded: list[list[int]] = []  # replaced id lists, freed after the paint
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_all_ids)
        self._relay.failed.connect(self._on_failed)

    # --- what the list is showing ----------------------------------------------------------------

    @property
    def query(self) -> CaseQuery:
        return self._query

    @property
    def today(self) -> dt.date:
        return self._today

    @property
    def total(self) -> int | None:
        """How many cases match, or None while the full id list is still being fetched."""
        return len(self._ids) if self._complete else None

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < self._loaded else None

    def row_of(self, case_id: int) -> int | None:
        """The row of a case among the rows announced so far."""
        try:
            row = self._ids.index(case_id, 0, self._loaded)
        except ValueError:
            return None
        return row

    def case_row(self, row: int) -> CaseRow | None:
        case_id = self.case_id(row)
        return None if case_id is None else self._rows.get(case_id)

    def set_calendar(self, calendar: WorkCalendar) -> None:
        self._calendar = calendar
        self.reload()

    def set_amber_days(self, days: int) -> None:
        self._amber_days = days
        self.reload()

    def start_after(self, after: AfterPaint) -> None:
        """Start each full id list once the view has painted the first page, not after a delay."""
        self._after = after

    def set_query(self, query: CaseQuery) -> None:
        """Show a new list: what the screen shows first, then the full id list."""
        self._pause_collector()
        self._query = query
        self._load(self._first_page())

    def reload(self) -> None:
        """Query again after a change: a page first, as before, so the user keeps their place."""
        self._pause_collector()
        self._load(self._page)

    def _load(self, first: int) -> None:
        """The first `first` rows now, the full id list on the worker thread."""
        self._generation += 1
        generation = self._generation
        self._today = self._today_fn()
        query, cal, today, amber = self._query, self._calendar, self._today, self._amber_days
        began, cpu = time.perf_counter(), time.process_time()
        ids, rows = self._runner.read(self._first_screen(query, first, today))
        self.last_read = (time.perf_counter() - began, time.process_time() - cpu)
        self.beginResetModel()
        if self._after is not None and len(self._ids) > self._page:
            # Freeing the last full id list (a million ints at most) takes milliseconds that
            # the new first screen need not wait for: it is let go after the paint.
            self._discarded.append(self._ids)
            self._after.call(FREE_JOB, self._discarded.clear)
        self._ids, self._rows, self._warnings, self._texts = ids, rows, {}, {}
        self._loaded = len(ids)
        self._complete = len(ids) < first
        self.fetched_rows += len(ids)
        self.endResetModel()
        if self._complete:
            self._pending = None  # an older query's full list is not wanted any more
            self._starter.stop()
            if self._after is not None:
                self._after.cancel(IDS_JOB)
            self.counted.emit(len(ids))
            return

        def all_ids() -> None:
            try:
                found = self._runner.read(
                    lambda s: case_ids(s, query, cal=cal, today=today, amber_days=amber)
                )
            except Exception as exc:  # reported in the window; the first page stays usable
                self._relay.failed.emit(generation, str(exc))
            else:
                self._relay.done.emit(generation, found)

        # Started once the first screen has been painted: the worker holds the GIL while it builds
        # the id list, and painting would wait for it cell by cell (measured: the first screen
        # takes twice as long). In the window that is after the view's paint (gui/afterpaint.py);
        # a model without a view waits a moment. A newer query replaces a job not started yet, so
        # fast typing queues nothing.
        self._pending = all_ids
        if self._after is not None:
            self._after.call(IDS_JOB, self._start_worker)
        else:
            self._starter.start()

    def _pause_collector(self) -> None:
        """Pause the cycle collector until the view has painted the new first screen.

        A new list's read and the view's paint make thousands of objects (a search's probes,
        the rows, the cells' texts), and the collector, counting them, ran within the first
        screen now and then: mostly a young generation (0.3 ms), but a few times in a run of
        the benchmark's 66 lists and searches an older one, 12-14 ms of a first screen of
        20-30. Paused, it runs after the paint, on the next allocation that reaches its
        threshold. A collector paused by someone else (the window's start-up, gui/app.py)
        stays theirs to resume; a model without a view pauses nothing.
        """
        if self._after is None:
            return
        if not self._collector_paused[0]:
            if not gc.isenabled():
                return
            gc.disable()
            self._collector_paused[0] = True
        if not self._after.pending(COLLECTOR_JOB):
            self._after.call(COLLECTOR_JOB, self.resume_collector)

    def resume_collector(self) -> None:
        """Let the cycle collector run again if this model paused it (after the paint, closing)."""
        if self._after is not None:
            self._after.cancel(COLLECTOR_JOB)
        _resume(self._collector_paused)

    def _first_screen(
        self, query: CaseQuery, first: int, today: dt.date
    ) -> Callable[[Session], tuple[list[int], dict[int, CaseRow]]]:
        """What a new list reads first: its first `first` ids and their rows."""
        cal, amber = self._calendar, self._amber_days

        def read(session: Session) -> tuple[list[int], dict[int, CaseRow]]:
            ids = case_ids(session, query, limit=first, cal=cal, today=today, amber_days=amber)
            return ids, rows_for(session, ids)

        return read

    def prepare(self, query: CaseQuery) -> None:
        """Read the first screen a new list of `query` would read, and let it go.

        The same statements as set_query sends (gui/warmup.py says why): what they return is
        not kept, so a later set_query reads and shows the file as it is then.
        """
        self._runner.read(self._first_screen(query, self._first_page(), self._today_fn()))

    def refresh_rows(self, case_ids: frozenset[int]) -> None:
        """Read changed rows again in place: selection and scroll stay where the user is."""
        shown = [i for i in case_ids if i in self._rows]
        if not shown:
            return
        rows = self._runner.read(lambda s: rows_for(s, shown))
        for case_id in shown:
            self._warnings.pop(case_id, None)
            self._texts.pop(case_id, None)
            if case_id in rows:
                self._rows[case_id] = rows[case_id]
            row = self.row_of(case_id)
            if row is not None:
                last = self.index(row, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(row, 0), last)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the full id list is fetched (closing the window, benchmarks).

        The result still arrives through the event loop, as a queued signal.
        """
        if self._pending is not None:
            self._starter.stop()
            if self._after is not None:
                self._after.cancel(IDS_JOB)
            self._start_worker()
        return self._pool.waitForDone(msecs)

    def _start_worker(self) -> None:
        job, self._pending = self._pending, None
        if job is not None:
            self._pool.start(job)

    @Slot(int, object)
    def _on_all_ids(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return  # a newer query was started meanwhile
        if ids[: self._loaded] != self._ids[: self._loaded]:
            # The file changed between the two queries (another desk wrote): start over clean.
            self.beginResetModel()
            self._ids = ids
            self._rows, self._warnings, self._texts = {}, {}, {}
            self._loaded = 0
            self._complete = True
            self.endResetModel()
            if self.canFetchMore(QModelIndex()):
                self.fetchMore(QModelIndex())
        else:
            self._ids = ids
            self._complete = True
        self.counted.emit(len(ids))

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.load_failed.emit(message)

    # --- Qt model interface ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._loaded < len(self._ids)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        start = self._loaded
        count = min(self._page, len(self._ids) - start)
        if count <= 0:
            return
        page = self._ids[start : start + count]
        rows = self._runner.read(lambda s: rows_for(s, page))
        self.fetched_rows += count
        # count rows, numbered start .. start + count - 1 (the last one inclusive).
        self.beginInsertRows(QModelIndex(), start, start + count - 1)
        self._rows.update(rows)
        self._loaded += count
        self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                if COLUMNS[section].sort is None:
                    return f"“{COLUMNS[section].title}”不能排序；可用快速视图筛选"
                return f"点击按“{COLUMNS[section].title}”排序，再点一次反向"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _CELL_FLAGS if index.isValid() else _NO_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort
        if key is None:
            self.sort_refused.emit()
            return
        descending = order == Qt.SortOrder.DescendingOrder
        wanted = replace(self._query, sort=key, descending=descending)
        if wanted != self._query:
            self.set_query(wanted)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called for every role of every painted cell (seven per cell, about a thousand times a
        # screen): roles are compared as plain ints and each answer is one dictionary step away.
        r = index.row()  # -1 for an invalid index
        if r < 0 or r >= self._loaded:
            return None
        case_id = self._ids[r]
        if role == _CASE_ID:
            return case_id
        row = self._rows.get(case_id)
        if row is None:
            return None
        if role == _DISPLAY:
            texts = self._texts.get(case_id)
            if texts is None:
                texts = self._texts[case_id] = tuple(
                    self._text(row, c) for c in range(len(COLUMNS))
                )
            return texts[index.column()]
        answer = _ROLE_ANSWERS.get(role)
        return None if answer is None else answer(self, row, index.column())

    def painted(self, row: int, column: int) -> Painted | None:
        """What the table's delegate paints in one cell, in one call (gui/celldelegate.py).

        The answers data() gives the roles QStyledItemDelegate asks for (display, font,
        alignment, foreground, decoration, background), from the same methods; None for a row
        not announced or not read.
        """
        if row < 0 or row >= self._loaded:
            return None
        case_id = self._ids[row]
        case_row = self._rows.get(case_id)
        if case_row is None:
            return None
        texts = self._texts.get(case_id)
        if texts is None:
            texts = self._texts[case_id] = tuple(
                self._text(case_row, c) for c in range(len(COLUMNS))
            )
        return (
            texts[column],
            self._font(case_row, column),
            self._alignment(case_row, column),
            self._foreground(case_row, column),
            self._decoration(case_row, column),
            self._background(case_row, column),
        )

    def _warning_value(self, row: CaseRow, _column: int) -> Any:
        return self._warning(row)[0].value

    def _tooltip_of(self, row: CaseRow, column: int) -> Any:
        return self._tooltip(row, column)

    def _decoration(self, row: CaseRow, column: int) -> Any:
        return demo_badge() if column == COL_NO and row.demo else None

    def _background(self, row: CaseRow, column: int) -> Any:
        if column != COL_REMAINING:
            return None
        return _brushes().get((self._warning(row)[0], 0))

    def _foreground(self, row: CaseRow, column: int) -> Any:
        if column == COL_REMAINING:
            brush = _brushes().get((self._warning(row)[0], 1))
            if brush is not None:
                return brush
        return _brushes()[VOIDED_COLOUR] if row.voided else None

    def _font(self, row: CaseRow, _column: int) -> Any:
        if not row.voided:
            return None
        font = QFont()  # the application's font as it is now, struck through
        font.setStrikeOut(True)
        return font

    def _alignment(self, _row: CaseRow, column: int) -> Any:
        return _CENTRED if column == COL_REMAINING else None

    # --- cell contents ---------------------------------------------------------------------------

    def _warning(self, row: CaseRow) -> tuple[WarningLevel, int | None]:
        # Worked out for rows that are painted, once each: a few bisects in the calendar.
        found = self._warnings.get(row.id)
        if found is None:
            found = row_warning(row, self._today, self._calendar, self._amber_days)
            self._warnings[row.id] = found
        return found

    def _text(self, row: CaseRow, column: int) -> str:
        # Read once per painted row (data() keeps the row's texts until the row is read again).
        if column == COL_NO:
            return row.no
        if column == COL_RECEIVED:
            return labels.cn_date(row.received)
        if column == COL_APPLICANT:
            return row.applicant_name
        if column == COL_TYPE:
            return labels.label(vocab.APPLICANT_TYPES, row.applicant_type)
        if column == COL_CHANNEL:
            return labels.label(vocab.CHANNELS, row.channel)
        if column == COL_DEPARTMENT:
            return row.department or ""
        if column == COL_STATUS:
            return "已作废" if row.voided else labels.label(vocab.STATUSES, row.status)
        if column == COL_DUE:
            if row.due is None:
                return "（中止计时）" if row.status == "suspended" else ""
            return labels.cn_date(row.due) + ("（暂定）" if row.due_provisional else "")
        if column == COL_REMAINING:
            return labels.remaining_text(*self._warning(row))
        if column == COL_OUTCOME:
            return labels.outcome_label(row.outcome_code)
        if column == COL_HANDLER:
            return row.handler or ""
        if column == COL_STEP:
            return labels.step_name(row.step)
        return ""

    def _tooltip(self, row: CaseRow, column: int) -> str | None:
        if column == COL_NO and row.demo:
            return labels.DEMO_TIP
        if column == COL_DUE and row.due_provisional:
            return "该期限跨入尚未录入节假日安排的年份，按周末计算，为暂定期限"
        if column == COL_REMAINING:
            level, left = self._warning(row)
            if left is None:
                return None
            if level is WarningLevel.OVERDUE:
                # The day after a Friday due date is a Saturday: 0 working days late, but late.
                late = f" {-left} 个工作日" if left < 0 else ""
                return f"已超过答复期限（{row.due}）{late}"
            if level is WarningLevel.RED:
                return "今天是答复期限的最后一天"
            return f"距答复期限还有 {left} 个工作日（{self._amber_days} 个工作日以内为临期）"
        if column == COL_APPLICANT:
            return row.applicant_name
        return None


def _resume(paused: list[bool]) -> None:
    if paused[0]:
        paused[0] = False
        gc.enable()


# Every role but the display text and the case id: what answers it. Roles not listed (check
# state, size hint …) have no value here.
_ROLE_ANSWERS: dict[int, Callable[[CaseTableModel, CaseRow, int], Any]] = {
    int(WARNING_ROLE): CaseTableModel._warning_value,
    int(Qt.ItemDataRole.ToolTipRole): CaseTableModel._tooltip_of,
    int(Qt.ItemDataRole.DecorationRole): CaseTableModel._decoration,
    int(Qt.ItemDataRole.BackgroundRole): CaseTableModel._background,
    int(Qt.ItemDataRole.ForegroundRole): CaseTableModel._foreground,
    int(Qt.ItemDataRole.FontRole): CaseTableModel._font,
    int(Qt.ItemDataRole.TextAlignmentRole): CaseTableModel._alignment,
}
_made: dict[str, Any] = {}


def _brushes() -> dict[object, QBrush]:
    """The warning colours as brushes, (level, 0) the cell, (level, 1) its text; made once."""
    found = _made.get("brushes")
    if found is None:
        found = {VOIDED_COLOUR: QBrush(QColor(VOIDED_COLOUR))}
        for level, colours in WARNING_COLOURS.items():
            found[(level, 0)] = QBrush(QColor(colours[0]))
            found[(level, 1)] = QBrush(QColor(colours[1]))
        _made["brushes"] = found
    return found
