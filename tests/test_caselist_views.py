"""The quick views of the to-do list: each one condition in SQL, counted the same way it lists."""

from __future__ import annotations

import datetime as dt

from cases import actions
from cases.query import caselist
from cases.query.caselist import CaseQuery, Me, View
from cases.storage.model import User
from cases.storage.store import Store
from cases.timing import deadlines
from tests.actions_support import Desk

TODAY = dt.date.today()


def me(user: User) -> Me:
    return Me(user.username, user.display_name, frozenset(user.role_set))


def listed(store: Store, view: View, who: User | None = None) -> set[str]:
    with store.session() as s:
        cal = deadlines.load_calendar(s)
        query = CaseQuery(view=view, me=me(who) if who else None)
        ids = caselist.case_ids(s, query, cal=cal, today=TODAY)
        counts = caselist.view_counts(s, me(who) if who else None, TODAY, cal)
        rows = caselist.rows_for(s, ids)
    assert counts[view] == len(ids)  # the count is of the same condition as the list
    return {rows[i].no for i in ids}


def test_each_view_lists_the_cases_it_names(store: Store) -> None:
    desk = Desk.open(store)
    fresh = desk.register(received=TODAY)
    waiting = desk.register(received=TODAY)
    desk.do(actions.advance, desk.handler, waiting, "check")
    desk.do(actions.request_correction, desk.handler, waiting, items="身份证明")
    consulting = desk.register(received=TODAY)
    desk.to_handle(consulting)
    desk.do(actions.start_consultation, desk.handler, consulting, party="agency", to="区财政局")
    signing = desk.register(received=TODAY)
    desk.to_handle(signing)
    desk.do(actions.choose_outcome, desk.handler, signing, code="disclose", reasons=["attached"])
    desk.do(actions.submit_for_review, desk.handler, signing)
    archived = desk.register(received=TODAY)
    desk.to_handle(archived)
    desk.close(archived, "disclose", ["attached"], TODAY, TODAY)
    other = desk.register(received=TODAY, handler="别人")

    assert listed(store, View.CORRECTION) == {waiting}
    assert listed(store, View.CONSULTING) == {consulting}
    assert listed(store, View.SIGN_OFF) == {signing}
    assert listed(store, View.SERVE) == set()
    assert listed(store, View.ARCHIVED) == {archived}
    assert listed(store, View.WARNED) == set()  # nothing is near its due date yet
    assert listed(store, View.THIS_YEAR) == {fresh, waiting, consulting, signing, archived, other}
    # 我的待办: the handler's own cases in the handler's steps, not others', not the archived;
    # the case waiting for review is the reviewer's, then the signer's.
    assert listed(store, View.MINE, desk.handler) == {fresh, waiting, consulting}
    assert listed(store, View.MINE, desk.reviewer) == {signing}
    assert listed(store, View.MINE, desk.signer) == set()
    desk.do(actions.review, desk.reviewer, signing)
    assert listed(store, View.MINE, desk.reviewer) == set()
    assert listed(store, View.MINE, desk.signer) == {signing}
    assert listed(store, View.MINE) == set()  # nobody signed in: nobody's to-do list


def test_the_warned_view_and_my_deadlines(store: Store) -> None:
    desk = Desk.open(store)
    with store.session() as s:
        cal = deadlines.load_calendar(s)
    late = desk.register(received=cal.add_workdays(TODAY, -25))
    near = desk.register(received=cal.add_workdays(TODAY, -18))
    desk.register(received=TODAY)
    assert listed(store, View.WARNED) == {late, near}
    with store.session() as s:
        assert caselist.my_deadlines(s, me(desk.handler), TODAY) == (0, 1)
