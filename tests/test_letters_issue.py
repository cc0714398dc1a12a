"""Drafting, editing, issuing, correcting; numbers gapless per kind and year, also concurrently."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import threading
import zipfile

import pytest
from lxml import etree
from sqlalchemy import select

from cases.documents import letters
from cases.documents.letter_context import DATE_PLACEHOLDER, NUMBER_PLACEHOLDER
from cases.storage.model import AuditRecord, Case, Letter, LetterCounter
from cases.storage.store import Store, open_store
from tests.test_letters import all_text, issue, make_case, reopen

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def document_xml(content: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml")


def replace_document_xml(content: bytes, xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = xml if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info, data)
    return out.getvalue()


def split_placeholder_runs(content: bytes, placeholder: str) -> bytes:
    """What Word does to a run when someone types next to it: two runs, the text cut in two."""
    root = etree.fromstring(document_xml(content))
    for text in root.iter(f"{W}t"):
        if text.text and placeholder in text.text:
            run = text.getparent()
            half = len(text.text) // 2
            second = copy.deepcopy(run)
            second.find(f"{W}t").text = text.text[half:]
            text.text = text.text[:half]
            run.addnext(second)
            break
    else:
        raise AssertionError("placeholder not found")
    return replace_document_xml(content, etree.tostring(root, xml_declaration=True))


def test_a_draft_carries_placeholders_and_issuing_fills_them(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        draft = letters.draft_letter(session, case, "reply", "张三")
        assert draft.status == "draft" and draft.number is None
        draft_text = all_text(reopen(draft.content))
        assert NUMBER_PLACEHOLDER in draft_text and DATE_PLACEHOLDER in draft_text
        issued = letters.issue_letter(session, draft, "李四", on=dt.date(2025, 4, 21))
    text = all_text(reopen(issued.content))
    assert issued.status == "issued"
    assert (issued.number, issued.year, issued.seq) == ("崇府信公〔2025〕第1号", 2025, 1)
    assert issued.issued_by == "李四" and issued.created_by == "张三"
    assert issued.number in text and "2025年4月21日" in text
    assert NUMBER_PLACEHOLDER not in text and DATE_PLACEHOLDER not in text
    assert issued.sha256 == hashlib.sha256(issued.content).hexdigest()


def test_numbers_run_per_kind_and_per_year(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        replies = [issue(session, case, "reply").number for _ in range(3)]
        receipt = issue(session, case, "receipt").number
        next_year = issue(session, case, "reply", on=dt.date(2026, 1, 5)).number
    assert replies == [f"崇府信公〔2025〕第{n}号" for n in (1, 2, 3)]
    assert receipt == "崇府信公收〔2025〕第1号"
    assert next_year == "崇府信公〔2026〕第1号"


def test_an_issued_letter_cannot_change_or_disappear(store: Store) -> None:
    with store.transaction() as session:
        letter_id = issue(session, make_case(session, "disclose"), "reply").id
    with pytest.raises(letters.IssuedLetterImmutable), store.transaction() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        letter.content = b"forged"
        session.flush()
    with pytest.raises(letters.IssuedLetterImmutable), store.transaction() as session:
        session.delete(session.get(Letter, letter_id))
        session.flush()
    with store.session() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        assert letter.sha256 == hashlib.sha256(letter.content).hexdigest()
        with pytest.raises(letters.LetterRefused, match="已发文"):
            letters.regenerate_draft(session, letter, "张三")
        with pytest.raises(letters.LetterRefused, match="已发文"):
            letters.edit_draft(session, letter, letter.content, "张三")
        with pytest.raises(letters.LetterRefused, match="已发文"):
            letters.issue_letter(session, letter, "李四")


def test_a_draft_edited_in_word_keeps_the_edits_and_is_issued(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        draft = letters.draft_letter(session, case, "reply", "张三")
        edited = replace_document_xml(
            draft.content,
            document_xml(draft.content).replace(
                "特此答复".encode(), "特此答复（已人工修改）".encode()
            ),
        )
        edited = split_placeholder_runs(edited, NUMBER_PLACEHOLDER)
        letters.edit_draft(session, draft, edited, "张三")
        issued = letters.issue_letter(session, draft, "李四", on=dt.date(2025, 4, 21))
    text = all_text(reopen(issued.content))
    assert "特此答复（已人工修改）" in text
    assert "崇府信公〔2025〕第1号" in text
    assert NUMBER_PLACEHOLDER not in text


def test_an_edit_that_is_not_a_docx_is_refused(store: Store) -> None:
    with store.transaction() as session:
        draft = letters.draft_letter(session, make_case(session, "disclose"), "reply", "张三")
        before = draft.sha256
        with pytest.raises(letters.LetterRefused, match="不是 Word"):
            letters.edit_draft(session, draft, b"%PDF-1.7", "张三")
        assert draft.sha256 == before


def test_regenerating_a_draft_follows_the_case(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        draft = letters.draft_letter(session, case, "reply", "张三")
        case.outcome_statement = "新的说明"
        letters.regenerate_draft(session, draft, "张三")
        assert "新的说明" in all_text(reopen(draft.content))
        assert draft.sha256 == hashlib.sha256(draft.content).hexdigest()


def test_a_draft_without_its_number_place_is_refused_and_takes_no_number(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        draft = letters.draft_letter(session, case, "reply", "张三")
        xml = document_xml(draft.content).replace(NUMBER_PLACEHOLDER.encode(), "第　号".encode())
        letters.edit_draft(session, draft, replace_document_xml(draft.content, xml), "张三")
        with pytest.raises(letters.LetterRefused, match="找不到文号位置"):
            letters.issue_letter(session, draft, "李四", on=dt.date(2025, 4, 21))
        assert draft.status == "draft"
        assert issue(session, case, "reply").seq == 1


def test_a_rolled_back_issue_gives_its_number_back(store: Store) -> None:
    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    with pytest.raises(RuntimeError, match="desk crashed"), store.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert issue(session, case, "reply").seq == 1
        raise RuntimeError("desk crashed")
    with store.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert case.letters == []
        assert issue(session, case, "reply").seq == 1


def test_a_correction_is_a_new_numbered_version_that_references_the_old(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        first = issue(session, case, "reply")
        draft = letters.correct_letter(session, first, "张三")
        assert draft.supersedes_id == first.id and draft.status == "draft"
        assert letters.current_letter(case, "reply") is first  # until the correction is issued
        second = letters.issue_letter(session, draft, "李四", on=dt.date(2025, 4, 22))
        assert second.seq == 2 and second.supersedes_id == first.id
        assert letters.current_letter(case, "reply") is second
        with pytest.raises(letters.LetterRefused, match="已有更正版本"):
            letters.correct_letter(session, first, "张三")
        with pytest.raises(letters.LetterRefused, match="只有已发文"):
            letters.correct_letter(
                session, letters.draft_letter(session, case, "reply", "张三"), "张三"
            )
        assert first.status == "issued" and first.number == "崇府信公〔2025〕第1号"


def test_every_step_is_in_the_audit_trail(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        letter = issue(session, case, "reply")
        letters.correct_letter(session, letter, "王五")
        case_id = case.id
    with store.session() as session:
        trail = session.scalars(
            select(AuditRecord).where(AuditRecord.case_id == case_id).order_by(AuditRecord.id)
        ).all()
    actions = [(r.action, r.actor) for r in trail if r.action.startswith("letter")]
    assert ("letter_draft", "张三") in actions
    assert ("letter_issue", "李四") in actions
    assert ("letter_correct", "王五") in actions
    numbers = [r.new for r in trail if r.field == f"letter#{letter.id}.number"]
    assert numbers == ["崇府信公〔2025〕第1号"]


def test_a_voided_case_gets_no_letters(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        draft = letters.draft_letter(session, case, "reply", "张三")
        case.voided, case.void_reason = True, "重复登记"
        with pytest.raises(letters.LetterRefused, match="已作废"):
            letters.draft_letter(session, case, "receipt", "张三")
        with pytest.raises(letters.LetterRefused, match="已作废"):
            letters.issue_letter(session, draft, "李四")


def test_render_letter_gives_the_issued_file_or_a_fresh_draft(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        issued = issue(session, case, "reply")
        no = case.no
    with store.session() as session:
        assert letters.render_letter(session, no, "reply") == issued.content
        fresh = letters.render_letter(session, no, "reply", fresh=True, actor_name="命令行")
        receipt = letters.render_letter(session, no, "receipt")
        with pytest.raises(letters.LetterRefused, match="找不到案件"):
            letters.render_letter(session, "NO-SUCH", "reply")
        assert [x.id for x in session.scalars(select(Letter))] == [issued.id]  # nothing stored
    assert NUMBER_PLACEHOLDER in all_text(reopen(fresh))
    assert reopen(fresh).core_properties.author == "命令行"
    assert "登记回执" in all_text(reopen(receipt))


def test_numbers_already_present_are_stepped_over(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        # A letter imported from the old system holds number 1 without the counter knowing.
        session.add(
            Letter(
                case=case,
                kind="reply",
                status="draft",
                year=2025,
                seq=1,
                content=b"",
                sha256="",
                created_by="导入",
            )
        )
        session.flush()
        assert issue(session, case, "reply").seq == 2


def test_two_desks_issuing_at_the_same_moment_get_gapless_numbers(store: Store) -> None:
    per_desk = 6
    with store.transaction() as session:
        case = make_case(session, "disclose")
        drafts = [
            letters.draft_letter(session, case, "reply", "张三").id for _ in range(2 * per_desk)
        ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def desk(name: str, letter_ids: list[int]) -> None:
        own = open_store(store.target.url)  # each desk its own connection pool
        try:
            start.wait(timeout=30)
            for letter_id in letter_ids:
                with own.transaction() as session:
                    letter = session.get(Letter, letter_id)
                    assert letter is not None
                    letters.issue_letter(session, letter, name, on=dt.date(2025, 4, 21))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [
        threading.Thread(target=desk, args=("甲", drafts[0::2])),
        threading.Thread(target=desk, args=("乙", drafts[1::2])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with store.session() as session:
        issued = session.scalars(select(Letter).where(Letter.status == "issued")).all()
        counter = session.get(LetterCounter, ("reply", 2025))
    assert sorted(x.seq for x in issued) == list(range(1, 2 * per_desk + 1))
    assert len({x.number for x in issued}) == 2 * per_desk
    assert {x.issued_by for x in issued} == {"甲", "乙"}
    assert counter is not None and counter.last == 2 * per_desk
