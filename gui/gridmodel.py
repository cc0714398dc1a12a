"""A table of merged cells (the report's official layout) as a Qt model: one cell per grid slot."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTableView

from cases.documents.report_export import _Cell, _Grid

HEADER_BACKGROUND = QColor("#eef1f5")
AnyIndex = QModelIndex | QPersistentModelIndex


class GridModel(QAbstractTableModel):
    """The cells of a report table; a merged cell answers at its top-left slot only.

    The grid comes from cases.documents.report_export, the description the .docx and .xlsx are
    written
    from, so what the screen shows is laid out as the exported file.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grid: _Grid | None = None
        self._at: dict[tuple[int, int], _Cell] = {}

    def set_grid(self, grid: _Grid | None) -> None:
        self.beginResetModel()
        self._grid = grid
        self._at = {(c.row, c.col): c for c in grid.cells} if grid is not None else {}
        self.endResetModel()

    @property
    def grid(self) -> _Grid | None:
        return self._grid

    def cell(self, row: int, col: int) -> _Cell | None:
        return self._at.get((row, col))

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() or self._grid is None else self._grid.n_rows

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._grid is None else self._grid.n_cols

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        cell = self._at.get((index.row(), index.column()))
        if cell is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell.text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignLeft if cell.left else Qt.AlignmentFlag.AlignHCenter
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and cell.header:
            return QBrush(HEADER_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and cell.header:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        cell = self._at.get((index.row(), index.column()))
        if cell is None or cell.header or cell.number is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def apply_spans(view: QTableView, model: GridModel) -> None:
    """Merge the view's cells as the grid does (the view keeps spans; the model cannot)."""
    view.clearSpans()
    grid = model.grid
    if grid is None:
        return
    for cell in grid.cells:
        if cell.rows > 1 or cell.cols > 1:
            view.setSpan(cell.row, cell.col, cell.rows, cell.cols)
