"""Letters inside the procedure: the reply is drafted in 拟稿 from the proposal, before 签发."""

from __future__ import annotations

import io

from docx import Document

from cases import actions
from cases.documents import letters
from cases.rules.handbook import load_handbook
from cases.storage.store import Store
from tests.actions_support import D, Desk


def test_reply_is_drafted_from_the_proposed_outcome_before_sign_off(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(D(2025, 3, 3))
    desk.to_handle(no)
    reason = load_handbook().outcome("unable_not_held").reasons[0]
    desk.do(
        actions.choose_outcome, desk.handler, no, code="unable_not_held",
        reasons=[reason.id], on=D(2025, 3, 20),
    )  # fmt: skip
    with store.transaction() as session:
        case = actions.load_case(session, no)
        assert case.outcome_code is None  # still a proposal
        draft = letters.draft_letter(session, case, "reply", desk.handler.username)
        text = "\n".join(p.text for p in Document(io.BytesIO(draft.content)).paragraphs)
    assert "第三十六条第（四）项" in text
    assert reason.text in text


def proposed(desk: Desk) -> str:
    no = desk.register(D(2025, 3, 3))
    desk.to_handle(no)
    reason = load_handbook().outcome("disclose").reasons[0]
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=[reason.id],
        on=D(2025, 3, 20),
    )  # fmt: skip
    return no


def test_issuing_a_reply_follows_the_procedure(store: Store) -> None:
    desk = Desk.open(store)
    no = proposed(desk)
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    by_handler = desk.refuse(actions.issue, desk.handler, reply.id, on=D(2025, 3, 24))
    assert by_handler.field == "role"
    unsigned = desk.refuse(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 24))
    assert unsigned.field == "approval" and "签发" in unsigned.message
    desk.sign(no, D(2025, 3, 24))
    early = desk.refuse(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 21))
    assert early.field == "letter.on" and "早于签发日期" in early.message
    issued = desk.do(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 24))
    assert issued.status == "issued" and issued.number == "崇府信公〔2025〕第1号"
    assert issued.issued_by == desk.reviewer.username
    desk.do(
        actions.record_service, desk.handler, no, method="email", served_on=D(2025, 3, 25),
        letter_id=issued.id,
    )  # fmt: skip
    desk.do(actions.advance, desk.handler, no, "archive")
    desk.do(actions.archive, desk.handler, no)
    late = desk.refuse(actions.draft, desk.handler, no, "receipt")
    assert late.field == "archived"
