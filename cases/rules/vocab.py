"""Every closed vocabulary, each code with its one Chinese label.

Lists, letters, the ledger, the audit trail, the clock's explanations and the command line all
take their words from here (the handbook's steps, actions, letters and outcomes from handbook/),
so that one thing is never called two names.
"""

from __future__ import annotations

CHANNELS: dict[str, str] = {
    "in_person": "当面提交",
    "post_signed": "邮寄（挂号/EMS）",
    "post_ordinary": "平常信函",
    "online": "网络平台",
    "email": "电子邮件",
    "fax": "传真",
}

APPLICANT_TYPES: dict[str, str] = {
    "natural_person": "自然人",
    "enterprise": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
}

ID_TYPES: dict[str, str] = {
    "resident_id": "居民身份证",
    "uscc": "统一社会信用代码",
    "passport": "护照",
    "other": "其他证件",
}

FORMS: dict[str, str] = {"paper": "纸质", "electronic": "电子"}

DELIVERIES: dict[str, str] = {
    "post": "邮寄",
    "email": "电子邮件",
    "pickup": "自行领取",
    "on_site": "当场查阅",
    "platform": "网上平台",
}

EVENT_KINDS: dict[str, str] = {
    "correction": "补正",
    "consultation": "征求意见",
    "extension": "延期",
    "fee": "收费",
    "delay": "延迟答复",
}

CONSULTATION_PARTIES: dict[str, str] = {"third_party": "第三方", "agency": "其他机关"}

# The two methods of 国办函〔2020〕109号, in its own words.
FEE_METHODS: dict[str, str] = {"per_item": "按件计收", "per_page": "按量计收"}

# How a served letter reached the applicant, in the words of the 送达回证.
SERVICE_METHODS: dict[str, str] = {
    "ems": "邮政EMS",
    "post": "挂号信",
    "in_person": "直接送达",
    "email": "电子邮件",
    "platform": "网上平台",
}

# Labels of earlier versions, still accepted where people type labels (the ledger).
OLD_LABELS: dict[str, str] = {"按件": "per_item", "按量": "per_page", "条例35延期": "delay"}

REVIEW_KINDS: dict[str, str] = {
    "reconsideration": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}

REVIEW_RESULTS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
}

STATUSES: dict[str, str] = {"open": "办理中", "suspended": "中止计时", "closed": "已办结"}


def code_for_label(vocabulary: dict[str, str], text: str) -> str | None:
    """Accept either the code or its Chinese label (the ledger is typed by people)."""
    text = text.strip()
    if text in vocabulary:
        return text
    for code, label in vocabulary.items():
        if label == text:
            return code
    old = OLD_LABELS.get(text)
    return old if old in vocabulary else None
