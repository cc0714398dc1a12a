"""Tables 三 and 四 as the handbook lays them out, with each row's way of counting."""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cases.documents.report.base import (
    Path,
    ReportError,
)
from cases.rules.handbook import Handbook, ReportColumn, ReportRow, ReviewColumn, load_handbook


class RowKind(enum.Enum):
    HEADING = "heading"  # 三、本年度办理结果: a label over its sub-rows, counts nothing itself
    RECEIVED = "received"  # 一: first day 0 in the year
    CARRIED_IN = "carried_in"  # 二: open at the start of the year
    CARRIED_OUT = "carried_out"  # 四: open at the end of the year
    OUTCOME = "outcome"  # a row that outcomes are counted in directly
    SUM = "sum"  # a row that equals the sum of other rows


@dataclass(frozen=True)
class Line:
    """One row of table 三 as the report needs it."""

    path: Path
    kind: RowKind
    sum_of: tuple[Path, ...]
    has_children: bool  # its own sub-rows follow it (（三） over 1.…8.)

    @property
    def label(self) -> str:
        return self.path[-1]

    @property
    def has_value_cells(self) -> bool:
        """The official table prints numbers only for rows without sub-rows: a parent such as
        （三）不予公开 is a label cell spanning its sub-rows there."""
        return self.kind is not RowKind.HEADING and not self.has_children


@dataclass(frozen=True)
class Layout:
    """Table 三 and 四 as read from the handbook, with each row's way of counting."""

    lines: tuple[Line, ...]
    columns: tuple[ReportColumn, ...]
    note: str
    review_columns: tuple[ReviewColumn, ...]
    outcome_paths: Mapping[str, Path]  # outcome code → the row it is counted in
    balance: tuple[tuple[str, tuple[Path, ...], tuple[Path, ...]], ...]

    def line(self, path: Path) -> Line:
        for line in self.lines:
            if line.path == path:
                return line
        raise ReportError(f"表三中没有这一行：{'/'.join(path)}")

    def of_kind(self, kind: RowKind) -> Line:
        return next(line for line in self.lines if line.kind is kind)

    @property
    def type_columns(self) -> tuple[ReportColumn, ...]:
        return tuple(c for c in self.columns if not c.total)

    @property
    def total_column(self) -> ReportColumn:
        return next(c for c in self.columns if c.total)

    def column(self, label: str) -> ReportColumn:
        for column in self.columns:
            if column.label == label:
                return column
        names = "、".join(c.label for c in self.columns)
        raise ReportError(f"表三没有“{label}”这一栏；可选：{names}")

    def review_column(self, name: str) -> ReviewColumn:
        for column in self.review_columns:
            if column.name == name:
                return column
        names = "、".join(c.name for c in self.review_columns)
        raise ReportError(f"表四没有“{name}”这一栏；可选：{names}")

    def codes_under(self, scope: Path) -> frozenset[str]:
        return frozenset(
            code for code, path in self.outcome_paths.items() if path[: len(scope)] == scope
        )

    def scope(self, line: Line) -> Path:
        """The part of the tree a sum row stands for. （三） sums its own children; （七）总计 sums
        its siblings, so it stands for their common parent, the whole of 三."""
        if all(p[: len(line.path)] == line.path for p in line.sum_of):
            return line.path
        return _common_prefix(line.sum_of)

    def covers_all_outcomes(self, scope: Path) -> bool:
        """True for a scope every outcome row lies in (三、本年度办理结果): a closed case whose
        outcome code is missing or unknown still belongs to it, so （七）总计 counts it and the
        check against （一）…（六） can name it."""
        return all(path[: len(scope)] == scope for path in self.outcome_paths.values())


def _common_prefix(paths: Sequence[Path]) -> Path:
    first = paths[0]
    n = 0
    while n < len(first) and all(len(p) > n and p[n] == first[n] for p in paths):
        n += 1
    return first[:n]


def layout_from(hb: Handbook) -> Layout:
    """Classify the handbook's rows. The three dated top-level rows are told apart by their
    order in the official format: the two before the heading are 一 (new) and 二 (carried in), the
    one after it is 四 (carried forward)."""
    rows: tuple[ReportRow, ...] = hb.report_rows
    paths = [r.path for r in rows]
    dated = [r for r in rows if len(r.path) == 1 and not r.heading and not r.sum_of]
    headings = [i for i, r in enumerate(rows) if r.heading and len(r.path) == 1]
    if len(dated) != 3 or len(headings) != 1:
        raise ReportError(
            "年报行（report_rows.yaml）的结构与年报格式不符：应有一个标题行和三个按日期计数的顶层行"
        )
    heading_at = headings[0]
    before = [r for r in dated if paths.index(r.path) < heading_at]
    after = [r for r in dated if paths.index(r.path) > heading_at]
    if len(before) != 2 or len(after) != 1:
        raise ReportError(
            "年报行（report_rows.yaml）的顺序与年报格式不符：第一、二项应在第三项之前"
        )
    kinds = {
        before[0].path: RowKind.RECEIVED,
        before[1].path: RowKind.CARRIED_IN,
        after[0].path: RowKind.CARRIED_OUT,
    }
    lines: list[Line] = []
    for r in rows:
        if r.heading:
            kind = RowKind.HEADING
        elif r.sum_of:
            kind = RowKind.SUM
        elif r.path in kinds:
            kind = kinds[r.path]
        else:
            kind = RowKind.OUTCOME
        has_children = any(len(p) == len(r.path) + 1 and p[: len(r.path)] == r.path for p in paths)
        lines.append(Line(r.path, kind, r.sum_of, has_children))
    if not any(c.total for c in hb.report_columns):
        raise ReportError("年报栏目（report_rows.yaml）缺少总计栏")
    return Layout(
        lines=tuple(lines),
        columns=hb.report_columns,
        note=hb.report_note,
        review_columns=hb.review_columns,
        outcome_paths={o.code: o.report_path for o in hb.outcomes},
        balance=tuple((c.text, c.left, c.right) for c in hb.report_checks),
    )


@functools.cache
def default_layout() -> Layout:
    return layout_from(load_handbook())


def row_paths() -> tuple[Path, ...]:
    """Every row of table 三 in report order (the GUI's statistics page lists these)."""
    return tuple(line.path for line in default_layout().lines)
