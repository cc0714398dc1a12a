"""Table 二 (第二十条 items published actively): its blocks, and the figures entered by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from cases.documents.report.base import ReportError
from cases.rules.handbook import Table2Block, load_handbook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Table 二 of a year as stored, for a report read through sqlite3 (from_file.py). The column
# names "row" and "column" are SQL keywords: quoted, as SQLAlchemy quotes them.
TABLE2_OF_YEAR = 'SELECT block, "row", "column", value FROM report_table2 WHERE year = :year'
# How SQLAlchemy reads the value column, Numeric(14, 4), from SQLite, which keeps it as a number
# (REAL or INTEGER): the number printed with that many decimals, then made a Decimal.
VALUE_SCALE = 4


def table2_blocks() -> tuple[Table2Block, ...]:
    """The blocks of table 二 as report_rows.yaml declares them (条例 第二十条 items)."""
    return load_handbook().table2


def table2_row_header() -> str:
    return load_handbook().table2_row_header


Table2Key = tuple[str, str, str]  # block title, row, column


def table2_keys() -> tuple[Table2Key, ...]:
    return tuple((b.title, r, c) for b in table2_blocks() for r in b.rows for c in b.columns)


def _table2_block(title: str) -> Table2Block | None:
    return next((b for b in table2_blocks() if b.title == title), None)


def _table2_value(key: Table2Key, raw: Any) -> tuple[Decimal | None, str | None]:
    """The stored value for what was typed, or the reason it is refused."""
    block, row, column = key
    found = _table2_block(block)
    if found is None:
        return None, f"表二没有“{block}”这一部分"
    if row not in found.rows:
        return None, f"表二“{block}”没有“{row}”这一行"
    if column not in found.columns:
        return None, f"表二“{block}”没有“{column}”这一栏"
    where = f"表二“{block}/{row}/{column}”"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, f"{where}应为数字"
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None, f"{where}应为数字，而不是“{raw}”"
    if not value.is_finite():
        return None, f"{where}应为数字，而不是“{raw}”"
    if value < 0:
        return None, f"{where}不能为负数"
    if found.money:
        if value != value.quantize(Decimal("0.0001")):
            return None, f"{where}以万元为单位，最多保留四位小数"
    elif value != value.to_integral_value():
        return None, f"{where}是件数，应为整数"
    return _plain(value), None


def _plain(value: Decimal) -> Decimal:
    """3.0000 as stored reads 3, 12.3500 reads 12.35 (and 100 never becomes 1E+2)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def table2_missing(values: Mapping[Table2Key, Decimal]) -> tuple[Table2Key, ...]:
    """The cells of table 二 not entered yet (a 0 is entered; an empty cell is not)."""
    return tuple(key for key in table2_keys() if key not in values)


def load_table2(session: Session, year: int) -> dict[Table2Key, Decimal]:
    """Table 二 of a year as stored; a value not stored as a number is refused (table2_of)."""
    from sqlalchemy import text

    # The statement the sqlite3 way runs, read raw: the Numeric column's own conversion would
    # fail on a text value with a raw error instead of a message naming the cell.
    rows = session.execute(text(TABLE2_OF_YEAR), {"year": year})
    values = table2_of((tuple(r) for r in rows), year)
    if values is None:  # not a table of this program's (keys not text): read it the ORM's way
        from sqlalchemy import select

        from cases.storage.model import Table2Entry

        stmt = select(Table2Entry).where(Table2Entry.year == year)
        return {(e.block, e.row, e.column): _plain(e.value) for e in session.scalars(stmt)}
    return values


def table2_of(rows: Iterable[tuple[object, ...]], year: int) -> dict[Table2Key, Decimal] | None:
    """Table 二 from the rows of TABLE2_OF_YEAR, read through sqlite3 or raw through SQLAlchemy;
    None for a cell named by other than text, which the caller reads the ORM's way.

    A value stored as other than a number (SQLite keeps the text of a figure typed around the
    program) is refused, naming the year, the cell and what is stored there.
    """
    values: dict[Table2Key, Decimal] = {}
    for block, row, column, value in rows:
        if not isinstance(block, str) or not isinstance(row, str) or not isinstance(column, str):
            return None
        if isinstance(value, Decimal):  # PostgreSQL's numeric, already at the column's scale
            number = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = Decimal(f"{value:.{VALUE_SCALE}f}")
        else:
            raise ReportError(
                f"{year}年表二“{block}/{row}/{column}”保存的数值“{value}”不是数字，"
                "请在表二录入中重新填写"
            )
        values[(block, row, column)] = _plain(number)
    return values


def save_table2(
    session: Session, year: int, values: Mapping[Table2Key, Any], actor: str
) -> dict[Table2Key, tuple[Decimal | None, Decimal | None]]:
    """Store hand-entered figures of table 二 for a year; an empty value removes the figure.

    All values are checked first: one bad value refuses the whole entry and changes nothing.
    Returns the changes (old, new); each is written to the audit trail.
    """
    from sqlalchemy import select

    from cases.storage import audit
    from cases.storage.model import Table2Entry

    problems: list[str] = []
    parsed: dict[Table2Key, Decimal | None] = {}
    for key, raw in values.items():
        value, problem = _table2_value(key, raw)
        if problem:
            problems.append(problem)
        else:
            parsed[key] = value
    if problems:
        raise ReportError("；".join(problems))
    existing = {
        (e.block, e.row, e.column): e
        for e in session.scalars(select(Table2Entry).where(Table2Entry.year == year))
    }
    changes: dict[Table2Key, tuple[Decimal | None, Decimal | None]] = {}
    for key, value in parsed.items():
        entry = existing.get(key)
        old = _plain(entry.value) if entry is not None else None
        if old == value:
            continue
        if value is None:  # old differs from None, so the entry exists
            session.delete(entry)
        elif entry is not None:
            entry.value = value
        else:
            block, row, column = key
            session.add(Table2Entry(year=year, block=block, row=row, column=column, value=value))
        changes[key] = (old, value)
    if changes:
        audit.record(
            session,
            None,
            actor,
            "report_table2",
            {f"{year}/{'/'.join(k)}": v for k, v in changes.items()},
        )
    return changes
