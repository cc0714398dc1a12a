"""The legal record kept by the database itself: triggers against raw SQL, hash chain, verify."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

import main
from cases import actions
from cases.errors import Refused
from cases.interchange import exchange
from cases.office import users
from cases.storage import audit, verify
from cases.storage import store as store_mod
from cases.storage.model import AuditRecord, Case, Letter
from cases.storage.store import Store, open_store
from tests.actions_support import DAY0, Desk
from tests.test_letters import issue, make_case


def raw(store: Store, sql: str) -> None:
    """One statement outside the ORM, as someone with a database tool would type it."""
    with store.engine.begin() as conn:
        conn.execute(text(sql))


def refused_by_database(store: Store, sql: str, message: str) -> None:
    with pytest.raises(DBAPIError, match=message):
        raw(store, sql)


def chained_desk(store: Store) -> tuple[Desk, str]:
    desk = Desk.open(store)
    no = desk.register()
    desk.to_handle(no)
    return desk, no


def test_raw_sql_cannot_change_or_delete_an_audit_record(store: Store) -> None:
    chained_desk(store)
    with store.session() as s:
        before = [tuple(r) for r in s.execute(select(AuditRecord.__table__))]
    refused_by_database(store, "UPDATE audit SET actor = 'x' WHERE id = 1", "审计记录只能追加")
    refused_by_database(store, "DELETE FROM audit WHERE id = 1", "审计记录只能追加")
    refused_by_database(store, "DELETE FROM audit", "审计记录只能追加")
    if store.engine.dialect.name == "postgresql":
        refused_by_database(store, "TRUNCATE audit CASCADE", "审计记录只能追加")
    with store.session() as s:
        assert [tuple(r) for r in s.execute(select(AuditRecord.__table__))] == before


def test_raw_sql_cannot_change_or_delete_an_issued_letter(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        issued_id = issue(session, case, "reply").id
        from cases.documents import letters

        draft_id = letters.draft_letter(session, case, "receipt", "张三").id
    refused_by_database(
        store, f"UPDATE letters SET sha256 = 'forged' WHERE id = {issued_id}", "已发文的文书"
    )
    refused_by_database(
        store, f"UPDATE letters SET status = 'draft' WHERE id = {issued_id}", "已发文的文书"
    )
    refused_by_database(store, f"DELETE FROM letters WHERE id = {issued_id}", "已发文的文书")
    raw(store, f"UPDATE letters SET created_by = '李四' WHERE id = {draft_id}")  # drafts change
    with store.session() as s:
        assert s.get(Letter, draft_id).created_by == "李四"  # type: ignore[union-attr]


def test_an_archived_case_refuses_raw_changes_but_takes_a_review(store: Store) -> None:
    desk, no = chained_desk(store)
    served = DAY0 + dt.timedelta(days=10)
    desk.close(no, "disclose_public", ["website"], served, served)
    case_id = desk.case(no).id
    refused_by_database(
        store, f"UPDATE cases SET outcome_code = 'not_held' WHERE id = {case_id}", "已归档"
    )
    refused_by_database(store, f"DELETE FROM cases WHERE id = {case_id}", "已归档")
    desk.do(actions.add_review, desk.handler, no, kind="reconsideration", filed=served)
    assert len(desk.case(no).reviews) == 1


def test_the_clock_events_of_an_archived_case_are_fixed(store: Store) -> None:
    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    raw(store, f"UPDATE fees SET amount = 1 WHERE case_id = {case_id}")  # still open: allowed
    raw(store, f"UPDATE cases SET archived_at = CURRENT_TIMESTAMP WHERE id = {case_id}")
    for table in ("corrections", "consultations", "fees"):  # the events make_case writes
        refused_by_database(store, f"DELETE FROM {table} WHERE case_id = {case_id}", "已归档")
    refused_by_database(store, f"UPDATE fees SET amount = 2 WHERE case_id = {case_id}", "已归档")
    refused_by_database(
        store, f"UPDATE cases SET archived_at = NULL WHERE id = {case_id}", "已归档"
    )


def test_every_write_path_extends_one_chain_that_verifies(store: Store, tmp_path: Path) -> None:
    chained_desk(store)
    rows = [
        (
            "第1行",
            {
                "no": "X-1",
                "received": "2025-03-03",
                "channel": "in_person",
                "applicant": {"type": "natural_person", "name": "赵六"},
                "request": {"description": "某路拓宽", "form": "paper", "delivery": "post"},
            },
        )
    ]
    with store.transaction() as s:
        exchange.import_rows(s, rows, "导入")
    with store.session() as s:
        records = list(s.scalars(select(AuditRecord).order_by(AuditRecord.id)))
        found = verify.verify(s)
    assert found.ok and found.records == len(records) > 10
    previous = audit.GENESIS
    for record in records:  # each links to the one before it, in id order
        assert record.hash == audit.chain_hash(previous, vars(record))
        previous = record.hash


def _tamper(store: Store, sql: str, **params: object) -> None:
    """Change a row behind the triggers' back, as a superuser or a hex editor could."""
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(sql), params)
        else:
            saved = conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND (name LIKE 'audit_no_%' OR name LIKE 'letters_issued_%')"
                )
            ).all()
            for name, _ in saved:
                conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(text(sql), params)
            for _, create in saved:
                conn.execute(text(create))


def test_verify_names_the_first_tampered_record(store: Store) -> None:
    chained_desk(store)
    with store.session() as s:
        ids = list(s.scalars(select(AuditRecord.id).order_by(AuditRecord.id)))
    target = ids[len(ids) // 2]
    _tamper(store, f"UPDATE audit SET new = '篡改' WHERE id = {target}")
    with store.session() as s:
        found = verify.verify(s)
    assert not found.ok
    assert [(f.kind, f.id) for f in found.findings] == [("audit", target)]
    assert f"审计记录 {target}" in str(found.findings[0])


def test_verify_finds_a_deleted_record_at_the_next_one(store: Store) -> None:
    chained_desk(store)
    with store.session() as s:
        ids = list(s.scalars(select(AuditRecord.id).order_by(AuditRecord.id)))
    _tamper(store, f"DELETE FROM audit WHERE id = {ids[3]}")
    with store.session() as s:
        assert [f.id for f in verify.verify(s).findings] == [ids[4]]


def test_verify_names_a_tampered_letter_and_the_command_exits_1(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        first = issue(session, case, "reply")
        second = issue(session, case, "reply")
        number = second.number
    url = store.engine.url.render_as_string(hide_password=False)
    assert main.run(["--db", url, "verify"]) == 0
    assert "核验通过" in capsys.readouterr().out
    _tamper(store, f"UPDATE letters SET content = :c WHERE id = {second.id}", c=b"PK forged")
    assert main.run(["--db", url, "verify"]) == 1
    err = capsys.readouterr().err
    assert number in err and "核验未通过" in err
    assert str(first.number) not in err


def test_upgrade_hashes_the_records_written_before_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = open_store(path, migrate_schema=False).engine
    with engine.begin() as conn:
        command.upgrade(store_mod._alembic_config(conn), "0002")
        for i in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit (at, actor, action, field, old, new) "
                    "VALUES (:at, '张三', 'register', 'no', NULL, :n)"
                ),
                {"at": dt.datetime(2025, 3, 3, 9, i, tzinfo=dt.UTC), "n": f"2025-{i}"},
            )
    engine.dispose()
    opened = open_store(path)
    try:
        with opened.session() as s:
            found = verify.verify(s)
            assert found.ok and found.records == 3
    finally:
        opened.close()


def test_an_action_rereads_its_actor_and_refuses_one_disabled_meanwhile(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    stale = desk.handler  # signed in before the administrator disabled the account
    desk.do(users.set_active, desk.admin, stale, False)
    assert stale.active  # the window's copy still says active
    with pytest.raises(Refused, match="已停用"):
        desk.do(actions.advance, stale, no, "check")
    with pytest.raises(Refused, match="已停用"):
        desk.do(actions.register, stale, applicant=None, channel="in_person", description="x")
    assert desk.case(no).step == "register"


def test_passwords_use_scrypt_2_17_and_old_hashes_are_raised_at_sign_in(store: Store) -> None:
    assert users.SCRYPT_N >= 2**17
    with store.transaction() as s:
        user = users.create_user(
            s, None, username="chen", display_name="陈", roles=["admin"], password="old password"
        ).value
        # An account stored by an earlier version, at 2^14.
        salt = bytes.fromhex(user.salt or "")
        user.password_hash = users.hash_password("old password", salt, n=2**14)
    with store.transaction() as s:
        assert users.authenticate(s, "chen", "old password").username == "chen"
    with store.session() as s:
        stored = users.find_user(s, "chen")
        assert stored is not None and stored.password_hash is not None
        assert stored.password_hash.split("$")[1] == str(users.SCRYPT_N)
        assert users.verify_password(stored, "old password")
        assert not users.verify_password(stored, "wrong")


def test_a_copied_database_file_keeps_its_triggers(sqlite_store: Store, tmp_path: Path) -> None:
    assert sqlite_store.path is not None
    copy = tmp_path / "copy.sqlite"
    shutil.copy(sqlite_store.path, copy)
    opened = open_store(copy)
    try:
        with opened.transaction() as s:
            s.add(AuditRecord(actor="张三", action="register", at=dt.datetime.now(dt.UTC)))
        refused_by_database(opened, "DELETE FROM audit", "审计记录只能追加")
        with opened.session() as s:
            assert verify.verify(s).ok
            assert s.scalar(select(Case.id)) is None
    finally:
        opened.close()
