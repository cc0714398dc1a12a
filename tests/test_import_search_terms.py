"""An import writes its search tokens in one go: the same tokens as the trigger, all or nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cases.actions import imports
from cases.interchange import bulk, exchange, ledger, staging
from cases.rules.handbook import RoleId
from cases.sample import demo
from cases.storage import archive_mark
from cases.storage.model import Applicant, Case, User
from cases.storage.store import Store, open_store
from tests.test_search_index import (
    DESCRIPTIONS,
    NAMES,
    add_case,
    all_texts,
    found,
    reference,
    sample_terms,
)

TODAY = dt.date(2025, 12, 31)
USER = User(username="张三", display_name="张三", roles=RoleId.ADMIN, active=True)
TRIGGERS = ("search_cases_ai", "search_applicants_ai")


def tokens(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every token of both search tables: term, row, column and position (fts5vocab)."""
    db = sqlite3.connect(path)
    try:
        found = {}
        for table in ("search_case_terms", "search_number_terms", "search_applicant_terms"):
            db.execute(
                f"CREATE VIRTUAL TABLE temp.v_{table} USING fts5vocab(main, {table}, instance)"
            )
            found[table] = db.execute(
                f"SELECT * FROM temp.v_{table} ORDER BY 1, 2, 3, 4"
            ).fetchall()
        return found
    finally:
        db.close()


def triggers(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)"
        return dict(db.execute(query, TRIGGERS).fetchall())
    finally:
        db.close()


def counts(path: Path) -> tuple[int, int, int]:
    db = sqlite3.connect(path)
    try:
        cases = db.execute("SELECT count(*) FROM cases").fetchone()[0]
        terms = db.execute("SELECT count(*) FROM search_case_terms_data").fetchone()[0]
        names = db.execute("SELECT count(*) FROM search_applicant_terms_data").fetchone()[0]
        return cases, terms, names
    finally:
        db.close()


def started(path: Path, template: Path) -> Store:
    """A database that already holds cases (written one by one, through the trigger)."""
    shutil.copy(template, path)
    opened = open_store(path)
    with opened.transaction() as session:
        people = [Applicant(type="natural_person", name=n) for n in NAMES]
        for i, text in enumerate(DESCRIPTIONS):
            add_case(session, f"2099-{i + 1:06d}", text, people[i % len(people)])
    return opened


@pytest.fixture(scope="module")
def files(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo's cases as an exchange file and as a 台账, plus cases with hard texts."""
    folder = tmp_path_factory.mktemp("import_terms")
    source = open_store(folder / "source.sqlite")
    with source.transaction() as session:
        demo.generate(session, 1500, seed=5, today=TODAY)
        people = [Applicant(type="natural_person", name=n + "Ab") for n in NAMES]
        for i, text in enumerate(DESCRIPTIONS):
            add_case(session, f"2025-{900_001 + i}", text + " ＡbC", people[i % len(people)])
    with source.session() as session:
        exchange.export_jsonl(session, folder / "cases.jsonl")
        ledger.export_ledger(session, folder / "台账.xlsx")
    source.close()
    return {"jsonl": folder / "cases.jsonl", "xlsx": folder / "台账.xlsx"}


def test_every_import_writes_the_tokens_the_trigger_writes(
    files: dict[str, Path], sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = exchange.read_jsonl(files["jsonl"])
    before = triggers(sqlite_template)
    assert set(before) == set(TRIGGERS)
    written: dict[str, Path] = {}
    for way in ("per_row", "bulk", "staged", "ledger", "ledger_staged"):
        written[way] = tmp_path / f"{way}.sqlite"
        target = started(written[way], sqlite_template)
        # The old way: every row through SQLAlchemy's executemany and the trigger.
        monkeypatch.setattr(bulk, "THROUGH_DRIVER", way != "per_row")
        if way in ("per_row", "bulk"):
            with target.transaction() as s:
                assert exchange.import_rows(s, rows, "张三").written == len(rows)
        elif way == "ledger":
            with target.transaction() as s:
                assert ledger.import_ledger(s, files["xlsx"], "张三").written == len(rows)
        else:
            path = files["xlsx" if way == "ledger_staged" else "jsonl"]
            assert imports.import_file_in_steps(target, USER, path).value.written == len(rows)
        target.close()
        assert triggers(written[way]) == before, way
    expected = tokens(written["per_row"])
    assert len(expected["search_case_terms"]) > 50_000  # descriptions only since 0016
    assert len(expected["search_number_terms"]) > 10_000
    assert len(expected["search_applicant_terms"]) > 1_000
    for way in ("bulk", "staged", "ledger", "ledger_staged"):
        assert tokens(written[way]) == expected, way


def test_the_search_finds_the_imported_cases_as_the_plain_filter_does(
    files: dict[str, Path], sqlite_template: Path, tmp_path: Path
) -> None:
    target = started(tmp_path / "cases.sqlite", sqlite_template)
    assert imports.import_file_in_steps(target, USER, files["xlsx"]).value.written > 1500
    with target.transaction() as session:  # a case written after the import: the trigger is back
        person = session.scalars(select(Applicant).limit(1)).one()
        add_case(session, "2099-777777", "导入之后登记的Zq案件", person)
    with target.session() as session:
        texts = all_texts(session)
        terms = [*sample_terms(texts), "abc", "ＡbC", "Zq案件", "2025-900003", "O'Brien"]
        for term in terms:
            assert found(session, term) == reference(term, texts), term
        assert len(found(session, "Zq案件")) == 1
        assert len(found(session, "ＡbC")) == len(DESCRIPTIONS)  # the imported ones
        assert len(found(session, "abc")) == 2  # one stored before, one imported
    target.close()


def test_a_failed_import_leaves_neither_cases_nor_tokens(
    files: dict[str, Path], sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.sqlite"
    target = started(path, sqlite_template)
    before, kept = counts(path), tokens(path)
    rows = exchange.read_jsonl(files["jsonl"])

    def fail(*_args: object) -> None:
        raise RuntimeError("磁盘已满")

    # After the rows and their tokens are in, before the transaction ends.
    monkeypatch.setattr(archive_mark, "set_marks", fail)
    monkeypatch.setattr(staging, "_audit", fail)
    with pytest.raises(RuntimeError, match="磁盘已满"), target.transaction() as s:
        exchange.import_rows(s, rows, "张三")
    with pytest.raises(RuntimeError, match="磁盘已满"):
        imports.import_file_in_steps(target, USER, files["xlsx"])
    target.close()
    assert counts(path) == before and tokens(path) == kept
    assert set(triggers(path)) == set(TRIGGERS)


KILLED = """
import os, signal, sys
from cases.interchange import exchange
from cases.storage import archive_mark
from cases.storage.store import open_store

def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)

archive_mark.set_marks = die  # after the rows and their tokens
store = open_store(sys.argv[1])
rows = exchange.read_jsonl(__import__("pathlib").Path(sys.argv[2]))
with store.transaction() as s:
    exchange.import_rows(s, rows, "张三")
"""


def test_a_killed_import_leaves_neither_cases_nor_tokens(
    files: dict[str, Path], sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cases.sqlite"
    started(path, sqlite_template).close()
    before, kept = counts(path), tokens(path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(path), str(files["jsonl"])], env=env, check=False
    )
    assert done.returncode == -signal.SIGKILL
    assert counts(path) == before and tokens(path) == kept
    assert set(triggers(path)) == set(TRIGGERS)
    reopened = open_store(path)  # and the next write is indexed by the trigger again
    with reopened.transaction() as session:
        person = session.scalars(select(Applicant).limit(1)).one()
        add_case(session, "2099-888888", "杀掉之后登记", person)
    with reopened.session() as session:
        assert [
            c.no
            for c in session.scalars(select(Case).where(Case.id.in_(found(session, "杀掉之后"))))
        ] == ["2099-888888"]
    reopened.close()


def known_by_name(session: Any, records: list[Any]) -> tuple[dict[Any, int], list[Any]]:
    """What exchange.known_applicants returned before it asked by ID number too."""
    wanted = {r.applicant.identity(): r.applicant for r in records}
    found: dict[tuple[str, str, str], int] = {}
    names = sorted({key[1] for key in wanted})
    for start in range(0, len(names), 500):
        stmt = select(Applicant.id, Applicant.type, Applicant.name, Applicant.id_number).where(
            Applicant.name.in_(names[start : start + 500])
        )
        for row in session.execute(stmt.order_by(Applicant.id)):
            found.setdefault((row.type, row.name, row.id_number or ""), row.id)
    return found, [data for key, data in wanted.items() if key not in found]


def test_the_applicants_already_stored_are_found_as_by_name_alone(
    store: Store, files: dict[str, Path], sqlite_template: Path, tmp_path: Path
) -> None:
    rows = exchange.read_jsonl(files["jsonl"])
    with store.transaction() as s:  # the same people, some twice, some without an ID number
        demo.generate(s, 1500, seed=5, today=TODAY)
        for i, person in enumerate(s.scalars(select(Applicant).order_by(Applicant.id).limit(60))):
            twin = {"type": person.type, "name": person.name, "id_number": person.id_number}
            if i % 3 == 0:
                twin["id_number"] = None if person.id_number else ""
            s.add(Applicant(**twin))
    for i, (_, row) in enumerate(rows[:40]):  # and people the database has not seen
        if i % 2:
            row["applicant"]["id_number"] = f"31011019800101{i:04d}"
        else:
            row["applicant"].pop("id_number", None)
    shutil.copy(sqlite_template, tmp_path / "empty.sqlite")  # checked where no number clashes
    empty = open_store(tmp_path / "empty.sqlite")
    with empty.session() as s:
        records = exchange.check_rows(s, rows).records
    empty.close()
    with store.session() as s:
        found, new = exchange.known_applicants(s, records)
        expected_found, expected_new = known_by_name(s, records)
    wanted = {r.applicant.identity() for r in records}
    assert {k: v for k, v in expected_found.items() if k in wanted} == {
        k: v for k, v in found.items() if k in wanted
    }
    assert new == expected_new
    assert len(found) > 1000 and 0 < len(new) < 40
