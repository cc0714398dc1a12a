"""The statistics page (统计图表): the core's charts for a year, each saved as PNG or copied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtGui import QGuiApplication, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cases.documents import stats
from cases.documents.stats import Chart
from gui.charts import ANTIALIAS, build_chart
from gui.operations import OperationRunner

SHORT_TITLES = {
    "monthly": "各月收到",
    "outcomes": "办理结果",
    "units": "部门、乡镇",
    "overdue": "逾期和临期",
    "reply_days": "答复用时",
    "reviews": "复议和诉讼",
}


class ChartPanel(QWidget):
    """One chart with its note and the two ways of taking it into a report."""

    def __init__(self, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.qchart: QChart = build_chart(chart)
        self.view = QChartView(self.qchart)
        self.view.setRenderHint(ANTIALIAS)
        save = QPushButton("保存为图片…")
        save.clicked.connect(self._choose_file)
        copy = QPushButton("复制图表")
        copy.setToolTip("复制到剪贴板，可直接粘贴到 Word、WPS 的报告中")
        copy.clicked.connect(self.copy)
        note = QLabel(chart.note)
        note.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        row.addWidget(note, 1)
        row.addWidget(save)
        row.addWidget(copy)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

    def picture(self) -> QPixmap:
        return self.view.grab()

    def save_png(self, path: Path) -> bool:
        return self.picture().save(str(path), "PNG")

    def copy(self) -> None:
        QGuiApplication.clipboard().setImage(self.picture().toImage())

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "保存图表", f"{self.chart.title}.png", "PNG 图片 (*.png)"
        )
        if name and not self.save_png(Path(name)):
            QMessageBox.warning(self, "保存图表", f"未能写入 {name}")


class StatsPage(QWidget):
    """Every chart of cases.documents.stats.chart_data for the chosen year, one per tab."""

    def __init__(
        self,
        runner: OperationRunner,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._today = today
        self.year = QSpinBox()
        self.year.setRange(2000, today().year)
        self.year.setValue(today().year)
        self.year.setSuffix(" 年")
        again = QPushButton("重新统计")
        again.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度："))
        top.addWidget(self.year)
        top.addWidget(again)
        top.addStretch(1)
        self.tabs = QTabWidget()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.panels: list[ChartPanel] = []
        self._stale = True
        self.year.valueChanged.connect(lambda _y: self.reload())
        runner.changed.connect(self._on_changed)

    def _on_changed(self, _changes: object) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        """Ask the core for the year's figures and draw them again."""
        self._stale = False
        year, today = self.year.value(), self._today()
        charts = self._runner.read(lambda s: stats.chart_data(s, year, today))
        current = self.tabs.currentIndex()
        self.tabs.clear()
        for panel in self.panels:
            panel.deleteLater()
        self.panels = [ChartPanel(c) for c in charts]
        for panel in self.panels:
            self.tabs.addTab(panel, SHORT_TITLES.get(panel.chart.key, panel.chart.title))
        if 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)

    def panel(self, key: str) -> ChartPanel:
        return next(p for p in self.panels if p.chart.key == key)
