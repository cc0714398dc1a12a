"""The import dry run, the refusals workbook and the blank ledger (cases.interchange.transfer)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from cases.interchange import ledger
from cases.interchange.exchange import ImportRejected
from cases.interchange.records import Problem
from cases.interchange.transfer import preview_import, write_blank_ledger, write_problems
from cases.office import users
from cases.storage.model import AuditRecord, Case
from cases.storage.store import Store

ROW = {
    "received": "2025-03-03",
    "channel": "in_person",
    "applicant": {"type": "natural_person", "name": "甲"},
    "request": {"description": "申请公开某文件", "form": "paper", "delivery": "post"},
}


def admin(store: Store) -> users.User:
    with store.transaction() as s:
        made = users.create_user(
            s,
            None,
            username="admin",
            display_name="管理员",
            roles=["admin"],
            password="pw-1234567",
        ).value
        s.flush()
        s.expunge(made)
    return made


def test_preview_counts_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    actor = admin(store)
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(ROW) for _ in range(3)) + "\n", encoding="utf-8")
    with store.transaction() as s:
        audits = s.scalar(select(func.count(AuditRecord.id)))
        found = preview_import(s, actor, path).value
    assert found.cases == 3
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 0
        assert s.scalar(select(func.count(AuditRecord.id))) == audits
    bad = tmp_path / "b.jsonl"
    bad.write_text(json.dumps({**ROW, "channel": "pigeon"}) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused, store.transaction() as s:
        preview_import(s, actor, bad)
    assert refused.value.problems[0].where == "第1行"


def test_problems_workbook_keeps_text_as_text(tmp_path: Path) -> None:
    problems = [Problem("台账 第2行", "申请人", "=SUM(A1)是什么"), Problem("第3行", "no", "重复")]
    path = tmp_path / "errors.xlsx"
    assert write_problems(problems, path) == 2
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet["C2"].value == "=SUM(A1)是什么" and sheet["C2"].data_type == "s"
    assert sheet.auto_filter.ref == "A1:C3"
    book.close()


def test_blank_ledger_reads_back_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_blank_ledger(path)
    assert ledger.read_ledger(path) == []
    book = openpyxl.load_workbook(path, read_only=True)
    assert ledger.CASES in book.sheetnames
    book.close()
