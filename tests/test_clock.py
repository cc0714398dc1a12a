"""The statutory clock: day 0, due dates, excluded periods, warnings, refusals of bad facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cases.timing.calendar import OfficeEntry, WorkCalendar
from cases.timing.clock import (
    CHANNEL_LABELS,
    Channel,
    ClockFacts,
    ClockResult,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    Period,
    Status,
    WarningLevel,
    compute,
    default_correction_until,
    facts_as_of,
    propose_day0,
    validate_facts,
    warning_level,
)

D = date
CAL = WorkCalendar()
MON = D(2025, 3, 3)  # day 0 of domain.md's example; plain due date 2025-03-31


def facts(received: date = MON, **kw: object) -> ClockFacts:
    return ClockFacts(received, Channel.IN_PERSON, **kw)  # type: ignore[arg-type]


def third(sent: date, replied: date | None = None, to: str = "某公司") -> Consultation:
    return Consultation("third_party", to, sent, replied)


def text(result: ClockResult) -> str:
    return "\n".join(result.explanation)


# --- day 0 -----------------------------------------------------------------------------------


def test_channel_labels() -> None:
    assert CHANNEL_LABELS == {
        Channel.IN_PERSON: "当面提交",
        Channel.POST_SIGNED: "邮寄（挂号/EMS）",
        Channel.POST_ORDINARY: "平常信函",
        Channel.ONLINE: "网络平台",
        Channel.EMAIL: "电子邮件",
        Channel.FAX: "传真",
    }
    assert Channel("post_ordinary") is Channel.POST_ORDINARY


def test_day0_in_person_is_the_day_handed_in() -> None:
    day, why = propose_day0(Channel.IN_PERSON, MON, confirmed=D(2025, 3, 5))
    assert day == MON
    assert "提交之日" in why and "条例第三十一条" in why


def test_day0_signed_post_is_the_signature_day() -> None:
    day, why = propose_day0(Channel.POST_SIGNED, MON, signed=D(2025, 3, 4))
    assert day == D(2025, 3, 4)
    assert "签收" in why


def test_day0_signed_post_without_signature_falls_back_and_says_so() -> None:
    day, why = propose_day0(Channel.POST_SIGNED, MON)
    assert day == MON
    assert "尚未填写" in why


def test_day0_ordinary_letter_is_the_confirmation_day() -> None:
    day, why = propose_day0(Channel.POST_ORDINARY, MON, confirmed=D(2025, 3, 4))
    assert day == D(2025, 3, 4)
    assert "确认" in why


def test_day0_ordinary_letter_unconfirmed_must_be_confirmed() -> None:
    day, why = propose_day0(Channel.POST_ORDINARY, MON)
    assert day == MON
    assert "尚未确认" in why and "须与申请人确认" in why


@pytest.mark.parametrize("channel", [Channel.ONLINE, Channel.EMAIL, Channel.FAX])
def test_day0_electronic_channels_wait_for_both_sides(channel: Channel) -> None:
    assert propose_day0(channel, MON, confirmed=D(2025, 3, 6))[0] == D(2025, 3, 6)
    day, why = propose_day0(channel, MON)
    assert day == MON and "尚未确认" in why
    assert "双方确认" in why


def test_day0_confirmation_before_arrival_is_flagged() -> None:
    _, why = propose_day0(Channel.EMAIL, MON, confirmed=D(2025, 3, 1))
    assert "请核对" in why


# --- plain counting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day0", "wd7", "wd20", "wd40"),
    [
        (D(2025, 9, 26), D(2025, 10, 13), D(2025, 10, 30), D(2025, 11, 27)),
        (D(2025, 12, 15), D(2025, 12, 24), D(2026, 1, 13), D(2026, 2, 10)),
        (D(2026, 2, 10), D(2026, 2, 26), D(2026, 3, 16), D(2026, 4, 14)),
    ],
)
def test_worked_examples(day0: date, wd7: date, wd20: date, wd40: date) -> None:
    plain = compute(facts(day0), CAL)
    assert plain.correction_notice_due == wd7
    assert plain.due == wd20
    assert plain.limit == 20
    extended = compute(facts(day0, extensions=(Extension(day0, "主任"),)), CAL)
    assert extended.due == wd40
    assert extended.limit == 40


def test_plain_case() -> None:
    r = compute(facts(), CAL)
    assert r.first_day0 == r.day0 == MON
    assert r.status is Status.OPEN
    assert r.due == D(2025, 3, 31)
    assert not r.due_provisional
    assert r.excluded == ()
    assert r.provisional_years == ()
    assert r.correction_period_end is None
    assert r.fee_payment_due is None
    assert r.consultation_reply_due == ()


def test_domain_example_with_third_party_consultation() -> None:
    r = compute(facts(consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),)), CAL)
    assert r.due == D(2025, 4, 7)
    assert r.excluded == (Period(D(2025, 3, 10), D(2025, 3, 14), r.excluded[0].reason),)
    assert "征求第三方意见" in r.excluded[0].reason
    assert "某公司" in r.excluded[0].reason
    assert r.consultation_reply_due == (D(2025, 3, 31),)


def test_year_boundary_due() -> None:
    # 2026-01-01..03 are off and Sunday 01-04 is worked.
    assert compute(facts(D(2025, 12, 31)), CAL).due == D(2026, 1, 29)


def test_explain_false_gives_the_same_dates() -> None:
    f = facts(consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),))
    full, bare = compute(f, CAL), compute(f, CAL, explain=False)
    assert bare.explanation == ()
    assert replace(full, explanation=()) == bare


# --- correction (补正) --------------------------------------------------------------------------


def test_default_correction_period() -> None:
    assert default_correction_until(D(2025, 3, 5), CAL) == D(2025, 3, 26)
    assert default_correction_until(D(2025, 3, 5), CAL, days=5) == D(2025, 3, 12)


def test_pending_correction_suspends() -> None:
    c = Correction(D(2025, 3, 5), D(2025, 3, 26))
    r = compute(facts(corrections=(c,)), CAL)
    assert r.status is Status.SUSPENDED
    assert r.due is None
    assert r.day0 == MON
    assert r.correction_period_end == D(2025, 3, 26)
    assert "补正尚未提交" in text(r)


def test_received_correction_restarts_the_clock() -> None:
    c = Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 10))
    r = compute(facts(corrections=(c,)), CAL)
    assert r.status is Status.OPEN
    assert r.first_day0 == MON
    assert r.day0 == D(2025, 3, 10)
    assert r.due == D(2025, 4, 8)  # 20 WD after 3-10, skipping 清明 4-4
    assert r.correction_notice_due == D(2025, 3, 12)  # always from the first day 0
    assert "新的收到申请之日" in text(r)


def test_periods_before_the_restart_do_not_count() -> None:
    c = Correction(D(2025, 3, 4), D(2025, 3, 25), D(2025, 3, 10))
    r = compute(facts(corrections=(c,), consultations=(third(D(2025, 3, 5), D(2025, 3, 12)),)), CAL)
    # Only 3-11 and 3-12 lie after the new day 0.
    assert [(p.start, p.end) for p in r.excluded] == [(D(2025, 3, 10), D(2025, 3, 12))]
    assert r.due == D(2025, 4, 10)


def test_period_wholly_before_the_restart_disappears() -> None:
    c = Correction(D(2025, 3, 4), D(2025, 3, 25), D(2025, 3, 17))
    r = compute(facts(corrections=(c,), consultations=(third(D(2025, 3, 5), D(2025, 3, 7)),)), CAL)
    assert r.excluded == ()
    assert r.due == CAL.add_workdays(D(2025, 3, 17), 20)


def test_correction_default_decision_is_explained() -> None:
    default = Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 10))
    edited = Correction(D(2025, 3, 5), D(2025, 3, 20), D(2025, 3, 10))
    assert "补正期限默认为补正告知之日起15个工作日" in text(
        compute(facts(corrections=(default,)), CAL)
    )
    assert "补正期限默认" not in text(compute(facts(corrections=(edited,)), CAL))


def test_late_correction_notice_is_pointed_out() -> None:
    late = Correction(D(2025, 3, 13), D(2025, 4, 3), D(2025, 3, 17))
    assert "晚于7个工作日的法定期限" in text(compute(facts(corrections=(late,)), CAL))
    on_time = Correction(D(2025, 3, 12), D(2025, 4, 3), D(2025, 3, 17))
    assert "法定期限" not in text(compute(facts(corrections=(on_time,)), CAL))


# --- consultations ------------------------------------------------------------------------------


def test_overlapping_consultations_are_merged() -> None:
    r = compute(
        facts(
            consultations=(
                third(D(2025, 3, 10), D(2025, 3, 14)),
                Consultation("agency", "区规划资源局", D(2025, 3, 12), D(2025, 3, 19)),
            )
        ),
        CAL,
    )
    # Excluded 3-11..3-19: seven working days, not 4 + 5.
    assert [(p.start, p.end) for p in r.excluded] == [(D(2025, 3, 10), D(2025, 3, 19))]
    assert "某公司" in r.excluded[0].reason and "区规划资源局" in r.excluded[0].reason
    assert r.due == D(2025, 4, 10)


def test_touching_periods_are_merged() -> None:
    r = compute(
        facts(
            consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),),
            fees=(Fee(D(2025, 3, 14), "per_page", Decimal("700"), D(2025, 3, 18)),),
        ),
        CAL,
    )
    assert [(p.start, p.end) for p in r.excluded] == [(D(2025, 3, 10), D(2025, 3, 18))]
    assert r.due == D(2025, 4, 9)


def test_separate_periods_each_count() -> None:
    r = compute(
        facts(
            consultations=(
                third(D(2025, 3, 5), D(2025, 3, 6)),
                third(D(2025, 3, 18), D(2025, 3, 20), to="另一公司"),
            )
        ),
        CAL,
    )
    assert len(r.excluded) == 2
    assert r.due == CAL.add_workdays(D(2025, 3, 31), 3)  # 1 + 2 working days excluded


def test_unanswered_consultation_is_capped_at_15_working_days() -> None:
    r = compute(facts(consultations=(third(D(2025, 3, 10)),)), CAL)
    assert r.consultation_reply_due == (D(2025, 3, 31),)
    assert [(p.start, p.end) for p in r.excluded] == [(D(2025, 3, 10), D(2025, 3, 31))]
    assert r.due == D(2025, 4, 22)
    assert r.status is Status.OPEN  # a consultation does not suspend: its end is known
    assert "未答复" in r.excluded[0].reason


def test_late_reply_still_capped() -> None:
    r = compute(facts(consultations=(third(D(2025, 3, 10), D(2025, 4, 2)),)), CAL)
    assert r.excluded[0].end == D(2025, 3, 31)
    assert r.due == D(2025, 4, 22)


def test_earlier_reply_ends_the_period() -> None:
    r = compute(facts(consultations=(third(D(2025, 3, 10), D(2025, 3, 20)),)), CAL)
    assert r.due == D(2025, 4, 11)


def test_agency_silence_counts_as_consent() -> None:
    r = compute(
        facts(consultations=(Consultation("agency", "区财政局", D(2025, 3, 10), None),)), CAL
    )
    assert "视为同意" in r.excluded[0].reason
    assert "第三十四条" in r.excluded[0].reason


def test_consultation_after_the_due_date_changes_nothing() -> None:
    r = compute(facts(consultations=(third(D(2025, 4, 2), D(2025, 4, 10)),)), CAL)
    assert r.due == D(2025, 3, 31)
    assert "不影响期限" in text(r)


# --- extension, fee, delay ----------------------------------------------------------------------


def test_extension_doubles_the_limit() -> None:
    r = compute(facts(extensions=(Extension(D(2025, 3, 25), "王主任"),)), CAL)
    assert r.limit == 40
    assert r.due == D(2025, 4, 28)  # Sunday 4-27 is a worked day
    t = text(r)
    assert "王主任" in t and "条例第三十三条" in t
    assert "2025年4月27日（星期日，劳动节）" in t


def test_extension_with_consultation() -> None:
    r = compute(
        facts(
            consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),),
            extensions=(Extension(D(2025, 4, 1), "王主任"),),
        ),
        CAL,
    )
    assert r.due == CAL.add_workdays(D(2025, 4, 28), 4)


def test_unpaid_fee_suspends() -> None:
    fee = Fee(D(2025, 3, 7), "per_item", Decimal("3000"))
    r = compute(facts(fees=(fee,)), CAL)
    assert r.status is Status.SUSPENDED
    assert r.due is None
    assert r.fee_payment_due == D(2025, 4, 7)
    t = text(r)
    assert "已计入" in t and "共4个工作日" in t and "余下的16个工作日" in t
    assert "按件计收" in t and "3000元" in t


def test_paid_fee_is_excluded_and_the_clock_restarts() -> None:
    fee = Fee(D(2025, 3, 7), "per_page", Decimal("1700"), D(2025, 3, 12))
    r = compute(facts(fees=(fee,)), CAL)
    assert r.status is Status.OPEN
    assert r.fee_payment_due is None
    assert [(p.start, p.end) for p in r.excluded] == [(D(2025, 3, 7), D(2025, 3, 12))]
    assert r.due == D(2025, 4, 3)


def test_delay_sets_the_due_date() -> None:
    r = compute(facts(delays=(Delay(D(2025, 3, 20), D(2025, 5, 30), "申请数量巨大"),)), CAL)
    assert r.due == D(2025, 5, 30)
    t = text(r)
    assert "条例第三十五条" in t and "申请数量巨大" in t


def test_latest_delay_wins() -> None:
    later = Delay(D(2025, 4, 20), D(2025, 6, 30), "再次说明理由")
    earlier = Delay(D(2025, 3, 20), D(2025, 5, 30), "申请数量巨大")
    assert compute(facts(delays=(later, earlier)), CAL).due == D(2025, 6, 30)


# --- provisional years --------------------------------------------------------------------------

DEC_2026 = D(2026, 12, 14)


def test_due_in_a_year_without_schedule_is_provisional() -> None:
    r = compute(facts(DEC_2026), CAL)
    assert r.due == D(2027, 1, 11)  # 2027-01-01 counted as a working Friday
    assert r.due_provisional
    assert r.provisional_years == (2027,)
    assert "2027年的节假日安排尚未录入，按周末计算，本期限为暂定。" in r.explanation


def test_office_schedule_makes_it_final_and_moves_the_date() -> None:
    cal = WorkCalendar([OfficeEntry(D(2027, 1, 1), False, "元旦")], [2027])
    r = compute(facts(DEC_2026), cal)
    assert r.due == D(2027, 1, 12)
    assert not r.due_provisional
    assert r.provisional_years == ()
    assert "暂定" not in text(r)
    assert "元旦（2027年1月1日）" in text(r)


def test_entries_without_the_year_stay_provisional() -> None:
    cal = WorkCalendar([OfficeEntry(D(2027, 1, 1), False, "元旦")])
    r = compute(facts(DEC_2026), cal)
    assert r.due == D(2027, 1, 12)
    assert r.due_provisional


def test_provisional_years_cover_every_computed_date() -> None:
    # A fee notice of 2026-12-10 left unpaid: the payment deadline (20 WD) falls in 2027,
    # while there is no reply due to be provisional.
    r = compute(facts(D(2026, 12, 1), fees=(Fee(D(2026, 12, 10), "per_item", Decimal(100)),)), CAL)
    assert r.due is None
    assert not r.due_provisional
    assert r.fee_payment_due == D(2027, 1, 7)
    assert r.provisional_years == (2027,)
    # Day 0 early in November: every date stays in 2026.
    early = compute(facts(D(2026, 11, 2)), CAL)
    assert early.due is not None and early.due.year == 2026
    assert not early.due_provisional
    assert early.provisional_years == ()


def test_delay_date_is_not_provisional() -> None:
    r = compute(facts(DEC_2026, delays=(Delay(D(2026, 12, 20), D(2027, 3, 1), "数量大"),)), CAL)
    assert r.due == D(2027, 3, 1)
    assert not r.due_provisional
    assert r.provisional_years == ()
    assert "暂定" not in text(r)


# --- closing ------------------------------------------------------------------------------------


def test_closed_on_day_0() -> None:
    r = compute(facts(outcome_code="disclose", outcome_on=MON), CAL)
    assert r.status is Status.CLOSED
    assert r.due == D(2025, 3, 31)
    assert "当场答复" in text(r)


def test_closed_case_ignores_later_events() -> None:
    r = compute(
        facts(
            extensions=(Extension(D(2025, 3, 20), "王主任"),),
            outcome_code="disclose",
            outcome_on=D(2025, 3, 18),
        ),
        CAL,
    )
    assert r.status is Status.CLOSED
    assert r.limit == 20
    assert r.due == D(2025, 3, 31)


def test_closed_while_consultation_pending_uses_the_cap() -> None:
    r = compute(
        facts(
            consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),),
            outcome_code="withhold_third_party",
            outcome_on=D(2025, 3, 12),
        ),
        CAL,
    )
    # The reply came after the case closed, so at closing the period ran to its cap.
    assert r.due == D(2025, 4, 22)


def test_closed_while_waiting_for_correction_has_no_due() -> None:
    c = Correction(D(2025, 3, 5), D(2025, 3, 26))
    r = compute(
        facts(corrections=(c,), outcome_code="other_no_correction", outcome_on=D(2025, 3, 27)),
        CAL,
    )
    assert r.status is Status.CLOSED
    assert r.due is None


def test_late_closing_is_pointed_out() -> None:
    r = compute(facts(outcome_code="disclose", outcome_on=D(2025, 4, 1)), CAL)
    assert "办结日期晚于答复期限" in text(r)


def test_facts_as_of_forgets_the_future() -> None:
    f = facts(
        corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 10)),),
        consultations=(third(D(2025, 3, 12), D(2025, 3, 20)), third(D(2025, 3, 25))),
        fees=(Fee(D(2025, 3, 13), "per_page", Decimal(1), D(2025, 3, 21)),),
    )
    seen = facts_as_of(f, D(2025, 3, 14))
    assert seen.corrections[0].received == D(2025, 3, 10)
    assert [k.replied for k in seen.consultations] == [None]
    assert seen.fees[0].paid is None


# --- explanation --------------------------------------------------------------------------------


def test_explanation_names_holidays_and_worked_weekends() -> None:
    r = compute(facts(D(2025, 9, 26)), CAL)
    t = text(r)
    assert r.explanation[0].startswith("收到申请之日（第0日）为2025年9月26日（星期五）")
    assert "当面提交" in r.explanation[0]
    assert "国庆节、中秋（2025年10月1日至10月8日）" in t
    assert "2025年9月28日（星期日，国庆节）" in t
    assert "2025年10月11日（星期六，国庆节）" in t
    assert "期限届满日为2025年10月30日（星期四）" in t
    assert "收到申请当日不计入" in t
    assert "至第20个工作日结束时届满" in t


def test_explanation_lists_counted_and_excluded_ranges_in_order() -> None:
    r = compute(facts(consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),)), CAL)
    lines = r.explanation
    counted = next(i for i, s in enumerate(lines) if "计入期限的日期" in s)
    excluded = next(i for i, s in enumerate(lines) if s.startswith("不计入期限"))
    holidays = next(i for i, s in enumerate(lines) if "节假日" in s)
    decision = next(i for i, s in enumerate(lines) if s.startswith("决定：收到申请当日不计入"))
    assert 0 < counted < excluded < holidays < decision
    assert "2025年3月4日至3月10日（5个工作日）" in lines[counted]
    assert "2025年3月15日至4月7日（15个工作日）" in lines[counted]
    assert "2025年3月11日至3月14日，共4个工作日" in lines[excluded]
    assert "清明（2025年4月4日至4月6日）" in lines[holidays]
    assert any("重叠的期间合并计算" in s for s in lines)


def test_worked_weekend_inside_an_excluded_period_is_not_listed_as_used() -> None:
    # Sunday 9-28 is a worked day but falls inside the consultation (9-26, 9-29].
    r = compute(facts(D(2025, 9, 22), consultations=(third(D(2025, 9, 26), D(2025, 9, 29)),)), CAL)
    assert r.due == D(2025, 10, 28)
    worked = [s for s in r.explanation if s.startswith("期间的调休上班日")]
    assert worked == ["期间的调休上班日计为工作日：2025年10月11日（星期六，国庆节）。"]


def test_plain_case_has_no_period_decision() -> None:
    assert "重叠的期间合并计算" not in text(compute(facts(), CAL))


# --- warnings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (D(2025, 3, 24), WarningLevel.NONE),
        (D(2025, 3, 25), WarningLevel.NONE),  # 4 working days left
        (D(2025, 3, 26), WarningLevel.AMBER),  # 3 left
        (D(2025, 3, 28), WarningLevel.AMBER),
        (D(2025, 3, 29), WarningLevel.AMBER),  # Saturday: Monday is the last day
        (D(2025, 3, 31), WarningLevel.RED),
        (D(2025, 4, 1), WarningLevel.OVERDUE),
        (D(2026, 1, 1), WarningLevel.OVERDUE),
    ],
)
def test_warning_levels(today: date, level: WarningLevel) -> None:
    assert warning_level(compute(facts(), CAL), today, CAL, 3) is level


def test_warning_labels() -> None:
    assert WarningLevel.AMBER.label == "临期"
    assert WarningLevel.RED.label == "今日到期"
    assert WarningLevel.OVERDUE.label == "逾期"


def test_amber_threshold_is_configurable() -> None:
    r = compute(facts(), CAL)
    assert warning_level(r, D(2025, 3, 28), CAL, amber_days=0) is WarningLevel.NONE
    assert warning_level(r, D(2025, 3, 24), CAL, amber_days=5) is WarningLevel.AMBER


def test_only_open_cases_warn() -> None:
    suspended = compute(facts(corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26)),)), CAL)
    closed = compute(facts(outcome_code="disclose", outcome_on=D(2025, 3, 20)), CAL)
    assert warning_level(suspended, D(2025, 5, 1), CAL, 3) is WarningLevel.NONE
    assert warning_level(closed, D(2025, 5, 1), CAL, 3) is WarningLevel.NONE


# --- validation ---------------------------------------------------------------------------------


def fields(f: ClockFacts) -> list[str]:
    return [field for field, _ in validate_facts(f, CAL)]


def test_consistent_facts_pass() -> None:
    f = facts(
        corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 10)),),
        consultations=(third(D(2025, 3, 12), D(2025, 3, 20)),),
        extensions=(Extension(D(2025, 4, 10), "王主任"),),
        fees=(Fee(D(2025, 4, 11), "per_page", Decimal("1700"), D(2025, 4, 15)),),
        delays=(Delay(D(2025, 5, 6), D(2025, 7, 31), "数量巨大"),),
        outcome_code="disclose",
        outcome_on=D(2025, 7, 1),
    )
    assert validate_facts(f, CAL) == []


def test_waiting_for_correction_is_valid() -> None:
    assert (
        validate_facts(facts(corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26)),)), CAL) == []
    )


@pytest.mark.parametrize(
    ("f", "field"),
    [
        (facts(corrections=(Correction(D(2025, 3, 1), D(2025, 3, 20)),)), "correction.notice"),
        (facts(corrections=(Correction(D(2025, 3, 5), D(2025, 3, 5)),)), "correction.until"),
        (
            facts(corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 4)),)),
            "correction.received",
        ),
        (
            facts(
                corrections=(
                    Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 10)),
                    Correction(D(2025, 3, 11), D(2025, 3, 26)),
                )
            ),
            "correction",
        ),
        (facts(consultations=(third(D(2025, 3, 1)),)), "consultation.sent"),
        (facts(consultations=(third(D(2025, 3, 10), D(2025, 3, 7)),)), "consultation.replied"),
        (facts(consultations=(Consultation("court", "x", D(2025, 3, 10)),)), "consultation.party"),
        (facts(fees=(Fee(D(2025, 3, 10), "per_page", Decimal(1), D(2025, 3, 7)),)), "fee.paid"),
        (facts(fees=(Fee(D(2025, 3, 1), "per_page", Decimal(1), D(2025, 3, 7)),)), "fee.notice"),
        (facts(fees=(Fee(D(2025, 3, 10), "both", Decimal(1), D(2025, 3, 12)),)), "fee.method"),
        (facts(fees=(Fee(D(2025, 3, 10), "per_item", Decimal(-1), D(2025, 3, 12)),)), "fee.amount"),
        (
            facts(extensions=(Extension(D(2025, 3, 10), "a"), Extension(D(2025, 3, 11), "b"))),
            "extension",
        ),
        (facts(extensions=(Extension(D(2025, 3, 1), "a"),)), "extension.on"),
        (facts(extensions=(Extension(D(2025, 4, 1), "a"),)), "extension.on"),  # due was 3-31
        (facts(delays=(Delay(D(2025, 3, 20), D(2025, 3, 28), "x"),)), "delay.due"),
        (facts(delays=(Delay(D(2025, 3, 20), D(2025, 3, 20), "x"),)), "delay.due"),
        (facts(delays=(Delay(D(2025, 3, 1), D(2025, 5, 1), "x"),)), "delay.on"),
        (facts(outcome_code="disclose", outcome_on=D(2025, 3, 1)), "outcome.on"),
        (facts(outcome_code="disclose"), "outcome.on"),
        (facts(outcome_on=D(2025, 3, 20)), "outcome.code"),
        (
            facts(
                consultations=(third(D(2025, 3, 21)),),
                outcome_code="disclose",
                outcome_on=D(2025, 3, 20),
            ),
            "outcome.on",
        ),
        (
            facts(
                corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26)),),
                outcome_code="disclose",
                outcome_on=D(2025, 3, 20),
            ),
            "outcome.code",
        ),
        (
            facts(
                corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26)),),
                outcome_code="other_no_correction",
                outcome_on=D(2025, 3, 26),
            ),
            "outcome.on",
        ),
        (facts(outcome_code="other_no_correction", outcome_on=D(2025, 3, 20)), "outcome.code"),
        (
            facts(
                corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26), D(2025, 3, 10)),),
                outcome_code="other_no_correction",
                outcome_on=D(2025, 4, 1),
            ),
            "outcome.code",
        ),
        (facts(outcome_code="unable_unclear", outcome_on=D(2025, 3, 20)), "outcome.code"),
        (
            facts(
                fees=(Fee(D(2025, 3, 10), "per_page", Decimal(1)),),
                outcome_code="disclose",
                outcome_on=D(2025, 3, 20),
            ),
            "outcome.code",
        ),
        (
            facts(
                fees=(Fee(D(2025, 3, 10), "per_page", Decimal(1)),),
                outcome_code="other_fee_unpaid",
                outcome_on=D(2025, 4, 7),
            ),
            "outcome.on",
        ),
        (facts(outcome_code="other_fee_unpaid", outcome_on=D(2025, 4, 7)), "outcome.code"),
    ],
)
def test_refusals(f: ClockFacts, field: str) -> None:
    found = validate_facts(f, CAL)
    assert field in [name for name, _ in found], found
    assert all(message for _, message in found)


def test_extension_on_the_due_date_is_allowed() -> None:
    assert fields(facts(extensions=(Extension(D(2025, 3, 31), "a"),))) == []


def test_extension_deadline_counts_periods_known_then() -> None:
    # With the consultation of 3-10..3-14 the due in force is 4-7, so 4-3 is in time.
    known = facts(
        consultations=(third(D(2025, 3, 10), D(2025, 3, 14)),),
        extensions=(Extension(D(2025, 4, 3), "a"),),
    )
    assert fields(known) == []
    # A consultation sent after the extension cannot justify it.
    later = facts(
        consultations=(third(D(2025, 4, 5), D(2025, 4, 9)),),
        extensions=(Extension(D(2025, 4, 3), "a"),),
    )
    assert fields(later) == ["extension.on"]


def test_second_delay_must_go_beyond_the_first() -> None:
    first = Delay(D(2025, 3, 20), D(2025, 5, 30), "x")
    assert fields(facts(delays=(first, Delay(D(2025, 4, 20), D(2025, 5, 29), "y")))) == [
        "delay.due"
    ]
    assert fields(facts(delays=(first, Delay(D(2025, 4, 20), D(2025, 6, 30), "y")))) == []


def test_withdrawal_while_waiting_is_allowed() -> None:
    f = facts(
        corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26)),),
        outcome_code="other_withdrawn",
        outcome_on=D(2025, 3, 12),
    )
    assert fields(f) == []


def test_abandonment_after_the_periods_is_allowed() -> None:
    no_correction = facts(
        corrections=(Correction(D(2025, 3, 5), D(2025, 3, 26)),),
        outcome_code="other_no_correction",
        outcome_on=D(2025, 3, 27),
    )
    assert fields(no_correction) == []
    fee = Fee(D(2025, 3, 10), "per_page", Decimal(1))
    assert compute(facts(fees=(fee,)), CAL).fee_payment_due == D(2025, 4, 8)
    assert fields(
        facts(fees=(fee,), outcome_code="other_fee_unpaid", outcome_on=D(2025, 4, 8))
    ) == ["outcome.on"]
    assert (
        fields(facts(fees=(fee,), outcome_code="other_fee_unpaid", outcome_on=D(2025, 4, 9))) == []
    )


def test_messages_are_chinese_and_name_the_dates() -> None:
    found = validate_facts(facts(consultations=(third(D(2025, 3, 10), D(2025, 3, 7)),)), CAL)
    assert found == [
        ("consultation.replied", "征求意见（2025年3月10日发出）的答复日期2025年3月7日早于发出日期")
    ]
