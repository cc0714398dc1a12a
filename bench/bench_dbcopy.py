"""Times `db copy` of a generated archive (default 300,000 cases) and its peak memory; prints
numbers, asserts nothing. The copy streams in batches, so memory should stay near the program's
own size however large the archive is.

    .venv/bin/python bench/bench_dbcopy.py [--cases 300000] [--to URL_OF_AN_EMPTY_DATABASE]

Without --to the copy goes to a second SQLite file. The source is generated with the annual
report benchmark's bulk generator (cases, applicants, fees, reviews over ten years).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_report import generate  # noqa: E402

from cases.storage import dbcopy  # noqa: E402
from cases.storage.store import open_store  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--to", help="an empty database (URL or file); default a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dd-bench-copy-") as folder:
        source = open_store(Path(folder) / "source.sqlite")
        started = time.perf_counter()
        generate(source, args.cases, years=10)
        print(f"generated {args.cases:,} cases in {time.perf_counter() - started:.1f} s")
        before = peak_mb()
        target = open_store(args.to or Path(folder) / "target.sqlite")
        rows = {"n": 0}

        def count(_table: str, _done: int) -> None:
            rows["n"] += 1

        started = time.perf_counter()
        try:
            report = dbcopy.copy_database(source, target, count)
        finally:
            source.close()
            target.close()
        took = time.perf_counter() - started
        copied = sum(t.target_rows for t in report.tables)
        print(f"copied and checked {copied:,} rows in {took:.1f} s ({rows['n']} batches)")
        print(
            f"check: {'ok' if report.ok else 'MISMATCH'}; exported {report.exported_cases:,} cases"
        )
        print(f"peak memory: {before:.0f} MB before the copy, {peak_mb():.0f} MB after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
