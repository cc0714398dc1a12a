"""A searched list by date of receipt from the index's end (SQLite) is the plain filter's list."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.query import caselist, search
from cases.query.caselist import CaseQuery
from cases.sample import demo
from cases.storage.model import Applicant, Case
from cases.storage.store import Store, open_store

TODAY = dt.date(2026, 11, 27)
LATE = "迟登记测试"  # in cases registered in turn and in cases registered days later
OLD = "旧档案导入测试"  # in an import of old cases, registered last of all


def add_case(session: Session, received: dt.date, description: str, name: str) -> int:
    case = Case(
        no=f"X-{received.isoformat()}-{random.random():.9f}", received=received,
        channel="online", applicant=Applicant(type="natural_person", name=name),
        description=description, day0=received, correction_notice_due=received,
    )  # fmt: skip
    session.add(case)
    session.flush()
    return case.id


def fill_demo(session: Session) -> None:
    """3,000 demo cases, then cases registered out of turn, an old import, and voided cases."""
    rng = random.Random(5)
    demo.generate(session, 3_000, seed=17, today=TODAY)
    texts = list(session.scalars(select(Case.description).order_by(Case.id).limit(400)))
    # Received over the last months, registered now: each a few days out of turn, among
    # the newest ids; their terms are those of the demo's own cases.
    for _ in range(120):
        day = TODAY - dt.timedelta(days=rng.randrange(1, 200))
        add_case(session, day, rng.choice(texts), "补登申请人")
    for n in range(60):
        add_case(session, TODAY - dt.timedelta(days=3 * n), f"申请公开{LATE}{n}", "迟登")
    for n in range(60):
        day = TODAY - dt.timedelta(days=3 * n + 1)
        add_case(session, day, f"请提供{LATE}材料{n}", "迟登")
    for n in range(80):
        add_case(session, dt.date(2019, 2, 1) + dt.timedelta(days=n), f"{OLD}{n}", "旧档")
    # Voided cases among the newest of several terms.
    newest = session.scalars(select(Case).order_by(Case.id.desc()).limit(300)).all()
    for case in newest[::7]:
        case.voided, case.void_reason = True, "重复登记"


@pytest.fixture(scope="module")
def demo_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo of fill_demo in a SQLite file."""
    path = tmp_path_factory.mktemp("search_received") / "demo.sqlite"
    shutil.copy(sqlite_template, path)
    opened = open_store(path)
    with opened.transaction() as session:
        fill_demo(session)
    yield opened
    opened.close()


def terms_of(session: Session) -> list[str]:
    rng = random.Random(9)
    texts = list(session.scalars(select(Case.description)))
    names = list(session.scalars(select(Applicant.name)))
    terms = {"镇", "征收", "预算", "长兴镇", "房屋征收补偿", "2025-00", "2026-0", LATE, OLD, "迟登"}
    for pool, length in ((texts, 1), (texts, 2), (texts, 4), (texts, 7), (names, 2), (names, 3)):
        for _ in range(2):
            text = rng.choice([t for t in pool if len(t) >= length])
            start = rng.randrange(len(text) - length + 1)
            terms.add(text[start : start + length].strip())
    return sorted(t for t in terms if t)


def reference(session: Session, term: str, desc: bool) -> list[int]:
    """Every live case holding the term, by date of receipt then id, computed here in Python."""
    stmt = select(Case.id, Case.received, Case.description, Case.no, Applicant.name)
    rows = session.execute(stmt.join(Applicant).where(Case.voided.is_(False))).all()
    folded = search.fold(term)
    hits = [r for r in rows if any(folded in search.fold(f) for f in r[2:])]
    return [r[0] for r in sorted(hits, key=lambda r: (r[1], r[0]), reverse=desc)]


def served_by(monkeypatch: pytest.MonkeyPatch, name: str) -> list[bool]:
    """Whether each call of caselist's way `name` served its screen (returned ids), in order."""
    served: list[bool] = []
    way = getattr(caselist, name)

    def spy(*args: Any) -> Any:
        got = way(*args)
        served.append(got is not None)
        return got

    monkeypatch.setattr(caselist, name, spy)
    return served


# The settings that route a screen: as shipped; the index's end taken as a wide stretch, with
# few candidates (the cases out of turn count then), and every complete read taken by its ends
# rather than sorted; the days or the cases out of turn too many (the list's other ways).
REGIMES: dict[str, dict[str, int]] = {
    "as shipped": {},
    "wide end, few candidates": {"_END_SHARE": 3, "_CANDIDATES": 1, "_SORTED": 0},
    "wide end, many candidates": {"_END_SHARE": 2, "_CANDIDATES": 4, "_SORTED": 0},
    "too many days": {"_END_SHARE": 2, "_DAYS": 5, "_SORTED": 0},
    "too many out of turn": {"_END_SHARE": 2, "_OUT_OF_TURN": 0, "_SORTED": 0},
}


@pytest.mark.parametrize("regime", list(REGIMES))
def test_every_first_screen_by_date_is_the_start_of_the_plain_list(
    demo_file: Store, regime: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in REGIMES[regime].items():
        monkeypatch.setattr(caselist, name, value)
    served = served_by(monkeypatch, "_by_received_from")
    with demo_file.session() as session:
        terms = terms_of(session)
        year = TODAY.year - 1
        department = session.scalar(select(Case.department).where(Case.department.is_not(None)))
        for term in terms:
            for desc in (True, False):
                base = CaseQuery(search=term, descending=desc)
                full = caselist.case_ids(session, base)
                assert full == reference(session, term, desc), term
                filtered = [base, replace(base, include_voided=True)]
                if regime == "as shipped" or desc:
                    filtered += [
                        replace(base, status="closed"),
                        replace(base, year=year),
                        replace(base, department=department),
                    ]
                for query in filtered:
                    whole = full if query is base else caselist.case_ids(session, query)
                    for limit in (1, 50, 100):
                        got = caselist.case_ids(session, query, limit=limit)
                        assert got == whole[:limit], (term, desc, query, limit)
    if regime in ("too many days", "too many out of turn"):
        assert served.count(False) > 100  # many screens went the list's other ways
    else:
        assert sum(served) > (20 if regime == "as shipped" else 100)  # the ends served screens


def test_cases_registered_out_of_turn_are_found_by_their_day(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The term's newest ids alternate between cases registered in turn and cases registered
    # later with an earlier date: a first screen drawn from the newest ids alone would miss
    # some of them and misplace others.
    from sqlalchemy import event

    monkeypatch.setattr(caselist, "_END_SHARE", 2)
    seeks: list[int] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if "AS d CROSS JOIN cases" in statement:
            seeks.append(len(params[0]))

    served = served_by(monkeypatch, "_by_received_from")
    event.listen(demo_file.engine, "before_cursor_execute", keep)
    try:
        with demo_file.session() as session:
            for desc in (True, False):
                wanted = reference(session, LATE, desc)
                assert len(wanted) > 100
                # By date the screen interleaves ids registered far apart.
                assert wanted[:20] != sorted(wanted[:20], reverse=desc)
                for limit in (5, 20, 50):
                    query = CaseQuery(search=LATE, descending=desc)
                    assert caselist.case_ids(session, query, limit=limit) == wanted[:limit]
    finally:
        event.remove(demo_file.engine, "before_cursor_execute", keep)
    assert seeks and all(served)  # the days were sought, and the ends served every screen


def test_terms_lying_together_far_from_the_end_are_read_from_the_whole_archive(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The case numbers of an earlier year lie together far from either end of the ids: too few
    # near the end, they are read from the end of the whole archive (search.end_case_ids).
    served = served_by(monkeypatch, "end_case_ids")
    with demo_file.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        assert len(years) >= 3
        terms = [f"{y}-0" for y in years[1:-1]] + [f"{y}-00" for y in years[:-1]]
        terms += [f"{years[1]}-000", "-001", "陈家镇实"]
        for term in terms:
            for desc in (True, False):
                base = CaseQuery(search=term, descending=desc)
                whole = reference(session, term, desc)
                assert caselist.case_ids(session, base) == whole, term
                queries = [base, replace(base, include_voided=True), replace(base, status="closed")]
                for query in queries:
                    full = whole if query is base else caselist.case_ids(session, query)
                    for limit in (1, 50, 100):
                        got = caselist.case_ids(session, query, limit=limit)
                        assert got == full[:limit], (term, desc, query, limit)
    assert sum(served) >= 20  # the whole archive's end served screens


def test_the_description_part_of_the_archive_end_reads_the_same_whatever_its_bigrams(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # end_case_ids reads the descriptions' candidates by the rarest bigram alone or beside the
    # one that costs least with it there (search._description_grams): the rarest alone (as
    # before) and the rarest beside each other bigram of the term give the same ids and bound.
    chosen: list[int] = []
    choose = search._description_grams

    def spy(*args: Any) -> list[str]:
        got = choose(*args)
        chosen.append(len(got))
        return got

    with demo_file.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        # Not digits and hyphens alone: those are one token since revision 0016 (numeric).
        terms = [f"{y}年" for y in years[1:-1]] + [f"{y}年度" for y in years[:-1]]
        terms += [f"第{years[1]}-000", "陈家镇实", "申请公开", "2025年", "房屋征收", "长兴镇"]
        for term in terms:
            assert not search.numeric(term)
            grams = list(dict.fromkeys(search._grams(term)))
            for desc in (True, False):
                monkeypatch.setattr(search, "_description_grams", spy)
                shipped = search.end_case_ids(session, term, 100, desc)
                if shipped is None:
                    continue
                ways: list[Any] = [lambda g, first, *_: [g[first]]]
                ways += [lambda g, first, *_, o=o: [g[first], o] for o in grams]
                for way in ways:
                    monkeypatch.setattr(search, "_description_grams", way)
                    assert search.end_case_ids(session, term, 100, desc) == shipped, term
    assert len(chosen) >= 10
    # A pair for most (since revision 0016 a second bigram costs only its descriptions' entries,
    # no numbers'); the rarest alone is read for every term by the first of the ways above.
    assert 2 in chosen


def test_pieces_of_case_numbers_read_from_the_archive_end_first_list_as_before(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A term of digits and hyphens is read from the end of the whole archive before the
    # newest stretch of the index (caselist._received_from_index); with that turned off, the
    # way it was, every screen is the same.
    with demo_file.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        terms = [f"{y}-0" for y in years] + [f"{y}-00" for y in years] + ["-001", "000", "9-0"]
        queries = [
            CaseQuery(search=term, descending=desc, include_voided=voided)
            for term in terms
            for desc in (True, False)
            for voided in (False, True)
        ]
        served = served_by(monkeypatch, "end_case_ids")
        shipped = [caselist.case_ids(session, q, limit=n) for q in queries for n in (1, 50, 100)]
        assert sum(served) >= 10  # the archive's end served many of them
        monkeypatch.setattr(caselist, "_NUMBER_CHARACTERS", frozenset())
        before = [caselist.case_ids(session, q, limit=n) for q in queries for n in (1, 50, 100)]
    assert shipped == before
    assert sum(1 for ids in shipped if ids) > len(shipped) // 2


def test_stretches_of_the_index_hold_what_the_plain_filter_finds(demo_file: Store) -> None:
    # A stretch of the index (caselist._index_end) is read from the description's tokens and the
    # number's pieces merged (revision 0016): the same ids as the plain test of both texts.
    with demo_file.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        terms = [t for t in terms_of(session) if len(t) >= 3]
        terms += [years[-1], f"{years[-1]}-0", f"{years[-2]}-00", "-00", "000", "0", "-"]
        rows = session.execute(select(Case.id, Case.description, Case.no)).all()
        top = session.scalar(select(func.max(Case.id))) or 0
        for term in terms:
            folded = search.fold(term)
            for low, high in ((0, top), (top // 2, top), (top - 300, top)):
                bounds = (low, high)
                sql, params = search.case_hits(term, "AND rowid > ? AND rowid <= ?", bounds, "ASC")
                ids = [r[0] for r in session.connection().exec_driver_sql(sql, params)]
                plain = [
                    i
                    for i, d, n in rows
                    if low < i <= high and (folded in search.fold(d) or folded in search.fold(n))
                ]
                assert ids == sorted(plain), (term, low, high)
        queries = [
            CaseQuery(search=term, descending=desc, include_voided=voided)
            for term in terms
            for desc in (True, False)
            for voided in (False, True)
        ]
        for query in queries[::3]:
            whole = reference(session, query.search, query.descending)
            if not query.include_voided:
                assert caselist.case_ids(session, query, limit=50) == whole[:50], query


@pytest.mark.parametrize("candidates", [5_000, 40, 3])
def test_the_archive_end_gives_matches_and_a_bound_that_holds(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch, candidates: int
) -> None:
    # search.end_case_ids reads the descriptions' candidates in the list's direction, as many
    # as RARE_CANDIDATES, and tests them in that order: what it returns are matches, and every
    # match it leaves out lies beyond the bound it gives (None: it left none out); also for a
    # term whose bigrams no pair serves (the rarest alone is read then), and with the
    # candidates cut short.
    monkeypatch.setattr(search, "RARE_CANDIDATES", candidates)
    served = 0
    with demo_file.session() as session:
        years = sorted({n[:4] for n in session.scalars(select(Case.no)) if n[:2] == "20"})
        terms = [t for t in terms_of(session) if len(t) >= 3]
        terms += [years[-1], f"{years[-1]}-0", f"{years[1]}-00", "申请公开", "2025年", LATE, OLD]
        stmt = select(Case.id, Case.description, Case.no)
        rows = session.execute(stmt).all()
        for term in terms:
            folded = search.fold(term)
            every = {
                r[0] for r in rows if folded in search.fold(r[1]) or folded in search.fold(r[2])
            }
            for desc in (True, False):
                got = search.end_case_ids(session, term, 20, desc)
                if got is None:
                    continue
                served += 1
                ids, beyond = got
                assert set(ids) <= every and ids == sorted(ids, reverse=desc), term
                left = every - set(ids)
                if beyond is None:
                    assert not left, term
                else:
                    assert all(i < beyond if desc else i > beyond for i in left), term
    assert served >= (10 if candidates > 3 else 3)  # most served, some even with 3 candidates
