"""The annual-report page driven as the compiler would: cells, drill-down, table 二, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cases.documents import report as annual
from cases.documents.report import TABLE4_PATH
from cases.storage.model import Applicant
from cases.storage.store import Store
from gui.operations import OperationRunner
from gui.reportpage import ReportPage
from tests.gui.conftest import TODAY, fill_demo
from tests.gui.support import make_user
from tests.report_support import D, add_case

DISCLOSED = ("三、本年度办理结果", "（一）予以公开")


@pytest.fixture
def page(store: Store, qtbot: QtBot) -> ReportPage:
    fill_demo(store, 400)
    runner = OperationRunner(store)
    admin = make_user(store, "compiler", ("reviewer", "admin"))
    shown = ReportPage(runner, user=lambda: admin, today=lambda: TODAY)
    qtbot.addWidget(shown)
    shown.resize(1366, 768)
    shown.year.setValue(2025)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def slot_of(page: ReportPage, path: tuple[str, ...], column: str) -> tuple[int, int]:
    model = page.table4 if path == TABLE4_PATH else page.table3
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            if page.cell_at(model, row, col) == (path, column):
                return row, col
    raise AssertionError(f"no slot for {path} {column}")


def test_models_pass_the_model_tester(page: ReportPage, qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(page.table3)
    qtmodeltester.check(page.table4)
    qtmodeltester.check(page.table2)


def test_tables_show_the_core_figures_in_the_official_layout(page: ReportPage) -> None:
    report = page.report
    assert report is not None and report.year == 2025
    model = page.table3
    assert model.cell(0, 0) is not None and "勾稽关系" in model.cell(0, 0).text  # type: ignore[union-attr]
    for line in report.rows:
        if not line.line.has_value_cells:
            continue
        for column in report.columns:
            row, col = slot_of(page, line.path, column)
            shown = model.data(model.index(row, col))
            assert shown == str(report.value(line.path, column))
    # （三）不予公开 has no figures of its own: a label spanning its eight sub-rows
    row, _ = slot_of(page, (*DISCLOSED[:1], "（三）不予公开", "1.属于国家秘密"), "总计")
    assert page.table3_view.rowSpan(row, 1) == 8
    for name in report.table4_columns:
        row, col = slot_of(page, TABLE4_PATH, name)
        assert page.table4.data(page.table4.index(row, col)) == str(report.value(TABLE4_PATH, name))


def test_clicking_a_cell_lists_exactly_the_cases_the_core_counts(
    page: ReportPage, store: Store, qtbot: QtBot
) -> None:
    row, col = slot_of(page, DISCLOSED, "自然人")
    view = page.table3_view
    view.scrollTo(page.table3.index(row, col))
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.visualRect(page.table3.index(row, col)).center(),
    )
    with store.session() as s:
        expected = annual.cases_in_cell(s, 2025, DISCLOSED, "自然人")
    assert expected and page.shown_cases() == expected
    assert f"{len(expected)} 件" in page.cell_label.text()
    with qtbot.waitSignal(page.open_case) as opened:
        page.cases.setCurrentRow(1)
        page.open_button.click()
    assert opened.args == [expected[1]]

    page.tabs.setCurrentIndex(1)
    name = "行政复议/总计"
    row, col = slot_of(page, TABLE4_PATH, name)
    index = page.table4.index(row, col)
    QTest.mouseClick(
        page.table4_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.table4_view.visualRect(index).center(),
    )
    with store.session() as s:
        assert page.shown_cases() == annual.cases_in_cell(s, 2025, TABLE4_PATH, name)


def test_table_two_entered_on_the_page_is_in_the_exported_json(
    page: ReportPage, store: Store, tmp_path: Path
) -> None:
    model = page.table2
    rules = next(r for r in range(model.rowCount()) if model.key(r)[1] == "规章")
    fees = next(r for r in range(model.rowCount()) if model.key(r)[1] == "行政事业性收费")
    assert model.setData(model.index(rules, 3), "3")
    assert model.setData(model.index(fees, 3), "12.35")
    out = tmp_path / "2025.json"
    assert page.export_to(out) is not None and not out.exists()  # unsaved entry: refused
    assert page.save_table2()
    with store.session() as s:
        assert annual.load_table2(s, 2025)[model.key(rules)] == 3
    assert page.export_to(out) is None
    data = json.loads(out.read_text(encoding="utf-8"))
    entered = {
        (b["title"], r["label"], column): value
        for b in data["table2"]["blocks"]
        for r in b["rows"]
        for column, value in zip(b["columns"], r["values"], strict=True)
        if value is not None
    }
    assert entered == {model.key(rules): 3, model.key(fees): 12.35}


def test_a_bad_table_two_figure_is_refused_and_nothing_saved(
    page: ReportPage, store: Store, qtbot: QtBot
) -> None:
    model = page.table2
    model.setData(model.index(0, 3), "三件")
    with qtbot.waitSignal(page._runner.refused) as refused:
        assert not page.save_table2()
    assert "应为数字" in refused.args[1]
    with store.session() as s:
        assert annual.load_table2(s, 2025) == {}


def test_export_is_refused_naming_the_cases_when_a_check_fails(
    page: ReportPage, store: Store, tmp_path: Path
) -> None:
    with store.transaction() as s:
        # closed before it was received: counted as closed in 2025 but never as received
        add_case(
            s,
            "错-1",
            D(2026, 1, 5),
            applicant=Applicant(type="natural_person", name="错"),
            outcome="disclose",
            on=D(2025, 12, 30),
        )
    page.reload()
    assert "校验未通过" in page.status.text()
    for suffix in (".docx", ".xlsx", ".json"):
        out = tmp_path / f"report{suffix}"
        problem = page.export_to(out)
        assert problem is not None and "错-1" in problem
        assert not out.exists()
    failed = [
        page.checks.topLevelItem(i)
        for i in range(page.checks.topLevelItemCount())
        if page.checks.topLevelItem(i).text(1) == "未通过"
    ]
    assert failed
    children = [failed[0].child(k).text(0) for k in range(failed[0].childCount())]
    assert "错-1" in children


def test_a_report_whose_every_check_passes_says_so(store: Store, qtbot: QtBot) -> None:
    with store.transaction() as s:
        add_case(
            s,
            "正-1",
            D(2025, 3, 3),
            applicant=Applicant(type="natural_person", name="甲"),
            outcome="disclose",
            on=D(2025, 3, 20),
        )
    runner = OperationRunner(store)
    admin = make_user(store, "compiler", ("reviewer", "admin"))
    shown = ReportPage(runner, user=lambda: admin, today=lambda: TODAY)
    qtbot.addWidget(shown)
    shown.year.setValue(2025)
    shown.show()
    qtbot.waitExposed(shown)
    assert shown.report is not None and not shown.report.warnings and not shown.report.failed
    assert "全部校验通过，可以导出" in shown.status.text()
