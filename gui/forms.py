"""Small forms for the action dialogs: typed fields, errors beside the field, Enter and Esc.

A form is a list of Field declarations; the dialog builds one widget per field, reads the values
back as Python values, and shows a refusal from the core beside the field it names
(Refused.field, matched against each Field's `core` names), or above the buttons otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.tickrow import TickRow, drop_widget

__all__ = ["Field", "FormDialog", "Kind", "TickRow", "drop_widget", "to_date", "to_qdate"]


class Kind(Enum):
    TEXT = "text"
    LONGTEXT = "longtext"
    DATE = "date"
    OPTIONAL_DATE = "optional_date"  # a date the user may leave to the core's default
    CHOICE = "choice"
    EDITABLE_CHOICE = "editable_choice"
    NUMBER = "number"
    TICKS = "ticks"  # several of a list (reason choices)


@dataclass
class Field:
    """One input: `name` is the keyword of the core call, `core` the names a refusal may use."""

    name: str
    label: str
    kind: Kind
    tip: str = ""
    choices: Sequence[tuple[str, str]] = ()  # (value, Chinese text)
    default: Any = None
    core: Sequence[str] = ()
    minimum: int = 0
    maximum: int = 1_000_000


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_date(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class _Plain(QPlainTextEdit):
    """Multi-line text where Tab moves on (fast entry) and Ctrl+Enter saves."""

    def __init__(self, on_submit: Callable[[], None]) -> None:
        super().__init__()
        self._submit = on_submit
        self.setTabChangesFocus(True)
        self.setFixedHeight(72)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._submit()
            return
        super().keyPressEvent(event)


class _Ticks(QWidget):
    def __init__(self, choices: Sequence[tuple[str, str]], label: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[tuple[str, TickRow]] = []
        self.set_choices(choices, label)

    def set_choices(self, choices: Sequence[tuple[str, str]], label: str) -> None:
        layout = self.layout()
        assert layout is not None
        for _value, box in self.boxes:
            layout.removeWidget(box)
            drop_widget(box)
        self.boxes = []
        for value, text in choices:
            box = TickRow(text, f"{label}：{text[:24]}")
            layout.addWidget(box)
            self.boxes.append((value, box))
        if len(self.boxes) == 1:
            self.boxes[0][1].setChecked(True)

    def values(self) -> list[str]:
        return [value for value, box in self.boxes if box.isChecked()]


class FormDialog(QDialog):
    """A dialog that asks exactly the fields given; `submit` gets the values, returns success."""

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Callable[[dict[str, Any]], bool],
        *,
        today: dt.date,
        intro: str = "",
        ok_text: str = "保存",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields = list(fields)
        self._submit = submit
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        if intro:
            note = QLabel(intro)
            note.setWordWrap(True)
            note.setObjectName("intro")
            layout.addWidget(note)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for f in self.fields:
            widget = self._make(f, today)
            widget.setAccessibleName(f.label)
            widget.setToolTip(f.tip or f.label)
            self.widgets[f.name] = widget
            error = QLabel()
            error.setStyleSheet("color: #b71c1c;")
            error.setWordWrap(True)
            error.setAccessibleName(f"{f.label}错误")
            error.hide()
            self.errors[f.name] = error
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(error)
            caption = QLabel(f.label)
            caption.setBuddy(widget)
            form.addRow(caption, cell)
        layout.addLayout(form)
        self.extra = QLabel()  # what the form computes before saving (an amount, a due date)
        self.extra.setWordWrap(True)
        self.extra.setObjectName("preview")
        self.extra.hide()
        layout.addWidget(self.extra)
        self.general_error = QLabel()
        self.general_error.setStyleSheet("color: #b71c1c;")
        self.general_error.setWordWrap(True)
        self.general_error.setAccessibleName("错误提示")
        self.general_error.hide()
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.ok.setAccessibleName(ok_text)
        self.ok.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.try_submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)
        if self.fields:
            self.widgets[self.fields[0].name].setFocus()

    def _make(self, f: Field, today: dt.date) -> QWidget:
        if f.kind is Kind.TEXT:
            line = QLineEdit("" if f.default is None else str(f.default))
            line.returnPressed.connect(self.try_submit)
            return line
        if f.kind is Kind.LONGTEXT:
            plain = _Plain(self.try_submit)
            plain.setPlainText("" if f.default is None else str(f.default))
            return plain
        if f.kind in (Kind.DATE, Kind.OPTIONAL_DATE):
            date = QDateEdit(to_qdate(f.default or today))
            date.setCalendarPopup(True)
            date.setDisplayFormat("yyyy年M月d日")
            if f.kind is Kind.DATE:
                return date
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            use = QCheckBox("指定")
            use.setAccessibleName(f"指定{f.label}")
            use.setChecked(f.default is not None)
            date.setEnabled(f.default is not None)
            use.toggled.connect(date.setEnabled)
            row.addWidget(use)
            row.addWidget(date, 1)
            holder.setFocusProxy(use)
            return holder
        if f.kind in (Kind.CHOICE, Kind.EDITABLE_CHOICE):
            combo = QComboBox()
            combo.setEditable(f.kind is Kind.EDITABLE_CHOICE)
            for value, text in f.choices:
                combo.addItem(text, value)
            if f.default is not None:
                found = combo.findData(f.default)
                if found >= 0:
                    combo.setCurrentIndex(found)
                elif combo.isEditable():
                    combo.setEditText(str(f.default))
            return combo
        if f.kind is Kind.NUMBER:
            spin = QSpinBox()
            spin.setRange(f.minimum, f.maximum)
            spin.setValue(int(f.default or f.minimum))
            return spin
        # A long list of reasons scrolls inside the dialog, which must fit a 768-pixel screen.
        ticks = _Ticks(f.choices, f.label)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(ticks)
        scroll.setMinimumHeight(200)
        scroll.setMaximumHeight(300)
        scroll.setFocusProxy(ticks)
        return scroll

    def value(self, name: str) -> Any:
        f = next(x for x in self.fields if x.name == name)
        widget = self.widgets[name]
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QDateEdit):
            return to_date(widget.date())
        if f.kind is Kind.OPTIONAL_DATE:
            use = widget.findChild(QCheckBox)
            date = widget.findChild(QDateEdit)
            assert use is not None and date is not None
            return to_date(date.date()) if use.isChecked() else None
        if isinstance(widget, QComboBox):
            if widget.isEditable():
                index = widget.findText(widget.currentText())
                data = widget.itemData(index) if index >= 0 else None
                return data if data is not None else widget.currentText()
            return widget.currentData()
        if isinstance(widget, QSpinBox):
            return widget.value()
        ticks = self._ticks(name)
        return ticks.values()

    def values(self) -> dict[str, Any]:
        return {f.name: self.value(f.name) for f in self.fields}

    def set_value(self, name: str, value: Any) -> None:
        """Fill a field as the user would (tests and defaults)."""
        widget = self.widgets[name]
        if isinstance(widget, QLineEdit):
            widget.setText(str(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value))
        elif isinstance(widget, QDateEdit):
            widget.setDate(to_qdate(value))
        elif isinstance(widget, QComboBox):
            found = widget.findData(value)
            if found >= 0:
                widget.setCurrentIndex(found)
            elif widget.isEditable():
                widget.setEditText(str(value))
            else:
                raise KeyError(f"{name}: {value!r} is not a choice")
        elif isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QScrollArea):
            for choice, box in self._ticks(name).boxes:
                box.setChecked(choice in value)
        else:
            use = widget.findChild(QCheckBox)
            date = widget.findChild(QDateEdit)
            assert use is not None and date is not None
            use.setChecked(value is not None)
            if value is not None:
                date.setDate(to_qdate(value))

    def set_choices(self, name: str, choices: Sequence[tuple[str, str]]) -> None:
        widget = self.widgets[name]
        label = next(f.label for f in self.fields if f.name == name)
        if isinstance(widget, QScrollArea):
            self._ticks(name).set_choices(choices, label)
        elif isinstance(widget, QComboBox):
            widget.clear()
            for value, text in choices:
                widget.addItem(text, value)

    def _ticks(self, name: str) -> _Ticks:
        widget = self.widgets[name]
        assert isinstance(widget, QScrollArea)
        inner = widget.widget()
        assert isinstance(inner, _Ticks)
        return inner

    def tick_values(self, name: str) -> list[str]:
        """Every choice a tick field offers (tests tick them as a user would)."""
        return [value for value, _box in self._ticks(name).boxes]

    def show_preview(self, text: str) -> None:
        self.extra.setText(text)
        self.extra.setVisible(bool(text))

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self.general_error.clear()
        self.general_error.hide()

    def show_error(self, core_field: str, message: str) -> None:
        """Put the core's message beside the field it names, or above the buttons."""
        target = None
        for f in self.fields:
            names = {f.name, *f.core}
            if core_field in names or any(core_field.startswith(n + ".") for n in f.core):
                target = f.name
                break
        if target is None:
            self.general_error.setText(message)
            self.general_error.show()
            return
        self.errors[target].setText(message)
        self.errors[target].show()
        self.widgets[target].setFocus()

    def error_text(self) -> str:
        """Every error shown, for tests and the accessible description."""
        texts = [e.text() for e in self.errors.values() if e.text()]
        if self.general_error.text():
            texts.append(self.general_error.text())
        return "\n".join(texts)

    def try_submit(self) -> None:
        self.clear_errors()
        if self._submit(self.values()):
            self.accept()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def field_choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return list(vocabulary.items())
