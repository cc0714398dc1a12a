"""The window asks before creating a database where there is none (issue 13, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import main
from cases import cli
from cases.storage.store import Store
from gui import newdatabase
from tests.gui.test_unreachable import answer_dialog


def never(path: Path) -> bool:
    raise AssertionError(f"asked about {path}")


def test_quitting_at_a_mistyped_path_creates_nothing(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "offcie" / "cases.sqlite"
    seen: list[str] = []
    answer_dialog(newdatabase.QUIT, seen)
    assert main.run(["--db", str(typo)]) == cli.FAILURE
    assert len(seen) == 1 and str(typo) in seen[0] and "也不存在" in seen[0]
    assert capsys.readouterr().err.strip() == f"未新建数据库 {typo}，程序未打开"
    assert not (tmp_path / "offcie").exists()


def test_creating_is_an_explicit_choice(qtbot: QtBot, tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite"
    seen: list[str] = []
    answer_dialog(newdatabase.CREATE, seen)
    assert newdatabase.may_open(str(new)) is None  # the window goes on to create it
    assert seen and "也不存在" not in seen[0]  # the folder is there; only the file is new
    assert not new.exists()  # asking writes nothing


def test_an_empty_file_counts_as_no_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert newdatabase.may_open(str(empty), ask=lambda _p: False) == empty


def test_an_existing_database_and_the_default_file_open_without_a_question(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert newdatabase.may_open(str(sqlite_store.path), ask=never) is None
    assert newdatabase.may_open(None, ask=never) is None  # the data folder's own cases.sqlite
    monkeypatch.setenv("DISCLOSURE_DESK_DB", str(tmp_path / "typo.sqlite"))
    assert newdatabase.may_open(None, ask=lambda _p: False) == tmp_path / "typo.sqlite"
    assert newdatabase.may_open("postgresql+psycopg://desk@db/office", ask=never) is None
