"""The procedure's read side, under the names the rest of the program has always used.

The guards (which action, in which step, by whom) live in cases.rules.guards, the reading of outcome
proposals and approvals in cases.rules.approvals, the office's today in cases.timing.dates; this
module only
gathers them, so that `from cases.rules.workflow import X` keeps working.
"""

from __future__ import annotations

from cases.rules.approvals import (
    OutcomeChoice,
    current_outcome,
    latest_approval,
    pending_approval,
    pending_approvals,
    proposal_of,
    served_on_or_after_sign_off,
    sign_off_date,
)
from cases.rules.guards import (
    AFTER_ARCHIVE,
    ActionRefused,
    action_label,
    active_cases,
    allowed_actions,
    check_action,
    check_move,
    check_open,
    correction_pending,
    handbook,
    require_role,
    role_names,
    separate_sign_off,
    step_of,
)
from cases.timing.dates import today

__all__ = [
    "AFTER_ARCHIVE",
    "ActionRefused",
    "OutcomeChoice",
    "action_label",
    "active_cases",
    "allowed_actions",
    "check_action",
    "check_move",
    "check_open",
    "correction_pending",
    "current_outcome",
    "handbook",
    "latest_approval",
    "pending_approval",
    "pending_approvals",
    "proposal_of",
    "require_role",
    "role_names",
    "separate_sign_off",
    "served_on_or_after_sign_off",
    "sign_off_date",
    "step_of",
    "today",
]
