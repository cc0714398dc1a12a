"""The office profile (机关信息): issuing body, number patterns, remedy wording, contacts."""

# Kept as one JSON object in the settings table under the key "office_profile". The defaults are
# those of 上海市崇明区人民政府 (domain.md §6 and §8); an office edits them once when it installs.

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cases import audit
from cases.errors import Refused
from cases.handbook import LETTER_KINDS
from cases.model import Setting

SETTING_KEY = "office_profile"

YEAR = "{年}"
SEQ = "{号}"
NUMBER_MAX = 64  # letters.number is String(64)

# The placeholders the remedy wording may use; filled with plain text replacement, never with
# str.format or a template engine, because the wording is typed by an administrator.
REMEDY_BODY = "{复议机关}"
REMEDY_COURT = "{法院}"
REMEDY_DOC = "{文书}"
REMEDY_FIELDS = (REMEDY_BODY, REMEDY_COURT, REMEDY_DOC)

# Decision: every kind has its own sequence (domain.md §6), so each kind also has its own
# pattern; two kinds with the same pattern would print the same number twice. The reply keeps
# the example of domain.md §6 exactly. The 送达回证 carries the number of the letter it proves,
# not one of its own: an empty pattern means "not numbered".
DEFAULT_NUMBER_PATTERNS: dict[str, str] = {
    "receipt": "崇府信公收〔{年}〕第{号}号",
    "correction": "崇府信公补〔{年}〕第{号}号",
    "extension": "崇府信公延〔{年}〕第{号}号",
    "consultation": "崇府信公征〔{年}〕第{号}号",
    "agency_consultation": "崇府信公函〔{年}〕第{号}号",
    "third_party_notice": "崇府信公告〔{年}〕第{号}号",
    "reasons": "崇府信公理〔{年}〕第{号}号",
    "fee": "崇府信公费〔{年}〕第{号}号",
    "reply": "崇府信公〔{年}〕第{号}号",
    "service": "",
}

# 行政复议法 (2023) 第二十三条: a refusal to disclose must go to review before any suit
# (复议前置); 行政诉讼法 第四十五条 gives 15 days to sue after the review decision.
DEFAULT_REMEDY_REFUSAL = (
    "如对本{文书}不服，可以自收到本{文书}之日起60日内向{复议机关}申请行政复议；"
    "对行政复议决定不服的，可以自收到行政复议决定书之日起15日内依法向人民法院提起行政诉讼。"
)
DEFAULT_REMEDY_OTHER = (
    "如对本{文书}不服，可以自收到本{文书}之日起60日内向{复议机关}申请行政复议，"
    "或者自收到本{文书}之日起6个月内向{法院}提起行政诉讼。"
)

LABELS: dict[str, str] = {
    "issuing_body": "发文机关",
    "number_patterns": "文号格式",
    "address": "机关地址",
    "postcode": "邮政编码",
    "contact": "联系人",
    "phone": "联系电话",
    "reconsideration_body": "行政复议机关",
    "court": "管辖法院",
    "remedy_refusal": "救济途径（不予公开）",
    "remedy_other": "救济途径（其他）",
    "signer_title": "负责人职务",
    "fee_payment": "缴费方式",
}


class ProfileError(Refused):
    """The profile cannot be used; the message names the field and what is wrong, in Chinese."""

    def __init__(self, message: str, field: str = "profile") -> None:
        super().__init__(field, message)


@dataclass(frozen=True)
class OfficeProfile:
    """Everything a letter needs to know about the office that sends it."""

    issuing_body: str = "上海市崇明区人民政府"
    number_patterns: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_NUMBER_PATTERNS)
    )
    address: str = "上海市崇明区城桥镇人民路68号"
    postcode: str = "202150"
    contact: str = ""
    phone: str = ""
    # The district government's own replies go to the city government (domain.md §8); an office
    # of a department or town changes this to 上海市崇明区人民政府.
    reconsideration_body: str = "上海市人民政府"
    # Shanghai concentrates first-instance suits against a district government in this court.
    court: str = "上海市第三中级人民法院"
    remedy_refusal: str = DEFAULT_REMEDY_REFUSAL
    remedy_other: str = DEFAULT_REMEDY_OTHER
    # Who approves an extension (条例 33: 政府信息公开工作机构负责人); named in that letter.
    signer_title: str = "政府信息公开工作机构负责人"
    fee_payment: str = "请持本通知到本机关指定的缴费地点缴纳，或者按本机关告知的账户转账缴纳"

    def pattern(self, kind: str) -> str:
        return self.number_patterns.get(kind, "")

    def number(self, kind: str, year: int, seq: int) -> str | None:
        """The printed number, e.g. 崇府信公〔2025〕第12号; None for a kind that is not numbered."""
        pattern = self.pattern(kind)
        if not pattern:
            return None
        return pattern.replace(YEAR, str(year)).replace(SEQ, str(seq))

    def remedy(self, refusal: bool, document: str) -> str:
        """The remedy paragraph; `document` is how the letter calls itself (答复, 告知, 决定)."""
        wording = self.remedy_refusal if refusal else self.remedy_other
        return (
            wording.replace(REMEDY_BODY, self.reconsideration_body)
            .replace(REMEDY_COURT, self.court)
            .replace(REMEDY_DOC, document)
        )

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["number_patterns"] = dict(self.number_patterns)
        return data


_TEXT_FIELDS = tuple(
    f.name for f in dataclasses.fields(OfficeProfile) if f.name != "number_patterns"
)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _pattern_problems(kind: str, pattern: str) -> list[str]:
    where = f"{LABELS['number_patterns']}（{kind}）“{pattern}”"
    problems: list[str] = []
    if not pattern:
        if kind == "reply":
            problems.append(f"{LABELS['number_patterns']}（reply）不能为空：答复书必须编号")
        return problems
    for name in _PLACEHOLDER.findall(pattern):
        if name not in (YEAR, SEQ):
            problems.append(f"{where}只能使用 {YEAR} 和 {SEQ}，不能使用 {name}")
    leftover = _PLACEHOLDER.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        problems.append(f"{where}的花括号不配对")
    for required in (YEAR, SEQ):
        count = pattern.count(required)
        if count != 1:
            problems.append(f"{where}必须恰好包含一次 {required}（现有 {count} 次）")
    widest = pattern.replace(YEAR, "9999").replace(SEQ, "99999")
    if len(widest) > NUMBER_MAX:
        problems.append(f"{where}过长：文号不能超过{NUMBER_MAX}个字符")
    return problems


def _remedy_problems(name: str, wording: str, profile: OfficeProfile) -> list[str]:
    label = LABELS[name]
    problems: list[str] = []
    if not wording.strip():
        return [f"{label}不能为空"]
    for placeholder in _PLACEHOLDER.findall(wording):
        if placeholder not in REMEDY_FIELDS:
            allowed = "、".join(REMEDY_FIELDS)
            problems.append(f"{label}只能使用 {allowed}，不能使用 {placeholder}")
    if REMEDY_COURT in wording and not profile.court.strip():
        problems.append(f"{label}写到了 {REMEDY_COURT}，但{LABELS['court']}未填写")
    return problems


def validate(profile: OfficeProfile) -> list[str]:
    """Every problem of the profile, each naming its field; an empty list means usable."""
    problems: list[str] = []
    for name in _TEXT_FIELDS:
        if not isinstance(getattr(profile, name), str):
            problems.append(f"{LABELS[name]}应为文字")
    if problems:
        return problems
    for name in ("issuing_body", "reconsideration_body"):
        if not getattr(profile, name).strip():
            problems.append(f"{LABELS[name]}不能为空")
    body = profile.issuing_body.strip()
    if body and profile.reconsideration_body.strip() == body:
        problems.append(
            f"{LABELS['reconsideration_body']}不能是发文机关本身（{body}）：部门和镇、乡的答复由区政府"
            "复议，区政府自己的答复由市政府复议"
        )
    if profile.postcode and not re.fullmatch(r"\d{6}", profile.postcode):
        problems.append(f"{LABELS['postcode']}“{profile.postcode}”应为6位数字")
    unknown = sorted(set(profile.number_patterns) - LETTER_KINDS)
    if unknown:
        problems.append(f"{LABELS['number_patterns']}中有不认识的文书种类：{'、'.join(unknown)}")
    seen: dict[str, str] = {}
    for kind in sorted(LETTER_KINDS):
        pattern: object = profile.number_patterns.get(kind, "")  # stored JSON may hold anything
        if not isinstance(pattern, str):
            problems.append(f"{LABELS['number_patterns']}（{kind}）应为文字")
            continue
        problems.extend(_pattern_problems(kind, pattern))
        if pattern and pattern in seen:
            problems.append(
                f"{LABELS['number_patterns']}：{seen[pattern]} 和 {kind} 使用了相同的格式"
                f"“{pattern}”，两类文书会出现相同的文号"
            )
        seen.setdefault(pattern, kind)
    problems.extend(_remedy_problems("remedy_refusal", profile.remedy_refusal, profile))
    problems.extend(_remedy_problems("remedy_other", profile.remedy_other, profile))
    return problems


def from_json(data: Mapping[str, Any]) -> OfficeProfile:
    """A profile from stored JSON: missing fields and kinds take the defaults."""
    defaults = OfficeProfile()
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = data.get(name, getattr(defaults, name))
        if not isinstance(value, str):
            raise ProfileError(f"{LABELS[name]}应为文字，而保存的是 {value!r}")
        values[name] = value
    patterns = data.get("number_patterns", {})
    if not isinstance(patterns, Mapping):
        raise ProfileError(f"{LABELS['number_patterns']}应为按文书种类列出的格式")
    merged = dict(DEFAULT_NUMBER_PATTERNS)
    merged.update(patterns)
    return OfficeProfile(number_patterns=merged, **values)


def load_profile(session: Session) -> OfficeProfile:
    """The office's profile, or the 崇明 defaults when none was saved."""
    row = session.get(Setting, SETTING_KEY)
    if row is None:
        return OfficeProfile()
    try:
        data = json.loads(row.value)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"保存的机关信息不是有效的 JSON：{exc}") from exc
    if not isinstance(data, Mapping):
        raise ProfileError("保存的机关信息格式不对：应为一组字段")
    return from_json(data)


def save_profile(session: Session, profile: OfficeProfile, actor: str) -> OfficeProfile:
    """Validate and store the profile in the caller's transaction, auditing each changed field.

    A profile with any problem is refused as a whole and nothing is written.
    """
    problems = validate(profile)
    if problems:
        raise ProfileError("；".join(problems))
    old = load_profile(session).as_json()
    new = profile.as_json()
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in new.items():
        if name == "number_patterns":
            for kind in sorted(value):
                before = old["number_patterns"].get(kind)
                if before != value[kind]:
                    changes[f"{SETTING_KEY}.number_patterns.{kind}"] = (before, value[kind])
        elif old[name] != value:
            changes[f"{SETTING_KEY}.{name}"] = (old[name], value)
    text = json.dumps(new, ensure_ascii=False, sort_keys=True)
    row = session.get(Setting, SETTING_KEY)
    if row is None:
        session.add(Setting(key=SETTING_KEY, value=text))
    else:
        row.value = text
    if changes:
        audit.record(session, None, actor, "office_profile", changes)
    return profile
