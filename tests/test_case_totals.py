"""Revision 0014: the case totals filled from the cases there, kept by SQLite alone, and checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, inspect, text

import main
from cases.documents import report, report_snapshot
from cases.storage import store as store_mod
from cases.storage import totals, verify
from cases.storage.store import Store
from tests.report_support import D, add_case

CASES = (
    ("T1", D(2024, 12, 31), "natural_person", "disclose", D(2025, 1, 3)),
    ("T2", D(2025, 2, 1), "enterprise", None, None),
    ("T3", D(2025, 2, 2), "enterprise", "partial", D(2025, 3, 1)),
    ("T4", D(2025, 2, 3), "enterprise", "partial", D(2025, 3, 2)),
)

# The revision before 0014, whichever it is once the branches are merged.
BEFORE = str(store_mod.script_directory().get_revision("0014").down_revision)


def fill(store: Store) -> None:
    with store.transaction() as session:
        for no, received, kind, code, on in CASES:
            reviews = [("reconsideration", D(2025, 4, 1), None, None)] if no == "T3" else []
            add_case(session, no, received, kind=kind, outcome=code, on=on, reviews=reviews)
        add_case(session, "T5", D(2025, 4, 1), voided=True)


def table_names(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_revision_0014_goes_down_and_up_again_with_cases_in_the_file(store: Store) -> None:
    fill(store)
    sqlite = store.engine.dialect.name == "sqlite"
    kept = {"case_totals", "review_totals"}
    assert (kept <= table_names(store)) is sqlite  # PostgreSQL counts the cases and reviews
    with store.session() as session:
        before = report.build_report(session, 2025)
    try:
        with store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), BEFORE)
        assert not kept & table_names(store)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
            if sqlite:  # the triggers went with the table: cases can be written without it
                names = "SELECT name FROM sqlite_master WHERE name LIKE '%_totals%'"
                assert conn.execute(text(names)).all() == []
        with store.session() as session:  # a file left at the older revision is counted
            unmigrated = report.build_report(session, 2025)
            assert [r.values for r in unmigrated.rows] == [r.values for r in before.rows]
            assert unmigrated.table4 == before.table4 and unmigrated.checks == before.checks
        with store.transaction() as session:
            add_case(session, "T6", D(2025, 5, 1), kind="research")
    finally:
        with store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    with store.session() as session:
        after = report.build_report(session, 2025)
        if sqlite:  # filled from the cases there, T6 included, T5 (voided) left out
            assert totals.differences(session) == []
            assert totals.reviews_of_year(session, 2025) == [
                (("reconsideration", None, 2025, None, None), 1)
            ]
            rows = {key[:4]: n for key, n in totals.cases_of_year(session, 2025)}
            assert rows == {
                ("natural_person", "disclose", 2024, 2025): 1,
                ("enterprise", None, 2025, None): 1,
                ("enterprise", "partial", 2025, 2025): 2,
                ("research", None, 2025, None): 1,
            }
    new = ("一、本年新收政府信息公开申请数量",)
    assert after.value(new, "总计") == before.value(new, "总计") + 1
    assert after.value(new, "科研机构") == 1
    assert after.table4 == before.table4 and sum(after.table4) == 2  # pending, and its total


def test_verify_names_totals_that_differ_from_a_recount(
    sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    fill(sqlite_store)
    url = str(sqlite_store.target.path)
    assert main.run(["--db", url, "verify"]) == 0
    with sqlite_store.transaction() as session:  # behind the triggers' back
        session.execute(
            text("UPDATE case_totals SET cases = cases + 1 WHERE applicant_type = 'enterprise'")
        )
    with sqlite_store.session() as session:
        found = verify.verify(session)
        assert [f.kind for f in found.findings] == ["totals"]
        assert [d.kept - d.counted for d in totals.differences(session)] == [1, 1]
    with sqlite_store.transaction() as session:
        session.execute(text("DELETE FROM review_totals"))
    with sqlite_store.session() as session:
        found = verify.verify(session)
        assert [f.kind for f in found.findings] == ["totals"]
        wrong = totals.differences(session)
        assert [(d.table, d.kept - d.counted) for d in wrong] == [
            ("case_totals", 1),
            ("case_totals", 1),
            ("review_totals", -1),
        ]
    capsys.readouterr()
    assert main.run(["--db", url, "verify"]) == 1
    said = capsys.readouterr().err
    assert "3 组与逐件重新统计不符" in said
    assert "2025年收到、2025年办结（partial）、申请人类型 enterprise" in said
    assert "记为 3 件，实有 2 件" in said


def test_dates_are_kept_by_their_year(sqlite_store: Store) -> None:
    """The triggers read a date's year from SQLite's text; the report's bounds are whole years."""
    with sqlite_store.transaction() as session:
        add_case(session, "Y1", dt.date(2025, 12, 31), outcome="disclose", on=dt.date(2026, 1, 1))
    with sqlite_store.session() as session:
        keys = [key for key, _ in totals.cases_of_year(session, 2025)]
    assert [(k[2], k[3]) for k in keys] == [(2025, 2026)]


def test_the_cases_carried_forward_are_found_by_the_index_of_cases_open_across_years(
    sqlite_store: Store,
) -> None:
    fill(sqlite_store)
    sent: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, _x: Any, _m: Any) -> None:
        sent.append((statement, params))

    with sqlite_store.session() as session:
        built = report.build_report(session, 2025)
        event.listen(sqlite_store.engine, "before_cursor_execute", keep)
        try:
            carried = report_snapshot._carried(session, built, 2025)
        finally:
            event.remove(sqlite_store.engine, "before_cursor_execute", keep)
        assert carried == [["T2", "enterprise"]]
        (statement, params), *_ = [s for s in sent if "substr" in s[0]]
        plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
        assert "ix_cases_open_across_years" in " ".join(str(row[-1]) for row in plan)


class Abandoned(Exception):
    """Leaves a transaction without committing it."""


def test_changes_not_yet_written_count_as_counting_the_cases_sees_them(sqlite_store: Store) -> None:
    """The kept totals are read by a textual statement, which the session flushes before like
    an ORM query (SQLAlchemy 2.0's rule): the triggers have counted the pending case by then."""
    fill(sqlite_store)
    new = ("一、本年新收政府信息公开申请数量",)
    with pytest.raises(Abandoned), sqlite_store.transaction() as session:
        add_case(session, "P1", D(2025, 6, 1), kind="research")  # pending in the session
        assert report.build_report(session, 2025).value(new, "科研机构") == 1
        raise Abandoned
    with sqlite_store.session() as session:
        assert report.build_report(session, 2025).value(new, "科研机构") == 0
