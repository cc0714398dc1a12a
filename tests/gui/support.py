"""Builders for the part-2 window tests: signed-in users made through the core's operation."""

from __future__ import annotations

from collections.abc import Iterable

from pytestqt.qtbot import QtBot

from cases.office import users
from cases.storage.model import User
from cases.storage.store import Store
from gui.mainwindow import DETAIL_JOB, MainWindow

PASSWORD = "correct horse 7"


def make_user(
    store: Store, username: str = "admin", roles: Iterable[str] = ("admin",), name: str = ""
) -> User:
    """A user created as the core creates one; the first is made without an actor."""
    with store.transaction() as s:
        actor = users.active_users(s)[0] if users.user_count(s) else None
        made = users.create_user(
            s,
            actor,
            username=username,
            display_name=name or username,
            roles=list(roles),
            password=PASSWORD,
        ).value
        s.flush()
        s.refresh(made)
        s.expunge(made)
    return made


def wait_case_view(qtbot: QtBot, window: MainWindow) -> None:
    """Wait for the case view of a new list's first row, which follows the list's paint."""
    qtbot.waitUntil(lambda: not window.after_paint.pending(DETAIL_JOB), timeout=5_000)
