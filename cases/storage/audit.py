"""The audit trail (审计记录): who changed what on a case, written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from cases.storage.model import AuditRecord, Case

# PostgreSQL advisory lock key held by the transaction that extends the chain: two desks
# writing at once would otherwise both link to the same previous record and fork the chain.
CHAIN_LOCK = 0x44445F41  # "DD_A"
GENESIS = "0" * 64  # the "previous hash" of the very first record


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


# --- the hash chain ----------------------------------------------------------------------------
# Each record carries sha256(previous record's hash + its own fields), in id order, as git
# commits do; `cases.storage.verify` recomputes the chain. The definition below must never change:
# the
# hashes already stored in offices' databases were made with it.


def utc_naive(at: dt.datetime) -> dt.datetime:
    """The instant as UTC without tzinfo: what SQLite gives back, and PostgreSQL after convert."""
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def chain_hash(previous: str, row: Mapping[str, Any]) -> str:
    """The hash of one record (a mapping of the audit columns) chained to `previous`."""
    at = row["at"]
    fields = [
        previous,
        row.get("case_id"),
        utc_naive(at).isoformat(sep=" ", timespec="microseconds"),
        row["actor"],
        row["action"],
        row.get("field"),
        row.get("old"),
        row.get("new"),
    ]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def chain_head(connection: Connection) -> str:
    """The hash of the newest record, after taking the chain lock on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    last = connection.execute(text("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")).scalar()
    return str(last) if last else GENESIS


def chain_rows(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Fill `hash` (and normalise `at` to UTC) of rows about to be inserted in this order."""
    previous = chain_head(connection)
    for row in rows:
        row["at"] = _utc(row["at"])
        row["hash"] = previous = chain_hash(previous, row)


def _utc(at: dt.datetime) -> dt.datetime:
    # SQLite keeps the wall time and drops the zone: store UTC so the stored text is the instant.
    return at.astimezone(dt.UTC) if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


@event.listens_for(Session, "before_flush")
def _chain_new_records(session: Session, _context: Any, _instances: Any) -> None:
    """Number and hash the records this flush will insert, in the order they were added.

    The ids are taken here rather than by the INSERT, so that id order is chain order even when
    the flush batches the rows.
    """
    new = [obj for obj in session.new if isinstance(obj, AuditRecord) and obj.hash is None]
    if not new:
        return
    from cases.interchange import bulk  # bulk imports this module

    new.sort(key=lambda obj: sa_inspect(obj).insert_order or 0)
    connection = session.connection()
    rows = [
        {
            "case_id": obj.case_id,
            "at": obj.at or dt.datetime.now(dt.UTC),
            "actor": obj.actor,
            "action": obj.action,
            "field": obj.field,
            "old": obj.old,
            "new": obj.new,
        }
        for obj in new
    ]
    chain_rows(connection, rows)
    ids = bulk.Keys(session, AuditRecord).take(len(new))
    for obj, row, new_id in zip(new, rows, ids, strict=True):
        obj.id, obj.at, obj.hash = new_id, row["at"], row["hash"]
