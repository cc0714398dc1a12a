"""The actions of the procedure, one function each: check → write → audit → recompute the clock.

Every function takes the caller's session (one `store.transaction()` per user action), the
acting User and the case (or its number); a refusal raises ActionRefused before anything
changes, so the rollback leaves nothing behind.
"""

from cases.actions.base import CaseRef, load_case
from cases.actions.checking import override_check, record_search
from cases.actions.clock_events import (
    approve_extension,
    delay,
    end_consultation,
    fee_notice,
    lapse_correction,
    lapse_fee,
    record_correction,
    record_payment,
    request_correction,
    request_extension,
    start_consultation,
)
from cases.actions.closing import (
    SERVICE_METHODS,
    add_review,
    archive,
    choose_outcome,
    record_review_result,
    record_service,
    return_for_revision,
    review,
    sign_off,
    submit_for_review,
    withdraw,
)
from cases.actions.defence import record_answer_notice
from cases.actions.documents import draft, issue
from cases.actions.registration import advance, assign, register, split, void
from cases.rules.workflow import ActionRefused

__all__ = [
    "SERVICE_METHODS",
    "ActionRefused",
    "CaseRef",
    "add_review",
    "advance",
    "approve_extension",
    "archive",
    "assign",
    "choose_outcome",
    "delay",
    "draft",
    "end_consultation",
    "fee_notice",
    "issue",
    "lapse_correction",
    "lapse_fee",
    "load_case",
    "override_check",
    "record_answer_notice",
    "record_correction",
    "record_payment",
    "record_review_result",
    "record_search",
    "record_service",
    "register",
    "request_correction",
    "request_extension",
    "return_for_revision",
    "review",
    "sign_off",
    "split",
    "start_consultation",
    "submit_for_review",
    "void",
    "withdraw",
]
