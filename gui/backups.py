"""备份与恢复 and 核验: this database's backups (date, cases), back up now, restore, verify."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cases.errors import Refused
from cases.storage import backups, store, verify
from cases.storage import restore as restoring
from cases.storage.backups import BackupInfo
from cases.storage.store import Store
from gui.buttonnames import chinese, confirm
from gui.helpdialogs import size_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.progress import Progress
    from gui.mainwindow import MainWindow
    from gui.operations import Task

# What the window does to restore: close the database, put the backup in its place, quit.
Restorer = Callable[[Path], None]
TITLE = "恢复数据库"


def confirmation_text(
    live: Path, backup: restoring.Contents, replaced: restoring.Contents | None
) -> str:
    """What the backup holds, what it replaces, and where the replaced file is kept."""
    now = replaced.describe() if replaced is not None else "不存在或无法读取"
    return (
        f"备份：{backup.describe()}\n"
        f"将替换当前数据库 {live}\n（{now}）。\n\n"
        "此后录入的内容将不在恢复后的数据库中；恢复前当前数据库会另存为\n"
        f"{live.name}.before-restore-日期时间，以便需要时找回（不覆盖以前另存的文件）。\n\n"
        "恢复后程序将关闭，请重新打开。确定恢复吗？"
    )


def restore_into(window: MainWindow, backup: Path) -> None:
    """Close the database, restore the checked backup in its place, and end the program."""
    target = window.store.path
    if target is None:
        return
    window.runner.wait()
    window.model.wait()
    window.store.close()  # the window's own connections would hold the file open
    try:
        done = restoring.restore(backup, target)
    except Refused as exc:
        QMessageBox.warning(window, TITLE, f"未恢复，当前数据库未作改动：{exc.message}")
        return
    note = f"\n原数据库已另存为 {done.kept}" if done.kept else ""
    QMessageBox.information(
        window, TITLE, f"已从 {backup.name} 恢复到 {target}。{note}\n\n请重新打开程序。"
    )
    window.close()
    QApplication.quit()


def verification_text(found: verify.Verification) -> str:
    """What 核验 found, in the words of the command line's `verify`."""
    if found.ok:
        return (
            f"核验通过：{found.records} 条审计记录的哈希链完整，"
            f"{found.letters} 份已发文文书与发文时一致。"
        )
    lines = [str(f) for f in found.findings]
    lines.append("核验未通过：数据库中的记录在写入后被改动过，请联系管理员并保留本文件。")
    return "\n\n".join(lines)


def verify_record(window: MainWindow) -> Task[object]:
    """核验记录完整性: the audit chain and every issued letter, on the worker thread."""
    store = window.runner.store

    def work(_writer: Session, _progress: Progress) -> object:
        with store.session() as session:  # a read: the desks go on writing meanwhile
            return verify.verify(session)

    def show(found: object) -> None:
        if isinstance(found, verify.Verification):
            box = QMessageBox.information if found.ok else QMessageBox.warning
            box(window, "核验记录完整性", verification_text(found))

    return window.runner.run("核验记录完整性", work, on_done=show, parent=window)


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
        if not 0 <= row < len(self.found) or self._store.path is None:
            return
        chosen = self.found[row]
        question = self.restore_question(chosen)
        if question is not None and confirm(self, TITLE, question, "恢复"):
            self.accept()
            self._restorer(chosen.path)

    def restore_question(self, chosen: BackupInfo) -> str | None:
        """The confirmation for this backup, or None after saying why it cannot be restored."""
        assert self._store.path is not None
        try:
            contents, replaced = restoring.plan(chosen.path, self._store.path)
        except Refused as exc:
            QMessageBox.warning(self, TITLE, f"不能用这份备份恢复：{exc.message}")
            return None
        return confirmation_text(self._store.path, contents, replaced)
