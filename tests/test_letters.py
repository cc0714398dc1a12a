"""Every letter for every outcome: content, GB/T 9704 layout, fonts; hostile text stays text."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal
from typing import Any

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy.orm import Session

from cases.documents import letters
from cases.documents.letter_context import clean, cn_date
from cases.office.profile import OfficeProfile, load_profile
from cases.rules.handbook import OUTCOME_CODES, load_handbook
from cases.storage.model import (
    Applicant,
    Case,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    Letter,
)
from cases.storage.store import Store
from cases.timing import deadlines

_numbers = itertools.count(1)
INTERNAL_NOTE = "内部备注：不得写入文书"


def make_case(
    session: Session,
    outcome: str | None = "disclose",
    *,
    name: str = "上海某某置业有限公司",
    description: str = "2024年崇明区某某路段房屋征收补偿方案",
    note: str = "相关信息见附件。",
    events: bool = True,
    delay: bool = False,
) -> Case:
    """A case received on Mon 2025-03-03 with every kind of event, closed with `outcome`."""
    applicant = Applicant(
        type="enterprise",
        name=name,
        id_type="uscc",
        address="上海市崇明区城桥镇某某路1号",
        postcode="202150",
        phone="13800000000",
        email="a@example.cn",
    )
    case = Case(
        no=f"2025-{next(_numbers):06d}",
        received=dt.date(2025, 3, 3),
        channel="post_signed",
        applicant=applicant,
        description=description,
        department="区规划资源局",
        handler="张三",
        day0=dt.date(2025, 3, 3),
        correction_notice_due=dt.date(2025, 3, 12),
    )
    if events:
        case.corrections.append(
            Correction(
                notice=dt.date(2025, 3, 5),
                until=dt.date(2025, 3, 26),
                received=dt.date(2025, 3, 10),
                items="写明所需信息的文号\n写明所需信息的形成年份",
            )
        )
        case.consultations.append(
            Consultation(
                party="third_party",
                to="上海某某房地产开发有限公司",
                sent=dt.date(2025, 3, 12),
                replied=dt.date(2025, 3, 20),
                opinion="object",
                information="补偿方案中的补偿标准",
            )
        )
        case.consultations.append(
            Consultation(
                party="agency", to="上海市崇明区住房保障和房屋管理局", sent=dt.date(2025, 3, 12)
            )
        )
        case.fees.append(
            Fee(
                notice=dt.date(2025, 3, 14),
                method="per_page",
                amount=Decimal(1700),
                units=150,
                paid=dt.date(2025, 3, 17),
            )
        )
        case.extensions.append(
            Extension(on=dt.date(2025, 4, 1), approved_by="王主任", reason="需要检索的档案较多")
        )
    if outcome is not None:
        reasons = load_handbook().outcome(outcome).reasons
        case.outcome_code = outcome
        case.outcome_on = dt.date(2025, 4, 20)
        case.outcome_reasons = " ".join(r.id for r in reasons[:2])
        case.outcome_statement = note  # 写入文书的说明
        if outcome == "unable_not_ours":
            case.outcome_holder = "上海市规划和自然资源局"
        case.outcome_note = INTERNAL_NOTE
    session.add(case)
    session.flush()
    if delay:
        # 条例 35: the request for reasons is issued before the delay it leads to.
        request = letters.draft_letter(session, case, "reasons", "张三")
        letters.issue_letter(session, request, "李四", on=dt.date(2025, 3, 10))
        case.delays.append(
            Delay(on=dt.date(2025, 3, 20), due=dt.date(2025, 5, 30), reason="申请数量较多")
        )
        session.flush()
    deadlines.refresh(case, deadlines.load_calendar(session))
    return case


def issue(
    session: Session, case: Case, kind: str, on: dt.date = dt.date(2025, 4, 21), **kw: Any
) -> Letter:
    draft = letters.draft_letter(session, case, kind, "张三", **kw)
    return letters.issue_letter(session, draft, "李四", on=on)


def reopen(content: bytes) -> DocumentObject:
    return docx.Document(io.BytesIO(content))


def all_text(document: DocumentObject) -> str:
    """Body paragraphs, table cells, headers and footers, one line each."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for part in (section.footer, section.even_page_footer, section.header):
            parts.extend(p.text for p in part.paragraphs)
    return "\n".join(parts)


def assert_gbt9704_layout(document: DocumentObject) -> None:
    section = document.sections[0]
    tolerance = Mm(0.2)
    for value, expected in (
        (section.page_width, Mm(210)),
        (section.page_height, Mm(297)),
        (section.top_margin, Mm(37)),
        (section.bottom_margin, Mm(35)),
        (section.left_margin, Mm(28)),
        (section.right_margin, Mm(26)),
    ):
        assert value is not None and abs(value - expected) <= tolerance, (value, expected)


def assert_east_asian_fonts(document: DocumentObject) -> None:
    styles = document.styles.element
    default_fonts = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    default_fonts = default_fonts.find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override it
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) not in ("paragraph", "character", "table"):
            continue
        fonts = style.find(qn("w:rPr"))
        fonts = fonts.find(qn("w:rFonts")) if fonts is not None else None
        assert fonts is not None and fonts.get(qn("w:eastAsia")), style.get(qn("w:styleId"))
    for run_fonts in document.element.body.iter(qn("w:rFonts")):
        assert run_fonts.get(qn("w:eastAsia")), "a run names fonts without the east-Asian one"


def assert_no_tags(text: str) -> None:
    for tag in ("{{", "{%", "%}", "【发文时编号】", "【发文日期】"):
        assert tag not in text, tag


# --------------------------------------------------------------------------- every kind × outcome


@pytest.mark.parametrize("outcome", OUTCOME_CODES)
def test_every_letter_for_every_outcome(store: Store, outcome: str) -> None:
    with store.transaction() as session:
        case = make_case(session, outcome)
        profile = load_profile(session)
        # 条例 32's notice exists only where the office discloses over the third party's objection.
        over_objection = outcome in ("disclose", "partial")
        kinds = [k for k in letters.KINDS if over_objection or k != "third_party_notice"]
        issued = {kind: issue(session, case, kind) for kind in kinds}
        if not over_objection:
            with pytest.raises(letters.LetterRefused, match="只用于决定公开"):
                issue(session, case, "third_party_notice")
        handbook = load_handbook()
        chosen = handbook.outcome(outcome)
        for kind, letter in issued.items():
            document = reopen(letter.content)
            text = all_text(document)
            assert_no_tags(text)
            assert_gbt9704_layout(document)
            assert_east_asian_fonts(document)
            assert INTERNAL_NOTE not in text, kind
            if kind != "third_party_notice":  # tells the third party what, not when asked
                assert cn_date(case.received) in text, kind
            assert cn_date(dt.date(2025, 4, 21)) in text, kind  # the date of issue
            if kind == "service":
                assert letter.number is None
                assert issued["reply"].number in text  # it proves service of the reply
                assert case.applicant.name in text
                continue
            assert letter.number == profile.number(kind, 2025, 1)
            assert letter.number in text, kind
            addressee = {
                "consultation": "上海某某房地产开发有限公司",
                "third_party_notice": "上海某某房地产开发有限公司",
                "agency_consultation": "上海市崇明区住房保障和房屋管理局",
            }.get(kind, case.applicant.name)
            assert f"{addressee}：" in text, kind
            if kind != "reply" or chosen.citations:  # 要求确认、撤回 cite no article
                assert "《中华人民共和国政府信息公开条例》第" in text, kind
        reply = all_text(reopen(issued["reply"].content))
        assert chosen.citation_sentence in reply
        assert reply.count("经审查") <= 1 and "经审查，经" not in reply
        assert f"政府信息公开申请{chosen.title_kind}" in reply
        for reason in chosen.reasons[:2]:
            assert reason.text in reply
        assert "相关信息见附件。" in reply
        document = "答复" if chosen.title_kind == "答复书" else "告知书"
        assert profile.remedy_for(outcome, document) in reply
        if over_objection:
            notice = all_text(reopen(issued["third_party_notice"].content))
            assert profile.remedy(False, "告知书") in notice


def test_reply_remedy_follows_refusal(store: Store) -> None:
    profile = OfficeProfile()
    with store.transaction() as session:
        withheld = all_text(
            reopen(issue(session, make_case(session, "withhold_secret"), "reply").content)
        )
        given = all_text(reopen(issue(session, make_case(session, "disclose"), "reply").content))
    assert profile.remedy(True, "答复") in withheld and "应当先" in withheld
    assert profile.remedy(False, "答复") in given and "应当先" not in given
    assert "依法向人民法院提起行政诉讼" in withheld + given  # no court named by default


def test_receipt_promises_the_due_date_known_on_the_day_of_receipt(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, None)  # extended and restarted later: the receipt ignores that
        text = all_text(reopen(issue(session, case, "receipt").content))
    # domain.md §2.3: day 0 Mon 2025-03-03 → due 2025-03-31.
    assert "即在2025年3月31日之前（含当日）答复" in text


def test_fee_notice_states_method_tier_and_amount(store: Store) -> None:
    with store.transaction() as session:
        text = all_text(reopen(issue(session, make_case(session, None), "fee").content))
    assert "按量计收" in text
    assert "人民币1700元" in text and "1,700" not in text  # 公文 write no thousands separator
    assert "第31—100页70页×10元/页＝700元" in text


def test_correction_notice_lists_each_item(store: Store) -> None:
    with store.transaction() as session:
        document = reopen(issue(session, make_case(session, None), "correction").content)
    paragraphs = [p.text for p in document.paragraphs]
    assert "1.写明所需信息的文号" in paragraphs
    assert "2.写明所需信息的形成年份" in paragraphs
    assert any("2025年3月26日前" in p for p in paragraphs)


def test_reasons_letter_asks_first_and_announces_a_delay_later(store: Store) -> None:
    with store.transaction() as session:
        asking = make_case(session, None, events=False)
        delayed = make_case(session, None, delay=True)
        ask_text = all_text(reopen(issue(session, asking, "reasons").content))
        delay_text = all_text(reopen(issue(session, delayed, "reasons").content))
    # Issued Mon 2025-04-21: 15 working days, counting the worked Sunday 4-27, skipping 5-1..5-5.
    assert "说明理由通知书" in ask_text and "请您在2025年5月14日之前（含当日）" in ask_text
    assert "延迟答复告知书" in delay_text and "2025年5月30日前作出答复" in delay_text
    assert "本机关于2025年3月10日书面要求您说明申请理由" in delay_text


def test_attachments_are_listed_after_the_body(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        letter = issue(session, case, "reply", attachments=["征收补偿方案.pdf", "附图"])
    paragraphs = [p.text for p in reopen(letter.content).paragraphs]
    assert "附件：1.征收补偿方案.pdf" in paragraphs
    assert any(p.endswith("2.附图") for p in paragraphs)


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("correction", "补正告知"),
        ("extension", "延期"),
        ("consultation", "征求第三方意见"),
        ("agency_consultation", "征求其他机关意见"),
        ("third_party_notice", "征求第三方意见"),
        ("fee", "收费通知"),
        ("service", "已发文的文书"),
    ],
)
def test_a_letter_about_a_missing_event_is_refused(store: Store, kind: str, missing: str) -> None:
    with store.transaction() as session:
        case = make_case(session, None, events=False)
        with pytest.raises(letters.LetterRefused, match=missing):
            letters.draft_letter(session, case, kind, "张三")
        assert case.letters == []


def test_reply_needs_an_outcome(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, None)
        with pytest.raises(letters.LetterRefused, match="尚未确定办理结果"):
            letters.draft_letter(session, case, "reply", "张三")


def test_unknown_kind_and_unknown_reason_are_refused(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        with pytest.raises(letters.LetterRefused, match="不认识的文书种类"):
            letters.draft_letter(session, case, "memo", "张三")
        case.outcome_reasons = "no_such_reason"
        with pytest.raises(letters.LetterRefused, match="no_such_reason"):
            letters.draft_letter(session, case, "reply", "张三")


def test_target_picks_which_consultation(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, None)
        second = Consultation(party="third_party", to="第二家公司", sent=dt.date(2025, 3, 13))
        case.consultations.append(second)
        session.flush()
        first_id = case.consultations[0].id
        latest = all_text(
            reopen(letters.draft_letter(session, case, "consultation", "张三").content)
        )
        chosen = all_text(
            reopen(
                letters.draft_letter(
                    session, case, "consultation", "张三", target_id=first_id
                ).content
            )
        )
    assert "第二家公司：" in latest
    assert "上海某某房地产开发有限公司：" in chosen


# --------------------------------------------------------------------------- hostile text


HOSTILE_NAME = "{{ 7*7 }} A&B <公司> \"引号\" '单引号'"
HOSTILE_REQUEST = (
    "{% for x in range(10) %}循环{% endfor %}</w:t></w:r><w:r><w:t>注入"
    "\x07\x0c\u2060【发文时编号】\u2060 {{ config }} {{ ''.__class__ }}\n第二行"
)


def test_characters_a_docx_cannot_hold_are_dropped() -> None:
    # NUL cannot even be stored on PostgreSQL, so it is checked here rather than in a case.
    assert clean("甲\x00乙\x07丙\x0c丁\x1b\u2060戊\r\n己\t庚") == "甲乙丙丁戊\n己\t庚"


def test_hostile_applicant_text_stays_text(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "partial", name=HOSTILE_NAME, description=HOSTILE_REQUEST)
        reply = issue(session, case, "reply")
        receipt = issue(session, case, "receipt")
    for letter in (reply, receipt):
        text = all_text(reopen(letter.content))
        assert f"{HOSTILE_NAME}：" in text
        assert "49" not in text
        assert "{% for x in range(10) %}循环{% endfor %}</w:t></w:r><w:r><w:t>注入" in text
        assert "循环循环" not in text
        assert "【发文时编号】 {{ config }} {{ ''.__class__ }}" in text  # kept, not filled
        assert "第二行" in text
        for forbidden in ("\x07", "\x0c", "\u2060"):
            assert forbidden not in text
        assert letter.number is not None and letter.number in text


# --------------------------------------------------------------------------- templates


def test_every_default_template_passes_its_own_check() -> None:
    for kind in letters.KINDS:
        template = letters.load_template(kind)
        assert not template.office
        assert template.path.name == f"{kind}.docx"


def test_committed_templates_are_what_the_generator_builds() -> None:
    """templates_docx/*.docx must be rebuilt (make templates) whenever the generator changes."""
    import zipfile

    from templates_docx import build_templates

    for kind in letters.KINDS:
        committed = zipfile.ZipFile(letters.template_path(kind)[0])
        built = zipfile.ZipFile(io.BytesIO(build_templates.build(kind)))
        assert committed.namelist() == built.namelist(), kind
        for name in built.namelist():
            assert committed.read(name) == built.read(name), f"{kind}.docx {name}"


def style_of(document: DocumentObject, style_id: str) -> Any:
    return next(s for s in document.styles if s.style_id == style_id)


def test_gbt9704_fonts_sizes_and_positions(store: Store) -> None:
    with store.transaction() as session:
        document = reopen(issue(session, make_case(session, "disclose"), "reply").content)
    body, title = style_of(document, "Normal"), style_of(document, "DocTitle")
    assert body.font.size == Pt(16)  # 3号
    assert body.paragraph_format.line_spacing == Pt(28.95)  # fixed pitch: 22 lines a page
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert title.font.size == Pt(22)  # 2号
    assert title.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    fonts = {
        s.style_id: s.element.rPr.rFonts.get(qn("w:eastAsia"))
        for s in document.styles
        if s.element.rPr is not None and s.element.rPr.rFonts is not None
    }
    assert fonts["Heading1"] == "黑体" and fonts["Heading2"] == "楷体_GB2312"
    date = style_of(document, "SignDate")
    ind = date.element.pPr.find(qn("w:ind"))
    assert date.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert ind.get(qn("w:rightChars")) == "400"  # 4 characters from the right margin
    texts = [p.text for p in document.paragraphs]
    name_at, date_at = texts.index("\t上海市崇明区人民政府"), texts.index("2025年4月21日")
    assert date_at == name_at + 1  # the issuing body right above the date
    assert document.paragraphs[name_at].style.style_id == "Signature"
    footer = "".join(p.text for p in document.sections[0].footer.paragraphs)
    even = "".join(p.text for p in document.sections[0].even_page_footer.paragraphs)
    assert footer == even == "— 1 —"  # a PAGE field between 一字线, outside the text block
    assert document.settings.odd_and_even_pages_header_footer
