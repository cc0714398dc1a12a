"""Bulk writes on SQLite (through the driver, a temporary table) store what executemany stored."""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cases.actions import imports
from cases.interchange import bulk, exchange
from cases.query.search import case_hits, fts5_applicant_query
from cases.rules.handbook import RoleId
from cases.sample import demo
from cases.storage.model import User
from cases.storage.store import Store, open_store

TODAY = dt.date(2025, 12, 31)
TABLES = (
    "applicants", "cases", "corrections", "consultations", "extensions", "fees", "delays",
    "reviews", "audit",
)  # fmt: skip
# Set to the time of writing: two imports a second apart differ there and nowhere else.
CLOCK_COLUMNS = {"created_at", "updated_at", "archived_at", "at", "hash"}


def stored(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import writes, as SQLite holds it (type and value)."""
    db = sqlite3.connect(path)
    try:
        found = {}
        for table in TABLES:
            names = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            columns = [
                f'"{n}" IS NULL' if n in CLOCK_COLUMNS else f'typeof("{n}"), "{n}"' for n in names
            ]
            query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"
            found[table] = db.execute(query).fetchall()
        return found
    finally:
        db.close()


PERSON_HITS = (
    "SELECT rowid FROM search_applicant_terms WHERE search_applicant_terms MATCH ? ORDER BY rowid"
)


def index_hits(path: Path, terms: list[str]) -> dict[str, tuple[list[int], list[int]]]:
    """What the search index finds for each term: case ids and applicant ids."""
    db = sqlite3.connect(path)
    try:
        found = {}
        for term in terms:
            cases = [r[0] for r in db.execute(*case_hits(term, order="ASC"))]  # both tables (0016)
            people = [r[0] for r in db.execute(PERSON_HITS, (fts5_applicant_query(term),))]
            found[term] = (cases, people)
        return found
    finally:
        db.close()


def test_an_import_stores_the_same_rows_and_index_as_one_insert_per_row(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite_store.transaction() as s:
        demo.generate(s, 1200, seed=11, today=TODAY)
    with sqlite_store.session() as s:
        exchange.export_jsonl(s, tmp_path / "cases.jsonl")
    rows = exchange.read_jsonl(tmp_path / "cases.jsonl")
    empty = tmp_path / "empty.sqlite"
    open_store(empty).close()
    paths = {}
    for way, through_driver in (("per_row", False), ("through_temp", True)):
        paths[way] = tmp_path / f"{way}.sqlite"
        shutil.copy(empty, paths[way])
        monkeypatch.setattr(bulk, "THROUGH_DRIVER", through_driver)
        target = open_store(paths[way])
        with target.transaction() as s:
            assert exchange.import_rows(s, rows, "张三").written == 1200
        target.close()
    # The staged import (the window's and the command line's) fills its temporary tables
    # through the driver too, and copies them with INSERT … SELECT.
    paths["staged"] = tmp_path / "staged.sqlite"
    shutil.copy(empty, paths["staged"])
    target = open_store(paths["staged"])
    user = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
    assert (
        imports.import_file_in_steps(target, user, tmp_path / "cases.jsonl").value.written == 1200
    )
    target.close()
    before = stored(paths["per_row"])
    for way in ("through_temp", "staged"):
        after = stored(paths[way])
        for table in TABLES:
            assert after[table] == before[table], (way, table)
    assert len(after["cases"]) == 1200 and len(after["applicants"]) > 100
    texts = [r[1]["request"]["description"] + r[1]["applicant"]["name"] + r[1]["no"] for r in rows]
    chars = sorted({c for t in texts for c in t})
    pairs = sorted({t[i : i + 2] for t in texts[:200] for i in range(len(t) - 1)})
    terms = chars + pairs + [r[1]["no"] for r in rows[:50]]
    hits = index_hits(paths["per_row"], terms)
    assert index_hits(paths["through_temp"], terms) == hits
    assert index_hits(paths["staged"], terms) == hits
    assert sum(len(cases) + len(people) for cases, people in hits.values()) > 10_000


def test_the_cycle_collector_is_paused_for_an_import_and_given_back_as_it_was(
    sqlite_store: Store,
) -> None:
    seen: list[bool] = []
    rows = [
        ("第1行", {"no": "A-1", "received": "2025-03-03", "channel": "in_person",
                   "applicant": {"type": "natural_person", "name": "申请人"},
                   "request": {"description": "某路拓宽", "form": "paper", "delivery": "post"}}),
    ]  # fmt: skip
    assert gc.isenabled()
    with sqlite_store.transaction() as s:
        exchange.import_rows(
            s, rows, "张三", progress=lambda done, total: seen.append(gc.isenabled())
        )
    assert seen == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), bulk.collector_paused():
        with bulk.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.collector_paused():
            pass
        assert not gc.isenabled()  # whoever had disabled it keeps it so
    finally:
        gc.enable()
