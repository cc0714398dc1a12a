"""Telling a ledger parses its 台账 sheet once: the import after it reads the same rows again."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cases.interchange import ledger, workbook
from cases.storage.store import Store, open_store
from tests.test_workbook_reader import add_cells, as_excel_saves, demo_ledger, headed_ledger


class Parses:
    """Counts the sheets calamine parses, by name, through the workbooks the reader opens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        real = workbook.CalamineWorkbook
        parses = self

        class Counting:
            def __init__(self, book: Any) -> None:
                self.book = book
                self.sheet_names = book.sheet_names

            @staticmethod
            def from_path(path: Any) -> Counting:
                return Counting(real.from_path(path))

            def get_sheet_by_name(self, name: str) -> Any:
                parses.names.append(name)
                return self.book.get_sheet_by_name(name)

            def close(self) -> None:
                self.book.close()

        monkeypatch.setattr(workbook, "CalamineWorkbook", Counting)


def cold(path: Path) -> ledger.LedgerRows:
    workbook.forget_kept_sheets()
    return ledger._read(path)


def same(a: ledger.LedgerRows, b: ledger.LedgerRows) -> None:
    assert a.rows == b.rows
    assert a.problems == b.problems
    assert {k: vars(v) for k, v in a.origins.items()} == {k: vars(v) for k, v in b.origins.items()}


def test_the_import_after_telling_a_ledger_reads_its_rows_without_parsing_them_again(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 300)
    for each in (path, as_excel_saves(path)):
        before = cold(each)
        parses = Parses(monkeypatch)
        assert ledger.is_own_ledger(each)
        after = ledger._read(each)
        # 台账 once (for both), and the import's own 事件 and 复议诉讼.
        assert parses.names == [ledger.CASES, ledger.EVENTS, ledger.REVIEWS]
        same(after, before)
        # The full read took the kept sheet: the next read parses the file again.
        parses.names.clear()
        same(ledger._read(each), before)
        assert parses.names == [ledger.CASES, ledger.EVENTS, ledger.REVIEWS]
        monkeypatch.undo()


def test_a_file_changed_after_the_look_is_read_as_it_is_now(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 120)
    first = cold(path)
    assert ledger.is_own_ledger(path)
    # Another row's applicant renamed, the file written again at the same size and with its
    # modification time put back: only its inode or change time tells it from the first.
    stat = path.stat()
    book = openpyxl.load_workbook(path)
    name = book[ledger.CASES]["E2"].value
    book[ledger.CASES]["E2"] = "改" * len(name)
    changed = tmp_path / "改过的.xlsx"
    book.save(changed)
    os.replace(changed, path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    now = ledger._read(path)
    assert now.rows != first.rows
    same(now, cold(path))
    assert now.rows[0][1]["applicant"]["name"] == "改" * len(name)


def test_another_file_is_not_read_from_the_sheet_kept_for_the_first(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 80)
    (tmp_path / "另一个").mkdir()
    other = headed_ledger(tmp_path / "另一个", ["A-1", "2025-03-03"])
    rows = cold(other).rows
    assert ledger.is_own_ledger(path)
    assert ledger._read(other).rows == rows  # and the sheet kept for the first is dropped
    same(ledger._read(path), cold(path))


def test_a_workbook_with_error_cells_is_still_read_by_openpyxl_after_the_look(
    tmp_path: Path,
) -> None:
    good = headed_ledger(tmp_path)
    path = add_cells(good, "xl/worksheets/sheet1.xml", '<c r="B60" t="e"><v>#N/A</v></c>')
    before = cold(path)
    assert ledger.is_own_ledger(path)
    after = ledger._read(path)
    same(after, before)
    assert ("台账 第60行", "收到日期") in {(p.where, p.field) for p in after.problems}


def test_a_look_at_another_offices_header_keeps_its_sheet_for_the_mapped_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.interchange import ledger_mapping
    from tests.test_ledger_mapping import messy_ledger

    path = messy_ledger(tmp_path / "镇台账.xlsx")
    workbook.forget_kept_sheets()
    mapping = ledger_mapping.detect_mapping(path)
    workbook.forget_kept_sheets()
    rows = ledger_mapping.read_mapped(path, mapping)
    parses = Parses(monkeypatch)
    assert not ledger.is_own_ledger(path)
    found = ledger_mapping.detect_mapping(path)
    assert found == mapping
    assert ledger_mapping.read_mapped(path, found) == rows
    # Each sheet parsed once for the look at its first rows; the mapped sheet not again.
    assert parses.names.count(mapping.sheet) == 1


def test_sheets_nobody_reads_are_dropped_after_a_while(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 40)
    monkeypatch.setattr(workbook, "KEEP_SECONDS", 0.05)
    assert ledger.is_own_ledger(path)
    identity = workbook._identity(path)
    deadline = time.monotonic() + 10
    while workbook._kept._kept is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert workbook._kept.take(identity) == {}
    # A later look keeps its own sheet again, and the read after it takes that one.
    monkeypatch.setattr(workbook, "KEEP_SECONDS", 60.0)
    assert ledger.is_own_ledger(path)
    assert set(workbook._kept.take(identity)) == {ledger.CASES}


def test_the_window_parses_each_sheet_once_from_telling_the_ledger_to_importing_it(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """is_own_ledger, the preview, then the import, as gui/importexport.py runs them."""
    from cases.actions import imports
    from cases.interchange import transfer
    from cases.rules.handbook import RoleId
    from cases.storage.model import User

    path = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 150)
    user = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
    target = open_store(tmp_path / "目标.sqlite")
    try:
        with target.session() as session:
            workbook.forget_kept_sheets()
            cold_check = imports.check_file(session, user, path)
        parses = Parses(monkeypatch)
        assert ledger.is_own_ledger(path)
        with target.session() as session:
            preview = transfer.preview_import(session, user, path).value
        assert preview.cases == 150
        with target.session() as session:
            kept_check = imports.check_file(session, user, path, keep_sheets=True)
        assert kept_check.records == cold_check.records
        assert kept_check.warnings == cold_check.warnings
        done = imports.import_file_in_steps(target, user, path).value
        assert done.written == 150
        assert parses.names == [ledger.CASES, ledger.EVENTS, ledger.REVIEWS]
        # The import read them in full without keeping them: nothing is held after it.
        assert workbook._kept.take(workbook._identity(path)) == {}
    finally:
        target.close()


def test_another_offices_workbook_is_parsed_once_from_its_header_to_its_import(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """detect_mapping, the mapped preview, then the mapped import, as the window runs them."""
    from cases.interchange import ledger_mapping, transfer
    from cases.rules.handbook import RoleId
    from cases.storage.model import User
    from tests.test_ledger_mapping import messy_ledger, ready

    path = messy_ledger(tmp_path / "镇台账.xlsx")
    user = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
    workbook.forget_kept_sheets()
    with sqlite_store.session() as session:
        detected = ledger_mapping.detect_mapping(path, session)
    mapping = ready(detected)  # the defaults the user picks in the mapping panel
    workbook.forget_kept_sheets()
    with sqlite_store.session() as session:
        cold = ledger_mapping.check_mapped(session, path, mapping)
    parses = Parses(monkeypatch)
    assert not ledger.is_own_ledger(path)
    with sqlite_store.session() as session:
        assert ledger_mapping.detect_mapping(path, session) == detected
        preview = transfer.preview_through_mapping(session, user, path, mapping).value
    assert preview.cases == len(cold.checked.records)
    done = transfer.import_through_mapping_in_steps(sqlite_store, user, path, mapping).value
    assert done.written == len(cold.checked.records)
    assert parses.names.count(mapping.sheet) == 1
    assert workbook._kept.take(workbook._identity(path)) == {}
