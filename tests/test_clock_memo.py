"""Clocks computes each distinct clock once: the same result as compute for every case."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from cases.interchange import exchange
from cases.sample import demo
from cases.storage.store import Store, open_store
from cases.timing.clock import Clocks, compute

TODAY = dt.date(2025, 12, 31)


def test_every_case_of_a_demo_gets_the_clock_compute_gives_it(
    sqlite_store: Store, tmp_path: Path
) -> None:
    source = open_store(tmp_path / "source.sqlite")
    with source.transaction() as s:
        demo.generate(s, 3000, seed=17, today=TODAY)
    with source.session() as s:
        exchange.export_jsonl(s, tmp_path / "cases.jsonl")
    source.close()
    with sqlite_store.session() as s:  # checked as for an import
        checked = exchange.check_rows(s, exchange.read_jsonl(tmp_path / "cases.jsonl"))
    records, cal = checked.records, checked.cal
    facts = [r.facts() for r in records]
    # The same cases open as well: both halves of each day's pair.
    facts += [dataclasses.replace(f, outcome_code=None, outcome_on=None) for f in facts]
    clocks = Clocks(cal)
    for f in facts:
        assert clocks.of(f) == compute(f, cal, explain=False), f
    plain = [f for f in facts if not (f.corrections or f.consultations or f.extensions)]
    plain = [f for f in plain if not (f.fees or f.delays)]
    assert len(plain) > 3000 and len(facts) - len(plain) > 500
    assert len(clocks._plain) < len(plain) / 2  # a clock a day of receipt, not a case
