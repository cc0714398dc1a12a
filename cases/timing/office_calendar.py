"""The working-day calendar as the database holds it: the official schedule and the office's days.

Apart from cases.timing.deadlines so that a command that only shows the calendar (`holidays
list`) does not load the clock and the handbook it reads at import; and free of SQLAlchemy at
import, so that it can read an up-to-date SQLite file through sqlite3 alone (plain_calendar).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING

from cases.timing.calendar import OfficeEntry, WorkCalendar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def load_calendar(session: Session) -> WorkCalendar:
    """The official schedule plus this office's own entries and imported years."""
    from sqlalchemy import select

    from cases.storage.model import HolidayEntry, ScheduleYear

    entries = [
        OfficeEntry(day=e.day, workday=e.workday, note=e.note)
        for e in session.scalars(select(HolidayEntry))
    ]
    years = list(session.scalars(select(ScheduleYear.year)))
    return WorkCalendar(entries, years)


def plain_calendar(connection: sqlite3.Connection) -> tuple[WorkCalendar, list[OfficeEntry]]:
    """The same calendar read from a SQLite file through sqlite3, and the office's entries.

    The columns as SQLAlchemy stores them there: a date as ISO text, a boolean as 0 or 1.
    """
    entries = [
        OfficeEntry(day=dt.date.fromisoformat(day), workday=bool(workday), note=note)
        for day, workday, note in connection.execute(
            "SELECT day, workday, note FROM holiday_entries ORDER BY id"
        )
    ]
    years = [year for (year,) in connection.execute("SELECT year FROM schedule_years")]
    return WorkCalendar(entries, years), entries
