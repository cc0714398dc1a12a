"""A searched list sorted by another column than the date: its sort index walked, or ids sorted."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cases.query import caselist
from cases.query.caselist import CaseQuery, SortKey
from cases.sample import demo
from cases.storage.store import Store, open_store

# Every kind that was slow by some column on the bench files: a year and pieces of numbers
# (dense in one year, far down most orders), a hundred numbers of one year, common and rare
# Chinese, a surname; each also with a filter beside the term.
TERMS = ["2024", "2024-0001", "-0002", "预算", "张", "征收", "湿"]
YEARS = (2020, 2021, 2022, 2023, 2024, 2025, 2026)


@pytest.fixture(scope="module")
def demo_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("sorted_demo") / "demo.sqlite"
    shutil.copy(sqlite_template, path)
    opened = open_store(path)
    with opened.transaction() as session:
        demo.generate(session, 3_000, seed=7, years=YEARS, today=dt.date(2026, 11, 27))
    yield opened
    opened.close()


@pytest.mark.parametrize("budget", ["walked", "cut short"])
def test_a_searched_list_by_any_column_walks_its_index_or_sorts_alike(
    demo_file: Store, budget: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The walk is let try every term (or only a few entries, so that it runs out and the ids
    # are sorted after all); each first screen must be the start of the full list, which sorts
    # every match in one statement.
    monkeypatch.setattr(caselist, "_ENTRIES_PER_ID", 10**6)
    monkeypatch.setattr(caselist, "_SORTED_WALK", 10**6 if budget == "walked" else 20)
    outcomes: list[bool] = []
    walk_sorted = caselist._walk_sorted

    def spy(*args: Any) -> list[int] | None:
        got = walk_sorted(*args)
        outcomes.append(got is not None)
        return got

    monkeypatch.setattr(caselist, "_walk_sorted", spy)
    with demo_file.session() as s:
        for term in TERMS:
            for key in SortKey:
                for desc in (True, False):
                    for status in (None, "open"):
                        query = CaseQuery(search=term, sort=key, descending=desc, status=status)
                        full = caselist.case_ids(s, query)
                        assert full or status, (term, key)
                        for limit in (50, 100):
                            got = caselist.case_ids(s, query, limit=limit)
                            assert got == full[:limit], (term, key, desc, status, limit)
    if budget == "walked":
        assert True in outcomes  # the walk served screens
    else:
        assert False in outcomes and True not in outcomes
