"""The token index finds exactly what a plain scan finds, for every term length, and stays right."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.query import search
from cases.sample import demo
from cases.storage.model import Applicant, Case
from cases.storage.store import Store, open_store

DESCRIPTIONS = [
    "申请公开长兴镇某地块房屋征收补偿方案",
    "申请公开2025年度区财政预算执行情况",
    "请提供崇明东滩湿地环境监测数据（含100%达标说明）",
    "申请公开先锋村土地流转及动迁补偿款的发放明细",
    "请提供2022年本区医疗机构设置规划",
    "2025年9月对上海天越物业管理有限公司价格违法行为的调查处理情况",
    "Request for the EIA report of Project No. A-17_b (English)",
    "申请公开“规划许可证”沪规建（2024）第0012号及附图",
    "quote \" and apostrophe ' and back\\slash in one line",
    "长兴岛中心河整治工程竣工验收报告，长兴镇长兴村",
    "申请公开堡镇港河道疏浚工程招标文件 and ABC abc AbC",
    "镇",
]
NAMES = ["张伟", "李娜", "王芳", "上海东滩农业科技有限公司", "Zhou Xiaomei", "陈", "O'Brien"]


def reference(term: str, texts: dict[int, tuple[str, str, str]]) -> set[int]:
    """A plain scan: the term (ASCII letters folded, as SQLite's LIKE does) in any of the texts."""
    folded = search.fold(term)
    return {i for i, fields in texts.items() if any(folded in search.fold(f) for f in fields)}


def found(session: Session, term: str) -> set[int]:
    return set(session.scalars(select(Case.id).where(search.text_condition(session, term))))


def all_texts(session: Session) -> dict[int, tuple[str, str, str]]:
    stmt = select(Case.id, Case.description, Case.no, Applicant.name).join(Applicant)
    return {r[0]: (r[1], r[2], r[3]) for r in session.execute(stmt)}


def add_case(session: Session, no: str, description: str, applicant: Applicant) -> Case:
    case = Case(
        no=no, received=dt.date(2025, 3, 3), channel="online", applicant=applicant,
        description=description, day0=dt.date(2025, 3, 3),
        correction_notice_due=dt.date(2025, 3, 12),
    )  # fmt: skip
    session.add(case)
    return case


@pytest.fixture
def filled(store: Store) -> Store:
    with store.transaction() as session:
        applicants = [Applicant(type="natural_person", name=n) for n in NAMES]
        for i, text in enumerate(DESCRIPTIONS):
            add_case(session, f"2025-{i + 1:06d}", text, applicants[i % len(applicants)])
    return store


def sample_terms(texts: dict[int, tuple[str, str, str]], seed: int = 7) -> list[str]:
    """Substrings of every length 1–20 of the descriptions, numbers and names, and misses."""
    rng = random.Random(seed)
    pool = [f for fields in texts.values() for f in fields]
    terms: set[str] = {"拆迁", "镇长兴村x", "zzz", "9", "%", "_", "\\", '"', "'"}
    for length in range(1, 21):
        candidates = [t for t in pool if len(t) >= length]
        for _ in range(12):
            t = rng.choice(candidates)
            start = rng.randrange(len(t) - length + 1)
            terms.add(t[start : start + length])
    return sorted(t for t in terms if t.strip() == t and t)


def check_all(session: Session) -> int:
    texts = all_texts(session)
    terms = sample_terms(texts)
    for term in terms:
        assert found(session, term) == reference(term, texts), term
    return len(terms)


def test_index_finds_what_a_scan_finds_for_every_length(filled: Store) -> None:
    with filled.session() as session:
        assert check_all(session) > 150
        # Spot checks that the comparison is not vacuous.
        texts = all_texts(session)
        assert len(reference("长兴镇", texts)) == 2
        assert found(session, "abc") == found(session, "ABC") != set()
        assert found(session, "2025-000003") == reference("2025-000003", texts) != set()
        assert found(session, "东滩农业") != set()  # an applicant's name


def test_the_scan_path_finds_the_same_as_the_index(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every term counts as common: text_condition returns the row test the list walks with.
    monkeypatch.setattr(search, "COMMON", 1)
    with filled.session() as session:
        assert check_all(session) > 150


def test_common_and_rare_terms_take_different_paths(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "COMMON", 3)
    with filled.session() as session:
        common = str(search.text_condition(session, "申请"))
        rare = str(search.text_condition(session, "疏浚"))
    # The row test is LIKE on SQLite and strpos on PostgreSQL; the index's ids have neither.
    row_test = "LIKE" if filled.is_sqlite else "STRPOS"
    assert row_test in common.upper() and row_test not in rare.upper()


def test_the_row_test_by_applicant_ids_finds_the_same(filled: Store) -> None:
    # The walk of PostgreSQL's search tests a row's applicant by the ids of the applicants the
    # index names (caselist._walk_first); the same cases must come out as by the names.
    with filled.session() as session:
        dialect = session.get_bind().dialect.name
        texts = all_texts(session)
        for term in sample_terms(texts):
            applicants = search.applicant_ids(session, term, 1_000)
            assert applicants is not None
            condition = search.scan_condition(dialect, term, applicants)
            got = set(session.scalars(select(Case.id).where(condition)))
            assert got == reference(term, texts), term
        assert search.applicant_ids(session, "张", 1) is None  # 张伟: the bound is reached


def test_index_follows_insert_update_and_delete(filled: Store) -> None:
    with filled.transaction() as session:
        new_applicant = Applicant(type="legal_person", name="崇明区拆迁安置办公室")
        add_case(session, "2026-000001", "申请公开拆迁安置房分配名单", new_applicant)
        edited = session.scalars(select(Case).where(Case.no == "2025-000002")).one()
        edited.description = "申请公开区级部门决算"
        edited.no = "2025-900002"
        gone = session.scalars(select(Case).where(Case.no == "2025-000004")).one()
        session.delete(gone)
        renamed = session.scalars(select(Applicant).where(Applicant.name == "王芳")).one()
        renamed.name = "王芳芳"
    with filled.session() as session:
        assert check_all(session) > 150
        assert found(session, "财政预算") == set()
        assert found(session, "决算") != set()
        assert found(session, "2025-000002") == set()
        assert found(session, "900002") != set()
        assert found(session, "先锋村") == set()
        assert len(found(session, "拆迁安置")) == 1
        assert found(session, "芳芳") != set()


def test_any_trigram_finds_descriptions_holding_one_of_them(filled: Store) -> None:
    # The similar-case list's query (cases.assist.similar) on the token index.
    with filled.session() as session:
        texts = all_texts(session)
        grams = ["征收补", "湿地环", "不存在"]
        got = set(
            session.scalars(select(Case.id).where(search.any_trigram_condition(session, grams)))
        )
        assert (
            session.scalars(select(Case.id).where(search.any_trigram_condition(session, []))).all()
            == []
        )
    expected = {i for i, (d, _, _) in texts.items() if any(g in d for g in grams)}
    assert got == expected and len(expected) == 2


def rarest_against_phrase(session: Session, term: str) -> int:
    """Compare the rarest-bigram read with the phrase from several starts and bounds."""
    compared = 0
    for after, bound in [(0, 5_000), (0, 1), (0, 50), (1_000, 50), (2_500, 3)]:
        rare = search._case_ids_by_rarest(session, term, after, bound)
        phrase = search._first_ids(session, search.index_case_ids("sqlite", term, after), bound)
        if rare is not None:
            compared += 1
            assert rare == phrase, (term, after, bound)
    return compared


@pytest.fixture(scope="module")
def demo_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("search_demo") / "demo.sqlite"
    shutil.copy(sqlite_template, path)
    opened = open_store(path)
    with opened.transaction() as session:
        demo.generate(session, 4_000, seed=11, today=dt.date(2026, 11, 27))
    yield opened
    opened.close()


def demo_terms(session: Session) -> list[str]:
    """The benchmark's long terms and substrings of 3–20 characters of the demo's texts."""
    rng = random.Random(3)
    texts = list(session.scalars(select(Case.description)))
    texts += list(session.scalars(select(Case.no)))
    terms = {"2025-0001", "2024-00", "房屋征收补偿", "规划许可证", "申请公开先锋村土地流转"}
    terms |= {"请提供2022年本区医疗机构设置规划", "2025年9月对上海天越物业管理有限公司"}
    for length in range(3, 21):
        for _ in range(8):
            text = rng.choice([t for t in texts if len(t) >= length])
            start = rng.randrange(len(text) - length + 1)
            terms.add(text[start : start + length].strip())
    return sorted(t for t in terms if len(t) >= 3)


def test_the_rarest_bigrams_find_what_the_phrase_finds(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long term's ids read by two of its bigrams and the row test (SQLite) must be the
    # phrase's ids, in the same order, from any start and to any bound; first with the pair
    # the probes choose, then with pairs forced, whatever the probes would say.
    with demo_file.session() as session:
        terms = demo_terms(session)
        assert len(terms) > 100
        chosen = sum(rarest_against_phrase(session, term) for term in terms)
        forced = 0
        for pick in (lambda g: [g[0], g[-1]], lambda g: g[1:3], lambda g: [g[-1], g[-1]]):
            monkeypatch.setattr(search, "_rarest_grams", lambda _c, g, p=pick: p(g))
            forced += sum(rarest_against_phrase(session, term) for term in terms)
        assert forced > 500
        assert chosen > 0  # the probes choose the rarest read for some of these terms
        texts = all_texts(session)
        for term in terms[::5]:  # and the whole search still finds what a scan finds
            assert found(session, term) == reference(term, texts), term
        # More candidates than allowed: the phrase is read instead.
        monkeypatch.setattr(search, "RARE_CANDIDATES", 0)
        assert search._case_ids_by_rarest(session, "申请公开", 0, 10) is None


def test_a_third_bigram_finds_what_the_phrase_finds(
    demo_file: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A third bigram beside the rarest pair (SQLite) is counted only on a large archive; here
    # it is counted for every pair and taken whenever it leaves no more candidates than the
    # pair, and the ids must still be the phrase's, from any start and to any bound.
    monkeypatch.setattr(search, "_THIRD_AFTER", 0)
    monkeypatch.setattr(search, "_THIRD_LEAVES", 1.01)
    picked: list[int] = []
    rarest = search._rarest_grams

    def spy(connection: object, grams: list[str]) -> list[str] | None:
        got = rarest(connection, grams)
        picked.append(0 if got is None else len(got))
        return got

    monkeypatch.setattr(search, "_rarest_grams", spy)
    with demo_file.session() as session:
        terms = demo_terms(session)
        compared = sum(rarest_against_phrase(session, term) for term in terms)
        assert compared > 0
        assert picked.count(3) > 20  # the third was taken for many of these terms
        term = "请提供2022年本区医疗机构设置规划"
        phrase = search._first_ids(session, search.index_case_ids("sqlite", term), 5_000)
        assert search._case_ids_by_rarest(session, term, 0, 5_000) == phrase
