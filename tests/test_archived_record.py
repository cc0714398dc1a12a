"""An archived case refuses raw SQL on every column and every row that belongs to it (0010)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from cases import actions
from cases.storage.model import Applicant, Base, Case, Review
from cases.storage.store import Store
from tests.actions_support import DAY0
from tests.test_letters import make_case
from tests.test_record_protection import chained_desk, raw

WRITABLE = {"version", "updated_at"}  # raised by a review registered after archiving
REFUSED = "已归档的案件不可修改"


def child_tables() -> list[Table]:
    """Every table whose rows belong to one case, the append-only audit trail aside."""
    found = []
    for table in Base.metadata.sorted_tables:
        column = table.c.get("case_id")
        if table.name != "audit" and column is not None:
            assert any(fk.column.table.name == "cases" for fk in column.foreign_keys)
            found.append(table)
    return found


def sample(column: Any) -> Any:
    """A value of the column's type, for a row written only to be refused."""
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, Numeric):
        return Decimal(1)
    if isinstance(kind, DateTime):
        return dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)
    if isinstance(kind, Date):
        return dt.date(2025, 3, 3)
    if isinstance(kind, LargeBinary):
        return b"PK"
    return "x"


def different(column: Any, current: Any) -> Any:
    """A value of the column's type other than the current one (the trigger fires first)."""
    if isinstance(column.type, Boolean):
        return not current
    if isinstance(column.type, Integer | Numeric):
        return (current or 0) + 1000
    if isinstance(column.type, DateTime):
        return dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    if isinstance(column.type, Date):
        return dt.date(2001, 1, 1) if current != dt.date(2001, 1, 1) else dt.date(2002, 1, 1)
    return f"{current or ''}改"


def one_row(table: Table, case_id: int, item: str = "archive_test") -> dict[str, Any]:
    """The required columns of a row of the table on the case; `item` keeps checklist ticks
    apart."""
    values = {
        c.name: sample(c)
        for c in table.c
        if not c.primary_key and not c.nullable and not c.foreign_keys
    }
    values["case_id"] = case_id
    if table.name == "letters":
        values.update(kind="archive_test", status="draft", year=None, seq=None)
    if table.name == "case_checks":
        values["item"] = item
    return values


def add_one_row_each(store: Store, case_id: int) -> dict[str, int]:
    """One row of every child table on the case, before it is archived; their ids."""
    ids: dict[str, int] = {}
    with store.engine.begin() as conn:
        for table in child_tables():
            row = one_row(table, case_id)
            ids[table.name] = conn.execute(insert(table).values(row)).inserted_primary_key[0]
    return ids


def archive(store: Store, case_id: int) -> None:
    raw(store, f"UPDATE cases SET archived_at = CURRENT_TIMESTAMP WHERE id = {case_id}")


def refused(store: Store, sql: str, **params: Any) -> None:
    with pytest.raises(DBAPIError, match=REFUSED), store.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_every_column_of_an_archived_case_is_fixed_but_its_version(store: Store) -> None:
    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    archive(store, case_id)
    with store.engine.connect() as conn:
        before = conn.execute(select(Case.__table__).where(Case.id == case_id)).one()._asdict()
    table: Table = Case.__table__  # type: ignore[assignment]
    for column in table.c:
        if column.name in WRITABLE:
            continue
        value = different(column, before[column.name])
        refused(store, f"UPDATE cases SET {column.name} = :v WHERE id = :id", v=value, id=case_id)
        if column.nullable and before[column.name] is not None:
            refused(store, f"UPDATE cases SET {column.name} = NULL WHERE id = {case_id}")
    raw(store, f"UPDATE cases SET version = version + 1 WHERE id = {case_id}")
    with store.engine.connect() as conn:
        after = conn.execute(select(Case.__table__).where(Case.id == case_id)).one()._asdict()
    assert after["version"] == before["version"] + 1
    assert {k: v for k, v in after.items() if k not in WRITABLE} == {
        k: v for k, v in before.items() if k not in WRITABLE
    }


def test_every_row_of_an_archived_case_is_fixed(store: Store) -> None:
    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    ids = add_one_row_each(store, case_id)
    for name, row_id in ids.items():  # an open case's rows still change
        if name != "reviews":
            raw(store, f"UPDATE {name} SET id = id WHERE id = {row_id}")
    archive(store, case_id)
    assert {t.name for t in child_tables()} >= {"letters", "service_records", "approvals"}
    for table in child_tables():
        if table.name == "reviews":
            continue
        row_id = ids[table.name]
        column = next(c.name for c in table.c if not c.primary_key and c.name != "case_id")
        refused(store, f'UPDATE {table.name} SET "{column}" = "{column}" WHERE id = {row_id}')
        refused(store, f"DELETE FROM {table.name} WHERE id = {row_id}")
        refused(store, f"DELETE FROM {table.name} WHERE case_id = {case_id}")


def test_an_archived_cases_review_goes_on_but_its_facts_stay(store: Store) -> None:
    desk, no = chained_desk(store)
    served = DAY0 + dt.timedelta(days=10)
    desk.close(no, "disclose_public", ["website"], served, served)
    review = desk.do(actions.add_review, desk.handler, no, kind="reconsideration", filed=served)
    case = desk.case(no)
    assert case.archived_at is not None
    desk.do(
        actions.record_answer_notice,
        desk.handler,
        no,
        review_id=review.id,
        notice_on=served + dt.timedelta(days=2),
    )
    decided = served + dt.timedelta(days=30)
    desk.do(
        actions.record_review_result,
        desk.handler,
        no,
        review_id=review.id,
        result="upheld",
        decided=decided,
    )
    with store.session() as s:
        stored = s.get(Review, review.id)
        assert stored is not None and stored.result == "upheld" and stored.decided == decided
        assert s.get(Case, case.id).version > case.version  # type: ignore[union-attr]
    refused(store, f"UPDATE reviews SET kind = 'litigation_direct' WHERE id = {review.id}")
    refused(store, f"UPDATE reviews SET filed = :d WHERE id = {review.id}", d=DAY0)
    refused(store, f"UPDATE reviews SET result = 'corrected' WHERE id = {review.id}")
    refused(store, f"UPDATE reviews SET decided = NULL WHERE id = {review.id}")
    refused(store, f"DELETE FROM reviews WHERE id = {review.id}")


def test_the_applicant_of_an_archived_case_is_fixed(store: Store) -> None:
    with store.transaction() as session:
        case = make_case(session, "disclose")
        case_id, applicant_id = case.id, case.applicant_id
        spare = Applicant(type="natural_person", name="未归档的申请人")
        session.add(spare)
        session.flush()
        spare_id = spare.id
    archive(store, case_id)
    refused(store, f"UPDATE applicants SET name = '改名' WHERE id = {applicant_id}")
    refused(store, f"DELETE FROM applicants WHERE id = {applicant_id}")
    raw(store, f"UPDATE applicants SET name = '可以改' WHERE id = {spare_id}")
    raw(store, f"DELETE FROM applicants WHERE id = {spare_id}")


def test_revision_0010_goes_down_to_the_columns_of_0003_and_up_again(store: Store) -> None:
    from alembic import command

    from cases.storage import store as store_mod

    with store.transaction() as session:
        case_id = make_case(session, "disclose").id
    archive(store, case_id)
    body = f"UPDATE cases SET body = '某单位' WHERE id = {case_id}"
    try:
        with store.engine.begin() as conn:
            command.downgrade(store_mod._alembic_config(conn), "0009")
        raw(store, body)  # the hole this revision closes
        refused(store, f"UPDATE cases SET outcome_code = 'not_held' WHERE id = {case_id}")
    finally:
        with store.engine.begin() as conn:
            command.upgrade(store_mod._alembic_config(conn), "head")
    refused(store, f"UPDATE cases SET body = NULL WHERE id = {case_id}")


def test_postgresql_refuses_truncate_of_issued_letters_and_archived_rows(store: Store) -> None:
    if store.is_sqlite:
        pytest.skip("SQLite has no TRUNCATE; DELETE fires the row triggers")
    from tests.test_letters import issue

    with store.transaction() as session:
        case = make_case(session, "disclose")
        case_id = case.id
        issue(session, case, "reply")
    refused_letter = "已发文的文书"
    with pytest.raises(DBAPIError, match=refused_letter), store.engine.begin() as conn:
        conn.execute(text("TRUNCATE letters CASCADE"))
    archive(store, case_id)
    for table in ("fees", "consultations", "corrections", "applicants", "cases"):
        refused(store, f"TRUNCATE {table} CASCADE")
    raw(store, "TRUNCATE search_records")  # no archived case has rows there: nothing to keep
    with store.engine.begin() as conn:  # still all there
        assert conn.execute(text(f"SELECT count(*) FROM fees WHERE case_id = {case_id}")).scalar()
