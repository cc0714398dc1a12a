"""The case table view: Enter opens the detail; rows are fetched again once the count is in."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from gui.casemodel import COLUMNS, CaseTableModel
from gui.celldelegate import CellDelegate


class CaseTable(QTableView):
    """A read-only, row-selecting table of cases."""

    open_requested = Signal(int)  # row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        # Fixed row heights: the view never asks the model to measure rows.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionsMovable(False)
        header.setHighlightSections(False)
        self.doubleClicked.connect(lambda index: self.open_requested.emit(index.row()))

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        # A case model's cells painted from one call each (gui/celldelegate.py); any other
        # model's the way Qt paints them.
        if isinstance(model, CaseTableModel):
            self.setItemDelegate(CellDelegate(model, self))
        else:
            self.setItemDelegate(QStyledItemDelegate(self))

    def rows_a_screen_holds(self) -> int:
        """How many rows the table could show on its screen, were its window as tall as that."""
        screen = self.screen()
        height = screen.availableGeometry().height() if screen is not None else 1080
        return height // max(self.verticalHeader().defaultSectionSize(), 1) + 1

    def set_column_widths(self) -> None:
        for i, column in enumerate(COLUMNS):
            self.setColumnWidth(i, column.width)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(index.row())
            return
        super().keyPressEvent(event)

    def fetch_if_needed(self) -> None:
        """Let the view fetch more rows now that the model has some (the full id list came late).

        The view fetches when the viewport is not full or the scroll bar sits at its end, but only
        checks on layout and scrolling; updateGeometries makes it check again.
        """
        self.updateGeometries()
