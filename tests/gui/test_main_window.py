"""The main window driven as a user would: filters, search, headers, keys, detail, status bar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cases.query import caselist
from cases.query.caselist import CaseQuery, CaseRow, SortKey
from cases.storage import audit
from cases.storage.model import Applicant, AuditRecord, Case, Correction
from cases.storage.store import Store
from cases.timing import deadlines
from cases.timing.clock import WarningLevel
from gui.casemodel import COL_DUE, COL_RECEIVED, COL_STATUS
from gui.mainwindow import TITLE, MainWindow
from tests.gui.conftest import TODAY, fill_demo

OpenWindow = Callable[[Store], MainWindow]


def shown_ids(window: MainWindow) -> list[int | None]:
    return [window.model.case_id(r) for r in range(window.model.rowCount())]


def shown_rows(window: MainWindow) -> list[CaseRow]:
    rows = [window.model.case_row(r) for r in range(window.model.rowCount())]
    assert all(rows)  # every announced row has been read
    return [r for r in rows if r is not None]


def expected_ids(store: Store, window: MainWindow, query: CaseQuery) -> list[int]:
    with store.session() as s:
        cal = deadlines.load_calendar(s)
        return caselist.case_ids(s, query, cal=cal, today=TODAY)


def wait_counted(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.model.total is not None, timeout=10_000)


def test_window_shows_the_list_and_only_pages_it_in(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    fill_demo(store, 3000)
    window = open_window(store)
    wait_counted(qtbot, window)
    assert window.windowTitle() == TITLE
    with store.session() as s:
        total = caselist.count_cases(s)
    assert window.model.total == total
    # The view filled its screen and no more: a page or two of 3,000 cases were read.
    assert 0 < window.model.rowCount() == window.model.fetched_rows <= 200
    assert f"列表 {total:,} 件" in window.counts_text()

    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() > 100, timeout=5_000)
    assert window.model.fetched_rows == window.model.rowCount() < total
    assert shown_ids(window) == expected_ids(store, window, CaseQuery())[: window.model.rowCount()]


def test_a_new_list_is_painted_before_the_case_view_of_its_first_row(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    from PySide6.QtCore import QEvent, QObject

    from gui.mainwindow import DETAIL_JOB

    fill_demo(store, 300)
    window = open_window(store)
    happened: list[str] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                happened.append("paint")
            return False

    paints = Paints()
    window.table.viewport().installEventFilter(paints)
    shown_before = window.detail.case_id
    real_show_case = window.detail.show_case

    def show_case(case_id: int | None) -> None:
        happened.append("case view")
        real_show_case(case_id)

    window.detail.show_case = show_case  # type: ignore[method-assign]
    window.model.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    first = window.model.case_id(0)
    assert first is not None and first != shown_before  # the earliest due date, not the newest
    # The list is the new one at once; its first row is current, its case view follows.
    assert window.table.currentIndex().row() == 0
    assert window.after_paint.pending(DETAIL_JOB)
    assert window.detail.case_id == shown_before and happened == []
    qtbot.waitUntil(lambda: window.detail.case_id == first, timeout=5_000)
    assert happened.index("paint") < happened.index("case view")
    window.model.wait()


def test_clicking_a_header_sorts_in_the_database(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    fill_demo(store, 400)
    window = open_window(store)
    header = window.table.horizontalHeader()

    def click(column: int) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
        wait_counted(qtbot, window)

    click(COL_STATUS)
    assert (window.model.query.sort, window.model.query.descending) == (SortKey.STATUS, False)
    query = CaseQuery(sort=SortKey.STATUS, descending=False)
    assert shown_ids(window) == expected_ids(store, window, query)[: window.model.rowCount()]
    statuses = [r.status for r in shown_rows(window)]
    order = ["open", "suspended", "closed"]
    assert statuses == sorted(statuses, key=order.index)

    click(COL_RECEIVED)
    click(COL_RECEIVED)  # a second click reverses
    received = [r.received for r in shown_rows(window)]
    assert window.model.query.sort is SortKey.RECEIVED
    assert received == sorted(received, reverse=window.model.query.descending)


def test_filters_from_the_widgets(store: Store, qtbot: QtBot, open_window: OpenWindow) -> None:
    fill_demo(store, 900)
    window = open_window(store)
    bar = window.filters

    def choose(box_name: str, data: object) -> None:
        box = getattr(bar, box_name)
        index = box.findData(data)
        assert index >= 0, (box_name, data)
        box.setCurrentIndex(index)
        wait_counted(qtbot, window)

    choose("status", "open")
    assert window.model.query.status == "open"
    assert window.model.total == len(expected_ids(store, window, CaseQuery(status="open")))
    assert {r.status for r in shown_rows(window)} == {"open"}

    choose("status", None)
    choose("warning", WarningLevel.OVERDUE.value)
    assert window.model.query.warning is WarningLevel.OVERDUE
    overdue = expected_ids(store, window, CaseQuery(warning=WarningLevel.OVERDUE))
    assert overdue and shown_ids(window) == overdue[: window.model.rowCount()]

    choose("warning", None)
    department = bar.department.itemData(1)
    choose("department", department)
    choose("year", 2024)
    query = CaseQuery(department=department, year=2024)
    assert window.model.rowCount() > 0
    assert shown_ids(window) == expected_ids(store, window, query)[: window.model.rowCount()]
    assert window.model.total == len(expected_ids(store, window, query))

    choose("department", None)
    choose("year", None)
    before = window.model.total
    bar.voided.setChecked(True)
    wait_counted(qtbot, window)
    with store.session() as s:
        voided = s.scalar(select(func.count(Case.id)).where(Case.voided.is_(True))) or 0
    assert window.model.total == before + voided


def test_search_box_searches_in_the_database(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    fill_demo(store, 600)
    with store.session() as s:
        number = s.scalars(select(Case.no).order_by(Case.id).offset(300).limit(1)).one()
    term = number[2:]  # typed (QTest types Latin-1 only); a part of one case number
    window = open_window(store)
    qtbot.keyClicks(window.filters.search, term)
    qtbot.waitUntil(lambda: window.model.query.search == term, timeout=5_000)
    wait_counted(qtbot, window)
    found = expected_ids(store, window, CaseQuery(search=term))
    assert number in {r.no for r in shown_rows(window)}
    assert found and shown_ids(window) == found[: window.model.rowCount()]

    window.filters.search.clear()
    QTest.keyClick(window.filters.search, Qt.Key.Key_Return)  # Enter searches at once
    wait_counted(qtbot, window)
    assert window.model.query.search == ""
    assert window.model.total == len(expected_ids(store, window, CaseQuery()))


def _case_with_history(store: Store) -> int:
    """A case with a correction received, an audited edit, and text that looks like HTML."""
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        case = Case(
            no="2025-000777",
            received=dt.date(2025, 9, 26),
            channel="post_signed",
            applicant=Applicant(type="enterprise", name="A&B <公司>"),
            description="请公开<b>不是粗体</b>的文件 & 附件",
            department="区规划资源局",
            step="handle",
        )
        case.corrections.append(
            Correction(
                notice=dt.date(2025, 9, 29),
                until=dt.date(2025, 10, 24),
                received=dt.date(2025, 10, 9),
            )
        )
        deadlines.refresh(case, cal)
        s.add(case)
        audit.record(s, case, "李登记", "register")
        audit.set_fields(s, case, "王承办", "assign", department="区住房保障房屋管理局")
        return case.id


def test_detail_pane_shows_the_case_the_clock_and_the_trail(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    case_id = _case_with_history(store)
    window = open_window(store)
    window.focus_list()
    assert window.detail.case_id == case_id

    text = window.detail.page_text("case")
    assert "A&B <公司>" in text
    assert "请公开<b>不是粗体</b>的文件 & 附件" in text
    assert "区住房保障房屋管理局" in text

    with store.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        lines = deadlines.clock_of(case, deadlines.load_calendar(s)).explanation
        trail = audit.trail(s, case_id)
    clock_text = window.detail.page_text("clock")
    assert len(lines) > 5
    for line in lines:
        assert line in clock_text
    assert "重新计算" in clock_text  # the correction restarted the count

    trail_text = window.detail.page_text("trail")
    assert [r.actor for r in trail] == ["李登记", "王承办"]
    assert trail_text.index("李登记") < trail_text.index("王承办")
    assert "区规划资源局" in trail_text and "承办部门" in trail_text

    from cases.rules.handbook import load_handbook

    guidance = load_handbook().step("handle").guidance_md
    first_heading = next(line for line in guidance.splitlines() if line.startswith("#"))
    assert first_heading.lstrip("# ").strip() in window.detail.page_text("guidance")


def test_keyboard_find_move_open_and_back(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    fill_demo(store, 200)
    window = open_window(store)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)

    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.filters.search

    QTest.keyClick(window.filters.search, Qt.Key.Key_Down)  # from the search box into the list
    assert QApplication.focusWidget() is window.table
    assert window.table.currentIndex().row() == 0
    assert window.detail.case_id == window.model.case_id(0)

    QTest.keyClick(window.table, Qt.Key.Key_Down)
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 2
    assert window.detail.case_id == window.model.case_id(2)

    QTest.keyClick(window.table, Qt.Key.Key_Return)
    focused = QApplication.focusWidget()
    assert isinstance(focused, QTextBrowser) and window.detail.isAncestorOf(focused)

    QTest.keyClick(focused, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.table
    assert window.table.currentIndex().row() == 2


def test_empty_database_says_what_to_do(store: Store, open_window: OpenWindow) -> None:
    window = open_window(store)
    assert window.empty.isVisible()
    message = window.empty.text()
    assert "python main.py demo" in message and "import" in message
    assert not window.filters.isEnabled()
    assert "共 0 件" in window.counts_text()


def test_status_bar_names_the_database_and_provisional_deadlines(
    store: Store, qtbot: QtBot, open_window: OpenWindow
) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        case = Case(
            no="2026-000999",
            received=dt.date(2026, 12, 21),  # due in 2027, a year without a holiday schedule
            channel="in_person",
            applicant=Applicant(type="natural_person", name="赵六"),
            description="申请公开2027年预算草案",
        )
        deadlines.refresh(case, cal)
        s.add(case)
    window = open_window(store)
    wait_counted(qtbot, window)
    where = window.where_text()
    assert str(store.path) in where or (store.path is None and "postgresql" in where)
    assert "1 件未办结案件的答复期限为暂定" in window.provisional_text()
    assert window.model.index(0, COL_DUE).data().endswith("（暂定）")


def test_runner_write_reloads_the_list(store: Store, qtbot: QtBot, open_window: OpenWindow) -> None:
    fill_demo(store, 50)
    window = open_window(store)
    wait_counted(qtbot, window)
    before = window.model.total

    def register(session: object) -> int:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        cal = deadlines.load_calendar(session)
        case = Case(
            no="2025-NEW-1",
            received=TODAY,
            channel="in_person",
            applicant=Applicant(type="natural_person", name="新申请人"),
            description="新登记的申请",
        )
        deadlines.refresh(case, cal)
        session.add(case)
        audit.record(session, case, "测试", "register")
        return case.id

    from gui.operations import Changes

    with qtbot.waitSignal(window.runner.changed) as changed:
        new_id = window.runner.write("登记申请", register, lambda i: Changes(case_list=True))
    assert isinstance(changed.args[0], Changes) and changed.args[0].case_list
    wait_counted(qtbot, window)
    assert window.model.total == before + 1
    assert window.model.case_id(0) == new_id  # newest first


def test_runner_refusal_writes_nothing(store: Store, qtbot: QtBot) -> None:
    from cases.rules.workflow import ActionRefused
    from gui.operations import Changes, OperationRunner

    runner = OperationRunner(store)

    def half_done(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        session.add(AuditRecord(actor="测试", action="register"))
        session.flush()
        raise ActionRefused("department", "承办部门不能为空")

    changed: list[object] = []
    runner.changed.connect(changed.append)
    with qtbot.waitSignal(runner.refused) as refused:
        assert runner.write("分办", half_done, Changes(case_list=True)) is None
    assert refused.args == ["分办", "承办部门不能为空"]
    assert changed == []
    with store.session() as s:
        assert s.scalar(select(func.count(AuditRecord.id))) == 0


@pytest.mark.parametrize("term", ["区", "征收"])
def test_short_search_terms_work_too(
    store: Store, qtbot: QtBot, open_window: OpenWindow, term: str
) -> None:
    fill_demo(store, 300)
    window = open_window(store)
    window.filters.search.setText(term)
    window.filters.apply_search()
    wait_counted(qtbot, window)
    assert window.model.total == len(expected_ids(store, window, CaseQuery(search=term)))
