"""Table 二 (第二十条 figures entered by hand) as an editable list: one row per figure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from cases.documents.report import Table2Key, table2_keys

COLUMNS = ("部分", "信息内容", "项目", "数值")
VALUE = 3
AnyIndex = QModelIndex | QPersistentModelIndex


class Table2Model(QAbstractTableModel):
    """The figures as typed; the core checks them when they are saved (nothing is parsed here)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys: tuple[Table2Key, ...] = table2_keys()
        self._text: dict[Table2Key, str] = {}
        self._saved: dict[Table2Key, str] = {}

    def load(self, values: Mapping[Table2Key, Decimal]) -> None:
        self.beginResetModel()
        self._saved = {k: format(v, "f") for k, v in values.items()}
        self._text = dict(self._saved)
        self.endResetModel()

    def values(self) -> dict[Table2Key, str]:
        """Every figure as typed, empty ones included (an empty figure removes a saved one)."""
        return {k: self._text.get(k, "") for k in self._keys}

    @property
    def dirty(self) -> bool:
        return any(self._text.get(k, "") != self._saved.get(k, "") for k in self._keys)

    def key(self, row: int) -> Table2Key:
        return self._keys[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._keys):
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._keys):
            return None
        key = self._keys[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text.get(key, "") if index.column() == VALUE else key[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == VALUE else base

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != VALUE or role != Qt.ItemDataRole.EditRole:
            return False
        self._text[self._keys[index.row()]] = str(value).strip() if value is not None else ""
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        return True
