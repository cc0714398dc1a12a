"""The case table's delegate: each painted cell asks the model once, not once per role.

QStyledItemDelegate fills a cell's style option from seven roles (font, alignment, foreground,
check state, decoration, display, background), each a call from Qt into the model's Python
data(): about a thousand calls a screen, most of the window's own share of painting one. Here
initStyleOption fills the same fields from one Python call (CaseTableModel.painted) and leaves
the drawing to QStyledItemDelegate and the style, as before. Overriding the model's multiData
instead would be the Qt way, but in PySide6 6.12 any Python multiData breaks None's reference
count ("deallocating None" after a few thousand calls).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QIcon, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from gui.casemodel import CaseTableModel

__all__ = ["CellDelegate"]

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration
_TEXT = QPalette.ColorRole.Text
# A style option's features with a bit added, by the features it had: combining two of PySide's
# flag values costs several microseconds a cell (half of this delegate's own time), a dictionary
# step a fraction of one. The views hand a few distinct values (alternate rows or not).
_Features = QStyleOptionViewItem.ViewItemFeature
_WITH_DISPLAY: dict[_Features, _Features] = {}
_WITH_DECORATION: dict[_Features, _Features] = {}
_ALIGNMENTS: dict[int, Qt.AlignmentFlag] = {}


def _with(made: dict[_Features, _Features], features: _Features, bit: _Features) -> _Features:
    found = made.get(features)
    if found is None:
        found = made[features] = features | bit
    return found


class CellDelegate(QStyledItemDelegate):
    """Fills each cell's style option as QStyledItemDelegate.initStyleOption does, from one call.

    Made for one model (CaseTable puts Qt's own delegate back when given another).
    """

    def __init__(self, model: CaseTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        # Field by field what Qt's initStyleOption does with the model's answers; a role the
        # model leaves empty leaves the field as the view set it.
        option.index = index  # type: ignore[assignment]
        option.styleObject = None  # type: ignore[assignment]  # no style animations in views
        cell = self._model.painted(index.row(), index.column())
        if cell is None:
            return
        text, font, alignment, foreground, decoration, background = cell
        if font is not None:
            option.font = font.resolve(option.font)
            option.fontMetrics = QFontMetrics(option.font)
        if alignment is not None:
            flag = _ALIGNMENTS.get(alignment)
            if flag is None:
                flag = _ALIGNMENTS[alignment] = Qt.AlignmentFlag(alignment)
            option.displayAlignment = flag
        if foreground is not None:
            palette = option.palette
            palette.setBrush(_TEXT, foreground)
            option.palette = palette
        if decoration is not None:  # the 演示 badge, a QPixmap
            option.features = _with(_WITH_DECORATION, option.features, _HAS_DECORATION)
            option.icon = QIcon(decoration)
            option.decorationSize = decoration.size() / decoration.devicePixelRatio()
        # displayText() of a string: the same string, its line breaks as line separators.
        option.features = _with(_WITH_DISPLAY, option.features, _HAS_DISPLAY)
        option.text = text.replace("\n", "\u2028")
        if background is not None:
            option.backgroundBrush = background
