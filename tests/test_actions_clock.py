"""Actions that move the clock: 补正, 征求意见, 延期, 收费, 条例 35 — with their guards."""

from __future__ import annotations

from decimal import Decimal

from cases import actions
from cases.storage.store import Store
from tests.actions_support import D, Desk, records_of

# domain.md §2.2/2.3: day 0 Mon 2025-03-03 → 补正 notice by 03-12, reply due 03-31.
DAY0 = D(2025, 3, 3)


def at_check(desk: Desk) -> str:
    no = desk.register(DAY0)
    desk.do(actions.advance, desk.handler, no, "check")
    return no


def at_handle(desk: Desk) -> str:
    no = desk.register(DAY0)
    desk.to_handle(no)
    return no


# --- 补正 --------------------------------------------------------------------------------------


def test_correction_suspends_and_restarts_the_clock(store: Store) -> None:
    desk = Desk.open(store)
    no = at_check(desk)
    row = desk.do(
        actions.request_correction, desk.handler, no, items="请写明所需信息的文号", on=D(2025, 3, 5)
    )
    assert row.until == D(2025, 3, 26)  # Decision: 15 working days by default
    case = desk.case(no)
    assert (case.status, case.due) == ("suspended", None)
    trail = records_of(desk.trail(no), "request_correction")
    assert trail["correction.notice"] == (None, "2025-03-05")
    assert trail["correction.items"] == (None, "请写明所需信息的文号")
    assert trail["status"] == ("open", "suspended")
    assert trail["due"] == ("2025-03-31", None)
    assert "correction.late" not in trail

    waiting = desk.refuse(actions.advance, desk.handler, no, "assign")
    assert waiting.field == "correction"

    desk.do(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 12))
    case = desk.case(no)
    # 条例 30: the day the correction arrives is the new day 0; 20 WD from 03-12 is 04-10
    # (04-04 is 清明).
    assert (case.status, case.day0, case.received) == ("open", D(2025, 3, 12), DAY0)
    assert case.due == D(2025, 4, 10)
    trail = records_of(desk.trail(no), "record_correction")
    assert trail["correction.received"] == (None, "2025-03-12")
    assert trail["day0"] == ("2025-03-03", "2025-03-12")
    assert trail["due"] == (None, "2025-04-10")


def test_correction_only_once(store: Store) -> None:
    desk = Desk.open(store)
    no = at_check(desk)
    desk.do(actions.request_correction, desk.handler, no, items="身份证明", on=D(2025, 3, 5))
    desk.do(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 7))
    refusal = desk.refuse(
        actions.request_correction, desk.handler, no, items="再补", on=D(2025, 3, 10)
    )
    assert refusal.field == "correction" and "补正只能告知一次" in refusal.message


def test_a_late_correction_notice_is_allowed_and_its_lateness_recorded(store: Store) -> None:
    desk = Desk.open(store)
    no = at_check(desk)
    desk.do(actions.request_correction, desk.handler, no, items="联系方式", on=D(2025, 3, 14))
    trail = records_of(desk.trail(no), "request_correction")
    assert trail["correction.late"] == (None, "晚于法定期限（2025年3月12日）2个工作日")
    with store.session() as s:
        from cases.timing import deadlines

        case = actions.load_case(s, no)
        explanation = deadlines.clock_of(case, deadlines.load_calendar(s)).explanation
    assert any("补正告知晚于7个工作日" in line for line in explanation)


def test_correction_refusals(store: Store) -> None:
    desk = Desk.open(store)
    no = at_check(desk)
    empty = desk.refuse(actions.request_correction, desk.handler, no, items=" ", on=D(2025, 3, 5))
    assert empty.field == "correction.items"
    early = desk.refuse(actions.request_correction, desk.handler, no, items="x", on=D(2025, 3, 1))
    assert early.field == "correction.notice" and "早于收到申请之日" in early.message
    future = desk.refuse(actions.request_correction, desk.handler, no, items="x", on=D(2099, 3, 1))
    assert "晚于今天" in future.message
    bad_until = desk.refuse(
        actions.request_correction, desk.handler, no, items="x", on=D(2025, 3, 5),
        until=D(2025, 3, 5),
    )  # fmt: skip
    assert bad_until.field == "correction.until"
    nothing = desk.refuse(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 6))
    assert nothing.field == "correction" and "没有等待补正" in nothing.message


def test_a_correction_after_its_period_needs_a_good_reason(store: Store) -> None:
    desk = Desk.open(store)
    no = at_check(desk)
    desk.do(
        actions.request_correction, desk.handler, no, items="文号", on=D(2025, 3, 5),
        until=D(2025, 3, 20),
    )  # fmt: skip
    late = desk.refuse(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 24))
    assert late.field == "correction.note" and "正当理由" in late.message
    desk.do(
        actions.record_correction, desk.handler, no, received_on=D(2025, 3, 24),
        note="申请人住院，提供了病历",
    )  # fmt: skip
    assert records_of(desk.trail(no), "record_correction")["correction.note"] == (
        None, "申请人住院，提供了病历",
    )  # fmt: skip


def test_a_lapsed_correction_closes_the_case_as_other_1(store: Store) -> None:
    desk = Desk.open(store)
    no = at_check(desk)
    desk.do(
        actions.request_correction, desk.handler, no, items="文号", on=D(2025, 3, 5),
        until=D(2025, 3, 20),
    )  # fmt: skip
    early = desk.refuse(
        actions.lapse_correction, desk.handler, no, reasons=["no_reply"], on=D(2025, 3, 20)
    )
    assert early.field == "outcome.on" and "届满后" in early.message
    no_reason = desk.refuse(
        actions.lapse_correction, desk.handler, no, reasons=[], on=D(2025, 3, 21)
    )
    assert no_reason.field == "outcome.reasons" and "no_reply" in no_reason.message
    desk.do(actions.lapse_correction, desk.handler, no, reasons=["no_reply"], on=D(2025, 3, 21))
    case = desk.case(no)
    assert (case.outcome_code, case.outcome_on, case.status) == (
        "other_no_correction", D(2025, 3, 21), "closed",
    )  # fmt: skip
    assert case.step == "draft"  # its 告知书 is still drafted, signed and served
    trail = records_of(desk.trail(no), "lapse_correction")
    assert trail["outcome_code"] == (None, "other_no_correction")
    assert trail["step"] == ("check", "draft")
    assert trail["status"] == ("suspended", "closed")


# --- 征求意见 -----------------------------------------------------------------------------------


def test_consultation_is_excluded_from_the_clock(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.start_consultation, desk.handler, no, party="third_party", to="某房地产公司",
        sent=D(2025, 3, 10),
    )  # fmt: skip
    desk.do(
        actions.end_consultation, desk.handler, no, replied=D(2025, 3, 14), opinion="不同意公开"
    )
    # domain.md §2.3: four working days excluded, 04-04 a holiday → due 2025-04-07.
    case = desk.case(no)
    assert case.due == D(2025, 4, 7)
    assert case.consultations[0].opinion == "不同意公开"
    trail = records_of(desk.trail(no), "end_consultation")
    assert trail["consultation[某房地产公司].replied"] == (None, "2025-03-14")
    assert trail["due"] == ("2025-04-22", "2025-04-07")  # was: 15 WD of waiting excluded


def test_consultation_refusals(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    party = desk.refuse(
        actions.start_consultation, desk.handler, no, party="neighbour", to="x", sent=D(2025, 3, 4)
    )
    assert party.field == "consultation.party"
    nobody = desk.refuse(
        actions.start_consultation, desk.handler, no, party="agency", to=" ", sent=D(2025, 3, 4)
    )
    assert nobody.field == "consultation.to"
    nothing = desk.refuse(actions.end_consultation, desk.handler, no, replied=D(2025, 3, 5))
    assert nothing.field == "consultation"
    for to in ("区财政局", "区水务局"):
        desk.do(
            actions.start_consultation, desk.handler, no, party="agency", to=to,
            sent=D(2025, 3, 4),
        )  # fmt: skip
    which = desk.refuse(actions.end_consultation, desk.handler, no, replied=D(2025, 3, 5))
    assert "请指明是哪一项" in which.message
    first = desk.case(no).consultations[0]
    before = desk.refuse(
        actions.end_consultation, desk.handler, no, replied=D(2025, 3, 1),
        consultation_id=first.id,
    )  # fmt: skip
    assert before.field == "consultation.replied"
    desk.do(
        actions.end_consultation, desk.handler, no, replied=D(2025, 3, 6), consultation_id=first.id
    )


# --- 延期 ---------------------------------------------------------------------------------------


def test_extension_requested_by_the_handler_approved_by_the_reviewer(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(actions.request_extension, desk.handler, no, reason="涉及档案检索", on=D(2025, 3, 25))
    assert desk.case(no).due == D(2025, 3, 31)  # nothing changes until approved
    handler_try = desk.refuse(actions.approve_extension, desk.handler, no, on=D(2025, 3, 26))
    assert handler_try.field == "role" and "审核人" in handler_try.message
    signer_try = desk.refuse(actions.approve_extension, desk.signer, no, on=D(2025, 3, 26))
    assert signer_try.field == "role"
    extension = desk.do(actions.approve_extension, desk.reviewer, no, on=D(2025, 3, 26))
    assert extension is not None and extension.approved_by == "李审核"
    case = desk.case(no)
    assert case.due == D(2025, 4, 28)  # 40 WD after 03-03: 清明 off, Sunday 04-27 worked
    assert case.extensions[0].reason == "涉及档案检索"
    assert [(a.stage, a.decision, a.decided_by) for a in case.approvals] == [
        ("extension", "approved", "reviewer")
    ]
    trail = records_of(desk.trail(no), "approve_extension")
    assert trail["extension.approved_by"] == (None, "李审核")
    assert trail["due"] == ("2025-03-31", "2025-04-28")
    again = desk.refuse(
        actions.request_extension, desk.handler, no, reason="再延", on=D(2025, 4, 1)
    )
    assert again.field == "extension" and "只能延长一次" in again.message


def test_extension_only_before_the_due_date_in_force(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    late = desk.refuse(actions.request_extension, desk.handler, no, reason="x", on=D(2025, 4, 1))
    assert late.field == "extension.on" and "2025年3月31日" in late.message
    desk.do(actions.request_extension, desk.handler, no, reason="检索量大", on=D(2025, 3, 28))
    twice = desk.refuse(actions.request_extension, desk.handler, no, reason="x", on=D(2025, 3, 28))
    assert "等待审批" in twice.message
    too_late = desk.refuse(actions.approve_extension, desk.reviewer, no, on=D(2025, 4, 1))
    assert too_late.field == "extension.on" and "届满前" in too_late.message
    no_reason = desk.refuse(actions.request_extension, desk.handler, at_handle(desk), reason=" ")
    assert no_reason.field == "extension.reason"


def test_an_extension_can_be_refused_with_a_comment(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(actions.request_extension, desk.handler, no, reason="想多点时间", on=D(2025, 3, 20))
    silent = desk.refuse(
        actions.approve_extension, desk.reviewer, no, on=D(2025, 3, 21), approve=False
    )
    assert silent.field == "comment"
    result = desk.do(
        actions.approve_extension, desk.reviewer, no, on=D(2025, 3, 21), approve=False,
        comment="理由不充分，请按期答复",
    )  # fmt: skip
    assert result is None
    case = desk.case(no)
    assert (case.due, case.extensions) == (D(2025, 3, 31), [])
    assert [(a.decision, a.comment) for a in case.approvals] == [
        ("returned", "理由不充分，请按期答复")
    ]
    nothing = desk.refuse(actions.approve_extension, desk.reviewer, no, on=D(2025, 3, 21))
    assert "没有等待审批的延期申请" in nothing.message


# --- 收费 ---------------------------------------------------------------------------------------


def test_per_page_fee_payment_and_its_excluded_period(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    no_pages = desk.refuse(
        actions.fee_notice, desk.handler, no, method="per_page", on=D(2025, 3, 10)
    )
    assert no_pages.field == "fee.pages"
    free = desk.refuse(
        actions.fee_notice, desk.handler, no, method="per_page", pages=30, on=D(2025, 3, 10)
    )
    assert free.field == "fee.amount"
    fee, quote = desk.do(
        actions.fee_notice, desk.handler, no, method="per_page", pages=150, on=D(2025, 3, 10)
    )
    assert (fee.amount, fee.units, quote.amount) == (Decimal(1700), 150, Decimal(1700))
    assert desk.case(no).status == "suspended"
    second = desk.refuse(actions.fee_notice, desk.handler, no, method="per_item", on=D(2025, 3, 11))
    assert second.field == "fee" and "只按一种方式收费一次" in second.message
    blocked = desk.refuse(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"],
        on=D(2025, 3, 12),
    )  # fmt: skip
    assert "费用尚未缴纳" in blocked.message
    desk.do(actions.record_payment, desk.handler, no, paid_on=D(2025, 3, 14))
    case = desk.case(no)
    assert (case.status, case.due) == ("open", D(2025, 4, 7))  # like a 03-10..03-14 consultation
    trail = records_of(desk.trail(no), "record_payment")
    assert trail["fee.paid"] == (None, "2025-03-14")
    assert trail["status"] == ("suspended", "open")
    fee_trail = records_of(desk.trail(no), "fee_notice")
    assert fee_trail["fee.amount"] == (None, "1700")
    assert fee_trail["fee.method"] == (None, "按量计收")


def test_fee_refusals(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    method = desk.refuse(actions.fee_notice, desk.handler, no, method="both", on=D(2025, 3, 10))
    assert method.field == "fee.method"
    unpaid = desk.refuse(actions.record_payment, desk.handler, no, paid_on=D(2025, 3, 10))
    assert unpaid.field == "fee" and "没有等待缴费" in unpaid.message
    lapse = desk.refuse(actions.lapse_fee, desk.handler, no, reasons=["not_paid"], on=D(2025, 5, 1))
    assert lapse.field == "fee"


def test_an_unpaid_fee_lapses_into_other_2(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(actions.fee_notice, desk.handler, no, method="per_page", pages=40, on=D(2025, 3, 10))
    early = desk.refuse(actions.lapse_fee, desk.handler, no, reasons=["not_paid"], on=D(2025, 4, 8))
    assert early.field == "outcome.on" and "缴费期限" in early.message
    desk.do(actions.lapse_fee, desk.handler, no, reasons=["not_paid"], on=D(2025, 4, 9))
    case = desk.case(no)
    assert (case.outcome_code, case.status, case.step) == ("other_fee_unpaid", "closed", "draft")
    assert records_of(desk.trail(no), "lapse_fee")["outcome_reasons"] == ("", "not_paid")


# --- 条例 35 ------------------------------------------------------------------------------------


def test_delay_sets_a_later_due_date_with_its_reason(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    no_reason = desk.refuse(
        actions.delay, desk.handler, no, due=D(2025, 5, 30), reason="", on=D(2025, 3, 20)
    )
    assert no_reason.field == "delay.reason"
    earlier = desk.refuse(
        actions.delay, desk.handler, no, due=D(2025, 3, 28), reason="数量大", on=D(2025, 3, 20)
    )
    assert earlier.field == "delay.due" and "应晚于当时的答复期限" in earlier.message
    desk.do(
        actions.delay, desk.handler, no, due=D(2025, 5, 30),
        reason="申请人一个月内提出120件申请，理由合理", on=D(2025, 3, 20),
    )  # fmt: skip
    case = desk.case(no)
    assert case.due == D(2025, 5, 30)
    trail = records_of(desk.trail(no), "delay")
    assert trail["delay.due"] == (None, "2025-05-30")
    assert trail["due"] == ("2025-03-31", "2025-05-30")
