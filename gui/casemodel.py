"""The case list's table model: it holds ids, pages rows in from SQL and never sorts in Python.

A new query shows its first page at once (cases.query.caselist answers a LIMIT query from an index
in a
millisecond or two), then fetches the full id list on a worker thread; until that arrives there is
nothing more to fetch. Rows are announced one page at a time through fetchMore, and only announced
rows are ever read from the database (`fetched_rows` counts them).
"""

from __future__ import annotations

import datetime as dt
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
from gui.operations import OperationRunner

Index = QModelIndex | QPersistentModelIndex


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


WORKER_DELAY_MS = 30


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
        amber_days: int = DEFAULT_AMBER_DAYS,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._calendar = calendar
        self._page = page_size
        self._amber_days = amber_days
        self._today_fn = today
        self._today = today()
        self._query = CaseQuery()
        self._ids: list[int] = []
        self._loaded = 0  # rows announced to views (rowCount)
        self._complete = True  # whether _ids holds every match
        self._rows: dict[int, CaseRow] = {}
        self._warnings: dict[int, tuple[WarningLevel, int | None]] = {}
        self._generation = 0
        self.fetched_rows = 0  # rows read from the database since the model was made
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: Callable[[], None] | None = None
        self._starter = QTimer(self)
        self._starter.setSingleShot(True)
        self._starter.setInterval(WORKER_DELAY_MS)
        self._starter.timeout.connect(self._start_worker)
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

    def set_query(self, query: CaseQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Query again: the first page now, the full id list on the worker thread."""
        self._generation += 1
        generation = self._generation
        self._today = self._today_fn()
        query, cal, today, amber = self._query, self._calendar, self._today, self._amber_days

        def first_page(session: Session) -> tuple[list[int], dict[int, CaseRow]]:
            ids = case_ids(session, query, limit=self._page, cal=cal, today=today, amber_days=amber)
            return ids, rows_for(session, ids)

        ids, rows = self._runner.read(first_page)
        self.beginResetModel()
        self._ids, self._rows, self._warnings = ids, rows, {}
        self._loaded = len(ids)
        self._complete = len(ids) < self._page
        self.fetched_rows += len(ids)
        self.endResetModel()
        if self._complete:
            self._pending = None  # an older query's full list is not wanted any more
            self._starter.stop()
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

        # Started a moment later, once the first screen has been painted: the worker holds the GIL
        # while it builds the id list, and painting would wait for it cell by cell (measured: the
        # first screen takes twice as long). A posted zero-delay call still ran before the paint.
        # A newer query replaces a job not started yet, so fast typing queues nothing.
        self._pending = all_ids
        self._starter.start()

    def refresh_rows(self, case_ids: frozenset[int]) -> None:
        """Read changed rows again in place: selection and scroll stay where the user is."""
        shown = [i for i in case_ids if i in self._rows]
        if not shown:
            return
        rows = self._runner.read(lambda s: rows_for(s, shown))
        for case_id in shown:
            self._warnings.pop(case_id, None)
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
        if self._starter.isActive():
            self._starter.stop()
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
            self._rows, self._warnings = {}, {}
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
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._loaded:
            return None
        case_id = self._ids[index.row()]
        if role == CASE_ID_ROLE:
            return case_id
        row = self._rows.get(case_id)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == WARNING_ROLE:
            return self._warning(row)[0].value
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_NO and row.demo:
            return demo_badge()
        if role == Qt.ItemDataRole.BackgroundRole and column == COL_REMAINING:
            colours = WARNING_COLOURS.get(self._warning(row)[0])
            return QBrush(QColor(colours[0])) if colours else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_REMAINING:
                colours = WARNING_COLOURS.get(self._warning(row)[0])
                if colours:
                    return QBrush(QColor(colours[1]))
            return QBrush(QColor(VOIDED_COLOUR)) if row.voided else None
        if role == Qt.ItemDataRole.FontRole and row.voided:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_REMAINING:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    # --- cell contents ---------------------------------------------------------------------------

    def _warning(self, row: CaseRow) -> tuple[WarningLevel, int | None]:
        # Worked out for rows that are painted, once each: a few bisects in the calendar.
        found = self._warnings.get(row.id)
        if found is None:
            found = row_warning(row, self._today, self._calendar, self._amber_days)
            self._warnings[row.id] = found
        return found

    def _text(self, row: CaseRow, column: int) -> str:
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
