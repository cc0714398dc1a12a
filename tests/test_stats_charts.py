"""The statistics page's chart series, on a small year worked out by hand (2025 calendar)."""

from __future__ import annotations

import pytest

from cases.documents.stats import (
    MONTHS,
    by_unit,
    chart_data,
    month_ends,
    monthly_received,
    outcome_shares,
    overdue_over_time,
    reply_days_by_month,
    reviews_and_suits,
)
from cases.storage.store import Store
from cases.timing import deadlines
from tests.report_support import D, add_case

TODAY = D(2025, 11, 28)  # a Friday


@pytest.fixture
def year(store: Store) -> Store:
    with store.transaction() as session:
        add_case(
            session,
            "A",
            D(2025, 3, 3),
            outcome="disclose",
            on=D(2025, 3, 10),
            reviews=[("reconsideration", D(2025, 4, 1), "upheld", D(2025, 5, 1))],
        )  # 5 working days
        add_case(
            session,
            "B",
            D(2025, 3, 3),
            outcome="disclose",
            on=D(2025, 4, 7),
            reviews=[("litigation_direct", D(2025, 5, 1), None, None)],
        )  # 24 working days, due 3-31: near due at the end of March
        add_case(
            session, "C", D(2025, 6, 3), department="长兴镇", outcome="partial", on=D(2025, 6, 5)
        )  # 2 working days
        add_case(session, "D", D(2024, 5, 6))  # open, due 2024-06-03: overdue all 2025
        add_case(
            session, "E", D(2025, 1, 20), outcome="withhold_secret", on=D(2025, 7, 1)
        )  # due 2-17: overdue at the ends of February to June
        add_case(session, "F", D(2025, 3, 4), voided=True, outcome="disclose", on=D(2025, 3, 5))
        add_case(session, "G", D(2025, 11, 3))  # due 12-01: near due on 11-28
        add_case(session, "H", D(2024, 3, 15), outcome="disclose", on=D(2024, 3, 20))
    return store


def test_applications_per_month_against_last_year(year: Store) -> None:
    with year.session() as s:
        chart = monthly_received(s, 2025)
    assert chart.categories == MONTHS
    assert [x.label for x in chart.series] == ["2024年", "2025年"]
    assert chart.series[1].values == (1, 0, 2, 0, 0, 1, 0, 0, 0, 0, 1, 0)  # F is voided
    assert chart.series[0].values == (0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0)


def test_outcomes_as_shares_follow_table_three(year: Store) -> None:
    with year.session() as s:
        chart = outcome_shares(s, 2025)
    assert chart.kind == "pie"
    assert chart.categories[0] == "（一）予以公开"
    assert chart.categories[-1] == "（六）其他处理"
    assert len(chart.categories) == 6
    shares = dict(zip(chart.categories, chart.series[0].values, strict=True))
    assert shares["（一）予以公开"] == 2
    assert shares["（三）不予公开"] == 1
    assert sum(shares.values()) == 4


def test_per_unit(year: Store) -> None:
    with year.session() as s:
        chart = by_unit(s, 2025)
    assert chart.categories == ("区规划资源局", "长兴镇")
    assert chart.value("收到", "区规划资源局") == 4  # A B E G
    assert chart.value("办结", "区规划资源局") == 3
    assert chart.value("收到", "长兴镇") == chart.value("办结", "长兴镇") == 1
    with year.session() as s:
        folded = by_unit(s, 2025, shown=1)
    assert folded.categories == ("区规划资源局", "其余1个部门、乡镇")
    assert folded.value("收到", "其余1个部门、乡镇") == 1


def test_month_ends_stop_at_today() -> None:
    ends = month_ends(2025, TODAY)
    assert ends[0] == D(2025, 1, 31) and ends[1] == D(2025, 2, 28)
    assert ends[-1] == TODAY and len(ends) == 11
    assert len(month_ends(2024, TODAY)) == 12
    assert month_ends(2026, TODAY) == ()


def test_overdue_and_near_due_at_each_month_end(year: Store) -> None:
    with year.session() as s:
        chart = overdue_over_time(s, 2025, TODAY)
    assert chart.categories[0] == "1月31日" and chart.categories[-1] == "11月28日"
    overdue, near = chart.series
    assert overdue.values == (1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1)
    assert near.values == (0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1)


def test_average_working_days_to_reply(year: Store) -> None:
    with year.session() as s:
        chart = reply_days_by_month(s, 2025)
        cal = deadlines.load_calendar(s)
    last, this = chart.series
    assert this.values[2] == 5  # March: A
    assert this.values[3] == 24  # April: B
    assert this.values[5] == 2  # June: C
    assert this.values[6] == cal.workdays_between(D(2025, 1, 20), D(2025, 7, 1))
    assert this.values[0] == 0
    assert last.values[2] == 3  # H: 2024-03-15 → 03-20


def test_reviews_and_suits_with_their_results(year: Store) -> None:
    with year.session() as s:
        chart = reviews_and_suits(s, 2025)
    assert chart.categories == ("行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉")
    assert [x.label for x in chart.series] == ["结果维持", "结果纠正", "其他结果", "尚未审结"]
    assert chart.value("结果维持", "行政复议") == 1
    assert chart.value("尚未审结", "行政诉讼/未经复议直接起诉") == 1
    assert sum(sum(x.values) for x in chart.series) == 2


def test_every_chart_has_one_value_per_category(year: Store) -> None:
    with year.session() as s:
        charts = chart_data(s, 2025, TODAY)
    assert len({c.key for c in charts}) == len(charts) == 6
    for chart in charts:
        assert chart.series and all(len(x.values) == len(chart.categories) for x in chart.series)
