"""Annual report (国办公开办函〔2021〕30号): tables 二/三/四 from the cases, checks, drill-down.

Row labels, columns and review columns come from the handbook (handbook/report_rows.yaml and each
outcome's report path); this module only knows how a row counts. Counting is done by SQL GROUP BY,
so that a city's archive (300,000 cases) reports in well under a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases import audit
from cases.errors import Refused
from cases.handbook import (
    Handbook,
    ReportColumn,
    ReportRow,
    ReviewColumn,
    Table2Block,
    load_handbook,
)
from cases.model import Applicant, Case, Review, Table2Entry
from cases.profile import ProfileError, load_profile

Path = tuple[str, ...]

# Table 四 has one data row; drill-down names it by this path, e.g. `--cases 表四`.
TABLE4_PATH: Path = ("表四",)
# Listing every case at fault in an error message helps nobody past a screenful.
MAX_CASES_IN_MESSAGE = 20


class ReportError(Refused):
    """A request about the report that cannot be met; the message is for the user."""

    def __init__(self, message: str, field: str = "report") -> None:
        super().__init__(field, message)


class ReportCheckFailed(ReportError):
    """An export was refused because a consistency check failed."""

    def __init__(self, failed: Sequence[Check]) -> None:
        self.failed = tuple(failed)
        parts = [c.describe() for c in self.failed]
        super().__init__("年报未通过检查，未导出：" + "；".join(parts))


# --------------------------------------------------------------------------- layout


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


# --------------------------------------------------------------------------- table 二


def table2_blocks() -> tuple[Table2Block, ...]:
    """The blocks of table 二 as report_rows.yaml declares them (条例 第二十条 items)."""
    return load_handbook().table2


def __getattr__(name: str) -> Any:
    # TABLE2 and TABLE2_ROW_HEADER, read from the handbook when asked for (PEP 562).
    if name == "TABLE2":
        return table2_blocks()
    if name == "TABLE2_ROW_HEADER":
        return load_handbook().table2_row_header
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    stmt = select(Table2Entry).where(Table2Entry.year == year)
    return {(e.block, e.row, e.column): _plain(e.value) for e in session.scalars(stmt)}


def save_table2(
    session: Session, year: int, values: Mapping[Table2Key, Any], actor: str
) -> dict[Table2Key, tuple[Decimal | None, Decimal | None]]:
    """Store hand-entered figures of table 二 for a year; an empty value removes the figure.

    All values are checked first: one bad value refuses the whole entry and changes nothing.
    Returns the changes (old, new); each is written to the audit trail.
    """
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


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Check:
    """One consistency rule and its result; `cases` names the case numbers at fault."""

    rule: str
    ok: bool
    cases: tuple[str, ...] = ()
    detail: str = ""
    # A non-blocking check is shown but does not stop the export (the published report of last
    # year cannot be changed any more; a difference is explained in the text).
    blocking: bool = True

    def describe(self) -> str:
        text = self.rule
        if self.detail:
            text += f"（{self.detail}）"
        if self.cases:
            shown = "、".join(self.cases[:MAX_CASES_IN_MESSAGE])
            more = len(self.cases) - MAX_CASES_IN_MESSAGE
            text += f"，涉及案件：{shown}" + (f" 等共 {len(self.cases)} 件" if more > 0 else "")
        return text


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
    scope: Any = dataclasses.field(default_factory=true)  # the SQL condition of `body`

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

    def require_ok(self) -> None:
        """Raise unless the report may be published: checked, and no check failed."""
        if not self.checks:
            raise ReportError("年报尚未检查，不能导出")
        if not self.ok:
            raise ReportCheckFailed(self.failed)


def _bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def not_voided() -> ColumnElement[bool]:
    # Voided cases never count. Written as IS NOT TRUE so that SQLite does not pick the index on
    # `voided`, which matches nearly every row, over the date indexes.
    return Case.voided.is_not(True)


def _received_in(year: int) -> ColumnElement[bool]:
    first, last = _bounds(year)
    return Case.received.between(first, last)


def _closed_in(year: int) -> ColumnElement[bool]:
    first, last = _bounds(year)
    return Case.outcome_on.between(first, last)


def _open_at_start(year: int) -> ColumnElement[bool]:
    """Received before 1 January and no final outcome before it (二; next year's view of 四)."""
    first, _ = _bounds(year)
    return and_(Case.received < first, or_(Case.outcome_on.is_(None), Case.outcome_on >= first))


def open_at_end(year: int) -> ColumnElement[bool]:
    """Open at the end of the year: carried forward (table 三 row 四)."""
    return _open_at_end(year)


def _open_at_end(year: int) -> ColumnElement[bool]:
    """Received by 31 December and no final outcome by then (四). Written with the year's last
    day, not as _open_at_start(year + 1), so that the continuity check compares two formulations."""
    _, last = _bounds(year)
    return and_(Case.received <= last, or_(Case.outcome_on.is_(None), Case.outcome_on > last))


def year_scope(year: int) -> ColumnElement[bool]:
    """A superset of the cases any row or check of the year counts: received or closed in it, or
    not closed by its end (cases received later included; every count has its own condition).

    The last part is spelt with COALESCE so that no index can serve it: SQLite then reads the table
    once instead of combining index ranges, one of which would cover nearly every row (on
    300,000 cases one scan is several times faster)."""
    _, last = _bounds(year)
    return or_(
        _received_in(year), _closed_in(year), func.coalesce(Case.outcome_on, dt.date.max) > last
    )


def _as_int(expr: ColumnElement[bool]) -> Any:
    return func.sum(case((expr, 1), else_=0))


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


Tallies = Mapping[tuple[str, str | None], Tally]


def _tallies(
    session: Session, year: int, scope: ColumnElement[bool]
) -> dict[tuple[str, str | None], Tally]:
    """One GROUP BY over the cases that touch the year: every figure of table 三 and of the
    checks on it comes from this single pass."""
    _, last = _bounds(year)
    dateless = and_(
        Case.received <= last, Case.outcome_code.is_not(None), Case.outcome_on.is_(None)
    )
    stmt = (
        select(
            Applicant.type,
            Case.outcome_code,
            _as_int(_received_in(year)),
            _as_int(_open_at_start(year)),
            _as_int(_closed_in(year)),
            _as_int(_open_at_end(year)),
            _as_int(_open_at_start(year + 1)),
            _as_int(_open_at_end(year - 1)),
            _as_int(dateless),
        )
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), scope, year_scope(year))
        .group_by(Applicant.type, Case.outcome_code)
    )
    return {(kind, code): Tally(*(int(n) for n in ns)) for kind, code, *ns in session.execute(stmt)}


def _review_class(year: int) -> Any:
    """尚未审结 unless decided within the year with a result; else the result as recorded."""
    _, last = _bounds(year)
    undecided = or_(Review.decided.is_(None), Review.decided > last, Review.result.is_(None))
    return case((undecided, literal("pending")), else_=Review.result)


def _review_scope(year: int, scope: ColumnElement[bool] | None = None) -> ColumnElement[bool]:
    """Filed by the end of the year, and decided in it or still undecided at its end."""
    first, last = _bounds(year)
    return and_(
        not_voided(),
        true() if scope is None else scope,
        Review.filed <= last,
        or_(Review.decided.is_(None), Review.decided >= first),
    )


def _review_counts(
    session: Session, year: int, scope: ColumnElement[bool]
) -> dict[tuple[str, str], int]:
    klass = _review_class(year).label("klass")
    stmt = (
        select(Review.kind, klass, func.count(Review.id))
        .join(Case, Case.id == Review.case_id)
        .where(_review_scope(year, scope))
        .group_by(Review.kind, klass)
    )
    return {(kind, k): int(n) for kind, k, n in session.execute(stmt)}


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


def _office_name(session: Session, body: str | None) -> str:
    try:
        profile = load_profile(session)
    except ProfileError:
        return ""  # a broken profile is reported where it is edited; the tables stand without it
    return profile.issuing_body if body is None else profile.unit(body).name


def body_scope(session: Session, body: str | None) -> ColumnElement[bool]:
    """The cases a reporting body counts: those it answered; None is the compiled report.

    A unit's own report (部门、乡镇年报) counts the cases answered in its name; the district's
    compiled report counts every unit's cases (domain.md §4, issue 11).
    """
    if body is None:
        return true()
    try:
        profile = load_profile(session)
        unit = profile.unit(body)
    except ProfileError as exc:
        raise ReportError(str(exc)) from exc
    names = [unit.short, unit.name]
    if unit.name == profile.issuing_body:
        return or_(Case.body.is_(None), Case.body.in_([*names, profile.own_short]))
    return Case.body.in_(names)


def build_report(
    session: Session, year: int, *, checks: bool = True, body: str | None = None
) -> Report:
    """Tables 二, 三 and 四 for a year, with every consistency check (unless checks=False).

    `body` names the reporting unit (its short name); None is the compiled report of all units.
    """
    layout = default_layout()
    scope = body_scope(session, body)
    tallies = _tallies(session, year, scope)
    report = Report(
        year=year,
        layout=layout,
        rows=tuple(ReportLine(line, _values(layout, tallies, line)) for line in layout.lines),
        table4=_table4_values(layout, _review_counts(session, year, scope)),
        table2=load_table2(session, year),
        tallies=tallies,
        office=_office_name(session, body),
        body=body,
        scope=scope,
    )
    if checks:
        report = dataclasses.replace(report, checks=check_report(session, report))
    return report


# --------------------------------------------------------------------------- checks


def _numbers(session: Session, *where: ColumnElement[bool]) -> tuple[str, ...]:
    stmt = (
        select(Case.no)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), *where)
        .order_by(Case.no)
    )
    return tuple(session.scalars(stmt))


def _type_filter(layout: Layout, labels: Iterable[str]) -> ColumnElement[bool]:
    """Cases of the named columns; the total column stands for every applicant type."""
    columns = [layout.column(label) for label in labels]
    if any(c.total for c in columns):
        return literal(True)
    return Applicant.type.in_([c.id for c in columns])


def _check_balance(session: Session, report: Report) -> list[Check]:
    layout, checks = report.layout, []
    for text, left, right in layout.balance:
        bad: list[str] = []
        details: list[str] = []
        for i, column in enumerate(report.columns):
            lsum = sum(_cell(report, p, i) for p in left)
            rsum = sum(_cell(report, p, i) for p in right)
            if lsum != rsum:
                bad.append(column)
                details.append(f"{column}栏：{lsum} ≠ {rsum}")
        cases: tuple[str, ...] = ()
        if bad:
            # A case closed before it was received is counted on one side only.
            cases = _numbers(
                session,
                report.scope,
                Case.outcome_on < Case.received,
                or_(_received_in(report.year), _closed_in(report.year)),
                _type_filter(layout, bad),
            )
        checks.append(Check(text, not bad, cases, "；".join(details)))
    return checks


def _cell(report: Report, path: Path, index: int) -> int:
    values = report.row(path).values
    return values[index] if values is not None else 0


def _check_sums(session: Session, report: Report) -> Check:
    layout = report.layout
    bad: list[str] = []
    stray: set[str] = set()
    unclassified = False
    for row in report.rows:
        line = row.line
        if line.kind is not RowKind.SUM or row.values is None:
            continue
        for i, column in enumerate(report.columns):
            parts = sum(_cell(report, p, i) for p in line.sum_of)
            if row.values[i] != parts:
                bad.append(f"“{line.label}”{column}栏：{row.values[i]} ≠ {parts}")
                codes, loose = _line_codes(layout, line)
                members: set[str] = set()
                for p in line.sum_of:
                    members |= _line_codes(layout, layout.line(p))[0]
                stray |= codes - members
                unclassified |= loose
    cases: tuple[str, ...] = ()
    if bad:
        known = list(layout.outcome_paths)
        wrong = [Case.outcome_code.in_(sorted(stray))]
        if unclassified:
            wrong += [Case.outcome_code.is_(None), Case.outcome_code.not_in(known)]
        cases = _numbers(session, report.scope, _closed_in(report.year), or_(*wrong))
    return Check("各合计行等于其所列各行之和", not bad, cases, "；".join(bad))


def _check_total_column(session: Session, report: Report) -> Check:
    layout = report.layout
    total = report.columns.index(layout.total_column.label)
    bad = []
    for row in report.rows:
        if row.values is None:
            continue
        parts = sum(v for i, v in enumerate(row.values) if i != total)
        if row.values[total] != parts:
            bad.append(f"“{row.line.label}”：{row.values[total]} ≠ {parts}")
    cases: tuple[str, ...] = ()
    if bad:
        types = [c.id for c in layout.type_columns]
        year = report.year
        counted = or_(
            _received_in(year), _open_at_start(year), _closed_in(year), _open_at_end(year)
        )
        cases = _numbers(session, report.scope, counted, Applicant.type.not_in(types))
    names = "、".join(c.label for c in layout.type_columns)
    return Check(f"总计栏等于{names}各栏之和", not bad, cases, "；".join(bad))


def _year_has_cases(session: Session, year: int, scope: ColumnElement[bool]) -> bool:
    return bool(session.scalar(select(exists().where(not_voided(), scope, _received_in(year)))))


def _by_type(report: Report, field: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (kind, _), tally in report.tallies.items():
        totals[kind] += getattr(tally, field)
    return {k: v for k, v in totals.items() if v}


def _check_continuity(session: Session, report: Report) -> list[Check]:
    """This year's 四 against next year's 二, and this year's 二 against last year's 四, each
    counted by its own year's rule, whenever the other year has cases."""
    layout, year = report.layout, report.year
    out_label = layout.of_kind(RowKind.CARRIED_OUT).label
    in_label = layout.of_kind(RowKind.CARRIED_IN).label
    checks = []
    pairs = (
        (year + 1, "carried_out", "next_carried_in", _open_at_end(year), _open_at_start(year + 1),
         f"本年“{out_label}”等于{year + 1}年“{in_label}”"),
        (year - 1, "carried_in", "prev_carried_out", _open_at_start(year), _open_at_end(year - 1),
         f"本年“{in_label}”等于{year - 1}年“{out_label}”"),
    )  # fmt: skip
    labels = {c.id: c.label for c in layout.type_columns}
    for other, mine, theirs, mine_rule, their_rule, rule in pairs:
        if not _year_has_cases(session, other, report.scope):
            checks.append(Check(rule, True, (), f"{other}年没有案件，不比较"))
            continue
        a, b = _by_type(report, mine), _by_type(report, theirs)
        if a == b:
            checks.append(Check(rule, True))
            continue
        differ = or_(and_(mine_rule, not_(their_rule)), and_(their_rule, not_(mine_rule)))
        detail = "；".join(
            f"{labels.get(k, k)}：{a.get(k, 0)} ≠ {b.get(k, 0)}"
            for k in sorted(set(a) | set(b))
            if a.get(k, 0) != b.get(k, 0)
        )
        checks.append(Check(rule, False, _numbers(session, report.scope, differ), detail))
    return checks


def _check_table4(session: Session, report: Report) -> list[Check]:
    layout, year = report.layout, report.year
    checks = []
    groups: dict[str, list[tuple[ReviewColumn, int]]] = defaultdict(list)
    for column, value in zip(layout.review_columns, report.table4, strict=True):
        groups[column.kind].append((column, value))
    for kind, cells in groups.items():
        name = "/".join(cells[0][0].path[:-1])
        total = sum(v for c, v in cells if c.result == "total")
        parts = sum(v for c, v in cells if c.result != "total")
        results = [c.result for c, _ in cells if c.result != "total"]
        cases: tuple[str, ...] = ()
        if total != parts:
            stmt = (
                select(Case.no)
                .join(Review, Review.case_id == Case.id)
                .where(
                    _review_scope(year, report.scope),
                    Review.kind == kind,
                    _review_class(year).not_in(results),
                )
                .order_by(Case.no)
            )
            cases = tuple(session.scalars(stmt))
        checks.append(
            Check(f"表四“{name}”各项之和等于总计", total == parts, cases,
                  "" if total == parts else f"{parts} ≠ {total}")
        )  # fmt: skip
    return checks


def _check_outcome_dates(session: Session, report: Report) -> Check:
    """A case with an outcome but no outcome date would be carried forward as if still open."""
    rule = "有办理结果的案件均有办结日期"
    if not any(t.dateless for t in report.tallies.values()):
        return Check(rule, True)
    _, last = _bounds(report.year)
    cases = _numbers(
        session,
        report.scope,
        Case.received <= last,
        Case.outcome_code.is_not(None),
        Case.outcome_on.is_(None),
    )
    return Check(rule, False, cases)


def check_report(session: Session, report: Report) -> tuple[Check, ...]:
    """Every rule the report must satisfy before export, each naming the cases at fault."""
    from cases.report_snapshot import published_check  # it reads the report's own types

    published = published_check(session, report)
    return (
        *_check_balance(session, report),
        _check_sums(session, report),
        _check_total_column(session, report),
        *_check_continuity(session, report),
        *_check_table4(session, report),
        _check_outcome_dates(session, report),
        *((published,) if published is not None else ()),
    )


# --------------------------------------------------------------------------- drill-down


def _line_filter(layout: Layout, line: Line, year: int) -> ColumnElement[bool]:
    if line.kind is RowKind.HEADING:
        raise ReportError(f"“{'/'.join(line.path)}”是标题行，本身不计数，请选择它下面的一行")
    if line.kind is RowKind.RECEIVED:
        return _received_in(year)
    if line.kind is RowKind.CARRIED_IN:
        return _open_at_start(year)
    if line.kind is RowKind.CARRIED_OUT:
        return _open_at_end(year)
    codes, unclassified = _line_codes(layout, line)
    which = [Case.outcome_code.in_(sorted(codes))]
    if unclassified:
        which += [Case.outcome_code.is_(None), Case.outcome_code.not_in(list(layout.outcome_paths))]
    return and_(_closed_in(year), or_(*which))


def cases_in_cell(
    session: Session, year: int, path: Sequence[str], column: str, body: str | None = None
) -> list[str]:
    """The case numbers counted in one cell, sorted; exactly as many as the cell's value.

    A table-四 cell (path TABLE4_PATH) lists one case number per counted review, so a case with
    two reviews of the same kind appears twice.
    """
    layout = default_layout()
    wanted = tuple(path)
    scope = body_scope(session, body)
    if wanted == TABLE4_PATH:
        target = layout.review_column(column)
        where = [_review_scope(year, scope), Review.kind == target.kind]
        if target.result != "total":
            where.append(_review_class(year) == target.result)
        stmt = (
            select(Case.no)
            .join(Review, Review.case_id == Case.id)
            .where(*where)
            .order_by(Case.no, Review.id)
        )
        return list(session.scalars(stmt))
    line = layout.line(wanted)
    return list(
        _numbers(session, scope, _line_filter(layout, line, year), _type_filter(layout, [column]))
    )


# --------------------------------------------------------------------------- parsing a cell


_LOOSE = str.maketrans({"(": "（", ")": "）", '"': "", "“": "", "”": "", " ": "", "\u3000": ""})


def _loose(text: str) -> str:
    """Typed on a command line, brackets come half-width and quotes straight; compare without."""
    return text.strip().translate(_LOOSE)


def parse_cell(path_text: str, column: str) -> tuple[Path, str]:
    """Turn `三、本年度办理结果/（三）不予公开/1.属于国家秘密` and a column label into a cell.

    The path may be shortened to its last parts when they name one row
    (`（三）不予公开/1.属于国家秘密`).
    `表四` names table 四's row, whose columns are written like `行政复议/结果维持`.
    Raises ReportError naming the unknown row or column and what could be meant.
    """
    layout = default_layout()
    parts = tuple(p for p in re.split(r"[/／]", path_text) if p.strip())
    if tuple(_loose(p) for p in parts) == TABLE4_PATH:
        names = {_loose(c.name): c.name for c in layout.review_columns}
        # an unknown name falls through to review_column, which raises listing the columns
        return TABLE4_PATH, names.get(_loose(column)) or layout.review_column(column).name
    if not parts:
        raise ReportError("请写出表三的行（用“/”连接各级标签）或“表四”")
    wanted = tuple(_loose(p) for p in parts)
    matches = [
        line.path
        for line in layout.lines
        if tuple(_loose(p) for p in line.path[-len(wanted) :]) == wanted
        and len(line.path) >= len(wanted)
    ]
    exact = [p for p in matches if len(p) == len(wanted)]
    if exact:
        matches = exact
    if not matches:
        raise ReportError(
            f"表三中没有这一行：{path_text}"
            "（各级标签用“/”连接，如 三、本年度办理结果/（一）予以公开）"
        )
    if len(matches) > 1:
        options = "；".join("/".join(p) for p in matches)
        raise ReportError(f"“{path_text}”可指多行，请写出完整路径：{options}")
    labels = {_loose(c.label): c.label for c in layout.columns}
    return matches[0], labels.get(_loose(column)) or layout.column(column).label
