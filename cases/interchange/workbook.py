"""Opening an .xlsx someone sent: sizes checked inside the zip first; real rows, not stale sizes."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl

from cases.errors import Refused

# What the parts of a workbook may expand to. A ledger of 100,000 cases is about 60 MB of XML;
# the limits leave room for that and refuse a small file that would expand to gigabytes (a zip
# bomb): openpyxl keeps the shared strings in memory, and a sheet is parsed as it inflates.
MAX_SHARED_STRINGS = 256 * 2**20
MAX_PART = 1024 * 2**20
MAX_TOTAL = 2048 * 2**20
# XML compresses about 10:1; a part that claims far more is built to expand, not to be read.
MAX_RATIO = 200
RATIO_FLOOR = 16 * 2**20  # small parts may compress as well as they like


def check_sizes(path: Path) -> None:
    """Refuse a workbook whose parts would expand beyond the limits, before reading any of them.

    The sizes come from the zip's central directory; Python's zip reader stops at the declared
    size, so a part that lies about it cannot expand further either.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused("file", f"{path.name} 无法作为 Excel 工作簿打开：{exc}") from exc
    total = 0
    for info in infos:
        total += info.file_size
        limit = MAX_SHARED_STRINGS if info.filename.endswith("sharedStrings.xml") else MAX_PART
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limit or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise Refused(
                "file",
                f"{path.name} 中的 {info.filename} 解压后有 {info.file_size // 2**20} MB"
                f"（压缩比 {ratio:.0f}:1），超出可导入的大小，未读取；"
                "请确认文件来源，或分成几个文件导入",
            )
    if total > MAX_TOTAL:
        raise Refused(
            "file",
            f"{path.name} 解压后共 {total // 2**20} MB，超出可导入的大小"
            f"（{MAX_TOTAL // 2**20} MB），未读取",
        )


@contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    """The workbook read-only, values not formulas; closed (file handle released) on exit."""
    if path.is_dir():
        raise Refused("file", f"{path} 是一个文件夹，不是 Excel 文件")
    check_sizes(path)
    # Our own handle, closed on exit: openpyxl's close leaves a half-read sheet's zip member,
    # and with it the user's file, open until garbage collection.
    with path.open("rb") as handle:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise Refused("file", f"{path.name} 无法作为 Excel 工作簿打开：{exc}") from exc
        try:
            yield book
        finally:
            book.close()


def sheet(book: Any, name: str) -> Any:
    """A sheet whose rows are read to the end of its data, not to its stored dimension.

    Programs that write .xlsx (and people who edit one) leave a stale <dimension ref="A1:X9">;
    openpyxl's read-only mode would stop at row 9 of a 50-row ledger.
    """
    ws = book[name]
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    return ws
