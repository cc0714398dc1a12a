"""The window's start when the database server does not answer: a dialog offering to retry."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

import main
from cases import cli
from cases.storage.store import ServerUnreachable, Store, open_store
from gui import unreachable


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answer_dialog(button: str, seen: list[str]) -> None:
    """Click `button` in the retry dialog as soon as it is shown (it runs its own event loop)."""

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(widget.text())
                for candidate in widget.findChildren(QPushButton):
                    if candidate.text() == button:
                        candidate.click()
                        return
        QTimer.singleShot(10, look)

    QTimer.singleShot(0, look)


def failing(times: int, then: Callable[[], Store]) -> Callable[[], Store]:
    calls = {"n": 0}

    def opener() -> Store:
        calls["n"] += 1
        if calls["n"] <= times:
            raise ServerUnreachable(f"无法连接数据库服务器 db.example:5432（第{calls['n']}次）")
        return then()

    return opener


def test_retry_opens_the_database_once_the_server_answers(qtbot: QtBot, tmp_path: Path) -> None:
    seen: list[str] = []
    for _ in range(2):
        answer_dialog("重试", seen)
    store = unreachable.open_with_retry(failing(2, lambda: open_store(tmp_path / "a.sqlite")))
    try:
        assert store.path == tmp_path / "a.sqlite"
    finally:
        store.close()
    assert seen == [
        "无法连接数据库服务器 db.example:5432（第1次）",
        "无法连接数据库服务器 db.example:5432（第2次）",
    ]


def test_quitting_from_the_dialog_gives_the_same_line_and_status_as_the_command_line(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql+psycopg://desk:s3cret@127.0.0.1:{closed_port()}/disclosure"
    seen: list[str] = []
    answer_dialog("退出", seen)
    assert main.run(["--db", url]) == cli.FAILURE
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("无法连接数据库服务器 127.0.0.1:")
    assert seen == lines and "s3cret" not in lines[0]
