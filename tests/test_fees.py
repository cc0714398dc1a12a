"""Fees under 国办函〔2020〕109号: the examples of domain.md §5, tier edges, month counting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases import actions
from cases.rules import fees
from cases.storage.store import Store
from tests.actions_support import D, Desk, applicant


def test_per_page_example_of_the_domain_file() -> None:
    quote = fees.per_page_fee(150)
    assert quote.amount == Decimal(1700)  # 70×10 + 50×20
    assert quote.method == "per_page" and quote.units == 150
    assert "70页×10元/页＝700元" in quote.text
    assert "50页×20元/页＝1000元" in quote.text
    assert quote.text.endswith("合计1700元。")


@pytest.mark.parametrize(
    ("pages", "amount"),
    [(0, 0), (1, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)],
)
def test_per_page_tiers_are_progressive(pages: int, amount: int) -> None:
    assert fees.per_page_fee(pages).amount == Decimal(amount)


def test_per_item_month_total_example_of_the_domain_file() -> None:
    total = fees.per_item_total(35)
    assert total.amount == Decimal(3000)  # 20×100 + 5×200
    assert "20件×100元/件＝2000元" in total.text
    assert "5件×200元/件＝1000元" in total.text


def test_the_notices_of_a_month_add_up_to_the_progressive_total() -> None:
    for count in (10, 11, 30, 35, 57):
        notices = sum(fees.per_item_fee(n).amount for n in range(1, count + 1))
        assert notices == fees.per_item_total(count).amount


@pytest.mark.parametrize(
    ("position", "rate", "band"),
    [
        (1, 0, (1, 10)),
        (10, 0, (1, 10)),
        (11, 100, (11, 30)),
        (30, 100, (11, 30)),
        (31, 200, (31, 40)),
        (40, 200, (31, 40)),
        (41, 300, (41, 50)),
        (51, 400, (51, 60)),
    ],
)
def test_per_item_rate_of_each_band(position: int, rate: int, band: tuple[int, int]) -> None:
    assert fees.per_item_rate(position) == Decimal(rate)
    assert fees.per_item_band(position) == band
    quote = fees.per_item_fee(position)
    assert quote.amount == Decimal(rate)
    assert f"第{position}件申请" in quote.text


def test_quote_reproduces_a_stored_fee() -> None:
    assert fees.quote("per_page", 150) == fees.per_page_fee(150)
    assert fees.quote("per_item", 12) == fees.per_item_fee(12)
    with pytest.raises(ValueError):
        fees.quote("both", 1)


def test_month_bounds() -> None:
    assert fees.month_bounds(D(2024, 2, 15)) == (D(2024, 2, 1), D(2024, 2, 29))
    assert fees.month_bounds(D(2025, 12, 31)) == (D(2025, 12, 1), D(2025, 12, 31))


def _positions(desk: Desk, numbers: list[str]) -> list[int]:
    with desk.store.session() as s:
        return [fees.position_in_month(s, actions.load_case(s, no)) for no in numbers]


def test_position_counts_the_applicants_applications_in_the_calendar_month(store: Store) -> None:
    desk = Desk.open(store)
    january = [desk.register(D(2025, 1, d)) for d in (2, 15, 31, 31)]
    february = [desk.register(D(2025, 2, 1)), desk.register(D(2025, 2, 28))]
    march = desk.register(D(2025, 3, 1))
    assert _positions(desk, january) == [1, 2, 3, 4]
    assert _positions(desk, february) == [1, 2]
    assert _positions(desk, [march]) == [1]


def test_position_ignores_other_applicants_voided_cases_and_split_parts(store: Store) -> None:
    desk = Desk.open(store)
    first = desk.register(D(2025, 5, 5))
    desk.register(D(2025, 5, 6), who=applicant("李四", "310230199001011235"))
    desk.register(D(2025, 5, 6), who=applicant("张三", None))  # a namesake without ID
    mistaken = desk.register(D(2025, 5, 7))
    desk.do(actions.void, desk.admin, mistaken, reason="重复登记")
    many = desk.register(D(2025, 5, 8))
    parts = desk.do(actions.split, desk.handler, many, ["甲地块", "乙地块", "丙地块"])
    last = desk.register(D(2025, 5, 9))
    assert _positions(desk, [first, many, last]) == [1, 2, 3]
    assert _positions(desk, [p.no for p in parts]) == [2, 2]


def test_fee_notice_per_item_charges_the_band_of_the_application(store: Store) -> None:
    desk = Desk.open(store)
    numbers = [desk.register(D(2025, 6, 2)) for _ in range(11)]
    desk.to_handle(numbers[9])
    refusal = desk.refuse(
        actions.fee_notice, desk.handler, numbers[9], method="per_item", on=D(2025, 6, 5)
    )
    assert refusal.field == "fee.amount" and "不需缴费" in refusal.message

    desk.to_handle(numbers[10])
    fee, quote = desk.do(
        actions.fee_notice, desk.handler, numbers[10], method="per_item", on=D(2025, 6, 5)
    )
    assert (fee.amount, fee.units, fee.method) == (Decimal(100), 11, "per_item")
    assert "第11件申请" in quote.text
    assert desk.case(numbers[10]).status == "suspended"
