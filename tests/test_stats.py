"""Office statistics for a year, on a small year worked out by hand (2025 calendar)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

import pytest

from cases.documents.stats import compute_stats, median, percentile
from cases.storage.model import Applicant, Fee, HolidayEntry
from cases.storage.store import Store
from tests.report_support import D, add_case


@pytest.fixture
def year(store: Store) -> Store:
    with store.transaction() as session:
        jia = Applicant(type="natural_person", name="甲")
        yi = Applicant(type="enterprise", name="乙")
        bing = Applicant(type="natural_person", name="丙")
        s1 = add_case(
            session, "S1", D(2025, 3, 3), applicant=jia, outcome="disclose", on=D(2025, 3, 10)
        )  # 5 working days, due 3-31: in time
        add_case(
            session, "S2", D(2025, 3, 3), applicant=jia, outcome="disclose", on=D(2025, 4, 7)
        )  # 24 working days (4-4 清明 off): late
        s3 = add_case(
            session,
            "S3",
            D(2025, 6, 3),
            applicant=yi,
            department="长兴镇",
            outcome="partial",
            on=D(2025, 6, 5),
        )  # 2 working days
        add_case(session, "S4", D(2025, 12, 20), applicant=bing, department="长兴镇")
        s5 = add_case(
            session,
            "S5",
            D(2025, 3, 4),
            applicant=jia,
            voided=True,
            outcome="disclose",
            on=D(2025, 3, 5),
        )
        s6 = add_case(
            session,
            "S6",
            D(2024, 12, 30),
            applicant=yi,
            department=None,
            outcome="disclose",
            on=D(2025, 1, 6),
        )  # 4 working days (1-1 off)
        s1.fees = [
            Fee(notice=D(2025, 3, 5), method="per_page", amount=Decimal("1700"), paid=D(2025, 3, 8))
        ]
        s3.fees = [Fee(notice=D(2025, 12, 20), method="per_item", amount=Decimal("3000"))]
        s5.fees = [Fee(notice=D(2025, 3, 5), method="per_item", amount=Decimal("100"))]
        s6.fees = [Fee(notice=D(2024, 12, 31), method="per_page", amount=Decimal("500"),
                       paid=D(2025, 1, 3))]  # fmt: skip
    return store


def test_totals_deadline_share_and_working_days(year: Store) -> None:
    with year.session() as session:
        stats = compute_stats(session, 2025)
    totals = stats["totals"]
    assert totals["received"] == 4  # S1 S2 S3 S4; S5 voided, S6 received in 2024
    assert totals["applicants"] == 3  # 甲 twice
    assert totals["closed"] == 4  # S1 S2 S3 S6
    assert totals["open_at_end"] == 1  # S4
    assert (totals["within_deadline"], totals["late"]) == (3, 1)
    assert totals["share_within_deadline"] == 0.75
    assert totals["median_working_days"] == 4.5  # of 2, 4, 5, 24
    assert totals["p90_working_days"] == 24
    json.dumps(stats, ensure_ascii=False)  # JSON-ready as it is


def test_per_department_and_per_applicant_type(year: Store) -> None:
    with year.session() as session:
        stats = compute_stats(session, 2025)
    departments = {d["department"]: d for d in stats["by_department"]}
    assert list(departments) == ["区规划资源局", "长兴镇", "（未填写承办部门）"]
    planning = departments["区规划资源局"]
    assert (planning["received"], planning["applicants"], planning["closed"]) == (2, 1, 2)
    assert planning["median_working_days"] == 14.5
    assert planning["share_within_deadline"] == 0.5
    assert departments["长兴镇"]["open_at_end"] == 1
    types = {t["type"]: t for t in stats["by_applicant_type"]}
    assert [t["label"] for t in stats["by_applicant_type"]][:2] == ["自然人", "商业企业"]
    assert (types["natural_person"]["received"], types["natural_person"]["applicants"]) == (3, 2)
    assert (types["enterprise"]["received"], types["enterprise"]["closed"]) == (1, 2)
    assert types["research"]["received"] == 0 and types["research"]["median_working_days"] is None


def test_most_frequent_applicants_and_fees(year: Store) -> None:
    with year.session() as session:
        stats = compute_stats(session, 2025)
    top = [(a["name"], a["applications"]) for a in stats["top_applicants"]]
    assert top == [("甲", 2), ("丙", 1), ("乙", 1)]
    fees = stats["fees"]
    assert fees["notified"] == {"count": 2, "amount_yuan": 4700.0}  # S1, S3; S5 voided
    assert fees["collected"] == {"count": 2, "amount_yuan": 2200.0}  # S1, S6 (noticed in 2024)
    methods = {m["method"]: m["count"] for m in fees["notified_by_method"]}
    assert methods == {"per_item": 1, "per_page": 1}


def test_empty_year(store: Store) -> None:
    with store.session() as session:
        stats = compute_stats(session, 2019)
    assert stats["totals"]["received"] == 0
    assert stats["totals"]["share_within_deadline"] is None
    assert stats["top_applicants"] == []


def test_median_and_nearest_rank_percentile() -> None:
    assert percentile(Counter(), 0.9) is None and median(Counter()) is None
    assert percentile(Counter([7]), 0.9) == 7
    assert percentile(Counter(range(1, 11)), 0.9) == 9
    assert percentile(Counter(range(1, 12)), 0.9) == 10
    assert median(Counter([1, 2, 2, 9])) == 2.0
    assert median(Counter([1, 3, 8, 9])) == 5.5
    assert median(Counter({4: 3, 20: 2})) == 4.0


def test_days_are_counted_on_the_office_calendar(store: Store) -> None:
    """An office's own day off (an entry in its calendar) is not a working day to reply."""
    with store.transaction() as session:
        add_case(session, "H1", D(2025, 3, 3), outcome="disclose", on=D(2025, 3, 10))
        session.add(HolidayEntry(day=dt.date(2025, 3, 5), workday=False, note="台风停工"))
    with store.session() as session:
        assert compute_stats(session, 2025)["totals"]["median_working_days"] == 4.0
