"""The actions of the procedure, one function each: check → write → audit → recompute the clock.

Every function takes the caller's session (one `store.transaction()` per user action), the
acting User and the case (or its number); a refusal raises ActionRefused before anything
changes, so the rollback leaves nothing behind.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cases.rules.workflow import ActionRefused

if TYPE_CHECKING:
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

# Each action's module, imported when the action is first asked for: the window starts without
# the letter and Excel code that some actions bring, and a command imports only what it runs.
_MODULE_OF: dict[str, str] = {
    "CaseRef": "base",
    "load_case": "base",
    "override_check": "checking",
    "record_search": "checking",
    "approve_extension": "clock_events",
    "delay": "clock_events",
    "end_consultation": "clock_events",
    "fee_notice": "clock_events",
    "lapse_correction": "clock_events",
    "lapse_fee": "clock_events",
    "record_correction": "clock_events",
    "record_payment": "clock_events",
    "request_correction": "clock_events",
    "request_extension": "clock_events",
    "start_consultation": "clock_events",
    "SERVICE_METHODS": "closing",
    "add_review": "closing",
    "archive": "closing",
    "choose_outcome": "closing",
    "record_review_result": "closing",
    "record_service": "closing",
    "return_for_revision": "closing",
    "review": "closing",
    "sign_off": "closing",
    "submit_for_review": "closing",
    "withdraw": "closing",
    "record_answer_notice": "defence",
    "draft": "documents",
    "issue": "documents",
    "advance": "registration",
    "assign": "registration",
    "register": "registration",
    "split": "registration",
    "void": "registration",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cases.actions.{module}"), name)
    globals()[name] = value
    return value


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
