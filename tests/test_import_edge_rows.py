"""Rows at the edges of the import's bulk work stored as row by row through the triggers.

The tokens are spelt in Python and the totals counted after the rows (cases.interchange
.search_terms, kept_totals); the archive marks set by one statement per time (archive_mark).
Each compared here with the reference way on the rows most likely to tell them apart.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert

from cases.interchange import bulk, exchange
from cases.sample import demo
from cases.storage import archive_mark, totals
from cases.storage.model import Applicant, Case
from cases.storage.store import Store, open_store
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import ClockFacts, ClockResult, compute
from tests.test_import_kept_work import everything

TODAY = dt.date(2025, 12, 31)
# Every kind of character the spelling meets: CJK, astral (UTF-8 of four bytes), an emoji, a
# capital SQLite's lower() leaves as it is (É), ASCII capitals it folds, full-width forms.
HUGE = ("申请公开𠀀𪚥😀ÉéABCabc（２０２４）沪规建第0012号，" * 400)[:10_000]


def edge_rows(started: Path, source: Path) -> Path:
    """The demo's rows, the first few changed: a description of the longest length taken, the
    applicant of a stored case under another type, and the same applicant twice in the file
    under two types."""
    db = sqlite3.connect(started)
    try:
        name, id_type, id_number, kind = db.execute(
            "SELECT name, id_type, id_number, type FROM applicants "
            "WHERE id_number IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        db.close()
    other = "enterprise" if kind != "enterprise" else "research"
    lines = source.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    rows[0]["request"]["description"] = HUGE
    for row, applicant_type in ((rows[1], other), (rows[2], kind), (rows[3], "other_org")):
        row["applicant"].update(
            type=applicant_type, name=name, id_type=id_type, id_number=id_number
        )
    rows[4]["applicant"] = dict(rows[3]["applicant"], type="public_interest")
    rows[5]["request"]["description"] = "镇"  # one character: no pair at all
    path = source.with_name("edge.jsonl")
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_edge_rows_store_what_the_triggers_store(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = open_store(tmp_path / "source.sqlite")
    with source.transaction() as s:
        demo.generate(s, 600, seed=29, years=(2024, 2025), today=TODAY)
    with source.session() as s:
        exchange.export_jsonl(s, tmp_path / "cases.jsonl")
    source.close()
    started = tmp_path / "started.sqlite"
    shutil.copy(sqlite_template, started)
    store = open_store(started)
    with store.transaction() as s:
        demo.generate(s, 100, seed=5, years=(2021,), today=TODAY)
    store.close()
    rows = exchange.read_jsonl(edge_rows(started, tmp_path / "cases.jsonl"))
    found = {}
    for through_driver in (False, True):
        monkeypatch.setattr(bulk, "THROUGH_DRIVER", through_driver)
        path = tmp_path / f"{through_driver}.sqlite"
        shutil.copy(started, path)
        target = open_store(path)
        with target.transaction() as s:
            assert exchange.import_rows(s, rows, "张三").written == 600
        with target.session() as s:
            assert totals.differences(s) == []
        target.close()
        found[through_driver] = everything(path)
    for table in found[False]:
        assert found[True][table] == found[False][table], table
    db = sqlite3.connect(tmp_path / "True.sqlite")
    try:  # the edges are there: the long text whole, the stored applicant under two types
        assert db.execute("SELECT max(length(description)) FROM cases").fetchone() == (10_000,)
        name = json.loads((tmp_path / "edge.jsonl").read_text("utf-8").splitlines()[1])
        named = name["applicant"]["name"]
        kinds = db.execute("SELECT count(DISTINCT type) FROM applicants WHERE name = ?", (named,))
        assert kinds.fetchone()[0] >= 3
    finally:
        db.close()


def test_archive_marks_of_one_instant_in_two_zones_are_each_written_as_given(
    sqlite_store: Store,
) -> None:
    """Equal instants are equal datetimes, but SQLite stores a time as its wall clock: marks
    grouped by time must not write one zone's wall clock for the other's."""
    utc = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC)
    shanghai = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert utc == shanghai
    given = [utc, shanghai, utc, shanghai, utc.replace(tzinfo=None)]
    with sqlite_store.transaction() as s:
        applicant = s.execute(
            insert(Applicant).values(type="natural_person", name="陈").returning(Applicant.id)
        ).scalar_one()
        ids = []
        for n, _ in enumerate(given * 2):
            row = {
                "no": f"2025-{n + 1:06d}", "received": dt.date(2025, 2, 1), "channel": "online",
                "applicant_id": applicant, "description": "申请公开", "form": "paper",
                "delivery": "post", "step": "archive", "status": "closed",
                "day0": dt.date(2025, 2, 1), "correction_notice_due": dt.date(2025, 2, 10),
                "created_at": utc, "updated_at": utc,
            }  # fmt: skip
            ids.append(s.execute(insert(Case).values(**row).returning(Case.id)).scalar_one())
        conn = s.connection()
        marks: list[dict[str, Any]] = [
            {"mark_id": i, "mark_at": at, "mark_updated": at}
            for i, at in zip(ids, given * 2, strict=True)
        ]
        archive_mark.set_marks(conn, marks[: len(given)])  # grouped by time
        for mark in marks[len(given) :]:  # one statement each: the reference
            archive_mark.set_marks(conn, [mark])
        stored = dict(
            conn.exec_driver_sql("SELECT id, archived_at || '/' || updated_at FROM cases").all()
        )
    grouped = [stored[i] for i in ids[: len(given)]]
    alone = [stored[i] for i in ids[len(given) :]]
    assert grouped == alone
    assert len(set(alone)) == 2  # the naive time is written as the UTC one


def test_fill_writes_mixed_times_and_dates_as_executemany_writes_them(
    sqlite_store: Store,
) -> None:
    """Each distinct date once, each datetime object once: naive and aware times, equal instants
    in two zones, one object repeated, and None, stored as SQLAlchemy's own insert stores them."""
    utc = dt.datetime(2025, 3, 1, 2, 0, 5, 123456, tzinfo=dt.UTC)
    shanghai = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    naive = utc.replace(tzinfo=None)
    times = [utc, shanghai, naive, utc, shanghai, naive, None, utc]
    days = [dt.date(2024, 2, 4), dt.date(2024, 2, 4), dt.date(2025, 1, 1), None] * 2
    table = cast(Table, Case.__table__)
    with sqlite_store.transaction() as s:
        applicant = s.execute(
            insert(Applicant).values(type="natural_person", name="陈").returning(Applicant.id)
        ).scalar_one()
        rows = [
            {
                "id": n + 1, "no": f"2025-{n + 1:06d}", "received": dt.date(2025, 2, 1),
                "channel": "online", "applicant_id": applicant, "description": "申请公开",
                "form": "paper", "delivery": "post", "step": "handle", "status": "open",
                "day0": dt.date(2025, 2, 1), "correction_notice_due": dt.date(2025, 2, 10),
                "due": day, "voided": n % 3 == 0, "demo": False,
                "created_at": at or utc, "updated_at": shanghai, "archived_at": at,
            }
            for n, (at, day) in enumerate(zip(times, days, strict=True))
        ]  # fmt: skip
        conn = s.connection()
        defaults = bulk._scalar_defaults(table, rows[0]) or {}  # as insert_rows adds them
        bulk.fill(conn, table, [{**defaults, **r} for r in rows[:8]])
        s.execute(insert(Case), [{**r, "id": r["id"] + 8, "no": r["no"] + "x"} for r in rows])
        stored = conn.exec_driver_sql(
            "SELECT id, received, due, voided, demo, created_at, updated_at, archived_at "
            "FROM cases ORDER BY id"
        ).all()
    assert [r[1:] for r in stored[:8]] == [r[1:] for r in stored[8:]]
    assert len({r[7] for r in stored}) == 3  # UTC and naive alike, Shanghai's wall clock, None


class _EachOnItsOwn:
    """The reference for Clocks: compute() for every case, nothing remembered."""

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal

    def of(self, facts: ClockFacts) -> ClockResult:
        return compute(facts, self.cal, explain=False)


def test_ten_thousand_rows_of_one_day_get_the_clocks_computed_one_by_one(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All received on a worked Sunday (调休) before the national holiday, closed and open, with
    a 补正 and without: the stored clock columns are those of compute() for each case."""
    correction = {
        "kind": "correction", "notice": "2025-09-30", "until": "2025-10-14",
        "items": ["申请内容不明确，请写明所需信息的名称、文号或者其他特征性描述"],
    }  # fmt: skip
    rows = []
    for n in range(10_000):
        applicant = {"type": "natural_person", "name": f"申请人{n % 700}"}
        row: dict[str, Any] = {
            "received": "2025-09-28", "channel": "online", "applicant": applicant,
            "request": {"description": f"申请公开第{n}号文件", "form": "electronic",
                        "delivery": "platform"},
            "events": [], "reviews": [],
        }  # fmt: skip
        if n % 4 == 1:
            row["events"] = [dict(correction, received=None if n % 8 == 1 else "2025-10-10")]
        if n % 2 == 0:
            row["outcome"] = {"code": "disclose", "on": "2025-10-20", "reasons": []}
        rows.append(("", row))
    found = {}
    for way in ("memo", "each"):
        if way == "each":
            monkeypatch.setattr(exchange, "Clocks", _EachOnItsOwn)
        path = tmp_path / f"{way}.sqlite"
        shutil.copy(sqlite_template, path)
        target = open_store(path)
        with target.transaction() as s:
            assert exchange.import_rows(s, rows, "张三").written == 10_000
        target.close()
        db = sqlite3.connect(path)
        try:
            found[way] = db.execute(
                "SELECT id, no, step, status, day0, due, due_provisional, correction_notice_due "
                "FROM cases ORDER BY id"
            ).fetchall()
        finally:
            db.close()
    assert found["memo"] == found["each"]
    assert {r[3] for r in found["memo"]} == {"open", "closed", "suspended"}
