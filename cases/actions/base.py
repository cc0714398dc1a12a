"""What every action does around its own rule: find, check, audit, recompute the clock.

Find the case, check the step and the role, refuse with a field and a Chinese message before
anything changes, write the audit trail and recompute the stored clock columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.result import Changes, Notice, Result
from cases.rules.handbook import Outcome
from cases.rules.workflow import ActionRefused, check_action, handbook, today
from cases.storage import audit, concurrency
from cases.storage.model import Case, User
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import ClockFacts, ClockResult, validate_facts
from cases.timing.dates import cn_date

T = TypeVar("T")
CaseRef = Case | str
CLOCK_COLUMNS = ("status", "day0", "due", "due_provisional", "correction_notice_due")
# The columns that decide which list views show a case and where: the to-do views filter by step
# and status, the warning filter by due, search by description. A change to any of them moves the
# case between views, so the lists must query again (Changes.case_list).
LIST_COLUMNS = (
    "no", "received", "description", "department", "handler", "step", "status", "due",
    "outcome_code", "voided", "archived_at",
)  # fmt: skip


def list_state(case: Case) -> tuple[Any, ...]:
    return tuple(getattr(case, name) for name in LIST_COLUMNS)


def load_case(session: Session, ref: CaseRef) -> Case:
    """A case given itself or by its number, locked for this transaction (concurrency.take)."""
    if isinstance(ref, Case):
        return concurrency.take(session, ref)
    case = session.scalars(select(Case).where(Case.no == ref)).first()
    if case is None:
        raise ActionRefused("case", f"找不到编号为“{ref}”的案件")
    return concurrency.take(session, case)


def required_text(field: str, value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ActionRefused(field, f"{what}不能为空")
    return text


def check_day(case: Case, field: str, day: dt.date, what: str) -> dt.date:
    """A date of something that happened to this case: not in the future, not before day 0."""
    if day > today():
        raise ActionRefused(field, f"{what}{cn_date(day)}晚于今天，不能登记尚未发生的事")
    if day < case.received:
        raise ActionRefused(field, f"{what}{cn_date(day)}早于收到申请之日{cn_date(case.received)}")
    return day


def check_not_closed(case: Case, label: str) -> None:
    if case.outcome_code is not None:
        outcome = handbook().outcome(case.outcome_code).label
        when = cn_date(case.outcome_on) if case.outcome_on else ""
        raise ActionRefused("outcome", f"案件已于{when}按“{outcome}”办结，不能{label}")


def check_reasons(outcome: Outcome, reasons: Sequence[str]) -> tuple[str, ...]:
    """At least one of the outcome's reason choices, each one of them, none twice."""
    chosen = tuple(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    valid = {r.id for r in outcome.reasons}
    options = "；".join(f"{r.id}（{r.text}）" for r in outcome.reasons)
    if not chosen:
        raise ActionRefused(
            "outcome.reasons", f"“{outcome.label}”须至少选择一项理由；可选：{options}"
        )
    for reason in chosen:
        if reason not in valid:
            raise ActionRefused(
                "outcome.reasons", f"“{outcome.label}”没有理由“{reason}”；可选：{options}"
            )
    return chosen


@dataclass
class Act:
    """One action in progress on one case, inside the caller's transaction."""

    session: Session
    actor: User
    case: Case
    action: str
    cal: WorkCalendar
    before: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        return handbook().action_label(self.action)

    def facts(self) -> ClockFacts:
        return deadlines.facts_of(self.case)

    def check_facts(self, proposed: ClockFacts) -> None:
        """Refuse if the facts after this action would contradict themselves.

        Only new contradictions count: an imported history may already carry one, and it
        should not block every later action.
        """
        before = set(validate_facts(self.facts(), self.cal))
        for field, message in validate_facts(proposed, self.cal):
            if (field, message) not in before:
                raise ActionRefused(field, message)

    def with_facts(self, **changes: Any) -> ClockFacts:
        return replace(self.facts(), **changes)

    def clock(self) -> ClockResult:
        return deadlines.clock_of(self.case, self.cal)

    def record(self, changes: Mapping[str, tuple[Any, Any]] | None = None) -> None:
        audit.record(self.session, self.case, self.actor.username, self.action, changes)

    def set(self, **values: Any) -> dict[str, tuple[Any, Any]]:
        return audit.set_fields(self.session, self.case, self.actor.username, self.action, **values)

    def move(self, step: str) -> None:
        self.set(step=step)

    def finish(self) -> ClockResult:
        """Recompute the clock columns and audit those that moved, under the same action."""
        self.session.flush()
        before = {name: getattr(self.case, name) for name in CLOCK_COLUMNS}
        result = deadlines.refresh(self.case, self.cal)
        changes = {
            name: (old, getattr(self.case, name))
            for name, old in before.items()
            if old != getattr(self.case, name)
        }
        if changes:
            self.record(changes)
        return result

    def done(
        self, value: T, *warnings: Notice, also: Sequence[Case] = (), new: bool = False
    ) -> Result[T]:
        """The action's Result: this case (and `also`) touched; the lists reload when a column
        they filter on moved, or when `new` cases were added."""
        self.session.flush()
        moved = new or list_state(self.case) != self.before
        ids = [self.case.id, *(c.id for c in also)]
        return Result(value, Changes.of_cases(ids, case_list=moved), tuple(warnings))


def start(session: Session, actor: User, case: Case, action: str) -> Act:
    """An Act on a case already found and checked, remembering what the lists show of it."""
    return Act(session, actor, case, action, deadlines.load_calendar(session), list_state(case))


def current_actor(session: Session, actor: User) -> User:
    """The acting user as the database has it now, in this transaction.

    The window keeps the User it signed in with; an administrator may have disabled the account
    or changed its roles since. Refuses an unknown or disabled user; returns a copy carrying the
    stored roles, for the role checks.
    """
    row = session.execute(
        select(User.username, User.roles, User.active).where(User.id == actor.id)
    ).first()
    if row is None or row.username != actor.username:
        raise ActionRefused("user", f"找不到用户“{actor.username}”，请重新登录")
    if not row.active:
        raise ActionRefused("user", f"用户“{actor.display_name}”已停用，不能办理")
    if row.roles == actor.roles and actor.active:
        return actor
    return User(
        id=actor.id,
        username=actor.username,
        display_name=actor.display_name,
        roles=row.roles,
        active=True,
    )


def begin(session: Session, actor: User, ref: CaseRef, action: str) -> Act:
    """Find the case and check that this actor, as stored now, may take this action now."""
    case = load_case(session, ref)
    check_action(case, current_actor(session, actor), action)
    return start(session, actor, case, action)
