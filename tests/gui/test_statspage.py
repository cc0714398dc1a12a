"""The statistics page on demo data: every chart drawn with the figures the core computes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QAbstractBarSeries, QLineSeries, QPieSeries
from PySide6.QtGui import QGuiApplication, QImage
from pytestqt.qtbot import QtBot

from cases.documents import stats
from cases.storage.store import Store
from gui.charts import nice_step, short_label
from gui.operations import OperationRunner
from gui.statspage import StatsPage
from tests.gui.conftest import TODAY, fill_demo


def drawn(panel_series: list[object]) -> dict[str, list[float]]:
    """Series name → values as the QChart holds them, in the core's category order."""
    out: dict[str, list[float]] = {}
    for series in panel_series:
        if isinstance(series, QAbstractBarSeries):
            horizontal = series.type() == series.SeriesType.SeriesTypeHorizontalBar
            for bars in series.barSets():
                values = [bars.at(i) for i in range(bars.count())]
                out[bars.label()] = values[::-1] if horizontal else values
        elif isinstance(series, QLineSeries):
            points = series.points()
            assert [p.x() for p in points] == list(range(len(points)))
            out[series.name()] = [p.y() for p in points]
        elif isinstance(series, QPieSeries):
            out["pie"] = [s.value() for s in series.slices()]
    return out


def test_every_chart_shows_the_core_figures(store: Store, qtbot: QtBot, tmp_path: Path) -> None:
    fill_demo(store, 600)
    page = StatsPage(OperationRunner(store), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.year.setValue(2025)
    page.show()
    qtbot.waitExposed(page)
    with store.session() as s:
        expected = stats.chart_data(s, 2025, TODAY)
    assert [p.chart for p in page.panels] == list(expected)
    assert page.tabs.count() == 6
    for panel, chart in zip(page.panels, expected, strict=True):
        assert panel.qchart.title() == chart.title
        shown = drawn(panel.qchart.series())
        if chart.kind == "pie":
            assert shown["pie"] == [v for v in chart.series[0].values if v > 0]
            labels = [s.label() for s in panel.qchart.series()[0].slices()]
            assert labels[0].startswith(short_label(chart.categories[0]))
        else:
            assert shown == {s.label: list(s.values) for s in chart.series}, chart.key
    # the figures are not trivial: demo data has cases in every chart
    monthly = page.panel("monthly").chart
    assert sum(monthly.series[1].values) > 0 and sum(monthly.series[0].values) > 0
    assert sum(page.panel("reviews").chart.series[0].values) > 0

    out = tmp_path / "chart.png"
    panel = page.panel("outcomes")
    page.tabs.setCurrentWidget(panel)
    assert panel.save_png(out)
    image = QImage(str(out))
    assert image.width() > 400 and image.height() > 300
    panel.copy()
    copied = QGuiApplication.clipboard().image()
    assert copied.size() == panel.picture().size()


def test_another_year_asks_the_core_again(store: Store, qtbot: QtBot) -> None:
    fill_demo(store, 300)
    page = StatsPage(OperationRunner(store), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.show()
    page.year.setValue(2024)
    with store.session() as s:
        assert page.panel("units").chart == stats.by_unit(s, 2024)


def test_tick_steps_are_round() -> None:
    assert nice_step(7) == 1
    assert nice_step(50) == 10
    assert nice_step(135) == 20
    assert nice_step(0) == 1
