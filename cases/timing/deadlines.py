"""Bridge between stored cases and the pure clock: facts from rows, stored columns, recompute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cases.storage import audit
from cases.storage.model import Case
from cases.timing.calendar import WorkCalendar

# Re-exported: most callers name the calendar's loader and the facts' reader here.
from cases.timing.case_facts import facts_of as facts_of
from cases.timing.clock import ClockResult, compute
from cases.timing.office_calendar import load_calendar as load_calendar


def clock_of(case: Case, cal: WorkCalendar) -> ClockResult:
    return compute(facts_of(case), cal)


def refresh(case: Case, cal: WorkCalendar) -> ClockResult:
    """Recompute the stored clock columns of one case from its events."""
    result = clock_of(case, cal)
    case.status = result.status.value
    case.day0 = result.day0
    case.due = result.due
    case.due_provisional = result.due_provisional
    case.correction_notice_due = result.correction_notice_due
    return result


@dataclass(frozen=True)
class DueChange:
    case_no: str
    old_due: dt.date | None
    new_due: dt.date | None
    old_provisional: bool
    new_provisional: bool


def recompute_open(
    session: Session, cal: WorkCalendar, actor: str, batch: int = 2000
) -> list[DueChange]:
    """After a calendar change: recompute every live case not closed, audit and report the moves."""
    changes: list[DueChange] = []
    last_id = 0
    while True:
        stmt = (
            select(Case)
            .where(Case.status != "closed", Case.voided.is_(False), Case.id > last_id)
            .order_by(Case.id)
            .limit(batch)
            .options(
                selectinload(Case.corrections),
                selectinload(Case.consultations),
                selectinload(Case.extensions),
                selectinload(Case.fees),
                selectinload(Case.delays),
            )
        )
        rows = list(session.scalars(stmt))
        if not rows:
            return changes
        for case in rows:
            old_due, old_prov = case.due, case.due_provisional
            refresh(case, cal)
            if (old_due, old_prov) != (case.due, case.due_provisional):
                audit.record(
                    session,
                    case,
                    actor,
                    "calendar_change",
                    {
                        "due": (old_due, case.due),
                        "due_provisional": (old_prov, case.due_provisional),
                    },
                )
                changes.append(
                    DueChange(case.no, old_due, case.due, old_prov, case.due_provisional)
                )
        last_id = rows[-1].id
