"""The reply for every outcome, read as the legal reviewer who signs it, and its PDF pages."""

# One typical case per outcome (tests/letters_support.py), answered by a town, a department or
# the district government in turn. All the replies go through one LibreOffice run.

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cases.documents import letters, pdf
from cases.office.profile import OfficeProfile
from cases.rules.handbook import OUTCOME_CODES, load_handbook
from cases.storage.model import Case
from cases.storage.store import Store
from tests.letters_support import INTERNAL_NOTE, STATEMENTS, issue, typical_case
from tests.test_letters import all_text, reopen
from tests.test_pdf import page_count

needs_soffice = pytest.mark.skipif(not pdf.available(), reason="LibreOffice (soffice) 未安装")


def _replies(store: Store) -> dict[str, tuple[str | None, bytes]]:
    replies: dict[str, tuple[str | None, bytes]] = {}
    with store.transaction() as session:
        for index, code in enumerate(OUTCOME_CODES):
            case = typical_case(session, code, index)
            replies[code] = (case.body, issue(session, case, "reply").content)
    return replies


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_every_reply_names_its_unit_review_body_citation_and_reason(store: Store) -> None:
    profile = OfficeProfile()
    handbook = load_handbook()
    for code, (body, content) in _replies(store).items():
        text = all_text(reopen(content))
        unit = profile.unit(body)
        outcome = handbook.outcome(code)
        lines = text.splitlines()
        assert lines[0] == unit.name, code  # issued in the unit's name …
        assert f"\t{unit.name}" in lines, code  # … and signed by it
        assert f"向{unit.reconsideration_body}申请行政复议" in text, code
        assert outcome.citation_sentence in text, code
        assert outcome.reasons[0].text in text, code
        assert INTERNAL_NOTE not in text, code
        assert STATEMENTS.get(code, "") in text, code
        review_first = code in profile.review_first
        assert ("应当先" in text) == review_first, code
        assert "依法向人民法院提起行政诉讼" in text, code
        assert "王某某" in text and "310230198001010011" not in text, code
    assert "行政机关为上海市规划和自然资源局（联系方式：021-00000000）。" in all_text(
        reopen(_replies(store)["unable_not_ours"][1])
    )


@needs_soffice
@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_every_reply_fits_on_one_page_where_its_text_fits(store: Store) -> None:
    replies = _replies(store)
    pdfs = dict(zip(replies, pdf.docx_to_pdf_many([c for _, c in replies.values()]), strict=True))
    # A typical reply fits on one page; the 部分公开 reply's two-part remedy and a refusal
    # citing 条例 15 and 32 are longer than one page's 22 lines, and then a second page holds
    # the remedy with the closing and signature, never the signature alone.
    longer = {"partial", "withhold_query", "unable_not_ours", "reject_excessive"}
    for code, data in pdfs.items():
        pages = page_count(data)
        assert pages == 1 or (code in longer and pages == 2), (code, pages)
    report = pdf.font_report(pdfs["disclose"])
    assert isinstance(report.missing, tuple)
    if report.missing:
        assert "本机缺少文书所需字体" in report.message()


def test_headings_are_in_heiti_and_the_service_proof_has_its_rows() -> None:
    import docx
    from docx.oxml.ns import qn

    notice = docx.Document(str(letters.default_templates_dir() / "third_party_notice.docx"))
    level1 = next(s for s in notice.styles if s.style_id == "Level1Char")
    fonts = level1.element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "黑体"  # 一、… headings (GB/T 9704 7.3.3)
    assert any(
        r.style is not None and r.style.style_id == "Level1Char" and r.text.startswith("一、")
        for p in notice.paragraphs
        for r in p.runs
    )
    service = docx.Document(str(letters.default_templates_dir() / "service.docx"))
    labels = [row.cells[0].text for row in service.tables[0].rows]
    assert "送达地址" in labels and "邮政编码" in labels and "送达人" in labels


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_letters_to_a_third_party_never_show_the_applicants_address_or_id(store: Store) -> None:
    with store.transaction() as session:
        case = typical_case(session, "partial")
        texts = [all_text(reopen(issue(session, case, k).content)) for k in
                 ("consultation", "third_party_notice")]  # fmt: skip
        served = issue(session, case, "consultation")
        proof = all_text(reopen(letters_service(session, case, served.id)))
    for text in [*texts, proof]:
        assert "城桥镇某某路1号" not in text and "310230198001010011" not in text
        assert "13800000000" not in text
    assert "补偿方案中的补偿标准和补偿总额" in texts[1]  # what will be disclosed
    assert "（本告知书发出之日起15个工作日后）予以公开" in texts[1]
    assert "上海某某房地产开发有限公司" in proof  # the proof names whom it was served on


def letters_service(session: Session, case: Case, letter_id: int) -> bytes:
    """The 送达回证 of one issued letter, as drafted."""
    return letters.draft_letter(session, case, "service", "张三", target_id=letter_id).content
