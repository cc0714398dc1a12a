"""Working days: official schedule, office entries, fast counting and the schedule file."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from cases.errors import Refused
from cases.timing.calendar import (
    DayKind,
    OfficeEntry,
    ScheduleFileError,
    WorkCalendar,
    parse_schedule_file,
)

D = date


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# domain.md §2.2, copied by hand from the State Council notices.
OFF_2025 = [
    *_days(D(2025, 1, 1), D(2025, 1, 1)),
    *_days(D(2025, 1, 28), D(2025, 2, 4)),
    *_days(D(2025, 4, 4), D(2025, 4, 6)),
    *_days(D(2025, 5, 1), D(2025, 5, 5)),
    *_days(D(2025, 5, 31), D(2025, 6, 2)),
    *_days(D(2025, 10, 1), D(2025, 10, 8)),
]
WORKED_2025 = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
OFF_2026 = [
    *_days(D(2026, 1, 1), D(2026, 1, 3)),
    *_days(D(2026, 2, 15), D(2026, 2, 23)),
    *_days(D(2026, 4, 4), D(2026, 4, 6)),
    *_days(D(2026, 5, 1), D(2026, 5, 5)),
    *_days(D(2026, 6, 19), D(2026, 6, 21)),
    *_days(D(2026, 9, 25), D(2026, 9, 27)),
    *_days(D(2026, 10, 1), D(2026, 10, 7)),
]
WORKED_2026 = [
    D(2026, 1, 4),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 5, 9),
    D(2026, 9, 20),
    D(2026, 10, 10),
]


def naive_add(cal: WorkCalendar, start: date, n: int) -> date:
    d, left = start, n
    while left:
        d += timedelta(days=1)
        left -= cal.is_workday(d)
    return d


def naive_between(cal: WorkCalendar, a: date, b: date) -> int:
    return sum(cal.is_workday(d) for d in _days(a + timedelta(days=1), b)) if b > a else 0


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# --- the official schedule ------------------------------------------------------------------


@pytest.mark.parametrize("day", OFF_2025 + OFF_2026, ids=str)
def test_every_listed_holiday_is_off(cal: WorkCalendar, day: date) -> None:
    assert not cal.is_workday(day)
    assert cal.kind(day) is DayKind.HOLIDAY
    assert cal.holiday_name(day)


@pytest.mark.parametrize("day", WORKED_2025 + WORKED_2026, ids=str)
def test_every_listed_worked_weekend_day_is_a_workday(cal: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert cal.is_workday(day)
    assert cal.kind(day) is DayKind.WORKED_WEEKEND


@pytest.mark.parametrize("year", [2025, 2026])
def test_no_other_day_of_the_year_is_special(cal: WorkCalendar, year: int) -> None:
    off = set(OFF_2025 + OFF_2026)
    worked = set(WORKED_2025 + WORKED_2026)
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        if day in off or day in worked:
            continue
        expected = DayKind.WORKDAY if day.weekday() < 5 else DayKind.WEEKEND
        assert cal.kind(day) is expected, day
        assert cal.holiday_name(day) is None, day


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2025, 1, 1), "元旦"),
        (D(2025, 1, 28), "春节"),
        (D(2025, 2, 1), "春节"),  # a Saturday inside the block
        (D(2025, 4, 4), "清明"),
        (D(2025, 5, 5), "劳动节"),
        (D(2025, 6, 2), "端午"),
        (D(2025, 10, 1), "国庆节"),
        (D(2025, 10, 6), "中秋"),
        (D(2026, 9, 25), "中秋"),
        (D(2025, 9, 28), "国庆节"),  # worked weekend: the holiday it makes up for
        (D(2026, 2, 14), "春节"),
    ],
)
def test_holiday_names_are_chinese(cal: WorkCalendar, day: date, name: str) -> None:
    assert cal.holiday_name(day) == name


def test_weekend_inside_a_holiday_block_is_a_holiday(cal: WorkCalendar) -> None:
    assert cal.kind(D(2025, 5, 3)) is DayKind.HOLIDAY  # Saturday of 劳动节
    assert cal.kind(D(2025, 5, 10)) is DayKind.WEEKEND


def test_years_with_schedule(cal: WorkCalendar) -> None:
    assert cal.has_schedule(2004)
    assert cal.has_schedule(2025)
    assert cal.has_schedule(2026)
    assert not cal.has_schedule(2027)
    assert not cal.has_schedule(2003)
    assert WorkCalendar(office_years=[2027]).has_schedule(2027)


def test_year_without_schedule_counts_weekends_only(cal: WorkCalendar) -> None:
    assert cal.is_workday(D(2027, 1, 1))  # a Friday; 元旦 unknown until entered
    assert cal.kind(D(2027, 1, 1)) is DayKind.WORKDAY
    assert cal.kind(D(2027, 1, 2)) is DayKind.WEEKEND
    assert cal.holiday_name(D(2027, 1, 1)) is None


# --- office entries ---------------------------------------------------------------------------


def test_office_entry_adds_a_holiday_in_an_unscheduled_year() -> None:
    cal = WorkCalendar([OfficeEntry(D(2027, 1, 1), False, "元旦")], [2027])
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.kind(D(2027, 1, 1)) is DayKind.HOLIDAY
    assert cal.holiday_name(D(2027, 1, 1)) == "元旦"
    assert cal.has_schedule(2027)


def test_office_entry_worked_weekend() -> None:
    cal = WorkCalendar([OfficeEntry(D(2027, 2, 6), True, "春节调休")])
    assert cal.is_workday(D(2027, 2, 6))
    assert cal.kind(D(2027, 2, 6)) is DayKind.WORKED_WEEKEND
    assert cal.holiday_name(D(2027, 2, 6)) == "春节调休"
    # Entries alone do not declare the year scheduled: the office must import or declare it.
    assert not cal.has_schedule(2027)


def test_office_entry_overrides_official_day() -> None:
    cal = WorkCalendar([OfficeEntry(D(2025, 10, 8), True), OfficeEntry(D(2025, 3, 5), False)])
    assert cal.is_workday(D(2025, 10, 8))
    assert cal.kind(D(2025, 10, 8)) is DayKind.WORKDAY
    # The official name no longer describes the day, and the entry has no note.
    assert cal.holiday_name(D(2025, 10, 8)) is None
    assert cal.kind(D(2025, 3, 5)) is DayKind.HOLIDAY
    assert cal.holiday_name(D(2025, 3, 5)) is None


def test_entry_agreeing_with_official_keeps_the_name() -> None:
    cal = WorkCalendar([OfficeEntry(D(2025, 10, 1), False)])
    assert cal.holiday_name(D(2025, 10, 1)) == "国庆节"


def test_later_entry_for_the_same_day_wins() -> None:
    cal = WorkCalendar([OfficeEntry(D(2027, 3, 1), False), OfficeEntry(D(2027, 3, 1), True)])
    assert cal.is_workday(D(2027, 3, 1))


def test_office_entry_changes_counting() -> None:
    plain = WorkCalendar()
    office = WorkCalendar([OfficeEntry(D(2027, 1, 1), False, "元旦")], [2027])
    assert plain.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert office.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


# --- counting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day0", "wd7", "wd20", "wd40"),
    [
        (D(2025, 9, 26), D(2025, 10, 13), D(2025, 10, 30), D(2025, 11, 27)),
        (D(2025, 12, 15), D(2025, 12, 24), D(2026, 1, 13), D(2026, 2, 10)),
        (D(2026, 2, 10), D(2026, 2, 26), D(2026, 3, 16), D(2026, 4, 14)),
    ],
)
def test_worked_examples(cal: WorkCalendar, day0: date, wd7: date, wd20: date, wd40: date) -> None:
    assert cal.add_workdays(day0, 7) == wd7
    assert cal.add_workdays(day0, 20) == wd20
    assert cal.add_workdays(day0, 40) == wd40
    assert cal.workdays_between(day0, wd40) == 40


def test_start_is_not_counted(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2025, 3, 3), 1) == D(2025, 3, 4)  # Mon → Tue
    assert cal.add_workdays(D(2025, 3, 7), 1) == D(2025, 3, 10)  # Fri → Mon
    assert cal.add_workdays(D(2025, 3, 8), 1) == D(2025, 3, 10)  # Sat → Mon
    assert cal.add_workdays(D(2025, 3, 3), 0) == D(2025, 3, 3)


def test_add_workdays_backwards(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2025, 3, 10), -1) == D(2025, 3, 7)
    assert cal.add_workdays(D(2026, 1, 5), -1) == D(2026, 1, 4)  # worked Sunday
    assert cal.add_workdays(D(2026, 1, 4), -1) == D(2025, 12, 31)


def test_year_boundaries(cal: WorkCalendar) -> None:
    # 2026-01-01..03 off, Sunday 01-04 worked.
    assert cal.add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert cal.add_workdays(D(2025, 12, 31), 20) == D(2026, 1, 29)
    assert cal.workdays_between(D(2025, 12, 31), D(2026, 1, 4)) == 1
    assert cal.workdays_between(D(2025, 12, 30), D(2026, 1, 3)) == 1
    assert cal.workdays_between(D(2024, 12, 31), D(2026, 12, 31)) == (
        naive_between(cal, D(2024, 12, 31), D(2026, 12, 31))
    )


def test_workdays_between_edges(cal: WorkCalendar) -> None:
    assert cal.workdays_between(D(2025, 3, 3), D(2025, 3, 3)) == 0
    assert cal.workdays_between(D(2025, 3, 3), D(2025, 3, 4)) == 1
    assert cal.workdays_between(D(2025, 3, 7), D(2025, 3, 9)) == 0
    assert cal.workdays_between(D(2025, 3, 10), D(2025, 3, 3)) == -5
    assert cal.workdays_between(D(2025, 1, 27), D(2025, 2, 5)) == 1  # 春节 in between


def test_whole_years(cal: WorkCalendar) -> None:
    # 2025: 261 weekdays, 18 of them holidays (1+6+1+3+1+6), plus 5 worked weekend days.
    assert cal.workdays_between(D(2024, 12, 31), D(2025, 12, 31)) == 248
    assert cal.workdays_between(D(2026, 12, 31), D(2027, 12, 31)) == 261  # Mon–Fri only


@pytest.mark.parametrize("seed", range(6))
def test_fast_counting_matches_day_by_day(seed: int) -> None:
    rng = random.Random(seed)
    entries = [
        OfficeEntry(D(2027, 1, 1), False, "元旦"),
        OfficeEntry(D(2027, 2, 6), True, "春节调休"),
        *(OfficeEntry(d, False, "春节") for d in _days(D(2027, 2, 8), D(2027, 2, 12))),
        OfficeEntry(D(2025, 3, 12), False, "本机关停止办公"),
    ]
    cal = WorkCalendar(entries, [2027])
    for _ in range(60):
        start = D(2024, 11, 1) + timedelta(days=rng.randrange(0, 900))
        n = rng.randrange(0, 300)
        end = cal.add_workdays(start, n)
        assert end == naive_add(cal, start, n), (start, n)
        assert cal.add_workdays(end, -n) <= start
        other = start + timedelta(days=rng.randrange(-400, 400))
        assert cal.workdays_between(start, other) == (
            naive_between(cal, start, other) - naive_between(cal, other, start)
        )


def test_holidays_and_worked_weekends_between(cal: WorkCalendar) -> None:
    assert cal.holidays_between(D(2025, 9, 26), D(2025, 10, 30)) == _days(
        D(2025, 10, 1), D(2025, 10, 8)
    )
    assert cal.worked_weekends_between(D(2025, 9, 26), D(2025, 10, 30)) == [
        D(2025, 9, 28),
        D(2025, 10, 11),
    ]
    # The bounds follow a < d ≤ b.
    assert cal.holidays_between(D(2025, 10, 1), D(2025, 10, 1)) == []
    assert cal.holidays_between(D(2025, 10, 1), D(2025, 10, 2)) == [D(2025, 10, 2)]
    assert cal.worked_weekends_between(D(2025, 12, 31), D(2026, 2, 28)) == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
    ]


def test_unscheduled_years(cal: WorkCalendar) -> None:
    assert cal.unscheduled_years(D(2026, 12, 14), D(2027, 1, 11)) == [2027]
    assert cal.unscheduled_years(D(2026, 12, 31), D(2026, 12, 31)) == []
    assert cal.unscheduled_years(D(2025, 1, 1), D(2026, 12, 31)) == []
    # The span starts the day after a, so a day 0 of 2026-12-31 reaches 2027 at once.
    assert cal.unscheduled_years(D(2026, 12, 30), D(2026, 12, 31)) == []
    assert WorkCalendar(office_years=[2027]).unscheduled_years(D(2026, 12, 1), D(2028, 1, 5)) == [
        2028
    ]


def test_fingerprint_tracks_entries_and_years() -> None:
    a = OfficeEntry(D(2027, 1, 1), False, "元旦")
    b = OfficeEntry(D(2027, 2, 6), True, "春节调休")
    base = WorkCalendar([a, b], [2027]).fingerprint()
    assert WorkCalendar([b, a], [2027]).fingerprint() == base
    assert WorkCalendar([a], [2027]).fingerprint() != base
    assert WorkCalendar([a, b]).fingerprint() != base
    assert WorkCalendar([a, b], [2027, 2028]).fingerprint() != base
    assert WorkCalendar([a, OfficeEntry(D(2027, 2, 6), True, "调休")], [2027]).fingerprint() != base
    assert WorkCalendar().fingerprint() == WorkCalendar().fingerprint()
    hash(base)


def test_many_years_are_cheap(cal: WorkCalendar) -> None:
    # Counting far ahead walks whole years, not days; it must still land on a working day.
    far = cal.add_workdays(D(2025, 1, 1), 7500)
    assert cal.is_workday(far)
    assert far.year == 2053
    assert cal.workdays_between(D(2025, 1, 1), far) == 7500


# --- schedule file -----------------------------------------------------------------------------

SCHEDULE_2027 = """\ufeff# 2027年节假日安排（示例）
year,2027

2027-01-01,休,元旦
2027-01-02,休,元旦
2027-01-03,休,元旦
2027-02-06,班,春节调休
2027-02-08，休，春节
2027-02-09\tholiday\t春节
2027/2/10,HOLIDAY
2027-02-20,Workday,春节调休
  # indented comment
"""


def test_parse_schedule_file() -> None:
    years, entries = parse_schedule_file(SCHEDULE_2027)
    assert years == [2027]
    assert entries == [
        OfficeEntry(D(2027, 1, 1), False, "元旦"),
        OfficeEntry(D(2027, 1, 2), False, "元旦"),
        OfficeEntry(D(2027, 1, 3), False, "元旦"),
        OfficeEntry(D(2027, 2, 6), True, "春节调休"),
        OfficeEntry(D(2027, 2, 8), False, "春节"),
        OfficeEntry(D(2027, 2, 9), False, "春节"),
        OfficeEntry(D(2027, 2, 10), False, ""),
        OfficeEntry(D(2027, 2, 20), True, "春节调休"),
    ]


def test_years_come_from_dates_and_declarations() -> None:
    years, _ = parse_schedule_file("year,2028\n2027-10-01,休,国庆节\n")
    assert years == [2027, 2028]
    years, entries = parse_schedule_file("年份,2029\n")
    assert (years, entries) == ([2029], [])


def _schedule_text(off: list[date], worked: list[date]) -> str:
    lines = [f"{d.isoformat()},休" for d in off] + [f"{d.isoformat()},班" for d in worked]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("year", "off", "worked"), [(2025, OFF_2025, WORKED_2025), (2026, OFF_2026, WORKED_2026)]
)
def test_real_notices_import_and_reproduce_the_official_calendar(
    year: int, off: list[date], worked: list[date]
) -> None:
    years, entries = parse_schedule_file(_schedule_text(off, worked))
    assert years == [year]
    imported = WorkCalendar(entries, years)
    official = WorkCalendar()
    for day in _days(D(year, 1, 1), D(year, 12, 31)):
        assert imported.is_workday(day) == official.is_workday(day), day


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("2027-13-01,休", 1, "不存在"),
        ("2027-02-30,休", 1, "不存在"),
        ("20270101,休", 1, "格式不对"),
        ("# c\n\n01/01/2027,休", 3, "格式不对"),
        ("2027-01-01,放个假", 1, "无法识别"),
        ("2027-01-01", 1, "缺少"),
        ("2027-01-01,", 1, "缺少"),
        ("2027-01-01,休,元旦,多余", 1, "字段过多"),
        ("2027-01-01,休\n2027-01-01,休", 2, "重复"),
        ("year,二〇二七", 1, "年份行"),
        ("year,1999", 1, "2000"),
        ("1999-01-01,休", 1, "2000"),
        ("", 1, "没有任何日期"),
        ("# only a comment\n", 1, "没有任何日期"),
        # 2027-02-03 is a Wednesday: marking it 班 changes nothing, so it is a mistyped date.
        ("2027-01-01,休\n2027-02-03,班,春节调休", 2, "本来就是工作日"),
        # 2027-03-06 is a Saturday next to no weekday holiday.
        ("2027-01-01,休\n2027-03-06,休", 2, "不像是假期"),
    ],
)
def test_schedule_file_errors(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ScheduleFileError) as info:
        parse_schedule_file(text)
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"第{line}行：")
    assert isinstance(info.value, Refused) and not isinstance(info.value, ValueError)


def test_weekend_holiday_touching_a_weekday_holiday_is_accepted() -> None:
    # Saturday and Sunday before a Monday holiday, and a Saturday after a Friday holiday.
    _, entries = parse_schedule_file(
        "2027-05-01,休\n2027-05-02,休\n2027-05-03,休\n2027-01-01,休\n2027-01-02,休"
    )
    assert len(entries) == 5
