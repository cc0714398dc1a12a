"""The report from the totals SQLite keeps (revision 0014) against counting the cases themselves.

A demo of ten years, plain generated years and the unusual cases, answered by two bodies; then
every kind of write the totals must follow: through the ORM and by plain SQL, dates moved across
a year's end, outcomes set, moved and cleared, cases voided and restored, an applicant's type
changed, a case moved to another applicant or body, deletes, and a bulk import. After each, every
year's tallies and whole report (checks included) must be what counting the cases gives, and the
kept rows what a recount gives.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.orm import Session

import main
from cases.documents import report, report_text
from cases.documents.report import counting, kept
from cases.sample import demo
from cases.storage import totals
from cases.storage.model import Case, Review
from cases.storage.store import Store, open_store
from tests.report_support import D, add_boundary_cases, generate_years
from tests.support import pg_url, reset_pg_schema

TODAY = dt.date(2026, 1, 20)
DEMO_YEARS = tuple(range(2016, 2026))
YEARS = range(2014, 2028)  # from before the first case to after the last
BODIES = (None, "长兴镇")
UNARCHIVED = "id NOT IN (SELECT applicant_id FROM cases WHERE archived_at IS NOT NULL)"
OPEN_FILE = "case_id IN (SELECT id FROM cases WHERE archived_at IS NULL)"
KINDS_OF_REVIEW = ("reconsideration", "litigation_direct", "litigation_after_review")


@pytest.fixture
def archive(sqlite_store: Store) -> Store:
    """Ten years of demo cases, generated years of plain cases, and the unusual ones."""
    with sqlite_store.transaction() as session:
        demo.generate(session, 4000, seed=11, years=DEMO_YEARS, today=TODAY)
        for i, made in enumerate(generate_years(session, 29, 2016, 2025, 600)):
            made.body = "长兴镇" if i % 3 == 0 else None
        add_boundary_cases(session)
    return sqlite_store


def assert_same_as_counting(store: Store) -> int:
    """Every year and body: the kept tallies, and the report built from them, are what counting
    the cases gives; the kept rows are a recount's. Returns how many years had figures."""
    seen = 0
    with store.session() as session:
        assert totals.differences(session) == []
        for body in BODIES:
            scope = report.body_scope(session, body)
            for year in YEARS:
                counted = counting._tallies(session, year, scope)
                assert kept.kept_tallies(session, year, body) == counted, (year, body)
                reviews = counting._review_counts(session, year, scope)
                assert kept.kept_review_counts(session, year, body) == reviews, (year, body)
                assert_same_report(session, year, body)
                seen += bool(counted)
    return seen


def assert_same_report(session: Session, year: int, body: str | None) -> None:
    built = report.build_report(session, year, body=body)
    text = report_text.figures(session, built)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(totals, "kept", lambda _: False)  # count, as on PostgreSQL
        counted = report.build_report(session, year, body=body)
        counted_text = report_text.figures(session, counted)
    assert [r.values for r in built.rows] == [r.values for r in counted.rows]
    assert built.tallies == counted.tallies
    assert built.checks == counted.checks
    assert built.table4 == counted.table4
    assert text == counted_text  # last year's 一, the units that received most, …


def editable(session: Session) -> list[Case]:
    """Cases a desk may still change (an archived one is read-only), in number order."""
    stmt = select(Case).where(Case.archived_at.is_(None)).order_by(Case.no)
    return list(session.scalars(stmt))


def test_the_kept_totals_follow_every_kind_of_write(archive: Store, tmp_path: Path) -> None:
    assert assert_same_as_counting(archive) >= 20  # both bodies saw real figures for many years

    with archive.transaction() as session:  # through the ORM
        cases = editable(session)
        assert len(cases) > 400
        for i, case in enumerate(cases[:400]):
            step = i % 10
            if step == 0:  # across a year's end, both ways
                case.received = D(case.received.year, 12, 31) if i % 20 else D(2025, 1, 1)
            elif step == 1 and case.outcome_on is None:
                case.outcome_code, case.outcome_on = "disclose", D(case.received.year + 1, 1, 2)
            elif step == 1:  # cleared
                case.outcome_code, case.outcome_on = None, None
            elif step == 2 and case.outcome_on is not None:  # the outcome into the next year
                case.outcome_on = D(case.outcome_on.year + 1, 1, 1)
            elif step == 3:
                case.voided = not case.voided
            elif step == 4:
                case.body = None if case.body else "长兴镇"
            elif step == 5:
                case.applicant.type = "legal_service" if i % 20 else "natural_person"
            elif step == 6:
                case.applicant = cases[i + 1].applicant
            elif step == 7:
                case.demo = not case.demo
            elif step == 8 and case.outcome_on is not None:  # a code, its date gone
                case.outcome_on = None
            elif step == 9:
                case.outcome_code = "no_such_code" if case.outcome_code else None
        reviewed = [c for c in cases if c.reviews]
        assert len(reviewed) > 24
        for i, case in enumerate(reviewed[:24]):
            review = case.reviews[0]
            step = i % 8
            if step == 0:  # decided across a year's end, with a result
                review.decided, review.result = D(review.filed.year + 1, 1, 1), "corrected"
            elif step == 1:  # undecided again
                review.decided, review.result = None, None
            elif step == 2:
                review.kind = "litigation_direct"
            elif step == 3:
                review.filed = D(review.filed.year - 1, 12, 31)
            elif step == 4:  # onto another case
                review.case = reviewed[i + 1]
            elif step == 5:
                case.voided = not case.voided
            elif step == 6:
                case.body = None if case.body else "长兴镇"
            else:
                case.reviews.remove(review)
        for i, case in enumerate(cases[300:340]):  # new reviews, some decided in a later year
            decided = D(2025, 1, 5) if i % 2 else None
            result = "upheld" if decided else None
            kind = KINDS_OF_REVIEW[i % 3]
            case.reviews.append(
                Review(kind=kind, filed=D(2024, 12, 30), result=result, decided=decided)
            )
        gone = [c for c in cases[400:] if c.no.startswith("G29-")][:30]
        assert len(gone) == 30
        for case in gone:
            session.delete(case)
    assert assert_same_as_counting(archive) >= 20

    with archive.transaction() as session:  # by plain SQL, behind the ORM
        for statement in (
            "UPDATE cases SET received = '2023-12-31' WHERE id % 13 = 1 AND archived_at IS NULL",
            "UPDATE cases SET outcome_on = NULL WHERE id % 17 = 2 AND archived_at IS NULL",
            "UPDATE cases SET voided = 1 - voided WHERE id % 19 = 3 AND archived_at IS NULL",
            "UPDATE cases SET body = '长兴镇' WHERE id % 23 = 4 AND archived_at IS NULL",
            f"UPDATE applicants SET type = 'research' WHERE id % 7 = 5 AND {UNARCHIVED}",
            f"UPDATE applicants SET type = type WHERE id % 7 = 6 AND {UNARCHIVED}",  # the same
            f"UPDATE reviews SET decided = '2024-12-31', result = 'other' WHERE id % 5 = 1 "
            f"AND {OPEN_FILE}",
            f"UPDATE reviews SET decided = NULL WHERE id % 5 = 2 AND {OPEN_FILE}",
            f"UPDATE reviews SET filed = '2025-01-01' WHERE id % 5 = 3 AND {OPEN_FILE}",
            f"DELETE FROM reviews WHERE id % 9 = 4 AND {OPEN_FILE}",
            "UPDATE cases SET voided = 1 - voided, body = '长兴镇' WHERE id % 3 = 0 "
            "AND archived_at IS NULL AND id IN (SELECT case_id FROM reviews)",
        ):
            changed = session.connection().execute(text(statement))
            assert changed.rowcount > 0, statement
    assert assert_same_as_counting(archive) >= 20

    source = tmp_path / "import.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in imported()))
    assert main.run(["--db", str(archive.target.path), "import", str(source)]) == 0
    with archive.session() as session:
        assert session.scalar(select(Case.id).where(Case.no == "IMP-0059")) is not None
    assert assert_same_as_counting(archive) >= 20


KINDS = ("enterprise", "natural_person", "other_org")
PENDING = {"kind": "reconsideration", "filed": "2025-02-01", "result": None, "decided": None}
REQUEST = {"description": "申请公开某地块征收补偿方案", "form": "paper", "delivery": "post"}


def imported() -> list[dict[str, Any]]:
    """Sixty cases for a bulk import: over a year's end, closed, open, voided, another body."""
    rows = []
    for i in range(60):
        received = D(2024, 12, 20) + dt.timedelta(days=i % 25)
        closed = i % 4 != 0
        on = received + dt.timedelta(days=10 + i % 7)
        applicant = {"type": KINDS[i % 3], "name": f"导入申请人{i % 20}"}
        rows.append(
            {
                "no": f"IMP-{i:04d}",
                "received": received.isoformat(),
                "channel": "in_person",
                "applicant": applicant,
                "request": REQUEST,
                "body": "长兴镇" if i % 5 == 0 else None,
                "events": [],
                "outcome": {"code": "disclose", "on": on.isoformat(), "note": ""}
                if closed
                else None,
                "voided": {"on": "2025-01-20", "reason": "重复登记"} if i % 11 == 0 else None,
                "reviews": [PENDING] if i % 6 == 1 else [],
            }
        )
    return rows


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def between(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """Where the file goes before it comes back: nowhere, or a server, which keeps no totals."""
    if request.param == "sqlite":
        return None
    base = pg_url()
    if base is None:
        pytest.skip("DISCLOSURE_DESK_TEST_PG is not set")
    url = make_url(base)
    url = url.set(database=f"{url.database}_kept")
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": url.database}).first()  # fmt: skip
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    reset_pg_schema(rendered)
    return rendered


def test_a_copy_of_the_database_counts_each_case_once(
    archive: Store, between: str | None, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite"
    source = str(archive.target.path)
    if between is not None:  # to the server and back: the file's triggers count it again
        assert main.run(["db", "copy", source, between]) == 0
        source = between
    assert main.run(["db", "copy", source, str(copy)]) == 0
    copied = open_store(copy, must_exist=True)
    try:
        with copied.session() as session, archive.session() as original:
            assert totals.differences(session) == []
            for year in (2016, 2025):
                for rows in (totals.cases_of_year, totals.reviews_of_year):
                    assert sorted(rows(session, year), key=repr) == sorted(
                        rows(original, year), key=repr
                    )
                assert_same_report(session, year, None)
    finally:
        copied.close()
