"""`db copy FROM TO`: an office moved between SQLite and PostgreSQL and back, every row intact.

The PostgreSQL leg needs an empty database of its own: it is created beside the test database
(same server, name + "_copy") and emptied before each test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

import main
from cases import actions, cli
from cases.actions.settings import change_setting
from cases.documents import letters
from cases.interchange.records import ApplicantData
from cases.office import users
from cases.rules import settings
from cases.sample import demo
from cases.storage import dbcopy
from cases.storage.model import (
    AuditRecord,
    Base,
    Case,
    CaseCheck,
    CheckOverride,
    CheckRun,
    HolidayEntry,
    Letter,
    SearchRecord,
    Table2Entry,
)
from cases.storage.store import open_store
from tests.support import pg_url, reset_pg_schema

TODAY = dt.date(2026, 11, 27)
SCHEDULE = "year,2027\n2027-01-01,休,元旦\n2027-02-20,班,春节调休\n"


def office(path: Path, cases: int = 300) -> Path:
    """A demo database with a row in every table: users, a setting, the office's holidays,
    table 二, issued and draft letters, and the audit records all of them wrote."""
    store = open_store(path)
    try:
        with store.transaction() as s:
            demo.generate(s, cases, today=TODAY)
            admin = users.create_user(
                s, None, username="admin", display_name="管理员", roles=["admin"]
            ).value
            users.create_user(s, admin, username="wang", display_name="王敏", roles=["handler"])
            change_setting(s, admin, settings.CASE_NUMBER_PATTERN, "崇公开〔{year}〕{seq:04d}号")
            s.add(
                Table2Entry(
                    year=2025, block="第二十条第（一）项", row="制发件数",
                    column="本年新制作数量", value=Decimal("3.5"),
                )
            )  # fmt: skip
            # Cases still in hand: an archived case takes no new letter (revision 0010).
            open_cases = (
                select(Case)
                .where(Case.voided.is_(False), Case.archived_at.is_(None))
                .order_by(Case.id)
            )
            picked = s.scalars(open_cases.limit(3))
            for case in picked:
                draft = letters.draft_letter(s, case, "receipt", "王敏")
                letters.issue_letter(s, draft, "王敏", on=case.received)
                letters.draft_letter(s, case, "receipt", "王敏")  # a draft stays a draft
            # The handling tables of a case: checklist, search record, checks, override.
            handled = s.scalars(open_cases.limit(1)).first()
            if handled is not None:  # a demo of a few cases may have them all archived
                s.add_all(
                    [
                        CaseCheck(
                            case_id=handled.id, step="register", item="channel", checked_by="王敏"
                        ),
                        SearchRecord(
                            case_id=handled.id, searched_on=handled.received, places="档案室",
                            keywords="征收", recorded_by="王敏",
                        ),
                        CheckRun(case_id=handled.id, stage="manual", run_by="王敏"),
                        CheckOverride(
                            case_id=handled.id, rule="late_reply", reason="已电话告知",
                            signer="赵签发",
                        ),
                    ]
                )  # fmt: skip
        schedule = path.with_suffix(".txt")
        schedule.write_text(SCHEDULE, encoding="utf-8")
        with open(path.with_suffix(".log"), "w", encoding="utf-8") as log:
            assert cli.holidays_import(store, schedule, log, log) == 0
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def demo_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return office(tmp_path_factory.mktemp("office") / "office.sqlite")


def every_row(target: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table in primary-key order, with times as UTC instants (as stored)."""
    store = open_store(target, must_exist=True)
    try:
        with store.engine.connect() as conn:
            return {
                t.name: [
                    tuple(dbcopy._utc(v) for v in row)
                    for row in conn.execute(select(t).order_by(*t.primary_key.columns))
                ]
                for t in Base.metadata.sorted_tables
            }
    finally:
        store.close()


@pytest.fixture(scope="session")
def copy_database_url() -> str:
    """A second database on the test server, created once (creating and dropping one per test
    costs a checkpoint each, seconds on a busy server)."""
    base = pg_url()
    if base is None:
        pytest.skip("DISCLOSURE_DESK_TEST_PG is not set")
    url = make_url(base)
    name = f"{url.database}_copy"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if found.first() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def empty_pg(copy_database_url: str) -> str:
    """That database with nothing in it, not even the schema: the copy's first start makes it."""
    reset_pg_schema(copy_database_url)
    return copy_database_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def middle(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the office goes on its way back: a server database, or a second file."""
    if request.param == "sqlite":
        return str(tmp_path / "middle.sqlite")
    return str(request.getfixturevalue("empty_pg"))


def test_copy_to_the_server_and_back_gives_the_same_export_and_audit_trail(
    demo_office: Path, middle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source.sqlite"
    shutil.copy(demo_office, source)
    back = tmp_path / "back.sqlite"
    assert main.run(["db", "copy", str(source), middle]) == 0
    there = capsys.readouterr().out
    assert "核对通过" in there and "两库导出的交换文件完全相同" in there
    assert main.run(["db", "copy", middle, str(back)]) == 0
    assert "核对通过" in capsys.readouterr().out

    for db, name in ((source, "source"), (back, "back")):
        assert main.run(["--db", str(db), "export", str(tmp_path / f"{name}.jsonl")]) == 0
    exported = (tmp_path / "source.jsonl").read_bytes()
    assert exported == (tmp_path / "back.jsonl").read_bytes()
    assert exported.count(b"\n") == 300

    for db in (middle, str(back)):  # the audit hash chain and the issued letters still verify
        assert main.run(["--db", db, "verify"]) == 0
    assert "核验通过" in capsys.readouterr().out

    before, after = every_row(source), every_row(back)
    assert after == before  # every table, row for row: audit records, letters, users, settings …
    assert {name for name, rows in before.items() if not rows} == set(), "a table was empty"
    on_server = every_row(middle)
    assert on_server["audit"] == before["audit"]
    assert on_server["letters"] == before["letters"]
    issued = [r for r in after["letters"] if "issued" in r]
    assert len(issued) == 3
    columns = [c.name for c in Letter.__table__.columns]
    for row in issued:  # byte for byte, and still matching the hash stored at issue
        letter = dict(zip(columns, row, strict=True))
        assert hashlib.sha256(letter["content"]).hexdigest() == letter["sha256"]


def test_after_a_copy_to_the_server_new_rows_continue_the_ids(
    demo_office: Path, empty_pg: str
) -> None:
    assert main.run(["db", "copy", str(demo_office), empty_pg]) == 0
    store = open_store(empty_pg)
    try:
        with store.session() as s:
            last_case = s.scalar(select(func.max(Case.id)))
            last_audit = s.scalar(select(func.max(AuditRecord.id)))
            handler = users.find_user(s, "wang")
        assert handler is not None
        with store.transaction() as s:
            case = actions.register(
                s, handler, channel="in_person", received=TODAY,
                applicant=ApplicantData(type="natural_person", name="迁移后"),
                description="迁移后登记的第一件申请",
            ).value  # fmt: skip
        assert case.id == (last_case or 0) + 1
        with store.session() as s:
            first = select(func.min(AuditRecord.id)).where(AuditRecord.case_id == case.id)
            assert s.scalar(first) == (last_audit or 0) + 1
    finally:
        store.close()


def test_a_target_that_holds_data_is_refused_and_left_as_it_was(
    demo_office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.sqlite"
    office(target, cases=5)
    before = every_row(target)
    assert main.run(["db", "copy", str(demo_office), str(target)]) == cli.BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "已有数据" in err and "未作任何改动" in err
    assert every_row(target) == before
    assert main.run(["db", "copy", str(demo_office), str(demo_office)]) == cli.BAD_INPUT
    missing, new = tmp_path / "missing.sqlite", tmp_path / "new.sqlite"
    assert main.run(["db", "copy", str(missing), str(new)]) == cli.BAD_INPUT
    assert not new.exists()


def test_the_copy_streams_in_batches(
    demo_office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbcopy, "BATCH", 25)
    seen: list[tuple[str, int]] = []
    source, target = open_store(demo_office), open_store(tmp_path / "t.sqlite")
    try:
        report = dbcopy.copy_database(source, target, lambda t, n: seen.append((t, n)))
    finally:
        source.close()
        target.close()
    assert report.ok
    assert [n for t, n in seen if t == "cases"] == list(range(25, 301, 25))
    assert every_row(tmp_path / "t.sqlite") == every_row(demo_office)


def test_a_copy_that_does_not_check_out_is_rolled_back(
    demo_office: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = dbcopy._export_digest

    def differs(conn: Any, folder: Path, name: str) -> tuple[str, int]:
        digest, count = real(conn, folder, name)
        return (digest if name == "source" else "0" * 64), count

    monkeypatch.setattr(dbcopy, "_export_digest", differs)
    target = tmp_path / "target.sqlite"
    assert main.run(["db", "copy", str(demo_office), str(target)]) == cli.FAILURE
    err = capsys.readouterr().err
    assert "两库导出的交换文件不同" in err and "已撤销" in err
    assert not target.exists()  # the file the copy created is gone again
    kept, fresh = tmp_path / "kept.sqlite", tmp_path / "fresh.sqlite"
    for db in (kept, fresh):
        open_store(db).close()
    assert main.run(["db", "copy", str(demo_office), str(kept)]) == cli.FAILURE
    assert kept.exists() and every_row(kept) == every_row(fresh)  # an existing file stays


def test_holiday_entries_and_table2_survive(demo_office: Path, tmp_path: Path) -> None:
    target = tmp_path / "t.sqlite"
    assert main.run(["db", "copy", str(demo_office), str(target)]) == 0
    store = open_store(target)
    try:
        with store.session() as s:
            days = {(e.day, e.workday) for e in s.scalars(select(HolidayEntry))}
            entry = s.scalars(select(Table2Entry)).one()
    finally:
        store.close()
    assert days == {(dt.date(2027, 1, 1), False), (dt.date(2027, 2, 20), True)}
    assert entry.value == Decimal("3.5")
