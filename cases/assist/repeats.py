"""Repeats and volume (重复申请、大量申请): the applicant's earlier requests, the month, the crowd.

For the case in hand:
- the same applicant — by ID number, name, phone or address, so that relatives sharing a phone
  show up — asking for the same information before: the earlier cases and their replies, and
  the offer of 不予处理-重复申请 (条例 36(6)) with the earlier case as its ground;
- the applicant's applications in the calendar month: the 按件 fee tier of 国办函〔2020〕109号
  and a 条例 35 warning above a configurable count;
- the same information asked by several applicants: a suggestion to disclose it proactively
  (条例 44).
Every suggestion says why and names the cases behind it; nothing is applied here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cases.assist import similar
from cases.progress import Progress
from cases.result import Notice
from cases.rules import fees
from cases.rules import settings as app_settings
from cases.rules.fees import FeeQuote
from cases.rules.handbook import cite
from cases.storage.model import Applicant, Case

# Decision: by default the 条例 35 warning starts where 109号 starts charging (the 11th
# application in a month): the fee rules themselves treat more than 10 a month as beyond the
# ordinary. Both thresholds are declared settings (cases.rules.settings).
EXCESSIVE_KEY = app_settings.EXCESSIVE_PER_MONTH
CROWD_KEY = app_settings.PROACTIVE_MIN_APPLICANTS

EARLIER_SHOWN = 20  # earlier requests of the same applicant listed, closest first

_DIGITS = re.compile(r"\D+")
_SPACE = re.compile(r"\s+")


def excessive_threshold(session: Session) -> int:
    return int(app_settings.value(session, EXCESSIVE_KEY))


def crowd_threshold(session: Session) -> int:
    return int(app_settings.value(session, CROWD_KEY))


def _phone(value: str | None) -> str:
    return _DIGITS.sub("", value or "")


def _address(value: str | None) -> str:
    return _SPACE.sub("", value or "")


def same_person_reasons(a: Applicant, b: Applicant) -> tuple[str, ...]:
    """Why two applicant rows may be the same person or household (empty: no reason)."""
    why: list[str] = []
    if a.id_number and b.id_number and a.id_number.strip().upper() == b.id_number.strip().upper():
        why.append("证件号码相同")
    if a.name.strip() == b.name.strip():
        why.append("姓名（名称）相同")
    if _phone(a.phone) and len(_phone(a.phone)) >= 7 and _phone(a.phone) == _phone(b.phone):
        why.append("联系电话相同")
    if _address(a.address) and _address(a.address) == _address(b.address):
        why.append("通信地址相同")
    return tuple(why)


@dataclass(frozen=True)
class EarlierRequest:
    """An earlier case of the same applicant asking for the same information."""

    found: similar.SimilarCase
    applicant_name: str
    matched_by: tuple[str, ...]

    @property
    def why(self) -> str:
        return (
            f"{'、'.join(self.matched_by)}；申请内容相似度{self.found.score:.0%}"
            f"（{self.found.no}，{self.found.received.isoformat()}收到）"
        )


@dataclass(frozen=True)
class RepeatSuggestion:
    """不予处理-重复申请, offered with the earlier case that answered it as the ground."""

    code: str
    ground: EarlierRequest
    explanation: str


@dataclass(frozen=True)
class MonthVolume:
    """The applicant's applications in the case's calendar month, the fee tier and 条例 35."""

    position: int  # this application is the n-th of the month
    fee: FeeQuote
    threshold: int
    excessive: bool
    explanation: str


@dataclass(frozen=True)
class RepeatReport:
    earlier: tuple[EarlierRequest, ...]
    suggestion: RepeatSuggestion | None
    month: MonthVolume
    crowd: tuple[similar.SimilarCase, ...]  # other applicants' cases asking the same
    crowd_suggestion: str | None


def _candidate_applicants(session: Session, applicant: Applicant) -> dict[int, Applicant]:
    conditions = [Applicant.name == applicant.name]
    if applicant.id_number:
        conditions.append(Applicant.id_number == applicant.id_number)
    if _phone(applicant.phone):
        # As typed and as bare digits: the index serves both; other spellings are not found.
        conditions.append(Applicant.phone.in_({applicant.phone or "", _phone(applicant.phone)}))
    if _address(applicant.address):
        conditions.append(Applicant.address == applicant.address)
    rows = session.scalars(select(Applicant).where(or_(*conditions)))
    return {a.id: a for a in rows}


def earlier_requests(session: Session, case: Case) -> list[EarlierRequest]:
    """Earlier cases of the same applicant (or household) asking for the same information."""
    people = {
        a_id: a
        for a_id, a in _candidate_applicants(session, case.applicant).items()
        if same_person_reasons(case.applicant, a)
    }
    if not people:
        return []
    # Only the applicant condition goes to the database: it is the selective one, and a planner
    # without statistics would otherwise walk the voided flag's index over every case.
    stmt = select(
        Case.id,
        Case.description,
        Case.applicant_id,
        Case.voided,
        Case.received,
        Case.outcome_code,
    ).where(Case.applicant_id.in_(list(people)))
    mine = similar.grams(case.description, 2)
    verdicts: dict[str, float | None] = {}  # one applicant repeats one text: judge it once
    scored: list[tuple[float, int]] = []
    answered: list[tuple[dt.date, int]] = []
    owner: dict[int, int] = {}
    for cid, desc, applicant_id, voided, received, outcome in session.execute(stmt):
        if voided or cid == case.id or received > case.received:
            continue
        if desc not in verdicts:
            score = similar.dice(mine, similar.grams(desc, 2))
            same = similar.same_request(case.description, desc, score)
            verdicts[desc] = score if same else None
        verdict = verdicts[desc]
        if verdict is not None:
            scored.append((verdict, cid))
            owner[cid] = applicant_id
            if outcome is not None:
                answered.append((received, cid))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    # The closest few are shown, and the earliest answered one, the ground that 36(6) offers:
    # an applicant who asked the same a thousand times needs no thousand cases read.
    shown = scored[:EARLIER_SHOWN]
    if answered:
        ground = min(answered)[1]
        if ground not in {cid for _, cid in shown}:
            shown += [s for s in scored if s[1] == ground]
    scored = shown
    out: list[EarlierRequest] = []
    for found in similar.details(session, scored):
        person = people[owner[found.case_id]]
        out.append(EarlierRequest(found, person.name, same_person_reasons(case.applicant, person)))
    return out


def _suggest_repeat(earlier: Sequence[EarlierRequest]) -> RepeatSuggestion | None:
    """The earliest answered request as the ground: 36(6) needs a reply already given."""
    answered = [e for e in earlier if e.found.outcome_code is not None]
    if not answered:
        return None
    ground = min(answered, key=lambda e: (e.found.received, e.found.case_id))
    outcome = ground.found.outcome_code
    from cases.rules.workflow import handbook

    label = handbook().outcome(outcome).label if outcome else ""
    return RepeatSuggestion(
        code="reject_repeat",
        ground=ground,
        explanation=(
            f"同一申请人（{ground.why}）此前已就相同信息提出申请，本机关已于"
            f"{ground.found.outcome_on.isoformat() if ground.found.outcome_on else ''}"
            f"按“{label}”答复；申请人未提出新的理由的，可以按{cite('repeat')}"
            "告知不予重复处理。是否采用由承办人决定。"
        ),
    )


def month_volume(session: Session, case: Case) -> MonthVolume:
    position = fees.position_in_month(session, case)
    threshold = excessive_threshold(session)
    fee = fees.per_item_fee(position)
    excessive = position > threshold
    text = f"本申请是申请人{case.received.year}年{case.received.month}月的第{position}件申请。"
    text += fee.text
    if excessive:
        text += (
            f"当月申请已超过{threshold}件：申请数量、频次明显超过合理范围的，可以要求申请人说明"
            "理由；理由不合理的，告知不予处理，理由合理但无法按期答复的，确定延迟答复的合理期限"
            f"（{cite('excessive')}）。"
        )
    return MonthVolume(position, fee, threshold, excessive, text)


def crowd(session: Session, case: Case) -> tuple[list[similar.SimilarCase], str | None]:
    """Other applicants' cases asking the same information, and the 条例 44 suggestion."""
    found = similar.find_similar(
        session, case.description, exclude_id=case.id, limit=50, minimum=similar.SAME_REQUEST
    )
    others = [
        f
        for f in found
        if f.applicant_id != case.applicant_id and f.same_request_as(case.description)
    ]
    applicants = {f.applicant_id for f in others} | {case.applicant_id}
    needed = crowd_threshold(session)
    if len(applicants) < needed:
        return others, None
    numbers = "、".join(f.no for f in others[:10])
    return others, (
        f"{len(applicants)}位申请人申请了相同的信息（{numbers}）。对涉及公众利益调整、需要公众广泛"
        f"知晓的信息，可以建议政府信息公开工作机构将其纳入主动公开范围（{cite('proactive')}）。"
    )


def registration_notices(session: Session, case: Case) -> tuple[Notice, ...]:
    """What registration says at once: earlier requests for the same, and the month's volume."""
    out = [
        Notice("repeats.earlier", f"同一申请人此前申请过相同的信息：{e.found.no}（{e.why}）")
        for e in earlier_requests(session, case)[:3]
    ]
    month = month_volume(session, case)
    if month.excessive:
        out.append(Notice("repeats.month", month.explanation))
    return tuple(out)


def find_repeats(session: Session, case: Case) -> RepeatReport:
    earlier = earlier_requests(session, case)
    others, crowd_text = crowd(session, case)
    return RepeatReport(
        earlier=tuple(earlier),
        suggestion=_suggest_repeat(earlier),
        month=month_volume(session, case),
        crowd=tuple(others),
        crowd_suggestion=crowd_text,
    )


# --------------------------------------------------------------------------- the office's page


@dataclass(frozen=True)
class DisclosureCandidate:
    """Information that several applicants asked for: a candidate for proactive disclosure."""

    description: str  # the wording most of its applicants used, as the group's name
    cases: tuple[tuple[int, str], ...]  # (id, number), earliest first
    applicants: int
    departments: tuple[str, ...]
    wordings: int = 1  # how many differently worded requests the group holds


def proactive_candidates(
    session: Session,
    since: dt.date,
    until: dt.date | None = None,
    minimum: int | None = None,
    progress: Progress | None = None,
) -> list[DisclosureCandidate]:
    """Information asked for by several applicants in the window, most applicants first.

    Requests are grouped by the same test as the case view's own panel (similar.same_request):
    the same wording once punctuation, spaces and letter case are set aside, and reworded
    requests whose bigrams mostly agree and whose numbers (years, 文号) are the same. Each group
    forms around its most asked wording (similar.group_same_requests); a year of 45,000 demo
    cases takes about three seconds of CPU.
    """
    needed = minimum or crowd_threshold(session)
    stmt = select(
        Case.id, Case.no, Case.received, Case.description, Case.applicant_id, Case.department
    ).where(Case.voided.is_(False), Case.received >= since)
    if until is not None:
        stmt = stmt.where(Case.received <= until)
    exact: dict[str, list[Any]] = {}
    for row in session.execute(stmt.order_by(Case.received, Case.id)):
        key = similar.normalize(row[3])
        if key:
            exact.setdefault(key, []).append(row)
    who = {k: {r[4] for r in rows} for k, rows in exact.items()}
    # The most asked wording first: it leads its group and names it.
    keys = sorted(exact, key=lambda k: (-len(who[k]), exact[k][0][0]))
    out: list[DisclosureCandidate] = []

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress.step(done, total, f"正在比对{total}种申请内容")

    for group in similar.group_same_requests(keys, step):
        applicants = set().union(*(who[keys[i]] for i in group))
        if len(applicants) < needed:
            continue
        members = sorted((r for i in group for r in exact[keys[i]]), key=lambda r: (r[2], r[0]))
        out.append(
            DisclosureCandidate(
                description=exact[keys[group[0]]][0][3],
                cases=tuple((r[0], r[1]) for r in members),
                applicants=len(applicants),
                departments=tuple(sorted({r[5] or "" for r in members} - {""})),
                wordings=len(group),
            )
        )
    out.sort(key=lambda c: (-c.applicants, c.cases[0][1]))
    return out
