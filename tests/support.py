"""Helpers shared by test modules (not fixtures): the PostgreSQL test database."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

PG_ENV = "DISCLOSURE_DESK_TEST_PG"


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def reset_pg_schema(url: str) -> None:
    """Drop everything in the test database: the next open_store migrates from empty."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
