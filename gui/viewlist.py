"""The quick views beside the list (我的待办, 预警 …) with their counts, and pages added later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from cases.query.caselist import View

__all__ = ["VIEW_TITLES", "NavEntry", "ViewListModel"]

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1

VIEW_TITLES: dict[View, tuple[str, str]] = {
    View.MINE: ("我的待办", "我承办、处于我办理步骤的案件，以及等待我审核、签发或批准的案件"),
    View.WARNED: ("预警", "临期、今日到期和已逾期的案件"),
    View.CORRECTION: ("待补正", "已发出补正告知、尚未收到补正材料的案件"),
    View.CONSULTING: ("征询中", "已征求第三方或其他机关意见、尚未答复的案件"),
    View.SIGN_OFF: ("待签发", "已提交审核、等待审核或签发的案件"),
    View.SERVE: ("待送达", "已签发、等待登记送达的案件"),
    View.THIS_YEAR: ("本年全部", "今年收到的全部案件"),
    View.ARCHIVED: ("已归档", "已归档的案件"),
    View.ALL: ("全部案件", "数据库中的全部案件（不含作废）"),
}


@dataclass
class NavEntry:
    key: str  # a View value, or "page:<name>" for a page another part of the window added
    title: str
    tip: str
    count: int | None = None


class ViewListModel(QAbstractListModel):
    """A short list (a dozen rows), held whole."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries = [NavEntry(v.value, t, tip) for v, (t, tip) in VIEW_TITLES.items()]

    def set_counts(self, counts: dict[View, int]) -> None:
        for n, entry in enumerate(self.entries):
            if entry.key in {v.value for v in counts}:
                entry.count = counts[View(entry.key)]
                index = self.index(n, 0)
                self.dataChanged.emit(index, index)

    def add_page(self, name: str, title: str, tip: str = "") -> None:
        n = len(self.entries)
        self.beginInsertRows(QModelIndex(), n, n)
        self.entries.append(NavEntry(f"page:{name}", title, tip or title))
        self.endInsertRows()

    def row_of(self, key: str) -> int:
        return next(n for n, e in enumerate(self.entries) if e.key == key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title if entry.count is None else f"{entry.title}（{entry.count:,}）"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            return entry.tip
        if role == KEY_ROLE:
            return entry.key
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
