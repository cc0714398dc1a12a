"""The 文件 menu's import and export: a preview before anything is written, progress and cancel,
the refusals in a sortable table saved as .xlsx; the ledger, exchange file and blank template."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases.actions.imports import import_file_in_steps
from cases.errors import Refused
from cases.interchange import exchange, ledger, ledger_mapping, transfer
from cases.interchange.exchange import ImportRejected, ImportResult
from cases.interchange.ledger_mapping import Mapping
from cases.interchange.records import Problem
from cases.interchange.transfer import ImportPreview
from cases.progress import Progress
from cases.storage.model import User
from gui.exportkinds import EXPORTS
from gui.mappingpanel import MappingPanel
from gui.operations import OperationRunner, Task
from gui.problemmodel import SORT_ROLE, ProblemModel

FILE_FILTER = "台账或交换文件 (*.xlsx *.jsonl);;台账 (*.xlsx);;交换文件 (*.jsonl)"


def _stepper(progress: Progress, text: str) -> exchange.Progress:
    """The core's (done, total) callback, reporting through the runner's Progress (and its
    cancel, which raises from inside the import and rolls it back)."""
    return lambda done, total: progress.step(done, total, f"{text} {done}/{total}")


class ImportDialog(QDialog):
    """Choose a file, see what it holds, then import it all or nothing."""

    def __init__(
        self,
        runner: OperationRunner,
        user: User,
        path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入案件")
        self.resize(900, 560)
        self._runner = runner
        self._user = user
        self.preview_result: ImportPreview | None = None
        self.imported: ImportResult | None = None
        self.task: Task[object] | None = None
        self._problems: list[Problem] = []
        self.mapping: Mapping | None = None  # another office's ledger: its corrected mapping

        self.path = QLineEdit(str(path) if path else "")
        self.path.setPlaceholderText("选择要导入的 .xlsx 台账或 .jsonl 交换文件")
        self.path.textChanged.connect(self._forget_preview)
        choose = QPushButton("选择文件…")
        choose.clicked.connect(self._choose)
        self.preview_button = QPushButton("预览")
        self.preview_button.setToolTip("检查整个文件，列出可导入的件数和提示；不写入任何内容")
        self.preview_button.clicked.connect(self.preview)
        row = QHBoxLayout()
        row.addWidget(QLabel("文件："))
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        row.addWidget(self.preview_button)

        self.mapping_panel = MappingPanel()
        self.mapping_panel.setVisible(False)
        self.mapping_panel.changed.connect(self._mapping_changed)
        self.summary = QLabel(
            "先预览：程序会检查每一行，确认无误后再导入。导入要么全部完成，要么一件也不写入。"
        )
        self.summary.setWordWrap(True)
        self.warnings = QListWidget()
        self.warnings.setVisible(False)
        self.problems = ProblemModel(self)
        self.sorted = QSortFilterProxyModel(self)
        self.sorted.setSourceModel(self.problems)
        self.sorted.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.sorted)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setVisible(False)
        self.save_problems_button = QPushButton("错误清单另存为 Excel…")
        self.save_problems_button.clicked.connect(self._choose_problems_file)
        self.save_problems_button.setVisible(False)

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.mapping_panel, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings, 1)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.save_problems_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(buttons)

    # --- choosing and previewing ---------------------------------------------------------------

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择要导入的文件", "", FILE_FILTER)
        if name:
            self.path.setText(name)

    def _forget_preview(self) -> None:
        self.preview_result = None
        self.import_button.setEnabled(False)
        self.mapping = None
        self.mapping_panel.setVisible(False)

    def _mapping_changed(self, mapping: object) -> None:
        if isinstance(mapping, Mapping):
            self.mapping = mapping
            self.preview_result = None
            self.import_button.setEnabled(False)
            self.summary.setText("对应关系已修改，请重新预览。")

    def _other_office(self, path: Path) -> bool:
        """An .xlsx that is not this program's own 台账: it is read through a column mapping."""
        try:
            return path.suffix.lower() == ".xlsx" and not ledger.is_own_ledger(path)
        except (OSError, Refused):
            return False  # unreadable: the import itself says why

    def detect(self, path: Path) -> Mapping | None:
        """Find the header and propose the mapping (remembered from the last import first)."""
        try:
            found = self._runner.read(lambda s: ledger_mapping.detect_mapping(path, s))
        except Refused as exc:
            self.summary.setText(f"<span style='color:#b00020'>{exc}</span>")
            return None
        self.mapping = found
        self.mapping_panel.show_mapping(found)
        self.mapping_panel.setVisible(True)
        return found

    def _chosen(self) -> Path | None:
        text = self.path.text().strip()
        return Path(text) if text else None

    def _catching(
        self, fn: Callable[[Session, Progress], object]
    ) -> Callable[[Session, Progress], object]:
        """Keep the problem list of a refused import: the runner passes on only its message."""

        def run(session: Session, progress: Progress) -> object:
            try:
                return fn(session, progress)
            except ImportRejected as rejected:
                self._problems = list(rejected.problems)
                raise

        return run

    def preview(self) -> Task[object] | None:
        path = self._chosen()
        if path is None:
            self.summary.setText("请先选择文件。")
            return None
        user, store = self._user, self._runner.store
        self._problems = []
        self._show_problems([])
        if self.mapping is None and self._other_office(path) and self.detect(path) is None:
            return None
        mapping = self.mapping

        def dry_run(_writer: Session, progress: Progress) -> object:
            # A read session: checking a large file takes no write lock from the desks.
            step = _stepper(progress, "检查")
            with store.session() as session:
                if mapping is not None:
                    return transfer.preview_through_mapping(session, user, path, mapping, step)
                return transfer.preview_import(session, user, path, step)

        self.task = self._runner.run(
            f"预览 {path.name}",
            self._catching(dry_run),
            on_done=self._previewed,
            parent=self,
        )
        self.task.done.connect(self._after_preview_task)
        return self.task

    def _previewed(self, found: object) -> None:
        if not isinstance(found, ImportPreview):
            return
        self.preview_result = found
        self.summary.setText(
            f"{found.path.name}：共 {found.cases} 件案件，检查通过，可以导入。"
            + (
                f"另有 {len(found.warnings)} 条提示（不影响导入），见下表。"
                if found.warnings
                else ""
            )
        )
        self.warnings.clear()
        self.warnings.addItems([str(w) for w in found.warnings])
        self.warnings.setVisible(bool(found.warnings))
        self.import_button.setEnabled(True)

    def _after_preview_task(self) -> None:
        if self.task is not None and self.task.state == "refused":
            self._refused()

    # --- importing -----------------------------------------------------------------------------

    def start_import(self) -> Task[object] | None:
        path = self._chosen()
        if path is None or self.preview_result is None:
            return None
        user, mapping, store = self._user, self.mapping, self._runner.store
        self.import_button.setEnabled(False)

        def write(_writer: Session, progress: Progress) -> object:
            # The import takes its own transactions (checked, staged, one short write at the
            # end), so that the other desks are not held up; the runner's session stays unused.
            step = _stepper(progress, "导入")
            if mapping is not None:
                done: object = transfer.import_through_mapping_in_steps(
                    store, user, path, mapping, step
                )
            else:
                done = import_file_in_steps(store, user, path, step)
            progress.committed()
            return done

        self.task = self._runner.run(
            f"导入 {path.name}", self._catching(write), on_done=self._imported, parent=self
        )
        self.task.done.connect(self._after_import_task)
        return self.task

    def _imported(self, result: object) -> None:
        if isinstance(result, ImportResult):
            self.imported = result
            self.summary.setText(f"已导入 {result.written} 件案件。")
        elif isinstance(result, ledger_mapping.MappedImport):
            self.imported = ImportResult(result.written, [], list(result.numbers))
            skipped = f"；{result.skipped} 件已在数据库中，未重复导入" if result.skipped else ""
            self.summary.setText(f"已导入 {result.written} 件案件{skipped}。")

    def _after_import_task(self) -> None:
        state = self.task.state if self.task is not None else ""
        if state == "refused":
            self._refused()
        elif state == "cancelled":
            self.summary.setText("导入已取消，没有写入任何内容。")
            self.import_button.setEnabled(self.preview_result is not None)

    def _refused(self) -> None:
        refusal = self._runner.last_refusal
        message = refusal.message if refusal is not None else "导入未进行"
        self.preview_result = None
        self.import_button.setEnabled(False)
        self.summary.setText(
            f"<span style='color:#b00020'>{message}</span>"
            + (
                "<br>错误逐条列在下表，可点击表头排序，或另存为 Excel 交给填表人更正。"
                if self._problems
                else ""
            )
        )
        self._show_problems(self._problems)

    def _show_problems(self, problems: list[Problem]) -> None:
        self.problems.set_problems(problems)
        self.table.setVisible(bool(problems))
        self.save_problems_button.setVisible(bool(problems))
        self.warnings.setVisible(False)
        if problems:
            self.table.resizeColumnToContents(0)
            self.table.resizeColumnToContents(1)

    def _choose_problems_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "保存错误清单", "导入错误.xlsx", "Excel (*.xlsx)"
        )
        if name:
            self.save_problems(Path(name))

    def save_problems(self, path: Path) -> int:
        return transfer.write_problems(self.problems.problems, path)


# --- export ------------------------------------------------------------------------------------


def export_to(runner: OperationRunner, kind: str, path: Path) -> int:
    """Write the export `kind` (ledger, exchange, template); returns the cases written."""
    if kind == "ledger":
        return runner.read(lambda s: ledger.export_ledger(s, path))
    if kind == "exchange":
        return runner.read(lambda s: exchange.export_jsonl(s, path))
    if kind == "template":
        transfer.write_blank_ledger(path)
        return 0
    raise ValueError(f"unknown export {kind!r}")  # a bug in the menu


def choose_and_export(runner: OperationRunner, kind: str, parent: QWidget) -> None:
    title, default, filters = EXPORTS[kind]
    name, _ = QFileDialog.getSaveFileName(parent, title, default, filters)
    if not name:
        return
    try:
        count = export_to(runner, kind, Path(name))
    except OSError as exc:
        QMessageBox.warning(parent, title, f"未能写入 {name}：{exc.strerror or exc}")
        return
    done = "已写入空白台账模板" if kind == "template" else f"已导出 {count} 件案件"
    QMessageBox.information(parent, title, f"{done}：{name}")
