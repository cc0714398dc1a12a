"""One way of writing a Chinese date (2025年3月3日): cases.timing.dates.cn_date, used everywhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATTER = ROOT / "cases" / "timing" / "dates.py"
# An f-string that writes year, month and day with 年月日 itself.
OWN_FORMAT = re.compile(r"\.year\}年\{[^{}]*\.month\}月\{[^{}]*\.day\}日")


def test_only_the_date_module_writes_a_chinese_date() -> None:
    sources = [*ROOT.glob("cases/**/*.py"), *ROOT.glob("gui/**/*.py")]
    assert FORMATTER in sources
    writers = [
        p.relative_to(ROOT).as_posix()
        for p in sources
        if OWN_FORMAT.search(p.read_text(encoding="utf-8"))
    ]
    assert writers == ["cases/timing/dates.py"]
