"""The office's today and the one way Chinese dates are written (2025年3月3日)."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = "一二三四五六日"


def today() -> dt.date:
    """The office's today; one place, so that actions, lists, letters and the CLI agree."""
    return dt.date.today()


def cn_date(day: dt.date) -> str:
    """2025年3月3日: Arabic numerals, no leading zeros (GB/T 9704 成文日期)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_date_weekday(day: dt.date) -> str:
    """2025年3月3日（星期一）, as deadline explanations write a due date."""
    return f"{cn_date(day)}（星期{WEEKDAYS[day.weekday()]}）"
