"""Work done by a desk in a process of its own, for the tests of several desks on one server.

Each function runs in a child process started with multiprocessing's spawn method: it opens its
own store (its own connections), waits at the barrier with the other desks so that they all
start together, and reports what it got through the queue (or the error it met).
"""

from __future__ import annotations

import datetime as dt
import traceback
from typing import Any

from cases import actions
from cases.interchange.records import ApplicantData
from cases.office import users
from cases.storage.store import open_store


def _report(queue: Any, work: Any) -> None:
    try:
        queue.put(("ok", work()))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def issue_letters(
    url: str, username: str, letter_ids: list[int], on: dt.date, barrier: Any, queue: Any
) -> None:
    """Issue (发文) each letter in a transaction of its own; report the numbers issued."""

    def work() -> list[tuple[int, str]]:
        store = open_store(url)
        try:
            with store.session() as session:
                actor = users.find_user(session, username)
            assert actor is not None
            barrier.wait(timeout=60)
            issued = []
            for letter_id in letter_ids:
                with store.transaction() as session:
                    letter = actions.issue(session, actor, letter_id, on=on).value
                    issued.append((letter.seq or 0, letter.number or ""))
            return issued
        finally:
            store.close()

    _report(queue, work)


def register_cases(
    url: str, username: str, count: int, received: dt.date, barrier: Any, queue: Any
) -> None:
    """Register `count` applications, one transaction each; report the case numbers given."""

    def work() -> list[str]:
        store = open_store(url)
        try:
            with store.session() as session:
                actor = users.find_user(session, username)
            assert actor is not None
            who = ApplicantData(type="natural_person", name="并发申请人")
            barrier.wait(timeout=60)
            numbers = []
            for n in range(count):
                with store.transaction() as session:
                    case = actions.register(
                        session,
                        actor,
                        channel="in_person",
                        applicant=who,
                        description=f"{username}的第{n + 1}件申请",
                        received=received,
                    ).value
                    numbers.append(case.no)
            return numbers
        finally:
            store.close()

    _report(queue, work)
