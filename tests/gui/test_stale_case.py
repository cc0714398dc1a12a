"""A desk acting on a case view that another desk has since changed is told so (issue 13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cases import actions
from cases.storage.model import AuditRecord, Case, Letter
from cases.storage.store import Store
from gui.mainwindow import MainWindow
from tests.actions_support import Desk
from tests.test_letters_workflow import proposed

TODAY = dt.date.today()


@pytest.fixture
def desk(store: Store) -> Desk:
    return Desk.open(store)


@pytest.fixture
def window(desk: Desk, qtbot: QtBot) -> Iterator[MainWindow]:
    win = MainWindow(desk.store, user=desk.handler, today=lambda: TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.model.wait()
    win.runner.wait()


def audit_count(store: Store) -> int:
    with store.session() as s:
        return len(s.scalars(select(AuditRecord.id)).all())


def test_a_stale_case_view_is_refused_reloaded_and_explained(
    desk: Desk, window: MainWindow, qtbot: QtBot
) -> None:
    no = desk.register(TODAY)
    case_id = desk.case(no).id
    window.detail.show_case(case_id)
    assert window.detail.stepper.current_name() == "登记"
    window.detail.action_row.button("转入审核").click()
    dialog = window.detail.dialog
    assert dialog is not None and dialog.isVisible()

    # Meanwhile a colleague at another desk (the reviewer, signed in there) moves the case on.
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.advance, desk.handler, no, "assign")
    written = audit_count(desk.store)

    dialog.ok.click()
    assert not dialog.isVisible()  # the form was about the case as it was
    assert audit_count(desk.store) == written  # nothing written
    assert desk.case(no).step == "assign"
    assert window.detail.stepper.current_name() == "分办"  # the view shows the case as it is
    said = window.last_message
    assert said.startswith("转入审核未执行：") and f"案件{no}已由王承办于" in said
    assert "请查看案件的最新情况后再操作" in said
    assert "转入审核" not in window.detail.offer_texts()  # offered as the case is now


def test_the_view_expects_the_version_it_shows(desk: Desk, window: MainWindow) -> None:
    no = desk.register(TODAY)
    window.detail.show_case(desk.case(no).id)
    with desk.store.session() as s:
        version = s.scalars(select(Case.version).where(Case.no == no)).one()
    assert window.detail._version == version
    desk.do(actions.advance, desk.handler, no, "check")
    window.detail.refresh()
    assert window.detail._version == version + 1


def test_the_letters_tab_is_refused_on_a_stale_view_too(
    desk: Desk, window: MainWindow, qtbot: QtBot
) -> None:
    no = proposed(desk)
    window.detail.show_case(desk.case(no).id)
    letters = window.detail.letters
    letters.open_url = lambda _url: True  # no word processor here
    letters.kind.setCurrentIndex(letters.kind.findData("reply"))
    desk.do(actions.draft, desk.handler, no, "reply")  # another desk drafts the reply first
    letters.draft()
    assert f"生成初稿未执行：案件{no}已由王承办于" in window.last_message
    assert letters.opened == []
    with desk.store.session() as s:
        assert len(s.scalars(select(Letter.id)).all()) == 1  # only the other desk's draft
    letters.draft()  # the view has reloaded: now it goes through
    assert len(letters.opened) == 1
