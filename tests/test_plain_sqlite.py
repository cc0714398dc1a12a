"""The quick read of an up-to-date SQLite file: the same answers as the full way, or none at all."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest

import main
from cases.storage import plain_sqlite
from cases.storage.migrations import HEAD_REVISION

# The office's own entries: a year the State Council has not published, and one that it has,
# with a day the office worked (a note-less entry beside named ones).
SCHEDULE_2027 = """year,2027
2027-01-01,休,元旦
2027-02-05,休,春节
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-20,班,春节调休
"""
SCHEDULE_2025 = """year,2025
2025-01-01,休,元旦
2025-05-01,休,劳动节
2025-05-02,休
2025-10-01,休,国庆节
2025-10-11,班,国庆调休
"""


@pytest.fixture
def desk(tmp_path: Path, sqlite_template: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "desk.sqlite"
    shutil.copy(sqlite_template, db)
    for name, text in (("2027.txt", SCHEDULE_2027), ("2025.txt", SCHEDULE_2025)):
        schedule = tmp_path / name
        schedule.write_text(text, encoding="utf-8")
        assert main.run(["--db", str(db), "holidays", "import", str(schedule)]) == 0
    capsys.readouterr()
    return db


def listing(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, full: bool
) -> str:
    """The output of `holidays list`, read the quick way or (full) through SQLAlchemy."""
    with monkeypatch.context() as patch:
        if full:
            patch.setattr(plain_sqlite, "open_current", lambda target=None: None)
        assert main.run(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("year", [None, "2024", "2025", "2027", "2028"])
def test_holidays_list_reads_the_same_both_ways(
    desk: Path,
    year: str | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["--db", str(desk), "holidays", "list", *(["--year", year] if year else [])]
    quick = listing(argv, capsys, monkeypatch, full=False)
    assert quick == listing(argv, capsys, monkeypatch, full=True)
    assert quick.strip()


def test_the_quick_way_is_taken_for_a_current_file(
    desk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cases.cli

    def refuse(*_args: object) -> int:
        raise AssertionError("the full way was taken")

    monkeypatch.setattr(cases.cli, "holidays_list", refuse)
    assert main.run(["--db", str(desk), "holidays", "list", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "2025-05-02 放假 劳动节（本机关）" in out  # note-less: the official name it agrees with
    assert "2025-10-11 调休上班 国庆调休（本机关）" in out


def test_the_database_named_by_the_environment_is_read_too(
    desk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plain_sqlite.DB_ENV, str(desk))
    connection = plain_sqlite.open_current()
    assert connection is not None
    connection.close()
    assert main.run(["holidays", "list", "--year", "2027"]) == 0
    assert "2027-02-20 调休上班 春节调休（本机关）" in capsys.readouterr().out


def not_current(folder: Path, template: Path) -> tuple[Path, Path, Path]:
    """A foreign SQLite file and ours at an older and a newer revision, each kept with a
    rollback journal (switching one to WAL would rewrite its header)."""
    foreign, older, newer = (folder / f"{name}.sqlite" for name in ("foreign", "older", "newer"))
    with contextlib.closing(sqlite3.connect(foreign)) as c:
        c.execute("CREATE TABLE t (x)")
    for path, revision in ((older, "0010"), (newer, "9999")):
        shutil.copy(template, path)
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as c:
            c.execute("UPDATE alembic_version SET version_num = ?", (revision,))
            assert c.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    assert HEAD_REVISION not in ("0010", "9999")
    return foreign, older, newer


def test_a_current_file_opens_and_anything_else_goes_the_full_way(
    tmp_path: Path, sqlite_template: Path
) -> None:
    current = tmp_path / "current.sqlite"
    shutil.copy(sqlite_template, current)
    connection = plain_sqlite.open_current(current)
    assert connection is not None
    with pytest.raises(sqlite3.OperationalError):  # read-only: nothing can change the file
        connection.execute("DELETE FROM holiday_entries")
    connection.close()

    empty = tmp_path / "empty.sqlite"
    empty.touch()
    text = tmp_path / "notes.sqlite"
    text.write_text("不是数据库", encoding="utf-8")
    foreign, older, newer = not_current(tmp_path, sqlite_template)
    for target in (
        tmp_path / "missing.sqlite",
        tmp_path,  # a folder
        empty,
        text,
        foreign,
        older,
        newer,
        f"sqlite:///{current}",  # a URL is the full way's to read
    ):
        assert plain_sqlite.open_current(target) is None, target


def test_a_newer_file_is_refused_as_the_full_way_refuses_it(
    tmp_path: Path, sqlite_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.sqlite"
    shutil.copy(sqlite_template, newer)
    with sqlite3.connect(newer) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    assert main.run(["--db", str(newer), "holidays", "list"]) == 1  # as main refuses it
    assert "比本程序新" in capsys.readouterr().err


def test_a_writable_connection_leaves_a_file_it_refuses_as_it_was(
    tmp_path: Path, sqlite_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `report --out` asks for a writable connection; a foreign, older or newer file kept with a
    # rollback journal must not be switched to WAL before it is found not to be read this way:
    # the full way then says of it that nothing was changed (store._peek_sqlite).
    foreign, older, newer = not_current(tmp_path, sqlite_template)
    for path in (foreign, older, newer):
        before = path.read_bytes()
        assert plain_sqlite.open_current(path, writable=True) is None, path
        assert path.read_bytes() == before, path
        assert not Path(f"{path}-wal").exists(), path
    before = newer.read_bytes()
    out = tmp_path / "r.json"
    assert main.run(["--db", str(newer), "report", "--year", "2025", "--out", str(out)]) == 1
    assert "未作任何改动" in capsys.readouterr().err
    assert newer.read_bytes() == before and not out.exists()
