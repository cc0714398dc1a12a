"""Demo data (演示数据): years of realistic generated cases, so a new user sees a living office.

Each case is lived through from receipt to reply in the order an office meets its events (补正,
收费, 条例35, 征求意见, 延期, reply, service, 复议/诉讼); then everything after `today` is cut off.
The last weeks' cases are therefore still open, waiting for a correction, a payment or an opinion,
some close to or past their due date, exactly as the clock would see them. Every case is checked
with cases.timing.clock.validate_facts before it is written, and its stored clock columns come from
cases.timing.clock.compute, so nothing here could be refused by the exchange import.

This module is the simulation; its data tables are in demo_tables, its applicants in people,
what it plans in plans, and demo_rows writes the plans through the exchange import's builders.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.interchange import bulk
from cases.office import numbering
from cases.rules import fees, workflow
from cases.rules.handbook import StepId, cite, load_handbook
from cases.sample.demo_rows import ACTION, ACTOR, ensure_departments, write
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
    HEAVY_SHARE,
    HOSPITALS,
    INDUSTRIES,
    LAND_AND_HOUSING,
    ON_THE_SPOT,
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
    RECENT_POOL,
    REPEAT_SHARE,
    RIVERS,
    SCENIC,
    SCHOOLS,
    SENTENCE_REQUESTS,
    TOPICS,
    TOWN_NAMES,
    TRADE_NAMES,
    VILLAGES,
)
from cases.sample.people import People
from cases.sample.plans import CST, Life, Person, Plan, office_time
from cases.storage import model
from cases.timing import clock, deadlines
from cases.timing.calendar import WorkCalendar

__all__ = ["ACTION", "ACTOR", "default_years", "generate"]

CHUNK = 2000  # cases written per round of bulk inserts: memory stays flat for 300,000 cases
CASES_PER_YEAR = 800  # a district office's year (domain.md §4: 600–2,500)
MAX_YEARS = 8

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
    ensure_departments(session)
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
        write(session, keys, plans, cal)
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


def _bursts(rng: random.Random, days: list[date], heavy: list[Person]) -> dict[int, Person]:
    """Each year a few runs of applications by one heavy applicant (大量申请, 条例35)."""
    burst_of: dict[int, Person] = {}
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


# --- one case ------------------------------------------------------------------------------------


class _Office:
    """The simulated office: its staff, its applicants, and how it handles each application."""

    def __init__(self, rng: random.Random, cal: WorkCalendar, today: date, n_cases: int) -> None:
        self.rng, self.cal, self.today = rng, cal, today
        self.people = People(rng)
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
        self.recent: list[Person] = []
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

    def applicant(self, burst: Person | None) -> Person:
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

    def department(self, person: Person, burst: bool) -> str:
        """Who handles it: an applicant who applied before mostly writes about the same matter."""
        r = self.rng
        if person.last_request is not None and r.random() < (0.8 if burst else 0.5):
            return person.last_request[1]
        names, weights = self.departments
        chosen = r.choices(names, weights=weights)[0]
        return self.people.town() if chosen == ANY_TOWN else chosen

    def describe(self, department: str, code: str, person: Person, day: date) -> tuple[str, str]:
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

    def case(self, day: date, burst: Person | None, numbers: _Numbers) -> Plan:
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
        self, d0: date, channel: clock.Channel, person: Person, burst: bool, position: int
    ) -> Life:
        """The application's whole life, events in the order the office meets them."""
        r, cal = self.rng, self.cal
        facts = clock.ClockFacts(received=d0, channel=channel)
        if channel is clock.Channel.IN_PERSON and not burst and r.random() < P_ON_THE_SPOT:
            code = r.choices(list(ON_THE_SPOT), weights=list(ON_THE_SPOT.values()))[0]
            return Life(replace(facts, outcome_code=code, outcome_on=d0), code, d0)

        life = Life(facts, "", d0)
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
        self, life: Life, facts: clock.ClockFacts, code: str, eff: date, busy_until: date
    ) -> Life:
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

    def close(self, life: Life, facts: clock.ClockFacts, code: str, on: date) -> Life:
        life.facts = replace(facts, outcome_code=code, outcome_on=on)
        life.outcome_code, life.outcome_on = code, on
        return life

    def reviews(self, life: Life, department: str) -> None:
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
        person: Person,
        channel: clock.Channel,
        description: str,
        form: str,
        delivery: str,
        department: str,
        handler: str,
        life: Life,
    ) -> Plan:
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
        return Plan(
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
            created_at=office_time(facts.received, r.randint(8, 16), r.randrange(60)),
            as_of=today,
        )

    def open_step(self, facts: clock.ClockFacts, life: Life) -> str:
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

    def __init__(self, office: _Office, person: Person, town: str, dept: str, day: date) -> None:
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
