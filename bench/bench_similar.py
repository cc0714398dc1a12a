"""Times the similar-case list and the repeats panel on a demo archive; prints, asserts nothing.
Target (issue 12): the similar cases of one case in under 100 ms on 300,000 cases.

    .venv/bin/python bench/bench_similar.py --db FILE_OR_URL [--cases 300000] [--samples 40]

The database is made by `python main.py --db FILE demo --cases 300000` (about 2 minutes on
SQLite) when FILE does not exist yet; a PostgreSQL URL must already hold the demo data. Cases
are drawn at random (fixed seed); the first call pays for the trigram estimates (printed
apart), the rest are the warm figures a desk sees.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from cases.assist import repeats, similar
from cases.sample import demo
from cases.storage.model import Case
from cases.storage.store import open_store


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    store = open_store(args.db)
    with store.session() as s:
        count = s.scalar(select(func.count(Case.id))) or 0
    if count == 0:
        print(f"生成 {args.cases} 件演示案件……", flush=True)
        with store.transaction() as s:
            demo.generate(s, args.cases)
        store.analyze()
        with store.session() as s:
            count = s.scalar(select(func.count(Case.id))) or 0
    print(f"{store.engine.dialect.name}, {count} cases")
    rng = random.Random(12)
    with store.session() as s:
        top = s.scalar(select(func.max(Case.id))) or 0
        ids = [rng.randint(1, top) for _ in range(args.samples + 1)]
        similar.forget_samples()
        timings: list[float] = []
        sizes: list[int] = []
        repeat_timings: list[float] = []
        for n, case_id in enumerate(ids):
            case = s.get(Case, case_id)
            if case is None:
                continue
            start = time.perf_counter()
            found = similar.similar_to_case(s, case)
            took = time.perf_counter() - start
            if n == 0:
                print(f"similar, first call (trigram estimates built): {ms(took)}")
                continue
            timings.append(took)
            sizes.append(len(found))
            start = time.perf_counter()
            repeats.find_repeats(s, case)
            repeat_timings.append(time.perf_counter() - start)
        timings.sort()
        print(
            f"similar, warm, {len(timings)} cases: median {ms(statistics.median(timings))}, "
            f"p90 {ms(timings[int(len(timings) * 0.9)])}, max {ms(timings[-1])}; "
            f"{statistics.mean(sizes):.1f} results on average"
        )
        repeat_timings.sort()
        print(
            f"repeats panel (earlier requests, month, crowd): median "
            f"{ms(statistics.median(repeat_timings))}, max {ms(repeat_timings[-1])}"
        )
        latest = s.scalar(select(func.max(Case.received)))
        if latest is not None:
            since = latest.replace(year=latest.year - 1)
            start = time.perf_counter()
            page = repeats.proactive_candidates(s, since)
            took = time.perf_counter() - start
            print(
                f"proactive-disclosure page, one year to {latest}: {ms(took)}, {len(page)} groups"
            )
    store.close()


if __name__ == "__main__":
    main()
