"""Letters inside the procedure: the reply is drafted in 拟稿 from the proposal, before 签发."""

from __future__ import annotations

import io

from docx import Document

from cases import actions, letters
from cases.handbook import load_handbook
from cases.store import Store
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
