"""Working days: the State Council's holiday schedule plus an office's own entries."""

from __future__ import annotations

import enum
import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from chinese_calendar import constants as _official

from cases.errors import Refused
from cases.timing.dates import cn_date

__all__ = [
    "DayKind",
    "OfficeEntry",
    "ScheduleFileError",
    "WorkCalendar",
    "parse_schedule_file",
]


class DayKind(enum.Enum):
    """What a calendar day is for the statutory clock."""

    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    WORKED_WEEKEND = "worked_weekend"  # 调休上班: a Saturday or Sunday declared a working day


@dataclass(frozen=True)
class OfficeEntry:
    """One day an office enters itself: a day off or a working day, overriding the official data."""

    day: date
    workday: bool
    note: str = ""


def _load_official() -> tuple[dict[date, str], dict[date, str], frozenset[int], str]:
    # chinese_calendar keys its tables by English names; the Holiday enum carries the Chinese ones.
    chinese = {h.value: h.chinese for h in _official.Holiday}
    off = {d: chinese.get(name, name) for d, name in _official.holidays.items()}
    on = {d: chinese.get(name, name) for d, name in _official.workdays.items()}
    # Every published year has 元旦, so the holiday table's years are the covered ones.
    years = frozenset(d.year for d in off)
    digest = hashlib.sha256(
        repr((sorted(off.items()), sorted(on.items()))).encode("utf-8")
    ).hexdigest()
    return off, on, years, digest


_OFFICIAL_OFF, _OFFICIAL_ON, _OFFICIAL_YEARS, _OFFICIAL_DIGEST = _load_official()


@dataclass(frozen=True)
class _Year:
    """The days of one year by kind, as sorted ordinals, so spans are counted with bisect."""

    workdays: list[int]  # WORKDAY and WORKED_WEEKEND together: every day that counts
    holidays: list[int]
    worked_weekends: list[int]


class WorkCalendar:
    """Which days are working days, for every year, and which years have a known schedule."""

    def __init__(
        self, office_entries: Iterable[OfficeEntry] = (), office_years: Iterable[int] = ()
    ) -> None:
        # A later entry for the same day replaces an earlier one, as an edit would.
        self._entries: dict[date, OfficeEntry] = {e.day: e for e in office_entries}
        self._office_years: frozenset[int] = frozenset(office_years)
        self._years: dict[int, _Year] = {}
        canonical = repr(
            (
                _OFFICIAL_DIGEST,
                sorted((e.day, e.workday, e.note) for e in self._entries.values()),
                sorted(self._office_years),
            )
        )
        self._fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # --- single days -------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True when d counts as a working day (Mon–Fri when the year has no schedule)."""
        entry = self._entries.get(d)
        if entry is not None:
            return entry.workday
        if d in _OFFICIAL_ON:
            return True
        if d in _OFFICIAL_OFF:
            return False
        return d.weekday() < 5

    def kind(self, d: date) -> DayKind:
        weekend = d.weekday() >= 5
        if self.is_workday(d):
            return DayKind.WORKED_WEEKEND if weekend else DayKind.WORKDAY
        if not weekend:
            return DayKind.HOLIDAY
        # A Saturday or Sunday inside a holiday block is part of the holiday (春节 1-28..2-4),
        # which is how the notice announces it and how the explanation should name it.
        entry = self._entries.get(d)
        if entry is not None or d in _OFFICIAL_OFF:
            return DayKind.HOLIDAY
        return DayKind.WEEKEND

    def holiday_name(self, d: date) -> str | None:
        """The holiday's Chinese name (元旦, 春节 …), for a worked weekend the holiday it makes up
        for; an office entry's note when it has one. None for ordinary days."""
        entry = self._entries.get(d)
        official = _OFFICIAL_OFF.get(d) or _OFFICIAL_ON.get(d)
        if entry is None:
            return official
        if entry.note:
            return entry.note
        # An entry without a note keeps the official name only if it agrees with the official data;
        # otherwise the name would describe a status the day no longer has.
        official_workday = d in _OFFICIAL_ON or (d.weekday() < 5 and d not in _OFFICIAL_OFF)
        return official if entry.workday == official_workday else None

    def has_schedule(self, year: int) -> bool:
        """True when the year's holidays are known: published data or imported by the office."""
        return year in _OFFICIAL_YEARS or year in self._office_years

    def unscheduled_years(self, a: date, b: date) -> list[int]:
        """Years without a schedule that the span a < d ≤ b touches."""
        if b <= a:
            return []
        first = (a + timedelta(days=1)).year
        return [y for y in range(first, b.year + 1) if not self.has_schedule(y)]

    @property
    def official_years(self) -> frozenset[int]:
        return _OFFICIAL_YEARS

    @property
    def office_years(self) -> frozenset[int]:
        return self._office_years

    @property
    def office_entries(self) -> tuple[OfficeEntry, ...]:
        return tuple(sorted(self._entries.values(), key=lambda e: e.day))

    # --- spans ---------------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        if not date.min.year <= year <= date.max.year:
            raise OverflowError(f"year {year} is out of range")
        workdays: list[int] = []
        holidays: list[int] = []
        worked: list[int] = []
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        for o in range(first, last + 1):
            k = self.kind(date.fromordinal(o))
            if k is DayKind.WORKDAY:
                workdays.append(o)
            elif k is DayKind.WORKED_WEEKEND:
                workdays.append(o)
                worked.append(o)
            elif k is DayKind.HOLIDAY:
                holidays.append(o)
        built = _Year(workdays, holidays, worked)
        self._years[year] = built
        return built

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after start (start itself not counted); n < 0 counts backwards."""
        if n == 0:
            return start
        o = start.toordinal()
        year = start.year
        days = self._year(year).workdays
        if n > 0:
            i = bisect_right(days, o)  # working days of this year up to and including start
            need = n
            while need > len(days) - i:
                need -= len(days) - i
                year += 1
                days = self._year(year).workdays
                i = 0
            return date.fromordinal(days[i + need - 1])
        i = bisect_left(days, o)  # working days of this year strictly before start
        need = -n
        while need > i:
            need -= i
            year -= 1
            days = self._year(year).workdays
            i = len(days)
        return date.fromordinal(days[i - need])

    def workdays_between(self, a: date, b: date) -> int:
        """The number of working days d with a < d ≤ b (negative when b is before a)."""
        if b < a:
            return -self.workdays_between(b, a)
        oa, ob = a.toordinal(), b.toordinal()
        if a.year == b.year:
            days = self._year(a.year).workdays
            return bisect_right(days, ob) - bisect_right(days, oa)
        first = self._year(a.year).workdays
        count = len(first) - bisect_right(first, oa)
        for year in range(a.year + 1, b.year):
            count += len(self._year(year).workdays)
        return count + bisect_right(self._year(b.year).workdays, ob)

    def _days_in(self, a: date, b: date, pick: str) -> list[date]:
        found: list[date] = []
        if b <= a:
            return found
        oa, ob = a.toordinal(), b.toordinal()
        for year in range(a.year, b.year + 1):
            days: list[int] = getattr(self._year(year), pick)
            lo, hi = bisect_right(days, oa), bisect_right(days, ob)
            found.extend(date.fromordinal(o) for o in days[lo:hi])
        return found

    def holidays_between(self, a: date, b: date) -> list[date]:
        """Holiday days d (weekend days of a holiday block included) with a < d ≤ b."""
        return self._days_in(a, b, "holidays")

    def worked_weekends_between(self, a: date, b: date) -> list[date]:
        """Worked weekend days (调休上班) d with a < d ≤ b."""
        return self._days_in(a, b, "worked_weekends")

    def fingerprint(self) -> str:
        """Changes whenever the official data, the office entries or the office years change.

        A hex digest rather than hash(), so that it can be stored and compared across runs.
        """
        return self._fingerprint


# --- the schedule file for `holidays import` ------------------------------------------------------


class ScheduleFileError(Refused):
    """A line of a schedule file that cannot be used; the message is Chinese, for the user."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__("file", f"第{line}行：{message}")
        self.line = line
        self.problem = message


_OFF_WORDS = frozenset({"休", "假", "休息", "放假", "holiday", "off"})
_ON_WORDS = frozenset({"班", "上班", "workday", "work"})
_YEAR_WORDS = frozenset({"year", "年份"})
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_FIELD_SEP = re.compile(r"[,，\t]")
_WEEKDAY_CN = "一二三四五六日"


def parse_schedule_file(text: str) -> tuple[list[int], list[OfficeEntry]]:
    """Read a year's schedule: `日期,休|班[,说明]` lines, optional `year,YYYY`, `#` comments.

    Returns the covered years (those of the dates and those declared) and the entries, by date.
    A 班 on Monday–Friday, or a 休 on a weekend day that does not touch a weekday 休 (the Friday
    before or the Monday after), changes nothing and is almost always a mistyped date, so it is
    refused rather than imported.
    """
    years: set[int] = set()
    entries: dict[date, tuple[int, OfficeEntry]] = {}
    for line_no, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in _FIELD_SEP.split(line)]
        head = fields[0].lower()
        if head in _YEAR_WORDS:
            years.add(_parse_year(line_no, fields))
            continue
        day = _parse_date(line_no, fields[0])
        if len(fields) < 2 or not fields[1]:
            raise ScheduleFileError(line_no, f"{fields[0]} 后缺少“休”或“班”")
        if len(fields) > 3:
            raise ScheduleFileError(
                line_no, "字段过多：每行应为“日期,休或班,说明”，说明中请勿使用逗号"
            )
        word = fields[1].lower()
        if word in _OFF_WORDS:
            workday = False
        elif word in _ON_WORDS:
            workday = True
        else:
            raise ScheduleFileError(
                line_no, f"无法识别“{fields[1]}”：第二栏应为“休”（放假）或“班”（上班）"
            )
        if day in entries:
            raise ScheduleFileError(
                line_no, f"{_cn_date(day)}重复出现（第{entries[day][0]}行已有）"
            )
        note = fields[2] if len(fields) == 3 else ""
        entries[day] = (line_no, OfficeEntry(day, workday, note))
        years.add(day.year)
    if not years:
        raise ScheduleFileError(1, "文件中没有任何日期，也没有 year 行")
    _check_plausible(entries)
    return sorted(years), [e for _, e in sorted(entries.values(), key=lambda t: t[1].day)]


def _parse_year(line_no: int, fields: list[str]) -> int:
    if len(fields) != 2 or not fields[1].isdigit():
        raise ScheduleFileError(line_no, "年份行应写作“year,2027”")
    year = int(fields[1])
    if not 2000 <= year <= 2100:
        raise ScheduleFileError(line_no, f"年份 {year} 不在 2000—2100 之间")
    return year


def _parse_date(line_no: int, text: str) -> date:
    m = _DATE_RE.fullmatch(text)
    if m is None:
        raise ScheduleFileError(line_no, f"日期“{text}”格式不对，应写作 2027-01-01")
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ScheduleFileError(line_no, f"日期“{text}”不存在") from None
    if not 2000 <= day.year <= 2100:
        raise ScheduleFileError(line_no, f"日期“{text}”的年份不在 2000—2100 之间")
    return day


def _check_plausible(entries: dict[date, tuple[int, OfficeEntry]]) -> None:
    def is_off(d: date) -> bool:
        found = entries.get(d)
        return found is not None and not found[1].workday

    for line_no, entry in sorted(entries.values(), key=lambda t: t[0]):
        d = entry.day
        weekday = d.weekday()
        name = f"{_cn_date(d)}是星期{_WEEKDAY_CN[weekday]}"
        if entry.workday and weekday < 5:
            raise ScheduleFileError(
                line_no, f"{name}，本来就是工作日；调休上班日应是周六或周日，请核对日期"
            )
        if not entry.workday and weekday >= 5:
            friday = d - timedelta(days=weekday - 4)
            monday = d + timedelta(days=7 - weekday)
            if not (is_off(friday) or is_off(monday)):
                raise ScheduleFileError(
                    line_no,
                    f"{name}，本来就休息，且前一个周五、后一个周一都不是假日，"
                    "不像是假期的一部分；请核对日期",
                )


def _cn_date(d: date) -> str:
    return cn_date(d)
