"""The 帮助 menu's windows: the handbook's guidance per step, the keyboard shortcuts, 关于."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import text

from cases.storage.store import Store
from gui.buttonnames import chinese
from gui.labels import handbook

PACKAGE = "disclosure-desk"


def version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "（未安装，从源代码运行）"


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    size = n / 1024
    for unit in ("KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"


def database_size(store: Store) -> int | None:
    """Bytes the database takes: the file and its write-ahead log, or what the server reports."""
    if store.path is not None:
        files = [store.path, Path(f"{store.path}-wal")]
        return sum(f.stat().st_size for f in files if f.exists())
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            found = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        return int(found) if found is not None else None
    return None


def _close_buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = chinese(QDialogButtonBox(QDialogButtonBox.StandardButton.Close))
    buttons.rejected.connect(dialog.reject)
    return buttons


class GuidanceDialog(QDialog):
    """Each step's guidance from the handbook (handbook/guidance/*.md), as the office wrote it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("办事指引")
        self.resize(1000, 640)
        self.steps = QListWidget()
        self.steps.setMaximumWidth(180)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        book = handbook()
        self._guidance = [(s.name, s.guidance_md) for s in book.steps] if book else []
        for name, _ in self._guidance:
            self.steps.addItem(name)
        self.steps.currentRowChanged.connect(self._show)
        row = QHBoxLayout()
        row.addWidget(self.steps)
        row.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(_close_buttons(self))
        if self._guidance:
            self.steps.setCurrentRow(0)
        else:
            self.text.setPlainText(
                "办事指引无法读取：标准流程数据（handbook/）有误，请联系管理员。"
            )

    def _show(self, row: int) -> None:
        if 0 <= row < len(self._guidance):
            self.text.setMarkdown(self._guidance[row][1])


def shortcuts_of(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action and shortcut the window has, as it has them now."""
    found: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            # 登记申请(&N)… reads 登记申请: the mnemonic and the dots belong to the menu
            name = re.sub(r"\(&\w\)", "", action.text()).replace("&", "").rstrip("…").strip()
            if name:
                found.setdefault(key.toString(QKeySequence.SequenceFormat.NativeText), name)
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and keys not in found:
            found[keys] = shortcut.whatsThis() or shortcut.objectName() or "（快捷键）"
    return sorted(found.items(), key=lambda kv: kv[1])


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("键盘快捷键")
        self.resize(480, 520)
        rows = shortcuts_of(window)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["按键", "功能"])
        self.table.verticalHeader().hide()
        for i, (keys, name) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(keys))
            self.table.setItem(i, 1, QTableWidgetItem(name))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeColumnToContents(0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(_close_buttons(self))


def about_text(store: Store, where: str) -> str:
    size = database_size(store)
    shown = size_text(size) if size is not None else "未知"
    return (
        "<h3>依申请公开办理台</h3>"
        f"<p>版本：{version()}</p>"
        f"<p>正在使用的数据库：{where}<br>数据库大小：{shown}</p>"
        "<p>按《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号办理和统计"
        "政府信息公开申请。</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, store: Store, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于")
        self.label = QLabel(about_text(store, where))
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(_close_buttons(self))
