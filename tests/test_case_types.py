"""Revision 0015: the applicant's type each case keeps, on every path that writes a case."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text

import main
from cases.actions import imports
from cases.interchange import exchange
from cases.rules.handbook import RoleId
from cases.storage import case_types, verify
from cases.storage import store as store_mod
from cases.storage.model import Applicant, Case, User
from cases.storage.store import Store, open_store
from tests.report_support import D, add_case
from tests.test_exchange import applicant, record

# The revision before 0015, whichever it is once the branches are merged.
BEFORE = str(store_mod.script_directory().get_revision("0015").down_revision)


def kept_and_actual(store: Store) -> dict[str, tuple[str | None, str]]:
    """Each case's kept type beside its applicant's, by case number."""
    with store.engine.connect() as conn:
        rows: Any = conn.execute(
            text(
                "SELECT c.no, c.applicant_type, a.type FROM cases AS c "
                "JOIN applicants AS a ON a.id = c.applicant_id"
            )
        ).all()
    return {no: (kept, actual) for no, kept, actual in rows}


def assert_kept(store: Store) -> None:
    found = kept_and_actual(store)
    assert found and all(kept == actual for kept, actual in found.values()), found


def raw(store: Store, sql: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def copied_case(store: Store, source_no: str, no: str, kept: str | None) -> None:
    """A new case written by raw SQL as a copy of another's row, with `kept` as its type (or
    none given)."""
    columns = [c.name for c in Case.__table__.c if c.name not in ("id", "no", "applicant_type")]
    listed = ", ".join(columns)
    given = "" if kept is None else ", applicant_type"
    value = "" if kept is None else ", :kept"
    raw(
        store,
        f"INSERT INTO cases (no, {listed}{given}) SELECT :no, {listed}{value} FROM cases "
        "WHERE no = :src",
        no=no,
        src=source_no,
        kept=kept,
    )


def test_the_kept_type_follows_every_write(store: Store) -> None:
    with store.transaction() as session:
        add_case(session, "K1", D(2025, 2, 1), kind="natural_person")
        add_case(session, "K2", D(2025, 2, 2), kind="research")
        other = Applicant(type="legal_service", name="某律所")
        add_case(session, "K3", D(2025, 2, 3), applicant=other)
    assert kept_and_actual(store)["K2"] == ("research", "research")
    assert_kept(store)
    with store.transaction() as session:  # the ORM changes an applicant's type, a case's applicant
        k1 = session.query(Case).filter_by(no="K1").one()
        k1.applicant.type = "enterprise"
        k2 = session.query(Case).filter_by(no="K2").one()
        k2.applicant = session.query(Case).filter_by(no="K3").one().applicant
    assert kept_and_actual(store)["K1"] == ("enterprise", "enterprise")
    assert kept_and_actual(store)["K2"] == ("legal_service", "legal_service")
    assert_kept(store)
    # Raw SQL: a case written without the type, one written with a wrong one, the copy itself
    # changed, an applicant's type changed, a case moved to another applicant.
    copied_case(store, "K1", "K4", None)
    copied_case(store, "K1", "K5", "research")
    assert kept_and_actual(store)["K5"] == ("enterprise", "enterprise")
    raw(store, "UPDATE cases SET applicant_type = NULL WHERE no = 'K1'")
    assert_kept(store)
    raw(store, "UPDATE cases SET applicant_type = 'other_org' WHERE no = 'K3'")
    raw(store, "UPDATE applicants SET type = 'public_interest' WHERE name = '某律所'")
    assert kept_and_actual(store)["K3"] == ("public_interest", "public_interest")
    raw(
        store,
        "UPDATE cases SET applicant_id = (SELECT applicant_id FROM cases WHERE no = 'K1') "
        "WHERE no = 'K2'",
    )
    assert kept_and_actual(store)["K2"] == ("enterprise", "enterprise")
    assert_kept(store)
    with store.session() as session:
        assert case_types.stale(session) is None
        assert verify.verify(session).ok


def test_imported_cases_carry_their_applicants_type(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    kinds = ["natural_person", "enterprise", "research", "other_org"]
    lines = []
    for i, kind in enumerate(kinds):
        row = record(f"2025-00000{i + 1}", f"2025-03-0{i + 3}")
        row["applicant"] = applicant(type=kind, name=f"导入{i}")
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with store.transaction() as session:
        exchange.import_rows(session, exchange.read_jsonl(path), "测试")
    found = kept_and_actual(store)
    assert sorted(kept for kept, _ in found.values()) == sorted(kinds)
    assert_kept(store)
    # The staged import the window and the command line run, numbered by the file's counters.
    staged = tmp_path / "staged.jsonl"
    numberless = [{**json.loads(line), "no": None} for line in lines]
    staged.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in numberless), encoding="utf-8"
    )
    admin = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
    assert imports.import_file_in_steps(store, admin, staged).value.written == len(kinds)
    found = kept_and_actual(store)
    assert len(found) == 2 * len(kinds)
    assert sorted(kept for kept, _ in found.values()) == sorted(kinds * 2)
    assert_kept(store)


def test_a_bulk_insert_of_cases_without_their_type_is_put_right_after_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite a bulk insert drops the insert trigger and checks its cases once at the end
    # (kept_types); on PostgreSQL the BEFORE trigger fills each row. Rows given without the
    # type end up with it either way.
    original = exchange.case_row

    def without_type(*args: Any, **kwargs: Any) -> dict[str, Any]:
        row = original(*args, **kwargs)
        del row["applicant_type"]
        return row

    monkeypatch.setattr(exchange, "case_row", without_type)
    rows = [record(f"2025-00001{i}", "2025-03-03") for i in range(3)]
    for i, row in enumerate(rows):
        row["applicant"] = applicant(type=["research", "enterprise", "other_org"][i], name=f"批{i}")
    path = tmp_path / "bulk.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    with store.transaction() as session:
        exchange.import_rows(session, exchange.read_jsonl(path), "测试")
    assert sorted(k for k, _ in kept_and_actual(store).values()) == [
        "enterprise",
        "other_org",
        "research",
    ]
    assert_kept(store)
    if store.is_sqlite:  # the trigger is back for the next writer
        with store.engine.connect() as conn:
            found = "SELECT count(*) FROM sqlite_master WHERE name = 'cases_type_ai'"
            assert conn.execute(text(found)).scalar() == 1


def behind_the_triggers(store: Store, sql: str) -> None:
    """Run `sql` with the triggers that keep the copy out of the way."""
    with store.engine.begin() as conn:
        if store.is_sqlite:
            conn.execute(text("DROP TRIGGER applicants_type_au"))
        else:  # replica mode, open to the superuser the tests connect as, fires no trigger
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql))


def test_verify_names_a_case_whose_type_was_left_behind_and_a_copy_puts_it_right(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.transaction() as session:
        add_case(session, "V1", D(2025, 2, 1), kind="natural_person")
        add_case(session, "V2", D(2025, 2, 2), kind="natural_person")
        add_case(session, "V3", D(2025, 2, 3), kind="research")
    behind_the_triggers(store, "UPDATE applicants SET type = 'enterprise' WHERE name <> '申请人V3'")
    with store.session() as session:
        found = verify.verify(session)
        assert [f.kind for f in found.findings] == ["applicant_type"]
        message = str(found.findings[0])
        assert "有 2 件案件" in message and "案件 V1" in message and "natural_person" in message
    url = (
        str(store.target.path)
        if store.is_sqlite
        else store.engine.url.render_as_string(hide_password=False)
    )
    capsys.readouterr()
    assert main.run(["--db", url, "verify"]) == 1
    assert "申请人类型与其申请人不符" in capsys.readouterr().err
    copy = tmp_path / "copy.sqlite"
    assert main.run(["db", "copy", url, str(copy)]) == 0
    copied = open_store(copy)
    try:
        assert kept_and_actual(copied)["V1"] == ("enterprise", "enterprise")
        assert_kept(copied)
        assert main.run(["--db", str(copy), "verify"]) == 0
    finally:
        copied.close()


def archived_trigger(store: Store) -> str | None:
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'cases_archived_no_update'")
        ).scalar()
    return None if found is None else str(found)


def test_revision_0015_goes_down_and_up_again_with_cases_in_the_file(store: Store) -> None:
    with store.transaction() as session:
        add_case(
            session, "R1", D(2024, 5, 1), kind="enterprise", outcome="disclose", on=D(2024, 6, 1)
        )
        add_case(session, "R2", D(2025, 2, 2), kind="research")
        add_case(session, "R3", D(2025, 2, 3), kind="natural_person", voided=True)
    raw(store, "UPDATE cases SET archived_at = CURRENT_TIMESTAMP WHERE no = 'R1'")
    module = store_mod.script_directory().get_revision("0015").module
    with_type = archived_trigger(store) if store.is_sqlite else None
    try:
        with store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), BEFORE)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
            columns = {c["name"] for c in inspect(conn).get_columns("cases")}
            with warnings.catch_warnings():  # SQLite's expression indexes are not read back
                warnings.simplefilter("ignore")
                indexes = {i["name"] for i in inspect(conn).get_indexes("cases")}
        assert "applicant_type" not in columns and "ix_cases_type_received" not in indexes
        if store.is_sqlite:  # 0010's trigger as it was, and none of this revision's
            assert archived_trigger(store) == module._archived_trigger_sqlite(with_type=False)
            with store.engine.connect() as conn:
                names = conn.execute(
                    text("SELECT name FROM sqlite_master WHERE name LIKE '%type_a%'")
                ).all()
            assert names == []
        # A case written at the older revision, and an applicant's type changed there.
        listed = ", ".join(c for c in sorted(columns) if c not in ("id", "no"))
        raw(
            store,
            f"INSERT INTO cases (no, {listed}) SELECT 'R4', {listed} FROM cases WHERE no = 'R2'",
        )
        raw(store, "UPDATE applicants SET type = 'other_org' WHERE name = '申请人R2'")
    finally:
        with store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    found = kept_and_actual(store)
    assert found == {
        "R1": ("enterprise", "enterprise"),  # archived: filled all the same
        "R2": ("other_org", "other_org"),
        "R3": ("natural_person", "natural_person"),  # voided cases keep theirs too
        "R4": ("other_org", "other_org"),
    }
    if store.is_sqlite:
        assert archived_trigger(store) == with_type
    # The archived case's copy is fixed with it; the others still follow their applicants.
    with pytest.raises(Exception, match="已归档的案件不可修改"):
        raw(store, "UPDATE cases SET applicant_type = 'research' WHERE no = 'R1'")
    raw(store, "UPDATE applicants SET type = 'research' WHERE name = '申请人R2'")
    assert kept_and_actual(store)["R4"] == ("research", "research")
    with store.session() as session:
        assert verify.verify(session).ok
        assert case_types.kept(session)
