"""Demo data (演示数据): years of realistic generated cases, so a new user sees a living office.

Each case is lived through from receipt to reply in the order an office meets its events (补正,
收费, 条例35, 征求意见, 延期, reply, service, 复议/诉讼); then everything after `today` is cut off.
The last weeks' cases are therefore still open, waiting for a correction, a payment or an opinion,
some close to or past their due date, exactly as the clock would see them. Every case is checked
with cases.timing.clock.validate_facts before it is written, and its stored clock columns come from
cases.timing.clock.compute, so nothing here could be refused by the exchange import.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cases.interchange import bulk, exchange
from cases.interchange.records import ApplicantData, CaseRecord, OutcomeData, ReviewData
from cases.office import numbering
from cases.rules import fees, ids, workflow
from cases.rules.handbook import StepId, cite, load_handbook
from cases.sample.demo_tables import (
    ANY_TOWN,
    APPLICANT_WEIGHTS,
    BACKLOG_DAYS,
    CHANNEL_WEIGHTS,
    CORRECTION_ITEMS,
    COUNTY_ROADS,
    DEPARTMENTS,
    DISCLOSED,
    DOC_PREFIX,
    ESTATES,
    EXTENSION_REASONS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    HEAVY_SHARE,
    HOSPITALS,
    ID_AREAS,
    INDUSTRIES,
    LAND_AND_HOUSING,
    ON_THE_SPOT,
    ORG_CODES,
    OTHER_PLACES,
    OUTCOME_NOTES,
    OUTCOME_TOPICS,
    OUTCOME_WEIGHTS,
    P_CORRECTION,
    P_CORRECTION_BACKLOG,
    P_FEE,
    P_FEE_BACKLOG,
    P_LATE,
    P_LATE_BACKLOG,
    P_ON_THE_SPOT,
    P_VOID,
    POSTCODES,
    PROCEDURAL,
    PROJECTS,
    PROOFS,
    RECENT_POOL,
    REPEAT_SHARE,
    RIVERS,
    ROADS,
    SCENIC,
    SCHOOLS,
    SENTENCE_REQUESTS,
    SURNAMES,
    TOPICS,
    TOWN_NAMES,
    TOWNS,
    TRADE_NAMES,
    VILLAGES,
)
from cases.storage import model
from cases.timing import clock, deadlines
from cases.timing.calendar import WorkCalendar

__all__ = ["ACTION", "ACTOR", "default_years", "generate"]

ACTOR = "演示数据"
ACTION = "demo"
CHUNK = 2000  # cases written per round of bulk inserts: memory stays flat for 300,000 cases
CASES_PER_YEAR = 800  # a district office's year (domain.md §4: 600–2,500)
MAX_YEARS = 8
CST = dt.timezone(dt.timedelta(hours=8), "CST")

Progress = Callable[[int, int], None]

# --- the public entry point ----------------------------------------------------------------------


def default_years(n_cases: int, today: date) -> tuple[int, ...]:
    """About CASES_PER_YEAR cases a year, two to MAX_YEARS years, ending with today's year."""
    count = min(MAX_YEARS, max(2, math.ceil(n_cases / CASES_PER_YEAR)))
    return tuple(range(today.year - count + 1, today.year + 1))


def generate(
    session: Session,
    n_cases: int,
    *,
    seed: int = 2025,
    years: tuple[int, ...] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> int:
    """Write n_cases generated cases in the caller's transaction; returns how many were written.

    The same seed, years, today and starting database give the same cases.
    """
    if n_cases < 0:
        raise ValueError(f"演示案件数量不能为负数（收到 {n_cases}）")
    today = today or workflow.today()
    chosen = _check_years(years if years is not None else default_years(n_cases, today), today)
    if n_cases == 0:
        return 0
    cal = deadlines.load_calendar(session)
    rng = random.Random(seed)
    office = _Office(rng, cal, today, n_cases)
    days = _receipt_days(rng, cal, chosen, today, n_cases)
    bursts = _bursts(rng, days, office.heavy)
    numbers = _Numbers(session)
    _ensure_departments(session)
    keys = {
        "applicants": bulk.Keys(session, model.Applicant),
        "cases": bulk.Keys(session, model.Case),
    }
    written = 0
    for start in range(0, n_cases, CHUNK):
        plans = [
            office.case(days[i], bursts.get(i), numbers)
            for i in range(start, min(n_cases, start + CHUNK))
        ]
        _write(session, keys, plans, cal)
        written += len(plans)
        if progress is not None:
            progress(written, n_cases)
    numbers.save(session)
    return written


def _check_years(years: Sequence[int], today: date) -> frozenset[int]:
    if not years:
        raise ValueError("演示数据的年份不能为空")
    later = [y for y in years if y > today.year]
    if later:
        raise ValueError(f"演示数据的年份 {later[0]} 晚于今天（{today.isoformat()}）")
    return frozenset(years)


# --- when applications arrive --------------------------------------------------------------------


def _receipt_days(
    rng: random.Random, cal: WorkCalendar, years: frozenset[int], today: date, n: int
) -> list[date]:
    """n working days of the years up to today, sorted; later years a little busier."""
    first = min(years)
    days: list[date] = []
    cum: list[float] = []
    total = 0.0
    d = date(first, 1, 1)
    while d <= today and d.year <= max(years):
        if d.year in years and cal.is_workday(d):
            total += 1.06 ** (d.year - first)  # applications grow from year to year
            days.append(d)
            cum.append(total)
        d += dt.timedelta(days=1)
    if not days:
        raise ValueError(f"演示数据的年份中，{today.isoformat()} 之前没有工作日，无法生成案件")
    return sorted(rng.choices(days, cum_weights=cum, k=n))


def _bursts(rng: random.Random, days: list[date], heavy: list[_Person]) -> dict[int, _Person]:
    """Each year a few runs of applications by one heavy applicant (大量申请, 条例35)."""
    burst_of: dict[int, _Person] = {}
    by_year: dict[int, list[int]] = {}
    for i, d in enumerate(days):
        by_year.setdefault(d.year, []).append(i)
    for indexes in by_year.values():
        if len(indexes) < 60:
            continue
        for _ in range(max(1, round(len(indexes) / 700))):
            size = rng.randint(14, 26)
            start = rng.randrange(0, len(indexes) - size)
            who = heavy[rng.randrange(min(3, len(heavy)))]
            for i in indexes[start : start + size]:
                burst_of[i] = who
    return burst_of


# --- applicants ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    """An applicant as the generator knows it; db_id is set once its row is written."""

    type: str
    data: ApplicantData
    town: str  # where the applicant's house or business is, for housing and land requests
    property: str  # an address on the island
    db_id: int | None = None
    last_request: tuple[str, str] | None = None  # description and department
    month: tuple[int, int] = (0, 0)
    in_month: int = 0

    def count_in_month(self, day: date) -> int:
        """This application's position among the applicant's applications of the month."""
        key = (day.year, day.month)
        if key != self.month:
            self.month, self.in_month = key, 0
        self.in_month += 1
        return self.in_month


class _People:
    """Names, ID numbers and addresses that read like the island's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> str:
        r = self.rng
        chars = GIVEN_MALE if r.random() < 0.55 else GIVEN_FEMALE
        given = r.choice(chars) + (r.choice(chars) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def town(self) -> str:
        return self.rng.choices(TOWN_NAMES, weights=[t[1] for t in TOWNS])[0]

    def address(self, town: str) -> str:
        r = self.rng
        if r.random() < 0.45:
            return (
                f"上海市崇明区{town}{r.choice(VILLAGES)}{r.randint(1, 18)}组{r.randint(1, 120)}号"
            )
        road = r.choice(ROADS.get(town, COUNTY_ROADS))
        if r.random() < 0.5:
            return (
                f"上海市崇明区{town}{road}{r.randint(1, 999)}弄"
                f"{r.randint(1, 60)}号{r.randint(1, 6)}0{r.randint(1, 4)}室"
            )
        return f"上海市崇明区{town}{road}{r.randint(1, 2999)}号"

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.92:
            return f"1{r.choice('3578')}{r.randint(0, 9)}{r.randrange(10**8):08d}"
        return f"021-59{r.randrange(10**6):06d}"

    def resident_id(self) -> str:
        r = self.rng
        area = r.choices([a for a, _ in ID_AREAS], weights=[w for _, w in ID_AREAS])[0]
        born = date(1940, 1, 1) + dt.timedelta(days=r.randrange(365 * 62))
        first17 = f"{area}{born:%Y%m%d}{r.randrange(1000):03d}"
        return first17 + ids.resident_id_check_char(first17)

    def credit_code(self, kind: str, area: str) -> str:
        r = self.rng
        prefix = r.choice(ORG_CODES[kind])
        if r.random() < 0.5:  # organization codes issued since 2015 start with MA
            body = "MA1" + "".join(r.choice(ids.USCC_CHARSET[:-6]) for _ in range(5))
        else:
            body = f"{r.randrange(10**8):08d}"
        first17 = prefix + area + body + ids.org_code_check_char(body)
        return first17 + ids.uscc_check_char(first17)

    def person(self, kind: str) -> _Person:
        town = self.town()
        prop = self.address(town)
        if kind == "natural_person":
            row = self._natural(town, prop)
        else:
            row = self._organization(kind, town)
        return _Person(kind, ApplicantData(**row), town, prop)

    def _natural(self, town: str, prop: str) -> dict[str, Any]:
        r = self.rng
        id_type: str | None = "resident_id"
        id_number: str | None = self.resident_id()
        roll = r.random()
        if roll < 0.02:
            id_type, id_number = "passport", f"E{r.randrange(10**8):08d}"
        elif roll < 0.035:
            id_type, id_number = "other", f"H{r.randrange(10**8):08d}"  # 港澳居民来往内地通行证
        elif roll < 0.06:
            id_type = id_number = None
        address, postcode = prop, POSTCODES[town]
        if r.random() < 0.22:
            place, road, postcode = r.choice(OTHER_PLACES)
            address = (
                f"{place}{road}{r.randint(1, 1500)}弄{r.randint(1, 80)}号{r.randint(101, 1804)}室"
            )
        agent_name = agent_phone = None
        if r.random() < 0.06:
            agent_name, agent_phone = self.name(), self.phone()
        return {
            "type": "natural_person",
            "name": self.name(),
            "id_type": id_type,
            "id_number": id_number,
            "phone": self.phone(),
            "address": address,
            "postcode": postcode,
            "email": f"{r.randint(10**5, 10**10)}@qq.com" if r.random() < 0.25 else None,
            "agent_name": agent_name,
            "agent_phone": agent_phone,
        }

    def _organization(self, kind: str, town: str) -> dict[str, Any]:
        r = self.rng
        trade = r.choice(TRADE_NAMES)
        area = "310230" if r.random() < 0.6 else "310000"
        address, postcode = self.address(town), POSTCODES[town]
        if kind == "enterprise":
            name = f"上海{trade}{r.choice(INDUSTRIES)}有限公司"
        elif kind == "legal_service":
            name = f"上海{trade}律师事务所"
            area = "310000"
            place, road, postcode = r.choice(OTHER_PLACES[:4])
            address = f"{place}{road}{r.randint(1, 1500)}号{r.randint(5, 32)}楼"
        elif kind == "research":
            name = r.choice((f"上海{trade}生态环境研究院", f"上海市崇明区{trade}农业科学研究所"))
        elif kind == "public_interest":
            name = r.choice((f"上海市崇明区{trade}公益服务中心", f"上海{trade}环保公益基金会"))
        else:
            name = r.choice(
                (f"上海市崇明区{town}{r.choice(VILLAGES)}村民委员会", f"上海{trade}农民专业合作社")
            )
        return {
            "type": kind,
            "name": name,
            "id_type": "uscc",
            "id_number": self.credit_code(kind, area),
            "phone": self.phone(),
            "address": address,
            "postcode": postcode,
            "email": None,
            "agent_name": self.name() if r.random() < 0.6 else None,
            "agent_phone": self.phone() if r.random() < 0.5 else None,
        }


# --- one case ------------------------------------------------------------------------------------


@dataclass
class _Life:
    """Everything that happens to one application, before the cut at today."""

    facts: clock.ClockFacts
    outcome_code: str
    outcome_on: date
    correction_items: str = ""
    opinions: tuple[str, ...] = ()
    extension_reason: str = ""
    fee_units: int | None = None
    reviews: list[tuple[str, date, str | None, date | None]] = field(default_factory=list)


@dataclass
class _Plan:
    """A case ready to be written: columns, events and the clock as of today."""

    no: str
    person: _Person
    received: date
    channel: str
    description: str
    form: str
    delivery: str
    department: str
    handler: str
    life: _Life
    facts: clock.ClockFacts  # as of today
    outcome_note: str
    step: str
    archived_at: dt.datetime | None
    service: tuple[str, str | None, date] | None
    signer: str
    reviewer: str
    voided: bool
    reasons: tuple[str, ...]  # chosen for the outcome (final when closed, proposed when open)
    created_at: dt.datetime
    as_of: date  # today: what lies after it has not happened yet


class _Office:
    """The simulated office: its staff, its applicants, and how it handles each application."""

    def __init__(self, rng: random.Random, cal: WorkCalendar, today: date, n_cases: int) -> None:
        self.rng, self.cal, self.today = rng, cal, today
        self.people = _People(rng)
        self.handlers = {
            name: [self.people.name() for _ in range(rng.randint(2, 4))]
            for name in [d[0] for d in DEPARTMENTS] + list(TOWN_NAMES)
        }
        self.reviewers = [self.people.name() for _ in range(3)]
        self.signers = [self.people.name() for _ in range(2)]
        self.heavy = [
            self.people.person(
                rng.choices(["natural_person", "legal_service", "enterprise"], weights=[80, 12, 8])[
                    0
                ]
            )
            for _ in range(min(40, max(3, n_cases // 400)))
        ]
        self.heavy_weights = [1 / (rank + 1) for rank in range(len(self.heavy))]
        self.recent: list[_Person] = []
        book = load_handbook()
        self.reasons = {o.code: tuple(r.id for r in o.reasons) for o in book.outcomes}
        # A heavy applicant's applications beyond the month's free ones are where fees and
        # the unreasonable-volume rule start.
        self.free_items = book.fee_schedule().per_item_free
        missing = (set(OUTCOME_WEIGHTS) | set(ON_THE_SPOT)) - set(self.reasons)
        if missing:  # the handbook is the list of outcomes; the weights here must follow it
            raise RuntimeError(f"演示数据使用了手册中没有的办理结果：{sorted(missing)}")
        dept_names = [d[0] for d in DEPARTMENTS] + ["长兴镇", ANY_TOWN]
        dept_weights = [d[2] for d in DEPARTMENTS] + [7.0, 8.0]
        self.departments = (dept_names, dept_weights)
        self.topics = {d[0]: d[3] for d in DEPARTMENTS}
        self.full_names = {d[0]: d[1] for d in DEPARTMENTS}
        self.backlog_from = today - dt.timedelta(days=BACKLOG_DAYS)

    # -- who applies, about what --

    def applicant(self, burst: _Person | None) -> _Person:
        r = self.rng
        if burst is not None:
            return burst
        roll = r.random()
        if roll < HEAVY_SHARE:
            return r.choices(self.heavy, weights=self.heavy_weights)[0]
        if roll < HEAVY_SHARE + REPEAT_SHARE and self.recent:
            return r.choice(self.recent)
        kind = r.choices(list(APPLICANT_WEIGHTS), weights=list(APPLICANT_WEIGHTS.values()))[0]
        person = self.people.person(kind)
        if len(self.recent) < RECENT_POOL:
            self.recent.append(person)
        else:
            self.recent[r.randrange(RECENT_POOL)] = person
        return person

    def department(self, person: _Person, burst: bool) -> str:
        """Who handles it: an applicant who applied before mostly writes about the same matter."""
        r = self.rng
        if person.last_request is not None and r.random() < (0.8 if burst else 0.5):
            return person.last_request[1]
        names, weights = self.departments
        chosen = r.choices(names, weights=weights)[0]
        return self.people.town() if chosen == ANY_TOWN else chosen

    def describe(self, department: str, code: str, person: _Person, day: date) -> tuple[str, str]:
        """The request text, and the department that handles it (a request may move it)."""
        r = self.rng
        if code == "reject_repeat" and person.last_request is not None:
            return person.last_request  # the same request again, to the same department
        shaped = OUTCOME_TOPICS.get(code)
        sentence = False
        if shaped and r.random() < 0.85:
            template, moved = r.choice(shaped)
            department = moved or department
            sentence = code in SENTENCE_REQUESTS
        else:
            topics = self.topics.get(department, ("town",))
            template = r.choice(TOPICS[r.choice(topics)])
        town = department if department in POSTCODES else person.town
        text = template.format_map(_Fill(self, person, town, department, day))
        if not sentence:
            lead = r.random()
            if lead < 0.5:
                text = "申请公开" + text
            elif lead < 0.7:
                text = "请提供" + text
            if person.type == "natural_person" and r.random() < 0.05:
                text += "，用于维护本人合法权益"
        return text, department

    # -- the case --

    def case(self, day: date, burst: _Person | None, numbers: _Numbers) -> _Plan:
        r = self.rng
        person = self.applicant(burst)
        position = person.count_in_month(day)
        channel = r.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        department = self.department(person, burst is not None)
        life = self.live(day, channel, person, burst is not None, position)
        description, department = self.describe(department, life.outcome_code, person, day)
        person.last_request = (description, department)
        form, delivery = _form_and_delivery(r, channel)
        handler = r.choice(self.handlers[department])
        return self.as_of_today(
            numbers.take(day.year),
            person,
            channel,
            description,
            form,
            delivery,
            department,
            handler,
            life,
        )

    def live(
        self, d0: date, channel: clock.Channel, person: _Person, burst: bool, position: int
    ) -> _Life:
        """The application's whole life, events in the order the office meets them."""
        r, cal = self.rng, self.cal
        facts = clock.ClockFacts(received=d0, channel=channel)
        if channel is clock.Channel.IN_PERSON and not burst and r.random() < P_ON_THE_SPOT:
            code = r.choices(list(ON_THE_SPOT), weights=list(ON_THE_SPOT.values()))[0]
            return _Life(replace(facts, outcome_code=code, outcome_on=d0), code, d0)

        life = _Life(facts, "", d0)
        eff = d0  # the day the reply clock counts from
        busy_until = d0  # the last thing the office waited for; the reply comes after it
        allowed_unclear = False

        # 补正 (correction): within the notice period, once; the default period, sometimes edited.
        recent = d0 >= self.backlog_from
        if not burst and r.random() < (P_CORRECTION_BACKLOG if recent else P_CORRECTION):
            notice = cal.add_workdays(d0, r.randint(1, clock.CORRECTION_NOTICE_DAYS))
            usual = clock.DEFAULT_CORRECTION_DAYS
            days = r.choice((usual, usual, usual, usual, usual - 5, usual + 5))
            until = cal.add_workdays(notice, days)
            life.correction_items = r.choice(CORRECTION_ITEMS)
            roll = r.random()
            if roll < 0.55:
                got = cal.add_workdays(notice, r.randint(2, days))
                facts = replace(facts, corrections=(clock.Correction(notice, until, got),))
                eff = busy_until = got
                allowed_unclear = True
            else:
                facts = replace(facts, corrections=(clock.Correction(notice, until, None),))
                if roll < 0.9:
                    code, on = "other_no_correction", cal.add_workdays(until, r.randint(1, 5))
                else:
                    code, on = "other_withdrawn", cal.add_workdays(notice, r.randint(1, days))
                return self.close(life, facts, code, on)

        # 条例 35: a run of applications gets a later, reasonable due date, or is refused.
        delay_days = 0
        if burst and position > self.free_items:
            roll = r.random()
            if roll < 0.2:
                return self.reply(life, facts, "reject_excessive", eff, busy_until)
            if roll < 0.45:
                delay_days = r.randint(10, 30)

        # 收费 (fee): per item beyond the month's free applications, else per page.
        fee_roll = r.random()
        per_item = burst and position > self.free_items and not delay_days and fee_roll < 0.5
        if per_item or (not burst and fee_roll < (P_FEE_BACKLOG if recent else P_FEE)):
            notice = cal.add_workdays(eff, r.randint(3, 10))
            quote = (
                fees.per_item_fee(position) if per_item else fees.per_page_fee(r.randint(31, 400))
            )
            life.fee_units = quote.units
            roll = r.random()
            in_time = clock.FEE_PAYMENT_DAYS - 2  # most pay well before the period ends
            paid = cal.add_workdays(notice, r.randint(1, in_time)) if roll < 0.55 else None
            facts = replace(facts, fees=(clock.Fee(notice, quote.method, quote.amount, paid),))
            if paid is None:
                pay_by = cal.add_workdays(notice, clock.FEE_PAYMENT_DAYS)
                if roll < 0.9:
                    code, on = "other_fee_unpaid", cal.add_workdays(pay_by, r.randint(1, 5))
                else:
                    code, on = "other_withdrawn", cal.add_workdays(notice, r.randint(2, 15))
                return self.close(life, facts, code, on)
            busy_until = paid

        if allowed_unclear and r.random() < 0.3:
            code = "unable_unclear"
        else:
            code = r.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
        if code == "other_withdrawn":
            on = cal.add_workdays(eff, r.randint(2, 15))
            return self.close(life, facts, code, max(on, busy_until))

        if delay_days:
            on = cal.add_workdays(eff, r.randint(1, 5))
            due = clock.compute(facts, cal, explain=False).due
            assert due is not None
            reason = (
                f"申请人本月内已提出{position}件申请，数量明显超过合理范围（{cite('excessive')}）"
            )
            new_due = cal.add_workdays(due, delay_days)
            facts = replace(facts, delays=(clock.Delay(on, new_due, reason),))
            busy_until = max(busy_until, on)

        # 征求意见 (consultation): third parties for their secrets, other agencies for their part.
        third = code in ("withhold_third_party", "partial")
        if r.random() < (0.5 if third else 0.05):
            consultations = [self.consult(r, eff, busy_until, code, third)]
            if r.random() < 0.15:
                consultations.append(self.consult(r, eff, busy_until, code, not third))
            facts = replace(facts, consultations=tuple(c for c, _ in consultations))
            life.opinions = tuple(o for _, o in consultations)
            for c in facts.consultations:
                busy_until = max(
                    busy_until, c.replied or cal.add_workdays(c.sent, clock.CONSULTATION_DAYS)
                )

        # 延期 (extension): decided in the last days before the due date then in force.
        p_ext = 0.4 if facts.consultations else (0.2 if facts.fees else 0.14)
        if not facts.delays and r.random() < p_ext:
            due = clock.compute(facts, cal, explain=False).due
            assert due is not None
            on = max(cal.add_workdays(due, -r.randint(0, 4)), cal.add_workdays(eff, 1))
            then = replace(clock.facts_as_of(facts, on), extensions=())
            in_force = clock.compute(then, cal, explain=False).due
            if in_force is not None and on <= in_force:
                approver = r.choice(self.reviewers)
                facts = replace(facts, extensions=(clock.Extension(on, approver),))
                life.extension_reason = r.choice(EXTENSION_REASONS)
                busy_until = max(busy_until, on)
        return self.reply(life, facts, code, eff, busy_until)

    def consult(
        self, r: random.Random, eff: date, busy_until: date, code: str, third: bool
    ) -> tuple[clock.Consultation, str]:
        cal = self.cal
        sent = cal.add_workdays(max(eff, busy_until), r.randint(2, 8))
        roll = r.random()
        if roll < 0.75:
            replied: date | None = cal.add_workdays(sent, r.randint(3, clock.CONSULTATION_DAYS))
        elif roll < 0.9:
            replied = None
        else:
            # Late: the clock stopped waiting when the consultation period ran out.
            late = r.randint(clock.CONSULTATION_DAYS + 1, clock.CONSULTATION_DAYS + 5)
            replied = cal.add_workdays(sent, late)
        if third:
            to = r.choice(
                (
                    f"上海{r.choice(TRADE_NAMES)}{r.choice(INDUSTRIES)}有限公司",
                    f"{self.people.name()}（相关权利人）",
                )
            )
            opinion = "不同意公开" if code == "withhold_third_party" else "同意公开"
            party = "third_party"
        else:
            town = self.people.town()
            to = r.choice([*self.full_names.values(), f"上海市崇明区{town}人民政府"])
            opinion = "无意见" if replied is not None else ""
            party = "agency"
        return clock.Consultation(party, to, sent, replied), opinion if replied else ""

    def reply(
        self, life: _Life, facts: clock.ClockFacts, code: str, eff: date, busy_until: date
    ) -> _Life:
        """The reply: mostly in the last part of the period, sometimes late."""
        r, cal = self.rng, self.cal
        due = clock.compute(facts, cal, explain=False).due
        assert due is not None
        lo = max(eff, busy_until)
        late = r.random() < (P_LATE_BACKLOG if facts.received >= self.backlog_from else P_LATE)
        span = cal.workdays_between(lo, due)
        if late or span <= 0:
            on = cal.add_workdays(max(lo, due), r.randint(1, 12))
        else:
            on = cal.add_workdays(lo, min(span, 1 + int(r.betavariate(2.5, 1.3) * span)))
        return self.close(life, facts, code, on)

    def close(self, life: _Life, facts: clock.ClockFacts, code: str, on: date) -> _Life:
        life.facts = replace(facts, outcome_code=code, outcome_on=on)
        life.outcome_code, life.outcome_on = code, on
        return life

    def reviews(self, life: _Life, department: str) -> None:
        """行政复议 and 行政诉讼 on about 4% of replies, most against refusals about land."""
        r = self.rng
        code = life.outcome_code
        if code in PROCEDURAL or code == "other":
            return
        p = 0.012 if code in DISCLOSED else 0.07
        p *= 1.4 if department in LAND_AND_HOUSING else 0.7
        if r.random() >= p:
            return
        on = life.outcome_on
        roll = r.random()
        if roll < 0.82:
            filed = on + dt.timedelta(days=r.randint(15, 58))
            decided = filed + dt.timedelta(days=r.randint(45, 88))
            result = r.choices(["upheld", "corrected", "other"], weights=[75, 12, 13])[0]
            life.reviews.append(("reconsideration", filed, result, decided))
            if roll < 0.12 and result == "upheld":
                sued = decided + dt.timedelta(days=r.randint(5, 14))
                judged = sued + dt.timedelta(days=r.randint(60, 180))
                outcome = r.choices(["upheld", "corrected", "other"], weights=[80, 6, 14])[0]
                life.reviews.append(("litigation_after_review", sued, outcome, judged))
        else:
            sued = on + dt.timedelta(days=r.randint(20, 170))
            judged = sued + dt.timedelta(days=r.randint(60, 180))
            outcome = r.choices(["upheld", "corrected", "other"], weights=[75, 8, 17])[0]
            life.reviews.append(("litigation_direct", sued, outcome, judged))

    # -- today --

    def as_of_today(
        self,
        no: str,
        person: _Person,
        channel: clock.Channel,
        description: str,
        form: str,
        delivery: str,
        department: str,
        handler: str,
        life: _Life,
    ) -> _Plan:
        r, cal, today = self.rng, self.cal, self.today
        self.reviews(life, department)
        full = life.facts
        closed = life.outcome_on <= today
        facts = full if closed else replace(full, outcome_code=None, outcome_on=None)
        facts = clock.facts_as_of(facts, today)
        problems = clock.validate_facts(facts, cal)
        if problems:  # a bug in this generator, never a user's mistake
            raise AssertionError(f"演示案件 {no} 的事件前后矛盾：{problems}（{facts}）")
        code = life.outcome_code
        reasons = self.reasons.get(code, ())
        picked = r.sample(reasons, k=min(len(reasons), 2 if code == "partial" else 1))
        notes = OUTCOME_NOTES.get(code)
        note = r.choice(notes) if notes and closed else ""
        service: tuple[str, str | None, date] | None = None
        archived_at: dt.datetime | None = None
        if closed:
            method = {"email": "email", "platform": "platform", "post": "ems"}.get(
                delivery, "in_person"
            )
            if method == "ems" and r.random() < 0.2:
                method = "post"
            served = life.outcome_on
            if method in ("ems", "post") and served > facts.received:
                served += dt.timedelta(days=r.randint(1, 3))
            tracking = f"10{r.randrange(10**11):011d}" if method in ("ems", "post") else None
            if served <= today:
                service = (method, tracking, served)
                step = StepId.ARCHIVE
                filed = served + dt.timedelta(days=r.randint(3, 15))
                if filed <= today:
                    archived_at = dt.datetime.combine(filed, dt.time(16, 30), CST)
            else:
                step = StepId.SERVE
        else:
            step = self.open_step(facts, life)
        return _Plan(
            no=no,
            person=person,
            received=facts.received,
            channel=channel.value,
            description=description,
            form=form,
            delivery=delivery,
            department=department,
            handler=handler,
            life=life,
            facts=facts,
            outcome_note=note,
            step=step,
            archived_at=archived_at,
            service=service,
            signer=r.choice(self.signers),
            # Taken from the case number, not the generator, so that adding the reviewer left
            # every other generated value of a seed as it was.
            reviewer=self.reviewers[sum(map(ord, no)) % len(self.reviewers)],
            voided=r.random() < P_VOID,
            reasons=tuple(picked),
            created_at=_at(facts.received, r.randint(8, 16), r.randrange(60)),
            as_of=today,
        )

    def open_step(self, facts: clock.ClockFacts, life: _Life) -> str:
        """Where an open case stands today in the procedure (handbook steps)."""
        cal, today = self.cal, self.today
        if any(c.received is None for c in facts.corrections):
            return StepId.CHECK
        if facts.received == today:
            return StepId.REGISTER
        if cal.workdays_between(facts.received, today) <= 1:
            return StepId.ASSIGN
        if life.outcome_code in PROCEDURAL:
            return StepId.HANDLE
        left = cal.workdays_between(today, life.outcome_on)
        if left <= 2:
            return StepId.SIGN_OFF
        if left <= 5:
            return StepId.DRAFT
        return StepId.HANDLE


class _Fill(dict[str, str]):
    """Template fields made on demand, so a request only draws the details it mentions."""

    def __init__(self, office: _Office, person: _Person, town: str, dept: str, day: date) -> None:
        super().__init__()
        self.office, self.person, self.town, self.dept, self.day = office, person, town, dept, day

    def __missing__(self, key: str) -> str:
        r = self.office.rng
        year = self.day.year - r.choice((0, 0, 1, 1, 2, 3))
        value: str
        if key == "town":
            value = self.town
        elif key == "village":
            value = r.choice(VILLAGES)
        elif key == "group":
            value = str(r.randint(1, 18))
        elif key == "address":
            value = self.person.property
        elif key == "plot":
            value = r.choice(
                (
                    f"{self.town}{r.choice(VILLAGES)}{r.randint(1, 12)}号地块",
                    f"崇明新城CMC{r.randint(10, 30)}0{r.randint(1, 9)}单元"
                    f"{r.randint(1, 12):02d}-{r.randint(1, 15):02d}地块",
                )
            )
        elif key == "estate":
            value = r.choice(ESTATES)
        elif key == "company":
            value = f"上海{r.choice(TRADE_NAMES)}{r.choice(INDUSTRIES)}有限公司"
        elif key == "docno":
            prefix = DOC_PREFIX.get(self.dept, "崇府")
            value = f"{prefix}〔{year}〕{r.randint(1, 180)}号"
        elif key == "year":
            value = str(year)
        elif key == "month":
            value = str(r.randint(1, 12))
        elif key == "n":
            value = str(r.randint(1, 400))
        elif key == "river":
            value = r.choice(RIVERS)
        elif key == "road":
            value = r.choice(COUNTY_ROADS)
        elif key == "school":
            value = r.choice(SCHOOLS)
        elif key == "hospital":
            value = r.choice(HOSPITALS)
        elif key == "project":
            value = r.choice(PROJECTS)
        elif key == "scenic":
            value = r.choice(SCENIC)
        else:
            raise KeyError(key)
        self[key] = value  # the same field twice in one request reads the same
        return value


def _form_and_delivery(r: random.Random, channel: clock.Channel) -> tuple[str, str]:
    electronic = {
        clock.Channel.ONLINE: 0.7,
        clock.Channel.EMAIL: 0.9,
        clock.Channel.IN_PERSON: 0.15,
    }.get(channel, 0.08)
    if r.random() < electronic:
        return "electronic", "platform" if channel is clock.Channel.ONLINE else "email"
    roll = r.random()
    return "paper", "post" if roll < 0.7 else ("pickup" if roll < 0.95 else "on_site")


# --- case numbers --------------------------------------------------------------------------------


class _Numbers:
    """Case numbers in the office's pattern (cases.office.numbering), continuing each year."""

    def __init__(self, session: Session) -> None:
        self.pattern = numbering.case_number_pattern(session)
        self.taken = set(session.scalars(select(model.Case.no)))
        rows = session.execute(
            select(model.LetterCounter.year, model.LetterCounter.last).where(
                model.LetterCounter.kind == numbering.COUNTER_KIND
            )
        )
        self.stored: dict[int, int] = {year: last for year, last in rows}
        self.last: dict[int, int] = dict(self.stored)

    def take(self, year: int) -> str:
        seq = self.last.get(year, 0)
        while True:
            seq += 1
            no = numbering.format_number(self.pattern, year, seq)
            if no not in self.taken:
                break
        self.taken.add(no)
        self.last[year] = seq
        return no

    def save(self, session: Session) -> None:
        """Move the counters past the demo's numbers, so the next registration does not search."""
        for year, last in sorted(self.last.items()):
            if year not in self.stored:
                session.add(model.LetterCounter(kind=numbering.COUNTER_KIND, year=year, last=last))
            elif last != self.stored[year]:
                counter = session.get(model.LetterCounter, (numbering.COUNTER_KIND, year))
                assert counter is not None
                counter.last = last
        session.flush()


# --- writing -------------------------------------------------------------------------------------


def _ensure_departments(session: Session) -> None:
    """The handling units the demo names, so the department lists offer them."""
    known = set(session.scalars(select(model.Department.name)))
    rows = [
        {
            "name": name,
            "kind": "office" if name.endswith("办公室") else "department",
            "active": True,
        }
        for name, *_ in DEPARTMENTS
        if name not in known
    ]
    rows += [
        {"name": town, "kind": "town", "active": True} for town in TOWN_NAMES if town not in known
    ]
    if rows:
        session.execute(insert(model.Department), rows)


def _at(day: date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CST)


def _write(
    session: Session, keys: dict[str, bulk.Keys], plans: list[_Plan], cal: WorkCalendar
) -> None:
    """The plans as rows: applicants, then cases and their events through the exchange import's
    own row builders (cases.interchange.exchange), then what only the demo has."""
    new_people: list[_Person] = []
    seen: set[int] = set()
    for plan in plans:
        p = plan.person
        if p.db_id is None and id(p) not in seen:
            seen.add(id(p))
            new_people.append(p)
    person_rows: list[dict[str, Any]] = []
    for p, pid in zip(new_people, keys["applicants"].take(len(new_people)), strict=True):
        person_rows.append({"id": pid, **vars(p.data)})
        p.db_id = pid
    if person_rows:
        bulk.insert_rows(session, model.Applicant, person_rows)

    now = dt.datetime.now(dt.UTC)
    case_rows: list[dict[str, Any]] = []
    children: dict[type[model.Base], list[dict[str, Any]]] = {}
    for plan, case_id in zip(plans, keys["cases"].take(len(plans)), strict=True):
        record = _record(plan)
        assert plan.person.db_id is not None
        row = exchange.case_row(case_id, plan.no, record, plan.person.db_id, cal, now)
        case_rows.append({**row, **_demo_columns(plan)})
        for table, child in [*exchange.child_rows(record), *_demo_rows(plan)]:
            children.setdefault(table, []).append({"case_id": case_id, **child})
        children.setdefault(model.AuditRecord, []).append(
            {"case_id": case_id, "at": now, "actor": ACTOR, "action": ACTION, "field": None,
             "old": None, "new": None}
        )  # fmt: skip
    bulk.insert_rows(session, model.Case, case_rows)
    for table, rows in children.items():
        bulk.insert_rows(session, table, rows)


def _record(plan: _Plan) -> CaseRecord:
    """The case as the exchange import would have read it, with the demo's extra texts."""
    life, facts = plan.life, plan.facts
    outcome = None
    if facts.outcome_code is not None and facts.outcome_on is not None:
        outcome = OutcomeData(facts.outcome_code, facts.outcome_on, plan.outcome_note, plan.reasons)
    reviews = [
        ReviewData(kind, filed, *((result, decided) if known else (None, None)))
        for kind, filed, result, decided in life.reviews
        if facts.outcome_on is not None and filed <= plan.as_of
        for known in [decided is not None and decided <= plan.as_of]
    ]
    opinions = [
        {"opinion": opinion if k.replied else "", "note": "", "information": "",
         "disclosure_reason": ""}
        for k, opinion in zip(facts.consultations, life.opinions, strict=False)
    ]  # fmt: skip
    return CaseRecord(
        where=plan.no,
        no=plan.no,
        received=plan.received,
        channel=plan.channel,
        applicant=plan.person.data,
        description=plan.description,
        form=plan.form,
        delivery=plan.delivery,
        department=plan.department,
        handler=plan.handler,
        corrections=list(facts.corrections),
        consultations=list(facts.consultations),
        extensions=list(facts.extensions),
        fees=list(facts.fees),
        delays=list(facts.delays),
        outcome=outcome,
        reviews=reviews,
        # Found the day it was entered twice; export writes it and import requires it.
        voided=(plan.received, "误登记：同一申请重复录入") if plan.voided else None,
        extras={
            "corrections": [{"items": [life.correction_items]} for _ in facts.corrections],
            "consultations": opinions,
            "extensions": [{"reason": life.extension_reason} for _ in facts.extensions],
            "fees": [{"units": life.fee_units} for _ in facts.fees],
        },
    )


def _demo_columns(plan: _Plan) -> dict[str, Any]:
    """Where the simulation left the case, which an import cannot know, and the demo mark."""
    facts = plan.facts
    last_day = max(
        [facts.received, *(d for d in (facts.outcome_on,) if d)]
        + [c.received or c.notice for c in facts.corrections]
        + [c.sent for c in facts.consultations]
    )
    return {
        "demo": True,  # marked as generated, everywhere it is shown
        "step": plan.step,
        "archived_at": plan.archived_at,
        "created_at": plan.created_at,
        "updated_at": _at(last_day, 16),
    }


def _demo_rows(plan: _Plan) -> list[tuple[type[model.Base], dict[str, Any]]]:
    """Rows the exchange format does not carry: approvals and the proof of service."""
    life, facts = plan.life, plan.facts
    rows: list[tuple[type[model.Base], dict[str, Any]]] = []
    if facts.outcome_on is not None and facts.outcome_code not in PROCEDURAL:
        on = facts.outcome_on
        signed = {"on": on.isoformat()}
        # 审核 then 签发, as the workflow's own actions record them.
        rows.append(_approval("review", plan.handler, _at(on, 8), signed, plan.reviewer))
        rows.append(_approval("sign_off", plan.reviewer, _at(on, 9, 30), signed, plan.signer))
    elif facts.outcome_on is None and plan.step in (StepId.DRAFT, StepId.SIGN_OFF):
        # The handler's proposal (拟办意见) and, one step further, the request for a signature.
        proposal = {"code": life.outcome_code, "reasons": list(plan.reasons), "note": ""}
        rows.append(_approval("outcome", plan.handler, _at(plan.as_of, 9), proposal))
        if plan.step == StepId.SIGN_OFF:
            reviewed_at = _at(plan.as_of, 8)
            rows.append(_approval("review", plan.handler, reviewed_at, proposal, plan.reviewer))
            rows.append(_approval("sign_off", plan.reviewer, _at(plan.as_of, 10), proposal))
    if plan.service is not None:
        method, tracking, served = plan.service
        rows.append(
            (model.ServiceRecord, {"letter_id": None, "method": method, "tracking_no": tracking,
                                   "served_on": served, "proof": PROOFS[method],
                                   "recorded_by": plan.handler})
        )  # fmt: skip
    return rows


def _approval(
    stage: str, by: str, at: dt.datetime, payload: dict[str, Any], signer: str | None = None
) -> tuple[type[model.Base], dict[str, Any]]:
    """An approval row (cases.rules.workflow reads them); signed 90 minutes later if signer."""
    return model.Approval, {
        "stage": stage,
        "requested_by": by,
        "requested_at": at,
        "payload": json.dumps(payload, ensure_ascii=False),
        "decided_by": signer,
        "decided_at": at + dt.timedelta(hours=1, minutes=30) if signer else None,
        "decision": "approved" if signer else None,
        "comment": "",
    }
