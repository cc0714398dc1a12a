"""Importing a holiday schedule (节假日安排): a preview of what moves, then the import itself.

The file replaces the office's own entries for each year it names. Every entry is audited old →
new, the open deadlines are recomputed, and the moves are given back; `preview` computes the same
moves on a calendar built in memory and writes nothing, so a dialog can show them first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from cases.result import Changes, Notice, Result
from cases.rules.handbook import RoleId
from cases.rules.workflow import ActionRefused, require_role
from cases.storage import audit
from cases.storage.model import Case, HolidayEntry, ScheduleYear, User
from cases.timing import deadlines
from cases.timing.calendar import OfficeEntry, ScheduleFileError, WorkCalendar, parse_schedule_file
from cases.timing.dates import today
from cases.timing.deadlines import DueChange

ROLE = RoleId.ADMIN
# An official schedule gives between about 25 and 35 days off; far fewer or more is more likely a
# file of another kind or a half-finished one than a real year.
USUAL_DAYS_OFF = range(10, 46)


@dataclass(frozen=True)
class Schedule:
    """A schedule file as read: its name, the years it replaces and their entries."""

    name: str
    years: tuple[int, ...]
    entries: tuple[OfficeEntry, ...]


@dataclass(frozen=True)
class HolidayImport:
    """What an import changes (or would change): the entries per day and the deadlines moved."""

    schedule: Schedule
    entries: dict[
        dt.date, tuple[str | None, str | None]
    ]  # day → (old, new) as written in the trail
    moved: tuple[DueChange, ...]


def read_schedule(name: str, data: bytes) -> Schedule:
    """Parse the file; a refusal names the file and the line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActionRefused("file", f"{name} 不是 UTF-8 编码的文本文件") from exc
    try:
        years, entries = parse_schedule_file(text)
    except ScheduleFileError as exc:
        raise ActionRefused("file", f"{name} {exc}") from exc
    return Schedule(name, tuple(years), tuple(entries))


def _described(entry: HolidayEntry | OfficeEntry) -> str:
    word = "调休上班" if entry.workday else "放假"
    return f"{word} {entry.note}".strip()


def _stored(session: Session, years: Iterable[int]) -> dict[dt.date, HolidayEntry]:
    wanted = set(years)
    found: dict[dt.date, HolidayEntry] = {}
    for y in wanted:
        stmt = select(HolidayEntry).where(
            HolidayEntry.day >= dt.date(y, 1, 1), HolidayEntry.day <= dt.date(y, 12, 31)
        )
        found.update({e.day: e for e in session.scalars(stmt)})
    return found


def _entry_changes(
    old: dict[dt.date, HolidayEntry], schedule: Schedule
) -> dict[dt.date, tuple[str | None, str | None]]:
    new = {e.day: e for e in schedule.entries}
    changes: dict[dt.date, tuple[str | None, str | None]] = {}
    for day in sorted(set(old) | set(new)):
        before = _described(old[day]) if day in old else None
        after = _described(new[day]) if day in new else None
        if before != after:
            changes[day] = (before, after)
    return changes


def _warnings(schedule: Schedule, cal: WorkCalendar) -> list[Notice]:
    notices: list[Notice] = []
    this_year = today().year
    for y in schedule.years:
        off = sum(1 for e in schedule.entries if e.day.year == y and not e.workday)
        if off not in USUAL_DAYS_OFF:
            notices.append(
                Notice(
                    "file",
                    f"{schedule.name} 中{y}年只有{off}天放假，与国务院通知通常的天数"
                    f"（{USUAL_DAYS_OFF.start}—{USUAL_DAYS_OFF.stop - 1}天）相差较大，请核对",
                )
            )
        if y in cal.official_years:
            notices.append(Notice("file", f"{y}年已有国务院通知的节假日安排，本文件的录入将覆盖它"))
        if y < this_year:
            notices.append(Notice("file", f"{y}年已经过去：已办结案件的期限不会重新计算"))
    return notices


def _calendar_after(session: Session, schedule: Schedule) -> WorkCalendar:
    current = deadlines.load_calendar(session)
    replaced = set(schedule.years)
    kept = [e for e in current.office_entries if e.day.year not in replaced]
    return WorkCalendar([*kept, *schedule.entries], current.office_years | replaced)


def _moves(session: Session, cal: WorkCalendar) -> list[DueChange]:
    stmt = (
        select(Case)
        .where(Case.status != "closed", Case.voided.is_(False))
        .order_by(Case.id)
        .options(
            selectinload(Case.corrections),
            selectinload(Case.consultations),
            selectinload(Case.extensions),
            selectinload(Case.fees),
            selectinload(Case.delays),
        )
    )
    moved: list[DueChange] = []
    for case in session.scalars(stmt):
        result = deadlines.clock_of(case, cal)
        if (result.due, result.due_provisional) != (case.due, case.due_provisional):
            moved.append(
                DueChange(
                    case.no, case.due, result.due, case.due_provisional, result.due_provisional
                )
            )
    return moved


def preview(session: Session, actor: User, schedule: Schedule) -> Result[HolidayImport]:
    """What importing the schedule would change, computed without writing anything."""
    require_role(actor, ROLE, "录入节假日安排")
    cal = _calendar_after(session, schedule)
    plan = HolidayImport(
        schedule,
        _entry_changes(_stored(session, schedule.years), schedule),
        tuple(_moves(session, cal)),
    )
    return Result(plan, Changes(), tuple(_warnings(schedule, deadlines.load_calendar(session))))


def import_schedule(session: Session, actor: User, schedule: Schedule) -> Result[HolidayImport]:
    """录入节假日安排: replace the office's entries of each year, audit each, move the deadlines."""
    require_role(actor, ROLE, "录入节假日安排")
    warnings = _warnings(schedule, deadlines.load_calendar(session))
    old = _stored(session, schedule.years)
    entries = _entry_changes(old, schedule)
    for y in schedule.years:
        session.execute(
            delete(HolidayEntry).where(
                HolidayEntry.day >= dt.date(y, 1, 1), HolidayEntry.day <= dt.date(y, 12, 31)
            )
        )
        year_row = session.get(ScheduleYear, y)
        old_source = year_row.source if year_row is not None else None
        if year_row is None:
            session.add(ScheduleYear(year=y, source=schedule.name))
        else:
            year_row.source = schedule.name
        audit.record(
            session, None, actor.username, "holidays_import",
            {f"schedule[{y}].source": (old_source, schedule.name)},
        )  # fmt: skip
    session.flush()
    session.add_all(
        HolidayEntry(day=e.day, workday=e.workday, note=e.note) for e in schedule.entries
    )
    if entries:
        audit.record(
            session,
            None,
            actor.username,
            "holidays_import",
            {f"holiday[{day.isoformat()}]": change for day, change in entries.items()},
        )
    session.flush()
    moved = deadlines.recompute_open(session, deadlines.load_calendar(session), actor.username)
    numbers = [m.case_no for m in moved]
    touched: set[int] = set()
    for start in range(0, len(numbers), 500):  # well below every backend's parameter limit
        chunk = numbers[start : start + 500]
        touched.update(session.scalars(select(Case.id).where(Case.no.in_(chunk))))
    changes = Changes(cases=frozenset(touched), case_list=bool(moved), calendar=True)
    return Result(HolidayImport(schedule, entries, tuple(moved)), changes, tuple(warnings))
