"""Information-processing fees (信息处理费) under 国办函〔2020〕109号: tiers, amounts, breakdowns.

The figures are data (handbook/fees.yaml); as installed they are those of 109号. Two methods,
never both for one application (109号 第六条):
- 按件 (per_item): the rate of an application depends on its position among the applicant's
  applications in the same calendar month: 1–10 free, 11–30 100 元, then each further band of
  10 applications costs 100 元 more (31–40: 200, 41–50: 300, ...).
- 按量 (per_page): pages of one application, progressive: 1–30 free, 31–100 10 元/页,
  101–200 20 元/页, over 200 40 元/页.

Decision: a fee notice (收费通知) concerns one application, so 按件 charges that application the
rate of its band; the month's progressive total (35 applications → 3,000 元) is the sum of the
notices and is shown alongside for context.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from cases.rules import vocab
from cases.rules.handbook import FeeSchedule, load_handbook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cases.storage.model import Case

METHODS = vocab.FEE_METHODS


def schedule() -> FeeSchedule:
    """The fee rules in force: handbook/fees.yaml."""
    return load_handbook().fee_schedule()


@dataclass(frozen=True)
class FeeQuote:
    """What a fee notice states: method, units counted, amount and the sentences explaining it."""

    method: str  # per_item | per_page
    units: int  # the application's position in the month, or the number of pages
    amount: Decimal
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.lines)


def amount_text(amount: Decimal) -> str:
    """3740 or 12.50: how every letter writes an amount of yuan (without the 元).

    No thousands separator: 公文 write 1200元, not 1,200元.
    """
    return f"{amount:.0f}" if amount == amount.to_integral() else f"{amount:.2f}"


def _yuan(amount: Decimal) -> str:
    return f"{amount_text(amount)}元"


def _range(first: int, last: int, unit: str) -> str:
    return f"第{first}{unit}" if first == last else f"第{first}—{last}{unit}"


# --- 按件 (per application) ---------------------------------------------------------------------


def per_item_band(position: int) -> tuple[int, int | None]:
    """The band (first, last) the n-th application of a month falls in; last None = open end."""
    if position < 1:
        raise ValueError("position starts at 1")
    t = schedule()
    if position <= t.per_item_free:
        return 1, t.per_item_free
    if position <= t.per_item_first_band_end:
        return t.per_item_free + 1, t.per_item_first_band_end
    index = (position - t.per_item_first_band_end - 1) // t.per_item_band_size
    first = t.per_item_first_band_end + 1 + index * t.per_item_band_size
    return first, first + t.per_item_band_size - 1


def per_item_rate(position: int) -> Decimal:
    """元 charged for the n-th application of the applicant in one calendar month."""
    t = schedule()
    if position <= t.per_item_free:
        return Decimal(0)
    if position <= t.per_item_first_band_end:
        return t.per_item_first_rate
    bands_above = (position - t.per_item_first_band_end - 1) // t.per_item_band_size + 1
    return t.per_item_first_rate + t.per_item_step * bands_above


def per_item_total(count: int) -> FeeQuote:
    """The progressive total for `count` applications in one month (only the excess pays more)."""
    if count < 0:
        raise ValueError("count must not be negative")
    groups: list[tuple[int, int, Decimal]] = []
    for n in range(1, count + 1):
        rate = per_item_rate(n)
        if groups and groups[-1][2] == rate:
            groups[-1] = (groups[-1][0], n, rate)
        else:
            groups.append((n, n, rate))
    lines: list[str] = []
    total = Decimal(0)
    for first, last, rate in groups:
        n = last - first + 1
        if rate == 0:
            lines.append(f"{_range(first, last, '件')}不收费；")
            continue
        part = rate * n
        total += part
        lines.append(f"{_range(first, last, '件')}{n}件×{_yuan(rate)}/件＝{_yuan(part)}；")
    lines.append(f"同一申请人当月累计申请{count}件，合计{_yuan(total)}。")
    return FeeQuote("per_item", count, total, tuple(lines))


def per_item_fee(n_in_month: int) -> FeeQuote:
    """The fee of one application that is the applicant's n-th in its calendar month."""
    if n_in_month < 1:
        raise ValueError("n_in_month starts at 1")
    first, last = per_item_band(n_in_month)
    rate = per_item_rate(n_in_month)
    band = f"{first}件以上" if last is None else f"{first}—{last}件"
    lines = [
        f"依据{schedule().basis_text}，按件计收：本申请为申请人本自然月内提出的第{n_in_month}件申请，",
    ]
    free = schedule().per_item_free
    if rate == 0:
        lines.append(f"同一申请人一个自然月内累计申请{free}件以下（含{free}件）的不收费。")
    else:
        lines.append(f"属于累计{band}档，收费标准为{_yuan(rate)}/件，本申请应缴纳{_yuan(rate)}。")
    return FeeQuote("per_item", n_in_month, rate, tuple(lines))


# --- 按量 (per page) ----------------------------------------------------------------------------


def per_page_fee(pages: int) -> FeeQuote:
    """The progressive fee for `pages` pages of one application."""
    if pages < 0:
        raise ValueError("pages must not be negative")
    lines = [f"依据{schedule().basis_text}，按量计收：本申请所需信息共{pages}页，"]
    total = Decimal(0)
    parts: list[str] = []
    for first, last, rate in schedule().per_page:
        if pages < first:
            break
        upto = pages if last is None else min(pages, last)
        n = upto - first + 1
        if rate == 0:
            parts.append(f"{_range(first, upto, '页')}不收费")
            continue
        part = rate * n
        total += part
        parts.append(f"{_range(first, upto, '页')}{n}页×{_yuan(rate)}/页＝{_yuan(part)}")
    if parts:
        lines.append("；".join(parts) + "；")
    lines.append(f"合计{_yuan(total)}。")
    return FeeQuote("per_page", pages, total, tuple(lines))


def quote(method: str, units: int) -> FeeQuote:
    """The quote for a stored fee (method and units), e.g. to write the 收费通知书 again."""
    if method == "per_item":
        return per_item_fee(units)
    if method == "per_page":
        return per_page_fee(units)
    raise ValueError(f"unknown fee method {method!r}")


# --- counting in the database -------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def position_in_month(session: Session, case: Case) -> int:
    """Which of the applicant's applications in the case's calendar month this one is (1-based).

    The applicant is identified as the exchange import does: type, name and ID number. Voided
    cases are not applications; the parts of a split (一事一申请) are the office's doing, so only
    the application the applicant filed counts (Decision).
    """
    # Here, not at the top: a letter drafted through sqlite3 uses the tiers without SQLAlchemy.
    from sqlalchemy import select

    from cases.storage.model import Applicant, Case

    while case.parent is not None:
        case = case.parent
    applicant = case.applicant
    first, last = month_bounds(case.received)
    same_id = (
        Applicant.id_number == applicant.id_number
        if applicant.id_number
        else Applicant.id_number.is_(None)
    )
    same_applicant = select(Applicant.id).where(
        Applicant.type == applicant.type, Applicant.name == applicant.name, same_id
    )
    # The applicant and the month go to the database (its index on both serves them); the rest
    # is tested here, on the month's few rows: a planner without statistics would otherwise
    # walk the voided flag's index over every case.
    rows = session.execute(
        select(Case.id, Case.received, Case.voided, Case.parent_id).where(
            Case.applicant_id.in_(same_applicant), Case.received.between(first, last)
        )
    )
    mark = (case.received, case.id)
    return sum(
        1
        for cid, received, voided, parent in rows
        if not voided and parent is None and (received, cid) <= mark
    )
