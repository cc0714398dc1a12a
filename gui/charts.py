"""Drawing the core's chart series (cases.documents.stats.Chart) with QtCharts."""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter

from cases.documents.stats import Chart

# Beyond this many categories a bar chart lies on its side, so that the names stay readable.
HORIZONTAL_AFTER = 12


def short_label(label: str) -> str:
    """（二）部分公开（区分处理的，只计这一情形，不计其他情形） reads （二）部分公开 in a slice."""
    return re.sub(r"(?<=.)（[^）]*）$", "", label)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def nice_step(top: float, most_ticks: int = 8) -> float:
    """A tick step of 1, 2 or 5 times a power of ten giving at most `most_ticks` intervals."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(top / most_ticks)) if top > most_ticks else 1.0
    for factor in (1, 2, 5, 10):
        if top / (factor * magnitude) <= most_ticks:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _value_axis(chart: Chart, values: list[float]) -> QValueAxis:
    """Ticks on round numbers from 0, so a labelled tick stands where its number is."""
    axis = QValueAxis()
    whole = all(v == int(v) for v in values)
    top = max(values, default=0.0)
    step = nice_step(top)
    if not whole and top < 8:
        step = max(step / 2, 0.5)
    axis.setRange(0, step * max(1, math.ceil(top * 1.05 / step)))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setMinorTickCount(0)
    # The label format is printf-like and takes no Chinese: the unit is the axis title.
    axis.setLabelFormat("%d" if step == int(step) else "%.1f")
    axis.setTitleText(chart.unit)
    return axis


def _bars(chart: Chart, qchart: QChart) -> None:
    horizontal = chart.kind != "stacked" and len(chart.categories) > HORIZONTAL_AFTER
    series: QAbstractBarSeries
    if chart.kind == "stacked":
        series = QStackedBarSeries()
    elif horizontal:
        series = QHorizontalBarSeries()
    else:
        series = QBarSeries()

    def ordered(items: tuple[float, ...] | tuple[str, ...]) -> list[Any]:
        # A horizontal axis counts upwards: reversed, the core's first category stands on top.
        return list(reversed(items)) if horizontal else list(items)

    for s in chart.series:
        bars = QBarSet(s.label)
        bars.append(ordered(s.values))
        series.append(bars)
    series.setLabelsVisible(len(chart.categories) <= HORIZONTAL_AFTER)
    qchart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(ordered(chart.categories))
    if chart.kind == "stacked":
        totals = [sum(s.values[i] for s in chart.series) for i in range(len(chart.categories))]
    else:
        totals = [v for s in chart.series for v in s.values]
    values = _value_axis(chart, totals)
    left, bottom = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom
    qchart.addAxis(categories, left if horizontal else bottom)
    qchart.addAxis(values, bottom if horizontal else left)
    series.attachAxis(categories)
    series.attachAxis(values)


def _lines(chart: Chart, qchart: QChart) -> None:
    categories = QBarCategoryAxis()
    categories.append(list(chart.categories))
    values = _value_axis(chart, [v for s in chart.series for v in s.values])
    qchart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    qchart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    for s in chart.series:
        line = QLineSeries()
        line.setName(s.label)
        for i, v in enumerate(s.values):
            line.append(i, v)
        line.setPointsVisible(True)
        line.setPointLabelsVisible(len(chart.categories) <= HORIZONTAL_AFTER)
        line.setPointLabelsFormat("@yPoint")
        qchart.addSeries(line)
        line.attachAxis(categories)
        line.attachAxis(values)


def _pie(chart: Chart, qchart: QChart) -> None:
    pie = QPieSeries()
    (only,) = chart.series
    total = sum(only.values)
    for label, value in zip(chart.categories, only.values, strict=True):
        if value <= 0:
            continue  # an empty share would be a slice of nothing with an overlapping label
        share = value / total * 100 if total else 0.0
        piece = pie.append(
            f"{short_label(label)} {_number(value)}{chart.unit}（{share:.1f}%）", value
        )
        piece.setLabelVisible(True)
    qchart.addSeries(pie)
    qchart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)


def build_chart(chart: Chart) -> QChart:
    """A QChart for one of the core's charts, titled as the core titles it."""
    qchart = QChart()
    qchart.setTitle(chart.title)
    qchart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    qchart.setMargins(QMargins(6, 6, 6, 6))
    if chart.kind in ("bar", "stacked"):
        _bars(chart, qchart)
    elif chart.kind == "line":
        _lines(chart, qchart)
    elif chart.kind == "pie":
        _pie(chart, qchart)
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")  # a bug in cases.documents.stats
    qchart.legend().setVisible(True)
    return qchart


ANTIALIAS = QPainter.RenderHint.Antialiasing
