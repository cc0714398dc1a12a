"""Chinese names for the codes a case stores, from the handbook and cases.rules.vocab, or the code.

A code the data does not know (an old import, a handbook edited since) is shown as it is rather
than hiding the row or failing: the window is for reading what is in the file.
"""

from __future__ import annotations

import datetime as dt
import functools

from cases.rules.handbook import Handbook, HandbookError, load_handbook
from cases.timing import dates
from cases.timing.clock import WarningLevel

# Field names of the audit trail (审计记录) as the user knows them.
FIELD_LABELS: dict[str, str] = {
    "no": "编号",
    "received": "收到日期",
    "channel": "提交渠道",
    "applicant_id": "申请人",
    "description": "申请内容",
    "form": "提供形式",
    "delivery": "获取方式",
    "department": "承办部门",
    "handler": "承办人",
    "step": "办理步骤",
    "outcome_code": "办理结果",
    "outcome_on": "办结日期",
    "outcome_note": "办理说明",
    "outcome_reasons": "理由",
    "status": "状态",
    "day0": "起算日",
    "due": "答复期限",
    "due_provisional": "期限暂定",
    "correction_notice_due": "补正告知截止日",
    "parent_id": "拆分自",
    "voided": "作废",
    "void_reason": "作废原因",
    "voided_on": "作废日期",
    "archived_at": "归档时间",
}

APPROVAL_STAGES: dict[str, str] = {"review": "审核", "sign_off": "签发", "extension": "延期审批"}
APPROVAL_DECISIONS: dict[str, str] = {"approved": "同意", "returned": "退回"}
SERVICE_METHODS: dict[str, str] = {
    "ems": "EMS",
    "post": "邮寄",
    "in_person": "当面送达",
    "email": "电子邮件",
    "platform": "网上平台",
}
LETTER_STATUSES: dict[str, str] = {"draft": "草稿", "issued": "已出具"}


@functools.cache
def _handbook() -> Handbook | HandbookError:
    try:
        return load_handbook()
    except HandbookError as exc:  # a broken handbook must not keep the case list from opening
        return exc


def handbook() -> Handbook | None:
    found = _handbook()
    return found if isinstance(found, Handbook) else None


def handbook_problem() -> str | None:
    found = _handbook()
    return None if isinstance(found, Handbook) else str(found)


def label(vocabulary: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    return vocabulary.get(code, code)


def outcome_label(code: str | None) -> str:
    if not code:
        return ""
    book = handbook()
    try:
        return book.outcome(code).label if book else code
    except KeyError:
        return code


def step_name(step: str) -> str:
    book = handbook()
    try:
        return book.step(step).name if book else step
    except KeyError:
        return step


def action_label(action: str) -> str:
    book = handbook()
    try:
        return book.action_label(action) if book else action
    except KeyError:
        return action


def letter_label(kind: str) -> str:
    book = handbook()
    try:
        return book.letter_label(kind) if book else kind
    except KeyError:
        return kind


def field_label(field: str | None) -> str:
    return FIELD_LABELS.get(field, field) if field else ""


def cn_day(day: dt.date | None) -> str:
    """A date as letters and sentences write it: 2025年3月3日."""
    return dates.cn_date(day) if day else ""


def cn_date(day: dt.date | None) -> str:
    """ISO form in lists and tables: it sorts by eye and is what the ledger uses."""
    return day.isoformat() if day else ""


def local_time(moment: dt.datetime) -> str:
    # SQLite hands back naive datetimes; they were written in UTC (cases.storage.model.utcnow).
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


def remaining_text(level: WarningLevel, left: int | None) -> str:
    """剩余工作日 column: the number of working days left, or the warning in words."""
    if left is None:
        return ""
    if level is WarningLevel.OVERDUE:  # the count is in working days, as the column says
        return f"逾期{-left}" if left < 0 else "逾期"
    if level is WarningLevel.RED:
        return "今日到期"
    if level is WarningLevel.AMBER:
        return f"临期·{left}"
    return str(left)


# Cases made by the `demo` command (cases.demo): the list, the case view and exports mark them.
DEMO_MARK = "演示"
DEMO_TIP = "演示数据：由 demo 命令生成，不是真实申请，不得据此答复或计入正式年报"
