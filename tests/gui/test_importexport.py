"""Import and export in the window: preview first, refusals in a table, cancel keeps nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cases.interchange import exchange, ledger
from cases.storage.model import AuditRecord, Case
from cases.storage.store import Store, open_store
from gui.importexport import ImportDialog, export_to
from gui.operations import OperationRunner
from tests.gui.conftest import fill_demo
from tests.gui.support import make_user


def counts(store: Store) -> tuple[int, int]:
    with store.session() as s:
        return (
            int(s.scalar(select(func.count(Case.id))) or 0),
            int(s.scalar(select(func.count(AuditRecord.id))) or 0),
        )


@pytest.fixture
def source(tmp_path: Path, sqlite_template: Path) -> Store:
    """Another office's database with demo cases, to export files from."""
    path = tmp_path / "other.sqlite"
    shutil.copy(sqlite_template, path)
    other = open_store(path)
    fill_demo(other, 40, seed=3)
    yield other
    other.close()


def export_open_cases(store: Store, path: Path) -> int:
    """The exchange file of a demo database without its voided cases (demo data leaves their
    void date empty, which import refuses; reported to the integrator)."""
    with store.session() as s:
        exchange.export_jsonl(s, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if json.loads(line).get("voided") is None]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return len(kept)


def dialog_on(store: Store, qtbot: QtBot, path: Path) -> ImportDialog:
    admin = make_user(store)
    dialog = ImportDialog(OperationRunner(store), admin, path)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def finish(qtbot: QtBot, dialog: ImportDialog) -> None:
    assert dialog.task is not None
    qtbot.waitUntil(
        lambda: dialog.task is not None and dialog.task.state != "running", timeout=60_000
    )


def test_preview_then_import_of_an_exchange_file(
    store: Store, source: Store, qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "cases.jsonl"
    in_file = export_open_cases(source, path)
    dialog = dialog_on(store, qtbot, path)
    before = counts(store)
    dialog.preview()
    finish(qtbot, dialog)
    assert dialog.preview_result is not None and dialog.preview_result.cases == in_file
    assert f"共 {in_file} 件案件" in dialog.summary.text()
    assert counts(store) == before  # the preview wrote nothing, not even an audit record
    assert dialog.import_button.isEnabled()
    dialog.start_import()
    finish(qtbot, dialog)
    assert dialog.imported is not None and dialog.imported.written == in_file
    assert counts(store)[0] == in_file


def test_a_ledger_with_a_bad_row_shows_the_errors_and_writes_nothing(
    store: Store, source: Store, qtbot: QtBot, tmp_path: Path, qtmodeltester: ModelTester
) -> None:
    path = tmp_path / "台账.xlsx"
    with source.session() as s:
        ledger.export_ledger(s, path)
    book = openpyxl.load_workbook(path)
    sheet = book[ledger.CASES]
    header = [c.value for c in sheet[1]]
    sheet.cell(4, header.index("收到日期") + 1, "二〇二五年某日")
    sheet.cell(6, header.index("申请人类型") + 1, "外星人")
    book.save(path)
    book.close()
    dialog = dialog_on(store, qtbot, path)
    before = counts(store)
    dialog.preview()
    finish(qtbot, dialog)
    assert dialog.preview_result is None and not dialog.import_button.isEnabled()
    assert dialog.table.isVisibleTo(dialog)
    problems = dialog.problems.problems
    assert [(p.where, p.field) for p in problems] == [
        ("台账 第4行", "收到日期"),
        ("台账 第6行", "申请人类型"),
    ]
    assert "外星人" in problems[1].message
    qtmodeltester.check(dialog.problems)
    # sorted by the clerk: the proxy orders by the column clicked
    dialog.table.sortByColumn(2, dialog.table.horizontalHeader().sortIndicatorOrder())
    shown = [dialog.sorted.index(r, 2).data() for r in range(dialog.sorted.rowCount())]
    assert shown == sorted(shown) or shown == sorted(shown, reverse=True)
    saved = tmp_path / "errors.xlsx"
    assert dialog.save_problems(saved) == len(problems)
    book = openpyxl.load_workbook(saved, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0] == ("位置", "字段", "问题")
    assert [tuple(r) for r in rows[1:]] == [(p.where, p.field, p.message) for p in problems]
    assert counts(store) == before


def test_cancelling_a_long_import_writes_nothing(
    store: Store, qtbot: QtBot, tmp_path: Path, sqlite_template: Path
) -> None:
    big = tmp_path / "big.sqlite"
    shutil.copy(sqlite_template, big)
    other = open_store(big)
    fill_demo(other, 2500, seed=5)
    path = tmp_path / "big.jsonl"
    in_file = export_open_cases(other, path)
    other.close()
    assert in_file > 2000  # more than two batches of 1,000
    dialog = dialog_on(store, qtbot, path)
    dialog.preview()
    finish(qtbot, dialog)
    assert dialog.preview_result is not None and dialog.preview_result.cases == in_file
    before = counts(store)
    task = dialog.start_import()
    assert task is not None
    # the first batch of 1,000 is written when the first progress comes: cancel then
    with qtbot.waitSignal(task.signals.progressed, timeout=60_000):
        pass
    task.cancel()
    finish(qtbot, dialog)
    assert task.state == "cancelled"
    assert "已取消" in dialog.summary.text()
    assert counts(store) == before


def test_exports_and_the_blank_template(store: Store, qtbot: QtBot, tmp_path: Path) -> None:
    fill_demo(store, 25)
    runner = OperationRunner(store)
    assert export_to(runner, "exchange", tmp_path / "a.jsonl") == 25
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25 and "received" in json.loads(lines[0])
    assert export_to(runner, "ledger", tmp_path / "a.xlsx") == 25
    assert export_to(runner, "template", tmp_path / "blank.xlsx") == 0
    book = openpyxl.load_workbook(tmp_path / "blank.xlsx", read_only=True)
    cases_sheet = book[ledger.CASES]
    rows = list(cases_sheet.iter_rows(values_only=True))
    book.close()
    assert len(rows) == 1 and "收到日期" in rows[0]
    # the blank template reads back as a ledger with no case in it
    with store.session() as s:
        assert ledger.read_ledger(tmp_path / "blank.xlsx") == []
        assert s is not None


def other_office_workbook(path: Path) -> None:
    """A 镇 office's own ledger: a title line, its own column names, no type/form/delivery."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2025年登记"
    sheet.append(["某镇政府信息公开申请登记表"])
    sheet.append(["序号", "受理日期", "申请人姓名", "申请公开内容", "申请渠道", "经办备注"])
    sheet.append([1, "2025-03-03", "张三", "申请公开某地块征收补偿方案", "当面", "加急"])
    sheet.append([2, "2025年3月5日", "李四", "申请公开某道路规划许可", "网上申请", ""])
    book.save(path)
    book.close()


def test_another_offices_ledger_goes_through_a_mapping_the_user_corrects(
    store: Store, qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "某镇台账.xlsx"
    other_office_workbook(path)
    dialog = dialog_on(store, qtbot, path)
    before = counts(store)
    dialog.preview()
    finish(qtbot, dialog)
    panel = dialog.mapping_panel
    assert panel.isVisibleTo(dialog) and dialog.mapping is not None
    assert dialog.mapping.header_row == 2 and dialog.mapping.sheet == "2025年登记"
    assert dialog.mapping.fields["applicant.name"].header == "申请人姓名"
    # three required fields have no column: refused, nothing written, the reason in the table
    assert dialog.preview_result is None and counts(store) == before
    assert dialog.problems.problems and "没有对应的列" in dialog.problems.problems[0].message
    assert set(panel.default_boxes) == {"applicant.type", "request.form", "request.delivery"}
    for name, code in (
        ("applicant.type", "natural_person"),
        ("request.form", "paper"),
        ("request.delivery", "post"),
    ):
        box = panel.default_boxes[name]
        box.setCurrentIndex(box.findData(code))
        qtbot.wait(1)  # the defaults are redrawn once the list has emitted
    # the clerk leaves the office's own remark column out of the import
    panel.set_column(5, None)
    assert dialog.mapping.defaults == {
        "applicant.type": "natural_person",
        "request.form": "paper",
        "request.delivery": "post",
    }
    dialog.preview()
    finish(qtbot, dialog)
    assert dialog.preview_result is not None and dialog.preview_result.cases == 2
    assert counts(store) == before
    dialog.start_import()
    finish(qtbot, dialog)
    assert dialog.imported is not None and dialog.imported.written == 2
    with store.session() as s:
        received = sorted(s.scalars(select(Case.received)))
    assert [d.isoformat() for d in received] == ["2025-03-03", "2025-03-05"]
