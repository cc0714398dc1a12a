"""A schema upgrade is told to the user before and after it runs; a new file is made at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

import main
from cases.storage import store as store_mod
from cases.storage.migrations import HEAD_REVISION


def at_revision(path: Path, revision: str) -> Path:
    """A new SQLite file migrated from nothing to `revision`."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(store_mod._alembic_config(conn), revision)
    engine.dispose()
    return path


def test_a_command_on_an_older_file_says_it_upgrades_and_when_it_is_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = at_revision(tmp_path / "old.sqlite", "0015")
    assert main.run(["--db", str(path), "db", "info"]) == 0
    said = capsys.readouterr()
    assert f"正在把数据库的表结构从版本 0015 升级到 {HEAD_REVISION}" in said.err
    assert f"表结构已升级到版本 {HEAD_REVISION}" in said.err
    assert f"表结构版本：{HEAD_REVISION}" in said.out
    # Opened again, it is current: nothing more is said.
    assert main.run(["--db", str(path), "db", "info"]) == 0
    assert "升级" not in capsys.readouterr().err


def test_the_upgrade_runs_through_the_callers_runner_and_a_new_file_does_not(
    tmp_path: Path,
) -> None:
    asked: list[str] = []

    def runner(current: str, upgrade: Callable[[], None]) -> None:
        asked.append(current)
        upgrade()

    fresh = store_mod.open_store(tmp_path / "new.sqlite", upgrading=runner)
    fresh.close()
    assert asked == []
    old = store_mod.open_store(at_revision(tmp_path / "old.sqlite", "0014"), upgrading=runner)
    try:
        assert asked == ["0014"]
        with old.engine.connect() as conn:
            assert store_mod._current_revision(conn) == HEAD_REVISION
    finally:
        old.close()


def test_a_runner_that_does_not_upgrade_leaves_the_file_at_its_revision(tmp_path: Path) -> None:
    path = at_revision(tmp_path / "old.sqlite", "0015")

    def refusing(current: str, upgrade: Callable[[], None]) -> None:
        raise store_mod.StoreError(f"不升级 {current}")

    with pytest.raises(store_mod.StoreError, match="不升级 0015"):
        store_mod.open_store(path, upgrading=refusing)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert store_mod._current_revision(conn) == "0015"
    engine.dispose()
