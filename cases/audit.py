"""The audit trail (审计记录): who changed what on a case, written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.model import AuditRecord, Case


def as_text(value: Any) -> str | None:
    """How a value is written into the trail: ISO dates, plain numbers, None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def record(
    session: Session,
    case: Case | None,
    actor: str,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> list[AuditRecord]:
    """Write one record per changed field (old → new), or one bare record when nothing is listed.

    Fields whose old and new values read the same are skipped: the trail shows real changes.
    """
    rows: list[AuditRecord] = []
    now = dt.datetime.now(dt.UTC)
    items = list((changes or {}).items())
    for field, (old, new) in items:
        old_text, new_text = as_text(old), as_text(new)
        if old_text == new_text:
            continue
        rows.append(
            AuditRecord(
                case_id=case.id if case is not None else None,
                at=now,
                actor=actor,
                action=action,
                field=field,
                old=old_text,
                new=new_text,
            )
        )
    if not rows:
        rows.append(
            AuditRecord(
                case_id=case.id if case is not None else None, at=now, actor=actor, action=action
            )
        )
    if case is not None and sa_inspect(case).transient | sa_inspect(case).pending:
        session.add(case)
        session.flush()  # the case needs its id before the trail can point at it
        for row in rows:
            row.case_id = case.id
    session.add_all(rows)
    return rows


def set_fields(
    session: Session, case: Case, actor: str, action: str, **values: Any
) -> dict[str, tuple[Any, Any]]:
    """Assign attributes of a case and audit those that changed; returns the changes."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name, new in values.items():
        old = getattr(case, name)
        if old != new:
            changes[name] = (old, new)
            setattr(case, name, new)
    if changes:
        record(session, case, actor, action, changes)
    return changes


def trail(session: Session, case_id: int) -> list[AuditRecord]:
    """A case's records in time order."""
    stmt = select(AuditRecord).where(AuditRecord.case_id == case_id).order_by(AuditRecord.id)
    return list(session.scalars(stmt))
