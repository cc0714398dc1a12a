"""Similar past cases: bigram ranking of candidates found through the text-search seam."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cases import actions
from cases.assist import similar
from cases.query import search
from cases.sample import demo
from cases.storage.model import Case
from cases.storage.store import Store
from tests.actions_support import DAY0, Desk

D = dt.date
TODAY = D(2026, 11, 27)


@pytest.fixture(autouse=True)
def fresh_estimates() -> Iterator[None]:
    # The estimates are cached per database URL; the PostgreSQL tests share one URL.
    similar.forget_samples()
    yield
    similar.forget_samples()


def test_similarity_ignores_punctuation_and_spaces() -> None:
    assert similar.similarity("申请公开补偿方案。", "申请 公开，补偿方案") == 1.0
    assert similar.similarity("申请公开补偿方案", "学校招生计划") == 0.0
    assert 0 < similar.similarity("申请公开补偿方案", "申请公开招生计划") < 1


def test_candidates_come_through_the_search_seam(store: Store) -> None:
    desk = Desk.open(store)
    a = desk.register(DAY0, description="申请公开凤凰村征收补偿方案")
    b = desk.register(D(2025, 3, 10), description="申请公开学校招生计划")
    desk.register(DAY0, description="申请公开道路维修经费")
    c = desk.register(DAY0, description="申请公开凤凰村道路图")
    desk.do(actions.void, desk.admin, c, reason="登记错误")
    pieces = ["凤凰村", "招生计"]
    with store.session() as s:
        rows = search.similar_candidates(s, pieces, 10)
        ids = [i for i, _ in rows]
        numbers = s.scalars(select(Case.no).where(Case.id.in_(ids)))
        assert sorted(numbers) == sorted([a, b]), "a voided case is no precedent"
        assert ids == sorted(ids, reverse=True)
        assert all(any(p in text for p in pieces) for _, text in rows)
        assert search.similar_candidates(s, pieces, 1) == rows[:1]
        assert [i for i, _ in search.similar_candidates(s, pieces, 10, exclude_id=max(ids))] == [
            min(ids)
        ]
        early = search.similar_candidates(s, pieces, 10, before=DAY0)
        assert [i for i, _ in early] == [i for i, t in rows if "凤凰村" in t]
        assert search.similar_candidates(s, pieces, 10, above=max(ids)) == []


def test_on_demo_data_a_case_with_the_same_request_ranks_first(store: Store) -> None:
    with store.transaction() as s:
        demo.generate(s, 1500, seed=7, today=TODAY)
    with store.session() as s:
        rows = list(s.execute(select(Case.id, Case.description).order_by(Case.received, Case.id)))
        seen: dict[str, int] = {}
        pairs: list[tuple[int, int]] = []
        for cid, text in rows:
            if text in seen:
                pairs.append((seen[text], cid))
            else:
                seen[text] = cid
        assert len(pairs) >= 5, "the demo data asks the same thing again now and then"
        for first, again in pairs[:10]:
            case = s.get(Case, again)
            assert case is not None
            found = similar.similar_to_case(s, case)
            assert found, f"nothing similar to {case.no}"
            assert found[0].description == case.description and found[0].score == 1.0
            assert first in {f.case_id for f in found if f.score == 1.0}
            assert all(f.received <= case.received for f in found)
            assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)


def test_the_list_carries_the_reply_and_its_wording(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0, description="申请公开凤凰村2019年征收补偿方案")
    desk.to_handle(no)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose_public", reasons=["website"],
        on=D(2025, 3, 20),
    )  # fmt: skip
    desk.sign(no, D(2025, 3, 21))
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    desk.do(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 21))
    unrelated = desk.register(DAY0, description="申请公开学校招生计划")
    now = desk.register(D(2025, 6, 2), description="请公开凤凰村2019年的征收补偿方案")
    with store.session() as s:
        case = actions.load_case(s, now)
        found = similar.similar_to_case(s, case)
    assert [f.no for f in found] == [no]
    assert unrelated not in [f.no for f in found]
    [hit] = found
    assert hit.outcome_code == "disclose_public" and hit.outcome_on == D(2025, 3, 21)
    assert [kind for kind, _ in hit.letters] == ["reply"] and hit.letters[0][1]
    assert similar.letters_text(hit).endswith(f"（{hit.letters[0][1]}）")
    assert "门户网站" in similar.wording(hit)


def test_a_new_request_worded_its_own_way_still_finds_its_neighbours(store: Store) -> None:
    # Its rarest pieces (某地块, 红线图 …) are in no other case, and the sample holds the case
    # itself: asked only for those, the search found nothing at all.
    desk = Desk.open(store)
    earlier = desk.register(
        DAY0, description="申请公开长兴镇长江村集体土地征收的批准文件及征地补偿安置方案"
    )
    desk.register(DAY0, description="申请公开学校招生计划")
    desk.register(DAY0, description="申请公开道路维修经费")
    now = desk.register(
        D(2025, 6, 2),
        description="申请公开长兴镇某地块国有土地上房屋征收决定及补偿方案、征收范围红线图。",
    )
    with store.session() as s:
        case = actions.load_case(s, now)
        similar.forget_samples()
        similar.selective_trigrams(s, case.description, 4)  # the sample now holds the case too
        found = similar.similar_to_case(s, case)
    assert [f.no for f in found] == [earlier]


def test_a_request_of_common_words_reads_only_the_newest_slice() -> None:
    budget = similar.COMMON_REQUEST * similar.CANDIDATE_BUDGET
    assert similar.newest_slice(budget, 300_000, 300_000) is None
    # Ten budgets' worth of matches expected: a tenth of the ids, the newest before the anchor.
    assert similar.newest_slice(10 * budget, 300_000, 300_000) == 270_000
    assert similar.newest_slice(10 * budget, 300_000, 1_000) == 0


def test_the_sample_is_spread_over_the_file(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    desk = Desk.open(store)
    for i in range(40):
        text = f"申请公开第{i}号征收决定" if i < 20 else "申请公开学校招生计划"
        desk.register(DAY0, description=text)
    monkeypatch.setattr(similar, "SAMPLE_SIZE", 10)
    with store.session() as s:
        sample = similar._sample(s)
    # The older half asks for 征收决定, the newer for 招生计划: a sample of the newest ten would
    # never see the first.
    assert sample.size == 10 and sample.df["征收决"] == 5 and sample.df["招生计"] == 5
