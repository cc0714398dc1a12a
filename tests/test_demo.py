"""Demo data: plausible, complete, consistent with the clock, deterministic, and importable."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cases.interchange import exchange
from cases.office import numbering
from cases.query.caselist import DEFAULT_AMBER_DAYS
from cases.rules import ids, vocab
from cases.rules.handbook import load_handbook
from cases.sample import demo
from cases.storage.model import (
    Applicant,
    AuditRecord,
    Case,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    Review,
    ServiceRecord,
)
from cases.storage.store import Store, open_store
from cases.timing import clock, deadlines

TODAY = dt.date(2026, 11, 27)
N = 2000

UNABLE = {"unable_not_held", "unable_not_ours", "unable_create", "unable_unclear"}
REJECT = {"reject_petition", "reject_repeat", "reject_publication", "reject_excessive"}
REJECT |= {"reject_confirm"}


def fresh_sqlite(template: Path, folder: Path, name: str) -> Store:
    path = folder / f"{name}.sqlite"
    shutil.copy(template, path)
    return open_store(path)


def fill(
    store: Store,
    n: int,
    *,
    seed: int = 2025,
    years: tuple[int, ...] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    with store.transaction() as session:
        return demo.generate(session, n, seed=seed, years=years, today=TODAY, progress=progress)


def load_cases(session: Session) -> list[Case]:
    stmt = select(Case).options(
        selectinload(Case.applicant),
        selectinload(Case.corrections),
        selectinload(Case.consultations),
        selectinload(Case.extensions),
        selectinload(Case.fees),
        selectinload(Case.delays),
        selectinload(Case.reviews),
        selectinload(Case.services),
        selectinload(Case.approvals),
    )
    return list(session.scalars(stmt.order_by(Case.id)))


# --- one district's three years, generated once for the read-only checks --------------------------


@pytest.fixture(scope="module")
def district(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("demo"), "district")
    fill(opened, N)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def cases(district: Store) -> Iterator[list[Case]]:
    with district.session() as session:
        yield load_cases(session)


def test_every_generated_case_passes_the_clock_validation(
    district: Store, cases: list[Case]
) -> None:
    with district.session() as session:
        cal = deadlines.load_calendar(session)
    bad = {c.no: clock.validate_facts(deadlines.facts_of(c), cal) for c in cases}
    assert {no: problems for no, problems in bad.items() if problems} == {}


def test_stored_clock_columns_equal_a_fresh_compute(district: Store, cases: list[Case]) -> None:
    with district.session() as session:
        cal = deadlines.load_calendar(session)
    for c in cases:
        fresh = deadlines.clock_of(c, cal)
        stored = (c.status, c.day0, c.due, c.due_provisional, c.correction_notice_due)
        computed = (
            fresh.status.value,
            fresh.day0,
            fresh.due,
            fresh.due_provisional,
            fresh.correction_notice_due,
        )
        assert stored == computed, c.no


def test_every_applicant_type_channel_and_outcome_appears(cases: list[Case]) -> None:
    assert {c.applicant.type for c in cases} == set(vocab.APPLICANT_TYPES)
    assert {c.channel for c in cases} == set(vocab.CHANNELS)
    codes = {o.code for o in load_handbook().outcomes}
    assert len(codes) == 24
    assert {c.outcome_code for c in cases if c.outcome_code} == codes


def test_every_kind_of_event_appears(cases: list[Case]) -> None:
    assert any(c.corrections and c.corrections[0].received for c in cases)
    assert any(c.corrections and c.corrections[0].received is None for c in cases)
    assert {k.party for c in cases for k in c.consultations} == set(vocab.CONSULTATION_PARTIES)
    assert any(k.replied is None for c in cases for k in c.consultations)
    assert any(c.extensions for c in cases)
    assert {f.method for c in cases for f in c.fees} == set(vocab.FEE_METHODS)
    assert any(f.paid is None for c in cases for f in c.fees)
    assert any(c.delays for c in cases)
    assert {v.kind for c in cases for v in c.reviews} == set(vocab.REVIEW_KINDS)
    results = {v.result for c in cases for v in c.reviews}
    assert results == {*vocab.REVIEW_RESULTS, None}  # None: 尚未审结
    assert any(c.services for c in cases)


def test_proportions_are_plausible(cases: list[Case]) -> None:
    n = len(cases)
    closed = [c for c in cases if c.outcome_code]
    outcome = Counter(c.outcome_code for c in closed)

    def share(codes: set[str]) -> float:
        return sum(outcome[code] for code in codes) / len(closed)

    natural = sum(c.applicant.type == "natural_person" for c in cases) / n
    assert 0.78 <= natural <= 0.92
    assert 0.25 <= share({"disclose", "disclose_public", "partial"}) <= 0.42
    assert share(UNABLE) >= 0.25
    assert share(UNABLE) > share(REJECT) >= 0.04
    assert 0.05 <= sum(bool(c.corrections) for c in cases) / n <= 0.11
    assert 0.07 <= sum(bool(c.consultations) for c in cases) / n <= 0.14
    assert 0.11 <= sum(bool(c.extensions) for c in cases) / n <= 0.19
    assert 0.003 <= sum(bool(c.fees) for c in cases) / n <= 0.02
    assert 0 < sum(bool(c.delays) for c in cases) / n <= 0.015
    assert 0.02 <= sum(bool(c.reviews) for c in closed) / len(closed) <= 0.07


def test_cases_span_several_years_ending_today_and_old_years_are_closed(
    cases: list[Case],
) -> None:
    years = Counter(c.received.year for c in cases)
    assert sorted(years) == list(demo.default_years(N, TODAY)) == [2024, 2025, 2026]
    assert all(500 <= count <= 900 for count in years.values())  # a district's year
    assert max(c.received for c in cases) <= TODAY
    earlier = [c for c in cases if c.received.year < TODAY.year]
    assert sum(c.outcome_code is not None for c in earlier) / len(earlier) >= 0.995
    still_open = [c for c in cases if c.outcome_code is None]
    assert 20 <= len(still_open) <= 150
    assert min(c.received for c in still_open) >= TODAY - dt.timedelta(days=120)


def test_open_cases_show_the_office_at_work(district: Store, cases: list[Case]) -> None:
    with district.session() as session:
        cal = deadlines.load_calendar(session)
    still_open = [c for c in cases if c.outcome_code is None]
    assert any(c.status == "suspended" for c in still_open)
    assert any(k.replied is None for c in still_open for k in c.consultations)
    levels = Counter(
        clock.warning_level(deadlines.clock_of(c, cal), TODAY, cal, DEFAULT_AMBER_DAYS)
        for c in still_open
    )
    assert levels[clock.WarningLevel.AMBER] > 0
    assert levels[clock.WarningLevel.OVERDUE] > 0
    assert levels[clock.WarningLevel.NONE] > len(still_open) / 2


def test_a_handful_of_applicants_file_many_applications(cases: list[Case]) -> None:
    per_applicant = Counter(c.applicant_id for c in cases)
    counts = sorted(per_applicant.values(), reverse=True)
    assert counts[0] >= 30
    assert sum(count >= 10 for count in counts) >= 3
    assert len(per_applicant) < 0.85 * len(cases)
    assert sum(count == 1 for count in counts) > len(per_applicant) / 2


def test_id_numbers_carry_valid_check_characters(cases: list[Case]) -> None:
    applicants = {c.applicant.id: c.applicant for c in cases}.values()
    residents = [a.id_number for a in applicants if a.id_type == "resident_id"]
    codes = [a.id_number for a in applicants if a.id_type == "uscc"]
    assert residents and codes
    assert all(n is not None and ids.check_resident_id(n) for n in residents)
    assert all(n is not None and ids.check_uscc(n) for n in codes)


def test_case_numbers_run_by_year_of_receipt(cases: list[Case]) -> None:
    by_year: dict[int, list[Case]] = {}
    for c in sorted(cases, key=lambda c: (c.received, c.id)):
        assert re.fullmatch(rf"{c.received.year}-\d{{6}}", c.no), c.no
        by_year.setdefault(c.received.year, []).append(c)
    for year_cases in by_year.values():
        assert [int(c.no[-6:]) for c in year_cases] == list(range(1, len(year_cases) + 1))


def test_requests_name_the_district_and_its_subjects(cases: list[Case]) -> None:
    texts = [c.description for c in cases]
    assert len(set(texts)) > 0.8 * len(texts)
    for subject in ("征收", "规划许可", "拆迁补偿", "预算", "监测"):
        assert any(subject in t for t in texts), subject
    departments = Counter(c.department for c in cases)
    assert departments["区规划资源局"] > departments["区司法局"]
    towns = {"长兴镇", "城桥镇", "堡镇", "陈家镇"}
    assert towns <= set(departments)
    assert departments["长兴镇"] == max(departments[t] for t in towns)
    assert all(c.handler for c in cases)


def test_reviews_follow_the_reply_and_services_follow_the_sign_off(cases: list[Case]) -> None:
    for c in cases:
        for v in c.reviews:
            assert c.outcome_on is not None and c.outcome_on <= v.filed <= TODAY
            assert (v.result is None) == (v.decided is None)
            assert v.decided is None or v.filed <= v.decided <= TODAY
        for s in c.services:
            assert c.outcome_on is not None and c.outcome_on <= s.served_on <= TODAY
        if c.archived_at is not None:
            assert c.services and c.step == "archive"
    open_steps = {c.step for c in cases if c.outcome_code is None}
    assert {"register", "handle"} <= open_steps
    assert {c.step for c in cases if c.outcome_code} <= {"serve", "archive"}


def test_each_case_has_one_demo_audit_record(district: Store, cases: list[Case]) -> None:
    with district.session() as session:
        rows = session.execute(
            select(AuditRecord.case_id, AuditRecord.actor, AuditRecord.action)
        ).all()
    assert len(rows) == len(cases)
    assert {r.case_id for r in rows} == {c.id for c in cases}
    assert {(r.actor, r.action) for r in rows} == {(demo.ACTOR, demo.ACTION)}


# --- writing, on every backend ------------------------------------------------------------------


def test_generate_writes_the_cases_asked_for(store: Store) -> None:
    assert fill(store, 150) == 150
    with store.session() as session:
        cal = deadlines.load_calendar(session)
        loaded = load_cases(session)
        assert len(loaded) == 150
        for c in loaded:
            assert clock.validate_facts(deadlines.facts_of(c), cal) == []
            assert c.due == deadlines.clock_of(c, cal).due
        assert session.scalar(select(func.count()).select_from(AuditRecord)) == 150


def test_demo_cases_survive_export_and_import(
    district: Store, sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "demo.jsonl"
    with district.session() as session:
        total = session.scalar(select(func.count()).select_from(Case))
        voided = session.scalar(select(func.count()).select_from(Case).where(Case.voided))
        assert voided  # the district's years hold a few mistaken registrations
        assert exchange.export_jsonl(session, path) == total  # voided cases are exported too
    target = fresh_sqlite(sqlite_template, tmp_path, "target")
    try:
        with target.transaction() as session:
            result = exchange.import_rows(session, exchange.read_jsonl(path), "测试")
        assert result.written == total
        assert result.warnings == []  # every ID number passes its check
        with target.session() as session:
            again = session.scalars(select(Case).where(Case.voided)).all()
            assert len(again) == voided
            assert all(c.voided_on is not None and c.void_reason for c in again)
            # The demo writes through the import's own row builders: the imported copy exports
            # line for line what the demo wrote.
            exchange.export_jsonl(session, tmp_path / "again.jsonl")
        lines = path.read_text(encoding="utf-8").splitlines()
        assert (tmp_path / "again.jsonl").read_text(encoding="utf-8").splitlines() == lines
    finally:
        target.close()


def test_what_the_exchange_format_does_not_carry_is_written_too(cases: list[Case]) -> None:
    extensions = [e for c in cases for e in c.extensions]
    assert extensions and all(e.reason for e in extensions)
    per_item = [f for c in cases for f in c.fees if f.method == "per_item"]
    assert per_item and all(f.units for f in per_item)
    items = [k for c in cases for k in c.corrections]
    assert items and all(k.items for k in items)
    answered = [k for c in cases for k in c.consultations if k.replied]
    assert answered and all(k.opinion for k in answered)


def test_generate_twice_continues_the_numbers_and_the_counter(store: Store) -> None:
    fill(store, 60, seed=1)
    fill(store, 60, seed=2)
    with store.transaction() as session:
        numbers = list(session.scalars(select(Case.no)))
        assert len(set(numbers)) == 120
        last_2026 = max(int(no[-6:]) for no in numbers if no.startswith("2026-"))
        assert numbering.next_case_number(session, 2026) == f"2026-{last_2026 + 1:06d}"


def test_the_same_seed_gives_the_same_cases(sqlite_template: Path, tmp_path: Path) -> None:
    texts = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        opened = fresh_sqlite(sqlite_template, tmp_path, name)
        try:
            fill(opened, 250, seed=seed)
            path = tmp_path / f"{name}.jsonl"
            with opened.session() as session:
                exchange.export_jsonl(session, path)
                extra = session.execute(
                    select(ServiceRecord.served_on, ServiceRecord.tracking_no).order_by(
                        ServiceRecord.id
                    )
                ).all()
            texts.append((path.read_text(encoding="utf-8"), extra))
        finally:
            opened.close()
    assert texts[0] == texts[1]
    assert texts[0] != texts[2]


def test_progress_is_reported_after_every_chunk(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK", 40)
    calls: list[tuple[int, int]] = []
    fill(store, 100, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(40, 100), (80, 100), (100, 100)]


def test_chosen_years_in_the_past_are_all_closed(store: Store) -> None:
    fill(store, 120, years=(2020, 2021))
    with store.session() as session:
        rows = session.execute(select(Case.received, Case.status)).all()
    assert {r.received.year for r in rows} == {2020, 2021}
    assert {r.status for r in rows} == {"closed"}


@pytest.mark.parametrize(
    ("n", "years", "message"),
    [(-1, None, "不能为负数"), (10, (2027,), "晚于今天"), (10, (), "不能为空")],
)
def test_bad_requests_are_refused_and_change_nothing(
    store: Store, n: int, years: tuple[int, ...] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message), store.transaction() as session:
        demo.generate(session, n, years=years, today=TODAY)
    with store.session() as session:
        for table in (Case, Applicant, Correction, Consultation, Extension, Fee, Delay, Review):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_zero_cases_writes_nothing(store: Store) -> None:
    assert fill(store, 0) == 0
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_sign_offs_follow_a_review_as_the_workflow_records_them(cases: list[Case]) -> None:
    waiting = 0
    for case in cases:
        for sign in (a for a in case.approvals if a.stage == "sign_off"):
            reviews = [a for a in case.approvals if a.stage == "review"]
            assert len(reviews) == 1, case.no
            assert reviews[0].decision == "approved" and reviews[0].decided_by
            assert reviews[0].requested_at < sign.requested_at
            assert reviews[0].decided_by != sign.decided_by
            waiting += sign.decision is None
    assert waiting > 0  # some cases wait for a signature today
