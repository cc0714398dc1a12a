"""The Excel ledger (台账): full round trip, a file Excel can work with, all-or-nothing import."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

import main
from cases.interchange import exchange, ledger
from cases.storage.model import AuditRecord, Case
from cases.storage.store import Store, open_store


def person(**overrides: Any) -> dict[str, Any]:
    base = {
        "type": "natural_person", "name": "陈建国", "id_type": "resident_id",
        "id_number": "11010519491231002X", "phone": "02159612345",
        "address": "上海市崇明区城桥镇八一路1号", "postcode": "202150", "email": None,
        "agent": None,
    }  # fmt: skip
    base.update(overrides)
    return base


def case(no: str, received: str, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "no": no,
        "received": received,
        "channel": "in_person",
        "applicant": person(),
        "request": {
            "description": "申请公开堡镇某地块房屋征收补偿方案",
            "form": "paper",
            "delivery": "post",
        },
        "department": "区住房保障房屋管理局",
        "handler": "王敏",
        "events": [],
        "outcome": None,
        "reviews": [],
    }
    base.update(overrides)
    return base


# Every kind of event and review, an agent, a note, and text that Excel would otherwise
# misread: a leading zero, a leading '=', a line break.
SAMPLE = [
    case(
        "2025-000001", "2025-03-03",
        request={"description": "=SUM(A1:A2)\n第二行：申请公开征收决定", "form": "paper",
                 "delivery": "post"},
        outcome={"code": "disclose", "on": "2025-03-20", "note": "已当场提供"},
        reviews=[{"kind": "litigation_direct", "filed": "2025-04-10", "result": None,
                  "decided": None}],
    ),
    case(
        "2025-000002", "2025-03-03",
        events=[{"kind": "consultation", "party": "third_party", "to": "上海某置业有限公司",
                 "sent": "2025-03-10", "replied": "2025-03-14"}],
        applicant=person(type="enterprise", name="上海某某建设有限公司", id_type="uscc",
                         id_number="91310000MA1FL4B24G", email="legal@example.com",
                         agent={"name": "李律师", "phone": "021-12345678"}),
    ),
    case(
        "2025-000003", "2025-09-26", channel="post_signed",
        events=[{"kind": "extension", "on": "2025-10-28", "approved_by": "办公室主任"}],
        outcome={"code": "withhold_secret", "on": "2025-11-20", "note": ""},
        reviews=[{"kind": "reconsideration", "filed": "2025-12-10", "result": "upheld",
                  "decided": "2026-02-01"}],
    ),
    case(
        "2025-000004", "2025-12-15",
        events=[{"kind": "correction", "notice": "2025-12-19", "until": "2026-01-12",
                 "received": "2025-12-29"}],
    ),
    case(
        "2026-000001", "2026-02-10",
        events=[{"kind": "fee", "notice": "2026-02-24", "method": "per_page", "amount": 17.5,
                 "paid": "2026-03-02"},
                {"kind": "delay", "on": "2026-03-10", "due": "2026-04-30",
                 "reason": "申请数量明显超过合理范围"}],
        request={"description": "申请公开2025年度区财政预算执行情况", "form": "electronic",
                 "delivery": "email"},
    ),
]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def load(store: Store, path: Path, rows: list[dict[str, Any]]) -> None:
    with store.transaction() as session:
        exchange.import_rows(session, exchange.read_jsonl(write_jsonl(path, rows)), "测试")


def export_jsonl(store: Store, path: Path) -> bytes:
    with store.session() as session:
        exchange.export_jsonl(session, path)
    return path.read_bytes()


def ledger_of(tmp_path: Path, rows: list[dict[str, Any]], name: str = "台账.xlsx") -> Path:
    """A ledger exported by the program from a scratch database holding `rows`."""
    source = open_store(tmp_path / f"{name}.sqlite")
    load(source, tmp_path / "s.jsonl", rows)
    path = tmp_path / name
    with source.session() as session:
        ledger.export_ledger(session, path)
    source.close()
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Ledgers exported once per module (each needs a scratch database); tests edit copies."""
    folder = tmp_path_factory.mktemp("ledgers")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISCLOSURE_DESK_HOME", str(folder / "home"))
        return {
            "sample": ledger_of(folder, SAMPLE),
            "stored": ledger_of(folder, [case("2024-000001", "2024-06-03")], name="已有.xlsx"),
        }


def copy_of(exported: dict[str, Path], which: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(exported[which], tmp_path / exported[which].name))


def import_ledger(store: Store, path: Path) -> exchange.ImportResult:
    with store.transaction() as session:
        return ledger.import_ledger(session, path, "测试")


def count(store: Store, what: Any = Case.id) -> int:
    with store.session() as session:
        return session.scalar(select(func.count(what))) or 0


def edit(path: Path, sheet: str, cell: str, value: Any) -> Path:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)
    return path


def column_letter(path: Path, sheet: str, header: str) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    names = next(book[sheet].iter_rows(values_only=True))
    book.close()
    return openpyxl.utils.get_column_letter(list(names).index(header) + 1)


# --- round trip and the file itself ------------------------------------------------------------


def test_jsonl_to_ledger_to_new_database_to_jsonl_is_identical(
    store: Store, tmp_path: Path
) -> None:
    first = open_store(tmp_path / "first.sqlite")
    load(first, tmp_path / "in.jsonl", SAMPLE)
    before = export_jsonl(first, tmp_path / "before.jsonl")
    xlsx = tmp_path / "台账.xlsx"
    with first.session() as session:
        assert ledger.export_ledger(session, xlsx) == len(SAMPLE)
    first.close()
    assert import_ledger(store, xlsx).written == len(SAMPLE)
    after = export_jsonl(store, tmp_path / "after.jsonl")
    assert after == before
    # The file given in was not merely echoed: every field came back, computed ones included.
    assert [json.loads(line)["no"] for line in after.decode().splitlines()] == [
        r["no"] for r in SAMPLE
    ]
    assert not list(tmp_path.glob("*.partial"))


def test_exported_file_reads_naturally_in_excel(tmp_path: Path) -> None:
    path = ledger_of(tmp_path, SAMPLE)
    source = open_store(tmp_path / "台账.xlsx.sqlite")
    export_jsonl(source, tmp_path / "computed.jsonl")
    source.close()
    lines = (tmp_path / "computed.jsonl").read_text("utf-8").splitlines()
    computed = {r["no"]: r for r in map(json.loads, lines)}
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["台账", "事件", "复议诉讼"]
    sheet = book["台账"]
    header = [c.value for c in sheet[1]]
    assert header == [c.header for c in ledger.CASE_COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(ledger.CASE_COLUMNS))
    assert sheet.auto_filter.ref == f"A1:{last}{len(SAMPLE) + 1}"
    assert sheet.column_dimensions["N"].width > sheet.column_dimensions["J"].width
    rows = {r[0].value: {h: c for h, c in zip(header, r, strict=True)} for r in sheet.iter_rows(2)}
    first = rows["2025-000001"]
    assert first["收到日期"].is_date and first["收到日期"].value == dt.datetime(2025, 3, 3)
    assert first["渠道"].value == "当面提交"
    assert first["办理结果"].value == "予以公开"
    assert first["申请内容"].data_type == "s"  # text beginning with '=' is not a formula
    assert first["申请内容"].value.startswith("=SUM")
    assert first["联系电话"].value == "02159612345"
    assert rows["2025-000003"]["办理结果"].value == "不予公开-国家秘密"
    for no, cells in rows.items():
        due = computed[no]["due"]
        assert cells["答复期限"].value == (dt.datetime.fromisoformat(due) if due else None)
        assert cells["状态"].value in {"办理中", "中止计时", "已办结"}
    assert rows["2025-000003"]["状态"].value == "已办结"
    events = list(book["事件"].iter_rows(values_only=True))
    assert len(events) == 1 + sum(len(r["events"]) for r in SAMPLE)
    kinds = {row[0]: row[1] for row in events[1:]}
    assert kinds["2025-000002"] == "征求意见"
    reviews = list(book["复议诉讼"].iter_rows(values_only=True))
    assert reviews[0] == ("编号", "类型", "立案/起诉日期", "结果", "审结日期")
    assert ("2025-000003", "行政复议", dt.datetime(2025, 12, 10), "结果维持",
            dt.datetime(2026, 2, 1)) in reviews  # fmt: skip
    # Drop-down lists of the Chinese labels, from a sheet the user does not see.
    lists = book["代码表"]
    assert lists.sheet_state == "hidden"
    channel = next(v for v in sheet.data_validations.dataValidation if "C2" in str(v.sqref))
    source_range = channel.formula1.split("!")[1].replace("$", "")
    assert [row[0].value for row in lists[source_range]] == [
        "当面提交", "邮寄（挂号/EMS）", "平常信函", "网络平台", "电子邮件", "传真",
    ]  # fmt: skip


def test_year_filter_and_empty_export(store: Store, tmp_path: Path) -> None:
    source = open_store(tmp_path / "src.sqlite")
    load(source, tmp_path / "in.jsonl", SAMPLE)
    with source.session() as session:
        kept = ledger.export_ledger(session, tmp_path / "2026.xlsx", year=2026)
    source.close()
    assert kept == 3  # 2025-000002 and -000004 still open in 2026, and 2026-000001
    import_ledger(store, tmp_path / "2026.xlsx")
    with store.session() as session:
        numbers = list(session.scalars(select(Case.no).order_by(Case.no)))
    assert numbers == ["2025-000002", "2025-000004", "2026-000001"]
    with store.session() as session:
        assert ledger.export_ledger(session, tmp_path / "none.xlsx", year=1999) == 0
    book = openpyxl.load_workbook(tmp_path / "none.xlsx")
    assert book["台账"]["A1"].value == "编号"


# --- what an office types: codes or labels, real dates or text ---------------------------------

HEADERS = [c.header for c in ledger.CASE_COLUMNS if not c.computed]


def handmade(path: Path, cases: list[list[Any]], events: list[list[Any]] | None = None) -> Path:
    """A ledger typed by an office: no computed columns, a title line above the header."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(["2025年政府信息公开申请办理台账"])
    sheet.append(HEADERS)
    for row in cases:
        sheet.append(row)
    if events is not None:
        sheet = book.create_sheet("事件")
        sheet.append([c.header for c in ledger.EVENT_COLUMNS])
        for row in events:
            sheet.append(row)
    book.save(path)
    return path


def typed_row(no: str | None, received: Any, **cells: Any) -> list[Any]:
    values: dict[str, Any] = {
        "编号": no, "收到日期": received, "渠道": "当面提交", "申请人类型": "自然人",
        "申请人": "陈建国", "证件类型": "居民身份证", "证件号码": "11010519491231002X",
        "联系电话": 13800000000, "邮编": 202150, "申请内容": "申请公开某路段拓宽工程批复",
        "载体形式": "纸质", "获取方式": "邮寄", "承办部门": "区交通委",
    }  # fmt: skip
    values.update(cells)
    return [values.get(h) for h in HEADERS]


def test_labels_and_codes_text_and_real_dates_all_read(store: Store, tmp_path: Path) -> None:
    as_labels = typed_row(
        "L-1", dt.date(2025, 3, 3), 办理结果="予以公开", 办结日期=dt.datetime(2025, 3, 20)
    )
    as_codes = typed_row(
        "L-2", "2025-03-03", 渠道="in_person", 申请人类型="natural_person",
        证件类型="resident_id", 载体形式="paper", 获取方式="post", 办理结果="disclose",
        办结日期=" 2025-03-20 ",
    )  # fmt: skip
    event_columns = [c.header for c in ledger.EVENT_COLUMNS]

    def event(no: str, kind: str, party: str) -> list[Any]:
        cells = {"编号": no, "类型": kind, "征求对象类型": party, "征求对象": "某公司",
                 "发函日期": "2025-03-05", "回复日期": dt.date(2025, 3, 10)}  # fmt: skip
        return [cells.get(h) for h in event_columns]

    path = handmade(
        tmp_path / "typed.xlsx",
        [as_labels, as_codes],
        [event("L-1", "征求意见", "第三方"), event("L-2", "consultation", "third_party")],
    )
    assert import_ledger(store, path).written == 2
    export_jsonl(store, tmp_path / "out.jsonl")
    got = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [g["no"] for g in got] == ["L-1", "L-2"]
    for g in got:
        g.pop("no")
    assert got[0] == got[1]
    assert got[0]["channel"] == "in_person"
    assert got[0]["outcome"]["code"] == "disclose" and got[0]["outcome"]["on"] == "2025-03-20"
    assert got[0]["events"][0]["party"] == "third_party"
    # Numbers typed into text columns keep their digits.
    assert got[0]["applicant"]["phone"] == "13800000000"
    assert got[0]["applicant"]["postcode"] == "202150"


def test_rows_are_named_by_their_excel_row_number_below_a_title_line(
    store: Store, tmp_path: Path
) -> None:
    rows = [typed_row("T-1", "2025-03-03"), typed_row("T-2", "2025-13-01")]
    with pytest.raises(exchange.ImportRejected) as caught:
        import_ledger(store, handmade(tmp_path / "t.xlsx", rows))
    assert [(p.where, p.field) for p in caught.value.problems] == [("台账 第4行", "收到日期")]
    assert count(store) == 0


def test_case_without_number_gets_one(store: Store, tmp_path: Path) -> None:
    path = handmade(tmp_path / "n.xlsx", [typed_row(None, "2025-05-06")])
    result = import_ledger(store, path)
    assert result.written == 1 and result.numbers[0].startswith("2025")


def test_command_line_reads_and_writes_ledgers(
    tmp_path: Path, exported: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_of(exported, "sample", tmp_path)
    db = str(tmp_path / "cli.sqlite")
    assert main.run(["--db", db, "import", str(path)]) == 0
    assert f"已导入 {len(SAMPLE)} 件" in capsys.readouterr().out
    out = tmp_path / "out.xlsx"
    assert main.run(["--db", db, "export", str(out), "--year", "2025"]) == 0
    assert "已导出 4 件" in capsys.readouterr().out
    bad = edit(path, "台账", "B2", "去年")
    assert main.run(["--db", str(tmp_path / "other.sqlite"), "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "台账 第2行 字段 收到日期" in err and "Traceback" not in err


# --- all or nothing, and every error said in ledger terms --------------------------------------

# (sheet, column, value, expected problem sheet/row prefix, expected column)
BAD_CELLS: dict[str, tuple[str, str, Any, str, str]] = {
    "impossible date": ("台账", "收到日期", "2025-02-30", "台账 第3行", "收到日期"),
    # 45000 would be an Excel serial date (2023-03-15), read as such; 1234 is no date a case has.
    "date as a plain number": ("台账", "办结日期", 1234, "台账 第3行", "办结日期"),
    "date without a year": ("台账", "收到日期", "3月3日", "台账 第3行", "收到日期"),
    "unknown label": ("台账", "渠道", "飞鸽传书", "台账 第3行", "渠道"),
    "unknown outcome": ("台账", "办理结果", "已批准", "台账 第2行", "办理结果"),
    "required cell empty": ("台账", "申请人", None, "台账 第3行", "申请人"),
    "ID number as a number": ("台账", "证件号码", 110105194912310020, "台账 第3行", "证件号码"),
    "outcome before day 0": ("台账", "办结日期", "2025-03-01", "台账 第2行", "办结日期"),
    "repeated number": ("台账", "编号", "2025-000001", "台账 第3行", "编号"),
    "event for an unknown case": ("事件", "编号", "2099-000001", "事件 第2行", "编号"),
    "event of an unknown kind": ("事件", "类型", "催办", "事件 第2行", "类型"),
    "cell outside the event's kind": ("事件", "金额", 10, "事件 第2行", "金额"),
    "reply before sending": ("事件", "回复日期", "2025-03-09", "事件 第2行", "回复日期"),
    "amount not a number": ("事件", "金额", "很多", "事件 第5行", "金额"),
    "decided before filed": ("复议诉讼", "审结日期", "2025-12-01", "复议诉讼 第3行", "审结日期"),
    "review kind unknown": ("复议诉讼", "类型", "信访", "复议诉讼 第2行", "类型"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD_CELLS))
def test_bad_cell_changes_nothing_and_names_sheet_row_and_column(
    store: Store, tmp_path: Path, exported: dict[str, Path], name: str
) -> None:
    sheet, header, value, where, column = BAD_CELLS[name]
    import_ledger(store, exported["stored"])  # something already stored, which must stay so
    before = (count(store), count(store, AuditRecord.id))
    path = copy_of(exported, "sample", tmp_path)
    row = where.split("第")[1].rstrip("行")
    edit(path, sheet, f"{column_letter(path, sheet, header)}{row}", value)
    with pytest.raises(exchange.ImportRejected, match="数据库未作任何改动") as caught:
        import_ledger(store, path)
    assert (count(store), count(store, AuditRecord.id)) == before
    found = [(p.where, p.field) for p in caught.value.problems]
    assert (where, column) in found, [str(p) for p in caught.value.problems]


def test_every_mistake_in_every_sheet_is_listed_in_order(
    store: Store, tmp_path: Path, exported: dict[str, Path]
) -> None:
    path = copy_of(exported, "sample", tmp_path)
    edit(path, "台账", "B5", "昨天")  # unreadable cells…
    edit(path, "台账", "C6", "信鸽")
    edit(path, "事件", "I2", "2025-03-09")  # …and a readable reply dated before the letter
    edit(path, "事件", "A4", "X-404")
    edit(path, "复议诉讼", "B2", "上访")
    with pytest.raises(exchange.ImportRejected) as caught:
        import_ledger(store, path)
    assert [(p.where, p.field) for p in caught.value.problems] == [
        ("台账 第5行", "收到日期"),
        ("台账 第6行", "渠道"),
        ("事件 第2行", "回复日期"),
        ("事件 第4行", "编号"),
        ("复议诉讼 第2行", "类型"),
    ]
    assert count(store) == 0


def test_event_needing_a_missing_number_is_refused(store: Store, tmp_path: Path) -> None:
    path = ledger_of(tmp_path, SAMPLE[1:2])
    edit(path, "台账", "A2", None)
    with pytest.raises(exchange.ImportRejected) as caught:
        import_ledger(store, path)
    assert [(p.where, p.field) for p in caught.value.problems] == [("事件 第2行", "编号")]


def test_problems_from_shared_validation_point_at_every_event_row(
    store: Store, tmp_path: Path
) -> None:
    path = ledger_of(tmp_path, SAMPLE[2:3])
    book = openpyxl.load_workbook(path)
    events = book["事件"]
    events.append([c.value for c in events[2]])  # a second 延期: the law allows one
    book.save(path)
    with pytest.raises(exchange.ImportRejected) as caught:
        import_ledger(store, path)
    assert ("事件 第2、3行", "类型") in [(p.where, p.field) for p in caught.value.problems]


def test_read_ledger_gives_exchange_records(tmp_path: Path) -> None:
    rows = ledger.read_ledger(ledger_of(tmp_path, SAMPLE[:2]))
    assert [where for where, _ in rows] == ["台账 第2行", "台账 第3行"]
    first = rows[0][1]
    assert first["no"] == "2025-000001" and first["received"] == "2025-03-03"
    assert first["reviews"][0]["kind"] == "litigation_direct"
    assert rows[1][1]["events"][0]["sent"] == "2025-03-10"


# --- files that are not ledgers -----------------------------------------------------------------


def test_workbook_without_ledger_sheet_gets_one_clear_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "日期"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(exchange.ImportRejected) as caught:
        ledger.read_ledger(tmp_path / "other.xlsx")
    [problem] = caught.value.problems
    assert "缺少工作表“台账”" in problem.message and "Sheet" in problem.message


def test_missing_and_unknown_columns_get_one_clear_error(tmp_path: Path) -> None:
    path = ledger_of(tmp_path, SAMPLE[:1])
    book = openpyxl.load_workbook(path)
    book["台账"]["C1"] = "来源"
    book.save(path)
    with pytest.raises(exchange.ImportRejected) as caught:
        ledger.read_ledger(path)
    [problem] = caught.value.problems
    assert problem.where == "台账 第1行"
    assert "缺少列 渠道" in problem.message and "“来源”" in problem.message


def test_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("编号,收到日期\n", encoding="utf-8")
    with pytest.raises(exchange.ImportRejected) as caught:
        ledger.read_ledger(path)
    assert len(caught.value.problems) == 1
    assert "无法作为 Excel 工作簿打开" in caught.value.problems[0].message
