"""The statement, the 36(5) holder and the refusal reason: asked for with the outcome."""

from __future__ import annotations

import pytest

from cases import actions
from cases.storage.store import Store
from tests.actions_support import D, Desk
from tests.test_actions_closing import at_handle


@pytest.mark.parametrize(
    ("code", "reasons", "field"),
    [
        ("other", ["merged"], "outcome.statement"),
        ("unable_not_ours", ["other_agency"], "outcome.holder"),
    ],
)
def test_an_outcome_whose_letter_would_miss_its_text_is_refused(
    store: Store, code: str, reasons: list[str], field: str
) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    refusal = desk.refuse(
        actions.choose_outcome, desk.handler, no, code=code, reasons=reasons, on=D(2025, 3, 20)
    )
    assert refusal.field == field
    assert desk.case(no).step == "handle"  # nothing changed


def test_the_statement_is_signed_with_the_outcome_and_the_note_stays_internal(
    store: Store,
) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="unable_not_ours",
        reasons=["other_agency"], on=D(2025, 3, 20), note="内部：电话核实过",
        statement="请向该局政府信息公开工作机构提出申请。", holder="上海市规划和自然资源局",
        holder_contact="021-00000000",
    )  # fmt: skip
    desk.sign(no, D(2025, 3, 24))
    case = desk.case(no)
    assert case.outcome_statement == "请向该局政府信息公开工作机构提出申请。"
    assert (case.outcome_holder, case.outcome_holder_contact) == (
        "上海市规划和自然资源局", "021-00000000",
    )  # fmt: skip
    assert case.outcome_note == "内部：电话核实过"
