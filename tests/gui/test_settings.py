"""The settings page driven by an administrator (and read by others): users, calendar, rules,
templates and the office profile, each change through the core's audited operations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cases.documents.letters import default_templates_dir
from cases.office import profile, users
from cases.rules import settings
from cases.storage.model import AuditRecord, Case
from cases.storage.store import Store
from cases.timing import deadlines
from gui.operations import OperationRunner
from gui.settings.calendar import PreviewDialog
from gui.settings.page import SettingsPage
from gui.signin import SignInDialog
from tests.gui.conftest import TODAY
from tests.gui.support import PASSWORD, make_user
from tests.report_support import D, add_case


@pytest.fixture
def admin(store: Store) -> users.User:
    return make_user(store, "admin", ("admin",), "管理员")


def page_for(store: Store, qtbot: QtBot, who: users.User | None) -> SettingsPage:
    page = SettingsPage(OperationRunner(store), user=lambda: who, today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    return page


def actions_of(store: Store, action: str) -> list[AuditRecord]:
    with store.session() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_create_a_user_and_sign_in_as_them(store: Store, qtbot: QtBot, admin: users.User) -> None:
    page = page_for(store, qtbot, admin)
    section = page.users
    assert section.create_button.isEnabled()
    assert section.create_user("lihua", "李华", "li-hua-2025", ["handler", "reviewer"])
    assert [u.username for u in section.people] == ["admin", "lihua"]
    shown = [section.table.item(1, c).text() for c in range(4)]
    assert shown == ["lihua", "李华", "承办人、审核人", "在用"]
    assert [r.actor for r in actions_of(store, "create_user")][-1] == "admin"

    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.who.setCurrentIndex(dialog.who.findData("lihua"))
    dialog.password.setText("li-hua-2025")
    dialog.try_sign_in()
    assert dialog.user is not None and dialog.user.username == "lihua"
    assert dialog.user.role_set == frozenset({"handler", "reviewer"})

    # disabled, never deleted: the row stays and signing in is refused
    section.table.selectRow(1)
    assert section.set_active(section.people[1], False)
    assert section.table.item(1, 3).text() == "已停用"
    with store.session() as s:
        assert users.find_user(s, "lihua") is not None
        with pytest.raises(users.ActionRefused):
            users.authenticate(s, "lihua", "li-hua-2025")
    assert section.reset_password(section.people[0], "admin-new-7")
    with store.session() as s:
        assert users.authenticate(s, "admin", "admin-new-7").username == "admin"


def test_a_bad_user_is_refused_and_nobody_is_added(
    store: Store, qtbot: QtBot, admin: users.User
) -> None:
    page = page_for(store, qtbot, admin)
    runner = page.users.runner
    with qtbot.waitSignal(runner.refused) as refused:
        assert not page.users.create_user("admin", "重名", PASSWORD, ["handler"])
    assert "已被使用" in refused.args[1]
    assert len(page.users.people) == 1


def test_others_read_only(store: Store, qtbot: QtBot, admin: users.User) -> None:
    clerk = make_user(store, "clerk", ("handler",))
    page = page_for(store, qtbot, clerk)
    assert not page.users.create_button.isEnabled()
    assert page.users.read_only.isVisibleTo(page.users)
    assert not page.calendar.import_button.isEnabled()
    assert not page.rules.save_button.isEnabled()
    assert not page.profile.save_button.isEnabled()
    assert not page.templates.install_button.isEnabled()
    with qtbot.waitSignal(page.users.runner.refused):
        page.users.create_user("x", "某", PASSWORD, ["handler"])  # the core refuses it too
    with store.session() as s:
        assert users.find_user(s, "x") is None


SCHEDULE = """year,2027
2027-01-01,休,元旦
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-10,休,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-13,班,春节调休
2027-04-05,休,清明节
2027-05-01,休,劳动节
2027-05-03,休,劳动节
2027-05-04,休,劳动节
2027-05-05,休,劳动节
2027-06-09,休,端午节
2027-09-15,休,中秋节
2027-10-01,休,国庆节
2027-10-04,休,国庆节
2027-10-05,休,国庆节
2027-10-06,休,国庆节
2027-10-07,休,国庆节
"""


def test_import_a_holiday_file_with_a_preview_of_the_moved_deadlines(
    store: Store, qtbot: QtBot, admin: users.User, tmp_path: Path
) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        days = (("跨年-1", D(2026, 12, 14)), ("跨年-2", D(2026, 12, 28)), ("年内", D(2026, 3, 2)))
        for no, day in days:
            deadlines.refresh(add_case(s, no, day), cal)
    with store.session() as s:
        before = {c.no: (c.due, c.due_provisional) for c in s.scalars(select(Case))}
    assert before["跨年-2"][1] and not before["年内"][1]
    path = tmp_path / "2027.txt"
    path.write_text(SCHEDULE, encoding="utf-8")
    page = page_for(store, qtbot, admin)
    section = page.calendar
    section.year.setValue(2027)
    assert "尚未录入" in section.status.text()

    plan = section.plan_import(path)
    assert plan is not None
    with store.session() as s:  # the preview wrote nothing
        assert {c.no: (c.due, c.due_provisional) for c in s.scalars(select(Case))} == before
        assert not deadlines.load_calendar(s).has_schedule(2027)
    dialog = PreviewDialog(plan, page)
    qtbot.addWidget(dialog)
    table = dialog.moved
    moved = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert set(moved) == {m.case_no for m in plan.value.moved} == {"跨年-1", "跨年-2"}
    assert f"{len(plan.value.moved)} 件未办结案件的答复期限将改变" in dialog.summary.text()

    done = section.apply(plan)
    assert done is not None
    with store.session() as s:
        after = {c.no: (c.due, c.due_provisional) for c in s.scalars(select(Case))}
    for m in plan.value.moved:
        assert after[m.case_no] == (m.new_due, m.new_provisional)  # as the preview said
        assert moved[m.case_no].startswith(m.new_due.isoformat() if m.new_due else "")
    assert not after["跨年-2"][1]  # no longer provisional
    assert after["年内"] == before["年内"]
    assert "本机关录入" in section.status.text()
    assert section.day_kind(D(2027, 2, 13)).value == "worked_weekend"
    assert actions_of(store, "holidays_import")


def test_rules_are_saved_through_the_declared_settings(
    store: Store, qtbot: QtBot, admin: users.User
) -> None:
    page = page_for(store, qtbot, admin)
    rules = page.rules
    rules.editors[settings.AMBER_DAYS].setValue(5)  # type: ignore[union-attr]
    assert rules.save()
    with store.session() as s:
        assert settings.value(s, settings.AMBER_DAYS) == 5
    assert actions_of(store, "setting")
    rules.editors[settings.CASE_NUMBER_PATTERN].setText("没有序号")  # type: ignore[union-attr]
    with qtbot.waitSignal(rules.runner.refused):
        assert not rules.save()
    with store.session() as s:
        assert settings.value(s, settings.CASE_NUMBER_PATTERN) == "{year}-{seq:06d}"


def test_templates_overridden_opened_and_restored(
    store: Store, qtbot: QtBot, admin: users.User, tmp_path: Path, isolated_home: Path
) -> None:
    page = page_for(store, qtbot, admin)
    section = page.templates
    assert not any(r.office for r in section.rows)
    source = tmp_path / "my-reply.docx"
    shutil.copyfile(default_templates_dir() / "reply.docx", source)
    assert section.install("reply", source)
    reply = next(r for r in section.rows if r.kind == "reply")
    assert reply.office and reply.problem is None
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a word file")
    with qtbot.waitSignal(section.runner.refused):
        assert not section.install("receipt", bad)
    assert not next(r for r in section.rows if r.kind == "receipt").office
    assert section.restore("reply")
    assert not next(r for r in section.rows if r.kind == "reply").office
    kept = list((isolated_home / "templates").glob("reply.docx.replaced-*"))
    assert len(kept) == 1  # set aside, not deleted
    assert {r.action for r in actions_of(store, "template_install")} == {"template_install"}
    assert actions_of(store, "template_restore")


def test_office_profile_and_its_units(store: Store, qtbot: QtBot, admin: users.User) -> None:
    page = page_for(store, qtbot, admin)
    section = page.profile
    section.lines["contact"].setText("王老师")
    row = section.units.rowCount()
    section.units.insertRow(row)
    unit = ("区测试局", "上海市崇明区测试局", "", "", "", "", "上海市崇明区人民政府")
    for col, text in enumerate(unit):
        section.units.setItem(row, col, QTableWidgetItem(text))
    assert section.save()
    with store.session() as s:
        saved = profile.load_profile(s)
    assert saved.contact == "王老师"
    assert saved.unit("区测试局").reconsideration_body == "上海市崇明区人民政府"
    section.patterns.item(0, 1).setText("没有年份")
    with qtbot.waitSignal(section.runner.refused):
        assert not section.save()
    with store.session() as s:
        assert profile.load_profile(s).pattern(section._kinds[0]) == saved.pattern(
            section._kinds[0]
        )
    assert actions_of(store, "office_profile") or actions_of(store, "profile")
