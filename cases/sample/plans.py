"""What the demo simulates: an applicant, the life of an application, the case to be written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date

from cases.interchange.records import ApplicantData
from cases.timing import clock

CST = dt.timezone(dt.timedelta(hours=8), "CST")


@dataclass(slots=True)
class Person:
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


@dataclass
class Life:
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
class Plan:
    """A case ready to be written: columns, events and the clock as of today."""

    no: str
    person: Person
    received: date
    channel: str
    description: str
    form: str
    delivery: str
    department: str
    handler: str
    life: Life
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


def office_time(day: date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of the office's day, in China Standard Time."""
    return dt.datetime.combine(day, dt.time(hour, minute), CST)
