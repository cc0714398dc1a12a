"""The year's statistics from plain rows: the figures, their medians and shares; no SQLAlchemy.

stats.compute_stats reads the rows through the ORM session (the window's statistics page and
`report --stats` on a server); stats_file.py reads the same rows through sqlite3 from an
up-to-date SQLite file, for `report --stats` as a process. Both hand them to stats_from, so
that the figures are computed once; tests/test_report_plain.py compares both ways.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

from cases.documents.report.layout import default_layout
from cases.rules import vocab
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


Key = tuple[str | None, str]  # department, applicant type


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


# One row of each statement: (department, applicant type, received, closed, open at the end,
# within the deadline, late, without a due date); (department, type) of a later case; (department,
# type, day 0, reply date, cases); (applicant id, name, type, applications); (count, amount).
GroupRow = tuple[str | None, str, int, int, int, int, int, int]
PairRow = tuple[str | None, str, dt.date, dt.date | None, int]
TopRow = tuple[int, str, str, int]
FeeRow = tuple[int, Decimal | None]
By = Literal["department", "type"] | None


class StatsRows(Protocol):
    """What the statistics read of the database, as plain rows (stats.py says each statement)."""

    def calendar(self) -> WorkCalendar: ...

    def groups(self, year: int) -> Sequence[GroupRow]: ...

    def later(self, year: int) -> Sequence[tuple[str | None, str]]: ...

    def pairs(self, year: int) -> Sequence[PairRow]: ...

    def applicants(self, year: int, by: By) -> dict[Any, int]: ...

    def top_applicants(self, year: int) -> Sequence[TopRow]: ...

    def fee_totals(self, year: int, day: Literal["notice", "paid"]) -> FeeRow: ...

    def fees_by_method(self, year: int) -> Sequence[tuple[str, int, Decimal | None]]: ...


def _collect(rows: StatsRows, year: int, cal: WorkCalendar) -> dict[Key, _Group]:
    """Per department and applicant type: the counts, then the reply times from the distinct
    (day 0, reply date) pairs of the year."""
    _, last = year_bounds(year)
    groups: dict[Key, _Group] = defaultdict(_Group)
    for department, kind, *numbers in rows.groups(year):
        g = groups[(department, kind)]
        g.received, g.closed, g.open_at_end, g.within, g.late, g.no_due = map(int, numbers)
    # A department or type known only from cases received after the year is listed with zeros,
    # as it was when this query read every case not closed by the year's end.
    for department, kind in rows.later(year):
        groups.setdefault((department, kind), _Group())
    index = _WorkdayIndex(cal, dt.date(year - 2, 1, 1), last)
    for department, kind, day0, outcome_on, n in rows.pairs(year):
        if outcome_on is None:  # excluded by the query; keeps the type checker informed
            continue
        groups[(department, kind)].days[index.between(day0, outcome_on)] += int(n)
    return groups


def _top_applicants(rows: StatsRows, year: int) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "type": kind,
            "type_label": _type_labels().get(kind, kind),
            "applications": n,
        }
        for _id, name, kind, n in rows.top_applicants(year)
    ]


def _fees(rows: StatsRows, year: int) -> dict[str, Any]:
    """Section 六: fees notified (收费通知 dated in the year) and collected (paid in the year)."""

    def totals(day: Literal["notice", "paid"]) -> dict[str, Any]:
        n, amount = rows.fee_totals(year, day)
        return {"count": int(n), "amount_yuan": _money(amount)}

    return {
        "notified": totals("notice"),
        "collected": totals("paid"),
        "notified_by_method": [
            {
                "method": method,
                "method_label": vocab.FEE_METHODS.get(method, method),
                "count": int(n),
                "amount_yuan": _money(amount),
            }
            for method, n, amount in rows.fees_by_method(year)
        ],
    }


def stats_from(rows: StatsRows, year: int) -> dict[str, Any]:
    """The year's statistics as a JSON-ready dict (voided cases never count).

    Decision: working days to reply run from the effective day 0 (after a 补正 restart, as the
    statutory clock does) to the date of the final outcome, counting every working day, excluded
    periods included, since this is the time the applicant actually waited after a complete
    application. "Within the deadline" compares the outcome date with the due date in force when
    the case closed; a case closed without a due date (while suspended) is counted apart.
    """
    cal = rows.calendar()
    cells = _collect(rows, year, cal)
    total = _Group()
    by_department: dict[str | None, _Group] = defaultdict(_Group)
    by_type: dict[str, _Group] = defaultdict(_Group)
    for (department, kind), g in cells.items():
        total.add(g)
        by_department[department].add(g)
        by_type[kind].add(g)
    total.applicants = rows.applicants(year, None).get(None, 0)
    return {
        "year": year,
        "totals": _group_json(total),
        "by_department": _rows(
            by_department, rows.applicants(year, "department"), "department", None
        ),
        "by_applicant_type": _rows(by_type, rows.applicants(year, "type"), "type", _type_labels()),
        "top_applicants": _top_applicants(rows, year),
        "fees": _fees(rows, year),
        "notes": {
            "working_days": "自有效的收到申请之日（补正后重新起算的）至最终答复之日的工作日数",
            "percentile": "最近秩法：90%的答复在该工作日数以内作出",
            "within_deadline": "答复日不晚于结案时有效的答复期限；中止计时中结案、无期限的另计",
        },
    }
