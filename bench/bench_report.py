"""Times the annual report on a generated archive (default 300,000 cases); prints numbers, asserts
nothing. Targets (issue 14): build_report with its checks in 0.2 s on 300,000 cases; the report
as a process (main.py report --out .xlsx, .docx and .json) in 0.8 s. On an up-to-date SQLite
file the process reads it through sqlite3 (cases/documents/report/from_file.py); the floor
beside it is the empty interpreter, and the note names the libraries it needs, imported alone.

    .venv/bin/python bench/bench_report.py [--cases 300000] [--years 10] [--db FILE]

With --years 1 every case falls into one year: the worst case for the report's queries.
With --db, the generated database is kept there and reused by the next run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text

from bench import floor
from cases.documents import report, report_export, stats
from cases.documents.report import build as report_build
from cases.rules.handbook import load_handbook
from cases.storage import totals
from cases.storage.model import Applicant, Case, Fee, Review
from cases.storage.store import Store, open_store

TARGET_IN_PROCESS_MS = 200  # issue 14
TARGET_PROCESS_MS = 800
# What the report as a process cannot do without, a format each (the .xlsx is zipped XML written
# by hand, report_xlsx.py; the .docx is built with python-docx).
LIBRARIES = {
    "xlsx": "import sqlite3, json, zipfile",
    "docx": "import sqlite3, json, zipfile, docx",
    "json": "import sqlite3, json",
}
MAIN_PY = Path(__file__).resolve().parent.parent / "main.py"

T = TypeVar("T")

LAST_YEAR = 2025
TYPES = [
    ("natural_person", 80),
    ("enterprise", 10),
    ("research", 1),
    ("public_interest", 2),
    ("legal_service", 4),
    ("other_org", 3),
]
DEPARTMENTS = [
    "区规划资源局",
    "区住房保障房屋管理局",
    "区市场监管局",
    "长兴镇",
    "城桥镇",
    "区财政局",
]
REVIEW_KINDS = ["reconsideration", "litigation_direct", "litigation_after_review"]
REVIEW_RESULTS = ["upheld", "corrected", "other", None]
CHUNK = 20_000


def chunks(rows: Iterator[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(store: Store, n_cases: int, years: int, seed: int = 7) -> None:
    """Bulk Core inserts, one transaction: the ORM would spend minutes on 300,000 objects."""
    rng = random.Random(seed)
    codes = [o.code for o in load_handbook().outcomes]
    type_names = [t for t, _ in TYPES]
    type_weights = [w for _, w in TYPES]
    n_applicants = max(1, n_cases * 2 // 5)
    first_day = dt.date(LAST_YEAR - years + 1, 1, 1)
    span = (dt.date(LAST_YEAR, 12, 31) - first_day).days
    end = dt.date(LAST_YEAR, 12, 31)

    def applicants() -> Iterator[dict[str, Any]]:
        for i in range(1, n_applicants + 1):
            yield {
                "id": i,
                "type": rng.choices(type_names, type_weights)[0],
                "name": f"申请人{i:06d}",
                "id_type": "resident_id",
                "id_number": f"{i:018d}",
            }

    # Cases are numbered in order of receipt, as an office numbers them; inserting them in that
    # order also keeps the date indexes growing at their end, which makes the load much faster.
    received_days = sorted(
        first_day + dt.timedelta(days=rng.randrange(span + 1)) for _ in range(n_cases)
    )
    closed_on: dict[int, dt.date] = {}

    def cases() -> Iterator[dict[str, Any]]:
        for i, received in enumerate(received_days, start=1):
            outcome_on: dt.date | None = received + dt.timedelta(days=rng.randrange(0, 45))
            if outcome_on is not None and (outcome_on > end or rng.random() < 0.01):
                outcome_on = None
            if outcome_on is not None:
                closed_on[i] = outcome_on
            yield {
                "id": i,
                "no": f"B{received.year}-{i:07d}",
                "received": received,
                "channel": "in_person",
                # a skewed distribution so that a few applicants file many times, as in practice
                "applicant_id": min(n_applicants, int(rng.paretovariate(1.2)))
                if i % 3
                else i % n_applicants + 1,
                "description": "关于某地块征收补偿的政府信息",
                "form": "paper",
                "delivery": "post",
                "department": rng.choice(DEPARTMENTS),
                "step": "archive" if outcome_on else "handle",
                "outcome_code": rng.choice(codes) if outcome_on else None,
                "outcome_on": outcome_on,
                "outcome_note": "",
                "outcome_reasons": "",
                "status": "closed" if outcome_on else "open",
                "day0": received,
                "due": received + dt.timedelta(days=28),
                "due_provisional": False,
                "correction_notice_due": received + dt.timedelta(days=9),
                "voided": rng.random() < 0.005,
            }

    def reviews() -> Iterator[dict[str, Any]]:
        for i in range(1, n_cases + 1, 37):
            if i not in closed_on:
                continue
            filed = closed_on[i] + dt.timedelta(days=rng.randrange(1, 60))
            result = rng.choice(REVIEW_RESULTS)
            decided = filed + dt.timedelta(days=rng.randrange(30, 200)) if result else None
            yield {
                "case_id": i,
                "kind": rng.choice(REVIEW_KINDS),
                "filed": filed,
                "result": result,
                "decided": decided,
            }

    def fees() -> Iterator[dict[str, Any]]:
        for i in range(5, n_cases + 1, 211):
            notice = first_day + dt.timedelta(days=rng.randrange(span + 1))
            paid = notice + dt.timedelta(days=10) if rng.random() < 0.7 else None
            yield {
                "case_id": i,
                "notice": notice,
                "method": "per_page",
                "amount": Decimal("1700.00"),
                "paid": paid,
            }

    with store.engine.begin() as conn:
        # a large page cache for the load: the indexes of 300,000 rows stay in memory
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
        for table, rows in (
            (Applicant.__table__, applicants()),
            (Case.__table__, cases()),
            (Review.__table__, reviews()),
            (Fee.__table__, fees()),
        ):
            for batch in chunks(rows):
                conn.execute(insert(table), batch)


def timed(label: str, fn: Callable[[], T], repeat: int = 3) -> T:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best * 1000:8.1f} ms (best of {repeat})")
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument(
        "--db", type=Path, help="keep the generated database here; reuse it if present"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.sqlite"
        reuse = path.exists()
        store = open_store(path)
        if reuse:
            print(f"reusing {path}")
        else:
            start = time.perf_counter()
            generate(store, args.cases, args.years)
            seconds = time.perf_counter() - start
            print(f"generated {args.cases:,} cases over {args.years} year(s) in {seconds:.1f} s")
        year = LAST_YEAR
        if reuse:  # a demo file: the last whole year it holds
            with store.session() as session:
                latest = session.scalar(select(func.max(Case.received)))
            year = latest.year - 1 if latest is not None else LAST_YEAR
        with store.session() as session:
            in_process = floor.timed(lambda: report.build_report(session, year), runs=5)
            if totals.kept(session):
                raw = floor.timed(lambda: read_kept(session, year), runs=5)
                floor_note = "the year's kept totals (cases, reviews) read raw"
            else:
                raw = floor.timed(lambda: session.execute(group_by(year)).all(), runs=5)
                floor_note = "one GROUP BY of the year's outcomes by applicant type"
            total = session.scalar(select(func.count(Case.id))) or 0
            floor.print_table(
                f"Annual report {year} in process — {path} ({total:,} cases)",
                [
                    floor.Row(
                        f"build_report({year}) with its checks",
                        TARGET_IN_PROCESS_MS,
                        in_process.wall_ms,
                        raw.wall_ms,
                        f"cpu {in_process.cpu_ms:.0f}ms; floor: {floor_note}",
                        group="annual report in process",
                        cpu_ms=in_process.cpu_ms,
                    )
                ],
                total,
            )
            built = timed(
                f"build_report({year}) with checks", lambda: report.build_report(session, year)
            )
            new, carried_in, *_ = built.rows
            print(f"  {new.path[0]}: {new.values}")
            print(f"  {carried_in.path[0]}: {carried_in.values}")
            print(f"  checks ok = {built.ok}")
            timed(
                f"build_report({year}) tables only",
                lambda: report.build_report(session, year, checks=False),
            )
            with turned_off(report_build, "kept_tallies", "kept_review_counts"):
                timed(
                    f"build_report({year}) counting the cases",
                    lambda: report.build_report(session, year),
                )
            timed("one GROUP BY of the year's outcomes", lambda: session.execute(group_by(year)))
            path3 = next(p for p in report.row_paths() if len(p) == 3)
            column = built.columns[-1]
            cells = timed(
                f"cases_in_cell (one table-三 cell, {column})",
                lambda: report.cases_in_cell(session, year, path3, column),
            )
            print(f"  {'/'.join(path3)}: {len(cells):,} cases")
            timed("compute_stats", lambda: stats.compute_stats(session, year), repeat=1)
            out = Path(tmp)
            for suffix in ("json", "docx", "xlsx"):
                # once before timing: each format imports its writer (and library) on first use
                report_export.export_report(built, out / f"r.{suffix}")
                timed(
                    f"export .{suffix}",
                    lambda s=suffix: report_export.export_report(built, out / f"r.{s}"),
                )
        store.close()
        as_a_process(path, year, total)


def group_by(year: int) -> Any:
    """The year's outcomes counted by applicant type: what counting the cases cannot go under."""
    return text(
        "SELECT c.outcome_code, a.type, count(*) FROM cases c "
        "JOIN applicants a ON a.id = c.applicant_id "
        "WHERE c.outcome_on BETWEEN :first AND :last AND NOT c.voided GROUP BY 1, 2"
    ).bindparams(first=dt.date(year, 1, 1), last=dt.date(year, 12, 31))


def read_kept(session: Any, year: int) -> None:
    """The rows of the kept totals a report of the year reads, through the driver."""
    cursor = session.connection().connection.driver_connection.cursor()
    cursor.execute(
        "SELECT * FROM case_totals WHERE received_year = ? OR outcome_year = ? "
        "OR (received_year < ? AND (outcome_year IS NULL OR outcome_year > ?))",
        (year,) * 4,
    ).fetchall()
    cursor.execute(
        "SELECT * FROM review_totals WHERE filed_year <= ? "
        "AND (decided_year IS NULL OR decided_year >= ?)",
        (year, year),
    ).fetchall()


@contextmanager
def turned_off(module: Any, *names: str) -> Iterator[None]:
    """The module's functions named turned off (returning None) for the block: the report then
    counts the cases, as it does on PostgreSQL."""
    saved = {name: getattr(module, name) for name in names}
    for name in names:
        setattr(module, name, lambda *_: None)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(module, name, fn)


def as_a_process(path: Path, year: int, total: int) -> None:
    """The report as the command line writes it and keeps its snapshot, one process a format."""
    empty = floor.empty_interpreter()
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for suffix in ("xlsx", "docx", "json"):
            argv = [sys.executable, str(MAIN_PY), "--db", str(path), "report", "--year", str(year),
                    "--out", f"{out}/report.{suffix}"]  # fmt: skip
            measured = floor.process_ms(argv)
            libraries = floor.process_ms([sys.executable, "-c", LIBRARIES[suffix]])
            rows.append(
                floor.Row(
                    f"report --year {year} (.{suffix}) as a process",
                    TARGET_PROCESS_MS,
                    measured.wall_ms,
                    empty.wall_ms,
                    f"cpu {measured.cpu_ms:.0f}ms; floor: the interpreter starting and exiting "
                    f"(cpu {empty.cpu_ms:.0f}ms); its libraries alone ({LIBRARIES[suffix]}) "
                    f"{libraries.wall_ms:.0f}ms, cpu {libraries.cpu_ms:.0f}ms",
                    group="annual report as a process",
                    cpu_ms=measured.cpu_ms,
                )
            )
    floor.print_table(f"Annual report {year} as a process — {path}", rows, total)


if __name__ == "__main__":
    main()
