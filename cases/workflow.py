"""The procedure as a state machine read from handbook/: which action, in which step, by whom.

Everything here reads; cases.actions writes. A refusal is an ActionRefused raised before anything
changes, naming the field and saying in Chinese what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cases import settings
from cases.errors import Refused
from cases.handbook import Handbook, Step, load_handbook
from cases.model import Approval, Case, User

# Moves between steps that only a particular action may make, because the action records the
# decision the move stands for (the review request, the signature, the return).
GATED_MOVES: dict[tuple[str, str], str] = {
    ("draft", "sign_off"): "submit_for_review",
    ("sign_off", "serve"): "sign_off",
    ("sign_off", "draft"): "return_for_revision",
}
# The action still allowed on an archived case: reviews and suits come after the file is closed.
AFTER_ARCHIVE = frozenset({"add_review"})
# Outcomes that close a case at the moment they are recorded (the applicant abandoned or
# withdrew); each has its own action, so choose_outcome does not offer them.
PROCEDURAL_OUTCOMES: dict[str, str] = {
    "other_no_correction": "lapse_correction",
    "other_fee_unpaid": "lapse_fee",
    "other_withdrawn": "withdraw",
}


class ActionRefused(Refused):
    """An action was refused before it changed anything; `field` names what is wrong."""


def handbook() -> Handbook:
    return load_handbook()


def today() -> dt.date:
    """The office's today; one place so that tests and the CLI agree on it."""
    return dt.date.today()


def action_label(action: str) -> str:
    return handbook().action_label(action)


def step_of(case: Case) -> Step:
    return handbook().step(case.step)


def role_names() -> dict[str, str]:
    """Role id → Chinese name, in the handbook's order."""
    return {role.id: role.name for role in handbook().roles}


def require_role(user: User, role: str | Iterable[str], doing: str = "") -> None:
    """Refuse unless the user is active and holds the role (or one of the roles)."""
    wanted = [role] if isinstance(role, str) else list(role)
    if not user.active:
        raise ActionRefused("user", f"用户“{user.display_name}”已停用，不能办理任何事项")
    if any(r in user.role_set for r in wanted):
        return
    names = role_names()
    need = "或".join(f"“{names.get(r, r)}”" for r in wanted)
    held = "、".join(names.get(r, r) for r in sorted(user.role_set)) or "无"
    what = f"{doing}需要" if doing else "需要"
    raise ActionRefused("role", f"{what}{need}角色；{user.display_name}的角色为：{held}")


# --- may this action be taken now? -------------------------------------------------------------


def check_open(case: Case, action: str, label: str | None = None) -> None:
    """Voided cases take no action; archived cases only the ones that come after the file."""
    label = label or action_label(action)
    if case.voided:
        raise ActionRefused(
            "voided", f"案件{case.no}已作废（理由：{case.void_reason or '未写明'}），不能{label}"
        )
    if case.archived_at is not None and action not in AFTER_ARCHIVE:
        allowed = "、".join(action_label(a) for a in sorted(AFTER_ARCHIVE))
        raise ActionRefused("archived", f"案件{case.no}已归档，不能{label}；归档后只能{allowed}")


def check_action(case: Case, actor: User, action: str) -> Step:
    """Refuse unless `action` is allowed in the case's step and the actor holds a role for it."""
    check_open(case, action)
    step = step_of(case)
    label = action_label(action)
    if not step.allows(action):
        where = "、".join(f"“{s.name}”" for s in handbook().steps_allowing(action))
        raise ActionRefused(
            "step", f"案件{case.no}处于“{step.name}”步骤，不能{label}；{label}在{where}步骤办理"
        )
    require_role(actor, step.roles_for(action), label)
    return step


def allowed_actions(case: Case, actor: User) -> list[str]:
    """The actions of the case's step the actor may take now, for menus and buttons."""
    if case.voided:
        return []
    step = step_of(case)
    actions = [a for a in step.actions if actor.active and actor.role_set & set(step.roles_for(a))]
    if case.archived_at is not None:
        actions = [a for a in actions if a in AFTER_ARCHIVE]
    return actions


def check_move(case: Case, actor: User, to_step: str) -> Step:
    """Refuse a move between steps that the handbook or the step's own conditions forbid.

    Returns the target step. The conditions on leaving a step are part of the procedure (a
    correction still awaited holds the case in 审核; 分办 ends when a department is named; the
    file is only archived after the reply was served).
    """
    if case.voided:
        raise ActionRefused("voided", f"案件{case.no}已作废，不能转到其他步骤")
    if case.archived_at is not None:
        raise ActionRefused("archived", f"案件{case.no}已归档，不能转到其他步骤")
    step = step_of(case)
    try:
        target = handbook().step(to_step)
    except KeyError:
        raise ActionRefused("step", f"没有“{to_step}”这个步骤") from None
    if to_step not in step.next_steps:
        options = "、".join(f"“{handbook().step(s).name}”" for s in step.next_steps) or "无"
        raise ActionRefused(
            "step", f"“{step.name}”之后不能转到“{target.name}”；可以转到：{options}"
        )
    require_role(actor, step.roles, f"结束“{step.name}”步骤")
    gate = GATED_MOVES.get((step.id, to_step))
    if gate is not None:
        raise ActionRefused(
            "step", f"从“{step.name}”转到“{target.name}”须通过“{action_label(gate)}”办理"
        )
    if correction_pending(case):
        raise ActionRefused(
            "correction", "补正尚未提交：请等待补正材料并登记，或在补正期限届满后登记逾期未补正"
        )
    if step.id == "assign" and to_step == "handle" and not (case.department or "").strip():
        raise ActionRefused("department", "转入办理前须确定承办部门")
    if to_step == "archive" and served_on_or_after_sign_off(case) is None:
        raise ActionRefused("service", "答复书（告知书）签发后尚未登记送达，不能转入归档")
    return target


def correction_pending(case: Case) -> bool:
    """A correction notice went out and neither the correction nor the case's close came."""
    return case.outcome_code is None and any(c.received is None for c in case.corrections)


# --- outcomes and approvals --------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeChoice:
    """An outcome with its reasons: proposed by the handler (拟办意见) or final once signed."""

    code: str
    reasons: tuple[str, ...]
    note: str  # internal, never printed
    final: bool
    on: dt.date | None = None
    statement: str = ""  # 写入文书的说明: written into the reply for the applicant
    holder: str = ""  # 条例 36(5): the body that holds the information
    holder_contact: str = ""

    @property
    def label(self) -> str:
        return handbook().outcome(self.code).label

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "reasons": list(self.reasons), "note": self.note}
        for name in ("statement", "holder", "holder_contact"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return data


def _payload(approval: Approval) -> dict[str, Any]:
    if not approval.payload:
        return {}
    value = json.loads(approval.payload)
    return value if isinstance(value, dict) else {}


def proposal_of(case: Case) -> OutcomeChoice | None:
    """The latest proposed outcome (an Approval of stage "outcome"), or None."""
    rows = [a for a in case.approvals if a.stage == "outcome"]
    if not rows:
        return None
    data = _payload(rows[-1])
    return OutcomeChoice(
        code=str(data["code"]),
        reasons=tuple(str(r) for r in data.get("reasons", [])),
        note=str(data.get("note", "")),
        final=False,
        statement=str(data.get("statement", "")),
        holder=str(data.get("holder", "")),
        holder_contact=str(data.get("holder_contact", "")),
    )


def current_outcome(case: Case) -> OutcomeChoice | None:
    """The final outcome of a closed case, else the proposal: what the reply letter is about."""
    if case.outcome_code is not None:
        return OutcomeChoice(
            code=case.outcome_code,
            reasons=tuple(case.outcome_reasons.split()),
            note=case.outcome_note,
            final=True,
            on=case.outcome_on,
            statement=case.outcome_statement or "",
            holder=case.outcome_holder or "",
            holder_contact=case.outcome_holder_contact or "",
        )
    return proposal_of(case)


def latest_approval(case: Case, stage: str) -> Approval | None:
    rows = [a for a in case.approvals if a.stage == stage]
    return rows[-1] if rows else None


def pending_approval(case: Case, stage: str) -> Approval | None:
    """The request of this stage still waiting for a decision."""
    row = latest_approval(case, stage)
    return row if row is not None and row.decision is None else None


def sign_off_date(case: Case) -> dt.date | None:
    """The day the reply was signed (签发), if the latest sign-off was approved."""
    row = latest_approval(case, "sign_off")
    if row is None or row.decision != "approved":
        return None
    on = _payload(row).get("on")
    if isinstance(on, str):
        return dt.date.fromisoformat(on)
    return row.decided_at.date() if row.decided_at is not None else None


def served_on_or_after_sign_off(case: Case) -> dt.date | None:
    """The first service (送达) recorded on or after the sign-off, i.e. of the signed reply."""
    signed = sign_off_date(case)
    if signed is None:
        return None
    days = sorted(s.served_on for s in case.services if s.served_on >= signed)
    return days[0] if days else None


def pending_approvals(stage: str | None = None) -> Select[Approval]:
    """Requests waiting for a decision (an inbox); proposals (stage "outcome") are not requests."""
    stmt = (
        select(Approval)
        .join(Case, Approval.case_id == Case.id)
        .where(Approval.decision.is_(None), Approval.stage != "outcome", Case.voided.is_(False))
    )
    if stage is not None:
        stmt = stmt.where(Approval.stage == stage)
    return stmt.order_by(Approval.requested_at, Approval.id)


def separate_sign_off(session: Session) -> bool:
    return bool(settings.value(session, settings.SEPARATE_SIGN_OFF))


# --- statistics ---------------------------------------------------------------------------------


def active_cases() -> Select[Case]:
    """Every case that counts: a voided case stays in the file but never in a statistic."""
    return select(Case).where(Case.voided.is_(False))
