"""Checklist ticks: recorded on the case with who and when, audited, refused where they must be."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from cases.result import Changes
from cases.rules import checklist
from cases.storage.model import CaseCheck
from cases.storage.store import Store
from tests.actions_support import Desk, records_of

TODAY = dt.date.today()


def test_a_tick_is_kept_audited_and_taken_back(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(received=TODAY)
    case_id = desk.case(no).id
    with store.transaction() as s:
        result = checklist.set_check(s, desk.handler, case_id, "register", "day0", True)
    assert result.value is True
    assert result.changes == Changes.of_cases([case_id])
    with store.session() as s:
        ticks = checklist.ticks(s, case_id)
        assert list(ticks) == ["register"] and list(ticks["register"]) == ["day0"]
        assert ticks["register"]["day0"].checked_by == "handler"
    # Ticking again changes nothing and says so.
    with store.transaction() as s:
        again = checklist.set_check(s, desk.handler, case_id, "register", "day0", True)
    assert again.changes.empty
    desk.do(checklist.set_check, desk.handler, case_id, "register", "day0", False)
    with store.session() as s:
        assert s.scalars(select(CaseCheck)).all() == []
    trail = records_of(desk.trail(no), "check_item")
    assert trail == {"checklist.register.day0": ("已核对", None)}
    all_ticks = [r for r in desk.trail(no) if r.action == "check_item"]
    assert [(r.old, r.new) for r in all_ticks] == [(None, "已核对"), ("已核对", None)]


def test_ticks_are_refused_for_unknown_items_wrong_roles_and_archived_cases(
    store: Store,
) -> None:
    desk = Desk.open(store)
    no = desk.register(received=TODAY)
    case_id = desk.case(no).id
    refused = desk.refuse(checklist.set_check, desk.handler, case_id, "register", "nope", True)
    assert refused.field == "item" and "核对清单中没有" in refused.message
    refused = desk.refuse(checklist.set_check, desk.signer, case_id, "register", "day0", True)
    assert refused.field == "role" and "承办人" in refused.message
    refused = desk.refuse(checklist.set_check, desk.handler, case_id, "nowhere", "day0", True)
    assert refused.field == "step"
    desk.to_handle(no)
    desk.close(no, "disclose", ["attached"], TODAY, TODAY)
    refused = desk.refuse(checklist.set_check, desk.handler, case_id, "archive", "order", True)
    assert refused.field == "archived"
