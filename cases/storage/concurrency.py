"""Several desks on one database: a case is taken for update, and a stale desk is refused.

Every change to a case (its own columns or any row that belongs to it, audit records included)
raises `cases.version` once per transaction. An operation takes its case with `take`, which locks
the row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the writer transaction already holds the
database lock from BEGIN IMMEDIATE) and re-reads it. If the version moved since this desk last
read it, or since the version the window showed (`expect`), the operation is refused with
CaseChanged naming who changed the case and when, instead of passing a guard on old facts: two
sign-offs of one case, a service record on a case the other desk has just voided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from cases.errors import Refused
from cases.storage.model import AuditRecord, Case, User
from cases.timing.dates import cn_date

EXPECTED = "disclosure_desk.expected_versions"  # session.info: case id → version the desk showed
BUMPED = "disclosure_desk.bumped_cases"  # session.info: case ids raised in this transaction
CREATED = "disclosure_desk.created_cases"  # session.info: case ids inserted in this transaction


class CaseChanged(Refused):
    """Another desk changed the case after this desk read it; nothing was written.

    The window reloads the case named by `case_id` and shows the message.
    """

    def __init__(
        self, case_id: int, case_no: str, by: str | None, at: dt.datetime | None, doing: str
    ) -> None:
        who = by or "其他用户"
        when = f"于{local_time(at)}" if at is not None else ""
        what = f"（{doing}）" if doing else ""
        super().__init__(
            "case",
            f"案件{case_no}已由{who}{when}改动{what}，本次操作未执行；请查看案件的最新情况后再操作",
        )
        self.case_id = case_id
        self.case_no = case_no
        self.changed_by = by
        self.changed_at = at


def local_time(at: dt.datetime) -> str:
    """A moment in the desk's own time zone, the way the window writes it."""
    if at.tzinfo is None:  # SQLite hands back naive UTC
        at = at.replace(tzinfo=dt.UTC)
    at = at.astimezone()
    return f"{cn_date(at.date())} {at:%H:%M:%S}"


def expect(session: Session, case_id: int, version: int) -> None:
    """The desk acts on the case as it showed it: refuse the operation if it changed since."""
    session.info.setdefault(EXPECTED, {})[case_id] = version


def take(session: Session, case: Case) -> Case:
    """Lock the case for the rest of the transaction and refuse if another desk changed it."""
    if case.id is None or sa_inspect(case).pending:
        return case  # a case this transaction is creating: nobody else can see it
    # Our own pending changes first, so that the locked row is compared with what we wrote.
    session.flush()
    seen = sa_inspect(case).dict.get("version")  # None when expired, i.e. re-read anyway
    stmt = (
        select(Case)
        .where(Case.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    session.scalars(stmt).one()  # the rows must be fetched for populate_existing to apply
    shown = session.info.get(EXPECTED, {}).pop(case.id, None)
    for before in (seen, shown):
        if before is not None and case.id not in _bumped(session) and case.version != before:
            raise changed(session, case)
    return case


def changed(session: Session, case: Case) -> CaseChanged:
    """The refusal for a case changed elsewhere, naming the latest change in its audit trail."""
    last = session.scalars(
        select(AuditRecord).where(AuditRecord.case_id == case.id).order_by(AuditRecord.id.desc())
    ).first()
    if last is None:
        return CaseChanged(case.id, case.no, None, None, "")
    user = session.scalars(select(User).where(User.username == last.actor)).first()
    who = user.display_name if user is not None else last.actor
    return CaseChanged(case.id, case.no, who, last.at, _action_label(last.action))


def _action_label(action: str) -> str:
    from cases.rules.workflow import handbook

    return dict(handbook().action_labels).get(action, "")


# --- raising the version --------------------------------------------------------------------


def _bumped(session: Session) -> set[int]:
    found: set[int] = session.info.setdefault(BUMPED, set())
    return found


def _case_ids(session: Session) -> set[int]:
    """Ids of the stored cases that this flush changes, directly or through their rows."""
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Case):
            if obj.id is not None and (obj in session.deleted or session.is_modified(obj)):
                ids.add(obj.id)
            continue
        case_id = getattr(obj, "case_id", None)
        if case_id is None:
            owner = sa_inspect(obj).dict.get("case")  # a new row linked to its case object
            case_id = owner.id if isinstance(owner, Case) else None
        if isinstance(case_id, int):
            ids.add(case_id)
    return ids


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    created: set[int] = session.info.get(CREATED, set())
    bumped = _bumped(session)
    todo = _case_ids(session) - created - bumped
    if not todo:
        return
    with session.no_autoflush:
        for case_id in sorted(todo):  # a fixed order, so two desks lock several cases alike
            case = session.get(Case, case_id)
            if case is not None and case not in session.deleted:
                # An expression, not a value read earlier: the database adds one to what it has.
                case.version = Case.version + 1
    bumped |= todo


def _after_flush(session: Session, _context: Any) -> None:
    created = session.info.setdefault(CREATED, set())
    created.update(obj.id for obj in session.new if isinstance(obj, Case))


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        for key in (BUMPED, CREATED, EXPECTED):
            session.info.pop(key, None)


def watch(factory: sessionmaker[Session]) -> None:
    """Raise case versions in every session this factory makes."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "after_transaction_end", _after_transaction_end)
