"""From the outcome to the archive: proposal, 审核签发, 送达, 归档, and what an archive allows."""

from __future__ import annotations

import pytest

from cases import actions
from cases.actions.settings import change_setting
from cases.documents import letters
from cases.office import users
from cases.rules import settings, workflow
from cases.storage.model import Approval
from cases.storage.store import Store
from cases.timing import deadlines
from tests.actions_support import D, Desk, records_of

DAY0 = D(2025, 3, 3)  # reply due 2025-03-31


def at_handle(desk: Desk) -> str:
    no = desk.register(DAY0)
    desk.to_handle(no)
    return no


def test_the_chosen_outcome_is_a_proposal_until_signed(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    choice = desk.do(
        actions.choose_outcome, desk.handler, no, code="unable_not_held",
        reasons=[desk_reason("unable_not_held")], on=D(2025, 3, 20),
    )  # fmt: skip
    assert not choice.final
    case = desk.case(no)
    assert (case.outcome_code, case.status, case.due, case.step) == (
        None, "open", D(2025, 3, 31), "draft",
    )  # fmt: skip
    assert workflow.current_outcome(case) == choice
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose_public", reasons=["website"],
        note="见区政府网站", on=D(2025, 3, 21),
    )  # fmt: skip
    trail = records_of(desk.trail(no), "choose_outcome")
    assert trail["proposed_outcome"] == ("unable_not_held", "disclose_public")
    assert trail["proposed_note"] == (None, "见区政府网站")
    desk.sign(no, D(2025, 3, 24))
    case = desk.case(no)
    assert (case.outcome_code, case.outcome_on, case.outcome_reasons, case.outcome_note) == (
        "disclose_public", D(2025, 3, 24), "website", "见区政府网站",
    )  # fmt: skip
    assert (case.status, case.due, case.step) == ("closed", D(2025, 3, 31), "serve")
    final = workflow.current_outcome(case)
    assert final is not None and final.final and final.on == D(2025, 3, 24)
    signed = records_of(desk.trail(no), "sign_off")
    assert signed["outcome_code"] == (None, "disclose_public")
    assert signed["status"] == ("open", "closed")


def desk_reason(code: str) -> str:
    return workflow.handbook().outcome(code).reasons[0].id


@pytest.mark.parametrize(
    ("code", "reasons", "field", "says"),
    [
        ("nonsense", ["x"], "outcome.code", "没有办理结果“nonsense”"),
        ("other_withdrawn", ["written"], "outcome.code", "登记撤回申请"),
        ("other_no_correction", ["no_reply"], "outcome.code", "逾期未补正"),
        ("other_fee_unpaid", ["not_paid"], "outcome.code", "逾期未缴费"),
        ("partial", [], "outcome.reasons", "须至少选择一项理由"),
        ("partial", ["privacy", "website"], "outcome.reasons", "没有理由“website”"),
        ("unable_unclear", ["__first__"], "outcome.code", "补正后仍不明确"),
    ],
)
def test_choose_outcome_refusals(
    store: Store, code: str, reasons: list[str], field: str, says: str
) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    if reasons == ["__first__"]:
        reasons = [desk_reason(code)]
    refusal = desk.refuse(
        actions.choose_outcome, desk.handler, no, code=code, reasons=reasons, on=D(2025, 3, 20)
    )
    assert refusal.field == field and says in refusal.message


def test_submit_needs_an_outcome_and_review_needs_the_right_role(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(actions.advance, desk.handler, no, "draft")
    bare = desk.refuse(actions.submit_for_review, desk.handler, no)
    assert bare.field == "outcome" and "尚未确定办理结果" in bare.message
    skip = desk.refuse(actions.advance, desk.handler, no, "sign_off")
    assert skip.field == "step" and "提交审核" in skip.message
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"],
        on=D(2025, 3, 20),
    )  # fmt: skip
    desk.do(actions.submit_for_review, desk.handler, no, comment="请审核")
    handler_try = desk.refuse(actions.review, desk.handler, no)
    assert handler_try.field == "role"
    signer_try = desk.refuse(actions.review, desk.signer, no)  # 审核 is the disclosure office's
    assert signer_try.field == "role"
    early = desk.refuse(actions.sign_off, desk.signer, no, on=D(2025, 3, 21))
    assert early.field == "approval" and "尚未审核" in early.message
    desk.do(actions.review, desk.reviewer, no, comment="同意")
    twice = desk.refuse(actions.review, desk.reviewer, no)
    assert "正在等待签发" in twice.message
    reviewer_sign = desk.refuse(actions.sign_off, desk.reviewer, no, on=D(2025, 3, 21))
    assert reviewer_sign.field == "role" and "签发人" in reviewer_sign.message
    stages = [(a.stage, a.decision) for a in desk.case(no).approvals]
    assert stages == [("outcome", None), ("review", "approved"), ("sign_off", None)]


def test_the_reviewer_and_the_signer_are_two_people(store: Store) -> None:
    desk = Desk.open(store)
    both = desk.do(
        users.create_user, desk.admin, username="boss", display_name="钱主任",
        roles=["reviewer", "signer"],
    )  # fmt: skip
    no = at_handle(desk)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"],
        on=D(2025, 3, 20),
    )  # fmt: skip
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, both, no)
    refusal = desk.refuse(actions.sign_off, both, no, on=D(2025, 3, 21))
    assert refusal.field == "signer" and "不同的人" in refusal.message
    # A one-person desk may switch the rule off in its settings.
    desk.do(change_setting, desk.admin, settings.SEPARATE_SIGN_OFF, False)
    desk.do(actions.sign_off, both, no, on=D(2025, 3, 21))
    assert desk.case(no).outcome_code == "disclose"


def test_return_for_revision_sends_the_draft_back(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="withhold_process",
        reasons=[desk_reason("withhold_process")], on=D(2025, 3, 20),
    )  # fmt: skip
    desk.do(actions.submit_for_review, desk.handler, no)
    silent = desk.refuse(actions.return_for_revision, desk.reviewer, no, comment=" ")
    assert silent.field == "comment"
    desk.do(actions.return_for_revision, desk.reviewer, no, comment="能区分处理，应部分公开")
    case = desk.case(no)
    assert case.step == "draft" and case.outcome_code is None
    trail = records_of(desk.trail(no), "return_for_revision")
    assert trail["review.decision"] == (None, "退回修改")
    assert trail["step"] == ("sign_off", "draft")
    desk.do(
        actions.choose_outcome, desk.handler, no, code="partial", reasons=["process_information"],
        on=D(2025, 3, 24),
    )  # fmt: skip
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, desk.reviewer, no)
    desk.do(actions.return_for_revision, desk.signer, no, comment="理由再具体些")
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, desk.reviewer, no)
    desk.do(actions.sign_off, desk.signer, no, on=D(2025, 3, 27))
    case = desk.case(no)
    assert (case.outcome_code, case.outcome_on) == ("partial", D(2025, 3, 27))
    decisions = [(a.stage, a.decision) for a in case.approvals if a.stage != "outcome"]
    assert decisions == [
        ("review", "returned"),
        ("review", "approved"),
        ("sign_off", "returned"),
        ("review", "approved"),
        ("sign_off", "approved"),
    ]


def test_a_reply_signed_on_day_0_is_a_same_day_reply(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.close(no, "disclose_public", ["website"], DAY0, DAY0)
    case = desk.case(no)
    assert (case.outcome_on, case.status) == (DAY0, "closed")
    with store.session() as s:
        stored = actions.load_case(s, no)
        explanation = deadlines.clock_of(stored, deadlines.load_calendar(s)).explanation
    assert any("当场答复" in line for line in explanation)


def signed_case(desk: Desk, on: object = D(2025, 3, 20)) -> str:
    no = at_handle(desk)
    desk.do(actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"], on=on)
    desk.sign(no, D(2025, 3, 20))
    return no


def test_service_refusals(store: Store) -> None:
    desk = Desk.open(store)
    no = signed_case(desk)
    method = desk.refuse(
        actions.record_service, desk.handler, no, method="pigeon", served_on=D(2025, 3, 21)
    )
    assert method.field == "service.method"
    ems = desk.refuse(
        actions.record_service, desk.handler, no, method="ems", served_on=D(2025, 3, 21)
    )
    assert ems.field == "service.tracking_no" and "邮件号" in ems.message
    before = desk.refuse(
        actions.record_service, desk.handler, no, method="in_person", served_on=D(2025, 3, 19)
    )
    assert before.field == "service.served_on" and "早于签发日期" in before.message
    letter = desk.refuse(
        actions.record_service, desk.handler, no, method="email", served_on=D(2025, 3, 21),
        letter_id=999,
    )  # fmt: skip
    assert letter.field == "service.letter"
    with desk.store.transaction() as session:
        draft = letters.draft_letter(session, actions.load_case(session, no), "reply", "王敏")
        draft_id = draft.id
    unissued = desk.refuse(
        actions.record_service, desk.handler, no, method="email", served_on=D(2025, 3, 21),
        letter_id=draft_id,
    )  # fmt: skip
    assert unissued.field == "service.letter" and "尚未发文" in unissued.message
    archive_early = desk.refuse(actions.advance, desk.handler, no, "archive")
    assert archive_early.field == "service"


def test_service_is_recorded_with_its_proof(store: Store) -> None:
    desk = Desk.open(store)
    no = signed_case(desk)
    desk.do(
        actions.record_service, desk.handler, no, method="ems", served_on=D(2025, 3, 22),
        tracking_no=" EA000000001CN ", proof="EMS妥投查询记录",
    )  # fmt: skip
    service = desk.case(no).services[0]
    assert (service.method, service.tracking_no, service.served_on, service.recorded_by) == (
        "ems", "EA000000001CN", D(2025, 3, 22), "handler",
    )  # fmt: skip
    trail = records_of(desk.trail(no), "record_service")
    assert trail["service.tracking_no"] == (None, "EA000000001CN")
    assert trail["service.proof"] == (None, "EMS妥投查询记录")


def test_an_archived_case_is_read_only_except_for_reviews(store: Store) -> None:
    desk = Desk.open(store)
    no = signed_case(desk)
    desk.serve_and_archive(no, D(2025, 3, 22))
    case = desk.case(no)
    assert case.archived_at is not None and case.step == "archive"
    assert records_of(desk.trail(no), "archive")["archived_at"][0] is None
    for attempt in (
        lambda: desk.refuse(actions.archive, desk.handler, no),
        lambda: desk.refuse(actions.void, desk.admin, no, reason="x"),
        lambda: desk.refuse(actions.assign, desk.handler, no, department="x"),
        lambda: desk.refuse(
            actions.record_service, desk.handler, no, method="email", served_on=D(2025, 3, 23)
        ),
    ):
        refusal = attempt()
        assert refusal.field == "archived" and "已归档" in refusal.message

    early = desk.refuse(
        actions.add_review, desk.handler, no, kind="reconsideration", filed=D(2025, 3, 19)
    )
    assert early.field == "review.filed" and "早于答复日期" in early.message
    kind = desk.refuse(actions.add_review, desk.handler, no, kind="appeal", filed=D(2025, 5, 6))
    assert kind.field == "review.kind"
    half = desk.refuse(
        actions.add_review, desk.handler, no, kind="reconsideration", filed=D(2025, 5, 6),
        result="upheld",
    )  # fmt: skip
    assert half.field == "review.decided"
    review = desk.do(
        actions.add_review, desk.handler, no, kind="reconsideration", filed=D(2025, 5, 6)
    )
    desk.do(
        actions.record_review_result, desk.handler, no, review_id=review.id, result="upheld",
        decided=D(2025, 7, 1),
    )  # fmt: skip
    stored = desk.case(no).reviews[0]
    assert (stored.kind, stored.result, stored.decided) == (
        "reconsideration", "upheld", D(2025, 7, 1),
    )  # fmt: skip
    trail = records_of(desk.trail(no), "add_review")
    assert trail["review.kind"] == (None, "行政复议")
    assert trail[f"review[{review.id}].result"] == (None, "结果维持")
    twice = desk.refuse(
        actions.record_review_result, desk.handler, no, review_id=review.id, result="other",
        decided=D(2025, 7, 2),
    )  # fmt: skip
    assert "已登记审结结果" in twice.message


def test_withdrawal_closes_at_once_and_still_goes_through_sign_off(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.withdraw, desk.handler, no, reasons=["written"], on=D(2025, 3, 12),
        note="申请人递交书面撤回申请",
    )  # fmt: skip
    case = desk.case(no)
    assert (case.outcome_code, case.outcome_on, case.status, case.step) == (
        "other_withdrawn", D(2025, 3, 12), "closed", "draft",
    )  # fmt: skip
    closed = desk.refuse(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"],
        on=D(2025, 3, 13),
    )  # fmt: skip
    assert closed.field == "outcome" and "已于2025年3月12日按“其他处理-申请人撤回”办结" in (
        closed.message
    )
    twice = desk.refuse(actions.withdraw, desk.handler, no, reasons=["written"], on=D(2025, 3, 13))
    assert twice.field == "outcome"
    # The 告知书 is signed after the withdrawal, never before it.
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, desk.reviewer, no)
    before = desk.refuse(actions.sign_off, desk.signer, no, on=D(2025, 3, 11))
    assert before.field == "sign_off.on"
    desk.do(actions.sign_off, desk.signer, no, on=D(2025, 3, 13))
    assert desk.case(no).outcome_on == D(2025, 3, 12)  # the sign-off does not move it
    desk.serve_and_archive(no, D(2025, 3, 14))
    assert desk.case(no).archived_at is not None


def test_a_signature_request_without_its_outcome_signs_the_latest_proposal(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="unable_not_ours",
        reasons=[desk_reason("unable_not_ours")], on=D(2025, 3, 20),
        holder="上海市规划和自然资源局", holder_contact="021-23111111",
    )  # fmt: skip
    # As an import or the demo data may leave it: a bare request for a signature.
    with store.transaction() as s:
        case = actions.load_case(s, no)
        case.step = "sign_off"
        case.approvals.append(Approval(stage="sign_off", requested_by="handler", payload="{}"))
    desk.do(actions.sign_off, desk.signer, no, on=D(2025, 3, 21))
    assert desk.case(no).outcome_code == "unable_not_ours"
    assert desk.case(no).outcome_holder == "上海市规划和自然资源局"  # signed with the proposal


def test_a_signature_request_with_no_outcome_at_all_is_refused(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    with store.transaction() as s:
        case = actions.load_case(s, no)
        case.step = "sign_off"
        case.approvals.append(Approval(stage="sign_off", requested_by="handler", payload=""))
    refusal = desk.refuse(actions.sign_off, desk.signer, no, on=D(2025, 3, 21))
    assert refusal.field == "outcome" and "退回拟稿" in refusal.message
