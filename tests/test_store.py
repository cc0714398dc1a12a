"""Opening databases: migrations, refusals, SQLite settings, backups, crash safety."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.schema import CreateIndex

from cases.storage import restore as restoring
from cases.storage import store as store_mod
from cases.storage.migrations import HEAD_REVISION
from cases.storage.model import (
    YEAR_INDEXES,
    Applicant,
    AuditRecord,
    AuditTamperError,
    Base,
    Case,
)
from cases.storage.store import (
    DatabaseTooNew,
    Store,
    StoreError,
    backup_sqlite,
    list_backups,
    open_store,
    resolve_target,
)
from tests.support import pg_url, reset_pg_schema

ROOT = Path(__file__).resolve().parent.parent
ACROSS_YEARS = "ix_cases_open_across_years"


def add_case(session, no: str = "2025-000001") -> Case:
    applicant = Applicant(type="natural_person", name="张三")
    case = Case(
        no=no,
        received=dt.date(2025, 3, 3),
        channel="in_person",
        applicant=applicant,
        description="申请公开某地块征收补偿方案",
        day0=dt.date(2025, 3, 3),
        due=dt.date(2025, 3, 31),
        correction_notice_due=dt.date(2025, 3, 12),
    )
    session.add(case)
    return case


def test_migrations_have_a_single_head_named_in_the_package() -> None:
    heads = store_mod.script_directory().get_heads()
    assert heads == [HEAD_REVISION]


def test_upgrade_from_empty_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == store_mod.script_directory().get_current_head()
        with warnings.catch_warnings(record=True) as skipped:
            # SQLAlchemy cannot read an index on an expression back from SQLite, so Alembic
            # skips the year indexes of revision 0013 there (and says so): their SQL is
            # compared with the models' below instead.
            warnings.simplefilter("always")
            diff = compare_metadata(context, Base.metadata)
        stored = {}
        if store.is_sqlite:
            stored = dict(
                conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all()
            )
    named = {name for w in skipped for name in YEAR_INDEXES if name in str(w.message)}
    assert named == (set(YEAR_INDEXES) if store.is_sqlite else set())
    assert all("expression-based index" in str(w.message) for w in skipped)
    for index in Case.__table__.indexes:
        if store.is_sqlite and index.name in YEAR_INDEXES:
            made = CreateIndex(index).compile(dialect=store.engine.dialect)
            assert stored[index.name] == str(made)
    # The search tokens (FTS5 tables on SQLite, GIN expression indexes on PostgreSQL, revision
    # 0006) and the report's totals of cases and reviews (SQLite, revision 0014) are derived data
    # kept by triggers, not models; everything else must match exactly.
    derived = ("search_", "case_totals", "review_totals")
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith(derived))]
    diff = [d for d in diff if not (d[0] == "remove_index" and "_search_" in d[1].name)]
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].table.name in derived)]
    # SQLite's partial index of the cases open across a year's end (0014) reads SQLite's date text.
    diff = [d for d in diff if not (d[0] == "remove_index" and d[1].name == ACROSS_YEARS)]
    assert diff == []


def test_sqlite_file_uses_wal_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(Exception), store.transaction() as session:  # noqa: B017
        session.add(
            Case(
                no="X-1",
                received=dt.date(2025, 1, 2),
                channel="fax",
                applicant_id=999,
                description="x",
                day0=dt.date(2025, 1, 2),
                correction_notice_due=dt.date(2025, 1, 13),
            )
        )
    with store.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 0


def test_default_database_is_in_the_data_folder(isolated_home: Path) -> None:
    target = resolve_target(None)
    assert target.path == isolated_home / "cases.sqlite"
    opened = open_store()
    opened.close()
    assert (isolated_home / "cases.sqlite").exists()


def test_environment_variable_chooses_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCLOSURE_DESK_DB", str(tmp_path / "other.sqlite"))
    assert resolve_target(None).path == (tmp_path / "other.sqlite").resolve()
    assert resolve_target(str(tmp_path / "x.sqlite")).path == (tmp_path / "x.sqlite").resolve()


def test_a_file_that_is_not_a_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes("这不是数据库。\n".encode() * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="不是本程序的数据库文件"):
        open_store(path)
    assert path.read_bytes() == before
    assert not Path(str(path) + "-wal").exists()


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(StoreError, match="其他程序"):
        open_store(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    engine.dispose()
    assert "alembic_version" not in names


def test_a_newer_database_is_refused(sqlite_store: Store) -> None:
    path = sqlite_store.path
    assert path is not None
    with sqlite_store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    sqlite_store.close()
    with pytest.raises(DatabaseTooNew, match="比本程序新"):
        open_store(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == (
            "9999_future"
        )
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(pg_url() is None, reason="DISCLOSURE_DESK_TEST_PG is not set")
def test_postgresql_upgrade_from_empty() -> None:
    url = pg_url()
    assert url is not None
    reset_pg_schema(url)
    opened = open_store(url)
    try:
        with opened.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == (
                store_mod.script_directory().get_current_head()
            )
    finally:
        opened.close()
        reset_pg_schema(url)
        open_store(url).close()  # leave the shared test database migrated for the next tests


def test_transaction_commits_or_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        add_case(session)
        session.flush()
        raise RuntimeError("用户取消")
    with store.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 0
    with store.transaction() as session:
        add_case(session)
    with store.session() as session:
        assert session.scalar(select(func.count(Case.id))) == 1


def test_audit_records_cannot_be_changed_or_deleted(store: Store) -> None:
    with store.transaction() as session:
        session.add(AuditRecord(actor="张三", action="register"))
    with pytest.raises(AuditTamperError), store.transaction() as session:
        record = session.scalars(select(AuditRecord)).one()
        record.actor = "李四"
    with pytest.raises(AuditTamperError), store.transaction() as session:
        session.delete(session.scalars(select(AuditRecord)).one())
    with store.session() as session:
        assert session.scalars(select(AuditRecord.actor)).all() == ["张三"]


def test_backups_rotate_and_restore(sqlite_store: Store, tmp_path: Path) -> None:
    with sqlite_store.transaction() as session:
        add_case(session, "A-1")
    folder = tmp_path / "backups"
    made = [backup_sqlite(sqlite_store, folder, keep=3) for _ in range(5)]
    assert all(p is not None for p in made)
    kept = list_backups(folder, "cases")
    assert len(kept) == 3
    assert kept[0] == made[-1]

    with sqlite_store.transaction() as session:
        add_case(session, "A-2")
    path = sqlite_store.path
    assert path is not None
    sqlite_store.close()
    before = restoring.restore(kept[0], path).kept
    assert before is not None and before.exists()
    reopened = open_store(path)
    with reopened.session() as session:
        assert session.scalars(select(Case.no)).all() == ["A-1"]
    reopened.close()
    previous = open_store(before)
    with previous.session() as session:
        assert sorted(session.scalars(select(Case.no))) == ["A-1", "A-2"]
    previous.close()


def test_a_killed_process_leaves_every_committed_case(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    script = textwrap.dedent(
        f"""
        import datetime as dt, os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from cases.storage.store import open_store
        from tests.test_store import add_case
        store = open_store({str(path)!r})
        for i in range(20):
            with store.transaction() as session:
                add_case(session, f"K-{{i}}")
        session = store._writer()
        add_case(session, "HALF")
        session.flush()           # written into the WAL but never committed
        os._exit(9)               # killed: no rollback, no close
        """
    )
    result = subprocess.run([sys.executable, "-c", script], env=os.environ.copy(), check=False)
    assert result.returncode == 9
    reopened = open_store(path)
    with reopened.session() as session:
        numbers = set(session.scalars(select(Case.no)))
    reopened.close()
    assert numbers == {f"K-{i}" for i in range(20)}


def test_statistics_sqlite_gathers_at_close_are_kept(sqlite_store: Store) -> None:
    """PRAGMA optimize at close may ANALYZE a table; that work is committed, done once, not at
    every close (it was rolled back, and a large file's report paid 0.3 s for it each run)."""
    import sqlite3

    path = sqlite_store.path
    assert path is not None
    with sqlite_store.transaction() as session:
        for i in range(30):
            add_case(session, no=f"2025-{i:06d}")
    with sqlite3.connect(path) as raw:
        raw.execute("ANALYZE")
        raw.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'")  # as after a new index
    with sqlite_store.session() as session:
        session.scalar(select(func.count(Case.id)).where(Case.archived_at.is_(None)))
    sqlite_store.close()
    with sqlite3.connect(path) as raw:
        kept = raw.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases'").fetchone()
    assert kept[0] > 0
