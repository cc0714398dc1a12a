"""The office profile (机关信息): issuing body, number patterns, remedy wording, contacts."""

# Kept as one JSON object in the settings table under the key "office_profile". The defaults are
# those of 上海市崇明区人民政府 (domain.md §6 and §8); an office edits them once when it installs.

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cases.errors import Refused
from cases.office.units import (
    DISTRICT_SHORT,
    Body,
    Unit,
    body_from_json,
    default_directory,
    default_units,
    unit_from_json,
)
from cases.rules.handbook import LETTER_KINDS, OUTCOME_CODES, Remedies, load_handbook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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

# The remedy wording, the outcomes that go to review first (复议前置) and the days to give
# reasons are law and the product's decisions: their defaults are handbook data (remedies.yaml,
# outcomes.yaml's refusals, periods.yaml's reasons_answer), copied into a new profile.
NO_COURT = "人民法院"


def _remedies() -> Remedies:
    return load_handbook().remedy_defaults()


def _default_review_first() -> tuple[str, ...]:
    """The refusals of outcomes.yaml: 不予公开 and the withheld part of 部分公开."""
    return tuple(o.code for o in load_handbook().outcomes if o.refusal)


def _default_reasons_answer_days() -> int:
    return load_handbook().days("reasons_answer")


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
    "remedy_partial": "救济途径（部分公开）",
    "review_first": "须先申请行政复议的办理结果",
    "own_short": "本机关简称",
    "units": "答复机关",
    "directory": "其他机关名录",
    "reasons_answer_days": "说明理由的期限（工作日）",
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
    # No court by default: which court has jurisdiction depends on the defendant and the case,
    # so the letter says 依法向人民法院提起行政诉讼 unless the office names one here.
    court: str = ""
    remedy_refusal: str = field(default_factory=lambda: _remedies().refusal)
    remedy_other: str = field(default_factory=lambda: _remedies().other)
    remedy_partial: str = field(default_factory=lambda: _remedies().partial)
    # Who approves an extension (条例 33: 政府信息公开工作机构负责人); named in that letter.
    signer_title: str = "政府信息公开工作机构负责人"
    fee_payment: str = "请持本通知到本机关指定的缴费地点缴纳，或者按本机关告知的账户转账缴纳"
    # The office's own body (issuing_body above) under its short name, and the other units
    # that answer in their own name (答复机关).
    own_short: str = DISTRICT_SHORT
    units: tuple[Unit, ...] = field(default_factory=default_units)
    directory: tuple[Body, ...] = field(default_factory=default_directory)
    review_first: tuple[str, ...] = field(default_factory=_default_review_first)
    reasons_answer_days: int = field(default_factory=_default_reasons_answer_days)

    def pattern(self, kind: str) -> str:
        return self.number_patterns.get(kind, "")

    def number(self, kind: str, year: int, seq: int) -> str | None:
        """The printed number, e.g. 崇府信公〔2025〕第12号; None for a kind that is not numbered."""
        pattern = self.pattern(kind)
        if not pattern:
            return None
        return pattern.replace(YEAR, str(year)).replace(SEQ, str(seq))

    def own_unit(self) -> Unit:
        """The office's own body as a unit: its name, address and reconsideration body."""
        return Unit(
            short=self.own_short,
            name=self.issuing_body,
            reconsideration_body=self.reconsideration_body,
            address=self.address,
            postcode=self.postcode,
            contact=self.contact,
            phone=self.phone,
        )

    def unit(self, short: str | None) -> Unit:
        """The answering body of that short name; None or "" is the office's own body."""
        if not short or short == self.own_short or short == self.issuing_body:
            return self.own_unit()
        for unit in self.other_units():
            if short in (unit.short, unit.name):
                return unit
        known = "、".join(self.unit_names())
        raise ProfileError(f"答复机关“{short}”不在机关信息的答复机关名单中；可选：{known}")

    def other_units(self) -> tuple[Unit, ...]:
        """The units besides the office's own body (a town's office may list itself too)."""
        return tuple(u for u in self.units if u.name != self.issuing_body)

    def holder_choices(self) -> tuple[Body, ...]:
        """The bodies a 条例 36(5) reply may name: the office's units, then the directory."""
        units = tuple(Body(u.name, u.phone) for u in (self.own_unit(), *self.other_units()))
        return units + tuple(self.directory)

    def unit_names(self) -> tuple[str, ...]:
        return (self.own_short, *(u.short for u in self.other_units()))

    def remedy_wording(self, code: str | None, *, refusal: bool = False) -> str:
        """The wording for an outcome: 复议前置 when the code is in review_first."""
        if code is None:
            return self.remedy_refusal if refusal else self.remedy_other
        if code in self.review_first:
            return self.remedy_partial if code == "partial" else self.remedy_refusal
        return self.remedy_other

    def fill_remedy(self, wording: str, document: str, unit: Unit | None = None) -> str:
        body = (unit or self.own_unit()).reconsideration_body
        return (
            wording.replace(REMEDY_BODY, body)
            .replace(REMEDY_COURT, self.court.strip() or NO_COURT)
            .replace(REMEDY_DOC, document)
        )

    def remedy(self, refusal: bool, document: str, unit: Unit | None = None) -> str:
        """The remedy paragraph; `document` is how the letter calls itself (答复, 告知书)."""
        return self.fill_remedy(self.remedy_wording(None, refusal=refusal), document, unit)

    def remedy_for(self, code: str | None, document: str, unit: Unit | None = None) -> str:
        """The remedy paragraph of a reply with this outcome, answered by `unit`."""
        return self.fill_remedy(self.remedy_wording(code), document, unit)

    def as_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in _TEXT_FIELDS}
        data["number_patterns"] = dict(self.number_patterns)
        data["units"] = [u.as_json() for u in self.units]
        data["directory"] = [b.as_json() for b in self.directory]
        data["review_first"] = list(self.review_first)
        data["reasons_answer_days"] = self.reasons_answer_days
        return data


_STRUCTURED = ("number_patterns", "units", "directory", "review_first", "reasons_answer_days")
_TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(OfficeProfile) if f.name not in _STRUCTURED)
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
    if "{复议机关}" not in wording:
        problems.append(f"{label}须写明 {REMEDY_BODY}：救济途径必须告知向哪个机关申请行政复议")
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
    for name in ("remedy_refusal", "remedy_other", "remedy_partial"):
        problems.extend(_remedy_problems(name, getattr(profile, name), profile))
    problems.extend(_unit_problems(profile))
    codes = set(OUTCOME_CODES)
    unknown_codes = [c for c in profile.review_first if c not in codes]
    if unknown_codes:
        problems.append(f"{LABELS['review_first']}中有不认识的办理结果：{'、'.join(unknown_codes)}")
    days = profile.reasons_answer_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 60:
        problems.append(f"{LABELS['reasons_answer_days']}应为1至60之间的整数")
    return problems


def _unit_problems(profile: OfficeProfile) -> list[str]:
    label = LABELS["units"]
    problems: list[str] = []
    if not profile.own_short.strip():
        problems.append(f"{LABELS['own_short']}不能为空")
    seen = {profile.own_short.strip(), profile.issuing_body.strip()}
    for unit in profile.other_units():
        where = f"{label}“{unit.short or unit.name}”"
        if not unit.short.strip() or not unit.name.strip():
            problems.append(f"{where}的简称和全称都不能为空")
            continue
        for name in (unit.short.strip(), unit.name.strip()):
            if name in seen:
                problems.append(f"{where}：名称“{name}”重复，答复机关须能唯一确定")
            seen.add(name)
        if not unit.reconsideration_body.strip():
            problems.append(f"{where}的行政复议机关不能为空")
        elif unit.reconsideration_body.strip() == unit.name.strip():
            problems.append(f"{where}的行政复议机关不能是其本身")
        if unit.postcode and not re.fullmatch(r"\d{6}", unit.postcode):
            problems.append(f"{where}的邮政编码“{unit.postcode}”应为6位数字")
    for body in profile.directory:
        if not body.name.strip():
            problems.append(f"{LABELS['directory']}中有名称为空的机关")
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
    structured: dict[str, Any] = {}
    try:
        if "units" in data:
            structured["units"] = tuple(
                unit_from_json(u, f"{LABELS['units']}第{i}项")
                for i, u in enumerate(_listed(data["units"], "units"), start=1)
            )
        if "directory" in data:
            structured["directory"] = tuple(
                body_from_json(b, f"{LABELS['directory']}第{i}项")
                for i, b in enumerate(_listed(data["directory"], "directory"), start=1)
            )
    except ValueError as exc:
        raise ProfileError(str(exc)) from exc
    if "review_first" in data:
        codes = _listed(data["review_first"], "review_first")
        if not all(isinstance(c, str) for c in codes):
            raise ProfileError(f"{LABELS['review_first']}应为办理结果代码的列表")
        structured["review_first"] = tuple(codes)
    if "reasons_answer_days" in data:
        structured["reasons_answer_days"] = data["reasons_answer_days"]
    return OfficeProfile(number_patterns=merged, **values, **structured)


def _listed(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProfileError(f"{LABELS[name]}应为列表")
    return value


def load_profile(session: Session) -> OfficeProfile:
    """The office's profile, or the 崇明 defaults when none was saved."""
    from cases.storage.model import Setting  # here: a letter read through sqlite3 needs no ORM

    row = session.get(Setting, SETTING_KEY)
    return profile_from_setting(None if row is None else row.value)


def profile_from_setting(value: str | None) -> OfficeProfile:
    """The profile as saved under SETTING_KEY (its JSON text), or the defaults for no row."""
    if value is None:
        return OfficeProfile()
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"保存的机关信息不是有效的 JSON：{exc}") from exc
    if not isinstance(data, Mapping):
        raise ProfileError("保存的机关信息格式不对：应为一组字段")
    return from_json(data)


def save_profile(session: Session, profile: OfficeProfile, actor: str) -> OfficeProfile:
    """Validate and store the profile in the caller's transaction, auditing each changed field.

    A profile with any problem is refused as a whole and nothing is written.
    """
    from cases.storage import audit
    from cases.storage.model import Setting

    problems = validate(profile)
    if problems:
        raise ProfileError("；".join(problems))
    old = load_profile(session).as_json()
    new = profile.as_json()
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in new.items():
        if name not in old:
            changes[f"{SETTING_KEY}.{name}"] = (None, value)
        elif name == "number_patterns":
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
