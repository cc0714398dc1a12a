"""Outcome proposals and approvals (审核签发) as the trail of a case records them: read only.

A handler's proposed outcome (拟办意见), the review and sign-off requests and their decisions are
Approval rows; this module reads them for the guards, the letters and the inboxes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from cases.rules.handbook import load_handbook
from cases.storage.model import Approval, Case

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
        return load_handbook().outcome(self.code).label

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
