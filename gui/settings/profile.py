"""机关信息与答复机关: the office profile and its handling units, saved as one audited change."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cases.actions.settings import save_profile
from cases.office import profile
from cases.office.profile import OfficeProfile
from cases.office.units import UNIT_FIELDS, Unit
from cases.rules.handbook import LETTER_KIND_ORDER, load_handbook
from cases.storage.model import User
from gui.operations import OperationRunner
from gui.settings.base import READ_ONLY_NOTE, Section
from gui.settings.titles import SECTION_TITLES

LINE_FIELDS = (
    "issuing_body", "own_short", "address", "postcode", "contact", "phone",
    "reconsideration_body", "court", "signer_title", "fee_payment",
)  # fmt: skip
TEXT_FIELDS = ("remedy_refusal", "remedy_other", "remedy_partial")
UNIT_HEADERS = {
    "short": "简称",
    "name": "全称（落款）",
    "address": "地址",
    "postcode": "邮编",
    "contact": "联系人",
    "phone": "电话",
    "reconsideration_body": "行政复议机关",
}


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text().strip() if item is not None else ""


class ProfileSection(Section):
    title = SECTION_TITLES["profile"]

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, user, parent)
        self.loaded = OfficeProfile()
        self.lines = {name: QLineEdit() for name in LINE_FIELDS}
        self.texts = {name: QPlainTextEdit() for name in TEXT_FIELDS}
        form = QFormLayout()
        for name, edit in self.lines.items():
            form.addRow(profile.LABELS.get(name, name), edit)
        for name, text in self.texts.items():
            text.setFixedHeight(64)
            form.addRow(profile.LABELS.get(name, name), text)
        form.addRow("", self.note("救济途径中可用 {复议机关}、{法院}、{文书}，出具文书时替换。"))

        self.units = _table([UNIT_HEADERS[f] for f in UNIT_FIELDS])
        self.units.setMinimumHeight(220)
        add = QPushButton("添加单位")
        add.clicked.connect(lambda: self.units.insertRow(self.units.rowCount()))
        remove = QPushButton("删除所选单位")
        remove.clicked.connect(lambda: self.units.removeRow(self.units.currentRow()))
        self._unit_buttons = (add, remove)
        unit_row = QHBoxLayout()
        unit_row.addWidget(add)
        unit_row.addWidget(remove)
        unit_row.addStretch(1)

        self.patterns = _table(["文书", "文号格式"])
        self.patterns.setMinimumHeight(260)
        self._kinds = list(LETTER_KIND_ORDER)
        self.patterns.setRowCount(len(self._kinds))
        book = load_handbook()
        for i, kind in enumerate(self._kinds):
            label = QTableWidgetItem(book.letter_label(kind))
            label.setFlags(label.flags() & ~label.flags().ItemIsEditable)
            self.patterns.setItem(i, 0, label)
        self.patterns.setColumnWidth(0, 180)

        self.save_button = QPushButton("保存机关信息")
        self.save_button.clicked.connect(self.save)
        self.read_only = self.note(READ_ONLY_NOTE)
        inner = QWidget()
        body = QVBoxLayout(inner)
        body.addWidget(self.read_only)
        body.addLayout(form)
        body.addWidget(QLabel("答复机关（以自己名义答复的部门、乡镇及其行政复议机关）："))
        body.addWidget(self.units)
        body.addLayout(unit_row)
        body.addWidget(QLabel("文号格式（{年} 为年份，{号} 为序号；留空即不编号）："))
        body.addWidget(self.patterns)
        body.addWidget(self.save_button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.reload()

    def reload(self) -> None:
        self.loaded = self.runner.read(profile.load_profile)
        self.show_profile(self.loaded)
        editable = self.editable()
        for line in self.lines.values():
            line.setReadOnly(not editable)
        for text in self.texts.values():
            text.setReadOnly(not editable)
        for table in (self.units, self.patterns):
            table.setEditTriggers(
                QTableWidget.EditTrigger.AllEditTriggers
                if editable
                else QTableWidget.EditTrigger.NoEditTriggers
            )
        for b in (*self._unit_buttons, self.save_button):
            b.setEnabled(editable)
        self.read_only.setVisible(not editable)

    def show_profile(self, office: OfficeProfile) -> None:
        for name, edit in self.lines.items():
            edit.setText(str(getattr(office, name)))
        for name, text in self.texts.items():
            text.setPlainText(str(getattr(office, name)))
        self.units.setRowCount(len(office.units))
        for i, unit in enumerate(office.units):
            for col, name in enumerate(UNIT_FIELDS):
                self.units.setItem(i, col, QTableWidgetItem(getattr(unit, name)))
        self.units.resizeColumnsToContents()
        for i, kind in enumerate(self._kinds):
            self.patterns.setItem(i, 1, QTableWidgetItem(office.pattern(kind)))

    def edited(self) -> OfficeProfile:
        """The profile as on screen; fields this page does not show stay as they were loaded."""
        units = []
        for row in range(self.units.rowCount()):
            values = {name: _cell(self.units, row, col) for col, name in enumerate(UNIT_FIELDS)}
            if any(values.values()):
                units.append(Unit(**values))
        patterns = {kind: _cell(self.patterns, i, 1) for i, kind in enumerate(self._kinds)}
        texts: dict[str, object] = {n: e.text().strip() for n, e in self.lines.items()}
        texts.update({n: t.toPlainText().strip() for n, t in self.texts.items()})
        edited = dataclasses.replace(self.loaded, units=tuple(units), number_patterns=patterns)
        return dataclasses.replace(edited, **texts)  # type: ignore[arg-type]

    def save(self) -> bool:
        actor = self.user
        if actor is None:
            return False
        office = self.edited()
        done = self.runner.write("保存机关信息", lambda s: save_profile(s, actor, office))
        if done is not None:
            self.reload()
        return done is not None
