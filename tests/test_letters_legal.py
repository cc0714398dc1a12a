"""The reply for every outcome, read as the legal reviewer who signs it, and its PDF pages."""

# One typical case per outcome (tests/letters_support.py), answered by a town, a department or
# the district government in turn. All the replies go through one LibreOffice run.

from __future__ import annotations

import pytest

from cases import pdf
from cases.handbook import OUTCOME_CODES, load_handbook
from cases.profile import OfficeProfile
from cases.store import Store
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
