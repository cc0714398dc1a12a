"""`report --out FILE` (and `--stats`) read through sqlite3 gives the report, the statistics, the
files and the refusals the ORM way gives.

On a demo of a few thousand cases over many years, with plain generated years (some answered by
长兴镇, some before the demo began, so with no demo case), table 二 entered, fees paid and reviews:
every year's report built both ways for the compiled report and a unit's; the command end to end
both ways, every format, each file compared part by part and the snapshot it keeps; last year's
published check after a change; a failed check, a lock held by another desk and a read-only file
sending the command the full way; the same refusals with the same words; every year's
statistics both ways.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import main
from cases import cli
from cases.documents import report, report_snapshot, report_text, stats, stats_figures, stats_file
from cases.documents.report import from_file
from cases.documents.report_export import report_json
from cases.errors import Refused
from cases.office.profile import load_profile, save_profile
from cases.sample import demo
from cases.storage import plain_sqlite
from cases.storage.model import Case
from cases.storage.store import open_store
from tests.report_support import add_boundary_cases, generate_years

TODAY = dt.date(2026, 1, 20)
DEMO_YEARS = tuple(range(2016, 2026))
YEARS = range(2011, 2028)  # from before the first case to after the last
BODIES = (None, "长兴镇", "区政府")  # the compiled report, a town, the office itself
FORMATS = (".json", ".docx", ".xlsx")
CORE = "docProps/core.xml"  # the one part that carries the time the file was written


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A demo database of many years with table 二, a saved profile, fees and reviews."""
    root = tmp_path_factory.mktemp("plain-report")
    db = root / "cases.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISCLOSURE_DESK_HOME", str(root / "home"))
        patch.setenv("DISCLOSURE_DESK_CACHE", str(root / "cache"))
        store = open_store(db)
        with store.transaction() as session:
            demo.generate(session, 3000, seed=21, years=DEMO_YEARS, today=TODAY)
            for i, made in enumerate(generate_years(session, 31, 2012, 2025, 700)):
                made.body = "长兴镇" if i % 3 == 0 else made.body
            profile = load_profile(session)
            save_profile(session, profile, "管理员")  # a saved profile, read from the file
            for year, money in ((2024, "12.35"), (2025, "3")):
                keys = report.table2_keys()
                values = {key: i for i, key in enumerate(keys[:6])}
                money_key = next(k for k in keys if "万元" in k[2])
                values[money_key] = Decimal(money)
                report.save_table2(session, year, values, "管理员")
        store.close()
        yield db


@pytest.fixture
def desk(office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database of this test's own, with a data folder of its own."""
    monkeypatch.setenv("DISCLOSURE_DESK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISCLOSURE_DESK_CACHE", str(tmp_path / "cache"))
    db = tmp_path / "cases.sqlite"
    with sqlite3.connect(office) as source, sqlite3.connect(db) as target:
        source.backup(target)
    return db


def plain(db: Path) -> sqlite3.Connection:
    connection = plain_sqlite.open_current(db, writable=True)
    assert connection is not None  # the file is at this program's revision
    return connection


def test_every_year_reads_the_same_through_sqlite3(desk: Path) -> None:
    store = open_store(desk)
    connection = plain(desk)
    seen = {"rows": 0, "table4": 0, "table2": 0, "fees": 0, "carried": 0, "demo": 0, "real": 0}
    try:
        with store.session() as session:
            for body in BODIES:
                for year in YEARS:
                    built = report.build_report(session, year, body=body)
                    source = from_file.FileSource(connection, body)
                    read = from_file.build_from_file(source, year)
                    assert read.tallies == built.tallies, (year, body)
                    assert read.rows == built.rows
                    assert read.table4 == built.table4
                    assert read.table2 == built.table2
                    assert (read.office, read.body, read.year) == (built.office, body, year)
                    assert read.checks == built.checks
                    assert report_json(read) == report_json(built)
                    text = from_file.draft_text(source, read)
                    assert text == report_text.draft_text(session, built)
                    # a report read from the file serves the ORM's functions as well
                    assert report_text.draft_text(session, read) == text
                    assert report.check_report(session, read) == read.checks
                    carried = report_snapshot._carried(session, built, year)
                    assert source.carried(year) == carried
                    seen["rows"] += any(r.values and any(r.values) for r in built.rows)
                    seen["table4"] += any(built.table4)
                    seen["table2"] += bool(built.table2)
                    seen["fees"] += text.figures.fees_count > 0
                    seen["carried"] += bool(carried)
                    seen["demo" if built.demo_cases else "real"] += any(
                        t.received for t in built.tallies.values()
                    )
    finally:
        connection.close()
        store.close()
    # the comparison saw real figures of every kind, for both bodies
    assert seen["rows"] >= 24 and seen["table4"] >= 16 and seen["carried"] >= 16, seen
    assert seen["table2"] == 2 * len(BODIES) and seen["fees"] >= 8 and seen["demo"] >= 10, seen
    assert seen["real"] >= 6, seen  # years before the demo began: no demo case among them


def test_a_date_stored_with_a_time_is_of_the_year_the_orm_reads(desk: Path) -> None:
    # A case stored as received at 09:00 on the last day of a year with no other case: the ORM's
    # BETWEEN the year's first and last days leaves it out, the kept totals' year counts it in.
    with sqlite3.connect(desk) as connection:
        ((moved,),) = connection.execute(
            "SELECT min(id) FROM cases WHERE archived_at IS NULL AND voided IS NOT 1 "
            "AND received LIKE '2012-%' AND (outcome_on IS NULL OR outcome_on > '2012-01-01')"
        ).fetchall()
        assert moved is not None
        connection.execute(
            "UPDATE cases SET received = '2011-12-31 09:00:00' WHERE id = ?", (moved,)
        )
    store = open_store(desk)
    connection = plain(desk)
    try:
        with store.session() as session:
            for body in BODIES:
                built = report.build_report(session, 2012, body=body)
                read = from_file.build_from_file(from_file.FileSource(connection, body), 2012)
                assert read.checks == built.checks, body
                assert any(c.detail == "2011年没有案件，不比较" for c in built.checks)
    finally:
        connection.close()
        store.close()


def parts(path: Path) -> dict[str, bytes]:
    """A .docx or .xlsx's parts, the time it was written left out of its properties."""
    with zipfile.ZipFile(path) as archive:
        found = {name: archive.read(name) for name in archive.namelist()}
    if CORE in found:
        found[CORE] = re.sub(rb">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<", b"><", found[CORE])
    return found


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main.run(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def snapshots(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT key, value FROM settings WHERE key LIKE 'report_%'")
        return dict(rows.fetchall())


def test_the_command_writes_the_same_files_both_ways(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full_way = f"sqlite:///{desk}"  # a URL: never read through sqlite3
    compared = 0
    for body in BODIES:
        for year in YEARS:
            for suffix in FORMATS:
                wanted = ["report", "--year", str(year)] + (["--body", body] if body else [])
                full, read = tmp_path / f"full{suffix}", tmp_path / f"plain{suffix}"
                done_full = run(["--db", full_way, *wanted, "--out", str(full)], capsys)
                kept_full = snapshots(desk)
                done_plain = run(["--db", str(desk), *wanted, "--out", str(read)], capsys)
                assert done_plain == (
                    done_full[0],
                    done_full[1].replace(str(full), str(read)),
                    done_full[2],
                ), (year, body, suffix)
                if suffix == ".json":
                    assert read.read_bytes() == full.read_bytes()
                else:
                    assert parts(read) == parts(full)
                assert snapshots(desk) == kept_full  # the same snapshot, kept the same way
                compared += done_full[0] == 0
    assert compared == len(BODIES) * len(YEARS) * len(FORMATS)


def test_a_change_after_publishing_is_named_the_same_way(desk: Path, tmp_path: Path) -> None:
    assert cli.report_plain(plain(desk), args(2024, tmp_path / "2024.json"), io.StringIO()) == 0
    store = open_store(desk)
    try:
        with store.transaction() as session:  # a case carried out of 2024 closed in 2024 after all
            case = session.scalars(
                select(Case)
                .where(Case.outcome_on.is_(None), Case.received < dt.date(2024, 12, 1))
                .where(Case.voided.is_(False), Case.archived_at.is_(None))
                .order_by(Case.no)
            ).first()
            assert case is not None
            case.outcome_code, case.outcome_on = "disclose", dt.date(2024, 12, 30)
        with store.session() as session:
            built = report.build_report(session, 2025)
        connection = plain(desk)
        try:
            read = from_file.build_from_file(from_file.FileSource(connection, None), 2025)
        finally:
            connection.close()
    finally:
        store.close()
    published = [c for c in built.checks if "已发布年报" in c.rule]
    assert len(published) == 1 and not published[0].ok and case.no in published[0].cases
    assert read.checks == built.checks


def args(year: int, out: Path) -> Any:
    return parse(argv(year, out))


def test_a_failed_check_takes_the_full_way_with_the_same_refusal(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(desk)
    with store.transaction() as session:
        add_boundary_cases(session)  # X01 closed before received, X02 without its outcome date
    store.close()
    connection = plain(desk)
    with pytest.raises(from_file.FullWay):  # the cases at fault are found by the ORM way
        from_file.build_from_file(from_file.FileSource(connection, None), 2025)
    connection.close()
    out = tmp_path / "r.xlsx"
    before = snapshots(desk)
    assert cli.report_plain(plain(desk), args(2025, out), io.StringIO()) is None
    assert not out.exists() and snapshots(desk) == before  # nothing written
    status, printed, err = run(["--db", str(desk), *argv(2025, out)], capsys)
    assert run(["--db", f"sqlite:///{desk}", *argv(2025, out)], capsys) == (status, printed, err)
    assert status == cli.BAD_INPUT and "X01" in err and "X02" in err and not out.exists()


def argv(year: int, out: Path, *more: str) -> list[str]:
    return ["report", "--year", str(year), "--out", str(out), *more]


@pytest.mark.parametrize(
    "more, name",
    [
        (("--body", "不存在的镇"), "r.json"),  # an answering body the profile does not know
        ((), "r.pdf"),  # a format the report is not written in
        ((), "missing/r.docx"),  # a folder that does not exist
    ],
)
def test_the_same_refusals_with_the_same_words(
    desk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    more: tuple[str, ...],
    name: str,
) -> None:
    out = tmp_path / name
    before = snapshots(desk)
    with pytest.raises(Refused) as refusal:  # refused on the sqlite3 way itself, not passed on
        cli.report_plain(plain(desk), parse(argv(2025, out, *more)), io.StringIO())
    refused = run(["--db", str(desk), *argv(2025, out, *more)], capsys)
    assert refused == run(["--db", f"sqlite:///{desk}", *argv(2025, out, *more)], capsys)
    assert refused[0] == cli.BAD_INPUT and refused[2] == f"{refusal.value}\n"
    assert snapshots(desk) == before and not out.exists()


def parse(words: list[str]) -> Any:
    return main.build_parser().parse_args(words)


def test_a_lock_held_by_another_desk_takes_the_full_way(desk: Path, tmp_path: Path) -> None:
    holder = sqlite3.connect(desk, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another desk in the middle of a write
    try:
        out = tmp_path / "r.json"
        assert cli.report_plain(plain(desk), args(2025, out), io.StringIO()) is None
        assert not out.exists()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_file_this_user_cannot_write_goes_the_full_way(desk: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads and writes every file regardless of its mode")
    desk.chmod(0o444)
    try:
        assert plain_sqlite.open_current(desk, writable=True) is None
        reader = plain_sqlite.open_current(desk)  # reading alone is still offered
        assert reader is not None
        reader.close()
    finally:
        desk.chmod(0o600)


def test_the_drilldown_goes_the_full_way(tmp_path: Path) -> None:
    out = str(tmp_path / "r.json")
    assert cli.report_reads_plain(parse(["report", "--year", "2025", "--out", out]))
    assert cli.report_reads_plain(parse(["report", "--year", "2025", "--out", out, "--stats"]))
    assert not cli.report_reads_plain(parse(["report", "--year", "2025", "--cases", "表四"]))
    assert not cli.report_reads_plain(parse(["report", "--year", "2025"]))


def test_a_snapshot_kept_by_sqlite3_reads_back_through_the_orm(desk: Path, tmp_path: Path) -> None:
    assert cli.report_plain(plain(desk), args(2025, tmp_path / "r.json"), io.StringIO()) == 0
    store = open_store(desk)
    try:
        with store.session() as session:
            kept = report_snapshot.load_snapshot(session, None, 2025)
            built = report.build_report(session, 2025)
            carried = report_snapshot._carried(session, built, 2025)
    finally:
        store.close()
    out_line = report.default_layout().of_kind(report.RowKind.CARRIED_OUT)
    assert kept is not None and kept["year"] == 2025 and kept["body"] is None
    assert kept["carried_out"] == list(built.row(out_line.path).values or ())
    assert kept["carried_out_cases"] == carried and carried


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_broken_saved_profile_reads_the_same_both_ways(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    # The tables stand without the office's name; the .docx, whose text needs it, is refused.
    with sqlite3.connect(desk) as connection:
        connection.execute("UPDATE settings SET value = '{' WHERE key = 'office_profile'")
    full, read = tmp_path / f"full{suffix}", tmp_path / f"plain{suffix}"
    done_full = run(["--db", f"sqlite:///{desk}", *argv(2025, full)], capsys)
    kept_full = snapshots(desk)
    if suffix == ".docx":
        with pytest.raises(Refused):  # refused on the sqlite3 way itself, not passed on
            cli.report_plain(plain(desk), args(2025, read), io.StringIO())
    done_plain = run(["--db", str(desk), *argv(2025, read)], capsys)
    assert done_plain == (done_full[0], done_full[1].replace(str(full), str(read)), done_full[2])
    assert snapshots(desk) == kept_full
    assert (done_full[0] == cli.BAD_INPUT) == (suffix == ".docx")
    if suffix == ".json":
        assert read.read_bytes() == full.read_bytes()
        assert '"office": ""' in read.read_text(encoding="utf-8")
    elif suffix == ".xlsx":
        assert parts(read) == parts(full)
    else:
        assert not read.exists() and not full.exists()


def test_the_statistics_read_the_same_through_sqlite3(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(desk)
    connection = plain(desk)
    seen = {"replies": 0, "fees": 0, "late": 0, "top": 0}
    try:
        with store.session() as session:
            for year in YEARS:
                counted = stats.compute_stats(session, year)
                assert stats_figures.stats_from(stats_file.FileRows(connection), year) == counted
                seen["replies"] += counted["totals"]["median_working_days"] is not None
                seen["fees"] += counted["fees"]["collected"]["amount_yuan"] > 0
                seen["late"] += counted["totals"]["late"] > 0
                seen["top"] += bool(counted["top_applicants"])
    finally:
        connection.close()
        store.close()
    assert seen["replies"] >= 14 and seen["fees"] >= 8 and seen["late"] >= 8, seen
    assert seen["top"] >= 14, seen
    # and the command, both ways, for every year: the same file, the same words
    for year in YEARS:
        full, read = tmp_path / "full.json", tmp_path / "plain.json"
        done_full = run(["--db", f"sqlite:///{desk}", *argv(year, full, "--stats")], capsys)
        done_plain = run(["--db", str(desk), *argv(year, read, "--stats")], capsys)
        assert done_plain == (0, done_full[1].replace(str(full), str(read)), "")
        assert read.read_bytes() == full.read_bytes()
    # refused alike, on the sqlite3 way itself: statistics are written as .json alone
    wrong = tmp_path / "s.xlsx"
    with pytest.raises(Refused):
        cli.report_plain(plain(desk), parse(argv(2025, wrong, "--stats")), io.StringIO())
    refused = run(["--db", str(desk), *argv(2025, wrong, "--stats")], capsys)
    assert refused == run(["--db", f"sqlite:///{desk}", *argv(2025, wrong, "--stats")], capsys)
    assert refused[0] == cli.BAD_INPUT and refused[2] == f"{cli.STATS_AS_JSON}\n"
    assert not wrong.exists()


def test_a_full_disk_at_the_snapshot_hands_over_with_nothing_kept(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The file held at its size: SQLite refuses the snapshot's pages (SQLITE_FULL) and ends the
    # transaction itself; the command must hand over to the full way, not fail in its rollback.
    with sqlite3.connect(desk, isolation_level=None) as connection:
        connection.execute("VACUUM")  # no free page left to take the snapshot in
    connection = plain(desk)
    ((pages,),) = connection.execute("PRAGMA page_count").fetchall()
    connection.execute(f"PRAGMA max_page_count={pages}")
    out = tmp_path / "r.xlsx"
    before = snapshots(desk)
    assert cli.report_plain(connection, args(2025, out), io.StringIO()) is None
    assert snapshots(desk) == before  # nothing kept
    with sqlite3.connect(desk) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    status, printed, _ = run(["--db", str(desk), *argv(2025, out)], capsys)
    assert status == 0 and f"已生成 {out}" in printed  # the full way, on a disk with room again
    assert report_snapshot.snapshot_key(None, 2025) in set(snapshots(desk)) - set(before)


KILL_AFTER_KEEPING = """
import os, signal, sys
from cases.documents import report_export
import main

publish_with = report_export.publish_with

def killed_after_keeping(report, path, *, draft, keep):
    def keep_then_die():
        keep()
        os.kill(os.getpid(), signal.SIGKILL)  # after the snapshot's INSERT, before COMMIT
    return publish_with(report, path, draft=draft, keep=keep_then_die)

report_export.publish_with = killed_after_keeping
main.run(sys.argv[1:])
"""


def test_a_process_killed_before_its_commit_leaves_the_file_as_it_was(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess
    import sys

    out = tmp_path / "r.docx"
    before = snapshots(desk)
    child = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_KEEPING, "--db", str(desk), *argv(2025, out)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(main.__file__).resolve().parent)},
    )
    assert child.returncode == -9, child.stderr
    assert out.exists()  # written before the snapshot, as publish writes it
    assert snapshots(desk) == before  # no half snapshot
    with sqlite3.connect(desk) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    status, printed, _ = run(["--db", str(desk), "verify"], capsys)
    assert status == 0 and "核验通过" in printed


# --------------------------------------------------------------------------- faults named


def both_ways(
    desk: Path, words: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """The command the sqlite3 way and the full way: the same status and the same words."""
    done = run(["--db", str(desk), *words], capsys)
    assert run(["--db", f"sqlite:///{desk}", *words], capsys) == done
    return done


@pytest.fixture
def immutable(desk: Path) -> Iterator[Path]:
    """The database file made read-only for this user: by its mode, or for root (who writes
    whatever the mode says) by the immutable flag, where the file system has one."""
    import subprocess

    if os.geteuid() != 0:
        mode = desk.stat().st_mode
        desk.chmod(0o444)
        try:
            yield desk
        finally:
            desk.chmod(mode)
        return
    try:
        flagged = subprocess.run(["chattr", "+i", str(desk)], capture_output=True).returncode == 0
    except FileNotFoundError:
        flagged = False
    if not flagged or os.access(desk, os.W_OK):
        # A container without the right to set the flag, or a file system without it.
        if flagged:
            subprocess.run(["chattr", "-i", str(desk)], check=True)
        pytest.skip("root writes every file here: no immutable flag to make one read-only")
    try:
        yield desk
    finally:
        subprocess.run(["chattr", "-i", str(desk)], check=True)


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_read_only_database_refuses_the_report_before_writing_it(
    immutable: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / f"r{suffix}"
    before = snapshots(immutable)
    status, printed, err = both_ways(immutable, argv(2025, out), capsys)
    assert status == cli.BAD_INPUT and printed == ""
    assert err == f"{cli.read_only_database(immutable)}\n"
    assert str(immutable) in err and "只读" in err
    assert not out.exists() and snapshots(immutable) == before


def test_a_read_only_database_still_gives_the_statistics(
    immutable: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.json"
    reader = plain_sqlite.open_current(immutable)  # the sqlite3 way reads without the lock
    assert reader is not None
    assert cli.report_plain(reader, parse(argv(2025, out, "--stats")), io.StringIO()) == 0
    written = out.read_bytes()
    status, printed, err = both_ways(immutable, argv(2025, out, "--stats"), capsys)
    assert (status, printed, err) == (0, f"已生成 {out}\n", "")
    assert out.read_bytes() == written


@pytest.mark.parametrize(
    "damage",
    [
        '{"year": 2024, "carried_out": [1, 2',  # cut short
        "[1, 2, 3]",  # JSON, not a snapshot
        '{"year": 2024}',  # what the check compares with is missing
        '{"carried_out": "七", "carried_out_cases": [["2024-1", "natural_person"]]}',
        '{"carried_out": [1], "carried_out_cases": [["2024-1"]]}',
    ],
)
def test_a_damaged_snapshot_of_last_year_is_a_warning_naming_the_year(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    with sqlite3.connect(desk) as connection:
        connection.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)",
            (report_snapshot.snapshot_key(None, 2024), damage),
        )
    out = tmp_path / "r.json"
    status, printed, err = both_ways(desk, argv(2025, out), capsys)
    assert status == 0 and err == ""
    (warning,) = [line for line in printed.splitlines() if "损坏" in line]
    assert (
        warning.startswith("注意：") and "2024年已发布年报的保存内容已损坏，未与其核对" in warning
    )
    checks = [
        c
        for c in json.loads(out.read_text(encoding="utf-8"))["checks"]
        if "已发布年报" in c["rule"]
    ]
    assert [c["ok"] for c in checks] == [False]
    with sqlite3.connect(desk) as connection:  # last year's damaged snapshot is left as it was
        ((kept,),) = connection.execute(
            "SELECT value FROM settings WHERE key = ?",
            (report_snapshot.snapshot_key(None, 2024),),
        ).fetchall()
    assert kept == damage


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_table2_value_stored_as_text_is_refused_naming_the_cell(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    block, row, column = report.table2_keys()[0]
    with sqlite3.connect(desk) as connection:
        changed = connection.execute(
            'UPDATE report_table2 SET value = ? WHERE year = 2025 AND block = ? AND "row" = ? '
            'AND "column" = ?',
            ("十二", block, row, column),
        ).rowcount
    assert changed == 1
    out = tmp_path / f"r{suffix}"
    before = snapshots(desk)
    status, printed, err = both_ways(desk, argv(2025, out), capsys)
    assert status == cli.BAD_INPUT and printed == ""
    assert (
        err
        == f"2025年表二“{block}/{row}/{column}”保存的数值“十二”不是数字，请在表二录入中重新填写\n"
    )
    assert not out.exists() and snapshots(desk) == before


def test_the_statistics_read_without_the_write_lock(
    desk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []
    open_current = plain_sqlite.open_current

    def recorded(target: Any = None, *, writable: bool = False) -> sqlite3.Connection | None:
        asked.append(writable)
        return open_current(target, writable=writable)

    monkeypatch.setattr(plain_sqlite, "open_current", recorded)
    holder = sqlite3.connect(desk, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another desk in the middle of a write
    try:
        out = tmp_path / "s.json"
        reader = open_current(desk)  # a read-only connection: the statistics write nothing
        assert reader is not None
        assert cli.report_plain(reader, parse(argv(2025, out, "--stats")), io.StringIO()) == 0
        status, printed, _ = both_ways(desk, argv(2025, out, "--stats"), capsys)
        assert (status, printed) == (0, f"已生成 {out}\n") and asked == [False, False]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
