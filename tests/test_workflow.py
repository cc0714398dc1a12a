"""The state machine read from the handbook: actions, roles, moves, voided and archived cases.

Every action in every step for every role, the moves between steps, and the refusals of voided
and archived cases.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cases import actions
from cases.rules import workflow
from cases.rules.handbook import ACTIONS, load_handbook
from cases.storage.model import Case, User
from cases.storage.store import Store
from tests.actions_support import D, Desk

HB = load_handbook()
ROLES = [r.id for r in HB.roles]


def person(*roles: str) -> User:
    return User(username="u", display_name="测试用户", roles=" ".join(roles), active=True)


def case_at(step: str, **kw: object) -> Case:
    return Case(no="2025-000001", step=step, voided=False, **kw)


@pytest.mark.parametrize("step", [s.id for s in HB.steps])
def test_each_action_is_allowed_only_in_its_steps_and_to_its_roles(step: str) -> None:
    spec = HB.step(step)
    for action in sorted(ACTIONS):
        for role in ROLES:
            case, user = case_at(step), person(role)
            if action in spec.actions and role in spec.roles_for(action):
                assert workflow.check_action(case, user, action) == spec
                assert action in workflow.allowed_actions(case, user)
                continue
            with pytest.raises(workflow.ActionRefused) as info:
                workflow.check_action(case, user, action)
            label = HB.action_label(action)
            assert label in info.value.message
            if action not in spec.actions:
                assert info.value.field == "step"
                assert f"“{spec.name}”步骤" in info.value.message
                for where in HB.steps_allowing(action):
                    assert where.name in info.value.message
            else:
                assert info.value.field == "role"
                assert HB.role(role).name in info.value.message
            assert action not in workflow.allowed_actions(case, user)


@pytest.mark.parametrize(
    ("action", "step", "allowed", "refused"),
    [
        ("approve_extension", "handle", ["reviewer"], ["handler", "signer", "admin"]),
        ("sign_off", "sign_off", ["signer"], ["handler", "reviewer", "admin"]),
        ("review", "sign_off", ["reviewer"], ["handler", "signer", "admin"]),
        ("void", "check", ["reviewer", "admin"], ["handler", "signer"]),
    ],
)
def test_the_role_restrictions_of_the_brief(
    action: str, step: str, allowed: list[str], refused: list[str]
) -> None:
    for role in allowed:
        workflow.check_action(case_at(step), person(role), action)
    for role in refused:
        with pytest.raises(workflow.ActionRefused) as info:
            workflow.check_action(case_at(step), person(role), action)
        assert info.value.field == "role"


def test_a_user_with_several_roles_may_do_what_any_of_them_may() -> None:
    small_office = person("handler", "reviewer")
    workflow.check_action(case_at("handle"), small_office, "approve_extension")
    workflow.check_action(case_at("handle"), small_office, "choose_outcome")


def test_an_inactive_user_may_do_nothing() -> None:
    user = person(*ROLES)
    user.active = False
    with pytest.raises(workflow.ActionRefused) as info:
        workflow.check_action(case_at("handle"), user, "choose_outcome")
    assert info.value.field == "user" and "已停用" in info.value.message
    assert workflow.allowed_actions(case_at("handle"), user) == []


@pytest.mark.parametrize("step", [s.id for s in HB.steps])
def test_moves_follow_the_handbooks_next_steps(step: str) -> None:
    spec = HB.step(step)
    for target in HB.steps:
        case = case_at(step, department="区规划资源局")
        gate = spec.gate(target.id)
        if target.id in spec.next_steps and gate is None and target.id != "archive":
            assert workflow.check_move(case, person(*spec.roles), target.id) == target
            continue
        with pytest.raises(workflow.ActionRefused) as info:
            workflow.check_move(case, person(*spec.roles), target.id)
        if target.id not in spec.next_steps:
            assert "之后不能转到" in info.value.message
        elif gate is not None:
            assert HB.action_label(gate) in info.value.message


def test_the_gated_moves_are_moves_of_the_handbook() -> None:
    gated = {(s.id, target): action for s in HB.steps for target, action in s.via}
    assert gated == {
        ("draft", "sign_off"): "submit_for_review",
        ("sign_off", "serve"): "sign_off",
        ("sign_off", "draft"): "return_for_revision",
    }
    for (source, target), action in gated.items():
        assert target in HB.step(source).next_steps
        assert HB.step(source).allows(action)


def test_a_move_needs_a_role_of_the_step_being_left() -> None:
    with pytest.raises(workflow.ActionRefused) as info:
        workflow.check_move(case_at("register"), person("signer"), "check")
    assert info.value.field == "role" and "结束“登记”步骤" in info.value.message


def test_an_unknown_step_is_refused() -> None:
    with pytest.raises(workflow.ActionRefused) as info:
        workflow.check_move(case_at("register"), person("handler"), "nowhere")
    assert "没有“nowhere”这个步骤" in info.value.message


def test_leaving_assign_for_handle_needs_a_department() -> None:
    with pytest.raises(workflow.ActionRefused) as info:
        workflow.check_move(case_at("assign", department=" "), person("handler"), "handle")
    assert info.value.field == "department"


def test_a_voided_case_refuses_every_action_and_move() -> None:
    case = case_at("handle")
    case.voided, case.void_reason = True, "重复登记"
    for action in ACTIONS:
        with pytest.raises(workflow.ActionRefused) as info:
            workflow.check_action(case, person(*ROLES), action)
        assert info.value.field == "voided" and "重复登记" in info.value.message
    with pytest.raises(workflow.ActionRefused):
        workflow.check_move(case, person(*ROLES), "draft")
    assert workflow.allowed_actions(case, person(*ROLES)) == []


def test_an_archived_case_only_takes_reviews_and_suits() -> None:
    case = case_at("archive", archived_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC))
    for action in ACTIONS - {"add_review"}:
        with pytest.raises(workflow.ActionRefused) as info:
            workflow.check_action(case, person(*ROLES), action)
        assert info.value.field == "archived"
        assert "归档后只能登记复议或诉讼" in info.value.message
    workflow.check_action(case, person("handler"), "add_review")
    assert workflow.allowed_actions(case, person(*ROLES)) == ["add_review"]


def test_action_refused_carries_field_and_message() -> None:
    refusal = workflow.ActionRefused("due", "期限已过")
    assert (refusal.field, refusal.message, str(refusal)) == ("due", "期限已过", "期限已过")


def test_active_cases_leave_voided_cases_out(store: Store) -> None:
    desk = Desk.open(store)
    kept, mistaken = desk.register(D(2025, 3, 3)), desk.register(D(2025, 3, 4))
    desk.do(actions.void, desk.reviewer, mistaken, reason="同一申请登记了两次")
    with store.session() as s:
        active = s.scalars(workflow.active_cases().order_by(Case.no)).all()
        everything = s.scalars(select(Case).order_by(Case.no)).all()
    assert [c.no for c in active] == [kept]
    assert [c.no for c in everything] == [kept, mistaken]  # still in the file


def test_pending_approvals_lists_requests_not_proposals(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    desk.to_handle(no)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"],
        on=D(2025, 3, 10),
    )  # fmt: skip
    with store.session() as s:
        assert s.scalars(workflow.pending_approvals()).all() == []
    desk.do(actions.submit_for_review, desk.handler, no)
    with store.session() as s:
        waiting = s.scalars(workflow.pending_approvals()).all()
        assert [a.stage for a in waiting] == ["review"]
        assert s.scalars(workflow.pending_approvals("sign_off")).all() == []
