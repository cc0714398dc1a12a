"""The year of a date column as one SQL expression, spelt alike by the indexes and the queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["POSTGRESQL_SQL", "SQLITE_SQL", "year_of"]

# A database uses an index on an expression only for that same expression, so the migration
# (revision 0013) writes these texts and the queries compile year_of to them.
SQLITE_SQL = "CAST(substr({}, 1, 4) AS INTEGER)"  # dates are stored as YYYY-MM-DD text
POSTGRESQL_SQL = "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)"


# Lower case: it reads as the SQL function it compiles to, in a statement.
class year_of(FunctionElement[int]):
    """The calendar year of a date column, as an integer."""

    type = Integer()
    name = "year_of"
    inherit_cache = True


@compiles(year_of, "sqlite")
def _sqlite(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return SQLITE_SQL.format(compiler.process(element.clauses, **kw))


@compiles(year_of)
def _other(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return POSTGRESQL_SQL.format(compiler.process(element.clauses, **kw))
