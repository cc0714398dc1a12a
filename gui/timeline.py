"""The audit trail as a handler reads it: Chinese field names, values, steps and people.

The trail stores codes and usernames (`applicant.id_number`, `in_person`, `wang`); the timeline
turns each into the words of the window, and leaves anything it does not know as it is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cases.rules import vocab
from cases.storage.model import AuditRecord
from gui import labels

__all__ = ["TimelineEntry", "entries", "field_text", "value_text"]

# Parts of dotted field names (correction.notice, letter#12.status, service.method …).
PART_LABELS: dict[str, str] = {
    **labels.FIELD_LABELS,
    "applicant": "申请人",
    "type": "类型",
    "name": "姓名或名称",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "phone": "联系电话",
    "address": "通信地址",
    "postcode": "邮政编码",
    "email": "电子邮箱",
    "agent_name": "代理人",
    "agent_phone": "代理人电话",
    "day0_basis": "收到申请之日的依据",
    "correction": "补正",
    "notice": "告知日期",
    "until": "期限",
    "items": "内容",
    "late": "逾期告知",
    "received": "收到日期",
    "note": "说明",
    "consultation": "征求意见",
    "party": "对象类别",
    "to": "对象",
    "sent": "发出日期",
    "replied": "答复日期",
    "opinion": "意见",
    "extension": "延期",
    "requested": "提请日期",
    "reason": "理由",
    "approved_by": "批准人",
    "decision": "决定",
    "comment": "意见",
    "on": "日期",
    "fee": "收费",
    "method": "方式",
    "units": "计费数量",
    "amount": "金额（元）",
    "paid": "缴费日期",
    "delay": "延迟答复",
    "due": "答复期限",
    "review": "审核",
    "sign_off": "签发",
    "service": "送达",
    "tracking_no": "邮件号",
    "served_on": "送达日期",
    "proof": "凭证",
    "letter": "文书",
    "kind": "种类",
    "status": "状态",
    "number": "文号",
    "sha256": "文件校验值",
    "supersedes": "更正",
    "proposed_outcome": "拟办结果",
    "proposed_reasons": "拟办理由",
    "proposed_note": "拟办说明",
    "split_into": "拆分为",
    "parent": "拆分自",
    "filed": "受理日期",
    "result": "结果",
    "decided": "审结日期",
    "checklist": "核对清单",
    "user": "用户",
    "roles": "角色",
    "active": "启用",
    "username": "用户名",
    "display_name": "姓名",
}
EXTRA_ACTIONS: dict[str, str] = {
    "move": "转入下一步骤",
    "assign": "分办",
    "check_item": "核对清单",
    "letter_draft": "生成文书草稿",
    "letter_edit": "取回修改后的草稿",
    "letter_regenerate": "重新生成草稿",
    "letter_issue": "发文",
    "letter_correct": "更正文书",
    "calendar_change": "节假日调整后重新计算",
    "create_user": "添加用户",
    "set_password": "设置密码",
    "set_roles": "修改角色",
    "set_active": "停用或启用用户",
    "office_profile": "修改机关信息",
}
# Which vocabulary a field's value comes from, by the field's last part.
VALUE_VOCABULARIES: dict[str, Mapping[str, str]] = {
    "channel": vocab.CHANNELS,
    "form": vocab.FORMS,
    "delivery": vocab.DELIVERIES,
    "status": {**vocab.STATUSES, **labels.LETTER_STATUSES},
    "type": vocab.APPLICANT_TYPES,
    "id_type": vocab.ID_TYPES,
    "party": vocab.CONSULTATION_PARTIES,
    "opinion": {"agree": "同意公开", "object": "不同意公开"},
    "decision": labels.APPROVAL_DECISIONS,
}
_INDEX = re.compile(r"^(\w+)(?:\[(.*)\]|#(\d+))$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _part(part: str) -> str:
    found = _INDEX.match(part)
    if found:
        name, key, number = found.groups()
        what = PART_LABELS.get(name, name)
        return f"{what}（{key}）" if key is not None else f"{what}{number}"
    return PART_LABELS.get(part, part)


def field_text(field: str | None, checklist: Mapping[tuple[str, str], str] | None = None) -> str:
    """applicant.id_number → 申请人·证件号码; checklist.handle.search → the item's own text."""
    if not field:
        return ""
    if field in labels.FIELD_LABELS:
        return labels.FIELD_LABELS[field]
    parts = field.split(".")
    if parts[0] == "checklist" and len(parts) == 3:
        text = (checklist or {}).get((parts[1], parts[2]))
        return f"核对清单·{labels.step_name(parts[1])}：{text or parts[2]}"
    return "·".join(_part(p) for p in parts)


def value_text(field: str | None, value: str | None) -> str:
    """A stored value in the window's words: codes to labels, ISO dates to Chinese dates."""
    if value is None:
        return ""
    last = (field or "").split(".")[-1]
    last = _INDEX.sub(r"\1", last)
    if last == "step":
        return labels.step_name(value)
    if last in ("outcome_code", "proposed_outcome"):
        return labels.outcome_label(value)
    if last == "kind" and field and field.startswith("letter"):
        return labels.letter_label(value)
    table = VALUE_VOCABULARIES.get(last)
    if table is not None and value in table:
        return table[value]
    if _ISO_DAY.match(value):
        return labels.cn_day(dt.date.fromisoformat(value))
    if _ISO_TIME.match(value):
        try:
            return labels.local_time(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def action_text(action: str) -> str:
    if action in EXTRA_ACTIONS:
        return EXTRA_ACTIONS[action]
    return labels.action_label(action)


@dataclass(frozen=True)
class TimelineEntry:
    """One operation: when, who, what, and the fields it changed (old → new)."""

    at: str
    who: str
    action: str
    changes: tuple[tuple[str, str, str], ...]


def entries(
    records: Iterable[AuditRecord],
    people: Mapping[str, str],
    checklist: Mapping[tuple[str, str], str] | None = None,
) -> list[TimelineEntry]:
    """Records grouped by operation (same moment, person and action), in time order."""
    found: list[TimelineEntry] = []
    key: tuple[object, ...] | None = None
    for r in records:
        change = (
            (field_text(r.field, checklist), value_text(r.field, r.old), value_text(r.field, r.new))
            if r.field
            else None
        )
        this = (r.at, r.actor, r.action)
        if key == this and found:
            last = found[-1]
            if change is not None:
                found[-1] = TimelineEntry(last.at, last.who, last.action, (*last.changes, change))
            continue
        key = this
        found.append(
            TimelineEntry(
                labels.local_time(r.at),
                people.get(r.actor, r.actor),
                action_text(r.action),
                (change,) if change is not None else (),
            )
        )
    return found
