"""The case table's delegate paints every cell exactly as Qt's own QStyledItemDelegate does."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from cases.query.caselist import CaseQuery
from cases.storage.model import Applicant, Case
from cases.storage.store import Store
from cases.timing.clock import WarningLevel
from gui import casemodel
from gui.casemodel import CaseTableModel
from gui.caseview import CaseTable
from gui.celldelegate import CellDelegate
from tests.gui.conftest import TODAY, fill_demo
from tests.gui.test_casemodel import make_model


def _shown(store: Store, qtbot: QtBot) -> tuple[CaseTable, CaseTableModel]:
    fill_demo(store, 2000)  # voided, demo and warned cases among them
    with store.transaction() as s:
        first = s.scalars(select(Case).where(Case.status == "open").order_by(Case.id)).first()
        assert first is not None
        # A name with a line break: displayText() draws it as a line separator.
        s.execute(
            update(Applicant).where(Applicant.id == first.applicant_id).values(name="甲\n乙公司")
        )
        first.due = TODAY  # due today: the red warning, which the demo's day may not have
    model = make_model(store, page_size=3000)
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.set_query(CaseQuery(include_voided=True))
    table = CaseTable()
    qtbot.addWidget(table)
    table.setModel(model)
    table.set_column_widths()
    table.resize(1300, 420)
    table.show()
    qtbot.waitExposed(table)
    return table, model


def _picture(table: CaseTable, delegate: QStyledItemDelegate) -> QImage:
    table.setItemDelegate(delegate)
    return table.viewport().grab().toImage()


def _rows_of_each_kind(model: CaseTableModel) -> dict[str, int]:
    """A row of every kind of cell: voided, demo, each warning colour, the name with a break."""
    found: dict[str, int] = {}
    for row in range(model.rowCount()):
        case_row = model.case_row(row)
        assert case_row is not None
        kinds = [model._warning(case_row)[0].value]
        kinds += ["voided"] * case_row.voided + ["demo"] * case_row.demo
        kinds += ["break"] * ("\n" in case_row.applicant_name)
        for kind in kinds:
            found.setdefault(kind, row)
    return found


def test_every_kind_of_cell_paints_the_same_pixels_as_qt_paints_it(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    table, model = _shown(sqlite_store, qtbot)
    assert isinstance(table.itemDelegate(), CellDelegate)  # the table's own, once it has a model
    rows = _rows_of_each_kind(model)
    levels = {WarningLevel.AMBER.value, WarningLevel.RED.value, WarningLevel.OVERDUE.value}
    assert {"voided", "demo", "break", WarningLevel.NONE.value} | levels <= rows.keys()
    for kind, row in rows.items():
        table.scrollTo(model.index(row, 0))
        table.selectRow(row)  # selected, and its neighbours not
        for width in (None, 40):  # and squeezed, so that texts are elided
            if width is not None:
                table.setColumnWidth(casemodel.COL_APPLICANT, width)
                table.setColumnWidth(casemodel.COL_NO, width)
            ours = _picture(table, CellDelegate(model, table))
            qts = _picture(table, QStyledItemDelegate(table))
            assert ours == qts, (kind, row, width)
        table.set_column_widths()


def test_a_delegate_that_left_out_the_warning_colours_paints_differently(
    sqlite_store: Store, qtbot: QtBot
) -> None:
    """Guards the first test: the pixels do show a missing answer (the warning colours)."""

    class NoColours(CellDelegate):
        def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
            super().initStyleOption(option, index)
            option.backgroundBrush = QStyleOptionViewItem().backgroundBrush

    table, model = _shown(sqlite_store, qtbot)
    row = _rows_of_each_kind(model)[WarningLevel.OVERDUE.value]
    table.scrollTo(model.index(row, 0))
    assert _picture(table, NoColours(model, table)) != _picture(table, QStyledItemDelegate(table))
    assert _picture(table, CellDelegate(model, table)) == _picture(
        table, QStyledItemDelegate(table)
    )
