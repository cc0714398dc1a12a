"""Benchmark: whole processes (command line and window) beside an empty interpreter start.

# .venv/bin/python bench/bench_startup.py [--cases 300000] [--db FILE] [--runs 5]

Each command runs as a user runs it, `python main.py ...`, timed from fork to exit; the window
from fork to the first paint of its first screen (bench_gui.py's start-up child, which builds
the window exactly as main.py does). The floor is `python -c pass` measured in the same run.
Medians of wall-clock time; the CPU figure is the child's own user + system time. Not a test.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.floor import ROOT, Row, bench_db, empty_interpreter, print_table, process_ms

TARGETS_MS = {"help": 400, "holidays": 400, "letter": 600, "report": 800, "window": 1000}
# What each command cannot start without: the libraries it needs, imported and nothing else. A
# second floor beside the empty interpreter, printed in the note: the program's own share is
# the difference.
# `holidays list`, `letter` and `report` read an up-to-date SQLite file through sqlite3
# (cases/storage/plain_sqlite.py, cases/documents/letters/drafting.py,
# cases/documents/report/from_file.py); the handbook comes from
# its cache (cases/rules/handbook_cache.py), so no command needs PyYAML once it was parsed (the
# measured processes' first, unmeasured run parses and keeps it).
LIBRARIES = {
    "help": "import argparse",
    "holidays": "import sqlite3, chinese_calendar",
    "letter": "import sqlite3, chinese_calendar, docxtpl",
    # the report reads an up-to-date file through sqlite3 too (cases/documents/report/from_file.py),
    # and writes the .xlsx as zipped XML without openpyxl (report_xlsx.py)
    "report": "import sqlite3, json, zipfile",
    "window": "import sqlalchemy.orm, PySide6.QtWidgets",
}
GROUPS = {
    "help": "command start-up (--help, holidays list)",
    "holidays": "command start-up (--help, holidays list)",
    "letter": "letter CASE reply as a process",
    "report": "annual report as a process",
    "window": "window shown from process start",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.db or bench_db(args.cases)
    if args.db is None:
        from bench.bench_gui import build_database

        build_database(db, args.cases)
    with sqlite3.connect(db) as connection:
        (total,) = connection.execute("SELECT count(*) FROM cases").fetchone()
        (case_no,) = connection.execute(
            "SELECT no FROM cases WHERE status = 'closed' AND outcome_code = 'disclose' "
            "AND NOT voided ORDER BY id DESC LIMIT 1"
        ).fetchone()
        (year,) = connection.execute("SELECT max(substr(received, 1, 4)) - 1 FROM cases").fetchone()
    python, main_py = sys.executable, str(ROOT / "main.py")
    floor = empty_interpreter(args.runs)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        commands = [
            ("help", "--help", [python, main_py, "--help"], False),
            ("holidays", "holidays list",
             [python, main_py, "--db", str(db), "holidays", "list"], False),
            (
                "letter",
                f"letter {case_no} reply (.docx)",
                [python, main_py, "--db", str(db), "letter", case_no, "reply", "--out",
                 f"{tmp}/reply.docx"],
                False,
            ),
            (
                "report",
                f"report --year {year} (.xlsx)",
                [python, main_py, "--db", str(db), "report", "--year", str(year), "--out",
                 f"{tmp}/report.xlsx"],
                False,
            ),
            (
                "window",
                "window shown (process start to first screen)",
                [python, str(ROOT / "bench" / "bench_gui.py"), "--child-start", str(db)],
                True,
            ),
        ]  # fmt: skip
        for key, label, argv, until_line in commands:
            measured = process_ms(argv, args.runs, until_line=until_line)
            libraries = process_ms([python, "-c", LIBRARIES[key]], args.runs)
            note = (
                f"cpu {measured.cpu_ms:.0f}ms (floor cpu {floor.cpu_ms:.0f}ms); its libraries "
                f"alone {libraries.wall_ms:.0f}ms, cpu {libraries.cpu_ms:.0f}ms"
            )
            rows.append(
                Row(
                    label,
                    TARGETS_MS[key],
                    measured.wall_ms,
                    floor.wall_ms,
                    note,
                    group=GROUPS[key],
                    cpu_ms=measured.cpu_ms,
                )
            )
    print_table(f"Processes — {db} ({total:,} cases)", rows, total)


if __name__ == "__main__":
    main()
