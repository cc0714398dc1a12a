"""Revision 0015 under attack: the kept applicant type after the window's actions and archiving."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from sqlalchemy import text

from cases import actions
from cases.interchange.records import ApplicantData
from cases.storage import store as store_mod
from cases.storage import verify
from cases.storage.store import Store
from tests.actions_support import D, Desk
from tests.report_support import add_case
from tests.test_case_types import BEFORE, assert_kept, copied_case, kept_and_actual, raw


def test_registered_split_corrected_archived_and_reviewed_cases_keep_their_type(
    store: Store,
) -> None:
    desk = Desk.open(store)
    research = ApplicantData(type="research", name="某研究所")
    no = desk.register(D(2025, 3, 3), who=research, description="甲地块；乙地块；丙路")
    other = desk.register(D(2025, 3, 4))  # 张三, a natural person
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.request_correction, desk.handler, no, items="请明确地块", on=D(2025, 3, 5))
    desk.do(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 10))
    parts = desk.do(actions.split, desk.handler, no, ["甲地块", "乙地块", "丙路"])
    assert {kept_and_actual(store)[p.no] for p in parts} == {("research", "research")}
    assert_kept(store)
    desk.to_handle(other)
    desk.close(other, "disclose_public", ["website"], D(2025, 3, 20), D(2025, 3, 21))
    assert desk.case(other).archived_at is not None
    assert kept_and_actual(store)[other] == ("natural_person", "natural_person")
    desk.do(actions.add_review, desk.handler, other, kind="reconsideration", filed=D(2025, 4, 1))
    assert_kept(store)
    # An applicant with open cases only takes a new type by raw SQL; its cases follow.
    raw(store, "UPDATE applicants SET type = 'enterprise' WHERE name = '某研究所'")
    assert {kept_and_actual(store)[p.no] for p in parts} == {("enterprise", "enterprise")}
    # One with an archived case was refused before 0015 and still is, by 0010's trigger.
    with pytest.raises(Exception, match="已归档的案件不可修改"):
        raw(store, "UPDATE applicants SET type = 'enterprise' WHERE name = '张三'")
    assert_kept(store)
    with store.session() as session:
        assert verify.verify(session).ok
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 4


def test_a_case_written_while_its_applicants_type_changes_takes_the_new_type(
    store: Store,
) -> None:
    # PostgreSQL: desk A writes a case of applicant X while an administrator's transaction has
    # changed X's type and not yet committed. The applicant's trigger cannot see A's case, so
    # A's trigger must wait for the new type rather than copy the old one.
    if store.is_sqlite:
        pytest.skip("SQLite has one writer at a time")
    with store.transaction() as session:
        add_case(session, "W1", D(2025, 2, 1), kind="natural_person")
    written = threading.Event()
    with store.engine.connect() as admin:
        admin.execute(text("UPDATE applicants SET type = 'enterprise' WHERE name = '申请人W1'"))

        def desk() -> None:
            copied_case(store, "W1", "W2", None)  # in a transaction of its own
            written.set()

        other = threading.Thread(target=desk)
        other.start()
        written.wait(timeout=1.0)  # without a lock the desk's case is in before the commit
        admin.commit()
        other.join(timeout=30)
    assert written.is_set()
    assert kept_and_actual(store)["W2"] == ("enterprise", "enterprise")


def test_postgresql_upgrade_rewrites_only_the_cases_not_of_the_commonest_type(
    store: Store,
) -> None:
    # Each rewritten row recomputes every index entry, search_terms() of the search index
    # included (about a millisecond a case): 300,000 cases took eight minutes. The commonest
    # type is the new column's value for the rows already there, so only the rest are written.
    if store.is_sqlite:
        pytest.skip("SQLite adds the column without rewriting a row, and fills it in place")
    with store.transaction() as session:
        for n in range(1, 4):
            add_case(session, f"P{n}", D(2025, 2, n), kind="natural_person")
        add_case(session, "P4", D(2025, 2, 4), kind="research")
    raw(store, "UPDATE cases SET archived_at = CURRENT_TIMESTAMP WHERE no IN ('P1', 'P4')")
    with store.engine.begin() as conn:
        command.downgrade(store_mod._alembic_config(conn), BEFORE)
    where = "SELECT no, ctid::text FROM cases ORDER BY no"
    with store.engine.connect() as conn:
        before = dict(conn.execute(text(where)).all())
    with store.engine.begin() as conn:
        command.upgrade(store_mod._alembic_config(conn), "head")
    with store.engine.connect() as conn:
        after = dict(conn.execute(text(where)).all())
        default = conn.execute(
            text(
                "SELECT column_default FROM information_schema.columns "
                "WHERE table_name = 'cases' AND column_name = 'applicant_type'"
            )
        ).scalar()
    assert [no for no in before if before[no] != after[no]] == ["P4"]
    assert default is None  # a case written later takes its type from the trigger alone
    assert kept_and_actual(store)["P4"] == ("research", "research")
    assert_kept(store)
    copied_case(store, "P2", "P5", None)
    assert kept_and_actual(store)["P5"] == ("natural_person", "natural_person")
    with store.session() as session:
        assert verify.verify(session).ok
