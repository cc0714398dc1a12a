"""Alembic revisions of the case database, shipped inside the package and run from code."""
