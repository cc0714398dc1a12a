"""Settings, holiday schedules, file import and table 二 as operations: role, audit, Result."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cases.actions import holidays, imports
from cases.actions.settings import change_setting, save_profile
from cases.office.profile import OfficeProfile
from cases.rules import settings
from cases.storage.model import HolidayEntry
from cases.storage.store import Store
from tests.actions_support import Desk

D = dt.date
SCHEDULE = """year,2027
2027-01-01,休,元旦
2027-02-06,班,春节调休
2027-02-08,休,春节
"""


def test_every_setting_is_declared_with_a_label_a_role_and_a_valid_default() -> None:
    for declared in settings.SPECS:
        assert declared.label and declared.role in {"admin", "reviewer", "handler", "signer"}
        if declared.key != settings.OFFICE_PROFILE:
            assert declared.problem(declared.initial()) is None, declared.key


def test_a_setting_is_changed_by_its_role_only_and_audited(store: Store) -> None:
    desk = Desk.open(store)
    by_handler = desk.refuse(change_setting, desk.handler, settings.AMBER_DAYS, 5)
    assert by_handler.field == "role" and "临期提醒" in by_handler.message
    wrong_type = desk.refuse(change_setting, desk.admin, settings.AMBER_DAYS, True)
    assert wrong_type.field == settings.AMBER_DAYS and "整数" in wrong_type.message
    too_big = desk.refuse(change_setting, desk.admin, settings.AMBER_DAYS, 99)
    assert "不能大于20" in too_big.message
    unknown = desk.refuse(change_setting, desk.admin, "no.such", 1)
    assert unknown.field == "setting"
    changed = desk.run(change_setting, desk.admin, settings.AMBER_DAYS, 5)
    assert changed.changes.settings and changed.changes.case_list  # warnings move in the lists
    with store.session() as s:
        assert settings.value(s, settings.AMBER_DAYS) == 5
    (record,) = [r for r in desk.trail_all() if r.action == "setting"]
    assert (record.field, record.old, record.new) == (settings.AMBER_DAYS, "3", "5")


def test_the_profile_is_saved_by_an_administrator(store: Store) -> None:
    desk = Desk.open(store)
    office = OfficeProfile(issuing_body="上海市长宁区人民政府")
    refusal = desk.refuse(save_profile, desk.handler, office)
    assert refusal.field == "role"
    saved = desk.run(save_profile, desk.admin, office)
    assert saved.changes.settings and saved.value.issuing_body == "上海市长宁区人民政府"


def test_a_holiday_preview_writes_nothing_and_the_import_audits_each_day(store: Store) -> None:
    desk = Desk.open(store)
    schedule = holidays.read_schedule("2027.txt", SCHEDULE.encode())
    refusal = desk.refuse(holidays.preview, desk.handler, schedule)
    assert refusal.field == "role" and "录入节假日安排需要" in refusal.message
    before = desk.snapshot()
    with store.session() as s:
        preview = holidays.preview(s, desk.admin, schedule)
    assert desk.snapshot() == before
    assert set(preview.value.entries) == {D(2027, 1, 1), D(2027, 2, 6), D(2027, 2, 8)}
    # Three days off is not a year's schedule: said, not refused.
    assert any("只有2天放假" in w.message for w in preview.warnings)
    done = desk.run(holidays.import_schedule, desk.admin, schedule)
    assert done.changes.calendar and done.warnings == preview.warnings
    fields = {r.field: (r.old, r.new) for r in desk.trail_all() if r.action == "holidays_import"}
    assert fields["holiday[2027-01-01]"] == (None, "放假 元旦")
    assert fields["holiday[2027-02-06]"] == (None, "调休上班 春节调休")
    assert fields["schedule[2027].source"] == (None, "2027.txt")
    again = holidays.read_schedule("2027b.txt", b"year,2027\n2027-01-01,\xe4\xbc\x91\n")
    desk.run(holidays.import_schedule, desk.admin, again)
    fields = {r.field: (r.old, r.new) for r in desk.trail_all() if r.action == "holidays_import"}
    assert fields["holiday[2027-01-01]"] == ("放假 元旦", "放假")
    assert fields["holiday[2027-02-08]"] == ("放假 春节", None)
    with store.session() as s:
        assert [e.day for e in s.query(HolidayEntry)] == [D(2027, 1, 1)]


def test_a_bad_schedule_file_is_refused_naming_file_and_line() -> None:
    with pytest.raises(holidays.ActionRefused) as info:
        holidays.read_schedule("x.txt", b"year,2027\n2027-13-01,\xe4\xbc\x91\n")
    assert info.value.field == "file" and info.value.message.startswith("x.txt 第2行：")


def test_an_import_is_an_administrators_operation(store: Store, tmp_path: Path) -> None:
    desk = Desk.open(store)
    path = tmp_path / "c.jsonl"
    line = {
        "no": "A-1", "received": "2025-03-03", "channel": "in_person",
        "applicant": {"type": "natural_person", "name": "周晓梅"},
        "request": {"description": "申请公开预算", "form": "paper", "delivery": "post"},
    }  # fmt: skip
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    refusal = desk.refuse(imports.import_file, desk.handler, path)
    assert refusal.field == "role" and refusal.message.startswith("导入案件需要")
    wrong = desk.refuse(imports.import_file, desk.admin, tmp_path / "c.csv")
    assert wrong.field == "file"
    done = desk.run(imports.import_file, desk.admin, path)
    assert done.value.written == 1 and done.changes.case_list
    assert done.changes.cases == {desk.case("A-1").id}


def test_table2_is_entered_by_the_disclosure_office(store: Store) -> None:
    from cases.documents.report import table2_keys

    desk = Desk.open(store)
    key = table2_keys()[0]
    refusal = desk.refuse(imports.enter_table2, desk.handler, 2025, {key: 3})
    assert refusal.field == "role"
    done = desk.run(imports.enter_table2, desk.reviewer, 2025, {key: 3})
    assert list(done.value) == [key] and done.changes.empty


def test_the_lists_follow_the_offices_amber_threshold(store: Store) -> None:
    from cases.query import caselist
    from cases.timing import dates, deadlines
    from cases.timing.clock import Channel, ClockFacts, WarningLevel, compute

    desk = Desk.open(store)
    with store.session() as s:
        cal = deadlines.load_calendar(s)
    today = dates.today()
    # A case whose reply is due four working days from today.
    received = next(
        today - dt.timedelta(days=n)
        for n in range(20, 60)
        if (due := compute(ClockFacts(today - dt.timedelta(days=n), Channel.IN_PERSON), cal).due)
        and cal.workdays_between(today, due) == 4
    )
    desk.register(received)
    amber = caselist.CaseQuery(warning=WarningLevel.AMBER)
    with store.session() as s:
        assert caselist.case_ids(s, amber) == []
    desk.do(change_setting, desk.admin, settings.AMBER_DAYS, 5)
    with store.session() as s:
        assert caselist.office_amber_days(s) == 5
        assert len(caselist.case_ids(s, amber)) == 1


def test_the_preview_names_the_deadlines_the_import_moves(store: Store, tmp_path: Path) -> None:
    desk = Desk.open(store)
    # Received 2026-11-20 and extended: 40 WD reach 2027, which has no official schedule, so the
    # due date 2027-01-15 is provisional; with 元旦 off it moves to 2027-01-18.
    line = {
        "no": "A-1", "received": "2026-11-20", "channel": "in_person",
        "applicant": {"type": "natural_person", "name": "周晓梅"},
        "request": {"description": "申请公开预算", "form": "paper", "delivery": "post"},
        "events": [{"kind": "extension", "on": "2026-11-25", "approved_by": "主任"}],
    }  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    desk.do(imports.import_file, desk.admin, path)
    schedule = holidays.read_schedule("2027.txt", SCHEDULE.encode())
    with store.session() as s:
        preview = holidays.preview(s, desk.admin, schedule).value
    (moved,) = preview.moved
    assert (moved.case_no, moved.old_due, moved.new_due) == ("A-1", D(2027, 1, 15), D(2027, 1, 18))
    assert moved.old_provisional and not moved.new_provisional
    done = desk.run(holidays.import_schedule, desk.admin, schedule)
    assert done.value.moved == preview.moved
    assert done.changes.cases == {desk.case("A-1").id} and done.changes.case_list
    assert desk.case("A-1").due == D(2027, 1, 18)
