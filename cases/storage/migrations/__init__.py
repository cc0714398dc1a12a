"""Alembic revisions of the case database, shipped inside the package and run from code."""

# The newest revision. Opening a database at this revision needs no Alembic at all; a test checks
# that it names the head of versions/, so a new revision must update it.
HEAD_REVISION = "0016"
