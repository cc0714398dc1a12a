"""Demo cases are marked wherever cases go: the exchange file, the ledger, the annual report.

The annual report counts demo cases like any other (a trial file must show a report worth
looking at) and says how many it counted: a warning check, a line on every page of the .docx,
the heading of every .xlsx sheet, and the command line's notice.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

import main
from cases.documents import report as annual
from cases.documents.report_export import export_report
from cases.interchange import exchange, ledger
from cases.sample import demo
from cases.storage.model import Case
from cases.storage.store import Store
from tests.actions_support import Desk

YEAR = 2025
TODAY = dt.date(2025, 12, 20)


def with_demo(store: Store, n: int = 40) -> int:
    with store.transaction() as session:
        demo.generate(session, n, seed=5, years=(YEAR,), today=TODAY)
    with store.session() as session:
        return session.scalar(select(func.count()).where(Case.demo.is_(True))) or 0


def demo_check(report: annual.Report) -> annual.Check:
    return next(c for c in report.checks if c.rule == "不含演示数据")


def test_exchange_export_marks_demo_cases_and_import_keeps_the_mark(
    store: Store, tmp_path: Path
) -> None:
    made = with_demo(store)
    Desk.open(store).register(dt.date(YEAR, 3, 3))  # one real application beside them
    path = tmp_path / "all.jsonl"
    with store.session() as session:
        exchange.export_jsonl(session, path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["demo"] for r in records) == [False] + [True] * made
    again = tmp_path / "again.jsonl"  # into the same file, under new numbers
    lines = [json.dumps({k: v for k, v in r.items() if k != "no"}, ensure_ascii=False)
             for r in records]  # fmt: skip
    again.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with store.transaction() as session:
        result = exchange.import_rows(session, exchange.read_jsonl(again), "测试")
    assert result.written == made + 1
    with store.session() as session:
        assert session.scalar(select(func.count()).where(Case.demo.is_(True))) == 2 * made


def test_a_demo_mark_that_is_not_true_or_false_is_refused(store: Store, tmp_path: Path) -> None:
    with_demo(store, 3)
    path = tmp_path / "one.jsonl"
    with store.session() as session:
        exchange.export_jsonl(session, path)
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    record.update(no="X-1", demo="是")
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with store.transaction() as session, pytest.raises(exchange.ImportRejected) as refused:
        exchange.import_rows(session, exchange.read_jsonl(path), "测试")
    assert [(p.field, "true 或 false" in p.message) for p in refused.value.problems] == [
        ("demo", True)
    ]


def test_the_ledger_has_a_demo_column(store: Store, tmp_path: Path) -> None:
    made = with_demo(store, 12)
    path = tmp_path / "台账.xlsx"
    with store.session() as session:
        ledger.export_ledger(session, path)
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[ledger.CASES].iter_rows(values_only=True))
    finally:
        book.close()
    column = rows[0].index("演示数据")
    assert [r[column] for r in rows[1:]] == ["是"] * made


def test_the_report_counts_demo_cases_and_says_so_everywhere(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_demo(store, 60)
    with store.session() as session:
        built = annual.build_report(session, YEAR)
        handled = session.scalar(
            select(func.count()).where(
                Case.voided.is_not(True),
                Case.demo.is_(True),
                (Case.received >= dt.date(YEAR, 1, 1)) & (Case.received <= dt.date(YEAR, 12, 31))
                | ((Case.received < dt.date(YEAR, 1, 1)) & ((Case.outcome_on.is_(None))
                   | (Case.outcome_on >= dt.date(YEAR, 1, 1)))),
            )
        )  # fmt: skip
    n = built.demo_cases
    assert n == handled and n > 0
    check = demo_check(built)
    assert not check.ok and not check.blocking and f"有{n}件是演示案件" in check.detail
    assert check in built.warnings and check not in built.failed
    note = f"【演示数据】本表统计的案件中有{n}件是演示案件，不是正式年报"
    docx_path, xlsx_path = tmp_path / "r.docx", tmp_path / "r.xlsx"
    export_report(built, docx_path)
    document = docx.Document(str(docx_path))
    headers = {s.header.paragraphs[0].text for s in document.sections}
    assert headers == {note}  # on every page, the landscape tables' pages too
    command = ["--db", store.target.url, "report", "--year", str(YEAR), "--out", str(xlsx_path)]
    assert main.run(command) == 0
    assert f"有{n}件是演示案件" in capsys.readouterr().out
    book = openpyxl.load_workbook(xlsx_path)
    assert all(note in str(book[name]["A1"].value) for name in ("表二", "表三", "表四"))


def test_a_report_of_real_cases_has_no_mark(store: Store, tmp_path: Path) -> None:
    Desk.open(store).register(dt.date(YEAR, 3, 3))
    with store.session() as session:
        built = annual.build_report(session, YEAR)
    assert built.demo_cases == 0 and demo_check(built).ok
    export_report(built, tmp_path / "r.docx")
    document = docx.Document(str(tmp_path / "r.docx"))
    assert all(not s.header.paragraphs[0].text for s in document.sections)
