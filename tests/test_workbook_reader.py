"""The fast workbook reader (python-calamine) gives every cell as openpyxl gave it before."""

from __future__ import annotations

import datetime as dt
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from python_calamine import CalamineError, CalamineWorkbook

from cases.interchange import exchange, ledger, ledger_mapping, workbook
from cases.sample import demo
from cases.storage.store import Store
from cases.timing.date_text import parse_date
from tests.test_ledger_mapping import messy_ledger

TODAY = dt.date(2025, 12, 31)


def openpyxl_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The reader the program used before: openpyxl, read-only, cached values, dimensions reset."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = {}
        for name in book.sheetnames:
            ws = book[name]
            ws.reset_dimensions()
            found[name] = list(ws.iter_rows(values_only=True))
        return found
    finally:
        book.close()


def new_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with workbook.open_workbook(path) as book:
        return {name: book.rows(name) for name in book.sheetnames}


def comparable(rows: list[tuple[Any, ...]]) -> list[tuple[tuple[str, Any], ...]]:
    """Each cell as (type, value), so that 1, 1.0 and True differ; trailing empties dropped.

    An empty text cell counts as empty: openpyxl gives '' for one (calamine cannot tell it from
    a blank cell), and every check of the ledger reads both as a blank cell.
    """
    out = []
    for row in rows:
        cells = [None if v == "" and isinstance(v, str) else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(tuple((type(v).__name__, v) for v in cells))
    while out and not out[-1]:
        out.pop()
    return out


def assert_same_cells(path: Path) -> None:
    old, new = openpyxl_rows(path), new_rows(path)
    assert list(new) == list(old)
    for name in old:
        before, after = comparable(old[name]), comparable(new[name])
        assert len(after) == len(before), name
        for row_no, (a, b) in enumerate(zip(before, after, strict=True), start=1):
            assert b == a, f"{name} 第{row_no}行"


def as_excel_saves(path: Path) -> Path:
    """The same workbook with its text in a shared-strings part, as Excel itself saves one
    (openpyxl writes text inline in each cell)."""
    strings: dict[str, int] = {}

    def share(match: re.Match[str]) -> str:
        index = strings.setdefault(match.group(3), len(strings))
        return f'<c {match.group(1)}t="s"{match.group(2)}><v>{index}</v></c>'

    cell = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)
    target = path.with_name(path.stem + "-shared.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename).decode("utf-8")
            if info.filename.startswith("xl/worksheets/sheet"):
                data = cell.sub(share, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    "</Relationships>",
                )
            out.writestr(info, data)
        items = "".join(f"<si>{text}</si>" for text in strings)
        out.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>',
        )
    assert strings, "the workbook had no inline text to share"
    return target


def add_cells(path: Path, sheet_xml: str, cells: str) -> Path:
    """Cells openpyxl cannot write: formulas with their cached values, errors, odd numbers."""
    target = path.with_name(path.stem + "-cells.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == sheet_xml:
                text = data.decode("utf-8")
                data = text.replace(
                    "</sheetData>", f'<row r="60">{cells}</row></sheetData>'
                ).encode()
            out.writestr(info, data)
    return target


def odd_cells_book(path: Path) -> Path:
    """Every kind of value a ledger cell can hold, under a title line, with a gap and far cells."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "值"
    ws["B2"] = "标题行"
    values: list[Any] = [
        5, 5.5, -3, 0, 13386428186, 10**15, 0.1 + 0.2, -0.0, 1e-7,
        dt.date(2025, 3, 3), dt.datetime(2025, 3, 3, 10, 30), dt.datetime(2025, 3, 3, 0, 0, 1),
        dt.time(10, 30), dt.timedelta(days=1, hours=2), True, False,
        "", "  ", " 前后空格 ", "2025-3-3", "2025年3月3日", "=1+1", "a\nb", "x\r\ny",
        "全角２０２５／３／３", "A&B <公司>", "{{ 7*7 }}",
    ]  # fmt: skip
    for i, value in enumerate(values, start=4):
        ws.cell(row=i, column=2, value=value)
    formats = [
        (45000, "yyyy-mm-dd"), (45000.5, "yyyy-mm-dd hh:mm"), (0.25, "hh:mm"), (0.5, "0%"),
        (45000, "@"), (45000, 'yyyy"年"m"月"d"日"'), (1.5, "[h]:mm:ss"), (60, "yyyy-mm-dd"),
        (0, "yyyy-mm-dd"), (45000, "m/d/yy"), (45000, "[$-F800]dddd, mmmm dd, yyyy"),
        (1234.5, "#,##0.00"), (45000, "0.00"), (1.5, '0.00"日"'), (3, '#,##0"元"'),
        (45000, "General"), (45000.75, "h:mm AM/PM"), (45000, 'yyyy"年"m"月"'),
    ]  # fmt: skip
    for i, (value, number_format) in enumerate(formats, start=4):
        ws.cell(row=i, column=4, value=value).number_format = number_format
    ws.cell(row=20, column=4, value=CellRichText(["红", TextBlock(InlineFont(b=True), " 字 ")]))
    ws.cell(row=50, column=9, value="远处的格")
    other = book.create_sheet("第二张")
    other.append([None, None, "从C1开始"])
    book.create_sheet("空表")
    book.save(path)
    book.close()
    formulas = (
        '<c r="A60"><f>1+1</f><v>2</v></c>'
        '<c r="B60" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
        '<c r="C60" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="D60"><f>NOW()</f></c>'
        '<c r="H60" t="n"><v>45000</v></c>'
    )
    return add_cells(path, "xl/worksheets/sheet1.xml", formulas)


def demo_ledger(store: Store, path: Path, n: int) -> Path:
    with store.transaction() as s:
        demo.generate(s, n, seed=3, today=TODAY)
    with store.session() as s:
        ledger.export_ledger(s, path)
    return path


def test_odd_cells_read_as_openpyxl_read_them(tmp_path: Path) -> None:
    path = odd_cells_book(tmp_path / "值.xlsx")
    assert_same_cells(path)
    assert_same_cells(as_excel_saves(path))


def test_where_the_readers_differ_on_purpose(tmp_path: Path) -> None:
    """Written down so that nobody takes them for an accident: none reaches a check differently."""
    book = openpyxl.Workbook()
    book.active["A1"] = "编号"
    book.save(tmp_path / "plain.xlsx")
    cells = (
        '<c r="A60"><v>7.0</v></c><c r="B60"><v>1E+15</v></c>'
        '<c r="C60"><v>123456789012345678</v></c><c r="D60" t="inlineStr"><is><t></t></is></c>'
    )
    path = add_cells(tmp_path / "plain.xlsx", "xl/worksheets/sheet1.xml", cells)
    [old] = openpyxl_rows(path).values()
    [new] = new_rows(path).values()
    # Whole numbers written with a point or an exponent: openpyxl keeps a float, we read an int
    # (7 and 7.0 read the same as text, as a date serial and as an amount; 10^15 and more is
    # refused in a text column, as a date and as an amount by either).
    assert [(type(v), v) for v in old[59][:2]] == [(float, 7.0), (float, 1e15)]
    assert [(type(v), v) for v in new[59][:2]] == [(int, 7), (int, 10**15)]
    # An integer of 18 digits written in full: openpyxl reads it exactly, calamine as a float.
    assert old[59][2] == 123456789012345678 and new[59][2] == 123456789012345678.0
    # An empty text cell: '' from openpyxl, None here; blank either way.
    assert old[59][3] == "" and new[59][3] is None


def test_chinese_builtin_date_formats_read_as_dates(tmp_path: Path) -> None:
    """Excel's built-in formats 27–36 and 50–58 are the East Asian dates (2023年3月15日 and the
    like, numFmtId 31, 57, 58): openpyxl does not know them and gives the serial number, calamine
    the date Excel shows. A date column reads the same from both (parse_date takes serials); a
    text column now holds the date as written rather than 45000."""
    book = openpyxl.Workbook()
    book.active["A1"] = "编号"
    book.save(tmp_path / "plain.xlsx")
    cells = '<c r="A60" s="1"><v>45000</v></c><c r="B60" s="2"><v>45000</v></c>'
    path = add_cells(tmp_path / "plain.xlsx", "xl/worksheets/sheet1.xml", cells)
    styled = tmp_path / "styled.xlsx"
    # The plain workbook has one cell format; s="1" and s="2" are the two added after it.
    added = "".join(
        f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for n in (31, 57)
    )
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(styled, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/styles.xml":
                text = data.decode().replace('<cellXfs count="1">', '<cellXfs count="3">')
                data = text.replace("</cellXfs>", added + "</cellXfs>").encode()
            out.writestr(info, data)
    [old] = openpyxl_rows(styled).values()
    [new] = new_rows(styled).values()
    assert old[59] == (45000, 45000)
    assert new[59] == (dt.datetime(2023, 3, 15), dt.datetime(2023, 3, 15))
    assert {parse_date(v) for v in old[59] + new[59]} == {dt.date(2023, 3, 15)}


def test_a_workbook_in_the_1904_date_system_reads_the_same_dates(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append(["编号", dt.date(2025, 3, 3), dt.datetime(2025, 3, 3, 9, 30)])
    path = tmp_path / "mac.xlsx"
    book.save(path)
    assert_same_cells(path)
    assert new_rows(path)["Sheet"][0][1] == dt.datetime(2025, 3, 3)


def test_an_exported_ledger_reads_cell_for_cell_the_same(
    sqlite_store: Store, tmp_path: Path
) -> None:
    path = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 600)
    assert_same_cells(path)
    assert_same_cells(as_excel_saves(path))


def test_ten_thousand_generated_rows_read_the_same(tmp_path: Path) -> None:
    rng = random.Random(14)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("台账")
    ws.append(["编号", "日期", "文字", "电话", "金额", "备注", "时间", "空"])
    kinds = [
        lambda: dt.datetime(2018, 1, 1) + dt.timedelta(days=rng.randrange(3000)),
        lambda: "".join(
            rng.choice("崇明区长兴镇征收补偿规划许可 ") for _ in range(rng.randrange(30))
        ),
        lambda: rng.randrange(10**10, 10**11),
        lambda: round(rng.uniform(0, 5000), rng.choice([0, 1, 2])),
        lambda: rng.choice([None, "", " ", "无", 0, 1.5, True]),
        lambda: dt.datetime(2025, 1, 1, rng.randrange(24), rng.randrange(60)),
        lambda: None,
    ]
    for i in range(10_000):
        ws.append([f"2025-{i:05d}", *(kind() for kind in kinds)])
    path = tmp_path / "一万行.xlsx"
    book.save(path)
    assert_same_cells(path)


def test_other_offices_ledgers_read_the_same(tmp_path: Path) -> None:
    path = messy_ledger(tmp_path / "镇台账.xlsx")
    assert_same_cells(path)
    assert_same_cells(as_excel_saves(path))


def test_read_ledger_gives_the_same_records_and_problems_through_either_reader(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = demo_ledger(sqlite_store, tmp_path / "台账.xlsx", 400)
    book = openpyxl.load_workbook(good)
    ws = book[ledger.CASES]
    ws["B3"] = "2025-02-30"  # 收到日期 that does not exist
    ws["C4"] = "飞鸽传书"  # 渠道 not in the list
    ws["H5"] = 1.3386428186e17  # a phone number typed as a number, its last digits lost
    book[ledger.EVENTS]["A2"] = "不存在的编号"
    bad = tmp_path / "有错的台账.xlsx"
    book.save(bad)
    for path in (good, bad, as_excel_saves(bad)):
        fast = ledger._read(path)
        monkeypatch.setattr(workbook, "_has_error_cells", lambda path: True)
        slow = ledger._read(path)
        monkeypatch.undo()
        assert fast.rows == slow.rows
        assert fast.problems == slow.problems
        assert {k: vars(v) for k, v in fast.origins.items()} == {
            k: vars(v) for k, v in slow.origins.items()
        }
    assert len(ledger._read(bad).problems) == 4


def test_error_cells_are_read_by_openpyxl_as_their_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["编号", "备注"])
    book.save(tmp_path / "plain.xlsx")
    errors = '<c r="A60" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B60" t="e"><v>#N/A</v></c>'
    path = add_cells(tmp_path / "plain.xlsx", "xl/worksheets/sheet1.xml", errors)
    with workbook.open_workbook(path) as found:
        assert found.rows("Sheet")[59] == ("#DIV/0!", "#N/A")
    assert_same_cells(path)


@pytest.mark.parametrize("spelt", ["t='e'", 't = "e"', "t=\n'e'"])
def test_error_cells_are_found_however_the_attribute_is_quoted(tmp_path: Path, spelt: str) -> None:
    """XML allows single quotes and spaces around '=': such an error cell is no empty cell."""
    book = openpyxl.Workbook()
    book.active.append(["编号", "备注"])
    book.save(tmp_path / "plain.xlsx")
    errors = f'<c r="A60" {spelt}><f>1/0</f><v>#DIV/0!</v></c><c r="B60" {spelt}><v>#N/A</v></c>'
    path = add_cells(tmp_path / "plain.xlsx", "xl/worksheets/sheet1.xml", errors)
    assert openpyxl_rows(path)["Sheet"][59] == ("#DIV/0!", "#N/A")
    with workbook.open_workbook(path) as found:
        assert found.rows("Sheet")[59] == ("#DIV/0!", "#N/A")


def headed_ledger(tmp_path: Path, *rows: list[Any]) -> Path:
    """台账.xlsx with the ledger's header line and the given rows."""
    good = tmp_path / "台账.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = ledger.CASES
    ws.append([c.header for c in ledger.CASE_COLUMNS if not c.computed])
    for row in rows:
        ws.append(row)
    book.save(good)
    return good


def test_a_ledger_with_an_error_cell_still_names_the_cell(tmp_path: Path) -> None:
    good = headed_ledger(tmp_path)
    path = add_cells(good, "xl/worksheets/sheet1.xml", '<c r="B60" t="e"><v>#N/A</v></c>')
    with pytest.raises(exchange.ImportRejected) as caught:
        ledger.read_ledger(path)
    where = {(p.where, p.field) for p in caught.value.problems}
    assert ("台账 第60行", "收到日期") in where


@pytest.mark.parametrize("number", ["1e400", "NaN", "-INF"])
def test_a_number_beyond_any_date_in_a_date_column_names_the_cell(
    tmp_path: Path, number: str
) -> None:
    """calamine reads NaN and INF (openpyxl stopped at them), both read 1e400 as infinity."""
    good = headed_ledger(tmp_path)
    path = add_cells(good, "xl/worksheets/sheet1.xml", f'<c r="B60"><v>{number}</v></c>')
    with pytest.raises(exchange.ImportRejected) as caught:
        ledger.read_ledger(path)
    where = {(p.where, p.field) for p in caught.value.problems}
    assert ("台账 第60行", "收到日期") in where


def test_detecting_another_offices_header_reads_the_same(tmp_path: Path) -> None:
    path = as_excel_saves(messy_ledger(tmp_path / "镇台账.xlsx"))
    mapping = ledger_mapping.detect_mapping(path)
    assert (mapping.sheet, mapping.header_row) == ("2025年依申请公开登记", 3)


def test_a_part_larger_than_its_zip_entry_says_is_not_read_past_that(tmp_path: Path) -> None:
    """check_sizes trusts the declared sizes; calamine's zip reader, like Python's, stops there."""
    book = openpyxl.Workbook()
    for i in range(2000):
        book.active.append([f"第{i}行", i])
    path = tmp_path / "liar.xlsx"
    book.save(path)
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
        real = archive.read(part)
    raw = bytearray(path.read_bytes())
    declared, crc = 3000, zlib.crc32(real[:3000])
    struct.pack_into("<II", raw, info.header_offset + 14, crc, info.compress_size)
    struct.pack_into("<I", raw, info.header_offset + 22, declared)
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_length] == part.encode():
            struct.pack_into("<I", raw, central + 16, crc)
            struct.pack_into("<I", raw, central + 24, declared)
        central = raw.find(b"PK\x01\x02", central + 4)
    path.write_bytes(raw)
    workbook.check_sizes(path)  # the declared sizes are harmless …
    with pytest.raises(CalamineError, match="larger than its declared"):
        CalamineWorkbook.from_path(path).get_sheet_by_name("Sheet").to_python()


def damaged_sheet(good: Path, how: str) -> Path:
    """good with its first sheet's XML damaged: cut in half, garbage, bad UTF-8, a lost string."""
    target = good.with_name(f"损坏-{how}.xlsx")
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if how == "truncated":
                    data = data[: len(data) // 2]
                elif how == "garbage":
                    data = b"\x00\xff not xml <<<"
                elif how == "bad_utf8":
                    data = data.replace(b"<sheetData>", b"<sheetData>\xff\xfe", 1)
                else:  # a shared string the workbook does not hold
                    data = re.sub(
                        rb'<c r="A2" t="inlineStr">.*?</c>', b'<c r="A2" t="s"><v>999</v></c>', data
                    )
            out.writestr(info, data)
    return target


@pytest.mark.parametrize("how", ["truncated", "garbage", "bad_utf8", "lost_string"])
def test_a_damaged_sheet_is_refused_by_name_and_imports_nothing(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both readers fail on it; the user gets one line naming file and sheet, no traceback."""
    import main
    from cases.errors import Refused

    good = headed_ledger(tmp_path, ["2025-000001", "2025-03-03", "当面提交", "自然人", "张三"])
    ledger.read_ledger(good)  # undamaged, it reads
    path = damaged_sheet(good, how)
    with pytest.raises(Refused) as caught:
        ledger.read_ledger(path)
    assert caught.value.field == "file"
    assert f"{path.name} 的工作表“{ledger.CASES}”已损坏" in str(caught.value)

    db = tmp_path / "cases.sqlite"
    assert main.run(["--db", str(db), "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "已损坏" in err and "Traceback" not in err
    assert not db.exists()  # the import into a new path left no database behind
