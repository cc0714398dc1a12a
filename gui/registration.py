"""The registration form (登记): channel first, then only the facts that channel needs.

The proposed day 0 and the rule behind it (条例 31) are shown as the facts are typed, from
cases.timing.clock.propose_day0; an ID number whose check character fails is a warning beside the
field,
not a refusal. Nothing is saved until the core accepts the whole form; its refusal is shown
beside the field it names. After saving, the receipt (登记回执) can be drafted at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases import actions
from cases.interchange.records import ApplicantData
from cases.query.caselist import departments
from cases.result import Changes
from cases.rules import ids, vocab
from cases.storage.model import Case, User
from cases.timing.clock import Channel, propose_day0
from cases.timing.dates import cn_date
from gui.forms import to_date, to_qdate
from gui.operations import OperationRunner

__all__ = ["RegistrationDialog"]

# Which receipt facts a channel needs besides the day it arrived (条例 31).
SIGNED_CHANNELS = {Channel.POST_SIGNED.value}
CONFIRMED_CHANNELS = {c.value for c in Channel} - {Channel.IN_PERSON.value} - SIGNED_CHANNELS


def _valid(check: Callable[[str], bool], number: str) -> bool:
    return len(number) == 18 and check(number)


class RegistrationDialog(QDialog):
    """登记申请: one form, saved as one operation."""

    registered = Signal(int)  # the new case's id

    def __init__(
        self,
        runner: OperationRunner,
        user: User,
        today: dt.date,
        on_receipt: Callable[[int], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("登记申请")
        self.setAccessibleName("登记申请")
        self._runner, self._user, self._today = runner, user, today
        self._on_receipt = on_receipt
        self.case_id: int | None = None
        self.case_no = ""
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        self.channel = self._combo("channel", "提交渠道", vocab.CHANNELS)
        self.arrived = self._date("arrived", "到达日期", "申请到达本机关的日期")
        self.signed = self._date("signed", "签收日期", "挂号信或EMS的签收日期")
        self.confirmed = self._date("confirmed", "确认日期", "与申请人确认收到申请的日期")
        self.day0 = QLabel()
        self.day0.setWordWrap(True)
        self.day0.setAccessibleName("收到申请之日")
        self.day0.setStyleSheet("color:#1f3a5f;")
        self.kind = self._combo("applicant.type", "申请人类型", vocab.APPLICANT_TYPES)
        self.name = self._line("applicant.name", "姓名或名称")
        self.id_type = self._combo(
            "applicant.id_type", "证件类型", {"": "（无）", **vocab.ID_TYPES}
        )
        self.id_type.setCurrentIndex(1)
        self.id_number = self._line("applicant.id_number", "证件号码")
        self.id_warning = QLabel()
        self.id_warning.setStyleSheet("color:#8a5a00;")
        self.id_warning.setAccessibleName("证件号码提示")
        self.phone = self._line("applicant.phone", "联系电话")
        self.address = self._line("applicant.address", "通信地址")
        self.postcode = self._line("applicant.postcode", "邮政编码")
        self.email = self._line("applicant.email", "电子邮箱")
        self.agent_name = self._line("applicant.agent_name", "代理人")
        self.agent_phone = self._line("applicant.agent_phone", "代理人电话")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(80)
        self._register_widget("description", "申请公开的信息内容", self.description)
        self.form_kind = self._combo("form", "提供形式", vocab.FORMS)
        self.delivery = self._combo("delivery", "获取方式", vocab.DELIVERIES)
        known = runner.read(departments)
        self.department = QComboBox()
        self.department.setEditable(True)
        self.department.addItems(["", *known])
        self._register_widget("department", "承办部门（可在分办时确定）", self.department)
        self.handler = self._line("handler", "承办人")
        if "handler" in user.role_set:
            self.handler.setText(user.display_name)

        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        receipt = self._group(
            "收到申请",
            [("channel", self.channel), ("arrived", self.arrived), ("signed", self.signed)],
        )
        self._receipt_form = receipt.layout()
        self._add_row(receipt, "confirmed", self.confirmed)
        receipt_layout = receipt.layout()
        assert isinstance(receipt_layout, QFormLayout)
        receipt_layout.addRow(self.day0)
        left.addWidget(receipt)
        request = self._group(
            "申请内容",
            [
                ("description", self.description),
                ("form", self.form_kind),
                ("delivery", self.delivery),
                ("department", self.department),
                ("handler", self.handler),
            ],
        )
        left.addWidget(request)
        applicant = self._group(
            "申请人",
            [
                ("applicant.type", self.kind),
                ("applicant.name", self.name),
                ("applicant.id_type", self.id_type),
                ("applicant.id_number", self.id_number),
            ],
        )
        applicant_layout = applicant.layout()
        assert isinstance(applicant_layout, QFormLayout)
        applicant_layout.addRow("", self.id_warning)
        for key, widget in (
            ("applicant.phone", self.phone),
            ("applicant.address", self.address),
            ("applicant.postcode", self.postcode),
            ("applicant.email", self.email),
            ("applicant.agent_name", self.agent_name),
            ("applicant.agent_phone", self.agent_phone),
        ):
            self._add_row(applicant, key, widget)
        columns.addLayout(left, 1)
        columns.addWidget(applicant, 1)
        layout.addLayout(columns)
        self.general_error = QLabel()
        self.general_error.setStyleSheet("color:#b71c1c;")
        self.general_error.setWordWrap(True)
        layout.addWidget(self.general_error)
        self.done_note = QLabel()
        self.done_note.setWordWrap(True)
        self.done_note.hide()
        layout.addWidget(self.done_note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save.setText("保存登记(&S)")
        self.save.setAccessibleName("保存登记")
        self.save.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.receipt_button = QPushButton("生成登记回执(&R)")
        self.receipt_button.setAccessibleName("生成登记回执")
        self.receipt_button.clicked.connect(self._receipt)
        self.buttons.addButton(self.receipt_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.receipt_button.hide()  # shown once the case is saved
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        for signal in (
            self.channel.currentIndexChanged,
            self.arrived.dateChanged,
            self.signed.dateChanged,
            self.confirmed.dateChanged,
        ):
            signal.connect(lambda *_a: self._update_day0())
        self.id_number.textChanged.connect(lambda _t: self._check_id())
        self.id_type.currentIndexChanged.connect(lambda _i: self._check_id())
        self._update_day0()
        self.channel.setFocus()

    # --- building -----------------------------------------------------------------------------

    def _register_widget(self, key: str, label: str, widget: QWidget) -> None:
        widget.setAccessibleName(label)
        widget.setToolTip(label)
        self.widgets[key] = widget
        error = QLabel()
        error.setStyleSheet("color:#b71c1c;")
        error.setWordWrap(True)
        error.setAccessibleName(f"{label}错误")
        error.hide()
        self.errors[key] = error
        widget.setProperty("label", label)

    def _line(self, key: str, label: str) -> QLineEdit:
        line = QLineEdit()
        line.returnPressed.connect(self.try_save)
        self._register_widget(key, label, line)
        return line

    def _combo(self, key: str, label: str, values: dict[str, str]) -> QComboBox:
        combo = QComboBox()
        for code, text in values.items():
            combo.addItem(text, code)
        self._register_widget(key, label, combo)
        return combo

    def _date(self, key: str, label: str, tip: str) -> QDateEdit:
        date = QDateEdit(to_qdate(self._today))
        date.setCalendarPopup(True)
        date.setDisplayFormat("yyyy年M月d日")
        self._register_widget(key, label, date)
        date.setToolTip(tip)
        return date

    def _add_row(self, group: QGroupBox, key: str, widget: QWidget) -> None:
        form = group.layout()
        assert isinstance(form, QFormLayout)
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(widget)
        box.addWidget(self.errors[key])
        caption = QLabel(str(widget.property("label")))
        caption.setBuddy(widget)
        form.addRow(caption, cell)

    def _group(self, title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
        group = QGroupBox(title)
        QFormLayout(group)
        for key, widget in rows:
            self._add_row(group, key, widget)
        return group

    # --- live feedback ------------------------------------------------------------------------

    def _row_visible(self, widget: QWidget, visible: bool) -> None:
        form = self._receipt_form
        assert isinstance(form, QFormLayout)
        holder = widget.parentWidget()
        if holder is not None:
            form.setRowVisible(holder, visible)

    def _update_day0(self) -> None:
        channel = str(self.channel.currentData())
        self._row_visible(self.signed, channel in SIGNED_CHANNELS)
        self._row_visible(self.confirmed, channel in CONFIRMED_CHANNELS)
        day, rule = propose_day0(Channel(channel), *self._receipt_facts())
        self.day0.setText(f"收到申请之日：{cn_date(day)}\n{rule}")

    def _receipt_facts(self) -> tuple[dt.date, dt.date | None, dt.date | None]:
        channel = str(self.channel.currentData())
        confirmed = to_date(self.confirmed.date()) if channel in CONFIRMED_CHANNELS else None
        signed = to_date(self.signed.date()) if channel in SIGNED_CHANNELS else None
        return to_date(self.arrived.date()), confirmed, signed

    def _check_id(self) -> None:
        number = self.id_number.text().strip().upper()
        kind = self.id_type.currentData()
        text = ""
        if number and kind == "resident_id" and not _valid(ids.check_resident_id, number):
            text = "身份证号码校验不通过：请核对是否为旧证或录入错误（可以照常保存）"
        elif number and kind == "uscc" and not _valid(ids.check_uscc, number):
            text = "统一社会信用代码校验不通过：请核对（可以照常保存）"
        self.id_warning.setText(text)

    # --- saving -------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        def opt(line: QLineEdit) -> str | None:
            return line.text().strip() or None

        arrived, confirmed, signed = self._receipt_facts()
        return {
            "channel": str(self.channel.currentData()),
            "arrived": arrived,
            "confirmed": confirmed,
            "signed": signed,
            "applicant": ApplicantData(
                type=str(self.kind.currentData()),
                name=self.name.text(),
                id_type=str(self.id_type.currentData()) or None,
                id_number=opt(self.id_number),
                phone=opt(self.phone),
                address=opt(self.address),
                postcode=opt(self.postcode),
                email=opt(self.email),
                agent_name=opt(self.agent_name),
                agent_phone=opt(self.agent_phone),
            ),
            "description": self.description.toPlainText(),
            "form": str(self.form_kind.currentData()),
            "delivery": str(self.delivery.currentData()),
            "department": self.department.currentText().strip() or None,
            "handler": self.handler.text().strip() or None,
        }

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.general_error.clear()

    def show_error(self, field: str, message: str) -> None:
        key = field if field in self.errors else None
        if key is None and field in ("received", "day0"):
            key = "arrived"
        if key is None:
            self.general_error.setText(message)
            return
        self.errors[key].setText(message)
        self.errors[key].show()
        self.widgets[key].setFocus()

    def error_text(self) -> str:
        texts = [e.text() for e in self.errors.values() if e.text()]
        return "\n".join([*texts, self.general_error.text()]).strip()

    def try_save(self) -> bool:
        if self.case_id is not None:
            return True
        self.clear_errors()
        values, user = self.values(), self._user

        def op(session: Session) -> object:
            return actions.register(session, user, **values)

        def changes(result: object) -> Changes:
            case = result if isinstance(result, Case) else None
            return Changes.of_cases([case.id] if case else [], case_list=True)

        made = self._runner.write("登记申请", op, changes, quiet=True)
        if made is None:
            refusal = self._runner.last_refusal
            if refusal is not None:
                self.show_error(refusal.field, refusal.message)
            return False
        self.case_id = int(made.id)
        self.case_no = str(made.no)
        self.done_note.setText(
            f"已登记，案件编号 {self.case_no}。可以现在生成登记回执，或关闭本窗口。"
        )
        self.done_note.show()
        self.save.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭")
        self.receipt_button.show()
        self.receipt_button.setFocus()
        self.registered.emit(self.case_id)
        return True

    def _receipt(self) -> None:
        if self.case_id is not None and self._on_receipt is not None:
            self._on_receipt(self.case_id)
        self.accept()
