"""Repeats, volume and the crowd: earlier requests of the same applicant, the month, 条例 44."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cases import actions
from cases.actions.settings import change_setting
from cases.assist import repeats, similar
from cases.storage.store import Store
from tests.actions_support import DAY0, Desk, applicant

D = dt.date
REQUEST = "申请公开长兴镇凤凰村2019年征收项目的房屋征收补偿方案及补偿标准"


def report(desk: Desk, no: str) -> repeats.RepeatReport:
    with desk.store.session() as s:
        return repeats.find_repeats(s, actions.load_case(s, no))


def answered(desk: Desk, description: str = REQUEST, **who: str | None) -> str:
    person = dataclasses.replace(applicant(), **who)
    no = desk.register(DAY0, who=person, description=description)
    desk.to_handle(no)
    desk.close(no, "disclose", ["attached"], D(2025, 3, 20), D(2025, 3, 21))
    return no


def later(desk: Desk, description: str = REQUEST, **who: str | None) -> str:
    person = dataclasses.replace(applicant(), **who)
    return desk.register(D(2025, 5, 6), who=person, description=description)


def test_the_same_id_number_under_another_name_is_found(store: Store) -> None:
    desk = Desk.open(store)
    first = answered(desk)
    no = later(desk, name="张叁", phone="13900000000", address="上海市崇明区堡镇某路2号")
    found = report(desk, no)
    assert [e.found.no for e in found.earlier] == [first]
    assert found.earlier[0].matched_by == ("证件号码相同",)
    assert found.suggestion is not None and found.suggestion.code == "reject_repeat"
    assert found.suggestion.ground.found.no == first
    assert "第三十六条第（六）项" in found.suggestion.explanation
    assert "由承办人决定" in found.suggestion.explanation


def test_a_relative_sharing_the_phone_is_found(store: Store) -> None:
    desk = Desk.open(store)
    first = answered(desk)
    no = later(
        desk, name="李四", id_number="31023019820202123X", phone="13800000000",
        address="上海市崇明区堡镇某路2号",
    )  # fmt: skip
    [earlier] = report(desk, no).earlier
    assert (earlier.found.no, earlier.matched_by) == (first, ("联系电话相同",))
    assert "联系电话相同" in earlier.why and "相似度" in earlier.why


def test_the_same_request_in_other_words_is_found(store: Store) -> None:
    desk = Desk.open(store)
    first = answered(desk)
    reworded = "请公开长兴镇凤凰村2019年征收项目的房屋征收补偿方案和补偿标准。"
    assert similar.similarity(REQUEST, reworded) >= similar.SAME_REQUEST
    no = later(desk, description=reworded)
    [earlier] = report(desk, no).earlier
    assert earlier.found.no == first
    assert set(earlier.matched_by) >= {"证件号码相同", "姓名（名称）相同"}


def test_a_different_request_of_the_same_applicant_is_not_a_repeat(store: Store) -> None:
    desk = Desk.open(store)
    answered(desk)
    no = later(desk, description="申请公开2024年度本区义务教育阶段学校招生计划及划片范围")
    found = report(desk, no)
    assert found.earlier == () and found.suggestion is None


def test_the_same_request_by_a_stranger_is_not_a_repeat(store: Store) -> None:
    desk = Desk.open(store)
    answered(desk)
    no = later(
        desk, name="王五", id_number="310230199003031234", phone="13700000000",
        address="上海市崇明区新河镇某路3号",
    )  # fmt: skip
    assert report(desk, no).earlier == ()


def test_an_earlier_case_not_yet_answered_is_shown_but_not_offered_as_ground(
    store: Store,
) -> None:
    desk = Desk.open(store)
    first = desk.register(DAY0, description=REQUEST)
    no = later(desk)
    found = report(desk, no)
    assert [e.found.no for e in found.earlier] == [first]
    assert found.suggestion is None


def test_the_month_gives_the_fee_tier_and_the_article_35_warning(store: Store) -> None:
    desk = Desk.open(store)
    numbers = [
        desk.register(D(2025, 3, 3 + i % 20), description=f"申请公开第{i}号文件") for i in range(12)
    ]
    found = report(desk, numbers[-1])
    assert found.month.position == 12
    assert found.month.fee.amount == 100
    assert found.month.excessive and "条例第三十五条" in found.month.explanation
    assert "第12件" in found.month.explanation
    tenth = report(desk, numbers[9])
    assert tenth.month.fee.amount == 0 and not tenth.month.excessive
    desk.do(change_setting, desk.admin, repeats.EXCESSIVE_KEY, 20)
    assert not report(desk, numbers[-1]).month.excessive


def test_several_applicants_asking_the_same_suggest_proactive_disclosure(store: Store) -> None:
    desk = Desk.open(store)
    people = [
        ("张三", "310230198001011234", "13800000000", "上海市崇明区城桥镇人民路1号"),
        ("李四", "31023019820202123X", "13900000000", "上海市崇明区堡镇某路2号"),
        ("王五", "310230199003031234", "13700000000", "上海市崇明区新河镇某路3号"),
    ]
    numbers = [later(desk, name=n, id_number=i, phone=p, address=a) for n, i, p, a in people]
    other = later(desk, description="申请公开2024年度本区义务教育阶段学校招生计划及划片范围")
    found = report(desk, numbers[-1])
    assert {f.no for f in found.crowd} == set(numbers[:2])
    assert found.crowd_suggestion is not None and "条例第四十四条" in found.crowd_suggestion
    with desk.store.session() as s:
        page = repeats.proactive_candidates(s, since=D(2025, 1, 1))
    [group] = page
    assert [no for _, no in group.cases] == numbers and group.applicants == 3
    assert other not in [no for _, no in group.cases]
    with desk.store.session() as s:
        assert repeats.proactive_candidates(s, since=D(2025, 1, 1), minimum=4) == []


def test_registration_says_at_once_that_the_applicant_asked_before(store: Store) -> None:
    desk = Desk.open(store)
    first = answered(desk)
    person = dataclasses.replace(applicant(), name="张叁")
    result = desk.run(
        actions.register, desk.handler, applicant=person, received=D(2025, 5, 6),
        channel="in_person", description=REQUEST,
    )  # fmt: skip
    # Other warnings may come too (an ID check character, say); the repeat is said exactly once.
    earlier = [n for n in result.warnings if n.field == "repeats.earlier"]
    assert len(earlier) == 1, result.warnings
    assert first in earlier[0].message
    assert result.value.outcome_code is None  # said, not applied


def test_the_proactive_page_groups_reworded_requests_but_not_another_village(
    store: Store,
) -> None:
    desk = Desk.open(store)
    people = [
        ("张三", "310230198001011234", "13800000000", "上海市崇明区城桥镇人民路1号"),
        ("李四", "31023019820202123X", "13900000000", "上海市崇明区堡镇某路2号"),
        ("王五", "310230199003031234", "13700000000", "上海市崇明区新河镇某路3号"),
        ("赵六", "310230198504041234", "13600000000", "上海市崇明区庙镇某路4号"),
    ]
    wordings = [
        REQUEST,
        "请公开长兴镇凤凰村2019年征收项目的房屋征收补偿方案和补偿标准。",
        "长兴镇凤凰村2019年征收项目的房屋征收补偿方案及补偿标准，用于维护本人合法权益",
    ]
    asked = [
        later(desk, description=w, name=n, id_number=i, phone=p, address=a)
        for w, (n, i, p, a) in zip(wordings, people, strict=False)
    ]
    n, i, p, a = people[3]
    elsewhere = later(
        desk, description=REQUEST.replace("凤凰村", "东风村"), name=n, id_number=i, phone=p,
        address=a,
    )  # fmt: skip
    other_year = later(desk, description=REQUEST.replace("2019", "2020"))
    with desk.store.session() as s:
        page = repeats.proactive_candidates(s, since=D(2025, 1, 1))
    [group] = page
    assert [no for _, no in group.cases] == asked
    assert group.applicants == 3 and group.wordings == 3
    assert elsewhere not in [no for _, no in group.cases]
    assert other_year not in [no for _, no in group.cases]


def test_the_same_request_test_refuses_a_name_put_in_the_place_of_another() -> None:
    reworded = "请公开长兴镇凤凰村2019年征收项目的房屋征收补偿方案和补偿标准。"
    assert similar.same_request(REQUEST, reworded)
    assert similar.same_request(REQUEST, "凤凰村2019年征收项目的房屋征收补偿方案及补偿标准")
    village = REQUEST.replace("凤凰村", "东风村")
    assert similar.similarity(REQUEST, village) >= similar.SAME_REQUEST
    assert similar.names_other(REQUEST, village) and not similar.same_request(REQUEST, village)
    assert not similar.same_request(REQUEST, REQUEST.replace("凤凰村", "凤鸣村"))
    assert not similar.same_request(REQUEST, REQUEST.replace("2019", "2020"))


def test_grouping_keeps_each_group_around_its_leader() -> None:
    texts = [
        "申请公开凤凰村征收补偿方案",
        "凤凰村征收补偿方案",
        "申请公开东风村征收补偿方案",
        "请提供东风村征收补偿方案",
        "申请公开学校招生计划",
    ]
    assert similar.group_same_requests(texts) == [[0, 1], [2, 3], [4]]
    assert similar.group_same_requests([]) == []


def test_a_long_list_of_earlier_requests_keeps_the_earliest_answer_as_ground(
    store: Store,
) -> None:
    desk = Desk.open(store)
    first = answered(desk)
    again = [
        desk.register(D(2025, 4, 1 + i), description=REQUEST)
        for i in range(repeats.EARLIER_SHOWN + 2)
    ]
    found = report(desk, later(desk))
    assert len(found.earlier) == repeats.EARLIER_SHOWN + 1
    assert {e.found.no for e in found.earlier[:-1]} <= set(again)
    assert found.suggestion is not None and found.suggestion.ground.found.no == first
