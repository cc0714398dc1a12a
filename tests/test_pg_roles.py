"""README's set-up for the office's IT person, run for real: the GRANTs there are all a desk needs.

The SQL blocks of the README section are executed as written (names made unique to this test
server), the admin account's first start creates the schema through the migrations, and then a
desk account works a case from registration to the archive, imports, exports and issues letters,
while what it should not do (change tables, rewrite the audit trail) is refused by the server.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ProgrammingError

import main
from cases import actions
from cases.documents import letters
from cases.storage.migrations import HEAD_REVISION
from cases.storage.model import Letter
from cases.storage.store import StoreError, open_store
from tests.actions_support import DAY0, Desk
from tests.support import pg_url

D = dt.date

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## 共享数据库"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(pg_url() is None, reason="DISCLOSURE_DESK_TEST_PG is not set"),
]


def readme_sql() -> list[str]:
    """The ```sql blocks of the IT section, in order."""
    text_ = README.read_text(encoding="utf-8")
    start = text_.index(SECTION)
    end = text_.index("\n## ", start + len(SECTION))
    return re.findall(r"```sql\n(.*?)```", text_[start:end], flags=re.S)


def statements(block: str, names: dict[str, str]) -> list[str]:
    for documented, ours in names.items():
        block = re.sub(rf"\b{documented}\b", ours, block)
    lines = [line for line in block.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


@dataclass
class Office:
    admin: URL  # the account that owns the tables
    desk: URL  # the account of every desk
    after_first_start: list[str]  # README step 4, run as the superuser
    superuser: URL


def reset(base: URL, names: dict[str, str]) -> bool:
    """Take away what an earlier run left: the two roles and everything in the office database.

    The database itself is kept, emptied to what CREATE DATABASE gives, when it exists: dropping
    it costs a checkpoint of the whole server, minutes while other suites share it. Returns
    whether it exists.
    """
    office, roles = names["disclosure"], [names["disclosure_desk"], names["disclosure_admin"]]
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            has_db = text("SELECT 1 FROM pg_database WHERE datname = :n")
            found = conn.execute(has_db, {"n": office}).first() is not None
            has_roles = text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:r)")
            left = [row[0] for row in conn.execute(has_roles, {"r": roles})]
            if found:
                conn.execute(text(f'ALTER DATABASE "{office}" OWNER TO CURRENT_USER'))
    finally:
        engine.dispose()
    if found:
        # One role at a time: together, PostgreSQL 15 trips over the default ACL they share.
        cleanup = [f"DROP OWNED BY {role} CASCADE" for role in sorted(left)]
        cleanup += [
            "DROP SCHEMA IF EXISTS public CASCADE",
            "CREATE SCHEMA public AUTHORIZATION pg_database_owner",
            "GRANT USAGE ON SCHEMA public TO PUBLIC",
            f'GRANT CONNECT, TEMPORARY ON DATABASE "{office}" TO PUBLIC',
        ]
        run_as(base.set(database=office), cleanup)
    run_as(base, [f'DROP ROLE IF EXISTS "{role}"' for role in roles])
    return found


@pytest.fixture
def office() -> Office:
    """README steps 1 and 2, under names unique to this test server."""
    base = make_url(pg_url() or "")
    prefix = base.database or "dd"
    names = {
        "disclosure_admin": f"{prefix}_admin",
        "disclosure_desk": f"{prefix}_desk",
        "disclosure": f"{prefix}_office",
    }
    blocks = readme_sql()
    assert len(blocks) == 3, "README's IT section should hold its three SQL steps"
    reused = reset(base, names)
    first = statements(blocks[0], names)
    if reused:  # the emptied database stands in for a new one
        made = [sql for sql in first if sql.startswith("CREATE DATABASE")]
        assert len(made) == 1
        owner = re.search(r"OWNER (\w+)", made[0])
        assert owner is not None
        first = [
            sql if sql not in made else f"ALTER DATABASE {names['disclosure']} OWNER TO {owner[1]}"
            for sql in first
        ]
    in_office = base.set(database=names["disclosure"])
    run_as(base, first)
    run_as(in_office, statements(blocks[1], names))
    admin = in_office.set(username=names["disclosure_admin"])
    return Office(
        admin=admin,
        desk=admin.set(username=names["disclosure_desk"]),
        after_first_start=statements(blocks[2], names),
        superuser=in_office,
    )


def run_as(url: URL, sqls: list[str]) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for sql in sqls:
                conn.execute(text(sql))
    finally:
        engine.dispose()


def address(url: URL) -> str:
    return url.render_as_string(hide_password=False)


REFUSED_TO_A_DESK = (
    "DROP TABLE cases",
    "CREATE TABLE intruder (x integer)",
    "ALTER TABLE cases ADD COLUMN intruder integer",
    "UPDATE audit SET actor = 'someone else'",
    "DELETE FROM audit",
    "TRUNCATE audit",
    "UPDATE alembic_version SET version_num = '0001'",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
)


def test_the_documented_grants_are_all_a_desk_needs(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Step 3: the admin's first start on the empty database creates the schema (migrations).
    assert main.run(["--db", address(office.admin), "db", "info"]) == 0
    assert f"表结构版本：{HEAD_REVISION}（与本程序一致）" in capsys.readouterr().out
    run_as(office.superuser, office.after_first_start)

    store = open_store(address(office.desk))
    try:
        desk = Desk.open(store)  # the program's own users, written by the desk account
        no = desk.register(DAY0)
        desk.to_handle(no)
        desk.close(no, "disclose", ["attached"], on=D(2025, 3, 20), served=D(2025, 3, 24))
        assert desk.case(no).archived_at is not None
        second = desk.register(DAY0)
        with store.transaction() as s:
            case = actions.load_case(s, second)
            draft = letters.draft_letter(s, case, "receipt", "王承办")
            issued = letters.issue_letter(s, draft, "王承办", on=DAY0)
        assert issued.number and issued.seq == 1
        with store.session() as s:
            assert s.get(Letter, issued.id) is not None
        with store.engine.connect() as conn:
            for sql in REFUSED_TO_A_DESK:
                with pytest.raises(ProgrammingError) as refused:
                    conn.execute(text(sql))
                conn.rollback()
                assert "permission denied" in str(refused.value) or "must be owner" in str(
                    refused.value
                ), sql
    finally:
        store.close()

    # The commands a desk runs: import, export, the office's holidays, db info.
    jsonl, schedule = tmp_path / "in.jsonl", tmp_path / "2027.txt"
    jsonl.write_text(
        json.dumps(
            {
                "received": "2025-04-01", "channel": "email",
                "applicant": {"type": "enterprise", "name": "某某有限公司"},
                "request": {"description": "申请公开企业名录", "form": "electronic",
                            "delivery": "email"},
            },
            ensure_ascii=False,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    schedule.write_text("year,2027\n2027-01-01,休,元旦\n", encoding="utf-8")
    at = address(office.desk)
    assert main.run(["--db", at, "import", str(jsonl)]) == 0
    assert main.run(["--db", at, "holidays", "import", str(schedule)]) == 0
    assert main.run(["--db", at, "export", str(tmp_path / "out.jsonl")]) == 0
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 3
    capsys.readouterr()
    assert main.run(["--db", at, "db", "info"]) == 0
    assert "案件：3 件" in capsys.readouterr().out


def test_a_desk_account_does_not_upgrade_the_schema_and_says_who_must(office: Office) -> None:
    open_store(address(office.admin)).close()
    run_as(office.superuser, office.after_first_start)
    # As if the admin had not yet started a newer program version once.
    run_as(office.admin, ["UPDATE alembic_version SET version_num = '0007'"])  # an older revision
    try:
        with pytest.raises(StoreError) as refused:
            open_store(address(office.desk))
        message = str(refused.value)
        assert "没有" in message and "权限" in message and "所有者账号" in message
        assert len(message.splitlines()) == 1
    finally:
        run_as(office.admin, [f"UPDATE alembic_version SET version_num = '{HEAD_REVISION}'"])


def test_moving_a_desk_file_onto_the_server_as_the_readme_says(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_file = tmp_path / "desk.sqlite"
    assert main.run(["--db", str(old_file), "demo", "--cases", "30"]) == 0
    open_store(address(office.admin)).close()  # the first start
    run_as(office.superuser, office.after_first_start)
    capsys.readouterr()
    # The desk account may not: it cannot move the id sequences after the copied rows.
    assert main.run(["db", "copy", str(old_file), address(office.desk)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "没有整库复制所需的权限" in err[0] and "所有者账号" in err[0]
    assert main.run(["db", "copy", str(old_file), address(office.admin)]) == 0
    assert "核对通过" in capsys.readouterr().out
    store = open_store(address(office.desk))
    try:
        desk = Desk.open(store)  # the desks carry on where the file stopped
        no = desk.register(DAY0)
        with store.session() as s:
            assert actions.load_case(s, no).id == 31
    finally:
        store.close()
