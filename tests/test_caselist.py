"""The case list queries (cases.query.caselist) on both backends: order, paging, filters, search."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from cases.query import caselist, search
from cases.query.caselist import DEFAULT_AMBER_DAYS, CaseQuery, SortKey, View
from cases.rules import vocab
from cases.rules.handbook import load_handbook
from cases.storage.model import Applicant, Case, Correction
from cases.storage.store import Store
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import WarningLevel, warning_level

_serial = itertools.count(1)


def add_case(
    session: Session,
    cal: WorkCalendar,
    received: dt.date,
    *,
    name: str = "张三",
    kind: str = "natural_person",
    channel: str = "in_person",
    department: str | None = "区规划资源局",
    description: str = "申请公开某地块征收补偿方案",
    outcome: str | None = None,
    outcome_on: dt.date | None = None,
    voided: bool = False,
    correction_pending: bool = False,
    no: str | None = None,
) -> Case:
    """One case as the office would store it: applicant, events, and the clock columns refreshed."""
    applicant = Applicant(type=kind, name=name)
    case = Case(
        no=no or f"T-{next(_serial):05d}",
        received=received,
        channel=channel,
        applicant=applicant,
        description=description,
        department=department,
        outcome_code=outcome,
        outcome_on=outcome_on,
        voided=voided,
        void_reason="重复登记" if voided else None,
    )
    if correction_pending:
        notice = cal.add_workdays(received, 2)
        case.corrections.append(Correction(notice=notice, until=cal.add_workdays(notice, 15)))
    deadlines.refresh(case, cal)
    session.add(case)
    session.flush()
    return case


TODAY = dt.date(2025, 10, 9)  # just after the National Day holidays: working days matter


def varied_cases(store: Store) -> dict[int, dict[str, Any]]:
    """Thirty-odd cases covering every sortable value, including empty ones; returns their facts."""
    facts: dict[int, dict[str, Any]] = {}
    types = list(vocab.APPLICANT_TYPES)
    channels = list(vocab.CHANNELS)
    # Names whose code-point order is also their pinyin order, so the expected order holds under
    # any collation a PostgreSQL test database may have.
    departments = ["区教育局", "区水务局", None, "区教育局"]
    outcomes = ["disclose", None, "unable_not_held", "partial", None]
    steps = [step.id for step in load_handbook().steps]
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        for i in range(36):
            received = dt.date(2025, 6, 2) + dt.timedelta(days=(i * 37) % 120)
            outcome = outcomes[i % len(outcomes)]
            case = add_case(
                s,
                cal,
                received,
                name=["王伟", "李娜", "赵六", "A&B <公司>"][i % 4],
                kind=types[i % len(types)],
                channel=channels[i % len(channels)],
                department=departments[i % len(departments)],
                outcome=outcome,
                outcome_on=cal.add_workdays(received, 5 + i % 9) if outcome else None,
                correction_pending=outcome is None and i % 3 == 0,
                no=f"2025-{(i * 7) % 36:03d}",
            )
            case.handler = ["张承办", "李承办", None][i % 3]
            case.step = [*steps, "retired_step"][i % (len(steps) + 1)]  # an old import's step
            facts[case.id] = {
                "no": case.no,
                "received": case.received,
                "applicant": (case.applicant.name, case.applicant.id_number, case.applicant.id),
                "type": case.applicant.type,
                "channel": case.channel,
                "department": case.department,
                "status": case.status,
                "due": case.due,
                "outcome": case.outcome_code,
                "outcome_on": case.outcome_on,
                "handler": case.handler,
                "step": case.step,
            }
    return facts


def _rank(values: list[str]) -> Callable[[str], int]:
    return lambda v: values.index(v) if v in values else len(values)


def expected_order(facts: dict[int, dict[str, Any]], key: SortKey, desc: bool) -> list[int]:
    """The order domain users were promised, written out independently of the SQL."""
    sign = -1 if desc else 1

    def newest(i: int) -> tuple[int, int]:
        return (-facts[i]["received"].toordinal(), -i)

    def flipped(value: Any, i: int) -> tuple[Any, ...]:
        return (value, i) if not desc else (_Reverse(value), _Reverse(i))

    ids = list(facts)
    f = facts
    if key is SortKey.NO:
        return sorted(ids, key=lambda i: flipped(f[i]["no"], i))
    if key is SortKey.RECEIVED:
        return sorted(ids, key=lambda i: flipped(f[i]["received"], i))
    if key is SortKey.APPLICANT:
        return sorted(ids, key=lambda i: flipped((f[i]["applicant"][0], f[i]["applicant"][2]), i))
    if key in (SortKey.APPLICANT_TYPE, SortKey.CHANNEL, SortKey.STEP):
        field, values = {
            SortKey.APPLICANT_TYPE: ("type", list(vocab.APPLICANT_TYPES)),
            SortKey.CHANNEL: ("channel", list(vocab.CHANNELS)),
            SortKey.STEP: ("step", [step.id for step in load_handbook().steps]),
        }[key]
        # The vocabulary's order, reversed when descending; unknown values last either way.
        order = list(reversed(values)) if desc else values
        rank = _rank(order)
        return sorted(ids, key=lambda i: (rank(f[i][field]), newest(i)))
    if key is SortKey.STATUS:
        rank = _rank(list(vocab.STATUSES))
        return sorted(
            ids, key=lambda i: (sign * rank(f[i]["status"]), flipped(_Nulls(f[i]["due"]), i))
        )
    if key is SortKey.REMAINING:
        group = {"open": 0, "suspended": 1, "closed": 2}

        def remaining(i: int) -> tuple[Any, ...]:
            g = group[f[i]["status"]]
            if g == 0:
                return (g, flipped(f[i]["due"], i))
            if g == 1:
                return (g, (_Nulls(f[i]["due"]), i))
            return (g, (_Reverse(f[i]["due"]), -i))

        return sorted(ids, key=remaining)
    column = {
        SortKey.DEPARTMENT: "department",
        SortKey.DUE: "due",
        SortKey.OUTCOME: "outcome",
        SortKey.HANDLER: "handler",
    }
    name = column[key]
    filled = [i for i in ids if f[i][name] is not None]
    empty = sorted((i for i in ids if f[i][name] is None), reverse=True)
    if key is SortKey.OUTCOME:
        filled.sort(key=lambda i: flipped((f[i]["outcome"], f[i]["outcome_on"]), i))
    else:
        filled.sort(key=lambda i: flipped(f[i][name], i))
    return filled + empty


class _Reverse:
    """Sorts in the opposite direction (for values that cannot be negated, like text)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and self.value == other.value


class _Nulls:
    """A nullable value ordered as the backend orders NULLs in ascending order."""

    first = True  # set per backend by the test

    def __init__(self, value: Any) -> None:
        self.value = value

    def _key(self) -> tuple[int, Any]:
        if self.value is None:
            return (0 if _Nulls.first else 2, 0)
        return (1, self.value)

    def __lt__(self, other: _Nulls) -> bool:
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Nulls) and self._key() == other._key()


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey))
def test_every_sort_gives_the_promised_order(store: Store, key: SortKey, desc: bool) -> None:
    facts = varied_cases(store)
    _Nulls.first = store.is_sqlite  # SQLite puts NULLs first when ascending, PostgreSQL last
    with store.session() as s:
        got = caselist.case_ids(s, CaseQuery(sort=key, descending=desc))
    assert got == expected_order(facts, key, desc)


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey))
def test_first_screen_is_the_start_of_the_full_list(store: Store, key: SortKey, desc: bool) -> None:
    varied_cases(store)
    query = CaseQuery(sort=key, descending=desc)
    with store.session() as s:
        full = caselist.case_ids(s, query)
        for limit in (1, 5, 13, 100):
            assert caselist.case_ids(s, query, limit=limit) == full[:limit]


@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_applicant_type_screens_follow_a_change_of_the_applicants_type(
    store: Store, desc: bool
) -> None:
    # The list reads the type each case keeps (revision 0015): an applicant's type changed
    # through the ORM, another's by raw SQL to a type outside the vocabulary (an old import's),
    # move their cases in every screen and in the full list as in the order written out from
    # the applicants' types.
    facts = varied_cases(store)
    first, second = sorted(facts)[:2]
    with store.transaction() as s:
        case = s.get(Case, first)
        assert case is not None
        case.applicant.type = "research" if facts[first]["type"] != "research" else "enterprise"
        facts[first]["type"] = case.applicant.type
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE applicants SET type = 'retired_type' "
                "WHERE id = (SELECT applicant_id FROM cases WHERE id = :id)"
            ),
            {"id": second},
        )
    facts[second]["type"] = "retired_type"
    query = CaseQuery(sort=SortKey.APPLICANT_TYPE, descending=desc)
    expected = expected_order(facts, SortKey.APPLICANT_TYPE, desc)
    assert expected[-1] == second  # outside the vocabulary: last either way
    with store.session() as s:
        assert caselist.case_ids(s, query) == expected
        for limit in (1, 5, 13, 35, 100):
            assert caselist.case_ids(s, query, limit=limit) == expected[:limit]


def test_voided_cases_are_left_out_unless_asked_for(store: Store) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        kept = add_case(s, cal, dt.date(2025, 3, 3)).id
        gone = add_case(s, cal, dt.date(2025, 3, 4), voided=True).id
    with store.session() as s:
        assert caselist.case_ids(s, CaseQuery()) == [kept]
        assert caselist.case_ids(s, CaseQuery(include_voided=True)) == [gone, kept]
        assert caselist.count_cases(s) == 1
        assert caselist.count_cases(s, include_voided=True) == 2


def test_filters_narrow_in_the_database(store: Store) -> None:
    facts = varied_cases(store)
    with store.session() as s:
        by_status = caselist.case_ids(s, CaseQuery(status="suspended"))
        by_department = caselist.case_ids(s, CaseQuery(department="区水务局"))
        by_year = caselist.case_ids(s, CaseQuery(year=2025))
        none_in_2024 = caselist.case_ids(s, CaseQuery(year=2024))
        both = caselist.case_ids(s, CaseQuery(status="closed", department="区教育局"))
    assert set(by_status) == {i for i, f in facts.items() if f["status"] == "suspended"}
    assert by_status  # the data has waiting cases, so the filter is really tested
    assert set(by_department) == {i for i, f in facts.items() if f["department"] == "区水务局"}
    assert set(by_year) == set(facts) and none_in_2024 == []
    assert set(both) == {
        i for i, f in facts.items() if f["status"] == "closed" and f["department"] == "区教育局"
    }


def test_warning_filter_agrees_with_the_clock(store: Store) -> None:
    """Every open case lands in exactly the level cases.timing.clock.warning_level gives it."""
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        for day in range(60):
            received = dt.date(2025, 8, 15) + dt.timedelta(days=day)
            add_case(s, cal, received, correction_pending=day % 11 == 0)
        add_case(s, cal, dt.date(2025, 9, 1), outcome="disclose", outcome_on=dt.date(2025, 9, 5))
    with store.session() as s:
        cases = list(s.query(Case))
        expected = {
            c.id: warning_level(deadlines.clock_of(c, cal), TODAY, cal, DEFAULT_AMBER_DAYS)
            for c in cases
        }
        rows = caselist.rows_for(s, [c.id for c in cases])
        for level in WarningLevel:
            got = caselist.case_ids(s, CaseQuery(warning=level), cal=cal, today=TODAY)
            wanted = {i for i, e in expected.items() if e is level}
            if level is WarningLevel.NONE:
                # NONE as a filter means open and not warned; suspended and closed cases never warn.
                wanted = {i for i in wanted if rows[i].status == "open"}
            assert set(got) == wanted, level
    for level in (WarningLevel.AMBER, WarningLevel.RED, WarningLevel.OVERDUE):
        assert level in expected.values()  # the dates above reach every level
    for case_id, row in rows.items():
        assert caselist.row_warning(row, TODAY, cal)[0] is expected[case_id]


def test_remaining_working_days_count_across_holidays(store: Store) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        case = add_case(s, cal, dt.date(2025, 9, 26))  # due 2025-10-30 (domain.md §2.2)
    with store.session() as s:
        row = caselist.rows_for(s, [case.id])[case.id]
    assert row.due == dt.date(2025, 10, 30)
    # 2025-09-30 → 10-30: October 1–8 are holidays, 10-11 a worked Saturday.
    assert caselist.row_warning(row, dt.date(2025, 9, 30), cal) == (WarningLevel.NONE, 17)
    assert caselist.row_warning(row, dt.date(2025, 10, 27), cal) == (WarningLevel.AMBER, 3)
    assert caselist.row_warning(row, dt.date(2025, 10, 30), cal) == (WarningLevel.RED, 0)
    assert caselist.row_warning(row, dt.date(2025, 11, 3), cal) == (WarningLevel.OVERDUE, -2)


@pytest.mark.parametrize(
    "term",
    # Digits and hyphens (2025, -00, 5-0 in numbers; 100 in a description) are one token of
    # the numbers' pieces on SQLite since revision 0016.
    ["征收补偿", "崇明", "王伟", "A&B", "2025-007", "%", "_", "2025", "-00", "5-0", "100"],
)
def test_search_finds_text_applicant_and_number(store: Store, term: str) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        texts = ["申请公开长兴镇征收补偿方案", "崇明区道路拓宽工程的环评报告", "100%完成的项目"]
        for i, name in enumerate(["王伟", "李娜", "A&B <公司>", "陈_静"]):
            add_case(
                s,
                cal,
                dt.date(2025, 5, 6) + dt.timedelta(days=i),
                name=name,
                description=texts[i % len(texts)],
                no=f"2025-{i + 6:03d}",
            )
    with store.session() as s:
        got = caselist.case_ids(s, CaseQuery(search=f" {term} "))
        everything = caselist.rows_for(s, caselist.case_ids(s, CaseQuery()))
        texts_of = {c.id: c.description for c in s.query(Case)}
    wanted = [
        i
        for i, r in sorted(everything.items(), key=lambda t: t[1].received, reverse=True)
        if term in texts_of[i] or term in r.applicant_name or term in r.no
    ]
    assert wanted  # every term above occurs somewhere
    assert got == wanted


# (COMMON, walk stretches, SORTABLE): how each setting routes the term below.
SEARCH_PATHS = {
    "index": (10_000, (2, 4), 10_000),  # rare: the index's ids, sorted by the list
    "walk": (1, (40, 80), 10_000),  # common, and a screen found in the list's first rows
    "walk then index": (1, (2, 4), 10_000),  # common, too few in the walk: the ids after all
    "scan": (1, (2, 4), 1),  # common and too many ids to sort: the row test all the way
}


@pytest.mark.parametrize("path", list(SEARCH_PATHS))
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey))
def test_every_search_path_gives_the_start_of_the_full_list(
    store: Store, key: SortKey, desc: bool, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The matches (numbers 2025-00x, and 赵六's cases by name) lie apart from one another in
    # every order, so a short walk finds some and misses others; every path must agree with the
    # full list, which is itself checked against the cases' texts.
    facts = varied_cases(store)
    common, walks, sortable = SEARCH_PATHS[path]
    monkeypatch.setattr(search, "COMMON", common)
    monkeypatch.setattr(caselist, "_WALKS", walks)
    monkeypatch.setattr(caselist, "SORTABLE", sortable)
    _Nulls.first = store.is_sqlite
    with store.session() as s:
        for term in ("2025-00", "赵六"):
            query = CaseQuery(sort=key, descending=desc, search=term)
            full = caselist.case_ids(s, query)
            expected = [
                i for i in expected_order(facts, key, desc)
                if term in facts[i]["no"] or facts[i]["applicant"][0] == term
            ]  # fmt: skip
            assert 5 < len(expected) < len(facts) / 2
            assert full == expected
            for limit in (1, 3, 7, 100):
                assert caselist.case_ids(s, query, limit=limit) == full[:limit]


def test_search_combines_with_filters(store: Store) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        a = add_case(s, cal, dt.date(2025, 5, 6), description="规划许可证", department="区财政局")
        add_case(s, cal, dt.date(2025, 5, 7), description="规划许可证", department="区水务局")
        add_case(s, cal, dt.date(2025, 5, 8), description="别的内容", department="区财政局")
    with store.session() as s:
        got = caselist.case_ids(s, CaseQuery(search="规划许可", department="区财政局"))
    assert got == [a.id]


def test_rows_for_returns_the_list_columns(store: Store) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        case = add_case(
            s, cal, dt.date(2025, 9, 26), name="A&B <公司>", kind="enterprise", channel="email"
        )
        case_id = case.id
    with store.session() as s:
        rows = caselist.rows_for(s, [case_id, 999_999])
    assert list(rows) == [case_id]
    row = rows[case_id]
    assert (row.applicant_name, row.applicant_type, row.channel) == (
        "A&B <公司>",
        "enterprise",
        "email",
    )
    assert (row.status, row.due, row.due_provisional) == ("open", dt.date(2025, 10, 30), False)


def test_filter_choices_and_provisional_count(store: Store) -> None:
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        add_case(s, cal, dt.date(2024, 3, 1), department="区财政局")
        add_case(s, cal, dt.date(2026, 12, 20), department=None)  # due in 2027: no schedule yet
        add_case(s, cal, dt.date(2026, 12, 21), department="长兴镇人民政府", voided=True)
    with store.session() as s:
        assert caselist.departments(s) == sorted(["区财政局", "长兴镇人民政府"])
        assert caselist.years(s) == [2026, 2024]
        assert caselist.provisional_open_count(s) == 1


def test_empty_database(store: Store) -> None:
    with store.session() as s:
        assert caselist.case_ids(s, CaseQuery()) == []
        assert caselist.years(s) == []
        assert caselist.departments(s) == []
        assert caselist.count_cases(s, include_voided=True) == 0


def test_a_searched_list_by_date_walks_the_index_or_sorts_alike(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cases registered as they arrive, a term in every seventh (spread: the walk finds a screen
    # near the top), and an import of old cases registered last (its matches lie at the far end
    # of the order though their ids are the newest: the walk reaches its edge and the ids are
    # sorted after all). Every first screen must be the start of the plain filter's list.
    from sqlalchemy import event

    monkeypatch.setattr(caselist, "_DENSE", 0)  # however few matches, try the walk
    # The index's ends would serve these screens before the walk (test_search_received.py):
    # left out here, where the walk is what is tested.
    monkeypatch.setattr(caselist, "_received_from_index", lambda *_: (None, False))
    monkeypatch.setattr(caselist, "_SORTED", 10**9)
    texts: dict[int, tuple[dt.date, str]] = {}
    voided = 0
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        for i in range(120):
            day = dt.date(2024, 3, 1) + dt.timedelta(days=i)
            text = "申请公开本区预算执行情况" if i % 7 == 0 else "申请公开其他内容"
            case = add_case(s, cal, day, description=text, voided=i == 63)
            texts[case.id] = (day, text)
            voided = case.id if i == 63 else voided
        for i in range(10):
            day = dt.date(2019, 5, 1) + dt.timedelta(days=i)
            text = "导入的旧档案"
            texts[add_case(s, cal, day, description=text).id] = (day, text)
    walks: list[str] = []

    def keep(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if "cases.id + ?" in statement:
            walks.append(statement)

    outcomes: list[tuple[bool, bool]] = []  # (the walk ran, it gave the screen)
    walk_received = caselist._walk_received

    def spy(*args: Any) -> list[int] | None:
        before = len(walks)
        got = walk_received(*args)
        outcomes.append((len(walks) > before, got is not None))
        return got

    monkeypatch.setattr(caselist, "_walk_received", spy)
    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        with store.session() as s:
            for term in ("预算", "导入的旧档案"):
                for desc in (True, False):
                    wanted = sorted(
                        (i for i, (_, t) in texts.items() if term in t and i != voided),
                        key=lambda i: (texts[i][0], i),
                        reverse=desc,
                    )
                    query = CaseQuery(search=term, descending=desc)
                    for limit in (1, 3, 5, 100):
                        assert caselist.case_ids(s, query, limit=limit) == wanted[:limit]
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    if store.is_sqlite:  # the walk served screens, and ran into its edge for the import
        assert (True, True) in outcomes and (True, False) in outcomes


@pytest.mark.parametrize("walk", [True, False], ids=["walked", "read whole"])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", list(SortKey))
def test_a_year_filter_gives_the_same_screens_walked_or_read_whole(
    store: Store, key: SortKey, desc: bool, walk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year's first screen sorted by applicant or department walks the sort's index and tests
    the year (caselist._walks_year); the ids and their order are those of the promised order of
    that year's cases either way."""
    facts = varied_cases(store)
    with store.transaction() as s:
        cal = deadlines.load_calendar(s)
        for i in range(14):  # other years, interleaved in every sort with 2025's cases
            received = dt.date(2024 + 2 * (i % 2), 3, 2) + dt.timedelta(days=11 * i)
            add_case(
                s,
                cal,
                received,
                name=["王伟", "李娜", "周七"][i % 3],
                department=["区教育局", None, "区民政局"][i % 3],
            )
    monkeypatch.setattr(caselist, "_YEAR_SHARE", 50 if walk else 0)  # 0: never a fair share
    _Nulls.first = store.is_sqlite
    in_year = {i: f for i, f in facts.items() if f["received"].year == 2025}
    query = CaseQuery(sort=key, descending=desc, year=2025)
    with store.session() as s:
        assert caselist._walks_year(s, query) is (walk and key in caselist._YEAR_WALKS)
        full = caselist.case_ids(s, query)
        assert full == expected_order(in_year, key, desc)
        for limit in (1, 5, 13, 100):
            assert caselist.case_ids(s, query, limit=limit) == full[:limit]


@pytest.mark.parametrize(
    "narrowed",
    [{"status": "open"}, {"department": "区教育局"}, {"view": View.WARNED}],
    ids=["status", "department", "view"],
)
def test_a_year_beside_another_filter_is_read_whole(store: Store, narrowed: dict[str, Any]) -> None:
    """With a second filter the walk could meet few matches or none (last year's open cases,
    sorted by applicant, read the whole index): the year is then read whole, alike."""
    varied_cases(store)
    query = CaseQuery(sort=SortKey.APPLICANT, descending=False, year=2025, **narrowed)
    with store.session() as s:
        assert caselist._walks_year(s, CaseQuery(sort=SortKey.APPLICANT, year=2025))
        assert not caselist._walks_year(s, query)
        full = caselist.case_ids(s, query)
        assert full == caselist.case_ids(s, replace(query, year=None))  # all of them are 2025's
        for limit in (1, 5, 100):
            assert caselist.case_ids(s, query, limit=limit) == full[:limit]
