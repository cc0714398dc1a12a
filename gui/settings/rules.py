"""提醒和编号: the declared settings (cases.rules.settings) as a form, saved by change_setting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases.actions.settings import change_setting
from cases.rules import settings
from cases.storage.model import User
from gui.operations import OperationRunner
from gui.settings.base import READ_ONLY_NOTE, Section
from gui.settings.titles import SECTION_TITLES

Editor = QCheckBox | QSpinBox | QLineEdit


def _editor(spec: settings.Spec) -> Editor:
    if spec.type is bool:
        return QCheckBox()
    if spec.type is int:
        box = QSpinBox()
        box.setRange(
            spec.minimum if spec.minimum is not None else -(2**31), spec.maximum or 2**31 - 1
        )
        return box
    return QLineEdit()


def _value(editor: Editor) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox):
        return editor.value()
    return editor.text()


def _show(editor: Editor, value: Any) -> None:
    if isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox):
        editor.setValue(int(value))
    else:
        editor.setText(str(value))


class RulesSection(Section):
    title = SECTION_TITLES["rules"]

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, user, parent)
        # Every declared setting except the office profile, which has its own section.
        self.specs = [s for s in settings.SPECS if s.type is not dict]
        self.editors: dict[str, Editor] = {}
        form = QFormLayout()
        for spec in self.specs:
            editor = _editor(spec)
            editor.setToolTip(spec.note)
            self.editors[spec.key] = editor
            form.addRow(spec.label, editor)
            if spec.note:
                form.addRow("", self.note(spec.note))
        self.save_button = QPushButton("保存")
        self.save_button.clicked.connect(self.save)
        self.read_only = self.note(READ_ONLY_NOTE)
        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only)
        layout.addLayout(form)
        layout.addWidget(self.save_button)
        layout.addStretch(1)
        self.reload()

    def saved(self) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for spec in self.specs:
                try:
                    out[spec.key] = settings.value(session, spec.key)
                except settings.SettingError:
                    out[spec.key] = spec.initial()  # shown as the default; saving replaces it
            return out

        return self.runner.read(read)

    def reload(self) -> None:
        for key, value in self.saved().items():
            _show(self.editors[key], value)
        editable = self.editable()
        for editor in self.editors.values():
            editor.setEnabled(editable)
        self.save_button.setEnabled(editable)
        self.read_only.setVisible(not editable)

    def save(self) -> bool:
        """Save the settings that were changed, each one audited; stops at the first refusal."""
        actor = self.user
        if actor is None:
            return False
        before = self.saved()
        for spec in self.specs:
            new = _value(self.editors[spec.key])
            if new == before[spec.key]:
                continue
            key = spec.key

            def change(session: Session, k: str = key, v: Any = new) -> object:
                return change_setting(session, actor, k, v)

            done = self.runner.write(f"修改“{spec.label}”", change)
            if done is None:
                return False
        self.reload()
        return True
