"""Events that move the statutory clock: 补正, 征求意见, 延期, 收费 and 条例 35.

Correction (补正), consultation (征求意见), extension (延期), fee (收费), and the later due date
the office sets for an unreasonable volume of applications (条例 35).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from cases.actions.base import CaseRef, begin, check_day, check_not_closed, required_text
from cases.actions.closing import close_procedurally
from cases.result import Notice, Result
from cases.rules import fees, vocab
from cases.rules.workflow import ActionRefused, handbook, pending_approval, today
from cases.storage.model import (
    Approval,
    Case,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    User,
)
from cases.timing.clock import Consultation as ConsultationFact
from cases.timing.clock import Correction as CorrectionFact
from cases.timing.clock import Delay as DelayFact
from cases.timing.clock import Extension as ExtensionFact
from cases.timing.clock import Fee as FeeFact
from cases.timing.clock import Status, cite, default_correction_until
from cases.timing.dates import cn_date

# --- 补正 (correction) ---------------------------------------------------------------------------


def _pending_correction(case: Case) -> Correction:
    for c in case.corrections:
        if c.received is None:
            return c
    raise ActionRefused("correction", "本案没有等待补正的补正告知")


def request_correction(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    items: str,
    on: dt.date | None = None,
    until: dt.date | None = None,
) -> Result[Correction]:
    """补正告知: once, listing everything (条例 30). Later than 7 working days is allowed, but the
    lateness is written into the trail and the clock explanation shows it."""
    act = begin(session, actor, ref, "request_correction")
    case = act.case
    check_not_closed(case, act.label)
    if case.corrections:
        first = case.corrections[0]
        raise ActionRefused(
            "correction",
            f"补正只能告知一次，本案已于{cn_date(first.notice)}发出补正告知"
            f"（{cite('correction')}要求一次性告知需要补正的全部内容）",
        )
    what = required_text("correction.items", items, "需要补正的内容")
    notice = check_day(case, "correction.notice", on or today(), "补正告知日期")
    period_end = until or default_correction_until(notice, act.cal)
    act.check_facts(act.with_facts(corrections=(CorrectionFact(notice, period_end),)))
    row = Correction(notice=notice, until=period_end, items=what)
    case.corrections.append(row)
    changes: dict[str, tuple[object, object]] = {
        "correction.notice": (None, notice),
        "correction.until": (None, period_end),
        "correction.items": (None, what),
    }
    notice_due = act.clock().correction_notice_due
    warnings: list[Notice] = []
    if notice > notice_due:
        late = act.cal.workdays_between(notice_due, notice)
        changes["correction.late"] = (
            None,
            f"晚于法定期限（{cn_date(notice_due)}）{late}个工作日",
        )
        warnings.append(
            Notice(
                "correction.notice",
                f"补正告知晚于法定期限（{cn_date(notice_due)}）{late}个工作日，已记入审计记录",
            )
        )
    act.record(changes)
    act.finish()
    return act.done(row, *warnings)


def record_correction(
    session: Session, actor: User, ref: CaseRef, *, received_on: dt.date, note: str = ""
) -> Result[Correction]:
    """补正材料收到: the reply clock restarts with this day as the new day 0 (条例 30)."""
    act = begin(session, actor, ref, "record_correction")
    case = act.case
    check_not_closed(case, act.label)
    row = _pending_correction(case)
    check_day(case, "correction.received", received_on, "补正材料收到日期")
    reason = note.strip()
    if received_on > row.until and not reason:
        raise ActionRefused(
            "correction.note",
            f"补正材料晚于补正期限（{cn_date(row.until)}）提交，接受的须写明正当理由",
        )
    updated = tuple(
        CorrectionFact(c.notice, c.until, received_on if c is row else c.received)
        for c in case.corrections
    )
    act.check_facts(act.with_facts(corrections=updated))
    row.received = received_on
    changes: dict[str, tuple[object, object]] = {"correction.received": (None, received_on)}
    if reason:
        changes["correction.note"] = (None, reason)
    act.record(changes)
    act.finish()
    return act.done(row)


def lapse_correction(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    reasons: Sequence[str],
    on: dt.date | None = None,
    note: str = "",
) -> Result[Case]:
    """逾期不补正: the application is treated as abandoned and closes as 其他处理 1 at once."""
    act = begin(session, actor, ref, "lapse_correction")
    row = _pending_correction(act.case)
    day = on or today()
    if day <= row.until:
        raise ActionRefused("outcome.on", f"补正期限{cn_date(row.until)}届满后才能登记逾期未补正")
    close_procedurally(act, handbook().closed_by("lapse_correction").code, day, reasons, note)
    return act.done(act.case)


# --- 征求意见 (consultation) ------------------------------------------------------------------


def start_consultation(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    party: str,
    to: str,
    sent: dt.date | None = None,
) -> Result[Consultation]:
    """征求第三方意见 (条例 32) or 征求其他机关意见 (条例 34): excluded from the clock."""
    act = begin(session, actor, ref, "start_consultation")
    case = act.case
    check_not_closed(case, act.label)
    if party not in vocab.CONSULTATION_PARTIES:
        options = "、".join(f"{k}（{v}）" for k, v in vocab.CONSULTATION_PARTIES.items())
        raise ActionRefused("consultation.party", f"征求意见对象“{party}”无效；可选：{options}")
    whom = required_text("consultation.to", to, "征求意见的对象名称")
    day = check_day(case, "consultation.sent", sent or today(), "征求意见发出日期")
    fact = ConsultationFact(party, whom, day)
    act.check_facts(act.with_facts(consultations=(*act.facts().consultations, fact)))
    row = Consultation(party=party, to=whom, sent=day)
    case.consultations.append(row)
    act.record(
        {
            "consultation.party": (None, vocab.CONSULTATION_PARTIES[party]),
            "consultation.to": (None, whom),
            "consultation.sent": (None, day),
        }
    )
    act.finish()
    return act.done(row)


def end_consultation(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    replied: dt.date,
    opinion: str = "",
    consultation_id: int | None = None,
) -> Result[Consultation]:
    """The consulted party's answer: its date ends the excluded period."""
    act = begin(session, actor, ref, "end_consultation")
    case = act.case
    check_not_closed(case, act.label)
    waiting = [c for c in case.consultations if c.replied is None]
    if consultation_id is not None:
        waiting = [c for c in waiting if c.id == consultation_id]
    if not waiting:
        raise ActionRefused("consultation", "没有等待答复的征求意见")
    if len(waiting) > 1:
        names = "、".join(f"{c.to}（{cn_date(c.sent)}发出）" for c in waiting)
        raise ActionRefused("consultation", f"有多项征求意见等待答复，请指明是哪一项：{names}")
    row = waiting[0]
    check_day(case, "consultation.replied", replied, "征求意见答复日期")
    updated = tuple(
        ConsultationFact(c.party, c.to, c.sent, replied if c is row else c.replied)
        for c in case.consultations
    )
    act.check_facts(act.with_facts(consultations=updated))
    row.replied = replied
    row.opinion = opinion.strip()
    act.record(
        {
            f"consultation[{row.to}].replied": (None, replied),
            f"consultation[{row.to}].opinion": (None, row.opinion or None),
        }
    )
    act.finish()
    return act.done(row)


# --- 延期 (extension) -----------------------------------------------------------------------------


def request_extension(
    session: Session, actor: User, ref: CaseRef, *, reason: str, on: dt.date | None = None
) -> Result[Approval]:
    """提请延期: asks the head of the disclosure office; must come before the due date."""
    act = begin(session, actor, ref, "request_extension")
    case = act.case
    check_not_closed(case, act.label)
    if case.extensions:
        raise ActionRefused(
            "extension", f"答复期限只能延长一次，本案已经延期（{cite('extension')}）"
        )
    if pending_approval(case, "extension") is not None:
        raise ActionRefused("extension", "本案已提请延期，正在等待审批")
    why = required_text("extension.reason", reason, "延期理由")
    day = check_day(case, "extension.on", on or today(), "提请延期日期")
    due = act.clock().due
    if due is None:
        raise ActionRefused("extension", "等待补正或缴费期间答复期限中止，没有可以延长的期限")
    if day > due:
        raise ActionRefused(
            "extension.on", f"答复期限{cn_date(due)}已过，不能再延期（{cite('extension')}）"
        )
    row = Approval(
        stage="extension",
        requested_by=actor.username,
        payload=json.dumps({"reason": why, "on": day.isoformat()}, ensure_ascii=False),
    )
    case.approvals.append(row)
    act.record({"extension.requested": (None, day), "extension.reason": (None, why)})
    return act.done(row)


def approve_extension(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    on: dt.date | None = None,
    approve: bool = True,
    comment: str = "",
) -> Result[Extension | None]:
    """批准延期 (or refuse it): only a role the handbook names, only before the due in force."""
    act = begin(session, actor, ref, "approve_extension")
    case = act.case
    check_not_closed(case, act.label)
    request = pending_approval(case, "extension")
    if request is None:
        raise ActionRefused("extension", "没有等待审批的延期申请")
    day = check_day(case, "extension.on", on or today(), "批准延期日期")
    remark = comment.strip()
    if not approve:
        if not remark:
            raise ActionRefused("comment", "不同意延期的，须写明意见")
        _decide(request, actor, "returned", remark)
        act.record({"extension.decision": (None, "不同意"), "extension.comment": (None, remark)})
        return act.done(None)
    due = act.clock().due
    if due is not None and day > due:
        raise ActionRefused(
            "extension.on",
            f"延期须在答复期限{cn_date(due)}届满前决定并告知申请人，{cn_date(day)}已超过",
        )
    reason = str(json.loads(request.payload or "{}").get("reason", ""))
    act.check_facts(act.with_facts(extensions=(ExtensionFact(day, actor.display_name),)))
    _decide(request, actor, "approved", remark)
    row = Extension(on=day, approved_by=actor.display_name, reason=reason)
    case.extensions.append(row)
    act.record({"extension.on": (None, day), "extension.approved_by": (None, actor.display_name)})
    act.finish()
    return act.done(row)


def _decide(request: Approval, actor: User, decision: str, comment: str) -> None:
    request.decision = decision
    request.decided_by = actor.username
    request.decided_at = dt.datetime.now(dt.UTC)
    request.comment = comment


# --- 收费 (fee) --------------------------------------------------------------------------------


def fee_notice(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    method: str,
    pages: int | None = None,
    on: dt.date | None = None,
) -> Result[tuple[Fee, fees.FeeQuote]]:
    """收费通知: the amount computed by the fee rules; the clock waits until payment."""
    act = begin(session, actor, ref, "fee_notice")
    case = act.case
    check_not_closed(case, act.label)
    if method not in fees.METHODS:
        options = "、".join(f"{k}（{v}）" for k, v in fees.METHODS.items())
        raise ActionRefused("fee.method", f"收费方式“{method}”无效；可选：{options}")
    if case.fees:
        raise ActionRefused(
            "fee",
            f"本申请已发出收费通知；同一申请只按一种方式收费一次（{fees.schedule().basis_text}）",
        )
    if act.clock().status is not Status.OPEN:
        raise ActionRefused("fee", "等待补正期间不能发出收费通知")
    day = check_day(case, "fee.notice", on or today(), "收费通知日期")
    if method == "per_page":
        if pages is None or pages < 1:
            raise ActionRefused("fee.pages", "按量计收须填写页数（正整数）")
        quote = fees.per_page_fee(pages)
    else:
        quote = fees.per_item_fee(fees.position_in_month(session, case))
    if quote.amount <= 0:
        raise ActionRefused("fee.amount", f"按收费标准本申请不需缴费：{quote.text}")
    act.check_facts(act.with_facts(fees=(FeeFact(day, method, quote.amount),)))
    row = Fee(notice=day, method=method, amount=quote.amount, units=quote.units)
    case.fees.append(row)
    act.record(
        {
            "fee.notice": (None, day),
            "fee.method": (None, fees.METHODS[method]),
            "fee.units": (None, quote.units),
            "fee.amount": (None, quote.amount),
        }
    )
    act.finish()
    return act.done((row, quote))


def _unpaid(case: Case) -> Fee:
    for f in case.fees:
        if f.paid is None:
            return f
    raise ActionRefused("fee", "本案没有等待缴费的收费通知")


def record_payment(session: Session, actor: User, ref: CaseRef, *, paid_on: dt.date) -> Result[Fee]:
    """缴费: the excluded period ends; the reply clock runs on."""
    act = begin(session, actor, ref, "record_payment")
    case = act.case
    check_not_closed(case, act.label)
    row = _unpaid(case)
    check_day(case, "fee.paid", paid_on, "缴费日期")
    updated = tuple(
        FeeFact(f.notice, f.method, f.amount, paid_on if f is row else f.paid) for f in case.fees
    )
    act.check_facts(act.with_facts(fees=updated))
    row.paid = paid_on
    act.record({"fee.paid": (None, paid_on)})
    act.finish()
    return act.done(row)


def lapse_fee(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    reasons: Sequence[str],
    on: dt.date | None = None,
    note: str = "",
) -> Result[Case]:
    """逾期未缴费: the application is treated as abandoned and closes as 其他处理 2 at once."""
    act = begin(session, actor, ref, "lapse_fee")
    _unpaid(act.case)
    code = handbook().closed_by("lapse_fee").code
    close_procedurally(act, code, on or today(), reasons, note)
    return act.done(act.case)


# --- 条例 35 -------------------------------------------------------------------------------------


def delay(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    due: dt.date,
    reason: str,
    on: dt.date | None = None,
) -> Result[Delay]:
    """延迟答复 (条例 35): the reasons were accepted; a later, reasonable due date replaces the
    counted one and the applicant is told."""
    act = begin(session, actor, ref, "delay")
    case = act.case
    check_not_closed(case, act.label)
    why = required_text("delay.reason", reason, "延迟答复的理由")
    day = check_day(case, "delay.on", on or today(), "决定日期")
    fact = DelayFact(day, due, why)
    act.check_facts(act.with_facts(delays=(*act.facts().delays, fact)))
    row = Delay(on=day, due=due, reason=why)
    case.delays.append(row)
    act.record({"delay.on": (None, day), "delay.due": (None, due), "delay.reason": (None, why)})
    act.finish()
    return act.done(row)
