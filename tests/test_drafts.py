"""Draft letters as guarded operations: regenerate, replace with an edited copy, correct."""

from __future__ import annotations

import io

from docx import Document

from cases import actions
from cases.actions import drafts
from cases.documents.letter_context import DATE_PLACEHOLDER, NUMBER_PLACEHOLDER
from cases.storage.model import Letter
from cases.storage.store import Store
from tests.actions_support import D, Desk
from tests.test_letters_workflow import proposed


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def edited(content: bytes, old: str, new: str) -> bytes:
    """The draft as a user saves it from Word after changing one paragraph's text."""
    doc = Document(io.BytesIO(content))
    for paragraph in doc.paragraphs:
        if old in paragraph.text:
            paragraph.text = paragraph.text.replace(old, new)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def stored(desk: Desk, letter_id: int) -> Letter:
    with desk.store.session() as s:
        letter = s.get(Letter, letter_id)
        assert letter is not None
        s.expunge(letter)
        return letter


def test_an_edited_copy_replaces_the_draft(store: Store) -> None:
    desk = Desk.open(store)
    no = proposed(desk)
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    content = edited(reply.content, "申请", "申请（经承办人核对）")
    result = desk.run(drafts.replace_draft, desk.handler, reply.id, content)
    assert result.changes.cases == {reply.case_id} and not result.changes.case_list
    assert "经承办人核对" in text_of(stored(desk, reply.id).content)
    trail = [r for r in desk.trail(no) if r.action == "letter_edit"]
    assert [(r.old, r.new) for r in trail] == [(reply.sha256, stored(desk, reply.id).sha256)]


def test_a_file_that_is_not_a_letter_is_refused_and_the_draft_kept(store: Store) -> None:
    desk = Desk.open(store)
    no = proposed(desk)
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    not_docx = desk.refuse(drafts.replace_draft, desk.handler, reply.id, b"PK\x03\x04 broken")
    assert not_docx.field == "letter.content" and "不是可以打开的 Word" in not_docx.message
    date_gone = desk.refuse(
        drafts.replace_draft, desk.handler, reply.id,
        edited(reply.content, DATE_PLACEHOLDER, "2025年3月24日"),
    )  # fmt: skip
    assert date_gone.field == "letter.content" and "找不到日期位置" in date_gone.message
    number_gone = desk.refuse(
        drafts.replace_draft, desk.handler, reply.id, edited(reply.content, NUMBER_PLACEHOLDER, "")
    )
    assert "找不到文号位置" in number_gone.message
    assert stored(desk, reply.id).sha256 == reply.sha256


def test_only_drafters_work_on_drafts_and_only_on_drafts(store: Store) -> None:
    desk = Desk.open(store)
    no = proposed(desk)
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    by_admin = desk.refuse(drafts.regenerate_draft, desk.admin, reply.id)
    assert by_admin.field == "role" and by_admin.message.startswith("重新生成草稿需要")
    again = desk.run(drafts.regenerate_draft, desk.handler, reply.id)
    assert again.changes.cases == {reply.case_id}
    desk.sign(no, D(2025, 3, 24))
    desk.do(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 24))
    issued = desk.refuse(drafts.replace_draft, desk.handler, reply.id, reply.content)
    assert issued.field == "letter.status" and "已发文" in issued.message
    not_issued = desk.do(actions.draft, desk.handler, no, "reply")
    early = desk.refuse(drafts.correct_letter, desk.handler, not_issued.id)
    assert early.field == "letter.status"
    correction = desk.do(drafts.correct_letter, desk.handler, reply.id)
    assert correction.supersedes_id == reply.id and correction.status == "draft"


def test_a_voided_case_takes_no_draft_work(store: Store) -> None:
    desk = Desk.open(store)
    no = proposed(desk)
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    desk.do(actions.void, desk.reviewer, no, reason="误登记")
    voided = desk.refuse(drafts.regenerate_draft, desk.handler, reply.id)
    assert voided.field == "voided" and "已作废" in voided.message
