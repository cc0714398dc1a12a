"""Search in application text on both backends, short Chinese terms included."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.query.search import text_condition
from cases.storage.model import Applicant, Case
from cases.storage.store import Store

TEXTS = {
    "S-1": "申请公开长兴镇某地块房屋征收补偿方案",
    "S-2": "申请公开2025年度区财政预算执行情况",
    "S-3": "申请公开崇明东滩湿地环境监测数据（含100%达标说明）",
}


def search_ids(session: Session, term: str) -> list[int]:
    return list(session.scalars(select(Case.id).where(text_condition(session, term))))


@pytest.fixture
def filled(store: Store) -> Store:
    with store.transaction() as session:
        for i, (no, text) in enumerate(TEXTS.items()):
            session.add(
                Case(
                    no=no, received=dt.date(2025, 3, 3), channel="online",
                    applicant=Applicant(type="natural_person", name=["张伟", "李娜", "王芳"][i]),
                    description=text, day0=dt.date(2025, 3, 3),
                    correction_notice_due=dt.date(2025, 3, 12),
                )
            )  # fmt: skip
    return store


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("房屋征收补偿", ["S-1"]),  # long term: FTS5 trigram on SQLite
        ("征收", ["S-1"]),  # two characters: the base table (the known FTS5 trap)
        ("镇", ["S-1"]),
        ("申请公开", ["S-1", "S-2", "S-3"]),
        ("预算", ["S-2"]),
        ("100%", ["S-3"]),  # LIKE wildcards are searched literally
        ("S-2", ["S-2"]),  # case number
        ("李娜", ["S-2"]),  # applicant
        ("拆迁", []),
        ("征\x00收", []),  # a NUL typed or pasted into the box: nothing found, no error
    ],
)
def test_search_finds_exactly_the_matching_cases(
    filled: Store, term: str, expected: list[str]
) -> None:
    with filled.session() as session:
        found = search_ids(session, term)
        numbers = sorted(session.get_one(Case, i).no for i in found)
    assert numbers == expected


def test_search_follows_edited_descriptions(filled: Store) -> None:
    with filled.transaction() as session:
        case = session.query(Case).filter_by(no="S-2").one()
        case.description = "申请公开拆迁安置房分配名单"
    with filled.session() as session:
        assert [session.get_one(Case, i).no for i in search_ids(session, "拆迁安置")] == ["S-2"]
        assert search_ids(session, "财政预算") == []
