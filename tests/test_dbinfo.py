"""`db info`, the 关于 text, and a server that cannot be reached: one line, exit status 1."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import main
from cases import cli
from cases.storage import dbinfo, server
from cases.storage.migrations import HEAD_REVISION
from cases.storage.store import ServerUnreachable, StoreError, open_store
from tests.support import pg_url

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    """A local port nobody listens on: taken from the system, then given back."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_db_info_names_the_file_its_schema_size_and_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "office.sqlite"
    assert main.run(["--db", str(db), "demo", "--cases", "40"]) == 0
    capsys.readouterr()
    assert main.run(["--db", str(db), "db", "info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"数据库：{db}"
    assert lines[1].startswith("类型：SQLite 3.")
    assert lines[2] == f"表结构版本：{HEAD_REVISION}（与本程序一致）"
    assert re.fullmatch(r"大小：\d+\.\d (KB|MB)", lines[3]), lines[3]
    assert lines[4].startswith("案件：40 件")


def test_db_info_does_not_create_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite"
    assert main.run(["--db", str(missing), "db", "info"]) == cli.BAD_INPUT
    assert "找不到数据库文件" in capsys.readouterr().err
    assert not missing.exists()


@pytest.mark.postgres
@pytest.mark.skipif(pg_url() is None, reason="DISCLOSURE_DESK_TEST_PG is not set")
def test_db_info_on_the_server_shows_the_address_without_its_password(
    pg_migrated: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with_password = make_url(pg_migrated).set(password="geheim-密码")
    assert (
        main.run(["--db", with_password.render_as_string(hide_password=False), "db", "info"]) == 0
    )
    out = capsys.readouterr().out
    assert "geheim" not in out and "***" not in out
    assert f"数据库：{server.public_url(pg_migrated)}" in out
    assert "PostgreSQL" in out and "多台电脑共用" in out
    assert f"表结构版本：{HEAD_REVISION}（与本程序一致）" in out


def test_sizes_are_written_for_people() -> None:
    assert [dbinfo.human_size(n) for n in (None, 0, 1023, 1024, 5 * 1024**2, 3 * 1024**4)] == [
        "未知", "0 字节", "1023 字节", "1.0 KB", "5.0 MB", "3072.0 GB",
    ]  # fmt: skip


def test_the_about_text_names_the_program_and_the_database(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.sqlite")
    try:
        text = dbinfo.about_text(store)
    finally:
        store.close()
    assert text.startswith("依申请公开办理台")
    assert f"数据库：{tmp_path / 'a.sqlite'}" in text and "案件：0 件" in text
    assert "尚未打开数据库" in dbinfo.about_text(None)


def test_an_unreachable_server_is_one_line_and_exit_status_1(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://desk:s3cret@127.0.0.1:{closed_port()}/disclosure"
    for command in (["db", "info"], ["export", str(tmp_path / "x.jsonl")], ["demo"]):
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", url, *command],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert done.stdout == ""
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("无法连接数据库服务器 127.0.0.1:")
        assert "服务器拒绝连接" in lines[0] and "s3cret" not in lines[0]


def test_unreachable_is_told_apart_from_a_wrong_password_or_database(tmp_path: Path) -> None:
    with pytest.raises(ServerUnreachable):
        open_store(f"postgresql+psycopg://desk@127.0.0.1:{closed_port()}/disclosure")
    base = pg_url()
    if base is not None:  # a server that answers "no such database": trying again will not help
        missing = make_url(base).set(database="dd_no_such_database")
        with pytest.raises(StoreError) as refused:
            open_store(missing.render_as_string(hide_password=False))
        assert not isinstance(refused.value, ServerUnreachable)
        assert "没有这个数据库或用户" in str(refused.value)


def test_a_server_url_waits_a_bounded_time_unless_it_says_otherwise() -> None:
    assert server.connect_args("postgresql+psycopg://h/db") == {"connect_timeout": 10}
    assert server.connect_args("postgresql+psycopg://h/db?connect_timeout=3") == {}
    assert server.connect_args("sqlite:///x.sqlite") == {}


def test_a_desk_connection_to_the_server_runs_without_jit_and_plans_each_statement(
    pg_migrated: str,
) -> None:
    # Every connection, also one opened after the pool lost the first, and inside a transaction
    # as well as after one (a SET inside the first transaction would be rolled back with it).
    store = open_store(pg_migrated)
    settings = {"jit": "off", "plan_cache_mode": "force_custom_plan"}
    try:
        for _ in range(2):
            with store.transaction() as session:
                for name, value in settings.items():
                    assert session.execute(text(f"SHOW {name}")).scalar() == value
            with store.session() as session:
                for name, value in settings.items():
                    assert session.execute(text(f"SHOW {name}")).scalar() == value
            store.engine.dispose()
    finally:
        store.close()
