"""Outcome proposals and approvals (审核签发) as the trail of a case records them: read only.

A handler's proposed outcome (拟办意见), the review and sign-off requests and their decisions are
Approval rows; this module reads them for the guards, the letters and the inboxes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

# The outcome is read from plain fields (outcome_choice.py), so that a letter read through
# sqlite3 shares this code; the names stay importable from here.
from cases.rules.outcome_choice import OutcomeChoice as OutcomeChoice
from cases.rules.outcome_choice import current_outcome as current_outcome
from cases.rules.outcome_choice import payload_of as _payload
from cases.rules.outcome_choice import proposal_of as proposal_of
from cases.storage.model import Approval, Case

# --- outcomes and approvals --------------------------------------------------------------------


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
