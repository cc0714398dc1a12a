"""An import's bulk work under faults: killed, refused by SQLite, beside other writers.

A bulk insert drops the insert triggers of the search tokens and the kept totals inside its own
transaction and does their work after its rows (cases.interchange.trigger_work). Whatever stops
it, the file must come back with every trigger as a fresh file has it, its audit trail sound and
its totals those of a recount; an import beside another writer must count both.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, event
from sqlalchemy.exc import OperationalError

from cases.actions import imports, registration
from cases.interchange import bulk, exchange, kept_totals
from cases.interchange.records import ApplicantData
from cases.office import users
from cases.rules.handbook import RoleId
from cases.sample import demo
from cases.storage import store as store_mod
from cases.storage import totals, verify
from cases.storage.model import User
from cases.storage.store import Store, open_store

TODAY = dt.date(2025, 6, 30)
USER = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
ROWS = 1500  # two chunks of exchange.write_records: the triggers stay dropped between them


def schema(path: Path) -> list[tuple[str, ...]]:
    """Every table, index and trigger of the file and its text, in name order.

    SQLite's statistics tables are not the schema: `PRAGMA optimize` creates sqlite_stat1 when
    a connection closes, or not, by which statements it planned since the last change of the
    schema (a fresh file migrated to revision 0015 closes without it)."""
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
        ).fetchall()
    finally:
        db.close()


def cases_in(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        db.close()


def sound(path: Path) -> None:
    """The file whole, its audit trail and letters verified, its kept totals a recount's."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()
    store = open_store(path)
    try:
        with store.session() as s:
            assert verify.verify(s).ok
            assert totals.differences(s) == []
    finally:
        store.close()


@pytest.fixture(scope="module")
def files(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ROWS demo cases as an exchange file, a file that holds 200 other cases, a fresh file."""
    folder = tmp_path_factory.mktemp("import_faults")
    source = open_store(folder / "source.sqlite")
    with source.transaction() as session:
        demo.generate(session, ROWS, seed=7, years=(2023, 2024, 2025), today=TODAY)
    with source.session() as session:
        exchange.export_jsonl(session, folder / "cases.jsonl")
    source.close()
    shutil.copy(sqlite_template, folder / "started.sqlite")
    started = open_store(folder / "started.sqlite")
    with started.transaction() as session:
        demo.generate(session, 200, seed=3, years=(2022,), today=TODAY)
    started.close()
    return {
        "jsonl": folder / "cases.jsonl",
        "started": folder / "started.sqlite",
        "fresh": sqlite_template,
    }


# The child imports the file and stops for good at `point`, after saying so; the test kills it.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cases.actions import imports
    from cases.interchange import bulk, exchange, kept_totals, search_terms
    from cases.rules.handbook import RoleId
    from cases.storage import archive_mark
    from cases.storage.model import User
    from cases.storage.store import open_store

    target, source, point, flag = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]

    def stop(conn):  # the triggers the import's own connection sees, said first
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        Path(flag + ".part").write_text(" ".join(sorted(r[0] for r in names)))
        Path(flag + ".part").rename(flag)
        time.sleep(600)

    seen = []
    fill, count, write, marks = (
        bulk.fill, kept_totals._count_new, search_terms._write, archive_mark.set_marks
    )
    def watched_fill(conn, table, rows):
        if table.name == "cases":
            seen.append(1)
            if point == "between_chunks" and len(seen) == 2:
                stop(conn)
        fill(conn, table, rows)
    def watched_count(conn, last):
        count(conn, last)
        if point in ("totals", "swap"):
            stop(conn)
    def watched_write(indexed, conn, last):
        write(indexed, conn, last)
        if (point, indexed.table) in (("tokens", "cases"), ("applicants", "applicants")):
            stop(conn)
    def watched_marks(conn, given):
        marks(conn, given)
        if point == "marks":
            stop(conn)
    bulk.fill, kept_totals._count_new = watched_fill, watched_count
    search_terms._write, archive_mark.set_marks = watched_write, watched_marks
    bulk.archive_mark.set_marks = watched_marks

    store = open_store(target)
    if point == "swap":
        user = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
        imports.import_file_in_steps(store, user, source)
    else:
        with store.transaction() as session:
            exchange.import_rows(session, exchange.read_jsonl(source), "张三")
    """
)


@pytest.mark.parametrize(
    "point", ["applicants", "between_chunks", "marks", "totals", "tokens", "swap"]
)
def test_an_import_killed_with_its_triggers_dropped_leaves_the_file_as_it_was(
    files: dict[str, Path], tmp_path: Path, point: str
) -> None:
    path, flag = tmp_path / "cases.sqlite", tmp_path / "stopped"
    shutil.copy(files["started"], path)
    before = cases_in(path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(files["jsonl"]), point, str(flag)], env=env
    )
    try:
        deadline = time.monotonic() + 180
        while not flag.exists():
            assert child.poll() is None, "the import ended before the point it was to stop at"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # The import has a trigger dropped now; another connection never sees it so.
        triggers = {name for kind, name, _, _ in schema(files["fresh"]) if kind == "trigger"}
        dropped = triggers - set(flag.read_text().split())
        allowed = {"search_cases_ai", "case_totals_ai", "search_applicants_ai", "cases_type_ai"}
        assert dropped and dropped <= allowed
        assert schema(path) == schema(files["fresh"])
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert schema(path) == schema(files["fresh"])
    assert cases_in(path) == before
    sound(path)
    # And the file takes the same import afterwards, counted right.
    target = open_store(path)
    with target.transaction() as s:
        assert exchange.import_rows(s, exchange.read_jsonl(files["jsonl"]), "张三").written == ROWS
    target.close()
    assert schema(path) == schema(files["fresh"])
    sound(path)


@pytest.mark.parametrize("way", ["import", "staged"])
def test_an_import_that_sqlite_ends_itself_reports_its_own_fault(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """A full disk (here the file's page limit) ends the transaction inside SQLite, the drop of
    the triggers with it: the user is told the file is full, not that a trigger exists, and the
    connection has its own page cache back."""
    path = tmp_path / "cases.sqlite"
    shutil.copy(files["started"], path)
    before = schema(path)

    def full(conn: Connection) -> None:  # no page more than the file has
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {int(pages or 0)}")

    real_fill, real_count = bulk.fill, kept_totals._count_new

    def filling(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
        if table.name == "cases":
            full(conn)
        real_fill(conn, table, rows)

    def counting(conn: Connection, last: int) -> None:
        full(conn)
        real_count(conn, last)

    target = open_store(path)
    try:
        with target.session() as s:
            cache = s.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        with monkeypatch.context() as patched, pytest.raises(OperationalError, match="full"):
            if way == "import":
                patched.setattr(bulk, "fill", filling)
                with target.transaction() as s:
                    exchange.import_rows(s, exchange.read_jsonl(files["jsonl"]), "张三")
            else:
                patched.setattr(kept_totals, "_count_new", counting)
                imports.import_file_in_steps(target, USER, files["jsonl"])
        with target.transaction() as s:
            conn = s.connection()
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == cache
            conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")
    finally:
        target.close()
    assert schema(path) == before
    assert cases_in(path) == 200
    sound(path)


def test_an_import_and_another_import_and_a_desk_writing_meanwhile_are_all_counted(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two imports at once, and a desk registering a case while one of them has its triggers
    dropped: each waits for the write lock, and every case is counted and indexed once."""
    path = tmp_path / "cases.sqlite"
    shutil.copy(files["started"], path)
    desk_store = open_store(path)
    with desk_store.transaction() as s:
        admin = users.create_user(
            s, None, username="admin", display_name="管理员", roles=["admin"]
        ).value
        handler = users.create_user(
            s, admin, username="handler", display_name="王承办", roles=["handler"]
        ).value
    desk_store.close()
    # Numbers left to the file's counters: the two imports cannot both take the file's.
    numbered = [(where, {**row, "no": None}) for where, row in exchange.read_jsonl(files["jsonl"])]
    desk_done: list[str] = []
    errors: list[BaseException] = []
    real = kept_totals._count_new
    started = threading.Event()

    def register() -> None:
        desk = open_store(path)
        try:
            with desk.transaction() as s:
                case = registration.register(
                    s,
                    handler,
                    channel="in_person",
                    applicant=ApplicantData(type="natural_person", name="窗口申请人"),
                    description="请提供本镇2024年道路养护经费",
                    received=TODAY,
                ).value
                desk_done.append(case.no)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            desk.close()

    desk = threading.Thread(target=register)

    def counting(conn: Connection, last: int) -> None:
        if not started.is_set():
            started.set()
            desk.start()
            time.sleep(0.5)  # the desk is waiting on the write lock by now
        real(conn, last)

    monkeypatch.setattr(kept_totals, "_count_new", counting)

    def run(given: list[tuple[str, Any]]) -> None:
        store = open_store(path)
        try:
            with store.transaction() as s:
                exchange.import_rows(s, given, "张三")
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    imports_ = [threading.Thread(target=run, args=(given,)) for given in (numbered, numbered)]
    for t in imports_:
        t.start()
    for t in imports_:
        t.join(timeout=300)
    desk.join(timeout=300)
    assert errors == []
    assert len(desk_done) == 1
    assert cases_in(path) == 200 + 2 * ROWS + 1
    assert schema(path) == schema(files["fresh"])
    sound(path)
    db = sqlite3.connect(path)
    try:  # the desk's case found by its own words and number: its tokens were written
        found = db.execute(
            "SELECT count(*) FROM search_case_terms WHERE search_case_terms MATCH ?",
            (f'd_bi:"{"道路".encode().hex().upper()}"',),
        ).fetchone()[0]
    finally:
        db.close()
    assert found >= 1


def test_a_postgresql_import_takes_none_of_sqlites_shortcuts(
    store: Store, files: dict[str, Path], tmp_path: Path
) -> None:
    """No trigger dropped, no page cache set on the server; SQLite's file takes both."""
    seen: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    # The same rows again through the staged import, numbered by the file's counters this time.
    rows = exchange.read_jsonl(files["jsonl"])
    numberless = tmp_path / "numberless.jsonl"
    numberless.write_text(
        "".join(json.dumps({**row, "no": None}, ensure_ascii=False) + "\n" for _, row in rows),
        encoding="utf-8",
    )
    event.listen(store.engine, "before_cursor_execute", watch)
    try:
        with store.transaction() as s:
            assert exchange.import_rows(s, rows, "张三").written == ROWS
        assert imports.import_file_in_steps(store, USER, numberless).value.written == ROWS
    finally:
        event.remove(store.engine, "before_cursor_execute", watch)
    shortcuts = [s for s in seen if "TRIGGER" in s.upper() or "PRAGMA" in s.upper()]
    if store.is_sqlite:
        assert any("DROP TRIGGER case_totals_ai" in s for s in shortcuts)
    else:
        assert shortcuts == []
    with store.session() as s:
        assert verify.verify(s).ok
        if store.is_sqlite:
            assert totals.differences(s) == []


def test_an_import_into_a_file_left_at_the_revision_before_the_kept_totals(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Revision 0013 has the search triggers and no totals: the import writes its tokens and no
    totals, and the upgrade counts its cases with the others."""
    path = tmp_path / "cases.sqlite"
    shutil.copy(files["started"], path)
    target = open_store(path)
    try:
        with target.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), "0013")
        old = schema(path)
        assert not any(name.startswith("case_totals") for _, name, _, _ in old)
        with target.transaction() as s:
            rows = exchange.read_jsonl(files["jsonl"])
            assert exchange.import_rows(s, rows, "张三").written == ROWS
        assert schema(path) == old
        with target.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    finally:
        target.close()
    assert schema(path) == schema(files["fresh"])
    sound(path)
    db = sqlite3.connect(path)
    try:  # every imported case has its tokens: its own number found among them
        no = rows[-1][1]["no"]
        term = f'"{no.encode().hex().upper()}"'
        hits = db.execute(
            "SELECT count(*) FROM search_number_terms WHERE search_number_terms MATCH ?", (term,)
        ).fetchone()[0]
    finally:
        db.close()
    assert hits == 1
