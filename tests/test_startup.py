"""Start-up cost: `--help` and the command module load no database, Excel, letter or Qt code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Modules that cost tens or hundreds of milliseconds each to import; a command that does not
# use them must not pay for them.
HEAVY = ("sqlalchemy", "openpyxl", "docx", "docxtpl", "PySide6", "alembic", "psycopg", "jinja2")
CORE = (
    "cases.storage.model",
    "cases.storage.store",
    "cases.interchange.exchange",
    "cases.interchange.ledger",
    "cases.documents.letters",
)

PROBE = """
import runpy, sys
sys.argv = ["main.py", *sys.argv[1:]]
try:
    runpy.run_path("main.py", run_name="__main__")
except SystemExit:
    pass
print("\\n".join(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_modules(*argv: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(result.stderr.split())


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(
        m for m in modules if m in CORE or any(m == h or m.startswith(h + ".") for h in HEAVY)
    )


def test_help_loads_no_heavy_module() -> None:
    modules = loaded_modules("--help")
    assert "argparse" in modules  # the probe really ran the parser
    assert heavy_in(modules) == []


def test_a_subcommand_help_loads_no_heavy_module() -> None:
    assert heavy_in(loaded_modules("letter", "--help")) == []


def test_importing_the_command_module_loads_no_heavy_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys, cases.cli; print(' '.join(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert heavy_in(set(result.stdout.split())) == []


def test_the_probe_sees_heavy_modules_when_a_command_loads_them(tmp_path: Path) -> None:
    # Guards the probe itself: a real command does load the database code.
    modules = loaded_modules("--db", str(tmp_path / "x.sqlite"), "holidays", "list")
    assert "sqlalchemy" in modules and "cases.storage.store" in modules


def test_holidays_list_loads_no_deadline_clock(tmp_path: Path) -> None:
    # It shows the calendar: the deadline clock, and the handbook data the clock reads as it is
    # imported, cost it a tenth of a second it has no use for (bench_startup.py).
    from cases.storage.store import open_store

    db = tmp_path / "desk.sqlite"
    open_store(db).close()  # a database that exists: a missing one takes the error path
    modules = loaded_modules("--db", str(db), "holidays", "list")
    assert "cases.timing.office_calendar" in modules  # the probe really ran the command
    assert "cases.timing.clock" not in modules
    assert "cases.timing.deadlines" not in modules


def test_holidays_list_of_a_current_file_loads_no_database_library(tmp_path: Path) -> None:
    # An up-to-date SQLite file is read through sqlite3 (cases.storage.plain_sqlite): SQLAlchemy
    # and the models were most of the command's start-up (bench_startup.py).
    from cases.storage.store import open_store

    db = tmp_path / "desk.sqlite"
    open_store(db).close()
    modules = loaded_modules("--db", str(db), "holidays", "list")
    assert "cases.storage.plain_sqlite" in modules  # the probe really ran the command
    assert heavy_in(modules) == []
    assert "yaml" not in modules and "cases.rules.handbook" not in modules


def test_a_letter_from_a_current_file_loads_no_database_library(tmp_path: Path) -> None:
    # `letter CASE KIND` on an up-to-date SQLite file reads it through sqlite3
    # (cases.documents.letters.drafting): SQLAlchemy and the models were 0.4 s of its 0.8 s.
    from cases.storage.store import open_store

    db = tmp_path / "desk.sqlite"
    open_store(db).close()
    argv = ("--db", str(db), "letter", "2025-000001", "receipt", "--out", str(tmp_path / "r.docx"))
    loaded_modules(*argv)  # the first run parses the handbook into the cache folder
    modules = loaded_modules(*argv)
    assert "cases.documents.letters.drafting" in modules  # the probe really ran the command
    assert "docxtpl" in modules  # what filling a template needs, and nothing of the database:
    unwanted = ("sqlalchemy", "alembic", "psycopg", "openpyxl", "PySide6", "yaml")
    found = [m for m in modules if any(m == u or m.startswith(u + ".") for u in unwanted)]
    assert found == []
    assert not {"cases.storage.model", "cases.storage.store"} & modules


def test_a_report_from_a_current_file_loads_no_database_library(tmp_path: Path) -> None:
    # `report --out FILE` on an up-to-date SQLite file reads it through sqlite3
    # (cases.documents.report.from_file): SQLAlchemy, the ORM and the models were 0.5 s of it.
    from cases.storage.store import open_store

    db = tmp_path / "desk.sqlite"
    open_store(db).close()
    unwanted = ("sqlalchemy", "alembic", "psycopg", "openpyxl", "PySide6", "yaml", "docxtpl")
    for suffix in (".json", ".xlsx", ".docx"):
        argv = ("--db", str(db), "report", "--year", "2025", "--out", str(tmp_path / f"r{suffix}"))
        loaded_modules(*argv)  # the first run parses the handbook into the cache folder
        modules = loaded_modules(*argv)
        assert "cases.documents.report.from_file" in modules  # the probe really ran the command
        assert (tmp_path / f"r{suffix}").exists()
        found = [m for m in modules if any(m == u or m.startswith(u + ".") for u in unwanted)]
        assert found == [], suffix
        assert not {"cases.storage.model", "cases.storage.store"} & modules
        assert ("docx" in modules) == (suffix == ".docx")  # python-docx for the .docx alone


def test_the_report_statistics_from_a_current_file_load_no_database_library(
    tmp_path: Path,
) -> None:
    # `report --stats` reads the year's rows through sqlite3 too (cases.documents.stats_file).
    from cases.storage.store import open_store

    db = tmp_path / "desk.sqlite"
    open_store(db).close()
    out = tmp_path / "s.json"
    argv = ("--db", str(db), "report", "--year", "2025", "--stats", "--out", str(out))
    modules = loaded_modules(*argv)
    assert "cases.documents.stats_file" in modules and out.exists()  # the probe really ran it
    assert heavy_in(modules) == []


def test_the_report_drilldown_takes_the_full_way(tmp_path: Path) -> None:
    # It lists the cases of a cell, found by the report's conditions in SQLAlchemy.
    from cases.storage.store import open_store

    db = tmp_path / "desk.sqlite"
    open_store(db).close()
    modules = loaded_modules("--db", str(db), "report", "--year", "2025", "--cases", "表四")
    assert "cases.storage.store" in modules
    assert "cases.documents.report.from_file" not in modules


def test_the_window_module_loads_no_postgresql_excel_or_letter_code() -> None:
    # The window of a SQLite desk paints its first screen without these (bench_startup.py).
    result = subprocess.run(
        [sys.executable, "-c", "import sys, gui.app; print(' '.join(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    loaded = set(result.stdout.split())
    assert "PySide6.QtWidgets" in loaded
    unwanted = (
        "sqlalchemy.dialects.postgresql",
        "psycopg",
        "openpyxl",
        "docx",
        "docxtpl",
        "cases.documents.letter_context",  # once loaded by the operation runner for an error class
        "cases.documents.letters",
    )
    found = [m for m in loaded if any(m == u or m.startswith(u + ".") for u in unwanted)]
    assert found == []
