"""Benchmark: one letter rendered to .docx from a case in the database (target under 200 ms)."""

# .venv/bin/python bench/bench_letter.py [--rounds N]
#
# Builds a throw-away SQLite database with one case carrying every kind of event, then times the
# whole path a user's click takes for a draft of the reply and of the receipt: load profile,
# calendar and template, build the context, render with docxtpl, store the draft. The first
# round (template check, imports warm-up) is reported apart; the median of the others is the
# figure. Then the same two letters as `letter CASE KIND` makes them from an up-to-date file:
# read through sqlite3, rendered, nothing stored. A measurement, not a test.

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-letter-") as tmp:
        os.environ["DISCLOSURE_DESK_HOME"] = tmp  # no office templates, no user data touched
        from cases.documents import letters
        from cases.storage.model import Applicant, Case, Consultation, Correction, Extension, Fee
        from cases.storage.store import open_store
        from cases.timing import deadlines

        store = open_store(Path(tmp) / "bench.sqlite")
        with store.transaction() as session:
            case = Case(
                no="2025-000001",
                received=dt.date(2025, 3, 3),
                channel="in_person",
                applicant=Applicant(type="natural_person", name="张三", address="城桥镇1号"),
                description="2024年某某路段房屋征收补偿方案及附件",
                outcome_code="partial",
                outcome_on=dt.date(2025, 4, 20),
                outcome_reasons="privacy trade_secret",
                outcome_note="可以公开的部分见附件。",
                day0=dt.date(2025, 3, 3),
                correction_notice_due=dt.date(2025, 3, 12),
            )
            case.corrections.append(
                Correction(notice=dt.date(2025, 3, 5), until=dt.date(2025, 3, 26))
            )
            case.consultations.append(
                Consultation(party="third_party", to="某公司", sent=dt.date(2025, 3, 12))
            )
            case.extensions.append(Extension(on=dt.date(2025, 4, 1), approved_by="王主任"))
            case.fees.append(
                Fee(notice=dt.date(2025, 3, 14), method="per_page", amount=Decimal(1700), units=150)
            )
            session.add(case)
            session.flush()
            deadlines.refresh(case, deadlines.load_calendar(session))
            case_id = case.id

        for kind in ("reply", "receipt"):
            times: list[float] = []
            for _ in range(args.rounds + 1):
                started = time.perf_counter()
                with store.transaction() as session:
                    letters.draft_letter(session, session.get(Case, case_id), kind, "bench")
                times.append((time.perf_counter() - started) * 1000)
            first, rest = times[0], times[1:]
            median = statistics.median(rest)
            verdict = "ok" if median < TARGET_MS else "TOO SLOW"
            print(
                f"{kind:8s} draft to .docx: median {median:6.1f} ms over {len(rest)} rounds "
                f"(first {first:.1f} ms, max {max(rest):.1f} ms); "
                f"target < {TARGET_MS} ms: {verdict}"
            )
        store.close()
        # The way `letter CASE KIND` reads an up-to-date file: sqlite3, no ORM, nothing stored.
        from cases.documents.letters import drafting
        from cases.storage import plain_sqlite

        connection = plain_sqlite.open_current(Path(tmp) / "bench.sqlite")
        assert connection is not None
        for kind in ("reply", "receipt"):
            times = []
            for _ in range(args.rounds + 1):
                started = time.perf_counter()
                assert drafting.from_file(connection, "2025-000001", kind) is not None
                times.append((time.perf_counter() - started) * 1000)
            first, rest = times[0], times[1:]
            median = statistics.median(rest)
            verdict = "ok" if median < TARGET_MS else "TOO SLOW"
            print(
                f"{kind:8s} through sqlite3 (the command's way): median {median:6.1f} ms over "
                f"{len(rest)} rounds (first {first:.1f} ms, max {max(rest):.1f} ms); "
                f"target < {TARGET_MS} ms: {verdict}"
            )
        connection.close()


if __name__ == "__main__":
    main()
