"""The whole procedure through the core API alone, from registration to archive, every outcome.

Each case is taken by the right roles, with the clock and the audit trail checked at every step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from cases import actions
from cases.rules import workflow
from cases.rules.handbook import load_handbook
from cases.storage.model import AuditRecord, User
from cases.storage.store import Store
from tests.actions_support import D, Desk

HB = load_handbook()
DAY0 = D(2025, 9, 26)  # domain.md §2.2: 补正 notice by 10-13, reply due 10-30
MOVES = {"move"}


class Walk:
    """Takes one case through the procedure and checks each action as it goes."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.no = desk.register(DAY0)
        self.expect_step("register")

    def act(self, fn: Callable[..., Any], who: User, *args: Any, **kw: Any) -> Any:
        """Do one action and check its audit records: who, which action, old → new."""
        with self.desk.store.session() as s:
            seen = s.scalar(select(func.max(AuditRecord.id))) or 0
        result = self.desk.do(fn, who, self.no, *args, **kw)
        new = [r for r in self.desk.trail(self.no) if r.id > seen]
        assert new, f"{fn.__name__} wrote no audit record"
        name = "move" if fn is actions.advance else fn.__name__
        assert {r.action for r in new} == {name}
        assert {r.actor for r in new} == {who.username}
        assert any(r.old != r.new for r in new if r.field is not None)
        return result

    def expect_step(self, step: str) -> None:
        case = self.desk.case(self.no)
        assert case.step == step
        # The handbook walk: in each step each person is offered exactly what the handbook
        # lets their roles do there.
        spec = HB.step(step)
        for user in (self.desk.handler, self.desk.reviewer, self.desk.signer, self.desk.admin):
            offered = workflow.allowed_actions(case, user)
            expected = [a for a in spec.actions if user.role_set & set(spec.roles_for(a))]
            assert offered == expected

    def move(self, step: str) -> None:
        self.act(actions.advance, self.desk.handler, step)
        self.expect_step(step)

    def expect_clock(self, status: str, due: dt.date | None) -> None:
        case = self.desk.case(self.no)
        assert (case.status, case.due) == (status, due)

    def to_handle(self) -> None:
        self.move("check")
        self.move("assign")
        self.act(actions.assign, self.desk.handler, department="区住房保障房屋管理局")
        self.move("handle")

    def sign_and_archive(self, signed: dt.date, served: dt.date) -> None:
        self.act(actions.submit_for_review, self.desk.handler)
        self.expect_step("sign_off")
        self.act(actions.review, self.desk.reviewer, comment="事实清楚，依据正确")
        self.act(actions.sign_off, self.desk.signer, on=signed)
        self.expect_step("serve")
        self.act(
            actions.record_service, self.desk.handler, method="ems", served_on=served,
            tracking_no="EA100000001CN", proof="妥投记录",
        )  # fmt: skip
        self.move("archive")
        self.act(actions.archive, self.desk.handler)
        case = self.desk.case(self.no)
        assert case.archived_at is not None and case.status == "closed"


SUBSTANTIVE = [o.code for o in HB.outcomes if o.closed_by is None]


@pytest.mark.parametrize("code", SUBSTANTIVE)
def test_every_substantive_outcome_from_registration_to_archive(store: Store, code: str) -> None:
    desk = Desk.open(store)
    walk = Walk(desk)
    walk.expect_clock("open", D(2025, 10, 30))
    if code == "unable_unclear":  # only after a correction that did not make it clear
        walk.move("check")
        walk.act(
            actions.request_correction, desk.handler, items="请明确信息名称", on=D(2025, 9, 29)
        )
        walk.expect_clock("suspended", None)
        walk.act(actions.record_correction, desk.handler, received_on=D(2025, 10, 9))
        walk.expect_clock("open", D(2025, 11, 5))  # 20 WD from the new day 0; 10-11 worked
        walk.move("assign")
        walk.act(actions.assign, desk.handler, department="区规划资源局")
        walk.move("handle")
        due = D(2025, 11, 5)
    else:
        walk.to_handle()
        due = D(2025, 10, 30)
    reason = HB.outcome(code).reasons[0].id
    if code == "unable_not_held":  # 签发前检查: 36(4) stands on a search record
        walk.act(
            actions.record_search, desk.handler, searched_on=D(2025, 10, 17),
            places="本机关档案室、收发文系统", keywords="征收补偿方案", departments="区规划资源局",
        )  # fmt: skip
    # What the letter needs beyond the reason: 其他处理-其他 says what was decided, 36(5) names
    # the body that holds the information and its contact (签发前检查).
    text = {"other": {"statement": "已转信访部门办理。"},
            "unable_not_ours": {"holder": "上海市规划和自然资源局",
                                "holder_contact": "021-23111111"}}.get(code, {})  # fmt: skip
    walk.act(
        actions.choose_outcome, desk.handler, code=code, reasons=[reason], on=D(2025, 10, 20),
        **text,
    )  # fmt: skip
    walk.expect_step("draft")
    walk.expect_clock("open", due)  # a proposal does not stop the clock
    walk.sign_and_archive(D(2025, 10, 22), D(2025, 10, 24))
    case = desk.case(walk.no)
    assert (case.outcome_code, case.outcome_on, case.outcome_reasons) == (
        code, D(2025, 10, 22), reason,
    )  # fmt: skip
    walk.expect_clock("closed", due)


def test_no_correction_from_registration_to_archive(store: Store) -> None:
    desk = Desk.open(store)
    walk = Walk(desk)
    walk.move("check")
    walk.act(
        actions.request_correction, desk.handler, items="身份证明", on=D(2025, 9, 30),
        until=D(2025, 10, 21),
    )  # fmt: skip
    walk.expect_clock("suspended", None)
    walk.act(actions.lapse_correction, desk.reviewer, reasons=["no_reply"], on=D(2025, 10, 22))
    walk.expect_step("draft")
    walk.expect_clock("closed", None)
    walk.sign_and_archive(D(2025, 10, 23), D(2025, 10, 24))
    assert desk.case(walk.no).outcome_code == "other_no_correction"


def test_fee_unpaid_from_registration_to_archive(store: Store) -> None:
    desk = Desk.open(store)
    walk = Walk(desk)
    walk.to_handle()
    walk.act(actions.fee_notice, desk.handler, method="per_page", pages=120, on=D(2025, 10, 9))
    walk.expect_clock("suspended", None)
    walk.act(actions.lapse_fee, desk.handler, reasons=["not_paid"], on=D(2025, 11, 7))
    walk.expect_step("draft")
    walk.sign_and_archive(D(2025, 11, 10), D(2025, 11, 11))
    case = desk.case(walk.no)
    assert (case.outcome_code, case.outcome_on) == ("other_fee_unpaid", D(2025, 11, 7))


def test_withdrawn_from_registration_to_archive(store: Store) -> None:
    desk = Desk.open(store)
    walk = Walk(desk)
    walk.move("check")
    walk.act(actions.withdraw, desk.handler, reasons=["recorded"], on=D(2025, 9, 29))
    walk.expect_step("draft")
    walk.expect_clock("closed", D(2025, 10, 30))
    walk.sign_and_archive(D(2025, 9, 30), D(2025, 10, 9))
    assert desk.case(walk.no).outcome_code == "other_withdrawn"


def test_a_case_with_every_clock_event_on_the_way(store: Store) -> None:
    desk = Desk.open(store)
    walk = Walk(desk)
    walk.to_handle()
    walk.act(
        actions.start_consultation, desk.handler, party="agency", to="区财政局",
        sent=D(2025, 10, 9),
    )  # fmt: skip
    walk.act(actions.end_consultation, desk.handler, replied=D(2025, 10, 14), opinion="同意公开")
    walk.expect_clock("open", D(2025, 11, 5))  # 10-10..10-14 excluded: 4 WD (Sat 10-11 worked)
    walk.act(actions.fee_notice, desk.handler, method="per_page", pages=35, on=D(2025, 10, 15))
    walk.act(actions.record_payment, desk.handler, paid_on=D(2025, 10, 16))
    walk.expect_clock("open", D(2025, 11, 6))  # one more day, 10-16, waiting for payment
    walk.act(actions.request_extension, desk.handler, reason="需调取档案", on=D(2025, 11, 3))
    walk.act(actions.approve_extension, desk.reviewer, on=D(2025, 11, 4))
    notice = desk.do(actions.draft, desk.handler, walk.no, "extension")  # told before the due
    desk.do(actions.issue, desk.reviewer, notice.id, on=D(2025, 11, 4))
    walk.expect_clock("open", D(2025, 12, 4))
    walk.act(
        actions.delay, desk.reviewer, due=D(2025, 12, 31), reason="申请数量明显超过合理范围",
        on=D(2025, 11, 20),
    )  # fmt: skip
    walk.expect_clock("open", D(2025, 12, 31))
    walk.act(
        actions.choose_outcome, desk.handler, code="disclose", reasons=["attached"],
        on=D(2025, 12, 29),
    )  # fmt: skip
    walk.sign_and_archive(D(2025, 12, 30), D(2025, 12, 31))
    walk.expect_clock("closed", D(2025, 12, 31))
    walk.act(actions.add_review, desk.handler, kind="litigation_direct", filed=D(2026, 2, 2))
    assert [r.kind for r in desk.case(walk.no).reviews] == ["litigation_direct"]
