"""备份与恢复: this database's backups with date and case count, back up now, restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cases.storage import backups, store
from cases.storage.backups import BackupInfo
from cases.storage.store import Store
from gui.buttonnames import chinese, confirm
from gui.helpdialogs import size_text

# What the window does to restore: close the database, put the backup in its place, quit.
Restorer = Callable[[Path], None]


def confirmation_text(current: Store, chosen: BackupInfo) -> str:
    """Names what will be replaced, by what, and where the replaced file is kept."""
    now = backups.case_count(current.path) if current.path is not None else None
    counted = f"{now} 件案件" if now is not None else "案件数未知"
    theirs = f"{chosen.cases} 件案件" if chosen.cases is not None else "案件数未知"
    return (
        f"将用 {chosen.made:%Y-%m-%d %H:%M} 的备份（{theirs}）替换当前数据库\n"
        f"{current.path}（{counted}）。\n\n"
        f"此后录入的内容将不在恢复后的数据库中；当前数据库会另存为\n"
        f"{current.path}.before-restore，以便需要时找回。\n\n恢复后程序将关闭，请重新打开。确定恢复吗？"
    )


class BackupsDialog(QDialog):
    def __init__(
        self,
        db: Store,
        restorer: Restorer,
        folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("备份与恢复")
        self.resize(760, 420)
        self._store = db
        self._restorer = restorer
        self._folder = folder
        self.found: list[BackupInfo] = []
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["备份时间", "案件数", "大小"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.backup_button = QPushButton("立即备份")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("从所选备份恢复…")
        self.restore_button.clicked.connect(self._restore_selected)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        close = chinese(QDialogButtonBox(QDialogButtonBox.StandardButton.Close))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(close)
        self.reload()

    def reload(self) -> None:
        if self._store.path is None:
            self.note.setText(
                "当前使用的是服务器数据库：请由管理员用数据库自身的工具（如 pg_dump）备份和恢复。"
            )
            self.backup_button.setEnabled(False)
            self.restore_button.setEnabled(False)
            return
        self.note.setText(
            f"数据库 {self._store.path} 的备份（程序每次启动时自动备份，保留最近几份）。"
        )
        self.found = backups.backups_of(self._store, self._folder)
        self.table.setRowCount(len(self.found))
        for i, b in enumerate(self.found):
            cases = str(b.cases) if b.cases is not None else "无法读取"
            for col, text in enumerate((f"{b.made:%Y-%m-%d %H:%M:%S}", cases, size_text(b.size))):
                self.table.setItem(i, col, QTableWidgetItem(text))
        if self.found:
            self.table.selectRow(0)
        self.restore_button.setEnabled(bool(self.found))

    def back_up_now(self) -> Path | None:
        made = store.backup_sqlite(self._store, self._folder)
        self.reload()
        return made

    def _restore_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.found):
            return
        chosen = self.found[row]
        if confirm(self, "恢复数据库", confirmation_text(self._store, chosen), "恢复"):
            self.accept()
            self._restorer(chosen.path)
