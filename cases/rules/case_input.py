"""One validator for case input: registration and every import check a field alike, in one message.

Each check takes the field's exchange-format path ("applicant.name", "request.description",
"events[].reason") and returns the problem as a Chinese sentence that names the field, or None.
Registration raises it as a Refused; an import lists it with the line. Both therefore refuse the
same bad value with the same words. The limits are those of the columns (PostgreSQL refuses
longer text at INSERT; SQLite would keep it silently), and, for the free-text columns without a
length, a limit of their own so that no field is unbounded.

New fields (h11's body, statement, opinions, correction items …) add a line to LABELS and, for
text, to TEXT_LIMITS; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from cases.errors import Refused
from cases.rules import ids
from cases.storage import model
from cases.timing import dates
from cases.timing.dates import cn_date

# Dates outside this range are typing mistakes (and would overflow the calendar's arithmetic).
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
# Free text stored in unbounded TEXT columns: long enough for any real application, short
# enough that a pasted file or a runaway import cannot fill the database.
LONG_TEXT = 10_000
NOTE_TEXT = 2_000


def _column_length(column: Any) -> int:
    length: int = column.type.length
    return length


LABELS: dict[str, str] = {
    "no": "案件编号",
    "received": "收到申请之日",
    "channel": "提交方式",
    "applicant.type": "申请人类型",
    "applicant.name": "申请人姓名或名称",
    "applicant.id_type": "证件类型",
    "applicant.id_number": "证件号码",
    "applicant.phone": "联系电话",
    "applicant.address": "通讯地址",
    "applicant.postcode": "邮编",
    "applicant.email": "电子邮箱",
    "applicant.agent.name": "代理人",
    "applicant.agent.phone": "代理人电话",
    "request.description": "申请公开的信息内容",
    "request.form": "提供形式",
    "request.delivery": "获取方式",
    "department": "承办部门",
    "handler": "承办人",
    "outcome.code": "办理结果",
    "outcome.on": "办结日期",
    "outcome.note": "结果说明",
    "outcome.statement": "写入文书的说明",
    "outcome.holder": "掌握该信息的机关",
    "outcome.holder_contact": "该机关的联系方式",
    "body": "答复机关",
    "voided.reason": "作废理由",
    "events[].to": "征求意见对象",
    "events[].approved_by": "批准人",
    "events[].reason": "理由",
    "void_reason": "作废理由",
}

# The longest text each field holds.
TEXT_LIMITS: dict[str, int] = {
    "no": _column_length(model.Case.no),
    "body": _column_length(model.Case.body),
    "outcome.holder": _column_length(model.Case.outcome_holder),
    "outcome.holder_contact": _column_length(model.Case.outcome_holder_contact),
    "outcome.statement": LONG_TEXT,
    "department": _column_length(model.Case.department),
    "handler": _column_length(model.Case.handler),
    "applicant.name": _column_length(model.Applicant.name),
    "applicant.id_number": _column_length(model.Applicant.id_number),
    "applicant.phone": _column_length(model.Applicant.phone),
    "applicant.address": _column_length(model.Applicant.address),
    "applicant.postcode": _column_length(model.Applicant.postcode),
    "applicant.email": _column_length(model.Applicant.email),
    "applicant.agent.name": _column_length(model.Applicant.agent_name),
    "applicant.agent.phone": _column_length(model.Applicant.agent_phone),
    "events[].to": _column_length(model.Consultation.to),
    "events[].approved_by": _column_length(model.Extension.approved_by),
    "request.description": LONG_TEXT,
    "outcome.note": LONG_TEXT,
    "events[].reason": NOTE_TEXT,
    "void_reason": NOTE_TEXT,
}

_INDEX = re.compile(r"\[\d+\]")


@functools.lru_cache(maxsize=4096)
def general(path: str) -> str:
    """events[3].reason → events[].reason: limits and labels are per field, not per item.

    Cached: an import of 10,000 rows asks this of the same few dozen paths 300,000 times.
    """
    return _INDEX.sub("[]", path)


def label(path: str) -> str:
    return LABELS.get(general(path), path)


# --- the checks --------------------------------------------------------------------------------


def required_problem(path: str) -> str:
    return f"{label(path)}不能为空"


def text_problem(path: str, value: str) -> str | None:
    """NUL, lone surrogates (they cannot be stored as UTF-8) and the field's length limit."""
    if "\x00" in value:
        return f"{label(path)}含有不可见的空字符（\\x00），请删除后再输入"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{label(path)}含有无法保存的字符（不成对的代理字符），请检查文件编码或重新输入"
    limit = TEXT_LIMITS.get(general(path))
    if limit is not None and len(value) > limit:
        return f"{label(path)}过长：{len(value)} 个字符，最多 {limit} 个"
    return None


def choice_problem(path: str, value: str, allowed: Mapping[str, str]) -> str | None:
    if value in allowed:
        return None
    options = "、".join(f"{k}（{v}）" for k, v in allowed.items())
    return f"{label(path)}“{value}”无效；可选：{options}"


def date_problem(
    path: str, day: dt.date, *, past: bool = True, today: dt.date | None = None
) -> str | None:
    """A date in the plausible range; `past` for what has happened (not after today)."""
    if not FIRST_DATE <= day <= LAST_DATE:
        return (
            f"{label(path)}{cn_date(day)}超出可处理的范围（{FIRST_DATE.year}—{LAST_DATE.year}年）"
        )
    if past and day > (today or dates.today()):
        return f"{label(path)}{cn_date(day)}晚于今天，不能登记尚未发生的事"
    return None


def int_problem(path: str, value: int, low: int, high: int) -> str | None:
    """An integer within what the column and common sense hold."""
    if isinstance(value, bool) or not low <= value <= high:
        return f"{label(path)} {value} 超出范围（{low}—{high}）"
    return None


_ID_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "resident_id": (ids.check_resident_id, "居民身份证号码校验位不符（GB 11643）"),
    "uscc": (ids.check_uscc, "统一社会信用代码校验位不符（GB 32100）"),
}


def id_warning(id_type: str | None, number: str | None) -> str | None:
    """A failed check character is a warning only: old IDs and permits exist (domain.md §1)."""
    if not id_type or not number or id_type not in _ID_CHECKS:
        return None
    check, message = _ID_CHECKS[id_type]
    return None if check(number) else f"{message}，请核对"


# --- raising forms, for operations that stop at the first problem ------------------------------


def text(path: str, value: str | None, *, required: bool, field: str | None = None) -> str | None:
    """The value stripped, or None when empty and optional; raises Refused(field or path)."""
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise Refused(field or path, required_problem(path))
        return None
    problem = text_problem(path, cleaned)
    if problem:
        raise Refused(field or path, problem)
    return cleaned


def choice(path: str, value: str, allowed: Mapping[str, str], *, field: str | None = None) -> str:
    problem = choice_problem(path, value, allowed)
    if problem:
        raise Refused(field or path, problem)
    return value


def date(
    path: str,
    day: dt.date,
    *,
    past: bool = True,
    today: dt.date | None = None,
    field: str | None = None,
) -> dt.date:
    problem = date_problem(path, day, past=past, today=today)
    if problem:
        raise Refused(field or path, problem)
    return day
