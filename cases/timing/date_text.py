"""Dates as offices type them into ledgers: Excel dates, 2025-3-3, 2025/3/3, 2025年3月3日 …"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

# Excel's day 0 in the 1900 system (Lotus' leap-year bug makes it 30 December 1899).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers of 2000-01-01 and 2100-12-31: a number in a date column outside these is not
# a date a case could carry (it is a phone number or a count typed into the wrong column).
EXCEL_FIRST, EXCEL_LAST = 36526, 73415

_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_TAIL = re.compile(r"[\sT]+\d{1,2}[:：]\d{2}([:：]\d{2}(\.\d+)?)?$")


class NotADate(ValueError):
    """The value cannot be read as a date; the message says what was found, in Chinese."""


def parse_date(raw: Any) -> dt.date:
    """A date cell or text in any of the forms offices use; raises NotADate otherwise.

    Accepted: date and datetime cells, Excel serial numbers (a date column formatted as number),
    2025-03-03, 2025-3-3, 2025/3/3, 2025.3.3, 2025年3月3日, 20250303, each also in full-width
    digits and with a time of day after it.
    """
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, bool):
        raise NotADate(f"“{raw}”不是日期")
    if isinstance(raw, int | float):
        # The range first: NaN and infinity (a cell may hold either) fail it, and int() of them
        # would raise.
        if EXCEL_FIRST <= raw <= EXCEL_LAST and raw == int(raw):
            return EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raise NotADate(f"“{raw}”不是日期（单元格格式可能被设成了数值）")
    if not isinstance(raw, str):
        raise NotADate(f"“{raw}”不是日期")
    # NFKC turns full-width digits and punctuation (２０２５／３／３) into ASCII.
    text = _TIME_TAIL.sub("", unicodedata.normalize("NFKC", raw).strip())
    match = _SEPARATED.match(text) or _COMPACT.match(text)
    if match is None:
        raise NotADate(f"“{raw.strip()}”不是可识别的日期（如 2025-03-03、2025/3/3、2025年3月3日）")
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NotADate(f"“{raw.strip()}”不是有效日期（{year}年没有{month}月{day}日）") from None
