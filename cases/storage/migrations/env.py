"""Alembic environment: runs on the connection that cases.storage.store hands over."""

from __future__ import annotations

from alembic import context

from cases.storage.model import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
