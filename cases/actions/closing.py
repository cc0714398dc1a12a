"""From the outcome to the archive: outcome, withdrawal, 审核签发, 送达, 归档, reviews and suits.

After the archive only reviews and suits (行政复议、行政诉讼) against the reply are added.

Decision — when a case closes (its outcome and outcome date are set, the clock stops):
- a substantive outcome is only proposed by the handler (拟办意见, an Approval of stage
  "outcome") and becomes final when the signer signs (签发); the outcome date is the sign-off
  date. A reply made on day 0 after review and sign-off on that same day is the 当场答复 of
  条例 33; it takes the same path, since the handbook's procedure has no shortcut for it.
- 逾期不补正, 逾期未缴费 and 撤回 close at the moment they are recorded (the applicant abandoned
  the application; no reply period runs any more). Their 告知书 still goes through review,
  sign-off and service before the file is archived, as the handbook says.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from cases.actions.base import (
    Act,
    CaseRef,
    begin,
    check_day,
    check_not_closed,
    check_reasons,
    required_text,
)
from cases.actions.checking import checks_at
from cases.actions.checking import notices as check_notices
from cases.documents.outcome_text import check_outcome_text
from cases.result import Result
from cases.rules import vocab
from cases.rules.handbook import StepId
from cases.rules.workflow import (
    ActionRefused,
    OutcomeChoice,
    action_label,
    current_outcome,
    handbook,
    latest_approval,
    pending_approval,
    proposal_of,
    separate_sign_off,
    sign_off_date,
    today,
)
from cases.storage.model import Approval, Case, Letter, Review, ServiceRecord, User
from cases.timing.dates import cn_date

DRAFT = StepId.DRAFT
SIGN_OFF = StepId.SIGN_OFF
SERVE = StepId.SERVE
SERVICE_METHODS = vocab.SERVICE_METHODS


def _decide(request: Approval, actor: User, decision: str, comment: str) -> None:
    request.decision = decision
    request.decided_by = actor.username
    request.decided_at = dt.datetime.now(dt.UTC)
    request.comment = comment


def _outcome(code: str) -> tuple[str, str]:
    try:
        outcome = handbook().outcome(code)
    except KeyError:
        codes = "、".join(o.code for o in handbook().outcomes)
        raise ActionRefused("outcome.code", f"没有办理结果“{code}”；可选：{codes}") from None
    return outcome.code, outcome.label


def close_procedurally(
    act: Act,
    code: str,
    on: dt.date,
    reasons: Sequence[str],
    note: str = "",
    statement: str = "",
) -> None:
    """Close at once with a procedural outcome and move to 拟稿 for its 告知书."""
    case = act.case
    check_not_closed(case, act.label)
    check_day(case, "outcome.on", on, "办结日期")
    chosen = check_reasons(handbook().outcome(code), reasons)
    check_outcome_text(handbook().outcome(code), chosen, statement, "")
    act.check_facts(act.with_facts(outcome_code=code, outcome_on=on))
    act.set(
        outcome_code=code,
        outcome_on=on,
        outcome_reasons=" ".join(chosen),
        outcome_note=note.strip(),
        outcome_statement=statement.strip(),
    )
    if case.step != DRAFT:
        act.move(DRAFT)
    act.finish()


def choose_outcome(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    code: str,
    reasons: Sequence[str],
    note: str = "",
    on: dt.date | None = None,
    statement: str = "",
    holder: str = "",
    holder_contact: str = "",
) -> Result[OutcomeChoice]:
    """确定办理结果: the handler's proposal, with reasons from the handbook; final at sign-off.

    Chosen while handling, it ends the 办理 step and the case goes to 拟稿.
    """
    act = begin(session, actor, ref, "choose_outcome")
    case = act.case
    check_not_closed(case, act.label)
    code, label = _outcome(code)
    procedural = handbook().procedural_outcomes()
    if code in procedural:
        own = action_label(procedural[code])
        raise ActionRefused("outcome.code", f"“{label}”请通过“{own}”登记")
    chosen = check_reasons(handbook().outcome(code), reasons)
    check_outcome_text(handbook().outcome(code), chosen, statement, holder)
    day = check_day(case, "outcome.on", on or today(), "确定办理结果的日期")
    # The outcome is not final yet, but what would contradict it (a correction still awaited,
    # a fee unpaid, 补正后仍不明确 without a correction) is better said now than at sign-off.
    act.check_facts(act.with_facts(outcome_code=code, outcome_on=day))
    previous = proposal_of(case)
    choice = OutcomeChoice(
        code=code,
        reasons=chosen,
        note=note.strip(),
        final=False,
        statement=statement.strip(),
        holder=holder.strip(),
        holder_contact=holder_contact.strip(),
    )
    case.approvals.append(
        Approval(
            stage="outcome",
            requested_by=actor.username,
            payload=json.dumps(choice.payload(), ensure_ascii=False),
        )
    )
    act.record(
        {
            "proposed_outcome": (previous.code if previous else None, code),
            "proposed_reasons": (
                " ".join(previous.reasons) if previous else None,
                " ".join(chosen),
            ),
            "proposed_note": ((previous.note or None) if previous else None, choice.note or None),
            "proposed_statement": (
                (previous.statement or None) if previous else None,
                choice.statement or None,
            ),
            "proposed_holder": (
                (previous.holder or None) if previous else None,
                choice.holder or None,
            ),
        }
    )
    if case.step != DRAFT:
        act.move(DRAFT)
    return act.done(choice)


def withdraw(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    reasons: Sequence[str],
    on: dt.date | None = None,
    note: str = "",
    statement: str = "",
) -> Result[Case]:
    """撤回申请: closes at once as 其他处理-申请人撤回; the 告知书 follows the usual path.

    The reasons say how the applicant withdrew, `on` when; the statement may add to it.
    """
    act = begin(session, actor, ref, "withdraw")
    close_procedurally(
        act, handbook().closed_by("withdraw").code, on or today(), reasons, note, statement
    )
    return act.done(act.case)


# --- 审核签发 -------------------------------------------------------------------------------------


def submit_for_review(
    session: Session, actor: User, ref: CaseRef, *, comment: str = ""
) -> Result[Approval]:
    """提交审核: the draft goes to the disclosure office with the outcome it is based on."""
    act = begin(session, actor, ref, "submit_for_review")
    case = act.case
    choice = current_outcome(case)
    if choice is None:
        raise ActionRefused("outcome", "尚未确定办理结果，不能提交审核")
    payload = {**choice.payload(), "final": choice.final, "comment": comment.strip()}
    request = Approval(
        stage="review",
        requested_by=actor.username,
        payload=json.dumps(payload, ensure_ascii=False),
    )
    case.approvals.append(request)
    act.record({"review.requested": (None, choice.label)})
    act.move(SIGN_OFF)
    report = checks_at(act, "submit_for_review", today(), block=False)  # shown, never blocking
    return act.done(request, *check_notices(report))


def review(session: Session, actor: User, ref: CaseRef, *, comment: str = "") -> Result[Approval]:
    """审核通过: the reviewer approves the draft; it now waits for the signer."""
    act = begin(session, actor, ref, "review")
    case = act.case
    request = pending_approval(case, "review")
    if request is None:
        waiting = pending_approval(case, "sign_off")
        if waiting is not None:
            raise ActionRefused("approval", "答复稿已审核通过，正在等待签发")
        raise ActionRefused("approval", "没有等待审核的答复稿")
    _decide(request, actor, "approved", comment.strip())
    sign_request = Approval(stage="sign_off", requested_by=actor.username, payload=request.payload)
    case.approvals.append(sign_request)
    act.record({"review.decision": (None, "审核通过"), "review.comment": (None, comment or None)})
    return act.done(sign_request)


def sign_off(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    on: dt.date | None = None,
    comment: str = "",
) -> Result[Approval]:
    """签发: the signer approves; a proposed outcome becomes final, dated this day."""
    act = begin(session, actor, ref, "sign_off")
    case = act.case
    request = pending_approval(case, "sign_off")
    if request is None:
        if pending_approval(case, "review") is not None:
            raise ActionRefused("approval", "答复稿尚未审核，须先由审核人审核通过")
        raise ActionRefused("approval", "没有等待签发的答复稿")
    reviewed = latest_approval(case, "review")
    reviewer = reviewed.decided_by if reviewed is not None else None
    if reviewer == actor.username and separate_sign_off(session):
        raise ActionRefused(
            "signer", f"同一案件的审核和签发须由不同的人完成；本案由{actor.display_name}审核"
        )
    day = check_day(case, "sign_off.on", on or today(), "签发日期")
    report = checks_at(act, "sign_off", day, block=True)  # a red finding not overridden refuses
    data = json.loads(request.payload or "{}")
    if case.outcome_code is None:
        # The outcome that was reviewed travels with the request; a request written by other
        # means (an import, the demo) may lack it, and then the latest proposal is signed.
        proposal = proposal_of(case)
        if "code" not in data and proposal is not None:
            data = {**proposal.payload(), **data}
        if "code" not in data:
            raise ActionRefused("outcome", "待签发的答复稿没有办理结果，请退回拟稿确定办理结果")
        code = str(data["code"])
        act.check_facts(act.with_facts(outcome_code=code, outcome_on=day))
        act.set(
            outcome_code=code,
            outcome_on=day,
            outcome_reasons=" ".join(str(r) for r in data.get("reasons", [])),
            outcome_note=str(data.get("note", "")),
            outcome_statement=str(data.get("statement", "")),
            outcome_holder=str(data.get("holder", "")),
            outcome_holder_contact=str(data.get("holder_contact", "")),
        )
    elif case.outcome_on is not None and day < case.outcome_on:
        raise ActionRefused(
            "sign_off.on", f"签发日期{cn_date(day)}早于办结日期{cn_date(case.outcome_on)}"
        )
    request.payload = json.dumps({**data, "on": day.isoformat()}, ensure_ascii=False)
    _decide(request, actor, "approved", comment.strip())
    act.record({"sign_off.on": (None, day), "sign_off.comment": (None, comment or None)})
    act.move(SERVE)
    act.finish()
    return act.done(request, *check_notices(report))


def return_for_revision(
    session: Session, actor: User, ref: CaseRef, *, comment: str
) -> Result[Approval]:
    """退回修改: the reviewer or signer sends the draft back to 拟稿 with what to change."""
    act = begin(session, actor, ref, "return_for_revision")
    case = act.case
    request = pending_approval(case, "sign_off") or pending_approval(case, "review")
    if request is None:
        raise ActionRefused("approval", "没有等待审核或签发的答复稿")
    remark = required_text("comment", comment, "退回修改意见")
    _decide(request, actor, "returned", remark)
    act.record({f"{request.stage}.decision": (None, "退回修改"), "comment": (None, remark)})
    act.move(DRAFT)
    return act.done(request)


# --- 送达 and 归档 -------------------------------------------------------------------------------


def record_service(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    method: str,
    served_on: dt.date,
    tracking_no: str | None = None,
    proof: str = "",
    letter_id: int | None = None,
) -> Result[ServiceRecord]:
    """登记送达: how and when the signed reply reached the applicant, and the proof kept."""
    act = begin(session, actor, ref, "record_service")
    case = act.case
    if method not in SERVICE_METHODS:
        options = "、".join(f"{k}（{v}）" for k, v in SERVICE_METHODS.items())
        raise ActionRefused("service.method", f"送达方式“{method}”无效；可选：{options}")
    number = (tracking_no or "").strip() or None
    if method == "ems" and number is None:
        raise ActionRefused("service.tracking_no", "EMS送达须填写邮件号")
    check_day(case, "service.served_on", served_on, "送达日期")
    signed = sign_off_date(case)
    if signed is None:
        raise ActionRefused("service", "答复书（告知书）尚未签发，不能登记送达")
    if served_on < signed:
        raise ActionRefused(
            "service.served_on", f"送达日期{cn_date(served_on)}早于签发日期{cn_date(signed)}"
        )
    letter = session.get(Letter, letter_id) if letter_id is not None else None
    if letter_id is not None and (letter is None or letter.case_id != case.id):
        raise ActionRefused("service.letter", f"文书{letter_id}不属于案件{case.no}")
    if letter is not None and letter.status != "issued":
        raise ActionRefused("service.letter", "文书尚未发文（没有文号），不能登记送达")
    row = ServiceRecord(
        letter_id=letter_id,
        method=method,
        tracking_no=number,
        served_on=served_on,
        proof=proof.strip(),
        recorded_by=actor.username,
    )
    case.services.append(row)
    act.record(
        {
            "service.method": (None, SERVICE_METHODS[method]),
            "service.tracking_no": (None, number),
            "service.served_on": (None, served_on),
            "service.proof": (None, row.proof or None),
        }
    )
    return act.done(row)


def archive(session: Session, actor: User, ref: CaseRef) -> Result[Case]:
    """归档: the file is closed; from now on only reviews and suits are added."""
    act = begin(session, actor, ref, "archive")
    case = act.case
    if case.outcome_code is None:
        raise ActionRefused("outcome", "案件尚未办结，不能归档")
    signed = sign_off_date(case)
    if signed is None:
        raise ActionRefused("approval", "答复书（告知书）尚未签发，不能归档")
    if not any(s.served_on >= signed for s in case.services):
        raise ActionRefused("service", "答复书（告知书）签发后尚未登记送达，不能归档")
    act.set(archived_at=dt.datetime.now(dt.UTC))
    return act.done(case)


# --- 行政复议、行政诉讼 ---------------------------------------------------------------------


def _check_result(result: str | None, decided: dt.date | None, filed: dt.date) -> None:
    if result is not None and result not in vocab.REVIEW_RESULTS:
        options = "、".join(f"{k}（{v}）" for k, v in vocab.REVIEW_RESULTS.items())
        raise ActionRefused("review.result", f"审结结果“{result}”无效；可选：{options}")
    if (result is None) != (decided is None):
        raise ActionRefused("review.decided", "审结结果和审结日期须同时填写")
    if decided is not None:
        if decided < filed:
            raise ActionRefused(
                "review.decided", f"审结日期{cn_date(decided)}早于受理日期{cn_date(filed)}"
            )
        if decided > today():
            raise ActionRefused("review.decided", f"审结日期{cn_date(decided)}晚于今天")


def add_review(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    kind: str,
    filed: dt.date,
    result: str | None = None,
    decided: dt.date | None = None,
) -> Result[Review]:
    """登记复议或诉讼 against the reply; counted in table 四 of the annual report."""
    act = begin(session, actor, ref, "add_review")
    case = act.case
    if kind not in vocab.REVIEW_KINDS:
        options = "、".join(f"{k}（{v}）" for k, v in vocab.REVIEW_KINDS.items())
        raise ActionRefused("review.kind", f"类别“{kind}”无效；可选：{options}")
    check_day(case, "review.filed", filed, "受理日期")
    if case.outcome_on is not None and filed < case.outcome_on:
        raise ActionRefused(
            "review.filed", f"受理日期{cn_date(filed)}早于答复日期{cn_date(case.outcome_on)}"
        )
    _check_result(result, decided, filed)
    row = Review(kind=kind, filed=filed, result=result, decided=decided)
    case.reviews.append(row)
    act.record(
        {
            "review.kind": (None, vocab.REVIEW_KINDS[kind]),
            "review.filed": (None, filed),
            "review.result": (None, vocab.REVIEW_RESULTS.get(result or "")),
            "review.decided": (None, decided),
        }
    )
    return act.done(row)


def record_review_result(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    review_id: int,
    result: str,
    decided: dt.date,
) -> Result[Review]:
    """The result of a review or suit already registered (a case may be archived by then)."""
    act = begin(session, actor, ref, "add_review")
    case = act.case
    row = next((r for r in case.reviews if r.id == review_id), None)
    if row is None:
        raise ActionRefused("review", f"案件{case.no}没有编号为{review_id}的复议或诉讼记录")
    if row.result is not None:
        raise ActionRefused("review.result", "该复议或诉讼已登记审结结果")
    _check_result(result, decided, row.filed)
    old_result, old_decided = row.result, row.decided
    row.result, row.decided = result, decided
    act.record(
        {
            f"review[{row.id}].result": (old_result, vocab.REVIEW_RESULTS[result]),
            f"review[{row.id}].decided": (old_decided, decided),
        }
    )
    return act.done(row)
