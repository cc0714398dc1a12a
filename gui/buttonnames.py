"""Chinese words on Qt's standard dialog buttons, which read OK/Cancel/Close untranslated."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

B = QDialogButtonBox.StandardButton
WORDS = {B.Ok: "确定", B.Cancel: "取消", B.Close: "关闭", B.Yes: "是", B.No: "否", B.Save: "保存"}


def chinese(buttons: QDialogButtonBox) -> QDialogButtonBox:
    for which, word in WORDS.items():
        button = buttons.button(which)
        if button is not None:
            button.setText(word)
    return buttons


def confirm(parent: QWidget | None, title: str, text: str, yes: str) -> bool:
    """A question with a named yes (恢复, 录入 …) and 取消, 取消 the default."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is ok
