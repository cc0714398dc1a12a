"""Demo cases carry a visible 演示 mark: case list, case view, report page (issue 13, item 5)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cases.documents import report as annual
from cases.storage.model import Case
from cases.storage.store import Store
from gui import labels
from gui.casemodel import COL_NO
from gui.mainwindow import MainWindow
from gui.operations import OperationRunner
from gui.reportpage import ReportPage
from tests.actions_support import Desk
from tests.gui.conftest import TODAY, fill_demo
from tests.gui.support import make_user


def test_the_list_and_the_case_view_mark_demo_cases_only(
    sqlite_store: Store, open_window: Callable[[Store], MainWindow]
) -> None:
    fill_demo(sqlite_store, 20)
    real_no = Desk.open(sqlite_store).register(TODAY)
    with sqlite_store.session() as s:
        kinds = {case_id: is_demo for case_id, is_demo in s.execute(select(Case.id, Case.demo))}
    window = open_window(sqlite_store)
    window.model.wait()
    model = window.model
    marked = {}
    for row in range(model.rowCount()):
        index = model.index(row, COL_NO)
        badge = model.data(index, Qt.ItemDataRole.DecorationRole)
        marked[model.case_id(row)] = isinstance(badge, QPixmap) and not badge.isNull()
        if marked[model.case_id(row)]:
            assert model.data(index, Qt.ItemDataRole.ToolTipRole) == labels.DEMO_TIP
    assert marked == {case_id: kinds[case_id] for case_id in marked}
    assert sum(marked.values()) == 20 and len(marked) == 21

    demo_id = next(case_id for case_id, is_demo in kinds.items() if is_demo)
    window.detail.show_case(demo_id)
    assert window.detail.pages is not None and "【演示】" in window.detail.pages.title
    assert labels.DEMO_TIP in window.detail.page_text("case")
    real_id = next(case_id for case_id, is_demo in kinds.items() if not is_demo)
    window.detail.show_case(real_id)
    assert window.detail.pages is not None and window.detail.pages.title.startswith(real_no)
    assert "演示" not in window.detail.pages.title
    assert labels.DEMO_TIP not in window.detail.page_text("case")


def test_the_report_page_says_how_many_demo_cases_it_counts(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    fill_demo(sqlite_store, 60)
    runner = OperationRunner(sqlite_store)
    admin = make_user(sqlite_store, "compiler", ("reviewer", "admin"))
    page = ReportPage(runner, user=lambda: admin, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.year.setValue(2025)
    page.show()
    qtbot.waitExposed(page)
    with sqlite_store.session() as s:
        n = annual.build_report(s, 2025).demo_cases
    assert n > 0
    assert f"有{n}件是演示案件" in page.status.text()
    rules = [page.checks.topLevelItem(i).text(0) for i in range(page.checks.topLevelItemCount())]
    assert "不含演示数据" in rules
    # The demo check does not stop the export, but it failed: the page must not say all passed.
    assert "全部校验通过" not in page.status.text()
    assert "另有 1 项提示未通过（不含演示数据）" in page.status.text()
