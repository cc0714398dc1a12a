"""Office statistics for a year: the figures behind the annual report's text parts (一 and 六)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases import deadlines, vocab
from cases.calendar import WorkCalendar
from cases.model import Applicant, Case, Fee
from cases.report import default_layout, not_voided, year_scope

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
    stmt = (
        select(
            Case.department,
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
        .where(not_voided(), year_scope(year))
        .group_by(Case.department, Applicant.type)
    )
    groups: dict[Key, _Group] = defaultdict(_Group)
    for department, kind, *numbers in session.execute(stmt):
        g = groups[(department, kind)]
        g.received, g.closed, g.open_at_end, g.within, g.late, g.no_due = map(int, numbers)
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
