"""Every setting of the office, declared once: key, type, default, Chinese label, who may change it.

A setting is a row of the settings table holding a JSON value; no code writes such a row but
cases.actions.settings.change_setting, which checks the declaration below. Reading goes through
`value`, which gives the default when nothing was saved and refuses a stored value of the wrong
type rather than letting it decide anything. The office profile (机关信息) is one structured
setting with its own validation (cases.office.profile) and its own operation, declared here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.rules.handbook import RoleId
from cases.storage.model import Setting


class SettingError(Refused):
    """A setting value that cannot be used; names the setting."""


@dataclass(frozen=True)
class Spec:
    """One declared setting."""

    key: str
    type: type
    default: Any  # or a function giving it, for a default that is law kept in the handbook
    label: str
    role: str  # the role (roles.yaml) that may change it
    help: str = ""
    minimum: int | None = None
    maximum: int | None = None
    check: Callable[[Any], str | None] | None = None  # a Chinese problem, or None
    basis: str = ""  # the rule it serves, cited from the handbook (citations.yaml)

    @property
    def note(self) -> str:
        """The help line as the settings page shows it, with the rule's citation."""
        if not self.basis:
            return self.help
        from cases.rules.handbook import cite

        return f"{self.help}（{cite(self.basis)}）"

    def initial(self) -> Any:
        """The value in force when nothing was saved."""
        return self.default() if callable(self.default) else self.default

    def problem(self, value: Any) -> str | None:
        """Why `value` cannot be this setting, in Chinese, or None."""
        wanted = {bool: "是或否", int: "整数", str: "文字", dict: "一组字段"}[self.type]
        # bool is an int in Python; a flag must not pass as a number, nor a number as a flag.
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            return f"“{self.label}”应为{wanted}，收到的是 {value!r}"
        if isinstance(value, int) and self.minimum is not None and value < self.minimum:
            return f"“{self.label}”不能小于{self.minimum}"
        if isinstance(value, int) and self.maximum is not None and value > self.maximum:
            return f"“{self.label}”不能大于{self.maximum}"
        return self.check(value) if self.check is not None else None


def _pattern_problem(value: Any) -> str | None:
    from cases.office.numbering import PatternError, validate_pattern

    try:
        validate_pattern(value)
    except PatternError as exc:
        return str(exc)
    return None


SEPARATE_SIGN_OFF = "workflow.separate_review_and_sign_off"
CASE_NUMBER_PATTERN = "case_number_pattern"
AMBER_DAYS = "clock.amber_days"
OFFICE_PROFILE = "office_profile"
EXCESSIVE_PER_MONTH = "repeats.excessive_per_month"
PROACTIVE_MIN_APPLICANTS = "repeats.proactive_min_applicants"
REVIEW_ANSWER_DAYS = "review.answer_days"
SUIT_ANSWER_DAYS = "review.suit_answer_days"


def _period_days(period: str) -> Callable[[], int]:
    """The default of a setting that is a period of handbook/periods.yaml (the law's figure)."""

    def days() -> int:
        from cases.rules.handbook import load_handbook

        return load_handbook().days(period)

    return days


SPECS: tuple[Spec, ...] = (
    Spec(
        SEPARATE_SIGN_OFF, bool, True, "审核与签发须由不同的人完成", RoleId.ADMIN,
        help="只有一个人办理的小机关可以关闭，由同一人审核并签发",
    ),
    Spec(
        CASE_NUMBER_PATTERN, str, "{year}-{seq:06d}", "案件编号格式", RoleId.ADMIN,
        help="可以使用 {year}（年份）和 {seq}（序号，如 {seq:06d} 为六位）",
        check=_pattern_problem,
    ),
    Spec(
        AMBER_DAYS, int, 3, "临期提醒（剩余工作日）", RoleId.ADMIN,
        help="答复期限前剩余不超过这么多个工作日时，案件标为临期",
        minimum=1, maximum=20,
    ),
    Spec(OFFICE_PROFILE, dict, {}, "机关信息", RoleId.ADMIN, help="发文机关、文号格式、救济途径等"),
    # Issue 12 (cases.assist.repeats, cases.assist.review_file).
    Spec(
        EXCESSIVE_PER_MONTH, int, 10, "同一申请人每月申请件数提醒", RoleId.ADMIN,
        help="同一申请人一个自然月内的申请超过这么多件时，提示可以要求说明理由",
        minimum=1, maximum=1000, basis="excessive",
    ),
    Spec(
        PROACTIVE_MIN_APPLICANTS, int, 3, "建议主动公开的申请人数", RoleId.ADMIN,
        help="这么多位不同的申请人申请了相同的信息时，建议纳入主动公开",
        minimum=2, maximum=1000, basis="proactive",
    ),
    Spec(
        REVIEW_ANSWER_DAYS, int, _period_days("review_answer"), "行政复议答复期限（日）",
        RoleId.ADMIN, help="自收到行政复议申请书副本（答复通知）之日起计算，默认为法定期限",
        minimum=1, maximum=60,
    ),
    Spec(
        SUIT_ANSWER_DAYS, int, _period_days("suit_answer"), "行政诉讼答辩期限（日）",
        RoleId.ADMIN, help="自收到起诉状副本（应诉通知）之日起计算，默认为法定期限",
        minimum=1, maximum=60,
    ),
)  # fmt: skip
BY_KEY: dict[str, Spec] = {s.key: s for s in SPECS}


def spec(key: str) -> Spec:
    try:
        return BY_KEY[key]
    except KeyError:
        known = "、".join(f"{s.key}（{s.label}）" for s in SPECS)
        raise SettingError("setting", f"没有“{key}”这项设置；可选：{known}") from None


def stored(session: Session, key: str) -> Any | None:
    """The raw JSON value saved for a declared key, or None when nothing was saved."""
    spec(key)
    row = session.get(Setting, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except json.JSONDecodeError as exc:
        raise SettingError(key, f"保存的“{spec(key).label}”不是有效的 JSON：{exc}") from exc


def value(session: Session, key: str) -> Any:
    """The setting in force: what was saved, else the declared default."""
    declared = spec(key)
    saved = stored(session, key)
    if saved is None:
        return declared.initial()
    problem = declared.problem(saved)
    if problem is not None:
        raise SettingError(key, f"设置有误，请管理员修改：{problem}")
    return saved


def write(session: Session, key: str, new: Any) -> None:
    """Store a value already checked; only cases.actions.settings calls this."""
    text = json.dumps(new, ensure_ascii=False, sort_keys=True)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
