"""Clocks computes each distinct clock once: the same result as compute for every case."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from cases.interchange import exchange
from cases.sample import demo
from cases.storage.store import Store, open_store
from cases.timing.calendar import DayKind, OfficeEntry, WorkCalendar
from cases.timing.clock import Channel, ClockFacts, Clocks, Extension, compute

TODAY = dt.date(2025, 12, 31)


def test_every_case_of_a_demo_gets_the_clock_compute_gives_it(
    sqlite_store: Store, tmp_path: Path
) -> None:
    source = open_store(tmp_path / "source.sqlite")
    with source.transaction() as s:
        demo.generate(s, 3000, seed=17, today=TODAY)
    with source.session() as s:
        exchange.export_jsonl(s, tmp_path / "cases.jsonl")
    source.close()
    with sqlite_store.session() as s:  # checked as for an import
        checked = exchange.check_rows(s, exchange.read_jsonl(tmp_path / "cases.jsonl"))
    records, cal = checked.records, checked.cal
    facts = [r.facts() for r in records]
    # The same cases open as well: both halves of each day's pair.
    facts += [dataclasses.replace(f, outcome_code=None, outcome_on=None) for f in facts]
    clocks = Clocks(cal)
    for f in facts:
        assert clocks.of(f) == compute(f, cal, explain=False), f
    plain = [f for f in facts if not (f.corrections or f.consultations or f.extensions)]
    plain = [f for f in plain if not (f.fees or f.delays)]
    assert len(plain) > 3000 and len(facts) - len(plain) > 500
    assert len(clocks._plain) < len(plain) / 2  # a clock a day of receipt, not a case


def test_every_day_of_a_calendar_with_its_own_days_off_and_worked_weekends() -> None:
    """Each day of four years (调休 days, holidays, an office's own entries, years without a
    schedule) open and closed, and 10,000 cases of one day: the memo gives what compute gives."""
    cal = WorkCalendar(
        [
            OfficeEntry(dt.date(2025, 3, 3), workday=False, note="区防汛停工"),
            OfficeEntry(dt.date(2025, 3, 8), workday=True, note="补班"),
        ],
        office_years=[2025],
    )
    clocks = Clocks(cal)
    day, facts = dt.date(2023, 12, 1), []
    while day <= dt.date(2027, 1, 31):
        open_ = ClockFacts(received=day, channel=Channel.ONLINE)
        facts += [
            open_,
            dataclasses.replace(open_, channel=Channel.POST_SIGNED),
            dataclasses.replace(open_, outcome_code="granted", outcome_on=day + dt.timedelta(9)),
            dataclasses.replace(open_, outcome_code="granted"),
            dataclasses.replace(open_, extensions=(Extension(on=day + dt.timedelta(5)),)),
        ]
        day += dt.timedelta(1)
    one_day = ClockFacts(received=dt.date(2025, 10, 8), channel=Channel.IN_PERSON)
    facts += [one_day] * 5000 + [dataclasses.replace(one_day, outcome_code="withdrawn")] * 5000
    for f in facts:
        assert clocks.of(f) == compute(f, cal, explain=False), f
    assert len(clocks._plain) == 2 * ((dt.date(2027, 1, 31) - dt.date(2023, 12, 1)).days + 1)
    assert {cal.kind(f.received) for f in facts} == set(DayKind)
