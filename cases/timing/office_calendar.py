"""The working-day calendar as the database holds it: the official schedule and the office's days.

Apart from cases.timing.deadlines so that a command that only shows the calendar (`holidays
list`) does not load the clock and the handbook it reads at import.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.storage.model import HolidayEntry, ScheduleYear
from cases.timing.calendar import OfficeEntry, WorkCalendar


def load_calendar(session: Session) -> WorkCalendar:
    """The official schedule plus this office's own entries and imported years."""
    entries = [
        OfficeEntry(day=e.day, workday=e.workday, note=e.note)
        for e in session.scalars(select(HolidayEntry))
    ]
    years = list(session.scalars(select(ScheduleYear.year)))
    return WorkCalendar(entries, years)
