"""What every settings section shares: the runner, the signed-in user, read-only for non-admins."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from cases.storage.model import User
from gui.operations import OperationRunner

ADMIN = "admin"
READ_ONLY_NOTE = "只有管理员可以修改这些设置；您可以查看。"


class Section(QWidget):
    """One settings section: `reload` reads it again, `editable` says if the user may change it."""

    title = ""

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self._user = user

    @property
    def user(self) -> User | None:
        return self._user()

    def editable(self) -> bool:
        user = self._user()
        return user is not None and user.active and ADMIN in user.role_set

    def reload(self) -> None:
        raise NotImplementedError

    @staticmethod
    def note(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet("color: #555;")
        return label

    def lay_out_list(
        self, headers: Sequence[str], intro: str, buttons: Sequence[QPushButton]
    ) -> None:
        """A list section: the intro, the read-only note, a table of whole rows, the buttons."""
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        self.read_only = self.note(READ_ONLY_NOTE)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note(intro))
        layout.addWidget(self.read_only)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
