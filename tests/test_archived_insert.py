"""No row is added to an archived case by raw SQL but a review or an audit record (0011).

Import, the demo and `db copy` write an archived case's rows before its archive mark, so that
they still work and leave what they left before.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import TextClause

from cases import actions
from cases.actions.imports import import_file, import_file_in_steps
from cases.sample import demo
from cases.storage import dbcopy
from cases.storage.model import AuditRecord, Case, Consultation, Review, ServiceRecord
from cases.storage.store import Store, open_store
from tests.actions_support import DAY0, Desk
from tests.test_archived_record import REFUSED, add_one_row_each, archive, child_tables, one_row
from tests.test_letters import make_case
from tests.test_record_protection import chained_desk, raw

AFTER_THE_FILE = {"reviews"}  # 复议 and 诉讼 are registered after archiving; audit is apart
TODAY = dt.date(2026, 11, 27)


def closed_tables() -> list[Table]:
    return [t for t in child_tables() if t.name not in AFTER_THE_FILE]


def insert(table: Table, values: dict[str, Any]) -> TextClause:
    """INSERT INTO … VALUES as typed by hand, its values bound by the columns' types."""
    names = list(values)
    columns = ", ".join(f'"{n}"' for n in names)
    slots = ", ".join(f":v{i}" for i in range(len(names)))
    return text(f"INSERT INTO {table.name} ({columns}) VALUES ({slots})").bindparams(
        *(bindparam(f"v{i}", values[n], type_=table.c[n].type) for i, n in enumerate(names))
    )


def refused(store: Store, statement: TextClause | str) -> None:
    with pytest.raises(DBAPIError, match=REFUSED), store.engine.begin() as conn:
        conn.execute(text(statement) if isinstance(statement, str) else statement)


def rows_of(store: Store, table: Table, case_id: int) -> int:
    with store.engine.connect() as conn:
        count = select(func.count()).select_from(table).where(table.c.case_id == case_id)
        return int(conn.execute(count).scalar_one())


def test_the_revision_closes_every_table_of_a_case_but_reviews_and_audit() -> None:
    revision = import_module("cases.storage.migrations.versions.0011_archived_no_insert")
    assert set(revision.CLOSED_TABLES) == {t.name for t in closed_tables()}
    assert {"letters", "approvals", "search_records", "service_records", "fees"} <= set(
        revision.CLOSED_TABLES
    )


def test_no_row_is_added_to_an_archived_case(store: Store) -> None:
    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    add_one_row_each(store, case_id)  # an open case takes a row in every table
    with store.engine.begin() as conn:
        for table in child_tables():
            conn.execute(insert(table, one_row(table, case_id, item="second")))
    archive(store, case_id)
    for table in closed_tables():
        before = rows_of(store, table, case_id)
        refused(store, insert(table, one_row(table, case_id, item="third")))
        assert rows_of(store, table, case_id) == before, table.name


def test_no_row_is_moved_onto_an_archived_case(store: Store) -> None:
    with store.transaction() as session:
        archived_id = make_case(session, "disclose").id
        open_id = make_case(session, "disclose").id
    ids = add_one_row_each(store, open_id)
    archive(store, archived_id)
    for table in closed_tables():
        row_id = ids[table.name]
        refused(store, f"UPDATE {table.name} SET case_id = {archived_id} WHERE id = {row_id}")
        raw(store, f"UPDATE {table.name} SET case_id = {open_id} WHERE id = {row_id}")


def test_a_review_and_its_audit_records_still_go_on_an_archived_case(store: Store) -> None:
    desk, no = chained_desk(store)
    served = DAY0 + dt.timedelta(days=10)
    desk.close(no, "disclose_public", ["website"], served, served)
    case = desk.case(no)
    assert case.archived_at is not None
    audit_table: Table = AuditRecord.__table__  # type: ignore[assignment]
    trail = rows_of(store, audit_table, case.id)
    desk.do(actions.add_review, desk.handler, no, kind="reconsideration", filed=served)
    assert rows_of(store, audit_table, case.id) > trail
    reviews: Table = Review.__table__  # type: ignore[assignment]
    suit = {"case_id": case.id, "kind": "litigation_direct", "filed": served}
    with store.engine.begin() as conn:
        conn.execute(insert(reviews, suit))
    assert len(desk.case(no).reviews) == 2


def closed_record(no: str) -> dict[str, Any]:
    """A case answered and under review in another system: it arrives archived, with events."""
    return {
        "no": no, "received": "2025-03-03", "channel": "in_person",
        "applicant": {"type": "natural_person", "name": "赵六"},
        "request": {"description": "某路拓宽的征收补偿方案", "form": "paper", "delivery": "post"},
        "events": [{"kind": "consultation", "party": "agency", "to": "区规划资源局",
                    "sent": "2025-03-04", "replied": "2025-03-10"}],
        "outcome": {"code": "disclose", "on": "2025-03-20", "note": ""},
        "reviews": [{"kind": "reconsideration", "filed": "2025-04-01"}],
    }  # fmt: skip


@pytest.mark.parametrize("in_steps", [False, True], ids=["one-transaction", "staged"])
def test_an_import_of_archived_cases_writes_their_rows_then_the_mark(
    store: Store, tmp_path: Path, in_steps: bool
) -> None:
    desk = Desk.open(store)
    path = tmp_path / "closed.jsonl"
    lines = [json.dumps(closed_record(f"X-{i}"), ensure_ascii=False) for i in range(3)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if in_steps:
        assert import_file_in_steps(store, desk.admin, path).value.written == 3
    else:
        with store.transaction() as session:
            assert import_file(session, desk.admin, path).value.written == 3
    with store.session() as session:
        imported = session.scalars(select(Case).where(Case.no.like("X-%"))).all()
        assert len(imported) == 3
        for case in imported:
            # One moment for the three, as when the mark went in with the row.
            assert case.archived_at is not None
            assert case.archived_at == case.created_at == case.updated_at
            assert len(case.consultations) == 1 and len(case.reviews) == 1
    consultations: Table = Consultation.__table__  # type: ignore[assignment]
    refused(store, insert(consultations, one_row(consultations, imported[0].id)))


def test_the_demo_writes_archived_cases_with_their_rows(store: Store) -> None:
    with store.transaction() as session:
        demo.generate(session, 60, today=TODAY)
    with store.session() as session:
        archived = session.scalars(select(Case).where(Case.archived_at.is_not(None))).all()
        assert len(archived) > 20
        assert any(c.services for c in archived) and any(c.approvals for c in archived)
        # updated_at as the demo planned it, not the moment the mark was set (after TODAY).
        assert all(c.updated_at.date() <= TODAY for c in archived)
        assert all(c.archived_at.date() <= TODAY for c in archived)  # type: ignore[union-attr]
        target = archived[0].id
    services: Table = ServiceRecord.__table__  # type: ignore[assignment]
    refused(store, insert(services, one_row(services, target)))


def every_row(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        return {
            t.name: [
                tuple(dbcopy._utc(v) for v in row)
                for row in conn.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in dbcopy.tables()
        }


def test_db_copy_of_archived_cases_is_row_for_row_the_same(store: Store, tmp_path: Path) -> None:
    with store.transaction() as session:
        demo.generate(session, 60, today=TODAY)
        archived = session.scalar(
            select(func.count()).select_from(Case).where(Case.archived_at.is_not(None))
        )
    assert archived
    target = open_store(tmp_path / "copy.sqlite")
    try:
        assert dbcopy.copy_database(store, target).ok
        assert every_row(target) == every_row(store)
        with target.session() as session:
            case = session.scalars(select(Case).where(Case.archived_at.is_not(None))).first()
            assert case is not None
            case_id = case.id
        services: Table = ServiceRecord.__table__  # type: ignore[assignment]
        refused(target, insert(services, one_row(services, case_id)))
    finally:
        target.close()


def test_revision_0011_goes_down_to_an_open_insert_and_up_again(store: Store) -> None:
    from alembic import command

    from cases.storage import store as store_mod

    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    archive(store, case_id)
    services: Table = ServiceRecord.__table__  # type: ignore[assignment]
    try:
        with store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), "0010")
        with store.engine.begin() as conn:  # the hole this revision closes
            conn.execute(insert(services, one_row(services, case_id)))
        refused(store, f"DELETE FROM service_records WHERE case_id = {case_id}")  # 0010 stays
    finally:
        with store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    refused(store, insert(services, one_row(services, case_id)))
    assert rows_of(store, services, case_id) == 1
