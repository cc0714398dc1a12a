"""One case as the exchange format sees it: parsing and validating a record, field by field."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from cases.rules import case_input, vocab
from cases.rules.handbook import load_handbook
from cases.timing import dates
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import (
    Channel,
    ClockFacts,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    validate_facts,
)

RECORD_KEYS = (
    "no",
    "received",
    "channel",
    "applicant",
    "request",
    "body",
    "department",
    "handler",
    "events",
    "outcome",
    "voided",
    "reviews",
    "demo",  # true for a case the `demo` command made; optional on import (default false)
)
# The checks shared with registration live in cases.rules.case_input; these names stay for callers.
FIRST_DATE, LAST_DATE = case_input.FIRST_DATE, case_input.LAST_DATE
TEXT_LIMITS = case_input.TEXT_LIMITS


COMPUTED_KEYS = ("status", "due", "due_provisional", "correction_notice_due")
APPLICANT_KEYS = (
    "type",
    "name",
    "id_type",
    "id_number",
    "phone",
    "address",
    "postcode",
    "email",
    "agent",
)
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "correction": ("notice", "until", "received", "items"),
    "consultation": (
        "party",
        "to",
        "sent",
        "replied",
        "opinion",
        "note",
        "information",
        "disclosure_reason",
    ),
    "extension": ("on", "approved_by"),
    "fee": ("notice", "method", "amount", "paid"),
    "delay": ("on", "due", "reason"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in an input: where, which field, what."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where} 字段 {self.field}：{self.message}"


@dataclass
class ApplicantData:
    type: str
    name: str
    id_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    email: str | None = None
    agent_name: str | None = None
    agent_phone: str | None = None

    def identity(self) -> tuple[str, str, str]:
        return (self.type, self.name, self.id_number or "")


@dataclass
class OutcomeData:
    code: str
    on: dt.date
    note: str = ""
    reasons: tuple[str, ...] = ()
    statement: str = ""
    holder: str = ""
    holder_contact: str = ""


OPINIONS = {"agree": "同意公开", "object": "不同意公开"}
OUTCOME_KEYS = ("code", "on", "note", "reasons", "statement", "holder", "holder_contact")


@dataclass
class ReviewData:
    kind: str
    filed: dt.date
    result: str | None
    decided: dt.date | None


@dataclass
class CaseRecord:
    """A validated case, ready to be written."""

    where: str
    no: str | None
    received: dt.date
    channel: str
    applicant: ApplicantData
    description: str
    form: str
    delivery: str
    department: str | None
    handler: str | None
    corrections: list[Correction] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    fees: list[Fee] = field(default_factory=list)
    delays: list[Delay] = field(default_factory=list)
    outcome: OutcomeData | None = None
    reviews: list[ReviewData] = field(default_factory=list)
    body: str | None = None
    voided: tuple[dt.date | None, str] | None = None  # (on, reason)
    demo: bool = False  # demo data (cases.demo), kept through export and import
    # What the clock does not need but the letters do, in the order of the events above:
    # correction items, consultation opinion, note, information and disclosure reason; the
    # extension's reason and the fee's units, which the format does not carry (the demo does).
    extras: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def facts(self) -> ClockFacts:
        return ClockFacts(
            received=self.received,
            channel=Channel(self.channel),
            corrections=tuple(self.corrections),
            consultations=tuple(self.consultations),
            extensions=tuple(self.extensions),
            fees=tuple(self.fees),
            delays=tuple(self.delays),
            outcome_code=self.outcome.code if self.outcome else None,
            outcome_on=self.outcome.on if self.outcome else None,
        )


class _Reader:
    """Reads typed values out of a JSON object, collecting problems instead of stopping."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.today = dates.today()  # once a record, not once a date (27,000 for 10,000 rows)

    def bad(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.where, field, message))

    def keys(self, obj: Mapping[str, Any], allowed: Collection[str], prefix: str) -> None:
        for key in obj:
            if key not in allowed:
                self.bad(f"{prefix}{key}", "未知字段（交换格式中没有这个字段）")

    def text(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool) -> str | None:
        value = obj.get(key)
        if isinstance(value, str):
            value = value.strip()
            if not value:
                value = None
            elif _plain_text(path, value):
                return value  # what text_problem would pass, found without building a message
        if value is None:
            if required:
                self.bad(path, case_input.required_problem(path))
            return None
        if not isinstance(value, str):
            self.bad(path, f"应为文字，实为 {json_type(value)}")
            return None
        problem = case_input.text_problem(path, value)
        if problem:
            self.bad(path, problem)
            return None
        return value

    def date(
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool, past: bool = True
    ) -> dt.date | None:
        """A date in the plausible range; `past` for what has happened (not after today)."""
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(path, "必填日期，格式 YYYY-MM-DD")
            return None
        if not isinstance(value, str):
            self.bad(path, f"日期应写成文字 YYYY-MM-DD，实为 {json_type(value)}")
            return None
        try:
            if len(value) != 10:
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.bad(path, f"“{value}”不是有效日期（格式 YYYY-MM-DD）")
            return None
        if FIRST_DATE <= day <= LAST_DATE and (not past or day <= self.today):
            return day  # what date_problem would pass
        problem = case_input.date_problem(path, day, past=past, today=self.today)
        if problem:
            self.bad(path, problem)
            return None
        return day

    def choice(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        allowed: Mapping[str, str],
        *,
        required: bool,
    ) -> str | None:
        value = self.text(obj, key, path, required=required)
        if value is None:
            return None
        problem = case_input.choice_problem(path, value, allowed)
        if problem:
            self.bad(path, problem)
            return None
        return value

    def obj(self, parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.bad(path, f"应为对象 {{…}}，实为 {json_type(value)}")
            return None
        return value

    def array(self, parent: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(path, f"应为列表 […]，实为 {json_type(value)}")
            return []
        return value


@functools.lru_cache(maxsize=4096)
def _limit(path: str) -> int | None:
    return case_input.TEXT_LIMITS.get(case_input.general(path))


def _plain_text(path: str, value: str) -> bool:
    """True when case_input.text_problem finds nothing in the (stripped) value: no NUL, no lone
    surrogate, within the field's limit. False only means that text_problem must look."""
    limit = _limit(path)
    if limit is not None and len(value) > limit:
        return False
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_type(value: Any) -> str:
    names = {bool: "真假值", int: "数字", float: "数字", str: "文字", list: "列表", dict: "对象"}
    return names.get(type(value), type(value).__name__)


# The keys each object may hold, as sets: asked of every key of every record.
_TOP_KEYS = frozenset(RECORD_KEYS + COMPUTED_KEYS)
_REQUEST_KEYS = frozenset(("description", "form", "delivery"))
_APPLICANT_KEYS = frozenset(APPLICANT_KEYS)
_OUTCOME_KEYS = frozenset(OUTCOME_KEYS)
_EVENT_KEYS = {kind: frozenset(("kind", *keys)) for kind, keys in EVENT_KEYS.items()}


def parse_record(
    raw: Any, where: str, outcome_codes: frozenset[str], cal: WorkCalendar
) -> tuple[CaseRecord | None, list[Problem], list[Problem]]:
    """Validate one exchange record; returns the record (None if any problem) and the findings."""
    r = _Reader(where)
    if not isinstance(raw, dict):
        r.bad("(整行)", f"每行应是一个 JSON 对象，实为 {json_type(raw)}")
        return None, r.problems, r.warnings
    r.keys(raw, _TOP_KEYS, "")
    no = r.text(raw, "no", "no", required=False)
    received = r.date(raw, "received", "received", required=True)
    channel = r.choice(raw, "channel", "channel", vocab.CHANNELS, required=True)
    applicant = _applicant(r, raw)
    request = r.obj(raw, "request", "request")
    description, form, delivery = None, None, None
    if request is None:
        r.bad("request", "必填：{description, form, delivery}")
    else:
        r.keys(request, _REQUEST_KEYS, "request.")
        description = r.text(request, "description", "request.description", required=True)
        form = r.choice(request, "form", "request.form", vocab.FORMS, required=True)
        delivery = r.choice(
            request, "delivery", "request.delivery", vocab.DELIVERIES, required=True
        )
    department = r.text(raw, "department", "department", required=False)
    handler = r.text(raw, "handler", "handler", required=False)
    body = r.text(raw, "body", "body", required=False)
    events, extras = _events(r, raw)
    outcome = _outcome(r, raw, outcome_codes)
    voided = _voided(r, raw)
    reviews = _reviews(r, raw)
    demo = raw.get("demo", False)
    if not isinstance(demo, bool):
        r.bad("demo", f"应为 true 或 false，实为 {json_type(demo)}")
    if r.problems:
        return None, r.problems, r.warnings
    assert received and channel and applicant and description and form and delivery
    record = CaseRecord(
        where,
        no,
        received,
        channel,
        applicant,
        description,
        form,
        delivery,
        department,
        handler,
        outcome=outcome,
        reviews=reviews,
        body=body,
        voided=voided,
        demo=demo is True,
        extras=extras,
        **events,
    )
    _check_order(r, record, cal)
    return (None if r.problems else record), r.problems, r.warnings


def _applicant(r: _Reader, raw: Mapping[str, Any]) -> ApplicantData | None:
    obj = r.obj(raw, "applicant", "applicant")
    if obj is None:
        r.bad("applicant", "必填：申请人信息 {type, name, …}")
        return None
    r.keys(obj, _APPLICANT_KEYS, "applicant.")
    kind = r.choice(obj, "type", "applicant.type", vocab.APPLICANT_TYPES, required=True)
    name = r.text(obj, "name", "applicant.name", required=True)
    id_type = r.choice(obj, "id_type", "applicant.id_type", vocab.ID_TYPES, required=False)
    id_number = r.text(obj, "id_number", "applicant.id_number", required=False)
    agent = r.obj(obj, "agent", "applicant.agent")
    agent_name = agent_phone = None
    if agent is not None:
        r.keys(agent, ("name", "phone"), "applicant.agent.")
        agent_name = r.text(agent, "name", "applicant.agent.name", required=True)
        agent_phone = r.text(agent, "phone", "applicant.agent.phone", required=False)
    if id_number and id_type:
        _check_id(r, id_type, id_number)
    if kind is None or name is None:
        return None
    return ApplicantData(
        kind,
        name,
        id_type,
        id_number,
        r.text(obj, "phone", "applicant.phone", required=False),
        r.text(obj, "address", "applicant.address", required=False),
        r.text(obj, "postcode", "applicant.postcode", required=False),
        r.text(obj, "email", "applicant.email", required=False),
        agent_name,
        agent_phone,
    )


def _check_id(r: _Reader, id_type: str, number: str) -> None:
    warning = case_input.id_warning(id_type, number)
    if warning:
        r.warnings.append(Problem(r.where, "applicant.id_number", warning))


def _texts(r: _Reader, obj: Mapping[str, Any], key: str, path: str) -> list[str]:
    values = []
    for i, item in enumerate(r.array(obj, key, path)):
        if not isinstance(item, str):
            r.bad(f"{path}[{i}]", f"应为文字，实为 {json_type(item)}")
        elif item.strip():
            values.append(item.strip())
    return values


def _free_text(r: _Reader, obj: Mapping[str, Any], key: str, path: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        r.bad(path, f"应为文字，实为 {json_type(value)}")
        return ""
    problem = case_input.text_problem(path, value)
    if problem:
        r.bad(path, problem)
        return ""
    return value.strip()


def _events(
    r: _Reader, raw: Mapping[str, Any]
) -> tuple[dict[str, list[Any]], dict[str, list[dict[str, Any]]]]:
    pairs: dict[str, list[tuple[Any, dict[str, Any]]]] = {
        "corrections": [],
        "consultations": [],
    }
    found: dict[str, list[Any]] = {
        "corrections": [],
        "consultations": [],
        "extensions": [],
        "fees": [],
        "delays": [],
    }
    for i, event in enumerate(r.array(raw, "events", "events")):
        path = f"events[{i}]"
        if not isinstance(event, dict):
            r.bad(path, f"应为对象 {{kind, …}}，实为 {json_type(event)}")
            continue
        kind = r.choice(event, "kind", f"{path}.kind", vocab.EVENT_KINDS, required=True)
        if kind is None:
            continue
        r.keys(event, _EVENT_KEYS[kind], f"{path}.")
        p = f"{path}."
        if kind == "correction":
            notice = r.date(event, "notice", p + "notice", required=True)
            until = r.date(event, "until", p + "until", required=True, past=False)
            got = r.date(event, "received", p + "received", required=False)
            items = _texts(r, event, "items", p + "items")
            if notice and until:
                pairs["corrections"].append((Correction(notice, until, got), {"items": items}))
        elif kind == "consultation":
            party = r.choice(event, "party", p + "party", vocab.CONSULTATION_PARTIES, required=True)
            to = r.text(event, "to", p + "to", required=True)
            sent = r.date(event, "sent", p + "sent", required=True)
            replied = r.date(event, "replied", p + "replied", required=False)
            opinion = r.choice(event, "opinion", p + "opinion", OPINIONS, required=False)
            texts = {
                name: _free_text(r, event, name, p + name)
                for name in ("note", "information", "disclosure_reason")
            }
            if party and to and sent:
                extra = {"opinion": opinion or "", **texts}
                pairs["consultations"].append((Consultation(party, to, sent, replied), extra))
        elif kind == "extension":
            on = r.date(event, "on", p + "on", required=True)
            by = r.text(event, "approved_by", p + "approved_by", required=True)
            if on and by:
                found["extensions"].append(Extension(on, by))
        elif kind == "fee":
            notice = r.date(event, "notice", p + "notice", required=True)
            method = r.choice(event, "method", p + "method", vocab.FEE_METHODS, required=True)
            amount = _amount(r, event.get("amount"), p + "amount")
            paid = r.date(event, "paid", p + "paid", required=False)
            if notice and method and amount is not None:
                found["fees"].append(Fee(notice, method, amount, paid))
        else:
            on = r.date(event, "on", p + "on", required=True)
            due = r.date(event, "due", p + "due", required=True, past=False)
            reason = r.text(event, "reason", p + "reason", required=True)
            if on and due and reason:
                found["delays"].append(Delay(on, due, reason))
    extras: dict[str, list[dict[str, Any]]] = {}
    for name, events in pairs.items():
        events.sort(key=lambda pair: _event_sort_key(pair[0]))
        found[name] = [event for event, _ in events]
        extras[name] = [extra for _, extra in events]
    for name in ("extensions", "fees", "delays"):
        found[name].sort(key=_event_sort_key)
    return found, extras


def _event_sort_key(event: Any) -> dt.date:
    for attr in ("notice", "sent", "on"):
        if hasattr(event, attr):
            value: dt.date = getattr(event, attr)
            return value
    raise AssertionError(event)


def _amount(r: _Reader, value: Any, path: str) -> Decimal | None:
    if value is None:
        r.bad(path, "必填：收费金额（元）")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        r.bad(path, f"应为数字，实为 {json_type(value)}")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        r.bad(path, f"“{value}”不是金额")
        return None
    if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
        r.bad(path, f"金额 {value} 应在 0 至 {MAX_AMOUNT} 元之间")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        r.bad(path, f"金额 {value} 最多两位小数")
        return None
    return amount


MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds


def _outcome(r: _Reader, raw: Mapping[str, Any], codes: frozenset[str]) -> OutcomeData | None:
    obj = r.obj(raw, "outcome", "outcome")
    if obj is None:
        return None
    r.keys(obj, _OUTCOME_KEYS, "outcome.")
    code = r.text(obj, "code", "outcome.code", required=True)
    if code is not None and code not in codes:
        r.bad("outcome.code", f"“{code}”不是办理结果代码（见 domain.md §3 的 24 种结果）")
        code = None
    on = r.date(obj, "on", "outcome.on", required=True)
    note = r.text(obj, "note", "outcome.note", required=False) or ""
    reasons = tuple(_texts(r, obj, "reasons", "outcome.reasons"))
    statement = _free_text(r, obj, "statement", "outcome.statement")
    holder = _free_text(r, obj, "holder", "outcome.holder")
    holder_contact = _free_text(r, obj, "holder_contact", "outcome.holder_contact")
    if code is not None and reasons:
        known = _reasons_of(code)
        unknown = [x for x in reasons if x not in known]
        if unknown:
            r.bad(
                "outcome.reasons",
                f"“{'、'.join(unknown)}”不是办理结果 {code} 的理由；"
                f"可选：{'、'.join(sorted(known))}",
            )
    if code is None or on is None:
        return None
    return OutcomeData(code, on, note, reasons, statement, holder, holder_contact)


_REASONS: tuple[Any, dict[str, frozenset[str]]] = (None, {})


def _reasons_of(code: str) -> frozenset[str]:
    """The reason ids of an outcome in the handbook in force, each code's set made once (it was
    made for each of 10,000 closed cases); made again when another handbook is in force."""
    global _REASONS
    handbook = load_handbook()
    if _REASONS[0] is not handbook:
        _REASONS = (handbook, {})
    known = _REASONS[1].get(code)
    if known is None:
        known = _REASONS[1][code] = frozenset(r.id for r in handbook.outcome(code).reasons)
    return known


def _voided(r: _Reader, raw: Mapping[str, Any]) -> tuple[dt.date | None, str] | None:
    obj = r.obj(raw, "voided", "voided")
    if obj is None:
        return None
    r.keys(obj, ("on", "reason"), "voided.")
    # Not required: 作废 at the desk (cases.actions.void) keeps no date, and its export must
    # import again as it is.
    on = r.date(obj, "on", "voided.on", required=False)
    reason = r.text(obj, "reason", "voided.reason", required=True)
    if reason is None:
        return None
    return on, reason


def _reviews(r: _Reader, raw: Mapping[str, Any]) -> list[ReviewData]:
    reviews: list[ReviewData] = []
    for i, item in enumerate(r.array(raw, "reviews", "reviews")):
        path = f"reviews[{i}]"
        if not isinstance(item, dict):
            r.bad(path, f"应为对象，实为 {json_type(item)}")
            continue
        r.keys(item, ("kind", "filed", "result", "decided"), f"{path}.")
        kind = r.choice(item, "kind", f"{path}.kind", vocab.REVIEW_KINDS, required=True)
        filed = r.date(item, "filed", f"{path}.filed", required=True)
        result = r.choice(item, "result", f"{path}.result", vocab.REVIEW_RESULTS, required=False)
        decided = r.date(item, "decided", f"{path}.decided", required=False)
        if (result is None) != (decided is None):
            r.bad(f"{path}.decided", "审结日期与结果应同时填写或同时为空")
        if filed and decided and decided < filed:
            r.bad(f"{path}.decided", f"审结日期 {decided} 早于立案/起诉日期 {filed}")
        if kind and filed:
            reviews.append(ReviewData(kind, filed, result, decided))
    reviews.sort(key=lambda v: (v.filed, v.kind))
    return reviews


def _check_order(r: _Reader, record: CaseRecord, cal: WorkCalendar) -> None:
    """Dates in order and the clock's own consistency rules (cases.timing.clock.validate_facts)."""
    for field_name, message in validate_facts(record.facts(), cal):
        r.bad(field_name, message)
    if record.reviews and record.outcome is None:
        r.bad("reviews", "案件尚未办结，不能有行政复议或诉讼记录")
    for i, review in enumerate(record.reviews):
        if record.outcome and review.filed < record.outcome.on:
            r.bad(f"reviews[{i}].filed", f"复议/起诉日期 {review.filed} 早于答复日期")
