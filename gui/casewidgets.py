"""The parts at the top of the case view: the stepper, the deadline panel, the checklist.

Each widget shows a value read by gui.casepage and computed by cases/; none of them decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cases.timing.clock import WarningLevel
from gui.casemodel import WARNING_COLOURS
from gui.tickrow import TickRow, drop_widget

__all__ = ["ChecklistView", "DeadlinePanel", "FlowRow", "Stepper"]

STEP_DONE = ("#e3efe3", "#2e5d2e")
STEP_CURRENT = ("#1f5fa8", "#ffffff")
STEP_LATER = ("#f0f0f0", "#8a8a8a")
PLAIN_DEADLINE = ("#eef2f7", "#1f3a5f")


class Stepper(QWidget):
    """The handbook's steps in a row, those behind done, the current one marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._cells: list[QLabel] = []
        self._current = ""
        self.setAccessibleName("办理步骤")

    def set_steps(self, steps: Sequence[tuple[str, str]], current: str, finished: bool) -> None:
        """steps: (id, name) in order; `finished` marks every step done (archived)."""
        for cell in self._cells:
            self._layout.removeWidget(cell)
            drop_widget(cell)
        self._cells = []
        ids = [s for s, _ in steps]
        at = ids.index(current) if current in ids else -1
        for n, (_step, name) in enumerate(steps):
            if finished or n < at:
                colours, mark = STEP_DONE, "✓ "
            elif n == at:
                colours, mark = STEP_CURRENT, "▶ "
            else:
                colours, mark = STEP_LATER, ""
            cell = QLabel(f"{mark}{name}")
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setStyleSheet(
                f"background:{colours[0]}; color:{colours[1]}; padding:3px 6px;"
                + (" font-weight:bold;" if n == at and not finished else "")
            )
            cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            state = "已完成" if finished or n < at else "当前步骤" if n == at else "未开始"
            cell.setAccessibleName(f"{name}：{state}")
            cell.setToolTip(f"{name}：{state}")
            self._layout.addWidget(cell)
            self._cells.append(cell)
        self._current = "" if finished else (steps[at][1] if at >= 0 else current)

    def current_name(self) -> str:
        """The name of the marked step ("" once the file is archived)."""
        return self._current

    def texts(self) -> list[str]:
        return [c.text() for c in self._cells]


class DeadlinePanel(QFrame):
    """The due date, working days left and the warning colour; the explanation below on demand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("答复期限")
        self.level = WarningLevel.NONE
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.toggle = QPushButton("计算过程")
        self.toggle.setCheckable(True)
        self.toggle.setAccessibleName("显示期限计算过程")
        self.toggle.setToolTip("显示或隐藏答复期限的完整计算过程")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.hide()
        self.toggle.toggled.connect(self.explanation.setVisible)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.explanation)

    def show_deadline(self, headline: str, level: WarningLevel, lines: Sequence[str]) -> None:
        self.level = level
        colours = WARNING_COLOURS.get(level, PLAIN_DEADLINE)
        self.setStyleSheet(
            f"DeadlinePanel {{ background:{colours[0]}; }} QLabel {{ color:{colours[1]}; }}"
        )
        self.headline.setText(headline)
        self.explanation.setText("\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1)))
        self.setToolTip(headline)

    def text(self) -> str:
        return self.headline.text()


class ChecklistView(QScrollArea):
    """The step's checklist as tick boxes; a tick is saved on the case at once."""

    toggled = Signal(str, str, bool)  # (step, item, ticked)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("核对清单")
        self._holder = QWidget()
        self._layout = QVBoxLayout(self._holder)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._holder)
        self.boxes: dict[str, TickRow] = {}

    def set_items(
        self,
        step: str,
        items: Sequence[tuple[str, str]],
        ticked: dict[str, str],
        enabled: bool,
    ) -> None:
        """items: (id, text); ticked: item id → who ticked it and when."""
        while self._layout.count():
            got = self._layout.takeAt(0)
            if got is not None and (widget := got.widget()) is not None:
                drop_widget(widget)
        self.boxes = {}
        for item, text in items:
            box = TickRow(text, f"核对：{text[:20]}")
            box.setChecked(item in ticked)
            box.setEnabled(enabled)
            box.setToolTip(ticked.get(item, "尚未核对"))
            box.box.toggled.connect(lambda on, s=step, i=item: self.toggled.emit(s, i, bool(on)))
            self.boxes[item] = box
            self._layout.addWidget(box)


class FlowRow(QWidget):
    """A row of action buttons that wraps onto a second line when the pane is narrow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.buttons: list[QPushButton] = []
        self.setAccessibleName("可办理的操作")

    def set_buttons(self, entries: Sequence[tuple[str, str, Callable[[], None]]]) -> None:
        """entries: (text, tooltip, what a click does)."""
        while self._layout.count():
            got = self._layout.takeAt(0)
            if got is not None and (inner := got.layout()) is not None:
                while inner.count():
                    item = inner.takeAt(0)
                    if item is not None and (w := item.widget()) is not None:
                        drop_widget(w)
        self.buttons = []
        row: QHBoxLayout | None = None
        for n, (text, tip, on_click) in enumerate(entries):
            if n % 5 == 0:
                row = QHBoxLayout()
                row.setSpacing(4)
                self._layout.addLayout(row)
            assert row is not None
            button = QPushButton(text)
            button.setToolTip(tip or text)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _checked=False, fn=on_click: fn())
            row.addWidget(button)
            self.buttons.append(button)
        if row is not None:
            row.addStretch(1)
        if not entries:
            note = QHBoxLayout()
            label = QLabel("本步骤没有您可以办理的操作。")
            label.setStyleSheet("color:#777;")
            note.addWidget(label)
            self._layout.addLayout(note)

    def texts(self) -> list[str]:
        return [b.text() for b in self.buttons]

    def button(self, text: str) -> QPushButton:
        for b in self.buttons:
            if b.text() == text:
                return b
        raise KeyError(f"没有按钮“{text}”；有：{self.texts()}")
