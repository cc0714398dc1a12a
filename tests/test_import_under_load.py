"""Large imports while desks work: checked and staged without the write lock, written at once.

Issue 13 item 2: a large import validates before it takes the write lock and writes so that a
desk's action waits seconds at most, staying all or nothing as a whole (cases.interchange.staging).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import main
from cases import actions
from cases.actions.imports import import_file_in_steps
from cases.errors import Refused
from cases.interchange import exchange, staging
from cases.interchange.records import ApplicantData
from cases.office import users
from cases.progress import Cancelled, Progress
from cases.storage import verify
from cases.storage.model import AuditRecord, Case, Consultation, Review
from cases.storage.store import Store
from tests.actions_support import Desk

ROWS = 1200  # per import: enough that checking takes seconds on a loaded two-core machine


def big_file(path: Path, prefix: str | None, n: int = ROWS) -> Path:
    """n cases, every tenth closed with a review and every seventh with a consultation."""
    lines = []
    for i in range(n):
        row: dict[str, Any] = {
            "no": f"{prefix}-{i:06d}" if prefix else None,
            "received": f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}",
            "channel": "in_person",
            "applicant": {"type": "natural_person", "name": f"申请人{i % 300}"},
            "request": {"description": f"申请公开第{i}号地块的征收补偿方案", "form": "paper",
                        "delivery": "post"},
            "events": [],
        }  # fmt: skip
        if i % 7 == 0:
            row["events"] = [
                {"kind": "consultation", "party": "agency", "to": "区规划资源局",
                 "sent": row["received"], "replied": None}
            ]  # fmt: skip
        if i % 10 == 0:
            row["events"] = []
            row["received"] = "2025-03-03"
            row["outcome"] = {"code": "disclose", "on": "2025-03-20", "note": ""}
            row["reviews"] = [{"kind": "reconsideration", "filed": "2025-04-01"}]
        lines.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Clock:
    """When each import checked, swapped and ended, and how long each desk action took."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.swaps: list[tuple[float, float]] = []
        self.desk: list[tuple[float, float]] = []
        self.errors: list[BaseException] = []
        self.ended: list[float] = []

    def watch_swaps(self, monkeypatch: pytest.MonkeyPatch) -> None:
        swap = staging._swap

        def timed_swap(session: Any, stage: Any, actor: str) -> Any:
            began = time.monotonic()
            try:
                return swap(session, stage, actor)
            finally:
                with self.lock:
                    self.swaps.append((began, time.monotonic()))

        monkeypatch.setattr(staging, "_swap", timed_swap)


def in_thread(clock: Clock, work: Callable[[], Any], out: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            out.append(work())
        except BaseException as exc:  # reported by the test, not lost in the thread
            with clock.lock:
                clock.errors.append(exc)
        with clock.lock:
            clock.ended.append(time.monotonic())

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def desk_keeps_registering(desk: Desk, clock: Clock, stop: threading.Event) -> int:
    """This year's applications at the window while the archive of an earlier year comes in."""
    who = ApplicantData(type="natural_person", name="窗口申请人")
    done = 0
    while not stop.is_set():
        began = time.monotonic()
        with desk.store.transaction() as session:
            actions.register(
                session,
                desk.handler,
                channel="in_person",
                applicant=who,
                description="窗口登记",
                received=dt.date.today(),
            )
        with clock.lock:
            clock.desk.append((began, time.monotonic()))
        done += 1
        time.sleep(0.05)
    return done


def test_two_large_imports_and_a_desk_at_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = Desk.open(store)
    files = [big_file(tmp_path / "a.jsonl", None), big_file(tmp_path / "b.jsonl", "B")]
    clock = Clock()
    clock.watch_swaps(monkeypatch)
    stop = threading.Event()
    registered: list[int] = []
    desk_thread = in_thread(clock, lambda: desk_keeps_registering(desk, clock, stop), registered)
    time.sleep(0.3)
    began = time.monotonic()
    results: list[Any] = []
    imports = [
        in_thread(clock, lambda f=f: import_file_in_steps(store, desk.admin, f), results)
        for f in files
    ]
    for thread in imports:
        thread.join(timeout=600)
    time.sleep(0.3)
    stop.set()
    desk_thread.join(timeout=60)
    assert clock.errors == []  # no refusal, no traceback, in any of the three
    assert sorted(r.value.written for r in results) == [ROWS, ROWS]
    assert len(clock.swaps) == 2
    # The desk went on while the imports checked and staged their rows: with the old single
    # transaction it waited for the whole import instead.
    first_swap = min(start for start, _ in clock.swaps)
    during = [end for start, end in clock.desk if began < start and end < first_swap]
    assert during, "the desk did nothing while the imports were checking"
    # A desk action waits at most for the swaps, never for a whole import: the one written in
    # a single transaction made an action started at the beginning wait until its end.
    longest_wait = max(end - start for start, end in clock.desk)
    shortest_import = min(clock.ended[:2]) - began
    swapping = sum(end - start for start, end in clock.swaps)
    print(f"desk {longest_wait:.2f}s, swaps {swapping:.2f}s, import {shortest_import:.2f}s")
    assert longest_wait < shortest_import, (longest_wait, swapping, shortest_import)
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 2 * ROWS + registered[0]
        assert s.scalar(select(func.count(Case.id)).where(Case.no.like("B-%"))) == ROWS
        assert s.scalar(select(func.count(Review.id))) == 2 * (ROWS // 10)
        assert s.scalar(select(func.count(Consultation.id))) == 2 * len(
            [i for i in range(ROWS) if i % 7 == 0 and i % 10 != 0]
        )
        numbers = list(s.scalars(select(Case.no)))
        assert len(set(numbers)) == len(numbers)  # given at the swap, never twice
        imported = s.scalar(
            select(func.count(AuditRecord.id)).where(AuditRecord.action == "import")
        )
        assert imported == 2 * ROWS
        assert verify.verify(s).ok  # both imports and the desk on one unbroken chain


def test_two_imports_of_the_same_cases_at_once_write_one_of_them_whole(
    store: Store, tmp_path: Path
) -> None:
    desk = Desk.open(store)
    files = [big_file(tmp_path / f"{n}.jsonl", "S", 400) for n in ("one", "two")]
    clock = Clock()
    results: list[Any] = []
    threads = [
        in_thread(clock, lambda f=f: import_file_in_steps(store, desk.admin, f), results)
        for f in files
    ]
    for thread in threads:
        thread.join(timeout=600)
    assert len(results) == 1 and results[0].value.written == 400
    assert len(clock.errors) == 1 and isinstance(clock.errors[0], exchange.ImportRejected)
    assert all(p.field == "no" and "已存在" in p.message for p in clock.errors[0].problems)
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 400
        assert s.scalar(select(func.count(Review.id))) == 40
        assert verify.verify(s).ok


def test_a_cancel_before_the_swap_writes_nothing_and_the_next_import_writes_all(
    store: Store, tmp_path: Path
) -> None:
    desk = Desk.open(store)
    path = big_file(tmp_path / "c.jsonl", "C", 2500)

    class Stop(Exception):
        pass

    def cancel_after_first_chunk(done: int, _total: int) -> None:
        if done >= staging.CHUNK:
            raise Stop

    with pytest.raises(Stop):
        import_file_in_steps(store, desk.admin, path, cancel_after_first_chunk)
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 0
    # Whatever connection the pool gives next, the import starts from empty temporary tables.
    assert import_file_in_steps(store, desk.admin, path).value.written == 2500
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 2500


def test_the_command_line_import_is_staged_and_says_how_many(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sqlite_store.path is not None
    path = big_file(tmp_path / "d.jsonl", None, 300)
    assert main.run(["--db", str(sqlite_store.path), "import", str(path)]) == 0
    assert "已导入 300 件案件" in capsys.readouterr().out
    with sqlite_store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 300
        assert s.scalar(select(func.count(Case.id)).where(Case.no.is_(None))) == 0


def test_an_importer_disabled_while_the_file_is_checked_writes_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = Desk.open(store)
    with store.transaction() as s:
        importer = users.create_user(
            s, desk.admin, username="clerk", display_name="录入员", roles=["admin"]
        ).value
    write_stage = staging._write_stage

    def disabled_meanwhile(*args: Any) -> None:
        write_stage(*args)
        with store.transaction() as s:  # the administrator at another desk
            users.set_active(s, desk.admin, importer, False)

    monkeypatch.setattr(staging, "_write_stage", disabled_meanwhile)
    with pytest.raises(Refused, match="已停用"):
        import_file_in_steps(store, importer, big_file(tmp_path / "e.jsonl", "E", 50))
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 0


def test_a_cancel_that_comes_after_the_commit_does_not_undo_the_report() -> None:
    """The window's worker asks `cancelled` after the import returns; the swap committed."""
    progress = Progress()
    progress.cancel()
    assert progress.cancelled
    with pytest.raises(Cancelled):
        progress.step(1, 2)
    progress.committed()  # what the import dialog says once the staged import has returned
    assert not progress.cancelled
    progress.step(2, 2)
