"""The repeats and similar-cases panel of the case view: earlier requests, the month, the wording.

Nothing here changes the case: choosing 不予处理-重复申请 or an earlier reply's wording only
emits a signal for the case view, which opens its own outcome dialog with the choice filled in
for the handler to confirm (or, where this step cannot choose an outcome, says so here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases.rules.workflow import handbook
from cases.storage.model import Case
from gui.operations import OperationRunner

if TYPE_CHECKING:
    from cases.assist import repeats, similar

COLUMNS = ("相似度", "案件编号", "收到日期", "办理结果", "已发文书", "申请内容")


class SimilarPanel(QWidget):
    """Shows the repeats report and the similar earlier cases of the case in view."""

    repeat_chosen = Signal(str, str)  # (earlier case number as ground, why), for the outcome form
    # The earlier case (similar.SimilarCase) whose finding the handler wants to reuse: its
    # outcome, reasons and statement, for this case's outcome form.
    wording_chosen = Signal(object)

    def __init__(self, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._case_id: int | None = None
        self.found: list[similar.SimilarCase] = []
        self.report: repeats.RepeatReport | None = None
        self.month = QLabel()
        self.month.setWordWrap(True)
        self.earlier = QLabel()
        self.earlier.setWordWrap(True)
        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        self.use_repeat = QPushButton("采用：不予处理-重复申请")
        self.use_repeat.clicked.connect(self._choose_repeat)
        self.crowd = QLabel()
        self.crowd.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.currentCellChanged.connect(self._selected)
        self.wording = QPlainTextEdit()
        self.wording.setReadOnly(True)
        self.wording.setMaximumHeight(90)
        self.reuse = QPushButton("引用此答复的表述")
        self.reuse.setToolTip(
            "打开“确定办理结果”，填入这件在先案件的办理结果、理由和写入文书的说明，由承办人确认"
        )
        self.reuse.clicked.connect(self._reuse)
        self.reuse_note = QLabel()
        self.reuse_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.month)
        layout.addWidget(self.earlier)
        row = QHBoxLayout()
        row.addWidget(self.suggestion, 1)
        row.addWidget(self.use_repeat)
        layout.addLayout(row)
        layout.addWidget(self.crowd)
        self.heading = QLabel("相似的在先案件")
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.wording)
        row = QHBoxLayout()
        row.addWidget(self.reuse)
        row.addWidget(self.reuse_note, 1)
        layout.addLayout(row)
        self._clear()

    def show_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        if self._case_id is None:
            self._clear()
            return
        case_id = self._case_id
        # Imported on the first case shown, not with the case view built before the first paint.
        from cases.assist import repeats, similar

        def load(session: Session) -> tuple[list[similar.SimilarCase], repeats.RepeatReport]:
            case = session.get(Case, case_id)
            assert case is not None
            return similar.similar_to_case(session, case), repeats.find_repeats(session, case)

        self.found, self.report = self._runner.read(load)
        rep = self.report
        self.month.setText(rep.month.explanation)
        self.month.setStyleSheet("color: #b3261e;" if rep.month.excessive else "")
        if rep.earlier:
            lines = [f"同一申请人在先申请：{e.found.no}（{e.why}）" for e in rep.earlier]
            self.earlier.setText("\n".join(lines))
        else:
            self.earlier.setText("没有发现同一申请人就相同信息的在先申请")
        self.suggestion.setText(rep.suggestion.explanation if rep.suggestion else "")
        self.use_repeat.setVisible(rep.suggestion is not None)
        self.crowd.setText(rep.crowd_suggestion or "")
        self.table.setRowCount(len(self.found))
        self.heading.setText(
            f"相似的在先案件（{len(self.found)}件，最相似的在前）"
            if self.found
            else "相似的在先案件：没有找到申请内容相近的在先案件"
        )
        labels = {o.code: o.label for o in handbook().outcomes}
        for row, f in enumerate(self.found):
            values = (
                f"{f.score:.0%}",
                f.no,
                f.received.isoformat(),
                labels.get(f.outcome_code or "", "办理中"),
                similar.letters_text(f),
                f.description,
            )
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        if self.found:
            self.table.setCurrentCell(0, 0)
        else:
            self._selected(-1)

    def rows(self) -> list[tuple[str, ...]]:
        return [
            tuple(_text(self.table.item(r, c)) for c in range(self.table.columnCount()))
            for r in range(self.table.rowCount())
        ]

    def _clear(self) -> None:
        self.found, self.report = [], None
        for label in (self.month, self.earlier, self.suggestion, self.crowd):
            label.clear()
        self.use_repeat.setVisible(False)
        self.table.setRowCount(0)
        self.heading.setText("相似的在先案件")
        self._selected(-1)

    def _selected(self, row: int, *_: object) -> None:
        chosen = self.found[row] if 0 <= row < len(self.found) else None
        words = ""
        if chosen is not None:
            from cases.assist import similar

            words = similar.wording(chosen)
        self.wording.setPlainText(words)
        self.reuse.setEnabled(bool(words))
        self.reuse_note.clear()

    def _reuse(self) -> None:
        row = self.table.currentRow()
        words = self.wording.toPlainText()
        if words and 0 <= row < len(self.found):
            self.wording_chosen.emit(self.found[row])

    def copied_instead(self, why: str) -> None:
        """The outcome cannot be chosen now: the wording goes to the clipboard, and why is said."""
        QApplication.clipboard().setText(self.wording.toPlainText())
        self.reuse_note.setText(f"{why}；这段表述已复制，确定办理结果时可以粘贴。")

    def _choose_repeat(self) -> None:
        if self.report is not None and self.report.suggestion is not None:
            s = self.report.suggestion
            self.repeat_chosen.emit(s.ground.found.no, s.explanation)


def _text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""
