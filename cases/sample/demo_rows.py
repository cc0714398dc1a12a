"""The demo's plans as rows, written through the exchange import's row builders where it can."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cases.interchange import bulk, exchange
from cases.interchange.records import CaseRecord, OutcomeData, ReviewData
from cases.rules.handbook import StepId
from cases.sample.demo_tables import DEPARTMENTS, PROCEDURAL, PROOFS, TOWN_NAMES
from cases.sample.plans import Person, Plan, office_time
from cases.storage import model
from cases.timing.calendar import WorkCalendar

ACTOR = "演示数据"
ACTION = "demo"


def ensure_departments(session: Session) -> None:
    """The handling units the demo names, so the department lists offer them."""
    known = set(session.scalars(select(model.Department.name)))
    rows = [
        {
            "name": name,
            "kind": "office" if name.endswith("办公室") else "department",
            "active": True,
        }
        for name, *_ in DEPARTMENTS
        if name not in known
    ]
    rows += [
        {"name": town, "kind": "town", "active": True} for town in TOWN_NAMES if town not in known
    ]
    if rows:
        session.execute(insert(model.Department), rows)


def write(
    session: Session, keys: dict[str, bulk.Keys], plans: list[Plan], cal: WorkCalendar
) -> None:
    """The plans as rows: applicants, then cases and their events through the exchange import's
    own row builders (cases.interchange.exchange), then what only the demo has."""
    new_people: list[Person] = []
    seen: set[int] = set()
    for plan in plans:
        p = plan.person
        if p.db_id is None and id(p) not in seen:
            seen.add(id(p))
            new_people.append(p)
    person_rows: list[dict[str, Any]] = []
    for p, pid in zip(new_people, keys["applicants"].take(len(new_people)), strict=True):
        person_rows.append({"id": pid, **vars(p.data)})
        p.db_id = pid
    if person_rows:
        bulk.insert_rows(session, model.Applicant, person_rows)

    now = dt.datetime.now(dt.UTC)
    case_rows: list[dict[str, Any]] = []
    children: dict[type[model.Base], list[dict[str, Any]]] = {}
    for plan, case_id in zip(plans, keys["cases"].take(len(plans)), strict=True):
        record = _record(plan)
        assert plan.person.db_id is not None
        row = exchange.case_row(case_id, plan.no, record, plan.person.db_id, cal, now)
        case_rows.append({**row, **_demo_columns(plan)})
        for table, child in [*exchange.child_rows(record), *_demo_rows(plan)]:
            children.setdefault(table, []).append({"case_id": case_id, **child})
        children.setdefault(model.AuditRecord, []).append(
            {"case_id": case_id, "at": now, "actor": ACTOR, "action": ACTION, "field": None,
             "old": None, "new": None}
        )  # fmt: skip
    bulk.insert_cases(session, case_rows, children)


def _record(plan: Plan) -> CaseRecord:
    """The case as the exchange import would have read it, with the demo's extra texts."""
    life, facts = plan.life, plan.facts
    outcome = None
    if facts.outcome_code is not None and facts.outcome_on is not None:
        outcome = OutcomeData(facts.outcome_code, facts.outcome_on, plan.outcome_note, plan.reasons)
    reviews = [
        ReviewData(kind, filed, *((result, decided) if known else (None, None)))
        for kind, filed, result, decided in life.reviews
        if facts.outcome_on is not None and filed <= plan.as_of
        for known in [decided is not None and decided <= plan.as_of]
    ]
    opinions = [
        {"opinion": opinion if k.replied else "", "note": "", "information": "",
         "disclosure_reason": ""}
        for k, opinion in zip(facts.consultations, life.opinions, strict=False)
    ]  # fmt: skip
    return CaseRecord(
        where=plan.no,
        no=plan.no,
        received=plan.received,
        channel=plan.channel,
        applicant=plan.person.data,
        description=plan.description,
        form=plan.form,
        delivery=plan.delivery,
        department=plan.department,
        handler=plan.handler,
        corrections=list(facts.corrections),
        consultations=list(facts.consultations),
        extensions=list(facts.extensions),
        fees=list(facts.fees),
        delays=list(facts.delays),
        outcome=outcome,
        reviews=reviews,
        # Found the day it was entered twice; export writes it and import requires it.
        voided=(plan.received, "误登记：同一申请重复录入") if plan.voided else None,
        extras={
            "corrections": [{"items": [life.correction_items]} for _ in facts.corrections],
            "consultations": opinions,
            "extensions": [{"reason": life.extension_reason} for _ in facts.extensions],
            "fees": [{"units": life.fee_units} for _ in facts.fees],
        },
    )


def _demo_columns(plan: Plan) -> dict[str, Any]:
    """Where the simulation left the case, which an import cannot know, and the demo mark."""
    facts = plan.facts
    last_day = max(
        [facts.received, *(d for d in (facts.outcome_on,) if d)]
        + [c.received or c.notice for c in facts.corrections]
        + [c.sent for c in facts.consultations]
    )
    return {
        "demo": True,  # marked as generated, everywhere it is shown
        "step": plan.step,
        "archived_at": plan.archived_at,
        "created_at": plan.created_at,
        "updated_at": office_time(last_day, 16),
    }


def _demo_rows(plan: Plan) -> list[tuple[type[model.Base], dict[str, Any]]]:
    """Rows the exchange format does not carry: approvals and the proof of service."""
    life, facts = plan.life, plan.facts
    rows: list[tuple[type[model.Base], dict[str, Any]]] = []
    if facts.outcome_on is not None and facts.outcome_code not in PROCEDURAL:
        on = facts.outcome_on
        signed = {"on": on.isoformat()}
        # 审核 then 签发, as the workflow's own actions record them.
        rows.append(_approval("review", plan.handler, office_time(on, 8), signed, plan.reviewer))
        rows.append(
            _approval("sign_off", plan.reviewer, office_time(on, 9, 30), signed, plan.signer)
        )
    elif facts.outcome_on is None and plan.step in (StepId.DRAFT, StepId.SIGN_OFF):
        # The handler's proposal (拟办意见) and, one step further, the request for a signature.
        proposal = {"code": life.outcome_code, "reasons": list(plan.reasons), "note": ""}
        rows.append(_approval("outcome", plan.handler, office_time(plan.as_of, 9), proposal))
        if plan.step == StepId.SIGN_OFF:
            reviewed_at = office_time(plan.as_of, 8)
            rows.append(_approval("review", plan.handler, reviewed_at, proposal, plan.reviewer))
            rows.append(_approval("sign_off", plan.reviewer, office_time(plan.as_of, 10), proposal))
    if plan.service is not None:
        method, tracking, served = plan.service
        rows.append(
            (model.ServiceRecord, {"letter_id": None, "method": method, "tracking_no": tracking,
                                   "served_on": served, "proof": PROOFS[method],
                                   "recorded_by": plan.handler})
        )  # fmt: skip
    return rows


def _approval(
    stage: str, by: str, at: dt.datetime, payload: dict[str, Any], signer: str | None = None
) -> tuple[type[model.Base], dict[str, Any]]:
    """An approval row (cases.rules.workflow reads them); signed 90 minutes later if signer."""
    return model.Approval, {
        "stage": stage,
        "requested_by": by,
        "requested_at": at,
        "payload": json.dumps(payload, ensure_ascii=False),
        "decided_by": signer,
        "decided_at": at + dt.timedelta(hours=1, minutes=30) if signer else None,
        "decision": "approved" if signer else None,
        "comment": "",
    }
