"""Another office's 台账 column mapping (cases.interchange.ledger_mapping), for the user to correct
before anything is imported: each column → a field or 不导入, and one value for a missing field."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cases.interchange import ledger_mapping
from cases.interchange.ledger_mapping import CHOICE, TARGET, TARGETS, Mapping

NOT_IMPORTED = "（不导入）"
HOW = {"remembered": "上次导入时的对应", "synonym": "按列名识别", "user": "您指定的", "": ""}


class MappingPanel(QGroupBox):
    """Shows a Mapping and emits the corrected one after each change."""

    changed = Signal(object)  # Mapping

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("各列的对应关系（导入前可修改）", parent)
        self.mapping: Mapping | None = None
        self.where = QLabel()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["列", "本机关台账的列名", "导入为", "依据"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.defaults = QFormLayout()
        self.default_boxes: dict[str, QComboBox] = {}
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #b00020;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.defaults)
        layout.addWidget(self.missing)

    def show_mapping(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.where.setText(f"工作表“{mapping.sheet}”第{mapping.header_row}行是表头。")
        self.table.setRowCount(len(mapping.columns))
        for row, column in enumerate(mapping.columns):
            self.table.setItem(row, 0, QTableWidgetItem(f"第{column.index + 1}列"))
            self.table.setItem(row, 1, QTableWidgetItem(column.header))
            self.table.setItem(row, 3, QTableWidgetItem(HOW.get(column.how, column.how)))
            box = QComboBox()
            box.addItem(NOT_IMPORTED, None)
            for target in TARGETS:
                box.addItem(target.label + ("（必填）" if target.required else ""), target.field)
            box.setCurrentIndex(max(box.findData(column.field), 0) if column.field else 0)
            box.currentIndexChanged.connect(
                lambda _i, b=box, index=column.index: self._set_column(index, b.currentData())
            )
            self.table.setCellWidget(row, 2, box)
        self._show_defaults(mapping)

    def _show_defaults(self, mapping: Mapping) -> None:
        while self.defaults.rowCount():
            self.defaults.removeRow(0)
        self.default_boxes = {}
        wanted = [*mapping.missing, *mapping.defaults]
        text_missing = []
        for name in dict.fromkeys(wanted):
            target = TARGET[name]
            if target.kind != CHOICE:
                text_missing.append(target.label)
                continue
            box = QComboBox()
            box.addItem("（请选择）", None)
            for code, label in ledger_mapping.choices(name).items():
                box.addItem(label, code)
            box.setCurrentIndex(max(box.findData(mapping.defaults.get(name)), 0))
            box.currentIndexChanged.connect(
                lambda _i, b=box, n=name: self._set_default(n, b.currentData())
            )
            self.defaults.addRow(f"整个文件的“{target.label}”：", box)
            self.default_boxes[name] = box
        self.missing.setText(
            "没有对应的列，请在上表中指定：" + "、".join(text_missing) if text_missing else ""
        )

    def _set_column(self, index: int, field: object) -> None:
        if self.mapping is None:
            return
        self.mapping = self.mapping.with_column(index, field if isinstance(field, str) else None)
        self._sync(self.mapping)
        self._show_defaults(self.mapping)
        self.changed.emit(self.mapping)

    def _sync(self, mapping: Mapping) -> None:
        """Show the new mapping in the existing lists (one of them is emitting right now, so
        none is rebuilt): a field taken by another column leaves the column that had it."""
        for row, column in enumerate(mapping.columns):
            box = self.table.cellWidget(row, 2)
            if isinstance(box, QComboBox):
                box.blockSignals(True)
                box.setCurrentIndex(max(box.findData(column.field), 0) if column.field else 0)
                box.blockSignals(False)
            self.table.setItem(row, 3, QTableWidgetItem(HOW.get(column.how, column.how)))

    def _set_default(self, name: str, code: object) -> None:
        if self.mapping is None:
            return
        self.mapping = self.mapping.with_default(name, code if isinstance(code, str) else None)
        self.changed.emit(self.mapping)
        # The list that emits stays until the event loop is back: rebuilt after, not now.
        QTimer.singleShot(0, self._redraw_defaults)

    def _redraw_defaults(self) -> None:
        if self.mapping is not None:
            self._show_defaults(self.mapping)

    def set_column(self, index: int, field: str | None) -> None:
        """As the user choosing in the column's list (tests, keyboard)."""
        if self.mapping is None:
            return
        row = next(r for r, c in enumerate(self.mapping.columns) if c.index == index)
        box = self.table.cellWidget(row, 2)
        assert isinstance(box, QComboBox)
        box.setCurrentIndex(max(box.findData(field), 0) if field else 0)
