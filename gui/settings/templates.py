"""文书模板: which templates the office overrides, open one, use an own file, restore a default."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from cases.storage import paths
from cases.storage.model import User
from gui.operations import OperationRunner
from gui.settings.base import Section
from gui.settings.titles import SECTION_TITLES

if TYPE_CHECKING:
    from cases.office.templates_folder import TemplateRow

# cases.office.templates_folder is imported where it is used: it loads the Word code (docxtpl),
# which the window's settings menu does not need before this section reads its rows.


class TemplatesSection(Section):
    title = SECTION_TITLES["templates"]

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, user, parent)
        self._folder = folder
        self.rows: list[TemplateRow] = []
        self.open_button = QPushButton("打开模板")
        self.open_button.clicked.connect(self._open)
        self.install_button = QPushButton("使用本机关的模板文件…")
        self.install_button.clicked.connect(self._choose_install)
        self.restore_button = QPushButton("恢复默认模板")
        self.restore_button.clicked.connect(self._restore)
        self.folder_button = QPushButton("打开模板文件夹")
        self.folder_button.clicked.connect(self._open_folder)
        self.lay_out_list(
            ["文书", "使用的模板", "说明"],
            "本机关的模板放在数据文件夹的 templates/ 中，按文件名替换默认模板。"
            "换上的模板先经检查（标签、变量、文号和日期位置），不合格的不会启用；"
            "被替换或恢复默认的文件改名保留，不会删除。",
            [self.open_button, self.install_button, self.restore_button, self.folder_button],
        )
        self.table.currentCellChanged.connect(lambda *_a: self._show_buttons())
        self.reload()

    def reload(self) -> None:
        from cases.office import templates_folder

        self.rows = templates_folder.template_rows(self._folder)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            which = "本机关模板" if r.office else "默认模板"
            remark = r.problem or (r.path.name if r.office else "")
            for col, text in enumerate((r.label, which, remark)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.read_only.setVisible(not self.editable())
        self._show_buttons()

    def selected(self) -> TemplateRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _show_buttons(self) -> None:
        chosen = self.selected()
        self.open_button.setEnabled(chosen is not None)
        self.install_button.setEnabled(self.editable() and chosen is not None)
        self.restore_button.setEnabled(self.editable() and chosen is not None and chosen.office)

    def install(self, kind: str, source: Path) -> bool:
        from cases.office import templates_folder

        actor, folder = self.user, self._folder
        if actor is None:
            return False
        done = self.runner.write(
            "更换文书模板",
            lambda s: templates_folder.install_template(s, actor, kind, source, folder),
        )
        self.reload()
        return done is not None

    def restore(self, kind: str) -> bool:
        from cases.office import templates_folder

        actor, folder = self.user, self._folder
        if actor is None:
            return False
        done = self.runner.write(
            "恢复默认模板", lambda s: templates_folder.restore_default(s, actor, kind, folder)
        )
        self.reload()
        return done is not None

    def _open(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(chosen.path)))

    def _open_folder(self) -> None:
        folder = self._folder or paths.office_templates_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _choose_install(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        name, _ = QFileDialog.getOpenFileName(
            self, f"选择“{chosen.label}”的模板", "", "Word 文档 (*.docx)"
        )
        if name:
            self.install(chosen.kind, Path(name))

    def _restore(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.restore(chosen.kind)
