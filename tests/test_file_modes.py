"""Personal data stays the user's: modes 0600/0700; files are opened without being changed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

import main
from cases.storage import paths
from cases.storage.store import backup_sqlite, open_store
from tests.test_store import add_case

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_database_backups_and_exports_are_the_users_only(tmp_path: Path) -> None:
    os.umask(0o022)
    db_path = tmp_path / "新建" / "cases.sqlite"
    db = open_store(db_path)
    with db.transaction() as session:
        add_case(session, "M-1")
    made = backup_sqlite(db)
    db.close()
    assert mode(db_path) == 0o600 and mode(db_path.parent) == 0o700
    assert made is not None and mode(made) == 0o600
    assert mode(paths.backup_dir()) == 0o700 and mode(paths.data_dir()) == 0o700
    for name in ("out.jsonl", "out.xlsx"):
        assert main.run(["--db", str(db_path), "export", str(tmp_path / name)]) == 0
        assert mode(tmp_path / name) == 0o600


def test_a_foreign_sqlite_file_is_refused_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "music.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main.run(["--db", str(path), "export", str(tmp_path / "x.jsonl")]) == 2
    assert main.run(["--db", str(path), "import", str(tmp_path / "x.jsonl")]) == 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not Path(f"{path}-wal").exists()


@posix_only
def test_a_read_only_database_in_a_read_only_folder_can_be_read(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads and writes every file regardless of its mode")
    folder = tmp_path / "光盘"
    db = open_store(folder / "cases.sqlite")
    with db.transaction() as session:
        add_case(session, "R-1")
    db.close()
    os.chmod(folder / "cases.sqlite", 0o400)
    os.chmod(folder, 0o500)
    try:
        assert (
            main.run(["--db", str(folder / "cases.sqlite"), "export", str(tmp_path / "o.jsonl")])
            == 0
        )
        assert "R-1" in (tmp_path / "o.jsonl").read_text(encoding="utf-8")
    finally:
        os.chmod(folder, 0o700)


def test_demo_refuses_a_database_with_real_cases_and_marks_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from cases.storage.model import Case

    real = tmp_path / "office.sqlite"
    db = open_store(real)
    with db.transaction() as session:
        add_case(session, "REAL-1")
    db.close()
    before = hashlib.sha256(real.read_bytes()).hexdigest()
    assert main.run(["--db", str(real), "demo", "--cases", "5"]) == 2
    assert "--into-real-database" in capsys.readouterr().err
    assert hashlib.sha256(real.read_bytes()).hexdigest() == before
    assert main.run(["--db", str(real), "demo", "--cases", "5", "--into-real-database"]) == 0
    db = open_store(real)
    with db.session() as session:
        marks = {no: flag for no, flag in session.execute(select(Case.no, Case.demo))}
    db.close()
    assert marks.pop("REAL-1") is False and len(marks) == 5 and all(marks.values())
