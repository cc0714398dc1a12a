"""The review-file strip of the case view: the deadline to answer a review or suit, and one button
that writes the 答复材料 (.docx and the folder of originals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget
from sqlalchemy.orm import Session

from cases.storage.model import Case
from gui.operations import OperationRunner

if TYPE_CHECKING:
    from cases.assist import review_file

LEVEL_STYLE = {"amber": "color: #8a5a00;", "red": "color: #b3261e;", "overdue": "color: #b3261e;"}


class ReviewFilePanel(QWidget):
    """Shows each open review's answer deadline with its warning level; writes the file."""

    written = Signal(str)  # path of the .docx

    def __init__(
        self,
        runner: OperationRunner,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._today = today
        self._case_id: int | None = None
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.button = QPushButton("生成复议、诉讼答复材料…")
        self.button.clicked.connect(self._ask_folder)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.deadline, 1)
        layout.addWidget(self.button)
        self.show_case(None)

    def show_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        if case_id is None:
            self.deadline.clear()
            self.button.setEnabled(False)
            return
        # Imported on the first case shown, not with the case view built before the first paint.
        from cases.assist import review_file

        def load(session: Session) -> tuple[list[review_file.AnswerDeadline], bool]:
            case = session.get(Case, case_id)
            assert case is not None
            return review_file.answer_deadlines(session, case), bool(case.reviews)

        deadlines, has_reviews = self._runner.read(load)
        today = self._today()
        lines, style = [], ""
        for d in deadlines:
            level = d.level(today)
            mark = f"（{level.label}）" if level.label else ""
            lines.append(d.explanation() + mark)
            style = LEVEL_STYLE.get(level.value, style)
        self.deadline.setText("\n".join(lines))
        self.deadline.setStyleSheet(style)
        self.button.setEnabled(has_reviews)
        self.setVisible(has_reviews)

    def write_to(self, folder: Path) -> Path | None:
        """Write the file into `folder` (the button asks for it); returns the .docx path."""
        if self._case_id is None:
            return None
        case_id = self._case_id
        from cases.assist import review_file

        def make(session: Session) -> review_file.ReviewFile:
            case = session.get(Case, case_id)
            assert case is not None
            return review_file.write_review_file(session, case, folder)

        made = self._runner.read(make)
        self.written.emit(str(made.docx))
        return made.docx

    def _ask_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "答复材料保存到")
        if chosen:
            self.write_to(Path(chosen))
