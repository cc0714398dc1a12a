"""Office statistics for a year: the figures behind the annual report's text parts (一 and 六)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
from cases.rules import vocab
from cases.storage.model import Applicant, Case, Fee
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar

TOP_APPLICANTS = 10
NO_DEPARTMENT = "（未填写承办部门）"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@dataclass
class _Group:
    """The figures of one department, one applicant type, or the whole office."""

    received: int = 0
    applicants: int = 0
    closed: int = 0
    open_at_end: int = 0
    within: int = 0
    late: int = 0
    no_due: int = 0
    days: Counter[int] = field(default_factory=Counter)  # working days to reply → replies

    def add(self, other: _Group) -> None:
        for name in ("received", "closed", "open_at_end", "within", "late", "no_due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days.update(other.days)


class _WorkdayIndex:
    """Working days between two dates by a precomputed running count, so that thousands of
    replies cost a subtraction each instead of a walk through the calendar."""

    def __init__(self, cal: WorkCalendar, first: dt.date, last: dt.date) -> None:
        self.first = first.toordinal()
        self.cal = cal
        self.running: list[int] = []
        count = 0
        for o in range(self.first, last.toordinal() + 1):
            if cal.is_workday(dt.date.fromordinal(o)):
                count += 1
            self.running.append(count)

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d ≤ b, as WorkCalendar.workdays_between."""
        ia, ib = a.toordinal() - self.first, b.toordinal() - self.first
        if 0 <= ia < len(self.running) and 0 <= ib < len(self.running):
            return self.running[ib] - self.running[ia]
        return self.cal.workdays_between(a, b)


def _rank(days: Counter[int], k: int) -> int:
    """The k-th smallest value (1-based) of a multiset given as value → count."""
    seen = 0
    for value in sorted(days):
        seen += days[value]
        if seen >= k:
            return value
    raise IndexError(k)


def percentile(days: Counter[int], share: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below it,
    always a value that occurred, so "90% of replies took at most N working days" reads true."""
    n = days.total()
    return _rank(days, max(1, math.ceil(share * n))) if n else None


def median(days: Counter[int]) -> float | None:
    n = days.total()
    if not n:
        return None
    return (_rank(days, (n + 1) // 2) + _rank(days, n // 2 + 1)) / 2


def _type_labels() -> dict[str, str]:
    """Applicant types with the labels of the report's columns, in their order."""
    return {c.id: c.label for c in default_layout().type_columns}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _money(amount: Decimal | int | None) -> float:
    return float(Decimal(amount or 0).quantize(Decimal("0.01")))


def _group_json(g: _Group) -> dict[str, Any]:
    return {
        "received": g.received,
        "applicants": g.applicants,
        "closed": g.closed,
        "open_at_end": g.open_at_end,
        "within_deadline": g.within,
        "late": g.late,
        "without_due_date": g.no_due,
        "share_within_deadline": _share(g.within, g.within + g.late),
        "median_working_days": median(g.days),
        "p90_working_days": percentile(g.days, 0.9),
    }


def _sum_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


Key = tuple[str | None, str]  # department, applicant type


def _collect(session: Session, year: int, cal: WorkCalendar) -> dict[Key, _Group]:
    """Per department and applicant type: counts by one GROUP BY, then the reply times from the
    distinct (day 0, reply date) pairs of the year, counted in SQL too."""
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
        .where(not_voided(), touching(session, year))
        .group_by(department_key, Applicant.type)
    )
    groups: dict[Key, _Group] = defaultdict(_Group)
    for department, kind, *numbers in session.execute(stmt):
        g = groups[(department, kind)]
        g.received, g.closed, g.open_at_end, g.within, g.late, g.no_due = map(int, numbers)
    # A department or type known only from cases received after the year is listed with zeros,
    # as it was when this query read every case not closed by the year's end.
    later = (
        select(department_key, Applicant.type)
        .distinct()
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(
            not_voided(),
            Case.received > last,
            or_(Case.outcome_on.is_(None), Case.outcome_on > last),
        )
    )
    for department, kind in session.execute(later):
        groups.setdefault((department, kind), _Group())
    pairs = (
        select(Case.department, Applicant.type, Case.day0, Case.outcome_on, func.count(Case.id))
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), closed)
        .group_by(Case.department, Applicant.type, Case.day0, Case.outcome_on)
    )
    index = _WorkdayIndex(cal, dt.date(year - 2, 1, 1), last)
    for department, kind, day0, outcome_on, n in session.execute(pairs):
        if outcome_on is None:  # excluded by the query; keeps the type checker informed
            continue
        groups[(department, kind)].days[index.between(day0, outcome_on)] += int(n)
    return groups


def _distinct_applicants(session: Session, year: int, by: Any | None) -> dict[Any, int]:
    """Applicants are people, not applications: counted once however often they applied."""
    first, last = year_bounds(year)
    columns = [by] if by is not None else []
    stmt = (
        select(*columns, func.count(func.distinct(Case.applicant_id)))
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), Case.received.between(first, last))
    )
    if by is not None:
        stmt = stmt.group_by(by)
    return {(row[0] if by is not None else None): int(row[-1]) for row in session.execute(stmt)}


def _top_applicants(session: Session, year: int) -> list[dict[str, Any]]:
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
    return [
        {
            "name": name,
            "type": kind,
            "type_label": _type_labels().get(kind, kind),
            "applications": n,
        }
        for _id, name, kind, n in session.execute(stmt)
    ]


def _fees(session: Session, year: int) -> dict[str, Any]:
    """Section 六: fees notified (收费通知 dated in the year) and collected (paid in the year)."""
    first, last = year_bounds(year)

    def totals(day: Any) -> dict[str, Any]:
        stmt = (
            select(func.count(Fee.id), func.sum(Fee.amount))
            .join(Case, Case.id == Fee.case_id)
            .where(not_voided(), day.between(first, last))
        )
        n, amount = session.execute(stmt).one()
        return {"count": int(n), "amount_yuan": _money(amount)}

    by_method = (
        select(Fee.method, func.count(Fee.id), func.sum(Fee.amount))
        .join(Case, Case.id == Fee.case_id)
        .where(not_voided(), Fee.notice.between(first, last))
        .group_by(Fee.method)
        .order_by(Fee.method)
    )
    return {
        "notified": totals(Fee.notice),
        "collected": totals(Fee.paid),
        "notified_by_method": [
            {
                "method": method,
                "method_label": vocab.FEE_METHODS.get(method, method),
                "count": int(n),
                "amount_yuan": _money(amount),
            }
            for method, n, amount in session.execute(by_method)
        ],
    }


def _rows(
    groups: dict[Any, _Group], applicants: dict[Any, int], key: str, labels: dict[str, str] | None
) -> list[dict[str, Any]]:
    for name, g in groups.items():
        g.applicants = applicants.get(name, 0)
    if labels is None:
        order = sorted(groups, key=lambda n: (-groups[n].received, -groups[n].closed, n or ""))
        return [{key: name or NO_DEPARTMENT, **_group_json(groups[name])} for name in order]
    # Every type of the report's columns is listed, in their order; a type outside them is still
    # shown after them, so that no case disappears from the totals.
    names = [*labels, *sorted(set(groups) - set(labels))]
    return [
        {key: name, "label": labels.get(name, name), **_group_json(groups.get(name, _Group()))}
        for name in names
    ]


def compute_stats(session: Session, year: int) -> dict[str, Any]:
    """The year's statistics as a JSON-ready dict (voided cases never count).

    Decision: working days to reply run from the effective day 0 (after a 补正 restart, as the
    statutory clock does) to the date of the final outcome, counting every working day, excluded
    periods included, since this is the time the applicant actually waited after a complete
    application. "Within the deadline" compares the outcome date with the due date in force when
    the case closed; a case closed without a due date (while suspended) is counted apart.
    """
    cal = deadlines.load_calendar(session)
    cells = _collect(session, year, cal)
    total = _Group()
    by_department: dict[str | None, _Group] = defaultdict(_Group)
    by_type: dict[str, _Group] = defaultdict(_Group)
    for (department, kind), g in cells.items():
        total.add(g)
        by_department[department].add(g)
        by_type[kind].add(g)
    total.applicants = _distinct_applicants(session, year, None).get(None, 0)
    return {
        "year": year,
        "totals": _group_json(total),
        "by_department": _rows(
            by_department, _distinct_applicants(session, year, Case.department), "department", None
        ),
        "by_applicant_type": _rows(
            by_type,
            _distinct_applicants(session, year, Applicant.type),
            "type",
            _type_labels(),
        ),
        "top_applicants": _top_applicants(session, year),
        "fees": _fees(session, year),
        "notes": {
            "working_days": "自有效的收到申请之日（补正后重新起算的）至最终答复之日的工作日数",
            "percentile": "最近秩法：90%的答复在该工作日数以内作出",
            "within_deadline": "答复日不晚于结案时有效的答复期限；中止计时中结案、无期限的另计",
        },
    }


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
