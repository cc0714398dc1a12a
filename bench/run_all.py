"""Runs every benchmark in bench/ one after another and prints their figures (not a test)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Cheapest first, so that a quick look gives figures early; the 300,000-case ones take minutes.
ORDER = [
    "bench_letter.py",
    "bench_import.py",
    "bench_list.py",
    "bench_startup.py",
    "bench_report.py",
    "bench_gui.py",
]
# These take the size of the generated database: `make bench CASES=1000000`.
SIZED = {"bench_list.py", "bench_startup.py", "bench_report.py", "bench_gui.py"}


def main() -> int:
    cases = os.environ.get("CASES", "300000")
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("bench_*.py") if p.name not in ORDER)
    failed = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        extra = ["--cases", cases] if script.name in SIZED else []
        result = subprocess.run([sys.executable, str(script), *extra], check=False)
        print(f"   ({time.perf_counter() - started:.0f} s, exit {result.returncode})", flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
