"""A case voided at the desk keeps the day, and the case view and its trail say it in Chinese."""

from __future__ import annotations

from sqlalchemy import select

from cases import actions
from cases.storage.model import Case
from cases.storage.store import Store
from cases.timing import deadlines
from cases.timing.dates import today
from gui import labels
from gui.detail_pages import build_pages
from tests.actions_support import Desk


def test_the_case_view_names_the_day_of_voiding(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register()
    desk.do(actions.void, desk.admin, no, reason="重复登记")
    with store.session() as s:
        case = s.scalars(select(Case).where(Case.no == no)).one()
        pages = build_pages(s, case.id, deadlines.load_calendar(s), today())
    assert pages is not None
    assert f"本案已作废（{labels.cn_date(today())}）：重复登记" in pages.case_html
    assert "作废日期" in pages.trail_html and "voided_on" not in pages.trail_html
