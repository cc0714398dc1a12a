"""What a letter template sees: plain data built from a case, the office profile and handbook.

The case arrives as a snapshot (letter_case.LetterCase), filled from the ORM or, for a letter as
a command, from a SQLite file read through sqlite3: this module imports no SQLAlchemy.
"""

# Text typed by users (names, the request, notes) is only ever a value here, never template
# source; it is cleaned of the characters a .docx cannot hold and otherwise kept as typed.

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from cases.documents.letter_case import (
    ApplicantRow,
    ConsultationRow,
    CorrectionRow,
    DelayRow,
    ExtensionRow,
    FeeRow,
    LetterCase,
    LetterRow,
)
from cases.documents.outcome_text import check_outcome_text
from cases.errors import Refused
from cases.office.profile import OfficeProfile, ProfileError
from cases.office.units import Unit
from cases.rules import fees, vocab
from cases.rules.handbook import Handbook, cite, load_handbook
from cases.rules.outcome_choice import current_outcome
from cases.timing import dates
from cases.timing.calendar import WorkCalendar
from cases.timing.case_facts import facts_of
from cases.timing.clock import CONSULTATION_DAYS, FEE_PAYMENT_DAYS, compute, facts_as_of

# Drafts carry these in place of the number and the date, filled in when the letter is issued.
# The word joiners (U+2060) around them are invisible; user text is stripped of word joiners, so
# nothing an applicant types can ever be taken for a placeholder.
WORD_JOINER = "\u2060"
NUMBER_PLACEHOLDER = f"{WORD_JOINER}【发文时编号】{WORD_JOINER}"
DATE_PLACEHOLDER = f"{WORD_JOINER}【发文日期】{WORD_JOINER}"
# Dates counted from the day of issue: the applicant's answer under 条例 35, and the day the
# office discloses over a third party's objection (15 working days after the notice).
ANSWER_BY_PLACEHOLDER = f"{WORD_JOINER}【说明理由期限】{WORD_JOINER}"
DISCLOSE_ON_PLACEHOLDER = f"{WORD_JOINER}【公开日期】{WORD_JOINER}"
DATE_PLACEHOLDERS = (ANSWER_BY_PLACEHOLDER, DISCLOSE_ON_PLACEHOLDER)

# The 送达回证 proves service of another letter, so it is not itself an addressee's letter.
TO_APPLICANT = ("receipt", "correction", "extension", "reasons", "fee", "reply", "service")

SERVICE_METHODS = vocab.SERVICE_METHODS

# 条例 29: what an application must describe; used when the handler listed nothing to complete.
DEFAULT_CORRECTION_ITEM = "写明所需政府信息的名称、文号或者便于本机关查询的其他特征性描述。"
DEFAULT_DISCLOSURE_REASON = "不公开该政府信息可能对公共利益造成重大影响。"

# XML 1.0 forbids most C0 controls; \a and \f would also be turned into paragraph and page breaks
# by docxtpl. Tabs and line breaks are kept: they are how people lay out what they type.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff" + WORD_JOINER + "]"
)


class LetterRefused(Refused):
    """A letter cannot be made for this case; the message says why, in Chinese."""

    def __init__(self, message: str, field: str = "letter") -> None:
        super().__init__(field, message)


def issue_dates(
    kind: str, on: dt.date, cal: WorkCalendar, profile: OfficeProfile
) -> dict[str, str]:
    """The dates written at issue beside number and date: each counted from the day of issue."""
    values = {
        ANSWER_BY_PLACEHOLDER: cn_date(cal.add_workdays(on, profile.reasons_answer_days)),
        DISCLOSE_ON_PLACEHOLDER: cn_date(cal.add_workdays(on, CONSULTATION_DAYS)),
    }
    return values


def reasons_request(case: LetterCase) -> LetterRow | None:
    """The issued 条例 35 request for reasons: the first issued 说明理由 letter of the case."""
    issued = [x for x in case.letters if x.kind == "reasons" and x.status == "issued"]
    return issued[0] if issued else None


def issued_day(letter: LetterRow) -> dt.date | None:
    if letter.issued_on is not None:
        return letter.issued_on
    return letter.issued_at.date() if letter.issued_at is not None else None


def clean(text: str | None) -> str:
    """User text as it can stand in a .docx: line ends unified, forbidden characters dropped."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _FORBIDDEN.sub("", text)


def lines(text: str | None) -> list[str]:
    """Non-empty lines of a user text, each cleaned: one paragraph each in the letter."""
    return [line.strip() for line in clean(text).split("\n") if line.strip()]


def cn_date(day: dt.date | None) -> str:
    """2025年3月3日: Arabic numerals, no leading zeros (GB/T 9704 成文日期)."""
    return "" if day is None else dates.cn_date(day)


@dataclass(frozen=True)
class LetterFacts:
    """What a letter is about beyond the case: which event, its number and date."""

    kind: str
    number: str  # the printed number, a placeholder in a draft, "" when the kind has none
    date: str  # 2025年3月3日, or the placeholder in a draft
    event: object | None = None  # the CorrectionRow, ConsultationRow, … or served LetterRow
    attachments: Sequence[str] = ()


# --------------------------------------------------------------------------- choosing the event


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


_E = TypeVar("_E", bound=_HasId)


def _latest(items: Sequence[_E], target_id: int | None, what: str, kind_label: str) -> _E:
    if target_id is not None:
        for item in items:
            if item.id == target_id:
                return item
        raise LetterRefused(f"本案件没有编号为 {target_id} 的{what}记录，无法生成{kind_label}")
    if not items:
        raise LetterRefused(f"本案件没有{what}记录，无法生成{kind_label}")
    return items[-1]


def served_letters(case: LetterCase) -> list[LetterRow]:
    """Issued letters other than proofs of service, oldest first."""
    return [x for x in case.letters if x.status == "issued" and x.kind != "service"]


def pick_event(
    case: LetterCase, kind: str, label: str, target_id: int | None = None
) -> object | None:
    """The event a letter of `kind` is about: the given one, or the case's latest of that sort.

    A letter about an event the case does not have is refused, naming what is missing.
    """
    if kind == "correction":
        return _latest(case.corrections, target_id, "补正告知", label)
    if kind == "extension":
        return _latest(case.extensions, target_id, "延期", label)
    if kind == "consultation":
        third = [c for c in case.consultations if c.party == "third_party"]
        return _latest(third, target_id, "征求第三方意见", label)
    if kind == "third_party_notice":
        third = [c for c in case.consultations if c.party == "third_party"]
        chosen = _latest(third, target_id, "征求第三方意见", label)
        _check_disclosure_over_objection(case, chosen, label)
        return chosen
    if kind == "agency_consultation":
        agency = [c for c in case.consultations if c.party == "agency"]
        return _latest(agency, target_id, "征求其他机关意见", label)
    if kind == "fee":
        return _latest(case.fees, target_id, "收费通知", label)
    if kind == "reasons":
        if target_id is None and not case.delays:
            return None  # asking for reasons comes before any delay is set
        return _latest(case.delays, target_id, "延迟答复", label)
    if kind == "service":
        letters = served_letters(case)
        if target_id is None:
            linked = [s.letter_id for s in case.services if s.letter_id is not None]
            replies = [x for x in letters if x.kind == "reply"]
            if linked:
                target_id = linked[-1]
            elif replies:
                return replies[-1]
        return _latest(letters, target_id, "已发文的文书", label)
    if kind == "reply" and current_outcome(case) is None:
        raise LetterRefused(f"本案件尚未确定办理结果，无法生成{label}")
    return None


# 条例 32: the notice tells a third party that the office discloses although it objected.
_DISCLOSING = frozenset({"disclose", "partial"})


def _check_disclosure_over_objection(case: LetterCase, event: object, label: str) -> None:
    chosen = current_outcome(case)
    if chosen is None or chosen.code not in _DISCLOSING:
        raise LetterRefused(
            f"{label}只用于决定公开（或部分公开）涉及第三方的信息；本案件尚未作此决定"
        )
    assert isinstance(event, ConsultationRow)
    if event.replied is None:
        raise LetterRefused(f"第三方尚未答复，无需{label}")
    if "同意" in event.opinion and "不同意" not in event.opinion:
        raise LetterRefused(f"第三方已同意公开，无需{label}")


# --------------------------------------------------------------------------- the sections


def answering_unit(case: LetterCase, profile: OfficeProfile) -> Unit:
    """The unit the case is answered by (答复机关); an unknown body is refused."""
    try:
        return profile.unit(case.body)
    except ProfileError as exc:
        raise LetterRefused(str(exc)) from exc


def _office(profile: OfficeProfile, unit: Unit) -> dict[str, Any]:
    parts = []
    if unit.contact:
        parts.append(f"联系人：{clean(unit.contact)}")
    if unit.phone:
        parts.append(f"联系电话：{clean(unit.phone)}")
    if unit.address:
        address = clean(unit.address)
        parts.append(f"地址：{address}" + (f"（{clean(unit.postcode)}）" if unit.postcode else ""))
    return {
        "name": clean(unit.name),
        "address": clean(unit.address),
        "postcode": clean(unit.postcode),
        "contact": clean(unit.contact),
        "phone": clean(unit.phone),
        "contact_line": "；".join(parts),
        "reconsideration_body": clean(unit.reconsideration_body),
        "court": clean(profile.court),
        "signer_title": clean(profile.signer_title),
        "fee_payment": clean(profile.fee_payment),
    }


def _case(case: LetterCase, cal: WorkCalendar) -> dict[str, Any]:
    # The receipt promises the due date as it stood on the day of receipt, not a later one.
    at_receipt = compute(facts_as_of(facts_of(case), case.received), cal, explain=False)
    restart = [c.received for c in case.corrections if c.received is not None]
    return {
        "no": clean(case.no),
        "received": cn_date(case.received),
        # The letters put the request in quotes and end the sentence themselves.
        "description": clean(case.description).strip().rstrip("。；，"),
        "channel": vocab.CHANNELS.get(case.channel, clean(case.channel)),
        "form": vocab.FORMS.get(case.form, clean(case.form)),
        "delivery": vocab.DELIVERIES.get(case.delivery, clean(case.delivery)),
        "department": clean(case.department),
        "handler": clean(case.handler),
        "due": cn_date(at_receipt.due),
        "due_provisional": at_receipt.due_provisional,
        "corrected_on": cn_date(max(restart)) if restart else "",
        "extended": bool(case.extensions),
    }


def _applicant(case: LetterCase) -> dict[str, Any]:
    a = case.applicant
    return {
        "name": clean(a.name),
        "type": vocab.APPLICANT_TYPES.get(a.type, clean(a.type)),
        "id_type": vocab.ID_TYPES.get(a.id_type or "", clean(a.id_type)),
        "id_number": clean(a.id_number),
        "address": clean(a.address),
        "postcode": clean(a.postcode),
        "phone": clean(a.phone),
        "email": clean(a.email),
        "agent": clean(a.agent_name),
    }


_NO_OUTCOME: dict[str, Any] = {
    "code": "",
    "label": "",
    "title_kind": "答复书",
    "closing": "特此答复",
    "refusal": False,
    "citation": "",
    "reasons": [],
    "statement": [],
    "holder": "",
    "holder_contact": "",
    "on": "",
}


def _outcome(case: LetterCase, handbook: Handbook) -> dict[str, Any]:
    # The final outcome, or in 拟稿 the proposal the reply is drafted for (it is signed later).
    # The internal note (outcome_note) is never part of what a template sees.
    chosen = current_outcome(case)
    if chosen is None:
        return dict(_NO_OUTCOME)
    try:
        outcome = handbook.outcome(chosen.code)
    except KeyError as exc:
        raise LetterRefused(f"办理结果“{chosen.code}”不在办事手册中") from exc
    try:
        check_outcome_text(outcome, chosen.reasons, chosen.statement, chosen.holder)
    except Refused as exc:
        raise LetterRefused(f"无法拟写答复：{exc.message}", exc.field) from exc
    reasons = []
    for reason_id in chosen.reasons:
        try:
            reasons.append(outcome.reason(reason_id).text)
        except KeyError as exc:
            raise LetterRefused(
                f"办理结果“{outcome.label}”没有理由“{reason_id}”，请重新选择理由"
            ) from exc
    on = cn_date(chosen.on) if chosen.on else ""
    if reasons and outcome.code == "other_withdrawn" and on:
        reasons[0] = f"{on}，{reasons[0]}"  # how and when the applicant withdrew
    elif reasons and not reasons[0].startswith(("经", "本机关")):
        reasons[0] = "经审查，" + reasons[0]  # the finding opens with it, once
    return {
        "code": outcome.code,
        "label": outcome.label,
        "title_kind": outcome.title_kind,
        "closing": "特此答复" if outcome.title_kind == "答复书" else "特此告知",
        "refusal": outcome.refusal,
        "citation": outcome.citation_sentence,
        "reasons": reasons,
        "statement": lines(chosen.statement),
        "holder": clean(chosen.holder).strip().rstrip("。"),
        "holder_contact": clean(chosen.holder_contact).strip().rstrip("。"),
        "on": on,
    }


def _outcome_if_any(case: LetterCase, handbook: Handbook) -> dict[str, Any]:
    """The outcome as letters other than the reply see it: without the reply's own checks."""
    try:
        return _outcome(case, handbook)
    except LetterRefused:
        return dict(_NO_OUTCOME)


def _reasons_request(
    case: LetterCase, kind: str, outcome: dict[str, Any], cal: WorkCalendar, profile: OfficeProfile
) -> dict[str, Any]:
    """条例 35: the request for reasons, which a delay and a 35 reply must refer to."""
    cites_35 = kind == "reply" and outcome["code"] == "reject_excessive"
    announces_delay = kind == "reasons" and bool(case.delays)
    request = reasons_request(case)
    if (cites_35 or announces_delay) and request is None:
        raise LetterRefused(
            f"本案件没有已发文的说明理由通知书：依{cite('excessive')}作出决定前，"
            "须先书面要求申请人说明理由"
        )
    if cites_35 and case.delays:
        raise LetterRefused(
            f"本案件已确定延迟答复（申请人说明的理由已被接受），不能再以{cite('excessive')}不予处理"
        )
    day = issued_day(request) if request is not None else None
    if day is None or not (cites_35 or announces_delay):
        return {"requested": "", "answer_by": "", "number": ""}
    assert request is not None
    return {
        "requested": cn_date(day),
        "answer_by": cn_date(cal.add_workdays(day, profile.reasons_answer_days)),
        "number": clean(request.number),
    }


def _correction(event: object | None) -> dict[str, Any]:
    if not isinstance(event, CorrectionRow):
        return {"notice": "", "until": "", "received": "", "points": []}
    return {
        "notice": cn_date(event.notice),
        "until": cn_date(event.until),
        "received": cn_date(event.received),
        "points": lines(event.items) or [DEFAULT_CORRECTION_ITEM],
    }


def _consultation(event: object | None, cal: WorkCalendar, kind: str) -> dict[str, Any]:
    if not isinstance(event, ConsultationRow):
        return {
            "party": "",
            "to": "",
            "sent": "",
            "replied": "",
            "reply_due": "",
            "opinion": "",
            "information": "",
            "disclosure_reason": "",
        }
    information = clean(event.information).strip().rstrip("。；，")
    if kind == "third_party_notice" and not information:
        # 条例 32: the third party is told what will be disclosed, not what was asked for.
        raise LetterRefused(
            "第三方公开告知书须写明决定公开的政府信息内容：请在征求第三方意见记录中填写“决定公开的信息”"
        )
    return {
        "party": vocab.CONSULTATION_PARTIES.get(event.party, event.party),
        "to": clean(event.to),
        "sent": cn_date(event.sent),
        "replied": cn_date(event.replied),
        "reply_due": cn_date(cal.add_workdays(event.sent, CONSULTATION_DAYS)),
        "opinion": clean(event.opinion),
        "information": information,
        "disclosure_reason": clean(event.disclosure_reason).strip() or DEFAULT_DISCLOSURE_REASON,
    }


def _extension(case: LetterCase, event: object | None, cal: WorkCalendar) -> dict[str, Any]:
    chosen = event if isinstance(event, ExtensionRow) else None
    if chosen is None and case.extensions:
        chosen = case.extensions[-1]  # the reply mentions the extension it was given
    if chosen is None:
        return {"on": "", "due": "", "reason": "", "approved_by": ""}
    # The due date the extension letter announces: as computed on the day of the extension.
    then = compute(facts_as_of(facts_of(case), chosen.on), cal, explain=False)
    return {
        "on": cn_date(chosen.on),
        "due": cn_date(then.due),
        "reason": clean(chosen.reason).strip().rstrip("。；，"),
        "approved_by": clean(chosen.approved_by),
    }


def _delay(event: object | None) -> dict[str, Any]:
    if not isinstance(event, DelayRow):
        return {"on": "", "due": "", "reason": ""}
    return {"on": cn_date(event.on), "due": cn_date(event.due), "reason": clean(event.reason)}


def _fee(event: object | None, cal: WorkCalendar) -> dict[str, Any]:
    if not isinstance(event, FeeRow):
        return {
            "method_label": "",
            "amount": "",
            "explanation": "",
            "notice": "",
            "pay_by": "",
            "paid": "",
        }
    explanation = ""
    if event.units:
        quote = fees.quote(event.method, event.units)
        # The office may have set another amount; the tier sentence is only shown when it agrees.
        if quote.amount == event.amount:
            explanation = quote.text
    return {
        "method_label": fees.METHODS.get(event.method, clean(event.method)),
        "amount": fees.amount_text(event.amount),
        "explanation": explanation,
        "notice": cn_date(event.notice),
        "pay_by": cn_date(cal.add_workdays(event.notice, FEE_PAYMENT_DAYS)),
        "paid": cn_date(event.paid),
    }


_TO_THIRD_PARTY = {
    "consultation": "third_party",
    "third_party_notice": "third_party",
    "agency_consultation": "agency",
}


def _recipient(case: LetterCase, served: LetterRow | None) -> tuple[str, str, str, str]:
    """Name, address, postcode and e-mail of whom a served letter went to.

    A letter to a third party or another body never carries the applicant's address: the case
    does not hold the party's address, so the 送达回证 leaves it to be written by hand.
    """
    party = _TO_THIRD_PARTY.get(served.kind) if served is not None else None
    if party is not None:
        asked = [c for c in case.consultations if c.party == party]
        return (clean(asked[-1].to) if asked else "", "", "", "")
    a = case.applicant
    return clean(a.name), clean(a.address), clean(a.postcode), clean(a.email)


def _service(case: LetterCase, event: object | None, handbook: Handbook) -> dict[str, Any]:
    served = event if isinstance(event, LetterRow) else None
    name, address, postcode, email = _recipient(case, served)
    if served is None:
        return {
            "document": "",
            "number": "",
            "recipient": name,
            "method": "",
            "tracking_no": "",
            "served_on": "",
            "address": address,
            "postcode": postcode,
            "proof": "",
        }
    label = handbook.letter_label(served.kind)
    if served.kind == "reply" and case.outcome_code:
        label = f"政府信息公开申请{handbook.outcome(case.outcome_code).title_kind}"
    record = next((s for s in reversed(case.services) if s.letter_id == served.id), None)
    if record is not None and record.method == "email":
        address, postcode = (email or address), ("" if email else postcode)
    return {
        "document": label,
        "number": clean(served.number),
        "recipient": name,
        "method": SERVICE_METHODS.get(record.method, clean(record.method)) if record else "",
        "tracking_no": clean(record.tracking_no) if record else "",
        "served_on": cn_date(record.served_on) if record else "",
        "address": address,
        "postcode": postcode,
        "proof": clean(record.proof) if record else "",
    }


def _addressee(case: LetterCase, kind: str, event: object | None) -> dict[str, Any]:
    if kind not in TO_APPLICANT and isinstance(event, ConsultationRow):
        return {"name": clean(event.to), "address": ""}
    return {"name": clean(case.applicant.name), "address": clean(case.applicant.address)}


def build_context(
    case: LetterCase,
    facts: LetterFacts,
    *,
    profile: OfficeProfile,
    handbook: Handbook,
    cal: WorkCalendar,
) -> dict[str, Any]:
    """The full context of one letter: every key present, whatever the kind."""
    outcome = _outcome(case, handbook) if facts.kind == "reply" else _outcome_if_any(case, handbook)
    unit = answering_unit(case, profile)
    if facts.kind == "third_party_notice":
        document = "告知书"
    else:
        document = "答复" if outcome["title_kind"] == "答复书" else "告知书"
    # A third party's remedy is against the decision to disclose, never a refusal: the
    # review-first rule of 行政复议法 第23条 covers refusals to disclose only.
    code = outcome["code"] if facts.kind == "reply" else None
    remedy = profile.fill_remedy(profile.remedy_other, document, unit)
    if code:
        remedy = profile.remedy_for(code, document, unit)
    return {
        "office": _office(profile, unit),
        "letter": {
            "kind": facts.kind,
            "label": handbook.letter_label(facts.kind),
            "number": facts.number,
            "date": facts.date,
            "answer_by": ANSWER_BY_PLACEHOLDER,
            "disclose_on": DISCLOSE_ON_PLACEHOLDER,
        },
        "case": _case(case, cal),
        "applicant": _applicant(case),
        "addressee": _addressee(case, facts.kind, facts.event),
        "outcome": outcome,
        "remedy": clean(remedy),
        "reasons_request": _reasons_request(case, facts.kind, outcome, cal, profile),
        "correction": _correction(facts.event),
        "consultation": _consultation(facts.event, cal, facts.kind),
        "extension": _extension(case, facts.event, cal),
        "delay": _delay(facts.event),
        "fee": _fee(facts.event, cal),
        "service": _service(case, facts.event, handbook),
        "attachments": [c for c in (clean(a).strip() for a in facts.attachments) if c],
    }


def sample_context() -> dict[str, Any]:
    """A context built from an empty sample case: its keys are those of every real context.

    Office templates are checked against it, so it is built by the same code, not listed twice.
    """
    case = LetterCase(
        id=None,
        no="",
        received=dt.date(2025, 1, 2),
        channel="in_person",
        form="paper",
        delivery="post",
        description="",
        body=None,
        department=None,
        handler=None,
        voided=False,
        outcome_code=None,
        outcome_on=None,
        outcome_note="",
        outcome_reasons="",
        outcome_statement="",
        outcome_holder="",
        outcome_holder_contact="",
        applicant=ApplicantRow(type="natural_person", name=""),
    )
    facts = LetterFacts(kind="reply", number="", date="")
    return build_context(
        case, facts, profile=OfficeProfile(), handbook=load_handbook(), cal=WorkCalendar()
    )
