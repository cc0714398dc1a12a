"""The proactive-disclosure page (建议主动公开, 条例 44): what many applicants asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cases.assist import repeats
from cases.rules.handbook import cite
from gui.operations import OperationRunner, Task

COLUMNS = ("申请人数", "申请件数", "申请内容", "承办部门", "案件编号")


class ProactivePage(QWidget):
    """Lists the requests that several applicants made in a period, most applicants first."""

    def __init__(
        self,
        runner: OperationRunner,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self.candidates: list[repeats.DisclosureCandidate] = []
        self.task: Task[list[repeats.DisclosureCandidate]] | None = None
        start = today() - dt.timedelta(days=365)
        self._since = start
        self.since = QDateEdit(QDate(start.year, start.month, start.day))
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.load_button = QPushButton("查找")
        self.load_button.clicked.connect(self.refresh)
        self.note = QLabel(
            "多位申请人申请了相同的信息时，可以建议政府信息公开工作机构将其纳入主动公开范围"
            f"（{cite('proactive')}）。这里只列出建议，是否公开由本机关决定。"
        )
        self.note.setWordWrap(True)
        self.summary = QLabel()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        top = QHBoxLayout()
        top.addWidget(QLabel("收到日期自"))
        top.addWidget(self.since)
        top.addWidget(self.load_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self) -> Task[list[repeats.DisclosureCandidate]]:
        """Look for candidates off the GUI thread: a year of a city's cases takes seconds."""
        q = self.since.date()
        since = dt.date(q.year(), q.month(), q.day())
        self.load_button.setEnabled(False)
        self.summary.setText("正在查找……")
        self._since = since
        self.task = self._runner.run(
            "查找主动公开建议",
            lambda s, progress: repeats.proactive_candidates(s, since, progress=progress),
            on_done=self._show,
            parent=self,
        )
        self.task.done.connect(self._finished)
        return self.task

    def _finished(self) -> None:
        self.load_button.setEnabled(True)

    def _show(self, found: list[repeats.DisclosureCandidate]) -> None:
        self.candidates = found
        self.summary.setText(f"共{len(self.candidates)}项建议（{self._since.isoformat()}以来）")
        self.table.setRowCount(len(self.candidates))
        for row, c in enumerate(self.candidates):
            numbers = "、".join(no for _, no in c.cases[:20])
            if len(c.cases) > 20:
                numbers += f"等{len(c.cases)}件"
            values = (
                str(c.applicants),
                str(len(c.cases)),
                c.description + (f"（共{c.wordings}种表述）" if c.wordings > 1 else ""),
                "、".join(c.departments),
                numbers,
            )
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))

    def rows(self) -> list[tuple[str, ...]]:
        return [
            tuple(_text(self.table.item(r, c)) for c in range(self.table.columnCount()))
            for r in range(self.table.rowCount())
        ]


def _text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""
