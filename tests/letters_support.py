"""Builds a typical case for each outcome: only the events that outcome needs, as an office has."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy.orm import Session

from cases.documents import letters
from cases.rules.handbook import load_handbook
from cases.storage.model import Applicant, Case, Consultation, Correction, Fee, Letter
from cases.timing import deadlines

_numbers = itertools.count(1)

# Which unit answers which outcome's case: towns, departments and the district government.
BODIES = ("长兴镇", "区规划资源局", None, "区住房保障房屋管理局")
INTERNAL_NOTE = "内部备注：经办人已电话沟通，勿写入文书"
STATEMENTS = {
    "other": "您的申请已转由本机关信访部门按照信访程序办理。",
    "disclose": "所提供的信息共3页，随本答复书一并寄送。",
    "withhold_process": "您所申请的会议纪要尚在讨论过程中，未最终形成。",
}
ISSUED = dt.date(2025, 4, 21)


def body_for(code: str, index: int) -> str | None:
    return BODIES[index % len(BODIES)]


def typical_case(session: Session, code: str, index: int = 0) -> Case:
    """A case received Mon 2025-03-03, answered by a unit, closed with `code` on 2025-04-18."""
    applicant = Applicant(
        type="natural_person",
        name="王某某",
        id_type="resident_id",
        id_number="310230198001010011",
        address="上海市崇明区城桥镇某某路1号",
        postcode="202150",
        phone="13800000000",
    )
    case = Case(
        no=f"2025-T{next(_numbers):05d}",
        received=dt.date(2025, 3, 3),
        channel="post_signed",
        applicant=applicant,
        description="2024年崇明区某某路段房屋征收补偿方案",
        body=body_for(code, index),
        department="规划科",
        handler="张三",
        day0=dt.date(2025, 3, 3),
        correction_notice_due=dt.date(2025, 3, 12),
    )
    if code in ("partial", "withhold_third_party", "disclose"):
        case.consultations.append(
            Consultation(
                party="third_party",
                to="上海某某房地产开发有限公司",
                sent=dt.date(2025, 3, 12),
                replied=dt.date(2025, 3, 20),
                opinion="object",
                note="该方案含有本公司的商业报价，不同意公开",
                information="补偿方案中的补偿标准和补偿总额",
                disclosure_reason="补偿标准和补偿总额关系被征收人的切身利益，不公开可能对公共利益造成重大影响。",
            )
        )
    if code in ("unable_unclear", "other_no_correction"):
        case.corrections.append(
            Correction(
                notice=dt.date(2025, 3, 5),
                until=dt.date(2025, 3, 26),
                received=dt.date(2025, 3, 20) if code == "unable_unclear" else None,
                items="写明所需信息的文号\n写明所需信息的形成年份",
            )
        )
    if code == "other_fee_unpaid":
        case.fees.append(
            Fee(notice=dt.date(2025, 3, 14), method="per_page", amount=Decimal(1200), units=120)
        )
    outcome = load_handbook().outcome(code)
    case.outcome_code = code
    case.outcome_on = dt.date(2025, 4, 18)
    case.outcome_reasons = outcome.reasons[0].id
    case.outcome_note = INTERNAL_NOTE
    case.outcome_statement = STATEMENTS.get(code, "")
    if code == "unable_not_ours":
        case.outcome_holder = "上海市规划和自然资源局"
        case.outcome_holder_contact = "021-00000000"
    session.add(case)
    session.flush()
    if code == "reject_excessive":
        request = letters.draft_letter(session, case, "reasons", "张三")
        letters.issue_letter(session, request, "李四", on=dt.date(2025, 3, 10))
    deadlines.refresh(case, deadlines.load_calendar(session))
    return case


def issue(session: Session, case: Case, kind: str, on: dt.date = ISSUED) -> Letter:
    draft = letters.draft_letter(session, case, kind, "张三")
    return letters.issue_letter(session, draft, "李四", on=on)
