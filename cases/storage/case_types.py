"""The copy of each applicant's type kept on its cases (revision 0015): checking it for `verify`.

The database keeps `cases.applicant_type` equal to the type of the case's applicant by triggers
on both backends; only a trigger dropped or disabled behind the program's back can leave a copy
behind, and then the list sorted by 申请人类型 would place that case under the wrong type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cases.storage.model import CASE_TYPE, Applicant, Case


@dataclass(frozen=True)
class Stale:
    """Cases whose kept type is not their applicant's: how many, and the first of them."""

    count: int
    case_id: int
    case_no: str
    kept: str | None
    actual: str


def on_file(conn: Connection) -> bool:
    """Whether the connection's cases have the column (a file written without migrating may
    be older): the writers that know a case's type give it with the row, so that SQLite's
    trigger only compares (writing it after the insert cost an import 0.46 s of CPU for 10,000
    cases)."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT count(*) FROM pragma_table_info('cases') WHERE name = 'applicant_type'"
    else:
        sql = (
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = 'cases' AND column_name = 'applicant_type'"
        )
    return bool(conn.exec_driver_sql(sql).scalar())


def without_type(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Case rows for a file without the column."""
    return [{k: v for k, v in row.items() if k != "applicant_type"} for row in rows]


def kept(session: Session) -> bool:
    """Whether the session's cases keep the copy: revision 0015 or later."""
    return on_file(session.connection())


def stale(session: Session) -> Stale | None:
    """The cases whose copy differs from their applicant's type (one read of every case)."""
    differs = CASE_TYPE.is_distinct_from(Applicant.type)
    joined = select(Case.id).join(Applicant, Applicant.id == Case.applicant_id).where(differs)
    count = session.scalar(select(func.count()).select_from(joined.subquery())) or 0
    if not count:
        return None
    first = session.execute(
        select(Case.id, Case.no, CASE_TYPE, Applicant.type)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(differs)
        .order_by(Case.id)
        .limit(1)
    ).one()
    return Stale(count, first[0], first[1], first[2], first[3])
