"""The report's counting against the way it counted before: the same tables, checks, lists.

The tallies are now counted over four index ranges and packed into one number a case; before,
one GROUP BY summed every field over each case that touched the year. The reference below is
that earlier query, kept here word for word, and both must give the same report on a demo of
several thousand cases with the unusual ones added (closed before received, an outcome without
a date, voided, open for years, answered by a unit), for every year around them. The
statistics (stats.compute_stats) read the same index ranges now, and are compared with their
earlier query (every case not closed by the year's end) the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases.documents import report, report_snapshot, report_text, stats
from cases.documents.report import build, counting
from cases.documents.report.counting import (
    Tally,
    _bounds,
    _closed_in,
    _open_at_end,
    _open_at_start,
    _received_in,
)
from cases.sample import demo
from cases.storage.model import Applicant, Case
from cases.storage.store import Store
from tests.report_support import add_boundary_cases, generate_years

TODAY = dt.date(2026, 1, 20)
YEARS = range(2018, 2028)  # from before the first case to after the last
NEW = ("一、本年新收政府信息公开申请数量",)
CARRIED_IN = ("二、上年结转政府信息公开申请数量",)
CARRIED_OUT = ("四、结转下年度继续办理",)


def _as_int(expr: ColumnElement[bool]) -> Any:
    return func.sum(case((expr, 1), else_=0))


def old_tallies(
    session: Session, year: int, scope: ColumnElement[bool]
) -> dict[tuple[str, str | None], Tally]:
    """The report's counting before the index ranges: one pass over every case of year_scope."""
    _, last = _bounds(year)
    dateless = and_(
        Case.received <= last, Case.outcome_code.is_not(None), Case.outcome_on.is_(None)
    )
    stmt = (
        select(
            Applicant.type,
            Case.outcome_code,
            _as_int(_received_in(year)),
            _as_int(_open_at_start(year)),
            _as_int(_closed_in(year)),
            _as_int(_open_at_end(year)),
            _as_int(_open_at_start(year + 1)),
            _as_int(_open_at_end(year - 1)),
            _as_int(dateless),
            _as_int(and_(Case.demo.is_(True), or_(_received_in(year), _open_at_start(year)))),
        )
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(counting.not_voided(), scope, counting.year_scope(year))
        .group_by(Applicant.type, Case.outcome_code)
    )
    return {(kind, code): Tally(*(int(n) for n in ns)) for kind, code, *ns in session.execute(stmt)}


@pytest.fixture
def archive(store: Store) -> Store:
    """Five years of demo cases, generated years of plain cases, and the unusual ones."""
    with store.transaction() as session:
        demo.generate(session, 3000, seed=3, years=(2021, 2022, 2023, 2024, 2025), today=TODAY)
        generate_years(session, 17, 2019, 2025, 400)
        add_boundary_cases(session)
    return store


def old_numbers(
    session: Session, scope: ColumnElement[bool], rule: ColumnElement[bool]
) -> list[str]:
    """A cell's cases as the drill-down listed them before: the plain rule, in number order."""
    stmt = (
        select(Case.no)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(counting.not_voided(), scope, rule)
        .order_by(Case.no)
    )
    return list(session.scalars(stmt))


def _same(left: report.Report, right: report.Report) -> None:
    assert [r.values for r in left.rows] == [r.values for r in right.rows]
    assert left.table4 == right.table4
    assert left.checks == right.checks
    assert left.demo_cases == right.demo_cases


def test_tallies_and_report_match_the_earlier_counting(
    archive: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = 0
    with archive.session() as session:
        for body in (None, "长兴镇"):
            scope = report.body_scope(session, body)
            for year in YEARS:
                before = old_tallies(session, year, scope)
                now = counting._tallies(session, year, scope)
                # the earlier query also gave groups of zeros (cases only of later years)
                assert now == {k: t for k, t in before.items() if any(vars(t).values())}
                assert all(any(vars(t).values()) for t in now.values())
                with monkeypatch.context() as patched:
                    patched.setattr(build, "_tallies", old_tallies)
                    patched.setattr(build, "kept_tallies", lambda *_: None)  # count, on SQLite too
                    old = report.build_report(session, year, body=body)
                built = report.build_report(session, year, body=body)
                _same(built, old)
                # the drill-down and the snapshot find the open cases by index ranges now
                for path, rule in ((CARRIED_IN, _open_at_start), (CARRIED_OUT, _open_at_end)):
                    listed = report.cases_in_cell(session, year, path, "总计", body)
                    assert listed == old_numbers(session, scope, rule(year))
                    assert len(listed) == built.value(path, "总计")
                carried = [no for no, _ in report_snapshot._carried(session, built, year)]
                assert carried == old_numbers(session, scope, _open_at_end(year))
                # the report's text compares with last year's 一, now counted without its report
                last = report.build_report(session, year - 1, checks=False, body=body)
                had = any(t.received or t.closed or t.carried_out for t in last.tallies.values())
                expected = last.value(NEW, "总计") if had else None
                assert report_text._last_year_new(session, built) == expected
                if body is None:  # the statistics speak of the whole office
                    now_stats = stats.compute_stats(session, year)
                    with monkeypatch.context() as patched:
                        patched.setattr(stats, "touching", lambda _, y: counting.year_scope(y))
                        patched.setattr(stats, "unindexed", lambda column: column)
                        assert now_stats == stats.compute_stats(session, year)
                compared += bool(now)
    assert compared >= 14  # years with cases, for both bodies: the comparison saw real figures
    with archive.session() as session:
        failed = report.build_report(session, 2025).failed
    # and it saw failed checks naming cases: X01 closed before it was received, X02 undated
    assert "有办理结果的案件均有办结日期" in {c.rule for c in failed}
    assert {"X01", "X02"} <= {no for c in failed for no in c.cases}
