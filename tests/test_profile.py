"""The office profile: 崇明 defaults, validation naming the field, storage in the settings table."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from cases.office.profile import (
    DEFAULT_NUMBER_PATTERNS,
    SETTING_KEY,
    OfficeProfile,
    ProfileError,
    from_json,
    load_profile,
    save_profile,
    validate,
)
from cases.rules.handbook import LETTER_KINDS
from cases.storage.model import AuditRecord, Setting
from cases.storage.store import Store


def with_pattern(kind: str, pattern: str) -> OfficeProfile:
    patterns = dict(DEFAULT_NUMBER_PATTERNS)
    patterns[kind] = pattern
    return OfficeProfile(number_patterns=patterns)


def test_defaults_are_valid_and_cover_every_letter_kind() -> None:
    profile = OfficeProfile()
    assert validate(profile) == []
    assert set(profile.number_patterns) == LETTER_KINDS


def test_number_with_and_without_di() -> None:
    profile = OfficeProfile()
    assert profile.number("reply", 2025, 12) == "崇府信公〔2025〕第12号"
    plain = with_pattern("reply", "崇府信公〔{年}〕{号}号")
    assert validate(plain) == []
    assert plain.number("reply", 2025, 7) == "崇府信公〔2025〕7号"


def test_a_kind_with_an_empty_pattern_is_not_numbered() -> None:
    assert OfficeProfile().number("service", 2025, 3) is None


@pytest.mark.parametrize(
    ("pattern", "complaint"),
    [
        ("崇府信公〔{年}〕第号", "{号}"),
        ("崇府信公第{号}号", "{年}"),
        ("崇府信公〔{年}〕第{号}号{号}", "恰好包含一次 {号}"),
        ("崇府信公〔{year}〕第{号}号", "{year}"),
        ("崇府信公〔{年}〕第{号}号}", "花括号不配对"),
        ("崇" * 60 + "〔{年}〕第{号}号", "过长"),
    ],
)
def test_a_bad_number_pattern_is_named(pattern: str, complaint: str) -> None:
    problems = validate(with_pattern("fee", pattern))
    assert problems, pattern
    assert any("文号格式（fee）" in p and complaint in p for p in problems), problems


def test_reply_must_be_numbered() -> None:
    problems = validate(with_pattern("reply", ""))
    assert any("reply" in p and "不能为空" in p for p in problems)


def test_two_kinds_with_one_pattern_would_print_the_same_number() -> None:
    problems = validate(with_pattern("fee", DEFAULT_NUMBER_PATTERNS["reply"]))
    assert any("fee" in p and "reply" in p and "相同" in p for p in problems), problems


def test_remedy_wording_fills_body_court_and_letter_name() -> None:
    profile = OfficeProfile(reconsideration_body="上海市崇明区人民政府", court="上海铁路运输法院")
    refusal = profile.remedy(True, "答复")
    other = profile.remedy(False, "告知书")
    assert "向上海市崇明区人民政府申请行政复议" in refusal
    assert "提起行政诉讼" in refusal and "上海铁路运输法院" not in refusal  # 复议前置
    assert "上海铁路运输法院" in other and "本告知书" in other
    assert "{" not in refusal + other


def test_remedy_wording_may_only_use_known_placeholders() -> None:
    profile = OfficeProfile(remedy_other="可向{复议机关}申请复议，或向{法院}起诉，{申请人}")
    problems = validate(profile)
    assert any("救济途径（其他）" in p and "{申请人}" in p for p in problems), problems


def test_no_court_is_named_unless_the_profile_names_one() -> None:
    profile = OfficeProfile()
    assert profile.court == ""
    for code in ("disclose", "partial", "withhold_secret"):
        text = profile.remedy_for(code, "答复")
        assert "依法向人民法院提起行政诉讼" in text and "中级人民法院" not in text, code


def test_review_first_is_a_setting_with_the_refusals_by_default() -> None:
    profile = OfficeProfile()
    assert "行政复议法》第二十三条" in profile.remedy_for("withhold_process", "答复")
    assert "应当先" in profile.remedy_for("withhold_process", "答复")
    partial = profile.remedy_for("partial", "答复")
    assert "不予公开的部分" in partial and "6个月内" in partial
    assert "应当先" not in profile.remedy_for("unable_not_held", "答复")
    direct = dataclasses.replace(profile, review_first=())
    assert "应当先" not in direct.remedy_for("withhold_process", "答复")
    assert validate(dataclasses.replace(profile, review_first=("nonsense",)))


def test_units_answer_in_their_own_name_and_are_reviewed_by_the_district() -> None:
    profile = OfficeProfile()
    town = profile.unit("长兴镇")
    assert town.name == "上海市崇明区长兴镇人民政府"
    assert town.reconsideration_body == "上海市崇明区人民政府"
    assert profile.unit(None).reconsideration_body == "上海市人民政府"
    assert profile.unit("区规划资源局").name == "上海市崇明区规划和自然资源局"
    assert "向上海市崇明区人民政府申请行政复议" in profile.remedy_for("disclose", "答复", town)
    with pytest.raises(ProfileError, match="不在机关信息的答复机关名单中"):
        profile.unit("区不存在局")
    assert from_json(profile.as_json()) == profile


def test_postcode_and_required_fields() -> None:
    problems = validate(OfficeProfile(postcode="20215", issuing_body=" "))
    assert any("邮政编码" in p for p in problems)
    assert any("发文机关不能为空" in p for p in problems)


def test_missing_profile_reads_as_the_defaults(store: Store) -> None:
    with store.session() as session:
        assert load_profile(session) == OfficeProfile()


def test_save_and_load_round_trip_with_audit(store: Store) -> None:
    changed = dataclasses.replace(
        OfficeProfile(),
        issuing_body="上海市崇明区长兴镇人民政府",
        reconsideration_body="上海市崇明区人民政府",
        contact="王芳",
        phone="021-59610000",
        number_patterns={**DEFAULT_NUMBER_PATTERNS, "reply": "长府信公〔{年}〕{号}号"},
    )
    with store.transaction() as session:
        save_profile(session, changed, "管理员")
    with store.session() as session:
        assert load_profile(session) == changed
        trail = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "office_profile")
        ).all()
    fields = {r.field: (r.old, r.new) for r in trail}
    assert fields[f"{SETTING_KEY}.issuing_body"] == (
        "上海市崇明区人民政府",
        "上海市崇明区长兴镇人民政府",
    )
    assert fields[f"{SETTING_KEY}.number_patterns.reply"][1] == "长府信公〔{年}〕{号}号"
    assert f"{SETTING_KEY}.court" not in fields  # unchanged fields are not in the trail


def test_a_refused_profile_changes_nothing(store: Store) -> None:
    with pytest.raises(ProfileError, match="文号格式"), store.transaction() as session:
        save_profile(session, with_pattern("reply", "崇府信公"), "管理员")
    with store.session() as session:
        assert session.get(Setting, SETTING_KEY) is None
        assert session.scalars(select(AuditRecord)).all() == []


def test_stored_profile_missing_fields_takes_defaults(store: Store) -> None:
    with store.transaction() as session:
        session.add(
            Setting(
                key=SETTING_KEY,
                value=json.dumps(
                    {"issuing_body": "某镇", "number_patterns": {"fee": "费{年}-{号}"}}
                ),
            )
        )
    with store.session() as session:
        profile = load_profile(session)
    assert profile.issuing_body == "某镇"
    assert profile.pattern("fee") == "费{年}-{号}"
    assert profile.pattern("reply") == DEFAULT_NUMBER_PATTERNS["reply"]
    assert profile.court == OfficeProfile().court


@pytest.mark.parametrize(
    ("stored", "complaint"),
    [
        ("{not json", "JSON"),
        ("[1, 2]", "格式不对"),
        (json.dumps({"court": 5}), "管辖法院应为文字"),
    ],
)
def test_a_damaged_stored_profile_is_reported(store: Store, stored: str, complaint: str) -> None:
    with store.transaction() as session:
        session.add(Setting(key=SETTING_KEY, value=stored))
    with store.session() as session, pytest.raises(ProfileError, match=complaint):
        load_profile(session)


def test_an_office_cannot_review_its_own_reply() -> None:
    town = "上海市崇明区长兴镇人民政府"
    mistaken = dataclasses.replace(OfficeProfile(), issuing_body=town, reconsideration_body=town)
    assert any("不能是发文机关本身" in p for p in validate(mistaken))
    fixed = dataclasses.replace(mistaken, reconsideration_body="上海市崇明区人民政府")
    assert validate(fixed) == []


def test_the_bodies_a_36_5_reply_may_name_include_the_units_and_the_city_bureaus() -> None:
    names = [b.name for b in OfficeProfile().holder_choices()]
    assert names[0] == "上海市崇明区人民政府"
    assert "上海市崇明区长兴镇人民政府" in names and "上海市规划和自然资源局" in names
    assert len(names) == len(set(names))
