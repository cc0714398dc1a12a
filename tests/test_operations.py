"""Every action of the procedure as one operation: refused for the wrong step and the wrong role
with its message and nothing written; a Result whose Changes match what it wrote; warnings
returned, not raised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from cases import actions
from cases.result import Notice, Result
from cases.rules.handbook import ACTIONS
from cases.rules.workflow import handbook
from cases.storage.store import Store
from tests.actions_support import DAY0, Desk, applicant

D = dt.date
LATER = D(2025, 3, 20)

# Each action with arguments of the right shape: the step and role are checked before them.
CALLS: dict[str, tuple[Callable[..., Result[Any]], dict[str, Any]]] = {
    "split": (actions.split, {"items": ["甲", "乙"]}),
    "void": (actions.void, {"reason": "误登记"}),
    "request_correction": (actions.request_correction, {"items": "身份证明"}),
    "record_correction": (actions.record_correction, {"received_on": LATER}),
    "lapse_correction": (actions.lapse_correction, {"reasons": ["none"]}),
    "start_consultation": (actions.start_consultation, {"party": "third_party", "to": "某公司"}),
    "end_consultation": (actions.end_consultation, {"replied": LATER}),
    "request_extension": (actions.request_extension, {"reason": "需要检索档案"}),
    "approve_extension": (actions.approve_extension, {}),
    "fee_notice": (actions.fee_notice, {"method": "per_item"}),
    "record_payment": (actions.record_payment, {"paid_on": LATER}),
    "lapse_fee": (actions.lapse_fee, {"reasons": ["none"]}),
    "delay": (actions.delay, {"due": D(2025, 6, 1), "reason": "申请数量明显超过合理范围"}),
    "choose_outcome": (actions.choose_outcome, {"code": "disclose", "reasons": ["attached"]}),
    "submit_for_review": (actions.submit_for_review, {}),
    "review": (actions.review, {}),
    "sign_off": (actions.sign_off, {}),
    "return_for_revision": (actions.return_for_revision, {"comment": "请修改"}),
    "record_service": (actions.record_service, {"method": "post", "served_on": LATER}),
    "archive": (actions.archive, {}),
    "withdraw": (actions.withdraw, {"reasons": ["none"]}),
    "add_review": (actions.add_review, {"kind": "reconsideration", "filed": LATER}),
    "record_search": (
        actions.record_search,
        {"searched_on": LATER, "places": "档案室", "keywords": "补偿方案"},
    ),
    "override_check": (actions.override_check, {"rule": "late_reply", "reason": "已核实"}),
}


def test_every_action_of_the_handbook_is_called_here() -> None:
    # register has no case yet and is tested on its own below.
    assert set(CALLS) | {"register"} == set(ACTIONS)


def case_in(desk: Desk, step: str) -> str:
    """A case brought through the procedure to `step` by the actions themselves."""
    no = desk.register()
    order = ["register", "check", "assign", "handle", "draft", "sign_off", "serve", "archive"]
    if order.index(step) >= order.index("handle"):
        desk.to_handle(no)
    elif order.index(step) >= order.index("check"):
        desk.do(actions.advance, desk.handler, no, "check")
        if step == "assign":
            desk.do(actions.advance, desk.handler, no, "assign")
    if order.index(step) >= order.index("draft"):
        desk.do(actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"])
    if order.index(step) >= order.index("sign_off"):
        desk.do(actions.submit_for_review, desk.handler, no)
    if order.index(step) >= order.index("serve"):
        desk.do(actions.review, desk.reviewer, no)
        desk.do(actions.sign_off, desk.signer, no, on=DAY0)
    if step == "archive":
        desk.do(actions.record_service, desk.handler, no, method="post", served_on=DAY0)
        desk.do(actions.advance, desk.handler, no, "archive")
    assert desk.case(no).step == step
    return no


@pytest.mark.parametrize("action", sorted(CALLS))
def test_wrong_step_is_refused_naming_the_step(store: Store, action: str) -> None:
    desk = Desk.open(store)
    fn, kwargs = CALLS[action]
    book = handbook()
    step = next(s for s in book.steps if not s.allows(action) and s.id != "archive")
    no = case_in(desk, step.id)
    actor = next(
        u
        for u in (desk.handler, desk.reviewer, desk.signer, desk.admin)
        if u.role_set & set(step.roles)
    )
    refusal = desk.refuse(fn, actor, no, **kwargs)
    label = book.action_label(action)
    assert refusal.field == "step"
    assert refusal.message.startswith(f"案件{no}处于“{step.name}”步骤，不能{label}；")


@pytest.mark.parametrize("action", sorted(CALLS))
def test_wrong_role_is_refused_naming_the_role(store: Store, action: str) -> None:
    desk = Desk.open(store)
    fn, kwargs = CALLS[action]
    book = handbook()
    step = book.steps_allowing(action)[0]
    no = case_in(desk, step.id)
    allowed = set(step.roles_for(action))
    actor = next(
        u
        for u in (desk.admin, desk.signer, desk.handler, desk.reviewer)
        if not u.role_set & allowed
    )
    refusal = desk.refuse(fn, actor, no, **kwargs)
    label = book.action_label(action)
    assert refusal.field == "role"
    assert refusal.message.startswith(f"{label}需要")
    assert actor.display_name in refusal.message


def test_register_is_refused_for_a_role_that_does_not_register(store: Store) -> None:
    desk = Desk.open(store)
    refusal = desk.refuse(
        actions.register, desk.signer, channel="in_person", applicant=applicant(),
        description="申请公开某文件", received=DAY0,
    )  # fmt: skip
    assert refusal.field == "role"
    assert refusal.message.startswith("登记申请需要")


def test_register_and_split_add_to_the_lists(store: Store) -> None:
    desk = Desk.open(store)
    registered = desk.run(
        actions.register, desk.handler, channel="in_person", applicant=applicant(),
        description="申请公开某文件", received=DAY0,
    )  # fmt: skip
    assert registered.changes.case_list
    assert registered.changes.cases == {registered.value.id}
    no = registered.value.no
    split = desk.run(actions.split, desk.handler, no, ["甲", "乙", "丙"])
    assert split.changes.case_list
    assert split.changes.cases == {registered.value.id, *(c.id for c in split.value)}


def test_a_change_no_list_filters_on_keeps_the_lists(store: Store) -> None:
    desk = Desk.open(store)
    no = case_in(desk, "handle")
    asked = desk.run(actions.request_extension, desk.handler, no, reason="需要检索档案", on=LATER)
    # A request waiting for approval moves neither the step, the status nor the due date.
    assert not asked.changes.case_list
    assert asked.changes.cases == {desk.case(no).id}


def test_a_late_correction_notice_is_a_warning_not_a_refusal(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    desk.do(actions.advance, desk.handler, no, "check")
    late = desk.run(actions.request_correction, desk.handler, no, items="身份证明", on=LATER)
    assert late.value.notice == LATER
    (warning,) = late.warnings
    assert isinstance(warning, Notice)
    assert warning.field == "correction.notice"
    assert "晚于法定期限（2025年3月12日）" in warning.message
    assert late.changes.case_list  # suspended: the case leaves the running lists

    on_time = desk.register()
    desk.do(actions.advance, desk.handler, on_time, "check")
    prompt = desk.run(
        actions.request_correction, desk.handler, on_time, items="身份证明", on=D(2025, 3, 5)
    )
    assert prompt.warnings == ()
