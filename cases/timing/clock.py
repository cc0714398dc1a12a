"""The statutory clock: day 0, due dates, excluded periods and their explanation, over dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from cases.rules import vocab
from cases.rules.handbook import load_handbook
from cases.timing.calendar import WorkCalendar
from cases.timing.dates import cn_date, cn_date_weekday

__all__ = [
    "CHANNEL_LABELS",
    "Channel",
    "ClockFacts",
    "ClockResult",
    "Clocks",
    "Consultation",
    "Correction",
    "Delay",
    "Extension",
    "Fee",
    "Period",
    "Status",
    "WarningLevel",
    "compute",
    "default_correction_until",
    "facts_as_of",
    "propose_day0",
    "validate_facts",
    "warning_level",
]

# The working-day counts are data (handbook/periods.yaml): the 条例 fixes most of them, the
# product decides the default correction period. These names stay readable as module attributes.
_PERIOD_NAMES = {
    "CORRECTION_NOTICE_DAYS": "correction_notice",
    "REPLY_DAYS": "reply",
    "EXTENSION_DAYS": "extension",
    "CONSULTATION_DAYS": "consultation",
    "FEE_PAYMENT_DAYS": "fee_payment",
    "DEFAULT_CORRECTION_DAYS": "correction_period",
}


def term_days(term_id: str) -> int:
    """The working days of a period of the handbook in force (periods.yaml)."""
    return load_handbook().days(term_id)


def basis(term_id: str) -> str:
    """What a period rests on, as written in explanations: 条例第三十条, or the decision."""
    return load_handbook().term(term_id).basis_text


def cite(rule: str) -> str:
    """What an explanation cites for a rule of the clock (periods.yaml citations)."""
    return load_handbook().cite(rule)


def __getattr__(name: str) -> int:
    # REPLY_DAYS and the others, read from the handbook when asked for (PEP 562).
    if name in _PERIOD_NAMES:
        return term_days(_PERIOD_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Channel(StrEnum):
    """How an application reached the office; it decides day 0 (条例 31)."""

    IN_PERSON = "in_person"
    POST_SIGNED = "post_signed"
    POST_ORDINARY = "post_ordinary"
    ONLINE = "online"
    EMAIL = "email"
    FAX = "fax"


CHANNEL_LABELS: dict[Channel, str] = {c: vocab.CHANNELS[c.value] for c in Channel}

_CHANNEL_RULES: dict[Channel, str] = {
    Channel.IN_PERSON: "以提交之日为收到申请之日",
    Channel.POST_SIGNED: "以本机关签收之日为收到申请之日",
    Channel.POST_ORDINARY: "无需签收，本机关应于收到当日与申请人确认，以确认之日为收到申请之日",
    Channel.ONLINE: "以双方确认之日为收到申请之日",
    Channel.EMAIL: "以双方确认之日为收到申请之日",
    Channel.FAX: "以双方确认之日为收到申请之日",
}

_WEEKDAYS = "一二三四五六日"


def _d(d: date) -> str:
    return cn_date(d)


def _dw(d: date) -> str:
    return cn_date_weekday(d)


def _span(first: date, last: date) -> str:
    """Inclusive range first..last, the year written once when both share it."""
    if first == last:
        return _d(first)
    if first.year == last.year:
        return f"{_d(first)}至{last.month}月{last.day}日"
    return f"{_d(first)}至{_d(last)}"


def propose_day0(
    channel: Channel, arrived: date, confirmed: date | None = None, signed: date | None = None
) -> tuple[date, str]:
    """Day 0 (收到申请之日) for a channel and the facts recorded, with the reason in Chinese."""
    rule = f"{CHANNEL_LABELS[channel]}：{_CHANNEL_RULES[channel]}（{cite('day0')}）。"
    if channel is Channel.IN_PERSON:
        return arrived, f"{rule}提交日为{_d(arrived)}。"
    if channel is Channel.POST_SIGNED:
        if signed is None:
            return arrived, f"{rule}签收日期尚未填写，暂按到达日{_d(arrived)}，请补填签收日期。"
        return signed, f"{rule}签收日为{_d(signed)}。" + _earlier_note(signed, arrived, "签收")
    # Post without signature and the electronic channels all wait for a confirmation.
    if confirmed is None:
        return arrived, (
            f"{rule}尚未确认，暂按到达日{_d(arrived)}；须与申请人确认收到申请，确认后请更新确认日期。"
        )
    return confirmed, f"{rule}确认日为{_d(confirmed)}。" + _earlier_note(confirmed, arrived, "确认")


def _earlier_note(day: date, arrived: date, what: str) -> str:
    if day < arrived:
        return f"注意：{what}日期早于到达日期{_d(arrived)}，请核对。"
    return ""


# --- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """补正: the office asks the applicant, once, to complete the application (条例 30)."""

    notice: date
    until: date  # end of the period the office gave the applicant
    received: date | None = None


@dataclass(frozen=True)
class Consultation:
    """征求意见: a third party (条例 32) or another agency (条例 34) is asked before deciding."""

    party: str  # "third_party" | "agency"
    to: str
    sent: date
    replied: date | None = None


@dataclass(frozen=True)
class Extension:
    """延期: the reply period extended by 20 WD, once, approved by the office's head (条例 33)."""

    on: date
    approved_by: str = ""


@dataclass(frozen=True)
class Fee:
    """收费通知: a fee under 国办函〔2020〕109号; the clock waits until payment (条例 42)."""

    notice: date
    method: str  # "per_item" | "per_page"
    amount: Decimal
    paid: date | None = None


@dataclass(frozen=True)
class Delay:
    """条例 35: for an unreasonable volume the office sets a later, reasonable due date."""

    on: date
    due: date
    reason: str = ""


@dataclass(frozen=True)
class ClockFacts:
    """Everything the clock depends on, as recorded for one case."""

    received: date  # first day 0, before any 补正 restart
    channel: Channel
    corrections: tuple[Correction, ...] = ()
    consultations: tuple[Consultation, ...] = ()
    extensions: tuple[Extension, ...] = ()
    fees: tuple[Fee, ...] = ()
    delays: tuple[Delay, ...] = ()
    outcome_code: str | None = None
    outcome_on: date | None = None


class Status(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"  # waiting for 补正 or for payment
    CLOSED = "closed"


@dataclass(frozen=True)
class Period:
    """Working days d with start < d ≤ end, excluded from the count for the reason given."""

    start: date
    end: date
    reason: str


@dataclass(frozen=True)
class ClockResult:
    first_day0: date
    day0: date  # effective day 0: the 补正 date when a correction was received
    status: Status
    due: date | None  # None while suspended; for a closed case the due in force when it closed
    due_provisional: bool  # the count touched a year without a holiday schedule
    correction_notice_due: date
    correction_period_end: date | None
    fee_payment_due: date | None  # only while a fee is unpaid
    consultation_reply_due: tuple[date, ...]  # one per consultation, in the order of the facts
    limit: int
    excluded: tuple[Period, ...]
    provisional_years: tuple[int, ...]
    explanation: tuple[str, ...]


def default_correction_until(notice: date, cal: WorkCalendar, days: int | None = None) -> date:
    """Decision: the correction period runs the handbook's days from the notice unless edited."""
    if days is None:
        days = term_days("correction_period")
    return cal.add_workdays(notice, days)


def facts_as_of(facts: ClockFacts, day: date) -> ClockFacts:
    """The facts as they stood at the end of day: later events and later answers left out."""

    def known(d: date | None) -> date | None:
        return d if d is not None and d <= day else None

    return replace(
        facts,
        corrections=tuple(
            replace(c, received=known(c.received)) for c in facts.corrections if c.notice <= day
        ),
        consultations=tuple(
            replace(c, replied=known(c.replied)) for c in facts.consultations if c.sent <= day
        ),
        extensions=tuple(e for e in facts.extensions if e.on <= day),
        fees=tuple(replace(f, paid=known(f.paid)) for f in facts.fees if f.notice <= day),
        delays=tuple(x for x in facts.delays if x.on <= day),
    )


# --- computing ----------------------------------------------------------------------------------

_PARTY_LABELS = {code: f"征求{label}意见" for code, label in vocab.CONSULTATION_PARTIES.items()}
_PARTY_BASIS = {"third_party": "consultation_third_party", "agency": "consultation_agency"}
_FEE_METHODS = vocab.FEE_METHODS


def _merge(periods: Iterable[Period]) -> list[Period]:
    merged: list[Period] = []
    for p in sorted(periods, key=lambda p: (p.start, p.end)):
        # (a, b] and (b, c] leave no counted day between them, so touching periods merge too.
        if merged and p.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Period(last.start, max(last.end, p.end), f"{last.reason}；{p.reason}")
        else:
            merged.append(p)
    return merged


def _count_to(cal: WorkCalendar, day0: date, periods: list[Period], limit: int) -> date:
    """The day the count of non-excluded working days after day0 reaches limit."""
    pos, remaining = day0, limit
    for p in periods:
        candidate = cal.add_workdays(pos, remaining)
        if candidate <= p.start:
            return candidate
        remaining -= cal.workdays_between(pos, p.start)
        pos = p.end
    return cal.add_workdays(pos, remaining)


def _counted_segments(day0: date, periods: list[Period], until: date) -> list[tuple[date, date]]:
    """The spans (a, b] that were counted between day0 and until, between the excluded periods."""
    segments: list[tuple[date, date]] = []
    pos = day0
    for p in periods:
        if p.start >= until:
            break
        segments.append((pos, p.start))
        pos = p.end
    if pos < until:
        segments.append((pos, until))
    return [(a, b) for a, b in segments if a < b]


def _consultation_period(c: Consultation, cal: WorkCalendar) -> tuple[Period, date]:
    cap = cal.add_workdays(c.sent, term_days("consultation"))
    label = _PARTY_LABELS.get(c.party, "征求意见")
    who = f"（{c.to}）" if c.to else ""
    basis = cite(_PARTY_BASIS.get(c.party, "consultation_third_party"))
    if c.replied is not None and c.replied <= cap:
        end = c.replied
        how = f"{_d(c.replied)}收到答复"
    else:
        end = cap
        late = f"答复于{_d(c.replied)}，晚于" if c.replied is not None else "未答复，"
        how = f"{late}计至发出后第{term_days('consultation')}个工作日{_d(cap)}"
        if c.party == "agency":
            how += "，逾期未提出意见的视为同意"
    reason = f"{label}{who}：{_d(c.sent)}发出，{how}（{basis}）"
    return Period(c.sent, end, reason), cap


def _fee_text(f: Fee) -> str:
    return f"{_FEE_METHODS.get(f.method, f.method)}，{format(f.amount, 'f')}元"


def compute(facts: ClockFacts, cal: WorkCalendar, *, explain: bool = True) -> ClockResult:
    """Apply domain.md §2.3 to the facts; explain=False skips the sentences (bulk recomputes)."""
    closed = facts.outcome_on is not None or facts.outcome_code is not None
    # A closed case keeps the due in force when it closed: later events do not move it.
    seen = facts_as_of(facts, facts.outcome_on) if facts.outcome_on is not None else facts
    first_day0 = facts.received
    notice_due = cal.add_workdays(first_day0, term_days("correction_notice"))
    spans: list[tuple[date, date]] = [(first_day0, notice_due)]

    corrections = sorted(seen.corrections, key=lambda c: c.notice)
    day0 = first_day0
    restart: Correction | None = None
    for c in corrections:
        if c.received is not None and c.received > day0:
            day0, restart = c.received, c
    pending_correction = (
        corrections[-1] if corrections and corrections[-1].received is None else None
    )
    correction_end = corrections[-1].until if corrections else None

    raw: list[Period] = []
    for k in seen.consultations:
        period, cap = _consultation_period(k, cal)
        raw.append(period)
        spans.append((k.sent, cap))
    consultation_due = tuple(
        cal.add_workdays(k.sent, term_days("consultation")) for k in facts.consultations
    )

    unpaid: Fee | None = None
    fee_due: date | None = None
    for f in sorted(seen.fees, key=lambda f: f.notice):
        if f.paid is None:
            if unpaid is None:
                unpaid, fee_due = f, cal.add_workdays(f.notice, term_days("fee_payment"))
                spans.append((f.notice, fee_due))
        else:
            what = (
                f"收费（{_fee_text(f)}）：{_d(f.notice)}发出收费通知，"
                f"{_d(f.paid)}缴费（{cite('fee')}）"
            )
            raw.append(Period(f.notice, f.paid, what))

    # Only what lies after the effective day 0 can be excluded from a count that starts there.
    excluded = _merge(
        replace(p, start=max(p.start, day0)) for p in raw if p.end > day0 and p.end > p.start
    )

    limit = term_days("reply") + (term_days("extension") if seen.extensions else 0)
    suspended = pending_correction is not None or unpaid is not None
    counted_due: date | None = None
    due: date | None = None
    delay: Delay | None = None
    if not suspended:
        counted_due = _count_to(cal, day0, excluded, limit)
        due = counted_due
        if seen.delays:
            # The latest decision under 条例 35 is the one in force; ties go to the later entry.
            delay = max(enumerate(seen.delays), key=lambda t: (t[1].on, t[0]))[1]
            due = delay.due
        else:
            spans.append((day0, counted_due))

    provisional: set[int] = set()
    for a, b in spans:
        provisional.update(cal.unscheduled_years(a, b))
    # A due date set under 条例 35 is the office's own date, not a count: never provisional.
    due_provisional = (
        counted_due is not None and delay is None and bool(cal.unscheduled_years(day0, counted_due))
    )

    if closed:
        status = Status.CLOSED
    elif suspended:
        status = Status.SUSPENDED
    else:
        status = Status.OPEN

    explanation: tuple[str, ...] = ()
    if explain:
        explanation = tuple(
            _explain(
                facts,
                seen,
                cal,
                _Derived(
                    day0=day0,
                    notice_due=notice_due,
                    corrections=corrections,
                    restart=restart,
                    pending_correction=pending_correction,
                    unpaid=unpaid,
                    fee_due=fee_due,
                    excluded=excluded,
                    limit=limit,
                    counted_due=counted_due,
                    delay=delay,
                    due=due,
                    provisional=sorted(provisional),
                ),
            )
        )

    return ClockResult(
        first_day0=first_day0,
        day0=day0,
        status=status,
        due=due,
        due_provisional=due_provisional,
        correction_notice_due=notice_due,
        correction_period_end=correction_end,
        fee_payment_due=fee_due,
        consultation_reply_due=consultation_due,
        limit=limit,
        excluded=tuple(excluded),
        provisional_years=tuple(sorted(provisional)),
        explanation=explanation,
    )


class Clocks:
    """compute(facts, cal, explain=False) for many cases over one calendar (an import, the demo).

    A case without events has a clock that depends only on its day of receipt and on whether it
    is closed: facts_as_of leaves such facts as they are, and nothing else reads the outcome. Its
    clock is computed once per such pair (an import of 10,000 cases computed 10,000 clocks for a
    few hundred days); a case with events is computed on its own. tests/test_clock_memo.py
    compares both for every case of a demo.
    """

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        self._plain: dict[tuple[date, bool], ClockResult] = {}

    def of(self, facts: ClockFacts) -> ClockResult:
        events = facts.corrections, facts.consultations, facts.extensions, facts.fees, facts.delays
        if any(events):
            return compute(facts, self.cal, explain=False)
        key = (facts.received, facts.outcome_on is not None or facts.outcome_code is not None)
        found = self._plain.get(key)
        if found is None:
            found = self._plain[key] = compute(facts, self.cal, explain=False)
        return found


@dataclass(frozen=True)
class _Derived:
    """What compute() worked out, handed to the explanation in one piece."""

    day0: date
    notice_due: date
    corrections: list[Correction]
    restart: Correction | None
    pending_correction: Correction | None
    unpaid: Fee | None
    fee_due: date | None
    excluded: list[Period]
    limit: int
    counted_due: date | None
    delay: Delay | None
    due: date | None
    provisional: list[int]


def _explain(facts: ClockFacts, seen: ClockFacts, cal: WorkCalendar, x: _Derived) -> list[str]:
    out: list[str] = []
    channel = facts.channel
    out.append(
        f"收到申请之日（第0日）为{_dw(facts.received)}：提交方式为{CHANNEL_LABELS[channel]}，"
        f"{_CHANNEL_RULES[channel]}（{cite('day0')}）。"
    )

    # 补正 (correction): its deadline, its period, and the restart it causes.
    out.append(
        f"补正告知应于{_dw(x.notice_due)}前一次性发出（收到申请后{term_days('correction_notice')}个工作日内，"
        f"{basis('correction_notice')}）。"
    )
    default_used = False
    for c in x.corrections:
        text = f"{_d(c.notice)}发出补正告知，补正期限至{_d(c.until)}"
        if c.until == default_correction_until(c.notice, cal):
            default_used = True
            text += f"（默认{term_days('correction_period')}个工作日）"
        out.append(text + "。")
        if c.notice > x.notice_due:
            out.append(f"注意：补正告知晚于{term_days('correction_notice')}个工作日的法定期限。")
    if x.restart is not None and x.restart.received is not None:
        out.append(
            f"申请人于{_dw(x.restart.received)}提交补正，以该日为新的收到申请之日重新计算，"
            f"补正前经过的工作日不再计算（{cite('correction')}）。"
        )
    if x.pending_correction is not None:
        out.append(
            "补正尚未提交：等待补正期间答复期限中止，暂无答复到期日；"
            f"补正后自提交之日起重新计算{term_days('reply')}个工作日。"
            f"期限届满（{_d(x.pending_correction.until)}）仍无正当理由不补正的，视为放弃申请。"
        )

    # The count itself.
    until = x.counted_due
    if until is None and x.pending_correction is None and x.unpaid is not None:
        until = x.unpaid.notice  # show what was counted before payment stopped the clock
    if until is not None:
        segments = _counted_segments(x.day0, x.excluded, until)
        parts = [
            f"{_span(a + timedelta(days=1), b)}（{cal.workdays_between(a, b)}个工作日）"
            for a, b in segments
        ]
        counted = sum(cal.workdays_between(a, b) for a, b in segments)
        ranges = "、".join(parts) if parts else "无"
        if x.counted_due is not None:
            out.append(
                f"答复期限为{x.limit}个工作日。计入期限的日期：{ranges}，共{counted}个工作日；"
                f"按工作日计算，期限届满日为{_dw(x.counted_due)}。"
            )
        else:
            out.append(
                f"答复期限为{x.limit}个工作日。收费通知前已计入：{ranges}，共{counted}个工作日，"
                f"缴费后继续计算余下的{x.limit - counted}个工作日。"
            )
    for p in x.excluded:
        note = ""
        if until is not None and p.start >= until:
            note = "（开始于期限届满之后，不影响期限）"
        days = cal.workdays_between(p.start, p.end)
        out.append(
            f"不计入期限：{_span(p.start + timedelta(days=1), p.end)}，"
            f"共{days}个工作日——{p.reason}{note}。"
        )
    if x.unpaid is not None and x.fee_due is not None:
        out.append(
            f"{_d(x.unpaid.notice)}发出收费通知（{_fee_text(x.unpaid)}），申请人应于{_dw(x.fee_due)}前缴费"
            f"（{term_days('fee_payment')}个工作日，{basis('fee_payment')}）；缴费前答复期限中止，"
            "逾期未缴费的视为放弃申请。"
        )

    if until is not None:
        blocks = _holiday_blocks(cal, cal.holidays_between(x.day0, until))
        if blocks:
            out.append(f"期间遇节假日，不计入：{'；'.join(blocks)}。")
        worked = [
            d
            for d in cal.worked_weekends_between(x.day0, until)
            if not any(p.start < d <= p.end for p in x.excluded)
        ]
        if worked:
            named = "、".join(
                f"{_d(d)}（星期{_WEEKDAYS[d.weekday()]}"
                + (f"，{name}" if (name := cal.holiday_name(d)) else "")
                + "）"
                for d in worked
            )
            out.append(f"期间的调休上班日计为工作日：{named}。")

    for e in seen.extensions[:1]:
        who = f"经{e.approved_by}批准" if e.approved_by else "经批准"
        out.append(
            f"{_d(e.on)}{who}延长答复期限，期限由{term_days('reply')}个工作日延长为{x.limit}个工作日"
            f"（{cite('extension')}）。"
        )
    if x.delay is not None:
        why = f"（理由：{x.delay.reason}）" if x.delay.reason else ""
        out.append(
            f"{_d(x.delay.on)}依据{cite('delay')}另行确定答复期限为{_dw(x.delay.due)}{why}，"
            "取代按工作日计算的期限。"
        )

    for year in x.provisional:
        out.append(f"{year}年的节假日安排尚未录入，按周末计算，本期限为暂定。")

    out.append(
        f"决定：收到申请当日不计入，期限自次日起算，至第{x.limit}个工作日结束时届满"
        f"（参照{cite('counting')}）。"
    )
    if x.excluded:
        out.append(
            "决定：征求意见和收费期间，自开始之日的次日起至结束之日止的工作日不计入期限；"
            f"征求意见未答复的，计至发出后第{term_days('consultation')}个工作日；重叠的期间合并计算。"
        )
    if default_used:
        out.append(
            f"决定：补正期限默认为补正告知之日起{term_days('correction_period')}个工作日，可修改。"
        )

    if facts.outcome_on is not None:
        if facts.outcome_on == facts.received:
            out.append(f"收到申请当日即办结（当场答复，{cite('same_day')}）。")
        else:
            out.append(f"本案已于{_d(facts.outcome_on)}办结，以上为办结时有效的期限。")
        if x.due is not None and facts.outcome_on > x.due:
            out.append("注意：办结日期晚于答复期限。")
    return out


def _holiday_blocks(cal: WorkCalendar, days: list[date]) -> list[str]:
    """Consecutive holiday days as one block, named; a bare weekend between two parts joins them."""
    blocks: list[list[date]] = []
    for d in days:
        if blocks:
            last = blocks[-1][-1]
            gap = [last + timedelta(days=i) for i in range(1, (d - last).days)]
            if all(g.weekday() >= 5 for g in gap):
                blocks[-1].append(d)
                continue
        blocks.append([d])
    texts: list[str] = []
    for block in blocks:
        names: list[str] = []
        for d in block:
            name = cal.holiday_name(d)
            if name and name not in names:
                names.append(name)
        label = "、".join(names) if names else "节假日"
        texts.append(f"{label}（{_span(block[0], block[-1])}）")
    return texts


# --- warnings -----------------------------------------------------------------------------------


class WarningLevel(StrEnum):
    """How close an open case is to its due date (Decision: amber at 3 working days or fewer)."""

    NONE = "none"
    AMBER = "amber"
    RED = "red"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return _WARNING_LABELS[self]


_WARNING_LABELS = {
    WarningLevel.NONE: "",
    WarningLevel.AMBER: "临期",
    WarningLevel.RED: "今日到期",
    WarningLevel.OVERDUE: "逾期",
}


def warning_level(
    result: ClockResult, today: date, cal: WorkCalendar, amber_days: int
) -> WarningLevel:
    """临期 when amber_days or fewer working days are left after today; only open cases warn.

    amber_days is the office's setting "clock.amber_days" (cases.rules.settings), never a figure
    here.
    """
    if result.status is not Status.OPEN or result.due is None:
        return WarningLevel.NONE
    if today > result.due:
        return WarningLevel.OVERDUE
    if today == result.due:
        return WarningLevel.RED
    if cal.workdays_between(today, result.due) <= amber_days:
        return WarningLevel.AMBER
    return WarningLevel.NONE


# --- validation ---------------------------------------------------------------------------------

# Outcomes that can end a case still waiting for the applicant.
_WHILE_CORRECTION = frozenset({"other_no_correction", "other_withdrawn"})
_WHILE_UNPAID = frozenset({"other_fee_unpaid", "other_withdrawn"})


def validate_facts(facts: ClockFacts, cal: WorkCalendar) -> list[tuple[str, str]]:
    """Contradictions in the facts, as (field, Chinese message); empty when they hold together."""
    errors: list[tuple[str, str]] = []

    def err(field: str, message: str) -> None:
        errors.append((field, message))

    day0 = facts.received
    before = f"早于收到申请之日{_d(day0)}"

    # 补正 (correction)
    if len(facts.corrections) > 1:
        err(
            "correction",
            f"补正只能告知一次，应一次性告知需要补正的全部内容（{cite('correction')}）",
        )
    for c in facts.corrections:
        if c.notice < day0:
            err("correction.notice", f"补正告知日期{_d(c.notice)}{before}")
        if c.until <= c.notice:
            err("correction.until", f"补正期限{_d(c.until)}应晚于补正告知日期{_d(c.notice)}")
        if c.received is not None and c.received < c.notice:
            err(
                "correction.received", f"补正提交日期{_d(c.received)}早于补正告知日期{_d(c.notice)}"
            )

    # 征求意见 (consultations)
    for k in facts.consultations:
        if k.party not in _PARTY_LABELS:
            err("consultation.party", f"征求意见的对象类型“{k.party}”无效，应为第三方或其他机关")
        if k.sent < day0:
            err("consultation.sent", f"征求意见发出日期{_d(k.sent)}{before}")
        if k.replied is not None and k.replied < k.sent:
            err(
                "consultation.replied",
                f"征求意见（{_d(k.sent)}发出）的答复日期{_d(k.replied)}早于发出日期",
            )

    # 收费 (fees)
    for f in facts.fees:
        if f.method not in _FEE_METHODS:
            err("fee.method", f"收费方式“{f.method}”无效，应为按件或按量计收")
        if f.amount < 0:
            err("fee.amount", "收费金额不能为负数")
        if f.notice < day0:
            err("fee.notice", f"收费通知日期{_d(f.notice)}{before}")
        if f.paid is not None and f.paid < f.notice:
            err("fee.paid", f"缴费日期{_d(f.paid)}早于收费通知日期{_d(f.notice)}")

    # 延期 (extension): once, and decided while the due date in force had not passed.
    if len(facts.extensions) > 1:
        err("extension", f"答复期限只能延长一次（{cite('extension')}）")
    for e in facts.extensions[:1]:
        if e.on < day0:
            err("extension.on", f"延期日期{_d(e.on)}{before}")
            continue
        at_that_time = replace(
            facts_as_of(facts, e.on), extensions=(), outcome_code=None, outcome_on=None
        )
        in_force = compute(at_that_time, cal, explain=False).due
        if in_force is not None and e.on > in_force:
            err(
                "extension.on",
                f"延期应在当时的答复期限{_d(in_force)}届满前决定并告知申请人，{_d(e.on)}已超过",
            )

    # 条例 35: the new due date must be later than the one it replaces.
    for i, x in enumerate(facts.delays):
        if x.on < day0:
            err("delay.on", f"延迟答复的决定日期{_d(x.on)}{before}")
            continue
        earlier = tuple(y for j, y in enumerate(facts.delays) if (y.on, j) < (x.on, i))
        at_that_time = replace(
            facts_as_of(facts, x.on), delays=earlier, outcome_code=None, outcome_on=None
        )
        in_force = compute(at_that_time, cal, explain=False).due
        if x.due <= x.on:
            err("delay.due", f"另行确定的答复期限{_d(x.due)}应晚于决定日期{_d(x.on)}")
        elif in_force is not None and x.due <= in_force:
            err(
                "delay.due",
                f"依据{cite('delay')}确定的答复期限{_d(x.due)}应晚于当时的答复期限{_d(in_force)}",
            )

    errors.extend(_validate_outcome(facts, cal))
    return errors


def _validate_outcome(facts: ClockFacts, cal: WorkCalendar) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    code, on = facts.outcome_code, facts.outcome_on
    if code is None and on is None:
        return errors
    if code is None or on is None:
        field = "outcome.code" if code is None else "outcome.on"
        return [(field, "办结结果和办结日期须同时填写")]
    if on < facts.received:
        errors.append(("outcome.on", f"办结日期{_d(on)}早于收到申请之日{_d(facts.received)}"))

    # Each step the office took must precede the decision that ended the case.
    steps: list[tuple[date, str]] = []
    steps += [(c.notice, "补正告知") for c in facts.corrections]
    steps += [(c.received, "补正提交") for c in facts.corrections if c.received is not None]
    steps += [(k.sent, "征求意见") for k in facts.consultations]
    steps += [(e.on, "延期") for e in facts.extensions]
    steps += [(f.notice, "收费通知") for f in facts.fees]
    steps += [(f.paid, "缴费") for f in facts.fees if f.paid is not None]
    steps += [(x.on, "延迟答复决定") for x in facts.delays]
    for when, what in sorted(steps):
        if when > on:
            errors.append(("outcome.on", f"办结日期{_d(on)}早于{what}日期{_d(when)}"))

    open_corrections = [c for c in facts.corrections if c.received is None]
    received_corrections = [c for c in facts.corrections if c.received is not None]
    unpaid = [f for f in facts.fees if f.paid is None]
    if open_corrections and code not in _WHILE_CORRECTION:
        errors.append(("outcome.code", "补正尚未提交，只能按“逾期不补正”或“申请人撤回”办结"))
    if unpaid and code not in _WHILE_UNPAID:
        errors.append(("outcome.code", "费用尚未缴纳，只能按“逾期未缴费”或“申请人撤回”办结"))
    if code == "other_no_correction":
        if not facts.corrections:
            errors.append(("outcome.code", "没有补正告知，不能按“逾期不补正”办结"))
        elif received_corrections and not open_corrections:
            errors.append(("outcome.code", "申请人已提交补正，不能按“逾期不补正”办结"))
        for c in open_corrections:
            if on <= c.until:
                errors.append(("outcome.on", f"补正期限{_d(c.until)}届满后才能按“逾期不补正”办结"))
    if code == "unable_unclear" and not received_corrections:
        errors.append(("outcome.code", "“补正后仍不明确”须以申请人已提交补正为前提"))
    if code == "other_fee_unpaid":
        if not facts.fees:
            errors.append(("outcome.code", "没有收费通知，不能按“逾期未缴费”办结"))
        elif not unpaid:
            errors.append(("outcome.code", "申请人已缴费，不能按“逾期未缴费”办结"))
        for f in unpaid:
            pay_by = cal.add_workdays(f.notice, term_days("fee_payment"))
            if on <= pay_by:
                errors.append(("outcome.on", f"缴费期限{_d(pay_by)}届满后才能按“逾期未缴费”办结"))
    return errors
