"""The bar above the case list: search box and filters, turned into a CaseQuery for the database."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from cases.query.caselist import CaseQuery
from cases.rules import vocab
from cases.timing.clock import WarningLevel

# A pause in typing this long starts the search; Enter starts it at once.
SEARCH_DELAY_MS = 250
ALL = "全部"


class SearchBox(QLineEdit):
    """The search field; Down arrow hands the keyboard to the list below it."""

    leave_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.leave_down.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class FilterBar(QWidget):
    """Emits `changed` with the new query whenever the user changes a filter or the search."""

    changed = Signal(object)  # CaseQuery

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._query = CaseQuery()

        self.search = SearchBox()
        self.search.setPlaceholderText("搜索：编号、申请人或申请内容（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self.apply_search)

        self.status = QComboBox()
        self.status.addItem(ALL, None)
        for code, name in vocab.STATUSES.items():
            self.status.addItem(name, code)

        self.warning = QComboBox()
        self.warning.addItem(ALL, None)
        for level in (WarningLevel.AMBER, WarningLevel.RED, WarningLevel.OVERDUE):
            self.warning.addItem(level.label, level.value)  # Qt would hand back a plain str

        self.department = QComboBox()
        self.department.setMinimumContentsLength(10)
        self.department.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.year = QComboBox()
        self.set_choices([], [])

        self.voided = QCheckBox("含已作废")

        for box in (self.status, self.warning, self.department, self.year):
            box.currentIndexChanged.connect(self._filters_changed)
        self.voided.toggled.connect(self._filters_changed)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.search, 3)
        for caption, box in (
            ("状态", self.status),
            ("预警", self.warning),
            ("承办部门", self.department),
            ("收到年度", self.year),
        ):
            label = QLabel(caption)
            label.setBuddy(box)
            layout.addWidget(label)
            layout.addWidget(box)
        layout.addWidget(self.voided)

    @property
    def query(self) -> CaseQuery:
        return self._query

    def set_choices(self, departments: list[str], years: list[int]) -> None:
        """Fill the department and year lists, keeping the current choice when it still exists."""
        lost = False
        for box, values, names in (
            (self.department, list(departments), list(departments)),
            (self.year, list(years), [f"{y}年" for y in years]),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(ALL, None)
            for value, name in zip(values, names, strict=True):
                box.addItem(name, value)
            found = box.findData(current) if current is not None else 0
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
            lost = lost or found < 0
        if lost:  # a chosen department or year is no longer in the file: stop filtering by it
            self._filters_changed()

    def search_waiting(self) -> bool:
        """Whether the user is typing a search that starts after a pause."""
        return self._timer.isActive()

    def apply_search(self) -> None:
        self._timer.stop()
        text = self.search.text().strip()
        if text != self._query.search:
            self._query = replace(self._query, search=text)
            self.changed.emit(self._query)

    def _filters_changed(self) -> None:
        self._query = replace(
            self._query,
            status=self.status.currentData(),
            warning=WarningLevel(w) if (w := self.warning.currentData()) else None,
            department=self.department.currentData(),
            year=self.year.currentData(),
            include_voided=self.voided.isChecked(),
        )
        self.changed.emit(self._query)
