"""Restore checks the candidate fully and leaves the live file byte-identical when it refuses."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

import main
from cases.storage import restore as restoring
from cases.storage.store import Store, backup_sqlite, open_store
from tests.test_store import add_case


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def live(sqlite_store: Store) -> Path:
    """A live database with one case, closed (as when the command line restores)."""
    with sqlite_store.transaction() as session:
        add_case(session, "LIVE-1")
    assert sqlite_store.path is not None
    path = sqlite_store.path
    sqlite_store.close()
    return path


def good_backup(tmp_path: Path, numbers: tuple[str, ...] = ("OLD-1", "OLD-2")) -> Path:
    db = open_store(tmp_path / "other" / "cases.sqlite")
    with db.transaction() as session:
        for no in numbers:
            add_case(session, no)
    made = backup_sqlite(db, tmp_path / "backups")
    db.close()
    assert made is not None
    return made


def foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    return path


def newer(tmp_path: Path) -> Path:
    path = good_backup(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    return path


def corrupt(tmp_path: Path) -> Path:
    path = good_backup(tmp_path)
    data = bytearray(path.read_bytes())
    for i in range(4096 + 100, min(len(data), 4096 * 3), 7):  # scribble over the second page on
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    return path


def half_written(tmp_path: Path) -> Path:
    path = good_backup(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a copy cut short by a full disk or a kill
    return path


BAD = {
    "empty": lambda tmp: (tmp / "empty.sqlite").write_bytes(b"") and tmp / "empty.sqlite",
    "text": lambda tmp: (tmp / "notes.sqlite").write_text("hello") and tmp / "notes.sqlite",
    "foreign": lambda tmp: foreign(tmp / "music.sqlite"),
    "newer": newer,
    "corrupt": corrupt,
    "half-written": half_written,
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_backup_is_refused_and_the_live_file_stays_byte_identical(
    kind: str, live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = BAD[kind](tmp_path)
    before = digest(live)
    assert main.run(["--db", str(live), "restore", str(backup), "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err  # one line, no traceback
    assert digest(live) == before
    assert not list(live.parent.glob("*.before-restore*"))
    assert not Path(str(backup) + "-wal").exists()  # the candidate was only read


def test_a_missing_backup_exits_2(live: Path, tmp_path: Path) -> None:
    assert main.run(["--db", str(live), "restore", str(tmp_path / "nope.sqlite"), "--yes"]) == 2


def test_restore_says_what_it_holds_and_asks_for_yes(
    live: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = good_backup(tmp_path)
    before = digest(live)
    assert main.run(["--db", str(live), "restore", str(backup)]) == 2
    captured = capsys.readouterr()
    assert "2 件案件" in captured.out and "1 件案件" in captured.out  # backup, and what it replaces
    assert "--yes" in captured.err
    assert digest(live) == before


def test_restore_keeps_the_live_file_aside_never_overwriting_an_earlier_copy(
    live: Path, tmp_path: Path
) -> None:
    backup = good_backup(tmp_path)
    first = restoring.restore(backup, live)
    second = restoring.restore(backup, live)
    assert first.kept is not None and second.kept is not None and first.kept != second.kept
    assert first.replaced is not None and first.replaced.cases == 1
    with sqlite3.connect(first.kept) as conn:
        assert [r[0] for r in conn.execute("SELECT no FROM cases")] == ["LIVE-1"]
    db = open_store(live)
    try:
        with db.session() as s:
            from sqlalchemy import select

            from cases.storage.model import Case

            assert sorted(s.scalars(select(Case.no))) == ["OLD-1", "OLD-2"]
    finally:
        db.close()


def test_restore_is_refused_while_another_process_writes(live: Path, tmp_path: Path) -> None:
    backup = good_backup(tmp_path)
    before = digest(live)
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what an import holds while it writes
    writer.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
    try:
        with pytest.raises(restoring.RestoreRefused, match="正在写入"):
            restoring.restore(backup, live)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert digest(live) == before
    assert not list(live.parent.glob("*.before-restore*"))


def test_backups_lists_only_this_databases_backups_with_date_and_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    mine = open_store(tmp_path / "mine" / "office.sqlite")
    theirs = open_store(tmp_path / "theirs" / "other.sqlite")
    with mine.transaction() as session:
        add_case(session, "M-1")
    backup_sqlite(mine)
    backup_sqlite(theirs)
    mine.close()
    theirs.close()
    assert main.run(["--db", str(tmp_path / "mine" / "office.sqlite"), "backups"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert "office-" in lines[0] and "1 件案件" in lines[0] and "other-" not in lines[0]


def test_a_backup_copied_elsewhere_restores_from_any_folder(live: Path, tmp_path: Path) -> None:
    backup = good_backup(tmp_path)
    elsewhere = tmp_path / "u盘" / "备份.sqlite"
    elsewhere.parent.mkdir()
    shutil.copy(backup, elsewhere)
    assert main.run(["--db", str(live), "restore", str(elsewhere), "--yes"]) == 0


def test_restore_is_refused_while_a_staged_import_checks_its_rows(
    live: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A staged import takes the write lock only at its end; restore must not slip in before."""
    import json
    import threading

    from cases.actions.imports import import_file_in_steps
    from cases.cli import command_line_user
    from cases.interchange import staging

    backup = good_backup(tmp_path)
    rows = [
        {"no": f"IMP-{i}", "received": "2025-03-03", "channel": "in_person",
         "applicant": {"type": "natural_person", "name": "张三"},
         "request": {"description": "某路拓宽", "form": "paper", "delivery": "post"}}
        for i in range(5)
    ]  # fmt: skip
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    staging_now, go_on = threading.Event(), threading.Event()
    write_stage = staging._write_stage

    def slow_stage(*args: object) -> None:
        staging_now.set()
        assert go_on.wait(60)
        write_stage(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(staging, "_write_stage", slow_stage)
    db = open_store(live)
    done: list[int] = []
    worker = threading.Thread(
        target=lambda: done.append(
            import_file_in_steps(db, command_line_user(), source).value.written
        )
    )
    worker.start()
    try:
        assert staging_now.wait(60)
        before = digest(live)
        assert main.run(["--db", str(live), "restore", str(backup), "--yes"]) == 2
        err = capsys.readouterr().err
        assert "正在导入" in err and err.count("\n") == 1
        assert digest(live) == before and not list(live.parent.glob("*.before-restore*"))
    finally:
        go_on.set()
        worker.join(60)
        db.close()
    assert done == [5] and restoring.inspect_file(live, immutable=False).cases == 6
    assert restoring.restore(backup, live).kept is not None  # once it is over, restore goes on
    assert restoring.inspect_file(live, immutable=False).cases == 2
    assert not restoring.import_lock.lock_path(live).exists()  # the lock file went with it
