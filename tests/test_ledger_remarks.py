"""A neighbouring office's 备注 column does not stop its ledger from importing (issue 13, 7).

Offices write remarks on open cases in 备注; read as the outcome's note, such a remark made an
outcome without code or date and refused the whole ledger. The column is now reported as not
imported, and re-importing the same ledger changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

import main
from cases.storage.model import Case
from cases.storage.store import open_store

DEFAULTS = [
    "--default", "applicant.type=natural_person",
    "--default", "request.form=paper",
    "--default", "request.delivery=post",
]  # fmt: skip


def town_ledger(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active["A1"] = "本台账由某镇政府信息公开办公室维护"
    sheet = book.create_sheet("2025年依申请公开登记")
    sheet.append(["某镇2025年政府信息公开申请登记台账"])
    sheet.append([])
    sheet.append(["序号", "申请编号", "申请日期", "申请人姓名", "联系电话", "申请内容", "申请方式",
                  "备注"])  # fmt: skip
    for i, day in enumerate(
        [dt.date(2025, 3, 3), "2025-3-4", "2025/3/5", "2025年3月6日", "２０２５年３月７日"], 1
    ):
        sheet.append([i, f"镇-00{i}", day, f"申请人{i}", f"1380000000{i}",
                      f"申请公开某事项的第{i}份文件", "当面" if i % 2 else "网上",
                      "已电话联系申请人" if i == 1 else None])  # fmt: skip
    book.save(path)
    book.close()


def test_a_town_ledger_with_remarks_imports_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger, db = tmp_path / "镇台账.xlsx", tmp_path / "office.sqlite"
    town_ledger(ledger)
    assert main.run(["--db", str(db), "import", str(ledger), *DEFAULTS]) == 0
    said = capsys.readouterr()
    assert "第3行是表头" in said.out and "以下列未导入：“备注”" in said.err
    assert main.run(["--db", str(db), "import", str(ledger), *DEFAULTS]) == 0
    assert "5 件案件已在数据库中，未重复导入" in capsys.readouterr().err
    store = open_store(db)
    try:
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(Case)) == 5
            days = sorted(s.scalars(select(Case.received)))
            assert days == [dt.date(2025, 3, d) for d in range(3, 8)]
            assert set(s.scalars(select(Case.outcome_code))) == {None}
    finally:
        store.close()
