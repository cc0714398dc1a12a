"""The report's tables as plain values: its rows, table 四, the tallies they are summed from.

Free of SQLAlchemy: the same Report is built from the ORM session's rows and from rows read
through sqlite3 (from_file.py), by the one builder in assemble.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cases.documents.report.base import TABLE4_PATH, Check, Path, ReportCheckFailed, ReportError
from cases.documents.report.layout import Layout, Line, RowKind
from cases.documents.report.table2 import Table2Key


@dataclass(frozen=True)
class ReportLine:
    line: Line
    values: tuple[int, ...] | None  # one per column of table 三; None for the heading

    @property
    def path(self) -> Path:
        return self.line.path


@dataclass(frozen=True)
class Report:
    year: int
    layout: Layout
    rows: tuple[ReportLine, ...]
    table4: tuple[int, ...]  # one per layout.review_columns
    table2: Mapping[Table2Key, Decimal]
    tallies: Tallies  # the counts the rows were summed from; the checks read them too
    checks: tuple[Check, ...] = ()
    office: str = ""  # the reporting body, for the title of the exported tables
    body: str | None = None  # the unit reported on (short name); None: the compiled report
    # The SQL condition of `body` where the report was built through the ORM (counting's
    # body_scope); None where it was read through sqlite3 (from_file.py).
    scope: Any = None

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.layout.columns)

    @property
    def table4_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.layout.review_columns)

    @property
    def ok(self) -> bool:
        """Checked, and every check passed (a report built with checks=False is not ok)."""
        return bool(self.checks) and all(c.ok for c in self.checks if c.blocking)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok and c.blocking)

    @property
    def warnings(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok and not c.blocking)

    def row(self, path: Sequence[str]) -> ReportLine:
        wanted = tuple(path)
        for row in self.rows:
            if row.path == wanted:
                return row
        raise ReportError(f"表三中没有这一行：{'/'.join(wanted)}")

    def value(self, path: Sequence[str], column: str) -> int:
        """A cell of table 三 by row path and column label, or of table 四 (path TABLE4_PATH)."""
        if tuple(path) == TABLE4_PATH:
            index = self.table4_columns.index(self.layout.review_column(column).name)
            return self.table4[index]
        values = self.row(path).values
        if values is None:
            raise ReportError(f"“{'/'.join(path)}”是标题行，本身不计数")
        return values[self.columns.index(self.layout.column(column).label)]

    @property
    def demo_cases(self) -> int:
        """Demo cases among those the year handled (received in it or carried into it)."""
        return sum(t.demo for t in self.tallies.values())

    def require_ok(self) -> None:
        """Raise unless the report may be published: checked, and no check failed."""
        if not self.checks:
            raise ReportError("年报尚未检查，不能导出")
        if not self.ok:
            raise ReportCheckFailed(self.failed)


@dataclass(frozen=True)
class Tally:
    """The counts of one group of cases (one applicant type × one outcome code) for a year."""

    received: int  # 一
    carried_in: int  # 二
    closed: int  # 三, by the outcome code
    carried_out: int  # 四
    next_carried_in: int  # open at the start of next year, by next year's rule for 二
    prev_carried_out: int  # open at the end of last year, by last year's rule for 四
    dateless: int  # an outcome code but no outcome date: would be carried forward as open
    demo: int = 0  # of those received in the year or carried into it: made by `demo`


Tallies = Mapping[tuple[str, str | None], Tally]


def _line_codes(layout: Layout, line: Line) -> tuple[frozenset[str], bool]:
    """The outcome codes a row counts, and whether it also counts unclassified closed cases."""
    if line.kind is RowKind.OUTCOME:
        return frozenset(c for c, p in layout.outcome_paths.items() if p == line.path), False
    scope = layout.scope(line)
    return layout.codes_under(scope), layout.covers_all_outcomes(scope)


def _values(layout: Layout, tallies: Tallies, line: Line) -> tuple[int, ...] | None:
    if line.kind is RowKind.HEADING:
        return None
    codes, unclassified = _line_codes(layout, line)
    known = frozenset(layout.outcome_paths)

    def take(c: Tally, code: str | None) -> int:
        if line.kind is RowKind.RECEIVED:
            return c.received
        if line.kind is RowKind.CARRIED_IN:
            return c.carried_in
        if line.kind is RowKind.CARRIED_OUT:
            return c.carried_out
        counted = code in codes or (unclassified and (code is None or code not in known))
        return c.closed if counted else 0

    per_type: dict[str, int] = defaultdict(int)
    for (kind, code), c in tallies.items():
        per_type[kind] += take(c, code)
    return tuple(
        sum(per_type.values()) if column.total else per_type.get(column.id, 0)
        for column in layout.columns
    )


def _table4_values(layout: Layout, counts: Mapping[tuple[str, str], int]) -> tuple[int, ...]:
    values: list[int] = []
    for column in layout.review_columns:
        if column.result == "total":
            values.append(sum(n for (kind, _), n in counts.items() if kind == column.kind))
        else:
            values.append(counts.get((column.kind, column.result), 0))
    return tuple(values)
