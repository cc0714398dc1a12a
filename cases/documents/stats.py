"""Office statistics for a year: the figures behind the annual report's text parts (一 and 六)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases.documents.report import (
    build_report,
    default_layout,
    not_voided,
    touching,
    unindexed,
)
from cases.documents.stats_figures import (
    TOP_APPLICANTS,
    By,
    FeeRow,
    GroupRow,
    PairRow,
    TopRow,
    _WorkdayIndex,
    stats_from,
    year_bounds,
)
from cases.documents.stats_figures import median as median
from cases.documents.stats_figures import percentile as percentile
from cases.storage.model import Applicant, Case, Fee
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar


def _sum_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


class _SessionRows:
    """stats_figures.StatsRows through the ORM session: each statement of the statistics."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def calendar(self) -> WorkCalendar:
        return deadlines.load_calendar(self.session)

    def groups(self, year: int) -> list[GroupRow]:
        """Per department and applicant type, the year's counts by one GROUP BY."""
        first, last = year_bounds(year)
        closed = Case.outcome_on.between(first, last)
        has_due = and_(closed, Case.due.is_not(None))
        # Grouped by the department as no index serves it: SQLite would otherwise read the whole
        # table in the order of the departments' index to spare itself sorting the year's cases.
        department_key = unindexed(Case.department)
        stmt = (
            select(
                department_key,
                Applicant.type,
                _sum_if(Case.received.between(first, last)),
                _sum_if(closed),
                _sum_if(
                    and_(Case.received <= last, func.coalesce(Case.outcome_on, dt.date.max) > last)
                ),
                _sum_if(and_(has_due, Case.outcome_on <= Case.due)),
                _sum_if(and_(has_due, Case.outcome_on > Case.due)),
                _sum_if(and_(closed, Case.due.is_(None))),
            )
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(not_voided(), touching(self.session, year))
            .group_by(department_key, Applicant.type)
        )
        return [tuple(row) for row in self.session.execute(stmt)]

    def later(self, year: int) -> list[tuple[str | None, str]]:
        """The departments and types of cases received after the year and open at its end."""
        _, last = year_bounds(year)
        stmt = (
            select(unindexed(Case.department), Applicant.type)
            .distinct()
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(
                not_voided(),
                Case.received > last,
                or_(Case.outcome_on.is_(None), Case.outcome_on > last),
            )
        )
        return [(department, kind) for department, kind in self.session.execute(stmt)]

    def pairs(self, year: int) -> list[PairRow]:
        """The distinct (day 0, reply date) pairs of the year's replies, counted in SQL."""
        first, last = year_bounds(year)
        stmt = (
            select(Case.department, Applicant.type, Case.day0, Case.outcome_on, func.count(Case.id))
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(not_voided(), Case.outcome_on.between(first, last))
            .group_by(Case.department, Applicant.type, Case.day0, Case.outcome_on)
        )
        return [tuple(row) for row in self.session.execute(stmt)]  # type: ignore[misc]

    def applicants(self, year: int, by: By) -> dict[Any, int]:
        """Applicants are people, not applications: counted once however often they applied."""
        first, last = year_bounds(year)
        column: Any = {None: None, "department": Case.department, "type": Applicant.type}[by]
        columns: list[Any] = [column] if column is not None else []
        stmt = (
            select(*columns, func.count(func.distinct(Case.applicant_id)))
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(not_voided(), Case.received.between(first, last))
        )
        if column is not None:
            stmt = stmt.group_by(column)
        found = self.session.execute(stmt)
        return {(row[0] if column is not None else None): int(row[-1]) for row in found}

    def top_applicants(self, year: int) -> list[TopRow]:
        first, last = year_bounds(year)
        count = func.count(Case.id).label("n")
        stmt = (
            select(Applicant.id, Applicant.name, Applicant.type, count)
            .join(Case, Case.applicant_id == Applicant.id)
            .where(not_voided(), Case.received.between(first, last))
            .group_by(Applicant.id, Applicant.name, Applicant.type)
            .order_by(count.desc(), Applicant.name, Applicant.id)
            .limit(TOP_APPLICANTS)
        )
        return [tuple(row) for row in self.session.execute(stmt)]  # type: ignore[misc]

    def fee_totals(self, year: int, day: Literal["notice", "paid"]) -> FeeRow:
        first, last = year_bounds(year)
        stmt = (
            select(func.count(Fee.id), func.sum(Fee.amount))
            .join(Case, Case.id == Fee.case_id)
            .where(not_voided(), getattr(Fee, day).between(first, last))
        )
        n, amount = self.session.execute(stmt).one()
        return int(n), amount

    def fees_by_method(self, year: int) -> list[tuple[str, int, Decimal | None]]:
        first, last = year_bounds(year)
        stmt = (
            select(Fee.method, func.count(Fee.id), func.sum(Fee.amount))
            .join(Case, Case.id == Fee.case_id)
            .where(not_voided(), Fee.notice.between(first, last))
            .group_by(Fee.method)
            .order_by(Fee.method)
        )
        return [(method, int(n), amount) for method, n, amount in self.session.execute(stmt)]


def compute_stats(session: Session, year: int) -> dict[str, Any]:
    """The year's statistics as a JSON-ready dict (voided cases never count); see stats_from."""
    return stats_from(_SessionRows(session), year)


# --------------------------------------------------------------------------- chart series
# The figures the statistics page draws. Each chart is plain data (categories × series), computed
# here so that the window only draws what the core counted.

NEAR_DUE_DAYS = 3  # 临期: the amber threshold of clock.warning_level, unless the office sets one
MONTHS = tuple(f"{m}月" for m in range(1, 13))


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]  # one per category of its chart; None never occurs (0 instead)


@dataclass(frozen=True)
class Chart:
    """One chart: `kind` is bar, stacked, line or pie; a pie has exactly one series."""

    key: str
    title: str
    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    note: str = ""

    def value(self, series: str, category: str) -> float:
        found = next(s for s in self.series if s.label == series)
        return found.values[self.categories.index(category)]


def _month_counts(session: Session, year: int) -> tuple[int, ...]:
    first, last = year_bounds(year)
    month = func.extract("month", Case.received)
    stmt = (
        select(month, func.count(Case.id))
        .where(not_voided(), Case.received.between(first, last))
        .group_by(month)
    )
    counts = dict.fromkeys(range(1, 13), 0)
    for m, n in session.execute(stmt):
        counts[int(m)] = int(n)
    return tuple(counts[m] for m in range(1, 13))


def monthly_received(session: Session, year: int) -> Chart:
    """Applications received per month (first day 0, as table 三 row 一), against last year."""
    return Chart(
        "monthly",
        f"{year}年各月收到申请数（与{year - 1}年对比）",
        "bar",
        MONTHS,
        (
            Series(f"{year - 1}年", tuple(map(float, _month_counts(session, year - 1)))),
            Series(f"{year}年", tuple(map(float, _month_counts(session, year)))),
        ),
        "件",
    )


def outcome_shares(session: Session, year: int) -> Chart:
    """Cases closed in the year by the second level of table 三 (（一）予以公开 … （六）)."""
    layout = default_layout()
    first, last = year_bounds(year)
    stmt = (
        select(Case.outcome_code, func.count(Case.id))
        .where(not_voided(), Case.outcome_on.between(first, last))
        .group_by(Case.outcome_code)
    )
    groups: dict[str, int] = {}
    for line in layout.lines:  # every group in the report's order, empty ones too
        if len(line.path) == 2 and any(p[:2] == line.path for p in layout.outcome_paths.values()):
            groups[line.path[1]] = 0
    unclassified = "（未归类的办理结果）"
    for code, n in session.execute(stmt):
        path = layout.outcome_paths.get(code) if code is not None else None
        name = path[1] if path is not None and len(path) > 1 else unclassified
        groups[name] = groups.get(name, 0) + int(n)
    return Chart(
        "outcomes",
        f"{year}年办结案件的办理结果",
        "pie",
        tuple(groups),
        (Series("办结", tuple(float(v) for v in groups.values())),),
        "件",
        "按办结日期计入年度（与表三第三项一致）",
    )


UNITS_SHOWN = 15  # beyond this many bars the names no longer fit beside them on one screen


def by_unit(session: Session, year: int, shown: int = UNITS_SHOWN) -> Chart:
    """Received and closed per handling department or town (the rows of compute_stats), the
    busiest first; those after the first `shown` are added up in one last bar."""
    rows = compute_stats(session, year)["by_department"]
    names = [r["department"] for r in rows[:shown]]
    received = [float(r["received"]) for r in rows[:shown]]
    closed = [float(r["closed"]) for r in rows[:shown]]
    rest = rows[shown:]
    if rest:
        names.append(f"其余{len(rest)}个部门、乡镇")
        received.append(float(sum(r["received"] for r in rest)))
        closed.append(float(sum(r["closed"] for r in rest)))
    return Chart(
        "units",
        f"{year}年各承办部门、乡镇收到和办结的申请",
        "bar",
        tuple(names),
        (Series("收到", tuple(received)), Series("办结", tuple(closed))),
        "件",
        "按收到件数排列" + (f"；前{shown}个以外的合为一栏" if rest else ""),
    )


def month_ends(year: int, today: dt.date) -> tuple[dt.date, ...]:
    """The last day of each month of the year up to today; today itself for the running month."""
    ends: list[dt.date] = []
    for m in range(1, 13):
        end = dt.date(year + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        if end >= today:
            if dt.date(year, m, 1) <= today:
                ends.append(today)
            break
        ends.append(end)
    return tuple(ends)


def overdue_over_time(
    session: Session, year: int, today: dt.date, near_days: int = NEAR_DUE_DAYS
) -> Chart:
    """Open cases that were overdue or near due at each month's end.

    Decision: a case counts as open on a day when it was received by then and had no final outcome
    before the end of it, and its due date is the one stored now (for a closed case, the one in
    force when it closed), so an extension granted later moves the earlier months too; 临期 is
    `near_days` or fewer working days left, due that day included.
    """
    cal = deadlines.load_calendar(session)
    days = month_ends(year, today)
    columns: list[Any] = []
    for d in days:
        open_then = and_(Case.received <= d, or_(Case.outcome_on.is_(None), Case.outcome_on > d))
        columns.append(_sum_if(and_(open_then, Case.due < d)))
        columns.append(
            _sum_if(and_(open_then, Case.due >= d, Case.due <= cal.add_workdays(d, near_days)))
        )
    overdue: tuple[float, ...] = ()
    near: tuple[float, ...] = ()
    if days:
        first = year_bounds(year)[0]
        stmt = select(*columns).where(
            not_voided(),
            Case.due.is_not(None),
            Case.received <= days[-1],
            or_(Case.outcome_on.is_(None), Case.outcome_on > first),
        )
        numbers = [int(n or 0) for n in session.execute(stmt).one()]
        overdue = tuple(float(n) for n in numbers[0::2])
        near = tuple(float(n) for n in numbers[1::2])
    return Chart(
        "overdue",
        f"{year}年各月末逾期和临期的未办结案件",
        "line",
        tuple(f"{d.month}月{d.day}日" for d in days),
        (Series("逾期", overdue), Series(f"临期（剩余{near_days}个工作日以内）", near)),
        "件",
        "按各月最后一天统计；期限为案件现存的答复期限",
    )


def reply_days_by_month(session: Session, year: int) -> Chart:
    """Average working days from the effective day 0 to the reply, by the month of the reply
    (the same count as compute_stats' median), for the year and the year before."""
    cal = deadlines.load_calendar(session)
    index = _WorkdayIndex(cal, dt.date(year - 3, 1, 1), dt.date(year, 12, 31))
    series = []
    for y in (year - 1, year):
        first, last = year_bounds(y)
        stmt = (
            select(Case.day0, Case.outcome_on, func.count(Case.id))
            .where(not_voided(), Case.outcome_on.between(first, last))
            .group_by(Case.day0, Case.outcome_on)
        )
        total = [0] * 12
        count = [0] * 12
        for day0, on, n in session.execute(stmt):
            if on is None:  # excluded by the query; keeps the type checker informed
                continue
            total[on.month - 1] += index.between(day0, on) * int(n)
            count[on.month - 1] += int(n)
        series.append(
            Series(
                f"{y}年",
                tuple(round(t / c, 1) if c else 0.0 for t, c in zip(total, count, strict=True)),
            )
        )
    return Chart(
        "reply_days",
        f"{year}年各月答复平均用时（与{year - 1}年对比）",
        "line",
        MONTHS,
        tuple(series),
        "个工作日",
        "自有效的收到申请之日至答复之日；该月无答复记为0",
    )


def reviews_and_suits(session: Session, year: int) -> Chart:
    """Table 四 as a stacked chart: each kind of review or suit by its result."""
    report = build_report(session, year, checks=False)
    layout = report.layout
    kinds: dict[str, str] = {}
    results: dict[str, str] = {}
    for column in layout.review_columns:
        kinds.setdefault(column.kind, "/".join(column.path[:-1]))
        if column.result != "total":
            results.setdefault(column.result, column.path[-1])
    values = dict(
        ((c.kind, c.result), v) for c, v in zip(layout.review_columns, report.table4, strict=True)
    )
    return Chart(
        "reviews",
        f"{year}年行政复议、行政诉讼及其结果",
        "stacked",
        tuple(kinds.values()),
        tuple(
            Series(label, tuple(float(values.get((k, r), 0)) for k in kinds))
            for r, label in results.items()
        ),
        "件",
        "与年报表四一致",
    )


def chart_data(session: Session, year: int, today: dt.date) -> tuple[Chart, ...]:
    """Every chart of the statistics page, in the page's order."""
    return (
        monthly_received(session, year),
        outcome_shares(session, year),
        by_unit(session, year),
        overdue_over_time(session, year, today),
        reply_days_by_month(session, year),
        reviews_and_suits(session, year),
    )
