"""工作日历: a year of holidays and 调休 days, provisional years marked, a schedule file imported
after a preview of the entries it changes and the deadlines it moves."""

from __future__ import annotations

import calendar as monthdays
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cases.actions import holidays
from cases.actions.holidays import HolidayImport, Schedule
from cases.errors import Refused
from cases.result import Result
from cases.storage.model import User
from cases.timing import deadlines
from cases.timing.calendar import DayKind, WorkCalendar
from gui.operations import OperationRunner
from gui.settings.base import READ_ONLY_NOTE, Section
from gui.settings.titles import SECTION_TITLES

COLOURS = {
    DayKind.HOLIDAY: QColor("#f4c7c3"),
    DayKind.WORKED_WEEKEND: QColor("#c6dafc"),
    DayKind.WEEKEND: QColor("#eeeeee"),
}
WEEKDAYS = "一二三四五六日"


def _due(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else "（无期限）"


class PreviewDialog(QDialog):
    """What the schedule file would change, shown before anything is written."""

    def __init__(self, plan: Result[HolidayImport], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        found = plan.value
        years = "、".join(f"{y}年" for y in found.schedule.years)
        self.setWindowTitle(f"录入节假日安排：{found.schedule.name}")
        self.resize(760, 560)
        self.summary = QLabel(
            f"将录入 {years} 的节假日安排（{len(found.schedule.entries)} 天），"
            f"改动 {len(found.entries)} 天的记录；"
            + (
                f"{len(found.moved)} 件未办结案件的答复期限将改变，见下表。"
                if found.moved
                else "未办结案件的答复期限均不变。"
            )
        )
        self.summary.setWordWrap(True)
        self.warnings = QListWidget()
        self.warnings.addItems([str(w) for w in plan.warnings])
        self.warnings.setVisible(bool(plan.warnings))
        self.warnings.setMaximumHeight(80)
        self.moved = QTableWidget(len(found.moved), 3)
        self.moved.setHorizontalHeaderLabels(["案件", "原答复期限", "新答复期限"])
        self.moved.verticalHeader().hide()
        self.moved.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for i, m in enumerate(found.moved):
            new = _due(m.new_due) + ("（暂定）" if m.new_provisional else "")
            old = _due(m.old_due) + ("（暂定）" if m.old_provisional else "")
            for col, text in enumerate((m.case_no, old, new)):
                self.moved.setItem(i, col, QTableWidgetItem(text))
        self.entries = QTableWidget(len(found.entries), 3)
        self.entries.setHorizontalHeaderLabels(["日期", "原记录", "新记录"])
        self.entries.verticalHeader().hide()
        self.entries.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for i, (day, (old_text, new_text)) in enumerate(sorted(found.entries.items())):
            for col, text in enumerate((day.isoformat(), old_text or "—", new_text or "—")):
                self.entries.setItem(i, col, QTableWidgetItem(text))
        buttons = QDialogButtonBox()
        buttons.addButton("录入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(QLabel("将改变的答复期限："))
        layout.addWidget(self.moved, 2)
        layout.addWidget(QLabel("逐日记录的改动："))
        layout.addWidget(self.entries, 1)
        layout.addWidget(buttons)


class CalendarSection(Section):
    title = SECTION_TITLES["calendar"]

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, user, parent)
        self.year = QSpinBox()
        self.year.setRange(2000, today().year + 5)
        self.year.setValue(today().year)
        self.year.setSuffix(" 年")
        self.year.valueChanged.connect(lambda _y: self.reload())
        self.import_button = QPushButton("导入节假日安排文件…")
        self.import_button.clicked.connect(self._choose_file)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.grid = QTableWidget(12, 31)
        self.grid.setHorizontalHeaderLabels([str(d) for d in range(1, 32)])
        self.grid.setVerticalHeaderLabels([f"{m}月" for m in range(1, 13)])
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.last_plan: Result[HolidayImport] | None = None
        self.last_import: HolidayImport | None = None
        top = QHBoxLayout()
        top.addWidget(QLabel("年份："))
        top.addWidget(self.year)
        top.addStretch(1)
        top.addWidget(self.import_button)
        legend = self.note(
            "红色：放假；蓝色：调休上班的周末；灰色：周末。格内“休”“班”为本机关录入的日子。"
            "文件格式：每行一天，如 2027-01-01,休,元旦；首行 year,2027。"
        )
        self.read_only = self.note(READ_ONLY_NOTE)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.read_only)
        layout.addWidget(self.grid, 1)
        layout.addWidget(legend)
        self.reload()

    def reload(self) -> None:
        year = self.year.value()
        cal: WorkCalendar = self.runner.read(deadlines.load_calendar)
        if year in cal.office_years:
            self.status.setText(f"{year}年：按本机关录入的节假日安排计算。")
        elif cal.has_schedule(year):
            self.status.setText(f"{year}年：按国务院办公厅通知的节假日安排计算。")
        else:
            self.status.setText(
                f"<span style='color:#8a5a00'>{year}年尚未录入节假日安排：期限暂按周末计算，"
                "涉及该年的期限均标为“暂定”。国务院通知发布后请导入。</span>"
            )
        office = {e.day: e for e in cal.office_entries}
        for m in range(1, 13):
            days = monthdays.monthrange(year, m)[1]
            for d in range(1, 32):
                item = QTableWidgetItem()
                if d <= days:
                    day = dt.date(year, m, d)
                    kind = cal.kind(day)
                    name = cal.holiday_name(day) or ""
                    item.setToolTip(
                        f"{day.isoformat()} 星期{WEEKDAYS[day.weekday()]} "
                        + {
                            DayKind.HOLIDAY: "放假",
                            DayKind.WORKED_WEEKEND: "调休上班",
                            DayKind.WEEKEND: "周末",
                            DayKind.WORKDAY: "工作日",
                        }[kind]
                        + (f" {name}" if name else "")
                    )
                    if kind in COLOURS:
                        item.setBackground(QBrush(COLOURS[kind]))
                    if day in office:
                        item.setText("班" if office[day].workday else "休")
                else:
                    item.setBackground(QBrush(QColor("#ffffff")))
                    item.setFlags(item.flags() & ~item.flags())
                self.grid.setItem(m - 1, d - 1, item)
        self.read_only.setVisible(not self.editable())
        self.import_button.setEnabled(self.editable())

    def day_kind(self, day: dt.date) -> DayKind:
        cal: WorkCalendar = self.runner.read(deadlines.load_calendar)
        return cal.kind(day)

    # --- importing a schedule ------------------------------------------------------------------

    def plan_import(self, path: Path) -> Result[HolidayImport] | None:
        """Read the file and compute what it would change; writes nothing."""
        actor = self.user
        if actor is None:
            return None
        try:
            schedule: Schedule = holidays.read_schedule(path.name, path.read_bytes())
            plan = self.runner.read(lambda s: holidays.preview(s, actor, schedule))
        except Refused as exc:
            self.runner.refused.emit("录入节假日安排", str(exc))
            return None
        self.last_plan = plan
        return plan

    def apply(self, plan: Result[HolidayImport]) -> HolidayImport | None:
        actor = self.user
        if actor is None:
            return None
        schedule = plan.value.schedule
        done = self.runner.write(
            "录入节假日安排", lambda s: holidays.import_schedule(s, actor, schedule)
        )
        if isinstance(done, HolidayImport):
            self.last_import = done
            if schedule.years:
                self.year.setValue(schedule.years[0])
        self.reload()
        return done if isinstance(done, HolidayImport) else None

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "选择节假日安排文件", "", "节假日安排 (*.txt *.csv);;所有文件 (*)"
        )
        if not name:
            return
        plan = self.plan_import(Path(name))
        if plan is not None:
            dialog = PreviewDialog(plan, self)
            if dialog.exec() == QDialog.DialogCode.Accepted.value:
                self.apply(plan)
