"""Workbooks someone sent: a stale dimension does not hide rows, a zip bomb is refused unread."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cases.errors import Refused
from cases.interchange import exchange, ledger, ledger_mapping, workbook
from cases.storage.model import Case
from cases.storage.store import Store
from tests.test_ledger_mapping import messy_ledger, ready


def patch_dimension(path: Path, ref: str) -> None:
    """What other programs leave behind: <dimension> claiming fewer rows than the sheet has."""
    source = zipfile.ZipFile(path)
    patched = path.with_name("patched.xlsx")
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                if "<dimension" in text:
                    text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)
                else:
                    text = text.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)
                data = text.encode("utf-8")
            target.writestr(info, data)
    source.close()
    patched.replace(path)


def rows(n: int) -> list[tuple[object, ...]]:
    return [(f"镇2025-{i:03d}", "2025-3-3", "网上申请", None, None) for i in range(1, n + 1)]


def test_a_stale_dimension_does_not_hide_rows_of_another_offices_ledger(
    store: Store, tmp_path: Path
) -> None:
    path = messy_ledger(tmp_path / "镇台账.xlsx", rows(50))
    patch_dimension(path, "A1:J9")
    with store.transaction() as s:
        result = ledger_mapping.import_mapped(
            s, path, "张三", ready(ledger_mapping.detect_mapping(path, s))
        )
    assert result.value.written == 50


def test_a_stale_dimension_does_not_hide_rows_of_our_own_ledger(
    store: Store, tmp_path: Path
) -> None:
    records = [
        (
            f"第{i}行",
            {
                "no": f"A-{i}",
                "received": "2025-03-03",
                "channel": "in_person",
                "applicant": {"type": "natural_person", "name": f"申请人{i}"},
                "request": {"description": "某路拓宽", "form": "paper", "delivery": "post"},
            },
        )
        for i in range(50)
    ]
    with store.transaction() as s:
        exchange.import_rows(s, records, "张三")
    path = tmp_path / "台账.xlsx"
    with store.session() as s:
        ledger.export_ledger(s, path)
    patch_dimension(path, "A1:Y9")
    assert len(ledger.read_ledger(path)) == 50


def bomb(path: Path, part: str, size: int) -> Path:
    """A small file whose `part` inflates to `size` bytes of zeros."""
    chunk = b"0" * 2**20
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(part, "w") as out:
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_it_is_read(store: Store, tmp_path: Path) -> None:
    path = bomb(tmp_path / "炸弹.xlsx", "xl/sharedStrings.xml", 64 * 2**20)
    assert path.stat().st_size < 2**20  # a small file …
    with pytest.raises(Refused, match="超出可导入的大小"):
        workbook.check_sizes(path)  # … refused from the zip's directory alone
    with pytest.raises(Refused, match="超出可导入的大小"):
        ledger_mapping.detect_mapping(path)
    with pytest.raises(exchange.ImportRejected) as info:
        ledger.read_ledger(path)
    assert "超出可导入的大小" in str(info.value.problems[0])
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 0


def test_the_absolute_limits_hold_for_parts_that_compress_plausibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_SHARED_STRINGS", 2**20)
    path = bomb(tmp_path / "big.xlsx", "xl/sharedStrings.xml", 2 * 2**20)
    with pytest.raises(Refused, match=r"sharedStrings\.xml"):
        workbook.check_sizes(path)


def test_a_directory_or_a_non_zip_is_refused_as_a_file(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="文件夹"), workbook.open_workbook(tmp_path):
        pass
    not_zip = tmp_path / "x.xlsx"
    not_zip.write_text("not a zip")
    with pytest.raises(Refused, match="无法作为 Excel"), workbook.open_workbook(not_zip):
        pass
