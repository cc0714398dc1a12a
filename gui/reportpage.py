"""The annual-report page (年度报告): tables 三 and 四 as published, drill-down, checks, 表二."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases.actions.imports import TABLE2_ROLES, enter_table2
from cases.documents import report as annual
from cases.documents.report import TABLE4_PATH, Report, ReportCheckFailed, ReportError
from cases.documents.report_export import _table3_grid, _table4_grid, demo_note, export_report
from cases.errors import Refused
from cases.office.profile import load_profile
from cases.storage.model import User
from gui.gridmodel import GridModel, apply_spans
from gui.operations import Changes, OperationRunner
from gui.table2model import Table2Model

Cell = tuple[tuple[str, ...], str]  # row path (TABLE4_PATH for table 四), column label
EXPORT_FILTERS = "Word 文档 (*.docx);;Excel 工作簿 (*.xlsx);;JSON 数据 (*.json)"


class ReportPage(QWidget):
    """Build the year's report from the database and let the compiler check and export it."""

    open_case = Signal(str)  # a case number the user asked to open

    def __init__(
        self,
        runner: OperationRunner,
        *,
        user: Callable[[], User | None],
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._report: Report | None = None
        self._cell: Cell | None = None

        self.year = QSpinBox()
        self.year.setRange(2000, today().year + 1)
        self.year.setValue(today().year - 1 if today().month <= 3 else today().year)
        self.year.setSuffix(" 年")
        self.office = QLabel()
        self.body = QComboBox()
        self.body.setToolTip("汇总本机关各答复机关的年报，或只统计其中一个单位")
        build = QPushButton("重新统计")
        build.clicked.connect(self.reload)
        self.export_button = QPushButton("导出年报…")
        self.export_button.clicked.connect(self._choose_export)
        self.status = QLabel()
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度："))
        top.addWidget(self.year)
        top.addWidget(QLabel("报告单位："))
        top.addWidget(self.body)
        top.addWidget(self.office, 1)
        top.addWidget(build)
        top.addWidget(self.export_button)

        self.table3 = GridModel(self)
        self.table3_view = self._grid_view(self.table3)
        self.table4 = GridModel(self)
        self.table4_view = self._grid_view(self.table4)
        self.table2 = Table2Model(self)
        self.table2_view = QTableView()
        self.table2_view.setModel(self.table2)
        self.table2_view.verticalHeader().hide()
        self.table2_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.save_table2_button = QPushButton("保存表二")
        self.save_table2_button.clicked.connect(self.save_table2)
        table2_page = QWidget()
        t2 = QVBoxLayout(table2_page)
        t2.addWidget(QLabel("表二各项的数字不在案件中，由本机关按年填写；留空即不填。"))
        t2.addWidget(self.table2_view, 1)
        t2.addWidget(self.save_table2_button, 0, Qt.AlignmentFlag.AlignRight)

        self.checks = QTreeWidget()
        self.checks.setHeaderLabels(["校验规则", "结果"])
        self.checks.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.checks.itemDoubleClicked.connect(self._open_check_case)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.table3_view, "表三 收到和处理政府信息公开申请情况")
        self.tabs.addTab(self.table4_view, "表四 行政复议、行政诉讼情况")
        self.tabs.addTab(table2_page, "表二 主动公开政府信息情况")
        self.tabs.addTab(self.checks, "校验")

        self.cell_label = QLabel("点击表中的数字，查看计入该格的案件。")
        self.cell_label.setWordWrap(True)
        self.cases = QListWidget()
        self.cases.itemDoubleClicked.connect(lambda item: self.open_case.emit(item.text()))
        self.open_button = QPushButton("打开案件")
        self.open_button.clicked.connect(self._open_selected)
        side = QWidget()
        s = QVBoxLayout(side)
        s.setContentsMargins(0, 0, 0, 0)
        s.addWidget(self.cell_label)
        s.addWidget(self.cases, 1)
        s.addWidget(self.open_button)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tabs)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

        self.table3_view.clicked.connect(lambda i: self._on_grid_click(self.table3, i))
        self.table4_view.clicked.connect(lambda i: self._on_grid_click(self.table4, i))
        self._fill_bodies()
        self.year.valueChanged.connect(lambda _y: self.reload())
        self.body.currentIndexChanged.connect(lambda _i: self.reload())
        runner.changed.connect(self._on_changed)
        self._stale = False
        self.reload()

    def _on_changed(self, changes: object) -> None:
        # Any case may move a figure; a hidden page counts again only when it is shown.
        if isinstance(changes, Changes) and changes.settings:
            self._fill_bodies()
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
        super().showEvent(event)

    def _fill_bodies(self) -> None:
        """全部 (the compiled report) and each answering body of the office profile."""

        def shorts(session: Session) -> list[str]:
            try:
                office = load_profile(session)
            except Refused:
                return []  # a broken profile is shown where it is edited; the total still counts
            return [
                office.own_short,
                *(u.short for u in office.units if u.short != office.own_short),
            ]

        chosen = self.body.currentData()
        self.body.blockSignals(True)
        self.body.clear()
        self.body.addItem("全部（汇总）", None)
        for short in self._runner.read(shorts):
            self.body.addItem(short, short)
        found = self.body.findData(chosen)
        self.body.setCurrentIndex(max(found, 0))
        self.body.blockSignals(False)

    def chosen_body(self) -> str | None:
        data = self.body.currentData()
        return data if isinstance(data, str) else None

    @staticmethod
    def _grid_view(model: GridModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.horizontalHeader().hide()
        view.verticalHeader().hide()
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(True)
        return view

    # --- loading ---------------------------------------------------------------------------------

    @property
    def report(self) -> Report | None:
        return self._report

    def reload(self) -> None:
        self._stale = False
        user = self._user()
        may_enter = user is not None and bool(set(user.role_set) & set(TABLE2_ROLES))
        self.save_table2_button.setEnabled(may_enter)
        self.table2_view.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            if may_enter
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        year, body = self.year.value(), self.chosen_body()
        self._report = self._runner.read(lambda s: annual.build_report(s, year, body=body))
        report = self._report
        self.office.setText(report.office or "（办公室信息尚未填写）")
        self.table3.set_grid(_table3_grid(report))
        self.table4.set_grid(_table4_grid(report))
        for view, model in ((self.table3_view, self.table3), (self.table4_view, self.table4)):
            apply_spans(view, model)
            self._size_columns(view, model)
        self.table2.load(report.table2)
        self._show_checks(report)
        self._show_cases(None, [])

    @staticmethod
    def _size_columns(view: QTableView, model: GridModel) -> None:
        grid = model.grid
        if grid is None:
            return
        for col, mm in enumerate(grid.widths_mm):
            view.setColumnWidth(col, int(mm * 3.2))
        view.resizeRowsToContents()

    def _show_checks(self, report: Report) -> None:
        self.checks.clear()
        for check in report.checks:
            item = QTreeWidgetItem([check.rule, "通过" if check.ok else "未通过"])
            item.setToolTip(0, check.describe())
            if check.detail:
                item.addChild(QTreeWidgetItem([check.detail, ""]))
            for no in check.cases:
                child = QTreeWidgetItem([no, "双击打开"])
                child.setData(0, Qt.ItemDataRole.UserRole, no)
                item.addChild(child)
            if not check.ok:
                item.setForeground(1, Qt.GlobalColor.red)
                item.setExpanded(True)
            self.checks.addTopLevelItem(item)
        failed, warned = report.failed, report.warnings
        if failed:
            self.status.setText(
                f"<span style='color:#b00020'>有 {len(failed)} 项校验未通过，年报不能导出；"
                "请在“校验”页查看涉及的案件并更正。</span>"
            )
        elif warned:
            # A check that does not stop the export still failed: "all passed" above a red
            # 未通过 would tell the compiler the opposite of the list below it.
            names = "、".join(c.rule for c in warned)
            self.status.setText(
                "<span style='color:#b35c00'>必须通过的校验均已通过，可以导出；"
                f"另有 {len(warned)} 项提示未通过（{names}），请在“校验”页查看。</span>"
            )
        else:
            self.status.setText("<span style='color:#1b6e20'>全部校验通过，可以导出。</span>")
        if demo_note(report):  # figures of a trial file must not pass for the office's own
            self.status.setText(
                f"{self.status.text()}<br><b style='color:#b35c00'>{demo_note(report)}</b>"
            )

    # --- drill-down ------------------------------------------------------------------------------

    def cell_at(self, model: GridModel, row: int, col: int) -> Cell | None:
        """The report cell under a grid slot, or None for a label or a header."""
        report, grid = self._report, model.grid
        cell = model.cell(row, col)
        if report is None or grid is None or cell is None or cell.number is None:
            return None
        if model is self.table4:
            return TABLE4_PATH, report.table4_columns[col]
        value_lines = [r for r in report.rows if r.line.has_value_cells]
        depth = grid.n_cols - len(report.columns)
        return value_lines[row - grid.header_rows].path, report.columns[col - depth]

    def _on_grid_click(self, model: GridModel, index: QModelIndex) -> None:
        cell = self.cell_at(model, index.row(), index.column())
        if cell is not None:
            self.show_cell(*cell)

    def show_cell(self, path: Sequence[str], column: str) -> list[str]:
        """List the cases the core counts in one cell; returns their numbers."""
        year, body, wanted = self.year.value(), self.chosen_body(), tuple(path)
        numbers = self._runner.read(
            lambda s: annual.cases_in_cell(s, year, wanted, column, body=body)
        )
        self._show_cases((wanted, column), numbers)
        return numbers

    def _show_cases(self, cell: Cell | None, numbers: list[str]) -> None:
        self._cell = cell
        self.cases.clear()
        self.cases.addItems(numbers)
        if cell is None:
            self.cell_label.setText("点击表中的数字，查看计入该格的案件。")
        else:
            where = "表四" if cell[0] == TABLE4_PATH else "表三 " + "/".join(cell[0][1:] or cell[0])
            self.cell_label.setText(f"{where} · {cell[1]}：{len(numbers)} 件")
        self.open_button.setEnabled(bool(numbers))

    def shown_cases(self) -> list[str]:
        return [self.cases.item(i).text() for i in range(self.cases.count())]

    def _open_selected(self) -> None:
        item: QListWidgetItem | None = self.cases.currentItem() or self.cases.item(0)
        if item is not None:
            self.open_case.emit(item.text())

    def _open_check_case(self, item: QTreeWidgetItem, _column: int) -> None:
        no = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(no, str):
            self.open_case.emit(no)

    # --- table 二 and export ---------------------------------------------------------------------

    def save_table2(self) -> bool:
        year, values, user = self.year.value(), self.table2.values(), self._user()
        if user is None:
            self._runner.refused.emit(f"保存{year}年表二", "请先登录")
            return False

        def save(session: Session) -> object:
            return enter_table2(session, user, year, values)

        done = self._runner.write(f"保存{year}年表二", save)
        if done is not None:
            self.reload()  # no list shows table 二: the Result's Changes are empty
        return done is not None

    def _choose_export(self) -> None:
        year = self.year.value()
        name, _ = QFileDialog.getSaveFileName(
            self, "导出年度报告", f"{year}年政府信息公开工作年度报告表格.docx", EXPORT_FILTERS
        )
        if name:
            problem = self.export_to(Path(name))
            if problem is None:
                QMessageBox.information(self, "导出年报", f"已导出 {name}")
            else:
                QMessageBox.warning(self, "导出年报", problem)

    def export_to(self, path: Path) -> str | None:
        """Write the year's report; the reason it was refused, or None when written.

        The report is built again, so that figures saved a moment ago are in the file."""
        if self.table2.dirty:
            return "表二有尚未保存的修改，请先保存表二再导出。"
        year, body = self.year.value(), self.chosen_body()
        try:
            self._runner.read(
                lambda s: export_report(annual.build_report(s, year, body=body), path)
            )
        except ReportCheckFailed as failed:
            lines = "\n".join(c.describe() for c in failed.failed)
            return f"{year}年度报告未通过校验，未导出：\n{lines}"
        except ReportError as exc:
            return f"未导出：{exc}"
        return None
