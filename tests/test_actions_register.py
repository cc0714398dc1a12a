"""Registration (登记), day 0, the applicant, split (一事一申请), assignment, moves and void."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cases import actions
from cases.interchange.records import ApplicantData
from cases.storage.model import Applicant, Case
from cases.storage.store import Store
from cases.timing.dates import today
from tests.actions_support import D, Desk, applicant, records_of


def test_register_creates_a_numbered_case_with_clock_and_trail(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(D(2025, 9, 26), form="electronic", delivery="email")
    case = desk.case(no)
    assert (case.no, case.step, case.status) == ("2025-000001", "register", "open")
    assert (case.received, case.day0) == (D(2025, 9, 26), D(2025, 9, 26))
    # domain.md §2.2: day 0 2025-09-26 → 补正 notice by 10-13, reply by 10-30.
    assert (case.correction_notice_due, case.due) == (D(2025, 10, 13), D(2025, 10, 30))
    assert case.handler == "王承办"  # the registering handler, unless another is named
    assert (case.applicant.name, case.form, case.delivery) == ("张三", "electronic", "email")
    trail = records_of(desk.trail(no), "register")
    assert trail["no"] == (None, "2025-000001")
    assert trail["received"] == (None, "2025-09-26")
    assert trail["due"] == (None, "2025-10-30")
    assert trail["description"] == (None, "申请公开某地块房屋征收补偿方案")
    assert {r.actor for r in desk.trail(no)} == {"handler"}


@pytest.mark.parametrize(
    ("channel", "facts", "day0", "says"),
    [
        ("post_signed", {"arrived": D(2025, 3, 3), "signed": D(2025, 3, 4)}, D(2025, 3, 4), "签收"),
        ("post_ordinary", {"arrived": D(2025, 3, 3)}, D(2025, 3, 3), "尚未确认"),
        ("email", {"arrived": D(2025, 3, 3), "confirmed": D(2025, 3, 5)}, D(2025, 3, 5), "确认日"),
    ],
)
def test_day0_is_proposed_from_the_channel_and_facts(
    store: Store, channel: str, facts: dict[str, object], day0: object, says: str
) -> None:
    desk = Desk.open(store)
    case = desk.do(
        actions.register, desk.handler, channel=channel, applicant=applicant(),
        description="申请公开拆迁补偿标准", **facts,
    )  # fmt: skip
    assert case.received == day0
    basis = records_of(desk.trail(case.no), "register")["day0_basis"][1]
    assert basis is not None and says in basis and "条例第三十一条" in basis


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"channel": "pigeon"}, "channel", "提交方式“pigeon”无效"),
        ({"form": "stone"}, "form", "提供形式"),
        ({"delivery": "drone"}, "delivery", "获取方式"),
        ({"description": "  "}, "description", "申请公开的信息内容不能为空"),
        ({"received": D(2099, 1, 1)}, "received", "晚于今天"),
        ({"received": None}, "received", "须填写收到申请之日"),
        ({"applicant": applicant(name=" ")}, "applicant.name", "不能为空"),
        (
            {"applicant": ApplicantData(type="alien", name="X")},
            "applicant.type",
            "申请人类型“alien”无效",
        ),
        (
            {"applicant": ApplicantData(type="natural_person", name="X", id_type="dna")},
            "applicant.id_type",
            "证件类型",
        ),
        ({"no": " "}, "no", "案件编号不能为空"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(
    store: Store, fields: dict[str, object], field: str, says: str
) -> None:
    desk = Desk.open(store)
    details: dict[str, object] = {
        "channel": "in_person",
        "applicant": applicant(),
        "description": "申请公开征收决定",
        "received": D(2025, 3, 3),
        **fields,
    }
    refusal = desk.refuse(actions.register, desk.handler, **details)
    assert refusal.field == field and says in refusal.message


def test_a_signer_does_not_register(store: Store) -> None:
    desk = Desk.open(store)
    refusal = desk.refuse(
        actions.register, desk.signer, channel="in_person", applicant=applicant(),
        description="x", received=D(2025, 3, 3),
    )  # fmt: skip
    assert refusal.field == "role" and "登记申请" in refusal.message


def test_the_same_applicant_is_one_row_until_their_details_change(store: Store) -> None:
    desk = Desk.open(store)
    first, second = desk.register(), desk.register()
    moved = applicant()
    moved.address = "上海市崇明区堡镇1号"
    third = desk.register(who=moved)
    ids = [desk.case(no).applicant_id for no in (first, second, third)]
    assert ids[0] == ids[1] != ids[2]
    with store.session() as s:
        assert s.scalar(select(func.count(Applicant.id))) == 2


def test_split_keeps_the_first_item_and_links_the_others(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(D(2025, 3, 3), description="甲地块征收决定；乙地块补偿方案；丙路规划")
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.request_correction, desk.handler, no, items="请明确地块名称", on=D(2025, 3, 5))
    desk.do(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 10))
    parts = desk.do(
        actions.split, desk.handler, no, ["甲地块征收决定", "乙地块补偿方案", "丙路规划"]
    )
    assert [p.no for p in parts] == [f"{no}-2", f"{no}-3"]
    original = desk.case(no)
    assert original.description == "甲地块征收决定"
    assert sorted(c.no for c in original.children) == [f"{no}-2", f"{no}-3"]
    for part in parts:
        child = desk.case(part.no)
        assert child.parent_id == original.id
        assert (child.received, child.day0, child.due) == (
            original.received, original.day0, original.due,
        )  # fmt: skip
        assert child.step == "check" and child.applicant_id == original.applicant_id
        assert [c.received for c in child.corrections] == [D(2025, 3, 10)]
        assert records_of(desk.trail(part.no), "split")["parent"] == (None, no)
    trail = records_of(desk.trail(no), "split")
    assert trail["description"] == ("甲地块征收决定；乙地块补偿方案；丙路规划", "甲地块征收决定")
    assert trail["split_into"] == (None, f"{no}-2、{no}-3")


def test_split_refusals(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    one = desk.refuse(actions.split, desk.handler, no, ["只有一项"])
    assert one.field == "items" and "至少列出两项" in one.message
    empty = desk.refuse(actions.split, desk.handler, no, ["甲", " "])
    assert "第2项申请内容为空" in empty.message
    desk.to_handle(no)
    desk.do(
        actions.start_consultation, desk.handler, no, party="third_party", to="某公司",
        sent=D(2025, 3, 5),
    )  # fmt: skip
    busy = desk.refuse(actions.split, desk.handler, no, ["甲", "乙"])
    assert "已有征求意见记录" in busy.message


def test_void_keeps_the_case_and_blocks_every_action(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    handler_try = desk.refuse(actions.void, desk.handler, no, reason="错误")
    assert handler_try.field == "role"
    no_reason = desk.refuse(actions.void, desk.reviewer, no, reason=" ")
    assert no_reason.field == "void_reason"
    desk.do(actions.void, desk.admin, no, reason="误将咨询登记为申请")
    case = desk.case(no)
    assert case.voided and case.void_reason == "误将咨询登记为申请"
    assert case.voided_on == today()
    trail = records_of(desk.trail(no), "void")
    assert trail["voided"] == ("否", "是")
    assert trail["void_reason"] == (None, "误将咨询登记为申请")
    assert trail["voided_on"] == (None, today().isoformat())
    again = desk.refuse(actions.advance, desk.handler, no, "check")
    assert again.field == "voided"
    later = desk.refuse(actions.split, desk.handler, no, ["甲", "乙"])
    assert later.field == "voided" and "误将咨询登记为申请" in later.message
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 1


def test_assign_names_department_and_handler(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.advance, desk.handler, no, "assign")
    refusal = desk.refuse(actions.advance, desk.handler, no, "handle")
    assert refusal.field == "department"
    desk.do(actions.assign, desk.handler, no, department=" 长兴镇 ", handler="周承办")
    desk.do(actions.advance, desk.handler, no, "handle")
    case = desk.case(no)
    assert (case.department, case.handler, case.step) == ("长兴镇", "周承办", "handle")
    trail = records_of(desk.trail(no), "assign")
    assert trail == {"department": (None, "长兴镇"), "handler": ("王承办", "周承办")}
    signer_try = desk.refuse(actions.assign, desk.signer, no, department="堡镇")
    assert signer_try.field == "role"


def test_moves_are_audited_and_follow_the_handbook(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    skip = desk.refuse(actions.advance, desk.handler, no, "handle")
    assert skip.field == "step" and "“登记”之后不能转到“办理”" in skip.message
    desk.do(actions.advance, desk.handler, no, "check")
    assert [(r.field, r.old, r.new) for r in desk.trail(no) if r.action == "move"] == [
        ("step", "register", "check")
    ]


def test_an_unknown_case_number_is_refused(store: Store) -> None:
    desk = Desk.open(store)
    refusal = desk.refuse(actions.advance, desk.handler, "2025-999999", "check")
    assert refusal.field == "case" and "2025-999999" in refusal.message
