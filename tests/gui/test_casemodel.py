"""The case table model: a correct Qt model that pages rows in and never loads the whole list."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from cases.query import caselist
from cases.query.caselist import CaseQuery, CaseRow
from cases.storage.store import Store
from cases.timing import deadlines
from cases.timing.clock import WarningLevel
from gui import casemodel
from gui.casemodel import COL_DUE, COL_REMAINING, WARNING_COLOURS, CaseTableModel
from gui.operations import OperationRunner
from tests.gui.conftest import TODAY, fill_demo


def make_model(store: Store, page_size: int = 100) -> CaseTableModel:
    runner = OperationRunner(store)
    cal = runner.read(deadlines.load_calendar)
    return CaseTableModel(runner, cal, page_size=page_size, today=lambda: TODAY)


def test_model_passes_the_model_tester(
    store: Store, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    fill_demo(store, 260)
    model = make_model(store, page_size=40)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.set_query(CaseQuery())
    assert model.canFetchMore(QModelIndex())  # the tester exercises fetchMore too
    qtmodeltester.check(model)
    for row in range(model.rowCount()):
        case_row = model.case_row(row)
        assert case_row is not None and model.data(model.index(row, 0)) == case_row.no


def test_rows_are_paged_in_not_loaded_up_front(
    store: Store, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_demo(store, 3000)
    fetched: list[int] = []
    real_rows_for = casemodel.rows_for

    def counting_rows_for(session: Session, ids: Sequence[int]) -> dict[int, CaseRow]:
        fetched.append(len(ids))
        return real_rows_for(session, ids)

    monkeypatch.setattr(casemodel, "rows_for", counting_rows_for)
    model = make_model(store, page_size=100)
    with qtbot.waitSignal(model.counted, timeout=10_000) as counted:
        model.set_query(CaseQuery())
    with store.session() as s:
        everything = caselist.count_cases(s)
    assert counted.args == [everything] and everything > 2900
    # One page read, one page announced; the rest are ids only.
    assert sum(fetched) == model.rowCount() == model.fetched_rows == 100
    assert model.canFetchMore(QModelIndex())

    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert fetched == [100, 100, 100]
    assert model.rowCount() == 300 < everything


def test_last_page_announces_exactly_the_rows_left(store: Store, qtbot: QtBot) -> None:
    fill_demo(store, 130)
    model = make_model(store, page_size=50)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.set_query(CaseQuery())
    total = model.total
    assert total is not None and 100 < total <= 130
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    # Not one row more than there are cases (the Qt for Python example announces one too many).
    assert inserted == [(50, 99), (100, total - 1)]
    assert model.rowCount() == total
    assert model.index(total - 1, 0).data() is not None


def test_sorting_asks_the_database(store: Store, qtbot: QtBot) -> None:
    fill_demo(store, 300)
    model = make_model(store)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.sort(COL_DUE, Qt.SortOrder.AscendingOrder)
    assert model.query.sort is caselist.SortKey.DUE and not model.query.descending
    with store.session() as s:
        expected = caselist.case_ids(s, model.query)
    shown = [model.case_id(r) for r in range(model.rowCount())]
    assert shown == expected[: len(shown)]
    dues = [row.due for r in range(model.rowCount()) if (row := model.case_row(r))]
    filled = [d for d in dues if d is not None]
    assert filled == sorted(filled)


def test_warning_column_is_coloured_for_rows_on_screen(store: Store, qtbot: QtBot) -> None:
    fill_demo(store, 900)
    model = make_model(store)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.set_query(CaseQuery(warning=WarningLevel.OVERDUE))
    if model.rowCount() == 0:
        pytest.skip("the generated office met every deadline")
    for row in range(model.rowCount()):
        index = model.index(row, COL_REMAINING)
        assert str(index.data()).startswith("逾期")
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        assert isinstance(brush, QBrush)
        assert brush.color().name() == WARNING_COLOURS[WarningLevel.OVERDUE][0]
        assert index.data(casemodel.WARNING_ROLE) == "overdue"


def test_a_case_due_on_friday_is_overdue_on_saturday_in_words(store: Store, qtbot: QtBot) -> None:
    import datetime as dt

    from cases.storage.model import Applicant, Case

    with store.transaction() as session:
        case = Case(
            no="W-1", received=dt.date(2025, 2, 14), channel="in_person",
            applicant=Applicant(type="natural_person", name="赵敏"), description="周末逾期",
            day0=dt.date(2025, 2, 14), correction_notice_due=dt.date(2025, 2, 25),
        )  # fmt: skip
        session.add(case)
        deadlines.refresh(case, deadlines.load_calendar(session))
        assert case.due == dt.date(2025, 3, 14)  # a Friday
    runner = OperationRunner(store)
    cal = runner.read(deadlines.load_calendar)
    saturday = dt.date(2025, 3, 15)
    model = CaseTableModel(runner, cal, today=lambda: saturday)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.set_query(CaseQuery())
    index = model.index(0, COL_REMAINING)
    assert index.data() == "逾期"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "已超过答复期限（2025-03-14）"


def _answer_role_by_role(model: CaseTableModel, row: int, column: int, role: int) -> object:
    """What data() answered before it was made fast (the code as it stood), for comparison."""
    from PySide6.QtGui import QColor, QFont

    case_id = model.case_id(row)
    if case_id is None:
        return None
    if role == casemodel.CASE_ID_ROLE:
        return case_id
    case_row = model.case_row(row)
    if case_row is None:
        return None
    warning = model._warning(case_row)[0]
    if role == Qt.ItemDataRole.DisplayRole:
        return model._text(case_row, column)
    if role == casemodel.WARNING_ROLE:
        return warning.value
    if role == Qt.ItemDataRole.ToolTipRole:
        return model._tooltip(case_row, column)
    if role == Qt.ItemDataRole.DecorationRole and column == casemodel.COL_NO and case_row.demo:
        return casemodel.demo_badge()
    if role == Qt.ItemDataRole.BackgroundRole and column == COL_REMAINING:
        colours = WARNING_COLOURS.get(warning)
        return QBrush(QColor(colours[0])) if colours else None
    if role == Qt.ItemDataRole.ForegroundRole:
        if column == COL_REMAINING:
            colours = WARNING_COLOURS.get(warning)
            if colours:
                return QBrush(QColor(colours[1]))
        return QBrush(QColor(casemodel.VOIDED_COLOUR)) if case_row.voided else None
    if role == Qt.ItemDataRole.FontRole and case_row.voided:
        font = QFont()
        font.setStrikeOut(True)
        return font
    if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_REMAINING:
        return int(Qt.AlignmentFlag.AlignCenter)
    return None


def test_every_cell_answers_as_it_did_role_by_role(store: Store, qtbot: QtBot) -> None:
    """data() answers from ints and cached row texts; each answer is the one worked out afresh."""
    fill_demo(store, 2000)  # voided cases among them, struck through and greyed
    model = make_model(store, page_size=500)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.set_query(CaseQuery(include_voided=True))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    roles = [*range(0, 16), casemodel.CASE_ID_ROLE, casemodel.WARNING_ROLE]
    kinds: set[str] = set()
    for repeat in range(2):  # the second pass reads the cached texts
        for row in (*range(model.rowCount()), -1, model.rowCount()):
            for column in range(len(casemodel.COLUMNS)):
                index = model.index(row, column)
                for role in roles if repeat == 0 else [Qt.ItemDataRole.DisplayRole]:
                    got = model.data(index, role)
                    if not index.isValid():
                        assert got is None
                        continue
                    assert got == _answer_role_by_role(model, row, column, role), (row, column)
                    kinds.add(type(got).__name__)
        if repeat == 0:  # a changed row is read again and answers anew
            model.refresh_rows(frozenset(model.case_id(r) or 0 for r in range(0, 40)))
    assert model.rowCount() > 1900
    # Every kind of answer came up: texts, ids, brushes, the badge, the struck font, alignment.
    assert {"str", "int", "QBrush", "QPixmap", "QFont", "NoneType"} <= kinds


def test_a_page_of_rows_reads_what_the_orm_statement_read(store: Store) -> None:
    """rows_for runs one cached statement on the connection; the rows are the ORM query's."""
    from sqlalchemy import select

    from cases.storage.model import Applicant, Case

    def as_it_was(session: Session, ids: Sequence[int]) -> dict[int, CaseRow]:
        stmt = (
            select(
                Case.id, Case.no, Case.received, Applicant.name.label("applicant_name"),
                Applicant.type.label("applicant_type"), Case.channel, Case.department,
                Case.handler, Case.step, Case.status, Case.due, Case.due_provisional,
                Case.outcome_code, Case.outcome_on, Case.voided, Case.demo,
            )
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(Case.id.in_(ids))
        )  # fmt: skip
        return {r.id: CaseRow(**r._mapping) for r in session.execute(stmt)}

    fill_demo(store, 2500)
    with store.session() as s:
        ids = caselist.case_ids(s, CaseQuery(include_voided=True))
        assert len(ids) == 2500
        pages = [ids[:100], ids[1200:1300], ids[-7:], ids[:1200], [ids[5], 10**9, ids[3]]]
        for page in pages:
            assert caselist.rows_for(s, page) == as_it_was(s, page)
        # Five statements of at most 500 ids, against one of all of them.
        assert caselist.rows_for(s, ids) == as_it_was(s, ids)
        every = as_it_was(s, ids).values()
        kinds = {(r.voided, r.demo, r.due is None, r.outcome_on is None) for r in every}
    assert len(kinds) >= 4  # voided and live, due dates and outcome dates set and empty


def test_the_first_page_may_be_shorter_than_the_pages_after_it(
    sqlite_store: Store, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window reads a screen's worth first; the full id list then pages in as before."""
    fill_demo(sqlite_store, 400)
    fetched: list[int] = []
    real_rows_for = casemodel.rows_for

    def counting_rows_for(session: Session, ids: Sequence[int]) -> dict[int, CaseRow]:
        fetched.append(len(ids))
        return real_rows_for(session, ids)

    monkeypatch.setattr(casemodel, "rows_for", counting_rows_for)
    runner = OperationRunner(sqlite_store)
    cal = runner.read(deadlines.load_calendar)
    model = CaseTableModel(runner, cal, page_size=100, first_page=lambda: 30, today=lambda: TODAY)
    model.set_query(CaseQuery())
    assert model.rowCount() == 30 and model.total is None  # more than 30: not complete
    with qtbot.waitSignal(model.counted, timeout=10_000):
        pass
    with sqlite_store.session() as s:
        every = caselist.case_ids(s, CaseQuery())
    model.fetchMore(QModelIndex())
    assert fetched == [30, 100]
    assert [model.case_id(r) for r in range(model.rowCount())] == every[:130]
    # Read again after a change, a list reads a whole page first, as before (the place kept).
    model.reload()
    assert model.rowCount() == 100 and fetched[-1] == 100
    qtbot.waitUntil(lambda: model.total == len(every), timeout=10_000)
    # A list shorter than the first page is complete at once, without the worker.
    model.set_query(CaseQuery(status="suspended"))
    with sqlite_store.session() as s:
        few = caselist.case_ids(s, CaseQuery(status="suspended"))
    assert len(few) < 30 and model.total == len(few)
