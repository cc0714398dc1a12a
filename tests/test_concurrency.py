"""Several desks on one database: case versions, row locks, refusals naming who changed the case.

The races run on PostgreSQL with real connections (threads) or real processes. They are forced,
not hoped for: the first desk keeps its transaction open until the server reports the second desk
waiting for its lock (pg_blocking_pids), and only then commits.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from cases import actions
from cases.documents import letters
from cases.office import users
from cases.storage.concurrency import CaseChanged, expect, local_time
from cases.storage.model import AuditRecord, Case, Letter, User
from cases.storage.store import Store, open_store
from tests import desk_processes
from tests.actions_support import DAY0, Desk, applicant

D = dt.date
SIGNED = D(2025, 3, 20)


def version_of(store: Store, no: str) -> int:
    with store.session() as s:
        return s.scalars(select(Case.version).where(Case.no == no)).one()


def last_change(store: Store, no: str) -> AuditRecord:
    with store.session() as s:
        case_id = s.scalars(select(Case.id).where(Case.no == no)).one()
        stmt = select(AuditRecord).where(AuditRecord.case_id == case_id)
        return s.scalars(stmt.order_by(AuditRecord.id.desc())).first()  # type: ignore[return-value]


def at_handle(desk: Desk) -> str:
    no = desk.register(DAY0)
    desk.to_handle(no)
    return no


def waiting_for_sign_off(desk: Desk) -> str:
    no = at_handle(desk)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"], on=SIGNED
    )
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, desk.reviewer, no)
    return no


def signed(desk: Desk) -> str:
    no = waiting_for_sign_off(desk)
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)
    return no


def second_user(desk: Desk, username: str, display_name: str, role: str) -> User:
    with desk.store.transaction() as s:
        return users.create_user(
            s, desk.admin, username=username, display_name=display_name, roles=[role]
        ).value


# --- versions, on both backends ---------------------------------------------------------


def test_every_change_raises_the_case_version_once_per_transaction(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0)
    assert version_of(store, no) == 1
    desk.do(actions.advance, desk.handler, no, "check")
    assert version_of(store, no) == 2
    with store.transaction() as s:  # two actions, one transaction: one step
        actions.advance(s, desk.handler, no, "assign")
        actions.assign(s, desk.handler, no, department="区规划资源局", handler="王承办")
    assert version_of(store, no) == 3
    with pytest.raises(actions.ActionRefused):
        desk.do(actions.advance, desk.handler, no, "archive")
    assert version_of(store, no) == 3  # a refused action changed nothing
    with store.transaction() as s:  # a row of the case alone (a draft letter) counts too
        case = s.scalars(select(Case).where(Case.no == no)).one()
        letters.draft_letter(s, case, "receipt", "王承办")
    assert version_of(store, no) == 4


def test_a_desk_acting_on_the_case_it_showed_is_refused_once_another_desk_changed_it(
    store: Store,
) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    with store.session() as s:
        shown = s.scalars(select(Case).where(Case.no == no)).one()
    # Another desk names a different department while this window still shows the old one.
    desk.do(actions.assign, desk.reviewer, no, department="区住房保障局", handler="李审核")
    change = last_change(store, no)
    with store.session() as s:
        before = s.scalars(select(Case.department).where(Case.no == no)).one()
    with pytest.raises(CaseChanged) as refused, store.transaction() as s:
        expect(s, shown.id, shown.version)
        actions.choose_outcome(
            s, desk.handler, no, code="disclose", reasons=["attached"], on=SIGNED
        )
    err = refused.value
    assert (err.field, err.case_id, err.case_no) == ("case", shown.id, no)
    assert err.changed_by == "李审核"
    assert f"李审核于{local_time(change.at)}改动" in err.message
    assert no in err.message and "本次操作未执行" in err.message
    with store.session() as s:
        case = s.scalars(select(Case).where(Case.no == no)).one()
        assert (case.outcome_code, case.department) == (None, before)
    # Having looked again (the window reloads), the desk may act.
    with store.transaction() as s:
        expect(s, shown.id, version_of(store, no))
        actions.choose_outcome(
            s, desk.handler, no, code="disclose", reasons=["attached"], on=SIGNED
        )


def test_the_version_the_window_showed_is_checked_only_once(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0)
    with store.transaction() as s:
        case = s.scalars(select(Case).where(Case.no == no)).one()
        expect(s, case.id, case.version)
        actions.advance(s, desk.handler, no, "check")
        actions.advance(s, desk.handler, no, "assign")  # our own change does not refuse us
    assert version_of(store, no) == 2


# --- two desks at the same moment, on the server ------------------------------------------


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


def overlap(
    url: str, first: Callable[[Session], Any], second: Callable[[Session], Any]
) -> tuple[Outcome, Outcome, bool]:
    """`first` acts and keeps its transaction open until `second`, on another connection, waits
    for its lock; then `first` commits. Returns both outcomes and whether `second` waited."""
    desks = [open_store(url), open_store(url)]
    monitor = create_engine(url)
    acted, release = threading.Event(), threading.Event()
    pids: queue.Queue[int] = queue.Queue()
    one, two = Outcome(), Outcome()

    def run_first() -> None:
        try:
            with desks[0].transaction() as s:
                one.value = first(s)
                s.flush()
                acted.set()
                if not release.wait(timeout=60):
                    raise TimeoutError("the second desk never came")
        except BaseException as exc:
            one.error = exc
        finally:
            acted.set()

    def run_second() -> None:
        try:
            with desks[1].transaction() as s:
                pids.put(s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
                two.value = second(s)
        except BaseException as exc:
            two.error = exc
            pids.put(0)

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    try:
        threads[0].start()
        assert acted.wait(timeout=60)
        threads[1].start()
        pid = pids.get(timeout=60)
        waited = False
        deadline = time.monotonic() + 60
        with monitor.connect() as conn:
            blocking = text("SELECT cardinality(pg_blocking_pids(:pid))")
            while threads[1].is_alive() and time.monotonic() < deadline:
                if conn.execute(blocking, {"pid": pid}).scalar_one():
                    waited = True
                    break
                time.sleep(0.005)
        release.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        release.set()
        monitor.dispose()
        for d in desks:
            d.close()
    return one, two, waited


@pytest.mark.postgres
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_two_signers_signing_one_case_at_once_one_succeeds(store: Store) -> None:
    desk = Desk.open(store)
    other = second_user(desk, "signer2", "钱签发", "signer")
    no = waiting_for_sign_off(desk)
    first, second, waited = overlap(
        store.target.url,
        lambda s: actions.sign_off(s, desk.signer, no, on=SIGNED),
        lambda s: actions.sign_off(s, other, no, on=D(2025, 3, 21)),
    )
    assert waited, "the second signer did not wait for the first one's lock"
    assert first.error is None
    assert isinstance(second.error, CaseChanged), second.error
    change = last_change(store, no)
    assert change.actor == "signer"
    assert f"赵签发于{local_time(change.at)}改动" in second.error.message
    case = desk.case(no)
    signatures = [a for a in case.approvals if a.stage == "sign_off" and a.decision]
    assert [(a.decided_by, a.decision) for a in signatures] == [("signer", "approved")]
    assert (case.step, case.outcome_on) == ("serve", SIGNED)
    assert {r.actor for r in desk.trail(no) if r.action == "sign_off"} == {"signer"}


SERVICE = {"method": "ems", "served_on": D(2025, 3, 24), "tracking_no": "EA000000001CN"}


def _void(desk: Desk, no: str) -> Callable[[Session], Any]:
    return lambda s: actions.void(s, desk.reviewer, no, reason="重复登记")


def _serve(user: User, no: str) -> Callable[[Session], Any]:
    return lambda s: actions.record_service(s, user, no, **SERVICE)


def _outcome(user: User, no: str) -> Callable[[Session], Any]:
    return lambda s: actions.choose_outcome(
        s, user, no, code="disclose", reasons=["attached"], on=SIGNED
    )


AUDITED = {"void": "void", "service": "record_service", "outcome": "choose_outcome"}
RACES = {
    # winner, loser, at which point of the procedure; each loser would pass its guard on what it
    # read before the winner committed, or act on a case that is no longer what it saw.
    "void_then_service": ("handle", "void", "service"),
    "service_then_void": ("serve", "service", "void"),
    "void_then_outcome": ("handle", "void", "outcome"),
    "two_services": ("serve", "service", "service"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
@pytest.mark.parametrize("race", RACES)
def test_void_and_service_at_once_one_wins_the_other_is_told(store: Store, race: str) -> None:
    desk = Desk.open(store)
    clerk = second_user(desk, "handler2", "孙承办", "handler")
    where, winner, loser = RACES[race]
    no = at_handle(desk) if where == "handle" else signed(desk)
    acts = {
        "void": _void(desk, no),
        "service": _serve(desk.handler, no),
        "outcome": _outcome(desk.handler, no),
    }
    second = {**acts, "service": _serve(clerk, no), "outcome": _outcome(clerk, no)}
    first, lost, waited = overlap(store.target.url, acts[winner], second[loser])
    assert waited
    assert first.error is None
    assert isinstance(lost.error, CaseChanged), lost.error
    who = {"void": "李审核", "service": "王承办"}[winner]
    assert f"案件{no}已由{who}于" in lost.error.message
    case = desk.case(no)
    assert case.voided is (winner == "void")
    assert len(case.services) == (1 if winner == "service" else 0)
    audited = [r.actor for r in desk.trail(no) if r.action == AUDITED[loser]]
    assert set(audited) == ({"handler"} if race == "two_services" else set())


# --- many issuers, several processes ------------------------------------------------------


def run_processes(target: Callable[..., None], arglists: list[tuple[Any, ...]]) -> list[Any]:
    """Start one process per argument list, all released together by a barrier."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(arglists))
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(*args, barrier, results)) for args in arglists
    ]
    for p in processes:
        p.start()
    try:
        got = [results.get(timeout=180) for _ in processes]
    finally:
        for p in processes:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
                p.join()
        results.close()
        results.join_thread()
    errors = [detail for status, detail in got if status != "ok"]
    assert not errors, "\n".join(errors)
    return [detail for _status, detail in got]


@pytest.mark.postgres
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_many_desks_issuing_letters_at_once_get_gapless_unique_numbers(store: Store) -> None:
    desk = Desk.open(store)
    issuers = [desk.reviewer, second_user(desk, "reviewer2", "周审核", "reviewer")]
    issuers += [second_user(desk, f"signer{n}", f"签发{n}", "signer") for n in (2, 3)]
    per_desk, cases_per_desk = 6, 2
    work: list[tuple[Any, ...]] = []
    with store.transaction() as s:
        for user in issuers:
            ids = []
            for _ in range(cases_per_desk):
                case = actions.register(
                    s, desk.handler, channel="in_person", applicant=applicant(),
                    description="申请公开某项目的环评报告", received=DAY0,
                ).value  # fmt: skip
                for _ in range(per_desk // cases_per_desk):
                    ids.append(letters.draft_letter(s, case, "receipt", "王承办").id)
            work.append((store.target.url, user.username, ids, D(2025, 3, 4)))
    issued = [pair for got in run_processes(desk_processes.issue_letters, work) for pair in got]
    total = per_desk * len(issuers)
    assert sorted(seq for seq, _ in issued) == list(range(1, total + 1))
    assert len({number for _, number in issued}) == total
    with store.session() as s:
        stored = s.scalars(select(Letter).where(Letter.status == "issued")).all()
        assert sorted(x.seq for x in stored) == list(range(1, total + 1))
        assert {x.issued_by for x in stored} == {u.username for u in issuers}


@pytest.mark.postgres
@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_many_desks_registering_at_once_get_gapless_unique_case_numbers(store: Store) -> None:
    desk = Desk.open(store)
    clerks = [desk.handler] + [
        second_user(desk, f"handler{n}", f"承办{n}", "handler") for n in (2, 3, 4)
    ]
    per_desk = 5
    work = [(store.target.url, c.username, per_desk, DAY0) for c in clerks]
    numbers = [no for got in run_processes(desk_processes.register_cases, work) for no in got]
    total = per_desk * len(clerks)
    assert sorted(numbers) == [f"2025-{n:06d}" for n in range(1, total + 1)]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == total
