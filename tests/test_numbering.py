"""Case numbers: the pattern setting, gapless per-year sequences, concurrent registrations."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from cases import actions
from cases.actions.settings import change_setting
from cases.office import numbering
from cases.storage.model import AuditRecord, LetterCounter, Setting
from cases.storage.store import Store, open_store
from tests.actions_support import D, Desk, applicant


def test_default_pattern_is_year_and_six_digits(store: Store) -> None:
    desk = Desk.open(store)
    assert [desk.register(D(2025, 3, 3)) for _ in range(2)] == ["2025-000001", "2025-000002"]
    assert desk.register(D(2026, 1, 5)) == "2026-000001"  # each year starts again
    assert desk.register(D(2025, 12, 30)) == "2025-000003"


def test_an_office_pattern_from_the_settings(store: Store) -> None:
    desk = Desk.open(store)
    pattern = "崇府信公申〔{year}〕第{seq}号"
    desk.do(change_setting, desk.admin, numbering.SETTING_KEY, pattern)
    assert desk.register(D(2025, 4, 1)) == "崇府信公申〔2025〕第1号"
    assert desk.register(D(2025, 4, 1)) == "崇府信公申〔2025〕第2号"
    with store.session() as s:
        stored = s.get(Setting, numbering.SETTING_KEY)
        assert stored is not None and json.loads(stored.value) == pattern
        rows = s.scalars(select(AuditRecord).where(AuditRecord.action == "setting")).all()
        assert [(r.field, r.old, r.new) for r in rows] == [
            (numbering.SETTING_KEY, numbering.DEFAULT_PATTERN, pattern)
        ]


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("", "不能为空"),
        ("{year}-{n}", "不能使用 {n}"),
        ("{year}", "必须包含序号"),
        ("{seq.__class__}", "不能使用"),
        ("{seq!r}", "不能带"),
        ("{seq:>8}", "只能写成位数"),
        ("{year}-{seq", "不配对"),
    ],
)
def test_bad_patterns_are_refused(store: Store, pattern: str, says: str) -> None:
    desk = Desk.open(store)
    refusal = desk.refuse(change_setting, desk.admin, numbering.SETTING_KEY, pattern)
    assert refusal.field == "case_number_pattern"
    assert says in refusal.message


def test_only_an_administrator_changes_the_pattern(store: Store) -> None:
    desk = Desk.open(store)
    refusal = desk.refuse(change_setting, desk.handler, numbering.SETTING_KEY, "{year}/{seq}")
    assert refusal.field == "role" and "管理员" in refusal.message


def test_a_rolled_back_registration_gives_its_number_back(store: Store) -> None:
    desk = Desk.open(store)
    assert desk.register() == "2025-000001"
    with pytest.raises(RuntimeError), store.transaction() as s:
        taken = numbering.next_case_number(s, 2025)
        assert taken == "2025-000002"
        raise RuntimeError("the user cancelled")
    assert desk.register() == "2025-000002"


def test_numbers_typed_by_hand_are_skipped(store: Store) -> None:
    desk = Desk.open(store)
    assert desk.register(no="2025-000002") == "2025-000002"
    assert desk.register() == "2025-000001"
    assert desk.register() == "2025-000003"
    with store.session() as s:
        assert numbering.peek_next_number(s, 2025) == "2025-000004"
        last = s.scalars(select(LetterCounter.last).where(LetterCounter.kind == "case")).one()
        assert last == 3


def test_a_number_in_use_is_refused(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    refusal = desk.refuse(
        actions.register,
        desk.handler,
        applicant=applicant("李四", None),
        channel="in_person",
        description="又一份申请",
        received=D(2025, 3, 4),
        no=no,
    )
    assert refusal.field == "no" and "已被使用" in refusal.message


def test_peek_does_not_take_a_number(store: Store) -> None:
    desk = Desk.open(store)
    with store.session() as s:
        assert numbering.peek_next_number(s, 2025) == "2025-000001"
    assert desk.register() == "2025-000001"


def test_two_desks_registering_at_once_get_different_consecutive_numbers(store: Store) -> None:
    desk = Desk.open(store)  # no case yet: the desks also race to create the year's counter
    url = store.engine.url.render_as_string(hide_password=False)
    start = threading.Barrier(4)
    results: list[str] = []
    errors: list[BaseException] = []

    def register_many() -> None:
        other = open_store(url)  # a second desk: its own engine and connections
        try:
            start.wait()
            for _ in range(5):
                with other.transaction() as s:
                    case = actions.register(
                        s,
                        desk.handler,
                        channel="in_person",
                        applicant=applicant(),
                        description="并发登记",
                        received=D(2025, 3, 3),
                    )
                    results.append(case.value.no)
        except BaseException as exc:
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=register_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [f"2025-{n:06d}" for n in range(1, 21)]


def test_a_broken_pattern_in_the_settings_refuses_registration(store: Store) -> None:
    desk = Desk.open(store)
    with store.transaction() as s:
        s.add(Setting(key=numbering.SETTING_KEY, value=json.dumps("{year}-{name}")))
    refusal = desk.refuse(
        actions.register, desk.handler, channel="in_person", applicant=applicant(),
        description="x", received=D(2025, 3, 3),
    )  # fmt: skip
    assert refusal.field == "case_number_pattern" and "请管理员修改" in refusal.message
