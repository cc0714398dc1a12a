"""The case list: which cases match a filter, in which order, and the few columns a list row shows.

Sorting, filtering and search all happen in SQL. Every sort is written so that the database can walk
an index (a first screen with LIMIT costs well under a millisecond on 300,000 cases): the voided
filter is a NOT IN over the small set of voided ids rather than `voided = 0` (which would send
SQLite through the voided index and a table lookup per row), empty values come last as a separate
segment instead of NULLS LAST (which defeats the index), and a closed vocabulary (status, channel,
applicant type) sorts as one segment per value in the vocabulary's order.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from cases.query.search import SORTABLE, among, index_condition, text_condition, text_match
from cases.rules import settings, vocab
from cases.rules.handbook import load_handbook
from cases.storage.model import Applicant, Approval, Case, Consultation, Correction
from cases.timing import dates
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import WarningLevel
from cases.timing.deadlines import load_calendar

__all__ = [
    "DEFAULT_AMBER_DAYS",
    "CaseQuery",
    "CaseRow",
    "Me",
    "SortKey",
    "View",
    "case_ids",
    "count_cases",
    "departments",
    "my_deadlines",
    "office_amber_days",
    "provisional_open_count",
    "row_warning",
    "rows_for",
    "view_counts",
    "warning_bounds",
    "years",
]

# The 临期 threshold when the office has not set its own (domain.md §2, Decision: configurable).
DEFAULT_AMBER_DAYS: int = settings.spec(settings.AMBER_DAYS).default
# rows_for asks for ids in chunks well below every backend's bound-parameter limit.
_IN_CHUNK = 500


class SortKey(StrEnum):
    """The columns a list can be sorted by."""

    NO = "no"
    RECEIVED = "received"
    APPLICANT = "applicant"
    APPLICANT_TYPE = "applicant_type"
    CHANNEL = "channel"
    DEPARTMENT = "department"
    STATUS = "status"
    DUE = "due"
    REMAINING = "remaining"  # open cases by due date first, then everything without a running clock
    OUTCOME = "outcome"
    HANDLER = "handler"  # 承办人
    STEP = "step"  # 当前环节, in the handbook's order of steps


class View(StrEnum):
    """The quick views of the to-do list (待办), each one condition in SQL."""

    ALL = "all"
    MINE = "mine"  # 我的待办: my cases in my steps, and what waits for my decision
    WARNED = "warned"  # 预警: 临期, 今日到期 and 逾期 together
    CORRECTION = "correction"  # 待补正
    CONSULTING = "consulting"  # 征询中
    SIGN_OFF = "sign_off"  # 待签发
    SERVE = "serve"  # 待送达
    THIS_YEAR = "this_year"  # 本年全部
    ARCHIVED = "archived"  # 已归档


@dataclass(frozen=True)
class Me:
    """The signed-in user as the list needs them: cases name their handler by display name."""

    username: str
    name: str
    roles: frozenset[str]


@dataclass(frozen=True)
class CaseQuery:
    """What the user asked the list for; every field narrows or orders, all of it in SQL."""

    sort: SortKey = SortKey.RECEIVED
    descending: bool = True
    status: str | None = None  # open | suspended | closed
    warning: WarningLevel | None = None  # NONE means open cases that are not warned
    department: str | None = None
    year: int | None = None  # year of receipt (first day 0)
    search: str = ""
    include_voided: bool = False
    view: View = View.ALL
    me: Me | None = None  # whose to-do list View.MINE is


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What one line of the case list shows."""

    id: int
    no: str
    received: dt.date
    applicant_name: str
    applicant_type: str
    channel: str
    department: str | None
    handler: str | None
    step: str
    status: str
    due: dt.date | None
    due_provisional: bool
    outcome_code: str | None
    outcome_on: dt.date | None
    voided: bool


# --- filters -------------------------------------------------------------------------------------


def office_amber_days(session: Session) -> int:
    """The office's 临期 threshold in working days (the setting clock.amber_days)."""
    value: int = settings.value(session, settings.AMBER_DAYS)
    return value


def warning_bounds(
    today: dt.date, cal: WorkCalendar, amber_days: int = DEFAULT_AMBER_DAYS
) -> dt.date:
    """The first due date that is not 临期: amber means today < due < this bound.

    cases.timing.clock.warning_level calls a case amber when at most amber_days working days d with
    today < d ≤ due are left; that holds exactly when due comes before the (amber_days+1)-th
    working day after today, which turns the working-day rule into a plain date range for SQL.
    """
    return cal.add_workdays(today, amber_days + 1)


def _warning_condition(
    level: WarningLevel, today: dt.date, cal: WorkCalendar, amber_days: int
) -> ColumnElement[bool]:
    # Only a running clock warns: suspended and closed cases never do (as in clock.warning_level).
    running = and_(Case.status == "open", Case.due.is_not(None))
    if level is WarningLevel.OVERDUE:
        return and_(running, Case.due < today)
    if level is WarningLevel.RED:
        return and_(running, Case.due == today)
    bound = warning_bounds(today, cal, amber_days)
    if level is WarningLevel.AMBER:
        return and_(running, Case.due > today, Case.due < bound)
    return and_(running, Case.due >= bound)


# A waiting request (Approval.stage) and the action that decides it.
_DECIDING_ACTION = {"review": "review", "sign_off": "sign_off", "extension": "approve_extension"}


def _mine(me: Me, counting: bool = False) -> ColumnElement[bool]:
    """My cases in the steps where I act, and the requests that wait for a role I hold.

    For a list the waiting requests are a test per row (EXISTS), which a walk in list order
    needs; for a count they are a set of case ids, so that SQLite answers the OR from two
    indexes instead of testing every case in the file (650 ms against 80 ms on 300,000 cases).
    """
    book = load_handbook()
    my_steps = [s.id for s in book.steps if me.roles & set(s.roles)]
    parts: list[ColumnElement[bool]] = [
        and_(Case.handler == me.name, Case.step.in_(my_steps), Case.archived_at.is_(None))
    ]
    stages = [
        stage
        for stage, action in _DECIDING_ACTION.items()
        if any(me.roles & set(s.roles_for(action)) for s in book.steps_allowing(action))
    ]
    if stages:
        undecided = (Approval.decision.is_(None), Approval.stage.in_(stages))
        if counting:
            parts.append(Case.id.in_(select(Approval.case_id).where(*undecided)))
        else:
            waiting = select(Approval.id).where(Approval.case_id == Case.id, *undecided)
            parts.append(waiting.exists())
    return or_(*parts)


def _view_condition(
    view: View, me: Me | None, today: dt.date, cal: WorkCalendar, amber_days: int
) -> ColumnElement[bool] | None:
    undecided = Case.outcome_code.is_(None)
    if view is View.MINE:
        return _mine(me) if me is not None else false()
    if view is View.WARNED:
        bound = warning_bounds(today, cal, amber_days)
        return and_(Case.status == "open", Case.due.is_not(None), Case.due < bound)
    if view is View.CORRECTION:
        waiting = select(Correction.id).where(
            Correction.case_id == Case.id, Correction.received.is_(None)
        )
        return and_(undecided, waiting.exists())
    if view is View.CONSULTING:
        waiting = select(Consultation.id).where(
            Consultation.case_id == Case.id, Consultation.replied.is_(None)
        )
        return and_(undecided, waiting.exists())
    if view is View.SIGN_OFF:
        return Case.step == "sign_off"
    if view is View.SERVE:
        return Case.step == "serve"
    if view is View.THIS_YEAR:
        return Case.received.between(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    if view is View.ARCHIVED:
        return Case.archived_at.is_not(None)
    return None


@functools.cache
def _not_voided() -> ColumnElement[bool]:
    # Built once: aliasing a mapped class costs more than the first screen it filters. A
    # statement element never changes once made, so every query may share it.
    voided = aliased(Case)
    return Case.id.not_in(select(voided.id).where(voided.voided == true()))


def _conditions(
    session: Session,
    query: CaseQuery,
    cal: WorkCalendar,
    today: dt.date,
    amber_days: int,
    text: ColumnElement[bool] | None = None,
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if not query.include_voided:
        found.append(_not_voided())
    if query.status is not None:
        found.append(Case.status == query.status)
    if query.warning is not None:
        found.append(_warning_condition(query.warning, today, cal, amber_days))
    if query.department is not None:
        found.append(Case.department == query.department)
    if query.year is not None:
        found.append(Case.received.between(dt.date(query.year, 1, 1), dt.date(query.year, 12, 31)))
    view = _view_condition(query.view, query.me, today, cal, amber_days)
    if view is not None:
        found.append(view)
    if text is not None:
        found.append(text)
    elif query.search.strip():
        # text_condition already chooses between id sets and a row test (see there); wrapping it
        # in one more id set would make every search scan all matches before the first screen.
        found.append(text_condition(session, query.search))
    return found


# --- order ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """One part of the list: the rows matching `where`, in `order`; parts are concatenated."""

    where: ColumnElement[bool] | None
    order: tuple[Any, ...]
    # When `probe` finds fewer than `bound` rows (0: _balanced_bound), `rare` is the condition
    # that finds the segment's rows through another index; see _applicant_types.
    rare: ColumnElement[bool] | None = None
    probe: Select[Any] | None = None
    bound: int = 0


@dataclass(frozen=True)
class _Plan:
    """How to produce one sort order.

    Each segment alone is served by an index, which makes a first screen (LIMIT) instant. `whole`,
    when set, is one ORDER BY giving the same sequence as the segments concatenated; it is used for
    the full list where walking the segments one by one would cost a table lookup per row and pass.
    """

    segments: list[_Segment]
    whole: tuple[Any, ...] | None = None
    join_applicant: bool = False


def _flip(columns: Iterable[Any], descending: bool) -> tuple[Any, ...]:
    return tuple(c.desc() if descending else c.asc() for c in columns)


_NEWEST_FIRST = (Case.received.desc(), Case.id.desc())


def _ranked(members: Sequence[ColumnElement[bool]], descending: bool) -> _Plan:
    """A closed vocabulary in its own order (not the codes' alphabet), each value newest first.

    `members` holds one condition per vocabulary value, in order, and a last one for values
    outside the vocabulary (old imports), which still belong in the list, after the known ones.
    """
    ordered = list(members[:-1])
    if descending:
        ordered.reverse()
    ordered.append(members[-1])
    rank = case(*[(m, i) for i, m in enumerate(ordered)], else_=len(ordered))
    return _Plan([_Segment(m, _NEWEST_FIRST) for m in ordered], (rank, *_NEWEST_FIRST))


def _vocabulary_members(column: Any, values: Sequence[str]) -> list[ColumnElement[bool]]:
    return [*(column == v for v in values), column.not_in(values)]


# A type with fewer cases than this is listed from the applicants' side (see _applicant_types).
_RARE_TYPE: int | None = None  # None: balanced against the size of the file (_balanced_bound)


def _applicant_types(descending: bool) -> _Plan:
    """By 申请人类型 in the vocabulary's order, each type newest first.

    Each segment walks the received index and tests the row's applicant type by a lookup, which
    finds a screenful of a common type (自然人 is 80% of cases) within a few hundred rows. A rare
    type would make that walk read the whole table, so a segment whose type has fewer than
    _RARE_TYPE cases (a bounded count) takes them through the applicant_id index and sorts them.
    Walking finds a screen of a type with k of N cases after about 50·N/k rows, the index sorts k
    rows, so the bound is where the two meet, √(50·N): 3,900 for 300,000 cases.
    The full list uses one ORDER BY over the type's rank.
    """
    values = list(vocab.APPLICANT_TYPES)
    kinds: list[ColumnElement[bool]] = [*(Applicant.type == v for v in values)]
    kinds.append(Applicant.type.not_in(values))
    of_row = select(Applicant.type).where(Applicant.id == Case.applicant_id).scalar_subquery()
    by_row = [*(of_row == v for v in values), of_row.not_in(values)]
    ordered = list(range(len(values)))
    if descending:
        ordered.reverse()
    ordered.append(len(values))
    segments = []
    for i in ordered:
        probe = (
            select(literal(1))
            .select_from(Applicant)
            .join(Case, Case.applicant_id == Applicant.id)
            .where(kinds[i])
        )
        rare = Case.applicant_id.in_(select(Applicant.id).where(kinds[i]))
        bound = _RARE_TYPE or 0
        segment = _Segment(by_row[i], _NEWEST_FIRST, rare=rare, probe=probe, bound=bound)
        segments.append(segment)
    members = [(Case.applicant_id + 0).in_(select(Applicant.id).where(kinds[i])) for i in ordered]
    rank = case(*[(m, n) for n, m in enumerate(members)], else_=len(members))
    return _Plan(segments, (rank, *_NEWEST_FIRST))


def _nullable(column: Any, order: Iterable[Any], descending: bool) -> _Plan:
    """Rows with a value in order, then the empty ones (latest registered first), either way."""
    return _Plan(
        [
            _Segment(column.is_not(None), _flip(order, descending)),
            _Segment(column.is_(None), (Case.id.desc(),)),
        ]
    )


def _plan(key: SortKey, descending: bool) -> _Plan:
    if key is SortKey.NO:
        return _Plan([_Segment(None, _flip((Case.no, Case.id), descending))])
    if key is SortKey.RECEIVED:
        return _Plan([_Segment(None, _flip((Case.received, Case.id), descending))])
    if key is SortKey.APPLICANT:
        # The identity index (name, id_number) orders the applicants, and each applicant's cases
        # come in id order from the applicant_id index: no sort step even on the whole table.
        order = (Applicant.name, Applicant.id_number, Applicant.id, Case.id)
        return _Plan([_Segment(None, _flip(order, descending))], join_applicant=True)
    if key is SortKey.APPLICANT_TYPE:
        return _applicant_types(descending)
    if key is SortKey.CHANNEL:
        return _ranked(_vocabulary_members(Case.channel, list(vocab.CHANNELS)), descending)
    if key is SortKey.STATUS:
        # 办理中, 中止计时, 已办结 in that order (reversed when descending), each by due date:
        # the (status, due) index serves every segment.
        statuses = list(vocab.STATUSES)
        ordered = list(reversed(statuses)) if descending else statuses
        order = _flip((Case.due, Case.id), descending)
        return _Plan([_Segment(Case.status == s, order) for s in ordered])
    if key is SortKey.DEPARTMENT:
        return _nullable(Case.department, (Case.department, Case.id), descending)
    if key is SortKey.DUE:
        return _nullable(Case.due, (Case.due, Case.id), descending)
    if key is SortKey.REMAINING:
        # Running clocks first, by time left; then the suspended ones and the closed ones, whose
        # remaining time means nothing, in a fixed order whichever way the running ones go.
        return _Plan(
            [
                _Segment(Case.status == "open", _flip((Case.due, Case.id), descending)),
                _Segment(Case.status == "suspended", (Case.due.asc(), Case.id.asc())),
                _Segment(Case.status == "closed", (Case.due.desc(), Case.id.desc())),
            ]
        )
    if key is SortKey.HANDLER:
        return _nullable(Case.handler, (Case.handler, Case.id), descending)
    if key is SortKey.STEP:
        from cases.rules.handbook import load_handbook  # cached after the first call

        steps = [step.id for step in load_handbook().steps]
        return _ranked(_vocabulary_members(Case.step, steps), descending)
    if key is SortKey.OUTCOME:
        outcome_order = (Case.outcome_code, Case.outcome_on, Case.id)
        return _nullable(Case.outcome_code, outcome_order, descending)
    raise ValueError(f"未知的排序列：{key}")


# --- queries -------------------------------------------------------------------------------------


def _statement(
    conditions: list[ColumnElement[bool]],
    where: ColumnElement[bool] | None,
    order: tuple[Any, ...],
    join_applicant: bool,
    limit: int | None,
) -> Select[Any]:
    stmt: Select[Any] = select(Case.id)
    if join_applicant:
        stmt = stmt.join(Applicant, Applicant.id == Case.applicant_id)
    stmt = stmt.where(*conditions, *([] if where is None else [where])).order_by(*order)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def case_ids(
    session: Session,
    query: CaseQuery,
    *,
    limit: int | None = None,
    cal: WorkCalendar | None = None,
    today: dt.date | None = None,
    amber_days: int | None = None,
) -> list[int]:
    """The ids of every matching case in list order, or only the first `limit` of them.

    The first `limit` ids are always the same as the start of the full list, so a window can show
    its first screen at once and fetch the rest afterwards. amber_days defaults to the office's
    setting (clock.amber_days).
    """
    today = today or dates.today()
    if amber_days is None:
        amber_days = office_amber_days(session)
    if (query.warning is not None or query.view is View.WARNED) and cal is None:
        cal = load_calendar(session)
    text = None
    if query.search.strip() and limit is not None:
        match = text_match(session, query.search)
        text = match.condition
        if match.common:
            walked = _walk(session, query, limit, text, cal, today, amber_days)
            if walked is not None:
                return walked
            # Too few matches in the walk: they lie together further down the list's order.
            by_index = index_condition(session, query.search.strip(), SORTABLE, match.read)
            if by_index is not None:
                text = by_index
    conditions = _conditions(session, query, cal or WorkCalendar(), today, amber_days, text)
    plan = _plan(query.sort, query.descending)
    connection = session.connection()
    if limit is None and plan.whole is not None:
        stmt = _statement(conditions, None, plan.whole, plan.join_applicant, None)
        return _ids_of(connection, stmt)
    found: list[int] = []
    for segment in plan.segments:
        wanted = None if limit is None else limit - len(found)
        if wanted is not None and wanted <= 0:
            break
        where = segment.where
        if segment.rare is not None and segment.probe is not None and wanted is not None:
            bound = segment.bound or _balanced_bound(session)
            bounded = segment.probe.limit(bound).subquery()
            if (session.scalar(select(func.count()).select_from(bounded)) or 0) < bound:
                where = segment.rare
        stmt = _statement(conditions, where, segment.order, plan.join_applicant, wanted)
        found.extend(_ids_of(connection, stmt))
    return found


# How many rows of the list's order a common term's first screen tests one by one before its ids
# are taken from the index instead (see cases.query.search): a short stretch first, enough for
# a term in one case of eight, then a longer one (a few ms) for one in sixty.
_WALKS = (400, 3_000)


def _walk(
    session: Session,
    query: CaseQuery,
    limit: int,
    scan: ColumnElement[bool],
    cal: WorkCalendar | None,
    today: dt.date,
    amber_days: int,
) -> list[int] | None:
    """The first `limit` matches of a common term among the list's first rows (_WALKS), or None.

    The same rows in the same order as the full list gives them, because the walk is the list
    without the term, tested row by row with the same condition; None when the stretch holds
    fewer than `limit` matches and the list goes on.
    """
    dialect = session.get_bind().dialect.name
    plain = replace(query, search="")
    for stretch in _WALKS:
        walked = case_ids(
            session, plain, limit=stretch, cal=cal, today=today, amber_days=amber_days
        )
        if not walked:
            return []
        members = among(dialect, Case.id, walked)
        matching = set(_ids_of(session.connection(), select(Case.id).where(members, scan)))
        found = [i for i in walked if i in matching]
        if len(found) >= limit or len(walked) < stretch:
            return found[:limit]
    return None


def _balanced_bound(session: Session) -> int:
    """√(50·N) for N cases (the largest id stands in for a count, which would read the table)."""
    largest = session.scalar(select(func.max(Case.id))) or 0
    return max(100, math.isqrt(50 * largest))


def _ids_of(connection: Connection, stmt: Select[Any]) -> list[int]:
    # Ids are plain integers on every backend, so the driver's rows are read directly: going
    # through SQLAlchemy's row objects costs twice as long for 300,000 ids (0.15 s against 0.08 s)
    # and holds the GIL all that time, which the window's painting thread then waits for.
    result = connection.execute(stmt)
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


def rows_for(session: Session, ids: Sequence[int]) -> dict[int, CaseRow]:
    """The list columns of one page of cases, by id; ids no longer in the file are left out."""
    rows: dict[int, CaseRow] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        stmt = (
            select(
                Case.id,
                Case.no,
                Case.received,
                Applicant.name.label("applicant_name"),
                Applicant.type.label("applicant_type"),
                Case.channel,
                Case.department,
                Case.handler,
                Case.step,
                Case.status,
                Case.due,
                Case.due_provisional,
                Case.outcome_code,
                Case.outcome_on,
                Case.voided,
            )
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(Case.id.in_(chunk))
        )
        for r in session.execute(stmt):
            rows[r.id] = CaseRow(**r._mapping)
    return rows


def row_warning(
    row: CaseRow, today: dt.date, cal: WorkCalendar, amber_days: int = DEFAULT_AMBER_DAYS
) -> tuple[WarningLevel, int | None]:
    """The warning level of a listed case and its working days left (negative: days overdue).

    The same rule as cases.timing.clock.warning_level, from the stored due date alone, so that a
    list
    computes it for the rows on screen without loading each case's events.
    """
    if row.status != "open" or row.due is None:
        return WarningLevel.NONE, None
    left = cal.workdays_between(today, row.due)
    if today > row.due:
        return WarningLevel.OVERDUE, left
    if today == row.due:
        return WarningLevel.RED, 0
    if left <= amber_days:
        return WarningLevel.AMBER, left
    return WarningLevel.NONE, left


# --- what the filters offer ----------------------------------------------------------------------


def departments(session: Session) -> list[str]:
    """Every handling department named on a case, for the filter."""
    stmt = select(Case.department).where(Case.department.is_not(None)).distinct()
    return sorted(d for d in session.scalars(stmt) if d)


def years(session: Session) -> list[int]:
    """Years in which cases were received, newest first (one index probe per year)."""
    # Two statements: SQLite answers a lone min() or max() from the index's end, both together
    # by reading the whole index (30 ms on 300,000 cases).
    first: dt.date | None = session.scalar(select(func.min(Case.received)))
    last: dt.date | None = session.scalar(select(func.max(Case.received)))
    if first is None or last is None:
        return []
    found = []
    for year in range(last.year, first.year - 1, -1):
        span = Case.received.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        if session.scalar(select(exists().where(span))):
            found.append(year)
    return found


def count_cases(session: Session, include_voided: bool = False) -> int:
    total = session.scalar(select(func.count(Case.id))) or 0
    if include_voided:
        return total
    # Counting the few voided cases on their index beats filtering every row out.
    return total - (session.scalar(select(func.count(Case.id)).where(Case.voided == true())) or 0)


def provisional_open_count(session: Session) -> int:
    """Cases whose running deadline touches a year without a holiday schedule (暂定期限)."""
    # One count per status: SQLite's statistics give each status a third of the cases, so for
    # `status IN (open, suspended)` it would read the whole table, though running cases are a few
    # percent of an archive; one status at a time it takes the (status, due) index.
    total = 0
    for status in ("open", "suspended"):
        stmt = select(func.count(Case.id)).where(
            Case.status == status,
            Case.due_provisional == true(),
            Case.voided.is_not(True),  # not `= false`: that sends SQLite through the voided index
        )
        total += session.scalar(stmt) or 0
    return total


def view_counts(
    session: Session,
    me: Me | None,
    today: dt.date,
    cal: WorkCalendar,
    amber_days: int = DEFAULT_AMBER_DAYS,
) -> dict[View, int]:
    """How many live (not voided) cases each quick view holds, one COUNT each."""
    counts: dict[View, int] = {}
    for view in View:
        condition = _view_condition(view, me, today, cal, amber_days)
        if condition is None:  # every live case: the total less the few voided, on their index
            counts[view] = count_cases(session)
            continue
        if view is View.MINE and me is not None:
            condition = _mine(me, counting=True)
        stmt = select(func.count(Case.id)).where(_not_voided(), condition)
        counts[view] = session.scalar(stmt) or 0
    return counts


def my_deadlines(session: Session, me: Me, today: dt.date) -> tuple[int, int]:
    """Of my to-do list, how many cases are due today and how many are overdue."""
    base = [_not_voided(), _mine(me, counting=True), Case.status == "open"]
    due_today = select(func.count(Case.id)).where(*base, Case.due == today)
    overdue = select(func.count(Case.id)).where(*base, Case.due < today)
    return session.scalar(due_today) or 0, session.scalar(overdue) or 0
