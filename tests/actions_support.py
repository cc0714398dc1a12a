"""Helpers for the workflow and action tests: a desk of four users and short ways to act."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cases import actions
from cases.errors import Refused
from cases.interchange.records import ApplicantData
from cases.office import users
from cases.result import Changes, Result
from cases.storage.audit import trail
from cases.storage.model import AuditRecord, Base, Case, User
from cases.storage.store import Store

T = TypeVar("T")
D = dt.date
DAY0 = D(2025, 3, 3)

CASE_RELATIONS = (
    Case.applicant,
    Case.corrections,
    Case.consultations,
    Case.extensions,
    Case.fees,
    Case.delays,
    Case.reviews,
    Case.services,
    Case.approvals,
    Case.letters,
    Case.children,
)


def applicant(name: str = "张三", id_number: str | None = "310230198001011234") -> ApplicantData:
    return ApplicantData(
        type="natural_person",
        name=name,
        id_type="resident_id" if id_number else None,
        id_number=id_number,
        phone="13800000000",
        address="上海市崇明区城桥镇人民路1号",
        postcode="202150",
    )


@dataclass
class Desk:
    """A store with a handler, a reviewer, a signer and an administrator."""

    store: Store
    handler: User
    reviewer: User
    signer: User
    admin: User

    @classmethod
    def open(cls, store: Store) -> Desk:
        with store.transaction() as s:
            admin = users.create_user(
                s, None, username="admin", display_name="管理员", roles=["admin"]
            ).value
            made = {
                name: users.create_user(
                    s, admin, username=name, display_name=display, roles=[name]
                ).value
                for name, display in (
                    ("handler", "王承办"),
                    ("reviewer", "李审核"),
                    ("signer", "赵签发"),
                )
            }
        return cls(store, made["handler"], made["reviewer"], made["signer"], admin)

    def run(self, fn: Callable[..., Result[T]], *args: Any, **kw: Any) -> Result[T]:
        """One user action in its own transaction; its Changes checked against what it wrote."""
        with self.store.session() as s:
            last = s.scalar(select(func.max(AuditRecord.id))) or 0
        with self.store.transaction() as s:
            result = fn(s, *args, **kw)
            assert isinstance(result, Result), f"{fn.__name__} returned {result!r}, not a Result"
        with self.store.session() as s:
            written = list(s.scalars(select(AuditRecord).where(AuditRecord.id > last)))
        assert_changes_match(result.changes, written)
        return result

    def do(self, fn: Callable[..., Result[T]], *args: Any, **kw: Any) -> T:
        """One user action in its own transaction; its value."""
        return self.run(fn, *args, **kw).value

    def case(self, no: str) -> Case:
        """The case as stored, with its events loaded, detached from any session."""
        with self.store.session() as s:
            stmt = select(Case).where(Case.no == no)
            stmt = stmt.options(*(selectinload(r) for r in CASE_RELATIONS))
            return s.scalars(stmt).one()

    def trail_all(self) -> list[AuditRecord]:
        """Every audit record, the desk's own included, in the order written."""
        with self.store.session() as s:
            return list(s.scalars(select(AuditRecord).order_by(AuditRecord.id)))

    def trail(self, no: str) -> list[AuditRecord]:
        with self.store.session() as s:
            case_id = s.scalars(select(Case.id).where(Case.no == no)).one()
            return trail(s, case_id)

    def register(
        self, received: dt.date = DAY0, who: ApplicantData | None = None, **kw: Any
    ) -> str:
        kw.setdefault("channel", "in_person")
        kw.setdefault("description", "申请公开某地块房屋征收补偿方案")
        case = self.do(
            actions.register, self.handler, applicant=who or applicant(), received=received, **kw
        )
        return case.no

    def to_handle(self, no: str) -> None:
        self.do(actions.advance, self.handler, no, "check")
        self.do(actions.advance, self.handler, no, "assign")
        self.do(actions.assign, self.handler, no, department="区规划资源局", handler="王承办")
        self.do(actions.advance, self.handler, no, "handle")

    def sign(self, no: str, on: dt.date) -> None:
        """Submit, review and sign the draft on one day."""
        self.do(actions.submit_for_review, self.handler, no)
        self.do(actions.review, self.reviewer, no)
        self.do(actions.sign_off, self.signer, no, on=on)

    def serve_and_archive(self, no: str, on: dt.date) -> None:
        self.do(
            actions.record_service,
            self.handler,
            no,
            method="ems",
            served_on=on,
            tracking_no="EA123456789CN",
            proof="妥投查询截图",
        )
        self.do(actions.advance, self.handler, no, "archive")
        self.do(actions.archive, self.handler, no)

    def close(
        self, no: str, code: str, reasons: Sequence[str], on: dt.date, served: dt.date
    ) -> None:
        """From 办理 to the archive with a substantive outcome."""
        self.do(actions.choose_outcome, self.handler, no, code=code, reasons=reasons, on=on)
        self.sign(no, on)
        self.serve_and_archive(no, served)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table: what a refused action must leave exactly as it was."""
        with self.store.session() as s:
            return {
                t.name: sorted((tuple(r) for r in s.execute(select(t))), key=repr)
                for t in Base.metadata.sorted_tables
            }

    def refuse(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Refused:
        """Run an operation that must be refused; check that the database did not change."""
        before = self.snapshot()
        with pytest.raises(Refused) as info:
            self.do(fn, *args, **kw)
        assert self.snapshot() == before
        return info.value


# Audited fields that move a case between list views (the to-do views filter by step and
# status, the warning filter by due date, search by the description): written independently of
# cases.actions.base.LIST_COLUMNS, so that a column forgotten there shows up here.
LIST_FIELDS = frozenset(
    {"no", "received", "description", "department", "handler", "step", "status", "due",
     "outcome_code", "voided", "archived_at"}
)  # fmt: skip
NEW_CASE_ACTIONS = frozenset({"register", "split", "import"})
USER_ACTIONS = frozenset({"create_user", "set_password", "set_roles", "set_active"})
SETTING_ACTIONS = frozenset({"setting", "office_profile"})
LIST_SETTINGS = frozenset({"clock.amber_days"})  # the warning filter of every list moves


def assert_changes_match(changes: Changes, written: Sequence[AuditRecord]) -> None:
    """The cases an operation says it touched are those it audited; the lists reload exactly
    when a case was added or a field they filter on changed."""
    touched = {r.case_id for r in written if r.case_id is not None}
    assert changes.cases == touched, (changes, [(r.case_id, r.field) for r in written])
    moved = any(
        r.field in LIST_FIELDS or (r.action in NEW_CASE_ACTIONS and r.field in ("no", None))
        for r in written
        if r.case_id is not None
    ) or any(r.field in LIST_SETTINGS for r in written)
    assert changes.case_list == moved, (changes, [(r.action, r.field) for r in written])
    assert changes.users == any(r.action in USER_ACTIONS for r in written), changes
    assert changes.settings == any(r.action in SETTING_ACTIONS for r in written), changes
    assert changes.calendar == any(r.action == "holidays_import" for r in written), changes


def records_of(rows: Sequence[AuditRecord], action: str) -> dict[str | None, tuple[Any, Any]]:
    """field → (old, new) of the audit records of one action."""
    return {r.field: (r.old, r.new) for r in rows if r.action == action}
