"""Another office's ledger: header found on any sheet, columns mapped, remembered, idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from cases.errors import Refused
from cases.interchange import exchange, ledger_mapping
from cases.interchange.ledger_mapping import detect_mapping, import_mapped
from cases.storage.model import Applicant, Case
from cases.storage.store import Store
from cases.timing.date_text import NotADate, parse_date

HEADER = [
    "序号", "申请编号", "申请日期", "申请人姓名（名称）", "申请方式", "联系电话",
    "申请公开的政府信息", "办理结果", "答复日期", "经办人意见",
]  # fmt: skip
# (申请编号, 申请日期 as typed, 申请方式, 办理结果, 答复日期); each date form an office uses.
ROWS = [
    ("崇明镇2025-01", dt.datetime(2025, 3, 3), "网上申请", "予以公开", "2025/3/20"),
    ("崇明镇2025-02", "2025-3-4", "当面递交", None, None),
    ("崇明镇2025-03", "2025/3/5", "信函（挂号）", "信息不存在", "2025年3月28日"),
    ("崇明镇2025-04", "2025年3月6日", "电子邮件", None, None),
    ("崇明镇2025-05", "２０２５年３月７日", "网上申请", None, None),
    ("崇明镇2025-06", 45726.0, "传真", None, None),  # a date column formatted as number
    ("崇明镇2025-07", "20250311", "网上申请", None, None),
]


def messy_ledger(path: Path, rows: list[tuple[object, ...]] = ROWS) -> Path:
    """The ledger of a neighbouring office: a notes sheet first, a title above the header."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["本表由各镇每月报送"])
    ws = book.create_sheet("2025年依申请公开登记")
    ws.append(["崇明区某镇政府信息公开申请登记台账（2025年）"])
    ws.append([])
    ws.append(HEADER)
    for i, (no, received, channel, outcome, on) in enumerate(rows, start=1):
        ws.append(
            [i, no, received, f"申请人{i}", channel, "13800000000",
             f"某路段拓宽工程征收补偿方案（第{i}项）", outcome, on, "拟予答复"]
        )  # fmt: skip
    book.save(path)
    book.close()
    return path


def ready(mapping: ledger_mapping.Mapping) -> ledger_mapping.Mapping:
    """What the user picks in the window for the fields the office's ledger does not have."""
    return (
        mapping.with_default("applicant.type", "natural_person")
        .with_default("request.form", "paper")
        .with_default("request.delivery", "post")
    )


def count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count(Case.id))) or 0)


def test_the_header_is_found_below_a_title_on_the_second_sheet(tmp_path: Path) -> None:
    mapping = detect_mapping(messy_ledger(tmp_path / "镇台账.xlsx"))
    assert (mapping.sheet, mapping.header_row) == ("2025年依申请公开登记", 3)
    assert mapping.sheets == ("填表说明", "2025年依申请公开登记")
    fields = {c.header: c.field for c in mapping.columns}
    assert fields == {
        "序号": None,
        "申请编号": "no",
        "申请日期": "received",
        "申请人姓名（名称）": "applicant.name",
        "申请方式": "channel",
        "联系电话": "applicant.phone",
        "申请公开的政府信息": "request.description",
        "办理结果": "outcome.code",
        "答复日期": "outcome.on",
        "经办人意见": None,
    }
    assert mapping.unmapped == ("经办人意见",)  # 序号 is known and needs no column
    assert set(mapping.missing) == {"applicant.type", "request.form", "request.delivery"}
    assert any("经办人意见" in line and "不导入" in line for line in mapping.describe())


def test_a_messy_ledger_imports_through_the_mapping_and_again_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    path = messy_ledger(tmp_path / "镇台账.xlsx")
    with store.session() as s:
        mapping = ready(detect_mapping(path, s))
    with store.transaction() as s:
        result = import_mapped(s, path, "张三", mapping)
    assert result.value.written == len(ROWS) and result.value.skipped == 0
    assert result.changes.case_list
    assert any("经办人意见" in str(w) for w in result.warnings)  # unmapped, reported
    with store.session() as s:
        got = {
            c.no: (c.received, c.channel, c.outcome_code, c.outcome_on)
            for c in s.scalars(select(Case))
        }
    assert got["崇明镇2025-01"] == (dt.date(2025, 3, 3), "online", "disclose", dt.date(2025, 3, 20))
    assert [got[f"崇明镇2025-0{i}"][0] for i in range(1, 8)] == [
        dt.date(2025, 3, d) for d in (3, 4, 5, 6, 7, 10, 11)
    ]
    assert [got[f"崇明镇2025-0{i}"][1] for i in range(1, 8)] == [
        "online", "in_person", "post_signed", "email", "online", "fax", "online",
    ]  # fmt: skip
    assert got["崇明镇2025-03"][2:] == ("unable_not_held", dt.date(2025, 3, 28))

    with store.session() as s:
        again = ready(detect_mapping(path, s))
    with store.transaction() as s:
        second = import_mapped(s, path, "张三", again)
    assert (second.value.written, second.value.skipped) == (0, len(ROWS))
    assert count(store) == len(ROWS)


def test_the_users_mapping_is_remembered_for_the_next_import(store: Store, tmp_path: Path) -> None:
    path = messy_ledger(tmp_path / "镇台账.xlsx")
    with store.session() as s:
        mapping = ready(detect_mapping(path, s))
    index = next(c.index for c in mapping.columns if c.header == "经办人意见")
    mapping = mapping.with_column(index, "handler")
    with store.transaction() as s:
        import_mapped(s, path, "张三", mapping)
    with store.session() as s:
        next_time = detect_mapping(path, s)
    column = next(c for c in next_time.columns if c.header == "经办人意见")
    assert (column.field, column.how) == ("handler", "remembered")
    assert next_time.missing == ()  # the defaults chosen last time are proposed again
    assert next_time.unmapped == ()


def test_one_column_fills_one_field(tmp_path: Path) -> None:
    mapping = detect_mapping(messy_ledger(tmp_path / "镇台账.xlsx"))
    index = next(c.index for c in mapping.columns if c.header == "经办人意见")
    moved = mapping.with_column(index, "applicant.name")
    assert moved.fields["applicant.name"].header == "经办人意见"
    assert [c.header for c in moved.columns if c.field == "applicant.name"] == ["经办人意见"]
    with pytest.raises(Refused):
        mapping.with_column(index, "no_such_field")
    with pytest.raises(Refused, match="可选"):
        mapping.with_default("channel", "pigeon")


def test_bad_rows_are_refused_with_sheet_row_and_the_offices_header(
    store: Store, tmp_path: Path
) -> None:
    rows = [*ROWS[:2], ("崇明镇2025-09", "2025年2月30日", "飞鸽传书", None, None)]
    path = messy_ledger(tmp_path / "镇台账.xlsx", rows)
    with store.session() as s:
        mapping = ready(detect_mapping(path, s))
    with pytest.raises(exchange.ImportRejected) as info, store.transaction() as s:
        import_mapped(s, path, "张三", mapping)
    found = {(p.where, p.field) for p in info.value.problems}
    assert ("2025年依申请公开登记 第6行", "申请日期") in found
    assert ("2025年依申请公开登记 第6行", "申请方式") in found
    assert count(store) == 0


def test_a_required_field_without_column_or_value_is_refused_before_reading(
    store: Store, tmp_path: Path
) -> None:
    path = messy_ledger(tmp_path / "镇台账.xlsx")
    mapping = detect_mapping(path)
    with pytest.raises(exchange.ImportRejected) as info, store.transaction() as s:
        import_mapped(s, path, "张三", mapping)
    assert "申请人类型" in str(info.value.problems[0])
    assert count(store) == 0


def test_a_workbook_without_a_header_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["随便写的", "一行字"])
    book.save(tmp_path / "x.xlsx")
    book.close()
    with pytest.raises(Refused, match="找不到表头"):
        detect_mapping(tmp_path / "x.xlsx")


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        (dt.datetime(2025, 3, 3, 9, 30), dt.date(2025, 3, 3)),
        (dt.date(2025, 3, 3), dt.date(2025, 3, 3)),
        (45719, dt.date(2025, 3, 3)),
        (45719.0, dt.date(2025, 3, 3)),
        ("2025-03-03", dt.date(2025, 3, 3)),
        ("2025-3-3", dt.date(2025, 3, 3)),
        ("2025/3/3", dt.date(2025, 3, 3)),
        ("2025.3.3", dt.date(2025, 3, 3)),
        ("2025年3月3日", dt.date(2025, 3, 3)),
        ("2025 年 3 月 3 日", dt.date(2025, 3, 3)),
        ("２０２５年３月３日", dt.date(2025, 3, 3)),
        ("２０２５－０３－０３", dt.date(2025, 3, 3)),
        ("20250303", dt.date(2025, 3, 3)),
        ("2025/3/3 14:05", dt.date(2025, 3, 3)),
        ("2025-03-03 14:05:09", dt.date(2025, 3, 3)),
    ],
)
def test_dates_in_every_common_form(raw: object, day: dt.date) -> None:
    assert parse_date(raw) == day


@pytest.mark.parametrize(
    "raw", ["3月3日", "2025-02-30", "2025/13/1", "明天", "", 1234, 13800000000, True, "2025-3"]
)
def test_what_is_not_a_date(raw: object) -> None:
    with pytest.raises(NotADate):
        parse_date(raw)


def test_applicants_of_the_ledger_are_stored_with_their_phone(store: Store, tmp_path: Path) -> None:
    path = messy_ledger(tmp_path / "镇台账.xlsx")
    with store.transaction() as s:
        import_mapped(s, path, "张三", ready(detect_mapping(path, s)))
    with store.session() as s:
        phones = set(s.scalars(select(Applicant.phone)))
    assert phones == {"13800000000"}


def test_the_command_line_imports_another_offices_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import main

    path = messy_ledger(tmp_path / "镇台账.xlsx")
    db = str(tmp_path / "cases.sqlite")
    assert main.run(["--db", db, "import", str(path)]) == 2  # three fields have no column
    assert "申请人类型" in capsys.readouterr().err
    defaults = ["applicant.type=natural_person", "request.form=paper", "request.delivery=post"]
    args = ["--db", db, "import", str(path)]
    for d in defaults:
        args += ["--default", d]
    assert main.run(args) == 0
    out = capsys.readouterr().out
    assert "第3行是表头" in out and "“申请日期” → 收到申请日期" in out
    assert f"已导入 {len(ROWS)} 件案件" in out
    assert main.run(["--db", db, "import", str(path)]) == 0  # remembered, and nothing new
    assert "已导入 0 件案件" in capsys.readouterr().out
