"""Search in case text: unigram and bigram tokens behind an index, or a scan in the list's order.

Revision 0006 indexes every character (unigram) and every pair of neighbouring characters (bigram)
of a case's description and number and of an applicant's name, spelt as the hex of their UTF-8
bytes: FTS5 tables on SQLite (a number's pieces in a table of their own since revision 0016), a
GIN index over a tsvector on PostgreSQL. A 1-character term is
one unigram; a longer one is the phrase of its bigrams, which matches exactly where the term is a
substring, so every length from 1 character up is served by the index.

The index answers a rare term at once, but a common one (征收 in every tenth case) would hand over
tens of thousands of ids to sort before the first screen. For those the list instead walks its
sort index and tests each row, which finds a screenful of matches after a few hundred rows. One
bounded read of the index decides which (`COMMON`), and a rare term's ids are used as read.
A common term whose matches lie together far down the list's order (2024-01, the start of ten
thousand case numbers, newest first) would make that walk read most of the table; the list
walks a bounded stretch only and then takes the term's ids from the index after all, up to
`SORTABLE` of them (cases.query.caselist.case_ids).

Sorted by date of receipt (the window's first order) on SQLite, a screen is drawn from the
term's cases at the newest (or oldest) end of the ids, which FTS5 reads in a fraction of a
millisecond: cases are registered as they arrive, so those candidates' dates bound the screen,
and the few cases registered out of turn within those dates are found by one seek a day in the
received index (cases.query.caselist._by_received_from). A term sparse at that end has its ids
read at once, without the probe and the walk.

A case number's tokens are apart from the description's since revision 0016: every piece of a
number up to NUMBER_PIECE characters is one token of search_number_terms, so a term is found in
numbers by one token, whose ids FTS5 reads in order from either end (a longer term is a prefix
query over the few long suffixes it begins), and so is every piece of digits and hyphens of a
description: a term of those characters is one token there (`numeric`). The two tables are read
together (`case_hits`).

On SQLite a phrase of three bigrams or more makes FTS5 read every bigram's posting list, and
some are in nearly every description (20 and 00 of 2025-0001). Such a term's cases are read by
its two rarest bigrams instead, judged by their counts in bounded stretches of the archive,
and each candidate's description tested (`_case_ids_by_rarest`); the phrase is kept when the
counts say it is the cheaper read.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    any_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased

from cases.storage.model import Applicant, Case

# More matches than this and a term counts as common: the list scans in its own order, where
# 50 matches come within about 50 × total / COMMON rows (3,000 rows of 300,000).
COMMON = 5_000
# A common term's ids are still sorted rather than scanned for when the walk in list order found
# too few of them (see the module's docstring): sorting this many costs a few tens of ms.
SORTABLE = 50_000
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_FOLD = str.maketrans(_UPPER, _LOWER)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _hex(chars: str) -> str:
    return chars.encode("utf-8").hex()


def fold(term: str) -> str:
    """The term as indexed: ASCII letters lowered, as SQLite's LIKE and lower() fold them."""
    return term.translate(_FOLD)


def _grams(term: str) -> list[str]:
    folded = fold(term)
    if len(folded) == 1:
        return [_hex(folded)]
    return [_hex(folded[i : i + 2]) for i in range(len(folded) - 1)]


def fts5_description_query(term: str) -> str:
    """The FTS5 MATCH expression on search_case_terms (the description) for `term`: its
    unigram, or the phrase of its bigrams."""
    if len(term) == 1:
        return f'd_uni : "{_hex(fold(term))}"'
    return f'd_bi : "{" ".join(_grams(term))}"'


# Revision 0016's NUMBER_PIECE: every piece of a number up to this long is a token of its own.
NUMBER_PIECE = 20


def fts5_number_query(term: str) -> str:
    """The FTS5 MATCH expression on search_number_terms for `term`: the token of that piece of
    a number, or, for a longer term, a prefix query over the numbers' long suffixes."""
    token = f'"{_hex(fold(term))}"'
    return token if len(term) <= NUMBER_PIECE else f"{token} *"


# The characters of a term read from search_number_terms alone: revision 0016 keeps there every
# piece of digits and hyphens of a description beside the number's pieces.
_NUMERIC = frozenset("0123456789-")


def numeric(term: str) -> bool:
    """Whether `term` is one token of search_number_terms for every case holding it, in its
    number or its description (SQLite, revision 0016): digits and hyphens, NUMBER_PIECE at most."""
    return 0 < len(term) <= NUMBER_PIECE and all(c in _NUMERIC for c in term)


def case_hits(
    term: str, bounds: str = "", values: tuple[object, ...] = (), order: str = "", limit: int = 0
) -> tuple[str, tuple[object, ...]]:
    """The statement and parameters giving the ids of the cases holding `term` in their
    description or number (SQLite): the description's tokens and the number's pieces merged
    in order, or the pieces alone for a numeric term; each read under `bounds` on rowid (e.g.
    "AND rowid > ?", with `values`), ordered by `order` ("ASC", "DESC" or none), cut at `limit`
    (none when 0). SQLite merges the ordered reads and stops at the limit."""
    parts = [("search_number_terms", fts5_number_query(term))]
    if not numeric(term):
        parts.insert(0, ("search_case_terms", fts5_description_query(term)))
    sql = " UNION ".join(f"SELECT rowid FROM {t} WHERE {t} MATCH ? {bounds}" for t, _ in parts)
    params: list[object] = [p for _, match in parts for p in (match, *values)]
    if order:
        sql += f" ORDER BY 1 {order}"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, tuple(params)


def fts5_applicant_query(term: str) -> str:
    """The FTS5 MATCH expression on search_applicant_terms for `term`."""
    return f'{"uni" if len(term) == 1 else "bi"} : "{" ".join(_grams(term))}"'


def _phrase(prefix: str, grams: list[str]) -> str:
    return " <-> ".join(prefix + g for g in grams)


def _every(prefix: str, grams: list[str]) -> str:
    return " & ".join(prefix + g for g in dict.fromkeys(grams))


# On PostgreSQL a term of three characters or more asks the index for every one of its bigrams
# (&), not for their phrase (<->): a phrase makes GIN recheck each candidate row by computing
# its tsvector again (10 s for 长兴镇 on 300,000 cases), while the bigrams alone it answers from
# the index; the term itself is then tested on the candidates' text (_exactly). The bigrams and
# the number's suffixes are two tsqueries, each its own condition: GIN skips through a common
# bigram's entries (20 of 2024-01) only for a conjunction standing alone, and one tsquery OR-ing
# both read every entry of each (2024-01 on 300,000 cases: 11–14 ms against 8 ms for the two).
def case_tsqueries(term: str) -> list[str]:
    """The tsquery texts on PostgreSQL's search_terms(description, no) that `term` matches
    where it matches any of them."""
    grams = _grams(term)
    if len(term) == 1:
        return [f"u{grams[0]} | x{grams[0]}"]
    if len(term) == 2:
        return [f"b{grams[0]} | y{grams[0]}"]
    return [_every("b", grams), f"s{_hex(fold(term))}:*"]


def applicant_tsquery(term: str) -> str:
    """The tsquery text for `term` on PostgreSQL's search_terms(name)."""
    return _every("u" if len(term) == 1 else "b", _grams(term))


def _exactly(term: str, fields: list[Any]) -> ColumnElement[bool]:
    """`term` in one of the fields, ASCII letters folded as the index folds them (PostgreSQL).

    strpos, not LIKE: a plain substring test, without a pattern to escape, at a third of LIKE's
    cost. A term without ASCII letters is found the same in the text as in its folded copy, so
    the fields are folded (translate, about 3 µs a row) only for a term that has letters.
    """
    folded = fold(term)
    if any(c in _LOWER for c in folded):
        fields = [func.translate(f, _UPPER, _LOWER) for f in fields]
    return or_(*(func.strpos(f, folded) > 0 for f in fields))


def _tsquery(query: str) -> Any:
    # Imported here: the PostgreSQL dialect costs a SQLite desk a tenth of a second at start-up.
    from sqlalchemy.dialects.postgresql import TSQUERY

    # A cast, not to_tsquery: the tokens are already lexemes and must not meet a text parser.
    return cast(literal(query), TSQUERY)


def index_case_ids(dialect: str, term: str, after: int = 0) -> Any:
    """Ids of the cases whose description or number contains `term`, from the index.

    On SQLite in ascending order and from `after` on, so that a read stopped at a bound can go
    on where it stopped (PostgreSQL's bitmap scans keep no order: `after` is ignored there).
    """
    if dialect == "sqlite":
        by_number = (
            "SELECT rowid FROM search_number_terms WHERE search_number_terms MATCH :nq "
            "AND rowid > :after"
        )
        if numeric(term):
            hits = text(f"{by_number} ORDER BY rowid").bindparams(nq=fts5_number_query(term))
        else:
            hits = text(
                "SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH :dq "
                f"AND rowid > :after UNION {by_number} ORDER BY 1"
            ).bindparams(dq=fts5_description_query(term), nq=fts5_number_query(term))
        return hits.bindparams(after=after).columns(column("rowid", Integer))
    terms = func.search_terms(Case.description, Case.no)
    found = select(Case.id).where(or_(*(terms.op("@@")(_tsquery(q)) for q in case_tsqueries(term))))
    if len(term) > 2:
        found = found.where(_exactly(term, [Case.description, Case.no]))
    return found


def index_applicant_ids(dialect: str, term: str, after: int = 0) -> Any:
    """Ids of the applicants whose name contains `term`, from the index (order as above)."""
    if dialect == "sqlite":
        return (
            text(
                "SELECT rowid FROM search_applicant_terms WHERE search_applicant_terms MATCH :aq "
                "AND rowid > :after ORDER BY rowid"
            )
            .bindparams(aq=fts5_applicant_query(term), after=after)
            .columns(column("rowid", Integer))
        )
    terms = func.search_terms(Applicant.name)
    found = select(Applicant.id).where(terms.op("@@")(_tsquery(applicant_tsquery(term))))
    if len(term) > 2:
        found = found.where(_exactly(term, [Applicant.name]))
    return found


@contextlib.contextmanager
def by_index(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, the statements run inside find the search tokens by their index alone.

    The planner prices search_terms() on a row at a quarter of a unit, where a long description
    takes it a millisecond or more, and it prices the same call on each row a bitmap scan
    fetches (though GIN answers a tsquery of plain tokens without a recheck): for a term it
    expects in most cases, a bounded read then looks cheapest as a sequential scan computing
    every row's tokens until enough match (申请 on 300,000 cases: 21 s for 5,000 ids, 20 in
    every case number 11 s; by the index 22 and 48 ms). Turned off for these statements
    only, and back to the session's setting after. Not after a failure: a failed statement
    leaves the transaction to be rolled back, which ends the setting too, and a reset sent
    then would replace the failure's own error with the aborted transaction's.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    yield
    connection.exec_driver_sql("RESET enable_seqscan")


def _first_ids(session: Session, ids: Any, bound: int) -> list[int]:
    """Up to `bound` ids from the index; it stops there."""
    limited: Any = select(literal_column("*")).select_from(ids.subquery()).limit(bound)
    connection = session.connection()
    with by_index(connection):
        # Straight from the driver's rows: SQLAlchemy's row objects would double the cost.
        result = connection.execute(limited)
        try:
            return [row[0] for row in result.cursor.fetchall()]
        finally:
            result.close()


def among(dialect: str, key: Any, ids: list[int]) -> ColumnElement[bool]:
    """`key` is one of `ids`, bound as one parameter however many there are."""
    # One parameter: a few thousand bound values cost more than the search.
    if dialect == "sqlite":
        members = select(column("value", Integer)).select_from(func.json_each(json.dumps(ids)))
        return key.in_(members)  # type: ignore[no-any-return]
    from sqlalchemy.dialects.postgresql import ARRAY

    return key == any_(cast(literal(ids), ARRAY(Integer)))  # type: ignore[no-any-return]


@functools.cache
def _applicant_name() -> Any:
    # An alias of its own: a list sorted by applicant joins applicants already, and the plain
    # class would correlate to that join and leave the subquery with no table at all. Built
    # once, as aliasing a mapped class is costly and the element never changes.
    holder = aliased(Applicant)
    return select(holder.name).where(holder.id == Case.applicant_id).scalar_subquery()


def applicant_ids(session: Session, term: str, bound: int) -> list[int] | None:
    """The ids of every applicant whose name holds `term`, or None if there are `bound` or more."""
    found = _first_ids(session, index_applicant_ids(session.get_bind().dialect.name, term), bound)
    return found if len(found) < bound else None


def scan_condition(
    dialect: str, term: str, applicants: list[int] | None = None
) -> ColumnElement[bool]:
    """The same test as the index, row by row: for a list that walks its own order.

    `applicants`, when given, are the ids of every applicant whose name holds the term (from
    applicant_ids): the row's applicant is then tested by its id, not by its name.
    """
    if applicants is not None:
        by_name = among(dialect, Case.applicant_id, applicants) if applicants else false()
        return or_(scan_condition_of_case(dialect, term), by_name)
    fields: list[Any] = [Case.description, Case.no, _applicant_name()]
    if dialect != "sqlite":
        return _exactly(term, fields)
    # SQLite's LIKE already folds ASCII letters and nothing else, as the index does.
    pattern = f"%{_escape_like(fold(term))}%"
    return or_(*(f.like(pattern, escape="\\") for f in fields))


def scan_condition_of_case(dialect: str, term: str) -> ColumnElement[bool]:
    """The row test on the case's own text alone: its description and number."""
    fields: list[Any] = [Case.description, Case.no]
    if dialect != "sqlite":
        return _exactly(term, fields)
    pattern = f"%{_escape_like(fold(term))}%"
    return or_(*(f.like(pattern, escape="\\") for f in fields))


@dataclass(frozen=True)
class IndexRead:
    """The ids read from the index for a term, each list cut off at the bound it was read to."""

    bound: int
    cases: tuple[int, ...] = ()
    applicants: tuple[int, ...] = ()

    @property
    def complete(self) -> bool:
        return len(self.cases) < self.bound and len(self.applicants) < self.bound


# A long term's phrase makes FTS5 read the posting list of every one of its bigrams, and some
# (20, 00 in 2025-0001) are in nearly every description. Two of its rare bigrams alone, read to
# this many ids and each candidate's description tested, cost a fraction of that; more
# candidates than this and the phrase is read after all. Within the bound the probes' costs
# (_ROW_COST) decide: 2024-01 on 1,000,000 cases leaves 2,000–5,000 candidates (5 ms of row
# tests) against a phrase of 890,000 postings (30 ms).
RARE_CANDIDATES = 5_000
# A candidate's row test costs about as much as reading this many postings (2.5 µs against
# 25 ns on the 1,000,000-case file): the phrase is kept when it would read fewer.
_ROW_COST = 100
# The bigrams are counted among this many cases in the middle of the archive, and the rarest
# few again at its start and end (a year's digits are rare in some years, common in others):
# bounded statements, whatever the archive's size.
_PROBE_WINDOW = 1_500
_PROBED_AGAIN = 3
# The rarest bigram is counted together with a few others in this many cases of the middle.
_PAIR_WINDOW = 4_000


def _window_counts(connection: Any, grams: list[str], starts: list[int]) -> list[int]:
    """How many descriptions of each stretch from `starts` hold each of `grams`, summed."""
    # A rowid range of its own in each count: FTS5 seeks to one range but scans for an OR.
    counts = " UNION ALL ".join(
        f"SELECT {i}, count(*) FROM search_case_terms WHERE search_case_terms MATCH ? "
        "AND rowid > ? AND rowid <= ?"
        for i in range(len(grams))
        for _ in starts
    )
    params: list[object] = []
    for gram in grams:
        for start in starts:
            params += [f"d_bi : {gram}", start, start + _PROBE_WINDOW]
    total = [0] * len(grams)
    for i, n in connection.exec_driver_sql(counts, tuple(params)).fetchall():
        total[i] += n
    return total


def _rarest_grams(connection: Any, grams: list[str]) -> list[str] | None:
    """The two bigrams of `grams` in the fewest descriptions of the probed stretches (or
    three, _third_gram).

    None when the phrase is the cheaper read by the counts (RARE_CANDIDATES, _ROW_COST): it
    is then read at once, rather than after a read of candidates in vain.
    """
    return _rarest_probe(connection, grams)[0]


def _rarest_probe(connection: Any, grams: list[str]) -> tuple[list[str] | None, list[float]]:
    """_rarest_grams, and how many descriptions of the archive the middle's counts say hold
    each of `grams`."""
    top = connection.exec_driver_sql("SELECT max(rowid) FROM cases").scalar() or 0
    middle = _window_counts(connection, grams, [top // 2])
    scale = top / _PROBE_WINDOW
    estimated = [n * scale for n in middle]
    postings = sum(middle) * scale
    rarest = min(middle) * scale
    # A bigram missing from the middle is rare, and its candidates few; the phrase would still
    # read every other bigram's postings (请提供2022年本区医疗机构设置规划 on 1,000,000 cases:
    # 29 ms, against a few for the pair's candidates). Even a common one can be read in a pair
    # with another part of the term that leaves few candidates, but no pair leaves fewer than
    # independent bigrams would (a·b/N), nor costs less than reading both posting lists.
    hopeless = math.sqrt(RARE_CANDIDATES * top)
    if rarest > hopeless or 2 * rarest > postings:
        return None, estimated
    few = sorted(range(len(grams)), key=lambda i: (middle[i], i))[:_PROBED_AGAIN]
    ends = _window_counts(connection, [grams[i] for i in few], [0, top - _PROBE_WINDOW])
    total = {i: middle[i] + n for i, n in zip(few, ends, strict=True)}
    ranked = sorted(few, key=lambda i: (total[i], i))
    rarest = total[ranked[0]] * scale / 3
    if rarest > hopeless or 2 * rarest > postings:
        return None, estimated
    # The rarest with a few others, counted together in a stretch of the middle: neighbouring
    # bigrams of a phrase often come together (区医, 疗机 in 医疗机构), and then they leave as
    # many candidates as the rarest alone, while one of another part of the term (供2 of
    # 请提供2022年, common alone) leaves a few. Those as frequent as the rarest in the middle are
    # taken for its own run and passed over; of the rest the least frequent few are counted
    # (each count costs FTS5 about 0.15 ms, however short the stretch). A pair costs FTS5 both
    # posting lists and each candidate a row test: the cheapest pair by those counts is read,
    # unless the phrase is the cheaper read.
    first = ranked[0]
    apart = [i for i in range(len(grams)) if middle[i] != middle[first]]
    others = sorted(apart or [ranked[1]], key=lambda i: (middle[i], i))[:_PROBED_AGAIN]
    wide = min(top, _PAIR_WINDOW)
    start = max(0, top // 2 - wide // 2)
    together = _stretch_counts(
        connection,
        {i: f"d_bi : ({grams[first]} AND {grams[i]})" for i in others},
        (start, start + wide),
    )
    joint: dict[int, float] = {i: float(n) * top / max(1, wide) for i, n in together}

    def cost(i: int) -> float:
        return (middle[first] + middle[i]) * scale + joint[i] * _ROW_COST

    second = min(others, key=lambda i: (cost(i), i))
    if joint[second] > RARE_CANDIDATES or cost(second) > postings:
        return None, estimated
    picked = [first, second]
    third = None
    if joint[second] > _THIRD_AFTER:
        # Not the pair's own runs (bigrams as frequent as either, which come with it).
        runs = {middle[first], middle[second]}
        rest = sorted(
            (i for i in range(len(grams)) if middle[i] not in runs), key=lambda i: (middle[i], i)
        )
        window = (start, start + wide)
        third = _third_gram(connection, grams, picked, rest[:_THIRD_PROBES], window, top)
    # FTS5 seeks the third's posting list to each of the pair's candidates rather than reading
    # it (a tenth of a millisecond for 2年 beside 区医 and 供2): it is taken when it leaves
    # clearly fewer candidates, by counts in the same stretch.
    if third is not None and third[1] < joint[second] * _THIRD_LEAVES:
        picked.append(third[0])
    return [grams[i] for i in picked], estimated


# A third bigram is counted with the pair only when the pair is expected to leave more
# candidates than this: each is a row test (about 2 µs), the count about 0.3 ms, and the pair's
# candidates are often all matches already (申请公开先锋村土地流转: 575 of 575).
_THIRD_AFTER = 1_000


# The least frequent this many others are counted as the third: the one that joins the pair's
# parts is rarely the least frequent (2年 of 请提供2022年 … 医疗机构设置规划 is its fifth).
def _stretch_counts(
    connection: Any, matches: dict[int, str], stretch: tuple[int, int]
) -> list[tuple[int, int]]:
    """For each key, how many ids within `stretch` (start exclusive, end inclusive) its FTS5
    query matches: one statement for all of them, each count read as (key, count)."""
    start, end = stretch
    counts = " UNION ALL ".join(
        f"SELECT {key}, count(*) FROM search_case_terms WHERE search_case_terms MATCH ? "
        "AND rowid > ? AND rowid <= ?"
        for key in matches
    )
    params: list[object] = []
    for query in matches.values():
        params += [query, start, end]
    return [(int(k), int(n)) for k, n in connection.exec_driver_sql(counts, tuple(params))]


_THIRD_PROBES = 5
_THIRD_LEAVES = 0.75


def _third_gram(
    connection: Any,
    grams: list[str],
    pair: list[int],
    others: list[int],
    window: tuple[int, int],
    top: int,
) -> tuple[int, float] | None:
    """The bigram of `others` that leaves the fewest candidates beside `pair`, and how many
    it leaves in the whole archive (estimated), counted in the pair's stretch (`window`);
    None when no other is left.

    A term of two parts held apart by common words (请提供2022年 … 医疗机构) leaves as
    candidates every case holding both parts' rarest bigrams, and a bigram joining the parts
    (2年) a tenth of them (1,784 against 214 on 1,000,000 cases): their row tests cost more
    than reading a third posting list, which FTS5 seeks through beside the two.
    """
    first, second = pair
    rest = [i for i in others if i not in pair]
    if not rest:
        return None
    start, end = window
    found = _stretch_counts(
        connection,
        {i: f"d_bi : ({grams[first]} AND {grams[second]} AND {grams[i]})" for i in rest},
        window,
    )
    third, n = min(found, key=lambda r: (r[1], r[0]))
    return int(third), float(n) * top / max(1, end - start)


def _case_ids_by_rarest(session: Session, term: str, after: int, bound: int) -> list[int] | None:
    """Up to `bound` ids (from `after` on, ascending) of cases holding `term`, SQLite only.

    The same ids as the phrase (index_case_ids): the candidates hold two of the term's rarest
    bigrams, and each is kept only if its description holds the term itself (LIKE folds ASCII
    letters as the index does); a number's matches come from its pieces (one token). None,
    for the phrase to be read, when the probes find the phrase the cheaper read, when the two
    leave more than RARE_CANDIDATES candidates, or when the term has fewer than three distinct
    bigrams.
    """
    grams = list(dict.fromkeys(_grams(term)))
    if len(term) < 3 or len(grams) < 3 or numeric(term):  # numeric: one token (index_case_ids)
        return None
    connection = session.connection()
    picked = _rarest_grams(connection, grams)
    if picked is None:
        return None
    rarest = " AND ".join(picked)
    candidates = [
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH ? "
            "AND rowid > ? ORDER BY rowid LIMIT ?",
            (f"d_bi : ({rarest})", after, RARE_CANDIDATES + 1),
        ).fetchall()
    ]
    if len(candidates) > RARE_CANDIDATES:
        return None
    pattern = f"%{_escape_like(fold(term))}%"
    rows = connection.exec_driver_sql(
        "SELECT id FROM cases WHERE id IN (SELECT value FROM json_each(?)) "
        "AND description LIKE ? ESCAPE '\\' "
        "UNION SELECT rowid FROM search_number_terms WHERE search_number_terms MATCH ? "
        "AND rowid > ? ORDER BY 1 LIMIT ?",
        (json.dumps(candidates), pattern, fts5_number_query(term), after, bound),
    )
    return [row[0] for row in rows.fetchall()]


def end_case_ids(
    session: Session, term: str, wanted: int, desc: bool, paired: bool = False
) -> tuple[list[int], int | None] | None:
    """Up to about `wanted` ids of cases holding `term`, from the newest (or oldest) id on,
    over the whole archive (SQLite); and the id beyond which every match not among them lies
    (below it newest first, above it oldest first; None when they are every match).

    For a term whose cases lie together far from the archive's end (2024-01, ten thousand case
    numbers of one year; -00, the first 100,000 numbers of each year), where reading all their
    ids and sorting the end cost most of the screen; a numeric term is its one token, and a
    term of one or two bigrams is read by _short_end_ids (not when `paired`). Otherwise two
    parts, each stopping after `wanted` ids: the
    number's pieces, the term's one token read in the list's direction (revision 0016); then the
    description, within the ids the first part did not pass, by the candidates of the term's
    rarest bigram (judged as `_case_ids_by_rarest` judges, or by the middle's counts alone
    when no pair serves a whole read), alone or beside the one other that costs least with it
    there (_description_grams), read in the list's direction up to RARE_CANDIDATES and each
    tested with LIKE in that order until `wanted` hold the term (2022年 on 1,000,000 cases:
    its 45,000 cases all hold 2年, and the newest 200 are the screen's candidates). None when
    those candidates hold fewer than `wanted` matches and more candidates lie beyond them:
    the list takes its other ways then; and, when `paired`, when no pair serves a whole read.
    """
    connection = session.connection()
    direction, passed = ("DESC", ">") if desc else ("ASC", "<")
    if numeric(term):  # one token for every case holding it (revision 0016)
        found = connection.exec_driver_sql(
            "SELECT rowid FROM search_number_terms WHERE search_number_terms MATCH ? "
            f"ORDER BY rowid {direction} LIMIT ?",
            (fts5_number_query(term), wanted),
        )
        return _end_parts([], [row[0] for row in found.fetchall()], wanted, desc)
    grams = list(dict.fromkeys(_grams(term)))
    short = len(term) < 3 or len(grams) < 3
    if short and paired:
        return None
    if short:
        return _short_end_ids(connection, term, wanted, direction, passed)
    picked, estimated = _rarest_probe(connection, grams)
    if picked is None and paired:
        return None
    if picked is None:
        # The whole of the term's cases would take the phrase; the end needs only its first.
        picked = [grams[min(range(len(grams)), key=lambda i: (estimated[i], i))]]
    by_number = [
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT rowid FROM search_number_terms WHERE search_number_terms MATCH ? "
            f"ORDER BY rowid {direction} LIMIT ?",
            (fts5_number_query(term), wanted),
        ).fetchall()
    ]
    # The description's matches are needed only as far as the number's part reached: every
    # match beyond it is beyond the screen's candidates either way.
    top = connection.exec_driver_sql("SELECT max(rowid) FROM cases").scalar() or 0
    span = (0, top)
    if len(by_number) >= wanted:
        span = (by_number[-1], top) if desc else (0, by_number[-1])
    first = grams.index(picked[0])
    within = f"AND rowid {passed} ? " if len(by_number) >= wanted else ""
    read = _description_grams(grams, first, estimated, span, top)
    match = f"d_bi : ({' AND '.join(read)})"
    pattern = f"%{_escape_like(fold(term))}%"
    # The candidates in two reads: a few screens' worth first, which holds a screen of matches
    # when most candidates hold the term (2021 newest first: 100 of its first 400), then the
    # rest up to RARE_CANDIDATES after them, each read tested in the list's direction.
    by_text: list[int] = []
    bounds = [by_number[-1]] if within else []
    onward = "<" if desc else ">"  # the next candidates, beyond the last read
    left = RARE_CANDIDATES + 1
    for chunk in (_FIRST_CANDIDATES * wanted, RARE_CANDIDATES + 1):
        size = min(chunk, left)
        candidates = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH ? "
                f"{within}ORDER BY rowid {direction} LIMIT ?",
                (match, *bounds, size),
            ).fetchall()
        ]
        left -= len(candidates)
        # Tested in the list's direction, stopping at `wanted`: the matches beyond the last of
        # them are beyond it whether tested or not, as are the candidates beyond those read.
        by_text += [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT id FROM cases WHERE id IN (SELECT value FROM json_each(?)) "
                f"AND description LIKE ? ESCAPE '\\' ORDER BY id {direction} LIMIT ?",
                (json.dumps(candidates), pattern, wanted - len(by_text)),
            ).fetchall()
        ]
        if len(by_text) >= wanted or len(candidates) < size:
            return _end_parts(by_text, by_number, wanted, desc)
        if left <= 0:
            return None  # more candidates than RARE_CANDIDATES and too few matches
        within += f"AND rowid {onward} ? "
        bounds.append(candidates[-1])

    return _end_parts(by_text, by_number, wanted, desc)


# end_case_ids reads this many screens of candidates first (see there).
_FIRST_CANDIDATES = 4


def _end_parts(
    by_text: list[int], by_number: list[int], wanted: int, desc: bool
) -> tuple[list[int], int | None]:
    """end_case_ids' answer from its two parts, each in the list's direction and cut off at
    `wanted` ids or complete: the matches of both, and the id beyond which the others lie."""
    beyond: int | None = None
    for part in (by_text, by_number):
        if len(part) >= wanted:  # a part cut off at its last id: the rest lie beyond it
            cut = part[-1]
            beyond = cut if beyond is None else (max(beyond, cut) if desc else min(beyond, cut))
    return sorted({*by_text, *by_number}, reverse=desc), beyond


def _short_end_ids(
    connection: Any, term: str, wanted: int, direction: str, passed: str
) -> tuple[list[int], int | None]:
    """end_case_ids for a term of one or two bigrams (-00, 4-): its number's token and its
    description's unigram, bigram or phrase of two, each read in the list's direction up to
    `wanted` ids, the description only as far as the number's part reached (one or two posting
    lists, which FTS5 reads whole at most: -00 in 1,000,000 descriptions, 1.3 ms)."""
    found = connection.exec_driver_sql(
        "SELECT rowid FROM search_number_terms WHERE search_number_terms MATCH ? "
        f"ORDER BY rowid {direction} LIMIT ?",
        (fts5_number_query(term), wanted),
    )
    by_number = [row[0] for row in found.fetchall()]
    within, bound = "", [fts5_description_query(term)]
    if len(by_number) >= wanted:
        within = f"AND rowid {passed} ? "
        bound.append(by_number[-1])
    found = connection.exec_driver_sql(
        "SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH ? "
        f"{within}ORDER BY rowid {direction} LIMIT ?",
        (*bound, wanted),
    )
    by_text = [row[0] for row in found.fetchall()]
    return _end_parts(by_text, by_number, wanted, direction == "DESC")


def _description_grams(
    grams: list[str], first: int, estimated: list[float], span: tuple[int, int], top: int
) -> list[str]:
    """The bigrams whose candidates end_case_ids reads in the descriptions of ids within
    `span`: the rarest (`first`) alone, or with the other whose entries there cost least
    beside the candidates the two leave (each a row test, _ROW_COST).

    Since revision 0016 a description's bigram has no entries of case numbers: 4- of 2024-01
    is read through its 3,733 descriptions of 1,000,000 cases, not through every number of 2024.
    """
    low, high = span
    wide = max(1, high - low)
    share = wide / max(1, top)
    described = [n * share for n in estimated]  # descriptions holding each within the span
    read, cost = [grams[first]], described[first] * (1 + _ROW_COST)
    for i in range(len(grams)):
        if i == first:
            continue
        left = described[first] * described[i] / wide  # as if the two were independent
        paired = described[first] + described[i] + left * _ROW_COST
        if paired < cost:
            read, cost = [grams[first], grams[i]], paired
    return read


def _read_on(
    session: Session, dialect: str, index: Any, term: str, bound: int, known: tuple[int, ...]
) -> tuple[int, ...]:
    if dialect == "sqlite" and index is index_case_ids:
        after = known[-1] if known else 0
        rare = _case_ids_by_rarest(session, term, after, bound - len(known))
        if rare is not None:
            return (*known, *rare)
    if known and dialect == "sqlite":  # carry on after the last id already read
        return (*known, *_first_ids(session, index(dialect, term, known[-1]), bound - len(known)))
    return tuple(_first_ids(session, index(dialect, term), bound))


def read_index(
    session: Session, term: str, bound: int, earlier: IndexRead | None = None
) -> IndexRead:
    """Up to `bound` case and applicant ids for `term`, going on from an earlier, smaller read."""
    dialect = session.get_bind().dialect.name
    known = earlier or IndexRead(0)
    cases = known.cases
    if earlier is None or len(cases) >= earlier.bound:
        cases = _read_on(session, dialect, index_case_ids, term, bound, cases)
    if len(cases) >= bound:
        return IndexRead(bound, cases)
    applicants = known.applicants
    # The earlier read stopped before the applicants when its cases filled the bound.
    unread = earlier is None or len(known.cases) >= earlier.bound
    if unread or len(applicants) >= known.bound:
        applicants = _read_on(session, dialect, index_applicant_ids, term, bound, applicants)
    return IndexRead(bound, cases, applicants)


def condition_of(session: Session, read: IndexRead) -> ColumnElement[bool] | None:
    """A WHERE condition on Case from the ids of `read`, or None if it stopped at its bound."""
    if not read.complete:
        return None
    if not read.cases and not read.applicants:
        return false()
    dialect = session.get_bind().dialect.name
    cases, applicants = list(read.cases), list(read.applicants)
    return or_(among(dialect, Case.id, cases), among(dialect, Case.applicant_id, applicants))


@dataclass(frozen=True)
class TextMatch:
    """How a term is found: the WHERE condition, and whether it is the row test of a common term.

    `read` holds what the index gave so far, for a common term's ids to be read on from there.
    """

    condition: ColumnElement[bool]
    common: bool
    read: IndexRead | None = None


def text_match(session: Session, term: str) -> TextMatch:
    """The condition on Case matching `term` in the description, case number or applicant."""
    term = term.strip()
    if not term:
        return TextMatch(true(), common=False)
    if "\x00" in term:
        # No stored text holds a NUL (case input refuses it), and PostgreSQL refuses one in a
        # query parameter: a NUL pasted into the box finds nothing, without asking the database.
        return TextMatch(false(), common=False)
    read = read_index(session, term, COMMON)
    found = condition_of(session, read)
    if found is not None:
        return TextMatch(found, common=False, read=read)
    scan = scan_condition(session.get_bind().dialect.name, term)
    return TextMatch(scan, common=True, read=read)


def text_condition(session: Session, term: str) -> ColumnElement[bool]:
    """A WHERE condition on Case matching `term` in the description, case number or applicant."""
    return text_match(session, term).condition


def whole_list_condition(session: Session, term: str) -> ColumnElement[bool]:
    """text_condition for a list read whole: a common term is found by the index on SQLite.

    The row test suits a walk that stops after a screen; over a whole list it reads every case
    and looks up every applicant (征收 on 300,000 cases: 0.56 s), while the index's ids, read
    once into a temporary table by SQLite, cost a fraction of that (0.09 s) in any order.
    """
    match = text_match(session, term)
    if not match.common or session.get_bind().dialect.name != "sqlite":
        return match.condition
    term = term.strip()
    by_case = Case.id.in_(index_case_ids("sqlite", term))
    return or_(by_case, Case.applicant_id.in_(index_applicant_ids("sqlite", term)))


# --------------------------------------------------------------------------- similar cases


def similar_candidates(
    session: Session,
    terms: list[str],
    limit: int,
    *,
    before: Any = None,
    exclude_id: int | None = None,
    above: int | None = None,
) -> list[tuple[int, str]]:
    """(id, description) of up to `limit` live cases whose description holds one of `terms`.

    For the similar-case list (cases.assist.similar): the request's most selective 3-character
    pieces, OR-ed, asked of the description's bigram index alone (the case number's tokens are
    left out: a request's text is what is compared). Newest first; `before` keeps cases received
    on or before that day, `above` only ids above it. One statement that stops after `limit`
    rows: the index drives it, so the cost follows the rows read, not the size of the archive.
    """
    terms = [t for t in terms if len(t) >= 2]
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        query = " OR ".join(f'(d_bi : "{" ".join(_grams(t))}")' for t in terms)
        where = ""
        params: list[object] = [query]
        if before is not None:
            where += " AND cases.received <= ?"
            params.append(before.isoformat())
        if exclude_id is not None:
            where += " AND cases.id != ?"
            params.append(exclude_id)
        if above is not None:
            where += " AND search_case_terms.rowid > ?"
            params.append(above)
        # CROSS JOIN keeps the index as the outer loop whatever the planner's statistics say
        # (without ANALYZE it would rather walk the voided flag's index over every case). The
        # driver's own rows: SQLAlchemy's row objects would cost more than the search.
        sql = (
            "SELECT cases.id, cases.description FROM search_case_terms "
            "CROSS JOIN cases ON cases.id = search_case_terms.rowid "
            f"WHERE search_case_terms MATCH ? AND cases.voided = 0{where} "
            "ORDER BY search_case_terms.rowid DESC LIMIT ?"
        )
        result = session.connection().exec_driver_sql(sql, (*params, limit))
        return [(int(i), str(d)) for i, d in result.fetchall()]
    # A conjunction of each piece's bigrams, not their phrase: a phrase makes PostgreSQL recheck
    # every hit by recomputing its tsvector (about 2 ms a row); the ranking that follows drops the
    # few texts that hold both bigrams apart.
    tsquery = " | ".join(f"({' & '.join('b' + g for g in _grams(t))})" for t in terms)
    terms_of = func.search_terms(Case.description, Case.no)
    stmt = select(Case.id, Case.description).where(
        terms_of.op("@@")(_tsquery(tsquery)), Case.voided.is_(False)
    )
    if before is not None:
        stmt = stmt.where(Case.received <= before)
    if exclude_id is not None:
        stmt = stmt.where(Case.id != exclude_id)
    if above is not None:
        stmt = stmt.where(Case.id > above)
    # id + 0: ordered by the bare id, the planner walks the primary key backwards and tests each
    # row's tsvector, recomputed, until it has `limit` (minutes for a rare piece); this way the
    # index finds the matches and only they are sorted.
    rows = session.execute(stmt.order_by((Case.id + 0).desc()).limit(limit))
    return [(int(i), str(d)) for i, d in rows]


def any_trigram_condition(session: Session, trigrams: list[str]) -> ColumnElement[bool]:
    """A WHERE condition on Case: the description contains at least one of these 3-grams.

    For the similar-case list (cases.assist.similar, h12): one OR query the token index answers on
    both
    backends, each 3-gram being the phrase of its two bigrams in the description.
    """
    grams = [g for g in trigrams if g]
    if not grams:
        return false()
    if session.get_bind().dialect.name == "sqlite":
        phrases = " OR ".join(f'"{" ".join(_grams(g))}"' for g in grams)
        by_text = (
            text("SELECT rowid FROM search_case_terms WHERE search_case_terms MATCH :tq")
            .bindparams(tq=f"d_bi : ({phrases})")
            .columns(column("rowid", Integer))
        )
        return Case.id.in_(by_text)
    query = " | ".join(f"({_phrase('u' if len(g) == 1 else 'b', _grams(g))})" for g in grams)
    terms = func.search_terms(Case.description, Case.no)
    return Case.id.in_(select(Case.id).where(terms.op("@@")(_tsquery(query))))
