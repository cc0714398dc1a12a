"""Registration (登记) and what shapes a case as a whole: split, assign, move, void."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actions.base import (
    CaseRef,
    begin,
    current_actor,
    load_case,
    start,
)
from cases.assist import repeats
from cases.interchange.records import ApplicantData
from cases.office.numbering import next_case_number, number_taken
from cases.result import Changes, Notice, Result
from cases.rules import case_input, vocab
from cases.rules.handbook import RoleId
from cases.rules.workflow import (
    ActionRefused,
    check_move,
    check_open,
    handbook,
    require_role,
    step_of,
    today,
)
from cases.storage import audit
from cases.storage.model import Applicant, Case, Correction, User
from cases.timing import deadlines
from cases.timing.clock import Channel, propose_day0

APPLICANT_FIELDS = (
    "type", "name", "id_type", "id_number", "phone", "address", "postcode", "email",
    "agent_name", "agent_phone",
)  # fmt: skip


def _refuse(field: str, problem: str | None) -> None:
    if problem:
        raise ActionRefused(field, problem)


def _choice(field: str, value: str, allowed: dict[str, str], path: str | None = None) -> str:
    _refuse(field, case_input.choice_problem(path or field, value, allowed))
    return value


def _text(field: str, value: str | None, *, required: bool, path: str | None = None) -> str | None:
    """Stripped text checked as import checks it (cases.rules.case_input); None when empty."""
    cleaned = (value or "").strip()
    if not cleaned:
        _refuse(field, case_input.required_problem(path or field) if required else None)
        return None
    _refuse(field, case_input.text_problem(path or field, cleaned))
    return cleaned


def _applicant(session: Session, data: ApplicantData) -> Applicant:
    """The stored applicant with exactly these details, or a new row.

    A changed address or phone makes a new row, so that the letters of earlier cases keep the
    details they were written with.
    """
    values = {name: getattr(data, name) for name in APPLICANT_FIELDS}
    stmt = select(Applicant)
    for name, value in values.items():
        column = getattr(Applicant, name)
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    found = session.scalars(stmt.limit(1)).first()
    return found if found is not None else Applicant(**values)


def _clean_applicant(data: ApplicantData) -> ApplicantData:
    def opt(name: str, path: str | None = None) -> str | None:
        return _text(path or f"applicant.{name}", getattr(data, name), required=False)

    cleaned = ApplicantData(
        type=_choice("applicant.type", (data.type or "").strip(), vocab.APPLICANT_TYPES),
        name=_text("applicant.name", data.name, required=True) or "",
        id_type=opt("id_type"),
        id_number=opt("id_number"),
        phone=opt("phone"),
        address=opt("address"),
        postcode=opt("postcode"),
        email=opt("email"),
        agent_name=opt("agent_name", "applicant.agent.name"),
        agent_phone=opt("agent_phone", "applicant.agent.phone"),
    )
    if cleaned.id_type is not None:
        _choice("applicant.id_type", cleaned.id_type, vocab.ID_TYPES)
    return cleaned


def applicant_warnings(data: ApplicantData) -> tuple[Notice, ...]:
    """What registration warns about without refusing: a failed ID check character."""
    warning = case_input.id_warning(data.id_type, data.id_number)
    return (Notice("applicant.id_number", warning),) if warning else ()


def register(
    session: Session,
    actor: User,
    *,
    channel: str,
    applicant: ApplicantData,
    description: str,
    received: dt.date | None = None,
    arrived: dt.date | None = None,
    confirmed: dt.date | None = None,
    signed: dt.date | None = None,
    form: str = "paper",
    delivery: str = "post",
    department: str | None = None,
    handler: str | None = None,
    no: str | None = None,
) -> Result[Case]:
    """登记申请: create the case in the first step, numbered, with its clock and audit trail.

    Day 0 is `received` when the handler fixed it, else proposed from the channel and the facts
    (arrived, and the signature or confirmation date) under 条例 31.
    """
    first = handbook().first_step
    require_role(
        current_actor(session, actor),
        first.roles_for("register"),
        handbook().action_label("register"),
    )
    _choice("channel", channel, vocab.CHANNELS)
    _choice("form", form, vocab.FORMS, "request.form")
    _choice("delivery", delivery, vocab.DELIVERIES, "request.delivery")
    person = _clean_applicant(applicant)
    text = _text("description", description, required=True, path="request.description") or ""
    department = _text("department", department, required=False)
    handler = _text("handler", handler, required=False)
    basis = "收到申请之日由登记人直接填写"
    if received is None:
        if arrived is None:
            raise ActionRefused("received", "须填写收到申请之日，或填写申请到达日期以便推算")
        received, basis = propose_day0(Channel(channel), arrived, confirmed, signed)
    _refuse("received", case_input.date_problem("received", received, today=today()))
    if no is not None:
        no = _text("no", no, required=True) or ""
        if number_taken(session, no):
            raise ActionRefused("no", f"案件编号“{no}”已被使用")
    if handler is None and RoleId.HANDLER in actor.role_set:
        handler = actor.display_name

    case = Case(
        no=no or next_case_number(session, received.year),
        received=received,
        channel=channel,
        applicant=_applicant(session, person),
        description=text,
        form=form,
        delivery=delivery,
        department=(department or "").strip() or None,
        handler=(handler or "").strip() or None,
        step=first.id,
        day0=received,
        correction_notice_due=received,
    )
    session.add(case)
    cal = deadlines.load_calendar(session)
    deadlines.refresh(case, cal)
    session.flush()
    fields = {
        "no": case.no,
        "received": case.received,
        "day0_basis": basis,
        "channel": channel,
        "applicant": person.name,
        "applicant.id_number": person.id_number,
        "description": text,
        "form": form,
        "delivery": delivery,
        "department": case.department,
        "handler": case.handler,
        "step": case.step,
        "status": case.status,
        "due": case.due,
        "correction_notice_due": case.correction_notice_due,
    }
    audit.record(
        session, case, actor.username, "register", {k: (None, v) for k, v in fields.items()}
    )
    # Said at once, applied never: the handler decides (cases.assist.repeats).
    said = applicant_warnings(person) + repeats.registration_notices(session, case)
    return Result(case, Changes.of_cases([case.id], case_list=True), said)


def split(session: Session, actor: User, ref: CaseRef, items: Sequence[str]) -> Result[list[Case]]:
    """拆分申请 (一事一申请): the case keeps the first item, each further item becomes a case.

    The new cases share the applicant, day 0 and any correction, link to the original through
    parent_id and are numbered after it (…-2, …-3). Splitting comes before consultations, fees,
    extensions and outcomes, which belong to one item.
    """
    act = begin(session, actor, ref, "split")
    case = act.case
    parts = [i.strip() for i in items]
    if len(parts) < 2:
        raise ActionRefused("items", "拆分须至少列出两项申请内容（第一项留在本案件）")
    for n, part in enumerate(parts, start=1):
        if not part:
            raise ActionRefused("items", f"第{n}项申请内容为空")
    busy = [
        what
        for what, rows in (
            ("征求意见", case.consultations),
            ("延期", case.extensions),
            ("收费", case.fees),
            ("延迟答复", case.delays),
        )
        if rows
    ]
    if busy or case.outcome_code is not None:
        done = "、".join(busy) or "办结"
        raise ActionRefused("items", f"本案件已有{done}记录，拆分须在办理之前进行")
    numbers = [f"{case.no}-{n}" for n in range(2, len(parts) + 1)]
    for number in numbers:
        if len(number) > 64 or number_taken(session, number):
            raise ActionRefused("items", f"拆分后的案件编号“{number}”已被使用或过长")

    children: list[Case] = []
    for number, part in zip(numbers, parts[1:], strict=True):
        # Linking a new case to stored rows would otherwise flush it half-built.
        with session.no_autoflush:
            child = Case(
                no=number,
                received=case.received,
                channel=case.channel,
                applicant=case.applicant,
                description=part,
                form=case.form,
                delivery=case.delivery,
                department=case.department,
                handler=case.handler,
                step=case.step,
                parent=case,
                day0=case.day0,
                correction_notice_due=case.correction_notice_due,
            )
            child.corrections = [
                Correction(notice=c.notice, until=c.until, received=c.received, items=c.items)
                for c in case.corrections
            ]
            session.add(child)
        deadlines.refresh(child, act.cal)
        children.append(child)
    session.flush()
    act.set(description=parts[0])
    act.record({"split_into": (None, "、".join(numbers))})
    for child in children:
        audit.record(
            session,
            child,
            actor.username,
            "split",
            {
                "no": (None, child.no),
                "parent": (None, case.no),
                "description": (None, child.description),
                "received": (None, child.received),
                "step": (None, child.step),
                "due": (None, child.due),
            },
        )
    return act.done(children, also=children, new=True)


def void(session: Session, actor: User, ref: CaseRef, *, reason: str) -> Result[Case]:
    """作废: a mistaken case stays in the file, marked, out of every statistic and list of work."""
    act = begin(session, actor, ref, "void")
    text = _text("void_reason", reason, required=True) or ""
    # The day is kept with the mark: the exchange format and the 台账 carry it (voided.on), and
    # a reader of the file later asks when the case was set aside.
    act.set(voided=True, void_reason=text, voided_on=today())
    return act.done(act.case)


def assign(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    department: str | None,
    handler: str | None = None,
) -> Result[Case]:
    """分办: name the handling department and handler (any step before the file is archived)."""
    case = load_case(session, ref)
    check_open(case, "assign", "确定承办部门和承办人")
    step = step_of(case)
    require_role(current_actor(session, actor), step.roles, "确定承办部门和承办人")
    act = start(session, actor, case, "assign")
    act.set(
        department=(department or "").strip() or None,
        handler=(handler or "").strip() or None,
    )
    return act.done(case)


def advance(session: Session, actor: User, ref: CaseRef, to_step: str) -> Result[Case]:
    """Finish the case's step and move to one of the steps the handbook lists after it."""
    case = load_case(session, ref)
    check_move(case, current_actor(session, actor), to_step)
    act = start(session, actor, case, "move")
    act.move(to_step)
    return act.done(case)
