"""Ticks on a step's checklist (核对清单), recorded on the case with who ticked and when.

A tick is a note the handler keeps for themself and for the reviewer; it never decides a move
between steps. Ticking and unticking are audited like every other change of the case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.result import Changes, Result
from cases.rules.workflow import ActionRefused, check_open, handbook, require_role
from cases.storage import audit
from cases.storage.model import Case, CaseCheck, User

__all__ = ["set_check", "ticks"]

TICKED = "已核对"


def ticks(session: Session, case_id: int) -> dict[str, dict[str, CaseCheck]]:
    """The ticked items of a case: step id → item id → the tick."""
    found: dict[str, dict[str, CaseCheck]] = {}
    stmt = select(CaseCheck).where(CaseCheck.case_id == case_id).order_by(CaseCheck.id)
    for row in session.scalars(stmt):
        found.setdefault(row.step, {})[row.item] = row
    return found


def set_check(
    session: Session, actor: User, case_id: int, step: str, item: str, checked: bool
) -> Result[bool]:
    """Tick or untick one item of a step's checklist on a case; returns whether it is ticked."""
    case = session.get(Case, case_id)
    if case is None:
        raise ActionRefused("case", f"找不到案件{case_id}")
    check_open(case, "check_item", "核对清单")
    try:
        found = handbook().step(step)
    except KeyError:
        raise ActionRefused("step", f"没有“{step}”这个步骤") from None
    entry = next((i for i in found.checklist if i.id == item), None)
    if entry is None:
        raise ActionRefused("item", f"“{found.name}”的核对清单中没有“{item}”这一项")
    require_role(actor, found.roles, f"核对“{found.name}”清单")
    existing = session.scalars(
        select(CaseCheck).where(
            CaseCheck.case_id == case.id, CaseCheck.step == step, CaseCheck.item == item
        )
    ).first()
    if checked == (existing is not None):
        return Result(checked)
    if checked:
        session.add(CaseCheck(case_id=case.id, step=step, item=item, checked_by=actor.username))
    else:
        assert existing is not None
        session.delete(existing)
    old, new = (None, TICKED) if checked else (TICKED, None)
    audit.record(
        session, case, actor.username, "check_item", {f"checklist.{step}.{item}": (old, new)}
    )
    return Result(checked, Changes.of_cases([case.id]))
