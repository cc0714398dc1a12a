"""Benchmark: case-list first screens and search beside the database's own floor (not a test).

# .venv/bin/python bench/bench_list.py [--cases 300000] [--db FILE-OR-URL] [--runs 7]

For every sort column both ways, the quick views, the filters, a year's list by every sort
column both ways (the last full year and the current one), and search terms of 1 to 20
characters (and the window's own terms at its page of 100 rows), it times
cases.query.caselist.case_ids(limit=50) as the window calls it, and beside it
the floor measured in the same run on the same file: for a sort or filter, one hand-written SQL
statement returning the same 50 ids in the same order (checked); for a quick view, the program's
own statements run straight through the driver (what is left without SQLAlchemy); for a search,
the raw index lookups the program makes first, bounded as it bounds them. Medians of wall-clock
time; the CPU column is this process's own time, which the load of a shared machine does not
inflate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.floor import Row, bench_db, print_table, timed

TARGET_SQLITE_MS = 30
WINDOW_PAGE = 100  # the rows the case window asks for at once (gui/casemodel.py, page_size)
TARGET_POSTGRES_MS = 50
SEARCH_TERMS = [
    "镇", "湿", "张", "9",  # one character: common, rare, a surname, a digit
    "征收", "预算", "规划", "20",
    "长兴镇", "房屋征收补偿", "规划许可证", "2025-0001", "沪规建", "疏浚工程招标",
    "申请公开先锋村土地流转", "请提供2022年本区医疗机构设置规划",
    "2025年9月对上海天越物业管理有限公司",  # 20 characters
    "上海东滩农业", "周晓梅",  # applicant names
    # Digits and hyphens whose cases lie far from the newest (revision 0016 reads them as one
    # token): a past year, the current year's number prefix, a piece at the start of each
    # year's numbers, a thousand numbers of one year.
    "2021", "2026-0", "-00", "2020-000",
]  # fmt: skip
# Terms also measured sorted oldest first (the window's other direction by date), at its page.
OLDEST_FIRST_TERMS = ["2024-01", "2026", "2023", "镇"]
# Terms sorted by another column than the date, at the window's page (the kinds that were slowest
# there: a term's ids sorted or its sort index walked, cases.query.caselist._walk_sorted).
SORTED_TERMS = [
    ("预算", "handler", True), ("2024-01", "applicant", False), ("2021", "step", False),
    ("2021", "remaining", True), ("-00", "status", True), ("张", "applicant_type", True),
]  # fmt: skip


def year_sql(year: int, key: str, sqlite: bool) -> tuple[str, str]:
    """A year's condition as a hand-written first screen would ask it, and the order's lead.

    For a sort an index led by the year serves (revision 0013) the year is that index's
    expression, and on PostgreSQL a range of it leading the order (caselist._in_year says why);
    sorted by applicant, SQLite walks the names and tests the date; for the other sorts the date
    range, which the received index (or the sort's own with the date) serves.
    """
    from cases.query.caselist import _YEAR_INDEXED, SortKey
    from cases.storage.received_year import POSTGRESQL_SQL, SQLITE_SQL

    dates = f"BETWEEN '{year}-01-01' AND '{year}-12-31'"
    if SortKey(key) not in _YEAR_INDEXED:
        tested = sqlite and key == SortKey.APPLICANT
        return f"{'coalesce(c.received, c.received)' if tested else 'c.received'} {dates}", ""
    expression = (SQLITE_SQL if sqlite else POSTGRESQL_SQL).format("c.received")
    if sqlite:
        return f"{expression} = {year} AND coalesce(c.received, c.received) {dates}", ""
    return f"{expression} BETWEEN {year} AND {year}", expression


def floor_sql(key: str, desc: bool, nv: str, steps: list[str], lead: str = "") -> str:
    """The hand-written statement returning the program's first screen for one sort.

    `nv` is every condition of the list (the live cases, a year); `lead` an expression every
    order starts with, in the order's own direction.
    """
    from cases.rules import vocab

    d = "DESC" if desc else "ASC"
    newest = "c.received DESC, c.id DESC"

    def led(order: str) -> str:
        if not lead:
            return order
        return f"{lead} {'DESC' if order.split(',')[0].endswith('DESC') else 'ASC'}, {order}"

    def union(parts: list[tuple[str, str]]) -> str:
        return (
            " UNION ALL ".join(
                f"SELECT * FROM (SELECT c.id FROM cases c WHERE {nv} AND {w} ORDER BY {led(o)} "
                f"LIMIT 50) AS s{i}"
                for i, (w, o) in enumerate(parts)
            )
            + " LIMIT 50"
        )

    def ranked(column: str, values: list[str]) -> str:
        ordered = list(reversed(values)) if desc else values
        quoted = ", ".join(f"'{v}'" for v in values)
        parts = [(f"{column} = '{v}'", newest) for v in ordered]
        return union([*parts, (f"{column} NOT IN ({quoted})", newest)])

    def nullable(column: str, order: str) -> str:
        return union([(f"{column} IS NOT NULL", order), (f"{column} IS NULL", "c.id DESC")])

    if key == "no":
        return union([("1 = 1", f"c.no {d}, c.id {d}")])
    if key == "received":
        return union([("1 = 1", f"c.received {d}, c.id {d}")])
    if key == "applicant":
        return (
            f"SELECT c.id FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE {nv} "
            f"ORDER BY a.name {d}, a.id_number {d}, a.id {d}, c.id {d} LIMIT 50"
        )
    if key == "applicant_type":  # the applicant's type as each case keeps it (revision 0015)
        return ranked("c.applicant_type", list(vocab.APPLICANT_TYPES))
    if key == "channel":
        return ranked("c.channel", list(vocab.CHANNELS))
    if key == "step":
        return ranked("c.step", steps)
    if key == "status":
        ordered = list(reversed(vocab.STATUSES)) if desc else list(vocab.STATUSES)
        return union([(f"c.status = '{s}'", f"c.due {d}, c.id {d}") for s in ordered])
    if key in ("department", "due", "handler"):
        return nullable(f"c.{key}", f"c.{key} {d}, c.id {d}")
    if key == "outcome":
        return nullable("c.outcome_code", f"c.outcome_code {d}, c.outcome_on {d}, c.id {d}")
    if key == "remaining":
        return union(
            [
                ("c.status = 'open'", f"c.due {d}, c.id {d}"),
                ("c.status = 'suspended'", "c.due ASC, c.id ASC"),
                ("c.status = 'closed'", "c.due DESC, c.id DESC"),
            ]
        )
    raise KeyError(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--db", help="SQLite file or SQLAlchemy URL (default: the bench file)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--search-only", action="store_true", help="the search rows alone")
    args = parser.parse_args()

    from sqlalchemy import event

    from cases.query import search
    from cases.query.caselist import CaseQuery, Me, SortKey, View, case_ids
    from cases.rules.handbook import RoleId, load_handbook
    from cases.storage.store import open_store

    db = args.db or str(bench_db(args.cases))
    if args.db is None:
        from bench.bench_gui import build_database

        build_database(Path(db), args.cases)
    store = open_store(db)
    sqlite = store.engine.dialect.name == "sqlite"
    target = TARGET_SQLITE_MS if sqlite else TARGET_POSTGRES_MS
    nv = "+c.voided = 0" if sqlite else "NOT c.voided"
    steps = [s.id for s in load_handbook().steps]
    raw = store.engine.raw_connection()
    cursor = raw.cursor()

    def run_sql(sql: str, params: tuple[Any, ...] = ()) -> list[int]:
        # No parameters at all rather than an empty tuple: psycopg would read % as a placeholder.
        if params:
            cursor.execute(sql, params)
        else:
            cursor.execute(sql)
        return [r[0] for r in cursor.fetchall()]

    backend = "SQLite" if sqlite else "PostgreSQL"
    lists, searches = f"case list first screen ({backend})", f"search first screen ({backend})"
    # Apart in the summary: a search sorted by a column other than the date is the slow kind left.
    sorted_searches = f"search sorted by another column ({backend})"
    rows: list[Row] = []
    with store.session() as session:
        total = session.execute(store_count()).scalar_one()

        def program(query: CaseQuery, limit: int = 50) -> list[int]:
            return case_ids(session, query, limit=limit)

        def statements_of(query: CaseQuery) -> list[tuple[str, Any]]:
            """What the program sends the database for one first screen, to replay raw."""
            sent: list[tuple[str, Any]] = []

            def keep(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: Any) -> None:
                sent.append((statement, params))

            event.listen(store.engine, "before_cursor_execute", keep)
            try:
                program(query)
            finally:
                event.remove(store.engine, "before_cursor_execute", keep)
            return sent

        def replay(sent: list[tuple[str, Any]]) -> None:
            for statement, params in sent:
                cursor.execute(statement, params)
                cursor.fetchall()

        for key in [] if args.search_only else SortKey:
            for desc in (False, True):
                query = CaseQuery(sort=key, descending=desc)
                sql = floor_sql(key.value, desc, nv, steps)
                same = program(query) == run_sql(sql)
                measured = timed(lambda q=query: program(q), args.runs)  # type: ignore[misc]
                floor = timed(lambda s=sql: run_sql(s), args.runs)  # type: ignore[misc]
                rows.append(
                    Row(
                        f"sort {key.value} {'desc' if desc else 'asc'}",
                        target,
                        measured.wall_ms,
                        floor.wall_ms,
                        f"cpu {measured.cpu_ms:.1f}ms" + ("" if same else " DIFFERENT IDS"),
                        group=lists,
                        cpu_ms=measured.cpu_ms,
                    )
                )
        handler = session.execute(store_a_handler()).scalar()
        me = Me(str(handler), str(handler), frozenset({RoleId.HANDLER, RoleId.SIGNER}))
        for view in [] if args.search_only else View:
            query = CaseQuery(view=view, me=me)
            sent = statements_of(query)
            measured = timed(lambda q=query: program(q), args.runs)  # type: ignore[misc]
            floor = timed(lambda s=sent: replay(s), args.runs)  # type: ignore[misc]
            note = f"cpu {measured.cpu_ms:.1f}ms; floor: its {len(sent)} statement(s) raw"
            rows.append(
                Row(
                    f"view {view.value}",
                    target,
                    measured.wall_ms,
                    floor.wall_ms,
                    note,
                    group=lists,
                    cpu_ms=measured.cpu_ms,
                )
            )
        base = CaseQuery()
        today = dt.date.today()
        latest = int(session.execute(store_latest_year()).scalar_one())
        filters = [
            ("filter status=open", replace(base, status="open"), "c.status = 'open'"),
            ("filter status=closed", replace(base, status="closed"), "c.status = 'closed'"),
            (
                f"filter year={latest}",
                replace(base, year=latest),
                f"c.received BETWEEN '{latest}-01-01' AND '{latest}-12-31'",
            ),
        ]
        for name, query, where in [] if args.search_only else filters:
            sql = (
                f"SELECT c.id FROM cases c WHERE {nv} AND {where} "
                "ORDER BY c.received DESC, c.id DESC LIMIT 50"
            )
            same = program(query) == run_sql(sql)
            measured = timed(lambda q=query: program(q), args.runs)  # type: ignore[misc]
            floor = timed(lambda s=sql: run_sql(s), args.runs)  # type: ignore[misc]
            note = f"cpu {measured.cpu_ms:.1f}ms" + ("" if same else " DIFFERENT IDS")
            row = Row(name, target, measured.wall_ms, floor.wall_ms, note, "ms", lists)
            rows.append(replace(row, cpu_ms=measured.cpu_ms))
        del today
        # A year's list by every sort: the window's year filter beside its sort columns. The last
        # full year and the current one (with the open cases, which some orders start with).
        for year in [] if args.search_only else (latest - 1, latest):
            for key in SortKey:
                for desc in (False, True):
                    query = replace(base, year=year, sort=key, descending=desc)
                    where, lead = year_sql(year, key.value, sqlite)
                    sql = floor_sql(key.value, desc, f"{nv} AND {where}", steps, lead)
                    same = program(query) == run_sql(sql)
                    measured = timed(lambda q=query: program(q), args.runs)  # type: ignore[misc]
                    floor = timed(lambda s=sql: run_sql(s), args.runs)  # type: ignore[misc]
                    note = f"cpu {measured.cpu_ms:.1f}ms" + ("" if same else " DIFFERENT IDS")
                    name = f"year={year} sort {key.value} {'desc' if desc else 'asc'}"
                    row = Row(name, target, measured.wall_ms, floor.wall_ms, note, "ms", lists)
                    rows.append(replace(row, cpu_ms=measured.cpu_ms))
        from bench.bench_gui import SEARCH_TERMS as WINDOW_TERMS

        # The terms at bench_list's screen of 50, then the window's terms at its page of rows.
        by_date = SortKey.RECEIVED
        searched = [(t, 50, True, by_date) for t in SEARCH_TERMS]
        searched += [(t, WINDOW_PAGE, True, by_date) for t in WINDOW_TERMS]
        searched += [(t, WINDOW_PAGE, False, by_date) for t in OLDEST_FIRST_TERMS]
        searched += [(t, WINDOW_PAGE, newest, SortKey(k)) for t, k, newest in SORTED_TERMS]
        if not sqlite:
            # As the program reads the tokens (cases.query.search.by_index): left to itself the
            # planner would compute every row's tokens for 20 (6 s for 5,000 ids).
            cursor.execute("SET enable_seqscan = off")
        for term, page, newest, key in searched:
            query = replace(base, search=term, descending=newest, sort=key)
            # The floor: the index lookups the program itself makes first, raw, each bounded
            # as the program bounds it (search.COMMON); an unbounded lookup of a term in every
            # case would measure reading 300,000 ids, which no first screen does.
            bound = search.COMMON
            if sqlite:
                # Revision 0016: the description's tokens and the number's pieces in two
                # tables; a numeric term is one token of the pieces alone (search.numeric).
                tables = [("search_number_terms", search.fts5_number_query(term))]
                if not search.numeric(term):
                    tables.insert(0, ("search_case_terms", search.fts5_description_query(term)))
                tables.append(("search_applicant_terms", search.fts5_applicant_query(term)))
                lookup = " UNION ALL ".join(
                    f"SELECT * FROM (SELECT rowid FROM {t} WHERE {t} MATCH ? LIMIT {bound})"
                    for t, _ in tables
                )
                params: tuple[Any, ...] = tuple(match for _, match in tables)
            else:
                dialect = store.engine.dialect
                cases = search.index_case_ids("postgresql", term).limit(bound)
                people = search.index_applicant_ids("postgresql", term).limit(bound)
                compiled = [
                    q.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
                    for q in (cases, people)
                ]
                lookup = f"({compiled[0]}) UNION ALL ({compiled[1]})"
                params = ()
            found = len(run_sql(lookup, params))
            measured = timed(lambda q=query, n=page: program(q, n), args.runs)  # type: ignore[misc]
            floor = timed(lambda s=lookup, p=params: run_sql(s, p), args.runs)  # type: ignore[misc]
            note = f"cpu {measured.cpu_ms:.1f}ms, {found:,} ids read (bounded at {bound:,})"
            label = f"search {term} ({len(term)})" + ("" if page == 50 else f", {page} rows")
            if key is not by_date:
                label += f", by {key.value} {'desc' if newest else 'asc'}"
            elif not newest:
                label += ", oldest first"
            group = searches if key is by_date else sorted_searches
            row = Row(label, target, measured.wall_ms, floor.wall_ms, note, "ms", group)
            rows.append(replace(row, cpu_ms=measured.cpu_ms))
    raw.close()
    store.close()
    print_table(f"Case list and search, first screen of 50 — {db} ({total:,} cases)", rows, total)
    if args.json:
        args.json.write_text(
            json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=1), encoding="utf-8"
        )


def store_count() -> Any:
    from sqlalchemy import func, select

    from cases.storage.model import Case

    return select(func.count(Case.id))


def store_a_handler() -> Any:
    from sqlalchemy import func, select

    from cases.storage.model import Case

    return select(func.max(Case.handler))


def store_latest_year() -> Any:
    from sqlalchemy import extract, func, select

    from cases.storage.model import Case

    return select(extract("year", func.max(Case.received)))


if __name__ == "__main__":
    main()
