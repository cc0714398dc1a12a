"""Opening an .xlsx someone sent: sizes checked inside the zip first; real rows, not stale sizes."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import openpyxl
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

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


# What openpyxl raises on a damaged workbook or sheet (XML errors are SyntaxErrors, ElementTree's
# and lxml's).
DAMAGED_SHEET = (
    SyntaxError,
    IndexError,
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
    zipfile.BadZipFile,
    zlib.error,
)


class Unreadable(Exception):
    """The file is no workbook either reader can open; str() says what the reader found."""


class Book:
    """The cell values of a workbook's sheets, as openpyxl's read-only values_only mode gives them.

    python-calamine (Rust) reads them, about ten times faster than openpyxl: a 10,000-row ledger
    in half a second instead of six. Its values are brought to openpyxl's types (see _cells), so
    that every check downstream sees what it saw before. openpyxl still reads a workbook that
    holds error cells (#N/A, #DIV/0!), which calamine gives as empty and openpyxl as their text,
    and any sheet calamine cannot read. One difference is kept on purpose: Excel's built-in East
    Asian date formats (2023年3月15日, numFmtId 27–36 and 50–58), which openpyxl does not know
    and gave as serial numbers, read as the dates Excel shows (a date column accepted both).
    """

    def __init__(self, path: Path, *, keep_read: bool = False) -> None:
        self.path = path
        # Keep the sheets read in full too: a preview, which the import of the same file follows.
        self._keep_read = keep_read
        self._openpyxl: Any = None
        self._handle: BinaryIO | None = None
        self._calamine: CalamineWorkbook | None = None
        self._identity = _identity(path)
        # A sheet kept from this unchanged file was read by calamine: the file has no error cell.
        self._reused = _kept.take(self._identity)
        self._looked_at: dict[str, CalamineSheet] = {}
        if not self._reused and _has_error_cells(path):
            self.sheetnames: list[str] = list(self._open_openpyxl().sheetnames)
            return
        try:
            self._calamine = CalamineWorkbook.from_path(path)
            self.sheetnames = list(self._calamine.sheet_names)
        except CalamineError:
            # openpyxl's message, or its rows where calamine has none
            self.sheetnames = list(self._open_openpyxl().sheetnames)

    def rows(self, name: str, max_row: int | None = None) -> list[tuple[Any, ...]]:
        """Every row of the sheet from row 1 (empty ones as empty tuples), to the last with data.

        Programs that write .xlsx (and people who edit one) leave a stale <dimension ref="A1:X9">;
        neither reader stops there: openpyxl's dimensions are reset, calamine ignores them.
        """
        if self._calamine is not None:
            try:
                found = self._sheet(name, keep=self._keep_read or max_row is not None).to_python(
                    skip_empty_area=False, nrows=max_row
                )
            except CalamineError:
                pass
            else:
                return [_cells(row) for row in found]
        try:
            ws = self._open_openpyxl()[name]
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            return list(ws.iter_rows(values_only=True, max_row=max_row))
        except (Unreadable, *DAMAGED_SHEET) as exc:
            # Truncated or garbled sheet XML (both readers fail on it), a shared string that is
            # not there: the file is damaged, and the user is told so, not shown a traceback.
            raise Refused(
                "file", f"{self.path.name} 的工作表“{name}”已损坏，无法读取：{exc}"
            ) from exc

    def _sheet(self, name: str, *, keep: bool) -> CalamineSheet:
        """The parsed sheet: calamine parses a whole sheet even for its first rows (0.35 s for
        a 10,000-row 台账), so a sheet only looked at is kept, when the workbook is closed, for
        the next workbook opened from the same unchanged file (_KeptSheets)."""
        assert self._calamine is not None
        sheet = self._reused.pop(name, None)
        if sheet is None:
            sheet = self._looked_at.get(name)
        if sheet is None:
            sheet = self._calamine.get_sheet_by_name(name)
        if keep:
            self._looked_at[name] = sheet
        else:
            self._looked_at.pop(name, None)
        return sheet

    def _open_openpyxl(self) -> Any:
        if self._openpyxl is not None:
            return self._openpyxl
        # Our own handle, closed by close(): openpyxl's close leaves a half-read sheet's zip
        # member, and with it the user's file, open until garbage collection.
        self._handle = self.path.open("rb")
        try:
            self._openpyxl = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
        except DAMAGED_SHEET as exc:
            self.close()
            raise Unreadable(str(exc)) from exc
        return self._openpyxl

    def close(self) -> None:
        self._reused = {}
        looked_at, self._looked_at = self._looked_at, {}
        _kept.put(self._identity, looked_at)
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        if self._openpyxl is not None:
            self._openpyxl.close()
            self._openpyxl = None
        if self._handle is not None:
            self._handle.close()
            self._handle = None


Identity = tuple[str, int, int, int, int, int]


def _identity(path: Path) -> Identity | None:
    """The file as it is now: a file saved again (Excel writes a new one) or edited in place
    differs in its inode, size or times, so a kept sheet never stands for changed contents.
    None when it cannot be told (nothing is then kept or reused)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (
        os.path.realpath(path),
        found.st_dev,
        found.st_ino,
        found.st_size,
        found.st_mtime_ns,
        found.st_ctime_ns,
    )


class _KeptSheets:
    """The sheets of one file parsed for a look at their first rows, kept for the full read
    that follows (telling a ledger, then reading it; finding another office's header, then
    reading its rows).

    One file's only, and the next workbook opened takes them and keeps again only what it too
    just looked at; sheets nobody takes are dropped after KEEP_SECONDS (a dialog left open with
    another office's workbook in it), so a large workbook's cells are not held for the rest of
    the process. Workbooks are opened from the window's worker threads too, hence the lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[Identity, dict[str, CalamineSheet]] | None = None
        self._token: object = None

    def take(self, identity: Identity | None) -> dict[str, CalamineSheet]:
        """The sheets kept if they were parsed from this file as it is now; none are left."""
        with self._lock:
            kept, self._kept = self._kept, None
        if kept is not None and identity is not None and kept[0] == identity:
            return kept[1]
        return {}

    def put(self, identity: Identity | None, sheets: dict[str, CalamineSheet]) -> None:
        if identity is None or not sheets:
            return
        # The timer holds a token, not the sheets: taken sheets are freed when their read ends.
        token = object()
        with self._lock:
            self._kept, self._token = (identity, sheets), token
        timer = threading.Timer(KEEP_SECONDS, self._expire, args=(token,))
        timer.daemon = True  # never holds up the end of the process
        timer.start()

    def _expire(self, token: object) -> None:
        with self._lock:
            if self._token is token:
                self._kept = None

    def forget(self) -> None:
        with self._lock:
            self._kept = None


KEEP_SECONDS = 60.0
_kept = _KeptSheets()


def forget_kept_sheets() -> None:
    """Drop the kept sheets: the next read parses its file again (a benchmark's cold read)."""
    _kept.forget()


def _cells(row: list[Any]) -> tuple[Any, ...]:
    """One calamine row in openpyxl's types: an empty cell is None, a date a datetime at
    midnight, a whole number an int, as openpyxl reads a number written without a point.

    calamine gives every number as a float. A whole one is an int here up to 2^53, where floats
    stop holding every integer; beyond, an integer written in full (only programs do: Excel
    keeps 15 digits) has lost its last digits either way, and the ledger refuses such a cell.
    """
    out: list[Any] = []
    for v in row:
        kind = type(v)
        if kind is str:
            out.append(v if v else None)
        elif kind is float:
            out.append(int(v) if v.is_integer() and -WHOLE < v < WHOLE else v)
        elif kind is dt.date:
            out.append(dt.datetime(v.year, v.month, v.day))
        else:
            out.append(v)
    return tuple(out)


WHOLE = float(2**53)


def _has_error_cells(path: Path) -> bool:
    """Whether a sheet holds an error cell (t="e"); a false alarm only costs openpyxl's time."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with archive.open(info) as part:
                        tail = b""
                        while chunk := part.read(4 * 2**20):
                            if _error_cell_in(tail + chunk):
                                return True
                            tail = chunk[-ERROR_TAIL:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return True  # a damaged part: openpyxl says what is wrong with it, as it always has
    return False


# XML lets an attribute be quoted either way and spaced around its "=" (t='e', t = "e").
ERROR_CELL = re.compile(rb"""\bt\s*=\s*["']e["']""")
ERROR_TAIL = 64  # bytes of a chunk kept, so that a match across two chunks is found


def _error_cell_in(data: bytes) -> bool:
    # The pattern only where its quoted e is: a search for plain bytes is ten times faster.
    return (b'"e"' in data or b"'e'" in data) and ERROR_CELL.search(data) is not None


def load(path: Path, *, keep_read: bool = False) -> Book:
    """The workbook, its sizes checked first; raises Refused (a folder, too large) or Unreadable.

    keep_read: the sheets it reads are kept for the next workbook opened from the same file
    (_KeptSheets), as the sheets only looked at always are.
    """
    if path.is_dir():
        raise Refused("file", f"{path} 是一个文件夹，不是 Excel 文件")
    check_sizes(path)
    return Book(path, keep_read=keep_read)


@contextmanager
def open_workbook(path: Path, *, keep_read: bool = False) -> Iterator[Book]:
    """The workbook's values (see Book); closed (file handle released) on exit."""
    try:
        book = load(path, keep_read=keep_read)
    except Unreadable as exc:
        raise Refused("file", f"{path.name} 无法作为 Excel 工作簿打开：{exc}") from exc
    try:
        yield book
    finally:
        book.close()
