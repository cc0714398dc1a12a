"""Shared fixtures: an isolated data folder, a migrated store on SQLite (and PostgreSQL in CI)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cases.storage.model import Base
from cases.storage.store import Store, open_store
from tests.support import PG_ENV, pg_url, reset_pg_schema


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # GUI tests are marked by where they live, so `pytest -m "not gui"` runs the core alone.
    for item in items:
        if "tests/gui/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data and cache folders and no inherited database choice."""
    home = tmp_path / "home"
    monkeypatch.setenv("DISCLOSURE_DESK_HOME", str(home))
    monkeypatch.setenv("DISCLOSURE_DESK_CACHE", str(tmp_path / "cache"))  # the parsed handbook
    monkeypatch.delenv("DISCLOSURE_DESK_DB", raising=False)
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per session; each test copies the file (much faster than migrating again)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_store(path).close()
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    url = pg_url()
    if url is None:
        pytest.skip(f"{PG_ENV} is not set")
    reset_pg_schema(url)
    open_store(url).close()
    return url


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(pg_url() is None, reason=f"{PG_ENV} is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "cases.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        opened = open_store(path)
    else:
        url = request.getfixturevalue("pg_migrated")
        opened = open_store(url)
        names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        with opened.engine.begin() as conn:
            # The record-protection triggers (revision 0003) refuse TRUNCATE of the audit trail;
            # replica mode, open to the superuser the tests connect as, skips them.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    """A migrated SQLite file only, for what concerns the file itself (backups, WAL, crashes)."""
    path = tmp_path / "cases.sqlite"
    shutil.copy(sqlite_template, path)
    opened = open_store(path)
    yield opened
    opened.close()
