"""The refusals of an import (where, field, what) as a small table model the clerk can sort."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from cases.interchange.records import Problem
from cases.interchange.transfer import PROBLEM_HEADERS

AnyIndex = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole


def natural(text: str) -> str:
    """台账 第9行 before 台账 第10行: numbers compared as numbers when the table is sorted."""
    return re.sub(r"\d+", lambda m: m.group().zfill(10), text)


class ProblemModel(QAbstractTableModel):
    """A list of Problems; small (one import's errors), so a proxy may sort it in memory."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Problem] = []

    def set_problems(self, problems: Sequence[Problem]) -> None:
        self.beginResetModel()
        self._rows = list(problems)
        self.endResetModel()

    @property
    def problems(self) -> list[Problem]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PROBLEM_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(PROBLEM_HEADERS):
            return PROBLEM_HEADERS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        text = (p.where, p.field, p.message)[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == SORT_ROLE:
            return natural(text)
        return None
