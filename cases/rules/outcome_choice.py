"""The outcome a reply is about (a case's final outcome, else its proposal), read from plain fields.

Free of SQLAlchemy: the letters read it from an ORM case and from a snapshot read through sqlite3
(cases.documents.letter_case) with the same code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cases.rules.handbook import load_handbook


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


class ApprovalFields(Protocol):
    """What is read of an approval (审核签发) row: its stage and its JSON payload."""

    @property
    def stage(self) -> str: ...
    @property
    def payload(self) -> str: ...


class OutcomeFields(Protocol):
    """What is read of a case: its outcome columns and its approvals, oldest first."""

    @property
    def outcome_code(self) -> str | None: ...
    @property
    def outcome_on(self) -> dt.date | None: ...
    @property
    def outcome_reasons(self) -> str: ...
    @property
    def outcome_note(self) -> str: ...
    @property
    def outcome_statement(self) -> str: ...
    @property
    def outcome_holder(self) -> str: ...
    @property
    def outcome_holder_contact(self) -> str: ...
    @property
    def approvals(self) -> Sequence[ApprovalFields]: ...


def payload_of(approval: ApprovalFields) -> dict[str, Any]:
    if not approval.payload:
        return {}
    value = json.loads(approval.payload)
    return value if isinstance(value, dict) else {}


def proposal_of(case: OutcomeFields) -> OutcomeChoice | None:
    """The latest proposed outcome (an Approval of stage "outcome"), or None."""
    rows = [a for a in case.approvals if a.stage == "outcome"]
    if not rows:
        return None
    data = payload_of(rows[-1])
    return OutcomeChoice(
        code=str(data["code"]),
        reasons=tuple(str(r) for r in data.get("reasons", [])),
        note=str(data.get("note", "")),
        final=False,
        statement=str(data.get("statement", "")),
        holder=str(data.get("holder", "")),
        holder_contact=str(data.get("holder_contact", "")),
    )


def current_outcome(case: OutcomeFields) -> OutcomeChoice | None:
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
