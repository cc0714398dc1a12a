"""The procedure as a state machine read from handbook/: which action, in which step, by whom.

Everything here reads; cases.actions writes. A refusal is an ActionRefused raised before anything
changes, naming the field and saying in Chinese what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cases.rules import settings
from cases.rules.action_refused import ActionRefused as ActionRefused
from cases.rules.approvals import served_on_or_after_sign_off
from cases.rules.handbook import Handbook, Step, StepId, load_handbook
from cases.storage.model import Case, User

# The action still allowed on an archived case: reviews and suits come after the file is closed.
AFTER_ARCHIVE = frozenset({"add_review"})


def handbook() -> Handbook:
    return load_handbook()


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
    gate = step.gate(to_step)
    if gate is not None:
        raise ActionRefused(
            "step", f"从“{step.name}”转到“{target.name}”须通过“{action_label(gate)}”办理"
        )
    if correction_pending(case):
        raise ActionRefused(
            "correction", "补正尚未提交：请等待补正材料并登记，或在补正期限届满后登记逾期未补正"
        )
    leaves_assign = step.id == StepId.ASSIGN and to_step == StepId.HANDLE
    if leaves_assign and not (case.department or "").strip():
        raise ActionRefused("department", "转入办理前须确定承办部门")
    if to_step == StepId.ARCHIVE and served_on_or_after_sign_off(case) is None:
        raise ActionRefused("service", "答复书（告知书）签发后尚未登记送达，不能转入归档")
    return target


def correction_pending(case: Case) -> bool:
    """A correction notice went out and neither the correction nor the case's close came."""
    return case.outcome_code is None and any(c.received is None for c in case.corrections)


def separate_sign_off(session: Session) -> bool:
    return bool(settings.value(session, settings.SEPARATE_SIGN_OFF))


# --- statistics ---------------------------------------------------------------------------------


def active_cases() -> Select[Case]:
    """Every case that counts: a voided case stays in the file but never in a statistic."""
    return select(Case).where(Case.voided.is_(False))
