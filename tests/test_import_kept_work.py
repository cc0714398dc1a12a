"""A bulk write does its triggers' work once: the same rows, tokens and totals as row by row.

The search tokens (revision 0006) and the kept totals (revision 0014) of a bulk insert are
written after its rows with their insert triggers dropped (cases.interchange.trigger_work); the
old way, every row through SQLAlchemy's executemany and the triggers, is the reference.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cases.actions import imports
from cases.interchange import bulk, exchange, ledger, staging
from cases.rules.handbook import RoleId
from cases.sample import demo
from cases.storage import archive_mark, totals
from cases.storage.model import User
from cases.storage.store import Store, open_store
from tests.test_bulk_write import stored
from tests.test_import_search_terms import tokens

TODAY = dt.date(2025, 12, 31)
USER = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
IMPORTED_YEARS = tuple(range(2016, 2026))


def kept(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row and column of both totals tables, ids included, how the cases' times relate
    (an archive mark is the time of the import), and the triggers' texts."""
    db = sqlite3.connect(path)
    try:
        return {
            "case_totals": db.execute("SELECT * FROM case_totals ORDER BY id").fetchall(),
            "review_totals": db.execute("SELECT * FROM review_totals ORDER BY id").fetchall(),
            # The clock columns differ between two imports; how they relate to each other not.
            "times": db.execute(
                "SELECT id, archived_at IS created_at, archived_at IS NULL, "
                "updated_at IS created_at FROM cases ORDER BY id"
            ).fetchall(),
            "triggers": db.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            ).fetchall(),
        }
    finally:
        db.close()


def everything(path: Path) -> dict[str, Any]:
    return {**stored(path), **tokens(path), **kept(path)}


@pytest.fixture(scope="module")
def files(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """3,000 demo cases over ten years as an exchange file and a 台账, and a database that
    already holds other cases (of other years, so that their totals keys exist already)."""
    folder = tmp_path_factory.mktemp("kept_work")
    source = open_store(folder / "source.sqlite")
    with source.transaction() as session:
        demo.generate(session, 3000, seed=13, years=IMPORTED_YEARS, today=TODAY)
    with source.session() as session:
        exchange.export_jsonl(session, folder / "cases.jsonl")
        ledger.export_ledger(session, folder / "台账.xlsx")
    source.close()
    shutil.copy(sqlite_template, folder / "started.sqlite")
    started = open_store(folder / "started.sqlite")
    with started.transaction() as session:
        demo.generate(session, 400, seed=3, years=(2014, 2015), today=TODAY)
    started.close()
    return {
        "jsonl": folder / "cases.jsonl",
        "xlsx": folder / "台账.xlsx",
        "started": folder / "started.sqlite",
    }


def imported(files: dict[str, Path], way: str, path: Path) -> Path:
    shutil.copy(files["started"], path)
    target = open_store(path)
    try:
        if way in ("jsonl", "xlsx"):
            with target.transaction() as s:
                if way == "jsonl":
                    rows = exchange.read_jsonl(files["jsonl"])
                    assert exchange.import_rows(s, rows, "张三").written == 3000
                else:
                    assert ledger.import_ledger(s, files["xlsx"], "张三").written == 3000
        else:
            suffix = way.removeprefix("staged_")
            result = imports.import_file_in_steps(target, USER, files[suffix])
            assert result.value.written == 3000
    finally:
        target.close()
    return path


@pytest.mark.parametrize("way", ["jsonl", "xlsx", "staged_jsonl", "staged_xlsx"])
def test_an_import_stores_what_row_by_row_through_the_triggers_stores(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    monkeypatch.setattr(bulk, "THROUGH_DRIVER", False)
    reference = everything(imported(files, way.removeprefix("staged_"), tmp_path / "old.sqlite"))
    monkeypatch.setattr(bulk, "THROUGH_DRIVER", True)
    path = imported(files, way, tmp_path / "new.sqlite")
    found = everything(path)
    assert found.keys() == reference.keys()
    for table in reference:
        assert found[table] == reference[table], table
    assert len(found["cases"]) == 3400 and len(found["case_totals"]) > 300
    assert len(found["review_totals"]) > 10 and len(found["search_case_terms"]) > 100_000
    assert sum(archived for _, archived, _, _ in found["times"]) > 1000
    target = open_store(path)
    with target.session() as s:
        assert totals.differences(s) == []
    target.close()


def test_the_demo_counts_its_cases_as_the_triggers_do(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = {}
    for through_driver in (False, True):
        monkeypatch.setattr(bulk, "THROUGH_DRIVER", through_driver)
        path = tmp_path / f"demo_{through_driver}.sqlite"
        shutil.copy(sqlite_template, path)
        target = open_store(path)
        with target.transaction() as s:
            demo.generate(s, 1500, seed=21, today=TODAY)
        target.close()
        found[through_driver] = {**tokens(path), **kept(path)}
    assert found[True] == found[False]
    assert len(found[True]["case_totals"]) > 50


def test_a_failed_import_leaves_the_totals_and_their_triggers_as_they_were(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.sqlite"
    shutil.copy(files["started"], path)
    before = kept(path)
    assert {"case_totals_ai", "search_cases_ai"} <= {name for name, _, _ in before["triggers"]}

    def fail(*_args: object) -> None:
        raise RuntimeError("磁盘已满")

    # After the rows, their tokens and their totals are in, before the transaction ends.
    monkeypatch.setattr(archive_mark, "set_marks", fail)
    monkeypatch.setattr(staging, "_audit", fail)
    target = open_store(path)
    with pytest.raises(RuntimeError, match="磁盘已满"), target.transaction() as s:
        exchange.import_rows(s, exchange.read_jsonl(files["jsonl"]), "张三")
    with pytest.raises(RuntimeError, match="磁盘已满"):
        imports.import_file_in_steps(target, USER, files["xlsx"])
    target.close()
    assert kept(path) == before


def test_an_import_has_a_roomy_page_cache_and_gives_the_connection_its_own_back(
    sqlite_store: Store, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def size(s: Session) -> int:
        return int(s.connection().exec_driver_sql("PRAGMA cache_size").scalar() or 0)

    seen: list[int] = []
    real = bulk.insert_cases

    def watched(session: Session, *args: Any) -> None:
        seen.append(size(session))
        real(session, *args)

    monkeypatch.setattr(bulk, "insert_cases", watched)
    with sqlite_store.transaction() as s:
        before = size(s)
        exchange.import_rows(s, exchange.read_jsonl(files["jsonl"]), "张三")
        assert size(s) == before != -bulk.ROOMY_KIB
    assert seen == [-bulk.ROOMY_KIB] * 3
    with pytest.raises(RuntimeError), sqlite_store.transaction() as s, bulk.roomy_cache(s):
        raise RuntimeError
    with sqlite_store.transaction() as s:
        assert size(s) == before
        s.connection().exec_driver_sql("PRAGMA cache_size = -200000")
        with bulk.roomy_cache(s):  # a larger cache is left as it is
            assert size(s) == -200_000
        s.connection().exec_driver_sql(f"PRAGMA cache_size = {before}")
