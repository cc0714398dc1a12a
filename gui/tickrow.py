"""A tick box beside a long wrapped text, and taking a widget out of its window at once.

Apart from gui.forms so that the case view's checklist, built before the window's first paint,
does not load the action forms with it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QWidget

__all__ = ["TickRow", "drop_widget"]


class TickRow(QWidget):
    """A tick box with a long, wrapped text beside it; clicking the text ticks too."""

    def __init__(self, text: str, accessible: str) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 1, 0, 1)
        self.box = QCheckBox()
        self.box.setAccessibleName(accessible)
        self.box.setToolTip(text)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        # Take the width the form gives and wrap in it, rather than ask for one long line.
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text.setMinimumWidth(200)
        self.text.setBuddy(self.box)
        self.text.mousePressEvent = lambda _e: self.box.toggle()  # type: ignore[method-assign]
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)

    def isChecked(self) -> bool:
        return self.box.isChecked()

    def setChecked(self, on: bool) -> None:
        self.box.setChecked(on)


def drop_widget(widget: QWidget) -> None:
    """Take a widget out of its window now (deleteLater alone leaves it drawn until idle)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
