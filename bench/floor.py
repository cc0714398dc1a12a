"""Shared by the benchmarks: timing medians and the table of figure, floor and ratio."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("DISCLOSURE_DESK_BENCH_DATA", "/tmp"))
# run_all.py names a file here; every table printed is also appended to it as JSON lines, so that
# the run ends with one summary of every target and compares the two database sizes.
RESULTS = os.environ.get("DISCLOSURE_DESK_BENCH_RESULTS")


def bench_db(n_cases: int) -> Path:
    """Where the generated database of n cases lives (built once, reused by every benchmark)."""
    return DATA / f"disclosure-desk-bench-{n_cases}.sqlite"


@dataclass
class Timing:
    wall_ms: float  # median wall-clock time
    cpu_ms: float  # median CPU time of this process (what the machine's load does not add)


def timed(fn: Callable[[], object], runs: int = 7, warm: int = 1) -> Timing:
    """Median of `runs` calls after `warm` unmeasured ones (page cache and statement caches)."""
    for _ in range(warm):
        fn()
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return Timing(statistics.median(walls) * 1000, statistics.median(cpus) * 1000)


def process_env() -> dict[str, str]:
    """The environment of a measured process: the program as installed, with its bytecode.

    pip compiles an installed program's modules once; a shell with PYTHONDONTWRITEBYTECODE set
    (as on the development machine) would make every measured process compile the project's
    sources again, about a tenth of a second. The bytecode goes to a folder of its own, not
    into the checkout.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "dd-bench-pycache"))
    return env


def process_ms(argv: Sequence[str], runs: int = 5, until_line: bool = False) -> Timing:
    """Median time of a whole process from fork to exit (or to its first line of output).

    cpu_ms is the child's user + system time, which the machine's other work does not inflate.
    """
    env = process_env()
    walls, cpus = [], []
    for i in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        begun = time.perf_counter()
        with subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        ) as child:
            assert child.stdout is not None
            if until_line:
                child.stdout.readline()
                wall = time.perf_counter() - begun
            child.stdout.read()
            if child.wait() != 0:
                raise SystemExit(f"{' '.join(argv)} failed with status {child.returncode}")
            if not until_line:
                wall = time.perf_counter() - begun
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:  # the first run warms the page cache and .pyc files
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Timing(statistics.median(walls) * 1000, statistics.median(cpus) * 1000)


def empty_interpreter(runs: int = 5) -> Timing:
    """The floor of every process: this Python starting and exiting with nothing to do."""
    return process_ms([sys.executable, "-c", "pass"], runs)


@dataclass
class Row:
    what: str
    target_ms: float
    measured_ms: float
    floor_ms: float
    note: str = ""
    unit: str = "ms"  # "MB" for memory; the figures of one row share it
    # The target of issue 14 the row measures: run_all.py reports the worst row of each group.
    group: str = ""
    cpu_ms: float = 0.0  # the measured work's own CPU time, when known (0: not measured)

    @property
    def ratio(self) -> float:
        return self.measured_ms / self.floor_ms if self.floor_ms > 0 else float("inf")

    @property
    def met(self) -> bool:
        return self.measured_ms <= self.target_ms


def format_row(r: Row) -> str:
    verdict = "met" if r.met else "NOT MET"
    u = r.unit
    return (
        f"{r.what:<46}{r.target_ms:>7.0f}{u:<2}{r.measured_ms:>8.1f}{u:<2}{r.floor_ms:>7.1f}{u:<2}"
        f"{r.ratio:>7.1f}x  {verdict} {r.note}".rstrip()
    )


def print_table(title: str, rows: list[Row], cases: int = 0) -> None:
    """The rows beside their targets and floors; also kept for run_all.py's summary, with the
    size of the database they were measured on (`cases`; 0 when the size does not matter)."""
    print(f"\n{title}")
    print(f"{'what':<46}{'target':>9}{'measured':>10}{'floor':>9}{'ratio':>8}  verdict")
    for r in rows:
        print(format_row(r))
    missed = [r.what for r in rows if not r.met]
    print(
        f"{len(rows) - len(missed)} of {len(rows)} met" + (f"; not met: {missed}" if missed else "")
    )
    if RESULTS:
        with open(RESULTS, "a", encoding="utf-8") as sink:
            for r in rows:
                entry = {**r.__dict__, "group": r.group or r.what, "cases": cases}
                sink.write(json.dumps(entry, ensure_ascii=False) + "\n")
