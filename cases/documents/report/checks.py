"""The consistency checks a report must pass before export, each naming the cases at fault."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, exists, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases.documents.report.base import (
    Check,
    Path,
)
from cases.documents.report.counting import (
    Report,
    _bounds,
    _closed_in,
    _line_codes,
    _numbers,
    _open_at_end,
    _open_at_start,
    _received_in,
    _review_class,
    _review_scope,
    _type_filter,
    not_voided,
)
from cases.documents.report.layout import RowKind
from cases.rules.handbook import ReviewColumn
from cases.storage.model import Applicant, Case, Review


def _check_balance(session: Session, report: Report) -> list[Check]:
    layout, checks = report.layout, []
    for text, left, right in layout.balance:
        bad: list[str] = []
        details: list[str] = []
        for i, column in enumerate(report.columns):
            lsum = sum(_cell(report, p, i) for p in left)
            rsum = sum(_cell(report, p, i) for p in right)
            if lsum != rsum:
                bad.append(column)
                details.append(f"{column}栏：{lsum} ≠ {rsum}")
        cases: tuple[str, ...] = ()
        if bad:
            # A case closed before it was received is counted on one side only.
            cases = _numbers(
                session,
                report.scope,
                Case.outcome_on < Case.received,
                or_(_received_in(report.year), _closed_in(report.year)),
                _type_filter(layout, bad),
            )
        checks.append(Check(text, not bad, cases, "；".join(details)))
    return checks


def _cell(report: Report, path: Path, index: int) -> int:
    values = report.row(path).values
    return values[index] if values is not None else 0


def _check_sums(session: Session, report: Report) -> Check:
    layout = report.layout
    bad: list[str] = []
    stray: set[str] = set()
    unclassified = False
    for row in report.rows:
        line = row.line
        if line.kind is not RowKind.SUM or row.values is None:
            continue
        for i, column in enumerate(report.columns):
            parts = sum(_cell(report, p, i) for p in line.sum_of)
            if row.values[i] != parts:
                bad.append(f"“{line.label}”{column}栏：{row.values[i]} ≠ {parts}")
                codes, loose = _line_codes(layout, line)
                members: set[str] = set()
                for p in line.sum_of:
                    members |= _line_codes(layout, layout.line(p))[0]
                stray |= codes - members
                unclassified |= loose
    cases: tuple[str, ...] = ()
    if bad:
        known = list(layout.outcome_paths)
        wrong = [Case.outcome_code.in_(sorted(stray))]
        if unclassified:
            wrong += [Case.outcome_code.is_(None), Case.outcome_code.not_in(known)]
        cases = _numbers(session, report.scope, _closed_in(report.year), or_(*wrong))
    return Check("各合计行等于其所列各行之和", not bad, cases, "；".join(bad))


def _check_total_column(session: Session, report: Report) -> Check:
    layout = report.layout
    total = report.columns.index(layout.total_column.label)
    bad = []
    for row in report.rows:
        if row.values is None:
            continue
        parts = sum(v for i, v in enumerate(row.values) if i != total)
        if row.values[total] != parts:
            bad.append(f"“{row.line.label}”：{row.values[total]} ≠ {parts}")
    cases: tuple[str, ...] = ()
    if bad:
        types = [c.id for c in layout.type_columns]
        year = report.year
        counted = or_(
            _received_in(year), _open_at_start(year), _closed_in(year), _open_at_end(year)
        )
        cases = _numbers(session, report.scope, counted, Applicant.type.not_in(types))
    names = "、".join(c.label for c in layout.type_columns)
    return Check(f"总计栏等于{names}各栏之和", not bad, cases, "；".join(bad))


def _year_has_cases(session: Session, year: int, scope: ColumnElement[bool]) -> bool:
    return bool(session.scalar(select(exists().where(not_voided(), scope, _received_in(year)))))


def _by_type(report: Report, field: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (kind, _), tally in report.tallies.items():
        totals[kind] += getattr(tally, field)
    return {k: v for k, v in totals.items() if v}


def _check_continuity(session: Session, report: Report) -> list[Check]:
    """This year's 四 against next year's 二, and this year's 二 against last year's 四, each
    counted by its own year's rule, whenever the other year has cases."""
    layout, year = report.layout, report.year
    out_label = layout.of_kind(RowKind.CARRIED_OUT).label
    in_label = layout.of_kind(RowKind.CARRIED_IN).label
    checks = []
    pairs = (
        (year + 1, "carried_out", "next_carried_in", _open_at_end(year), _open_at_start(year + 1),
         f"本年“{out_label}”等于{year + 1}年“{in_label}”"),
        (year - 1, "carried_in", "prev_carried_out", _open_at_start(year), _open_at_end(year - 1),
         f"本年“{in_label}”等于{year - 1}年“{out_label}”"),
    )  # fmt: skip
    labels = {c.id: c.label for c in layout.type_columns}
    for other, mine, theirs, mine_rule, their_rule, rule in pairs:
        if not _year_has_cases(session, other, report.scope):
            checks.append(Check(rule, True, (), f"{other}年没有案件，不比较"))
            continue
        a, b = _by_type(report, mine), _by_type(report, theirs)
        if a == b:
            checks.append(Check(rule, True))
            continue
        differ = or_(and_(mine_rule, not_(their_rule)), and_(their_rule, not_(mine_rule)))
        detail = "；".join(
            f"{labels.get(k, k)}：{a.get(k, 0)} ≠ {b.get(k, 0)}"
            for k in sorted(set(a) | set(b))
            if a.get(k, 0) != b.get(k, 0)
        )
        checks.append(Check(rule, False, _numbers(session, report.scope, differ), detail))
    return checks


def _check_table4(session: Session, report: Report) -> list[Check]:
    layout, year = report.layout, report.year
    checks = []
    groups: dict[str, list[tuple[ReviewColumn, int]]] = defaultdict(list)
    for column, value in zip(layout.review_columns, report.table4, strict=True):
        groups[column.kind].append((column, value))
    for kind, cells in groups.items():
        name = "/".join(cells[0][0].path[:-1])
        total = sum(v for c, v in cells if c.result == "total")
        parts = sum(v for c, v in cells if c.result != "total")
        results = [c.result for c, _ in cells if c.result != "total"]
        cases: tuple[str, ...] = ()
        if total != parts:
            stmt = (
                select(Case.no)
                .join(Review, Review.case_id == Case.id)
                .where(
                    _review_scope(year, report.scope),
                    Review.kind == kind,
                    _review_class(year).not_in(results),
                )
                .order_by(Case.no)
            )
            cases = tuple(session.scalars(stmt))
        checks.append(
            Check(f"表四“{name}”各项之和等于总计", total == parts, cases,
                  "" if total == parts else f"{parts} ≠ {total}")
        )  # fmt: skip
    return checks


def _check_outcome_dates(session: Session, report: Report) -> Check:
    """A case with an outcome but no outcome date would be carried forward as if still open."""
    rule = "有办理结果的案件均有办结日期"
    if not any(t.dateless for t in report.tallies.values()):
        return Check(rule, True)
    _, last = _bounds(report.year)
    cases = _numbers(
        session,
        report.scope,
        Case.received <= last,
        Case.outcome_code.is_not(None),
        Case.outcome_on.is_(None),
    )
    return Check(rule, False, cases)


def check_demo(report: Report) -> Check:
    """Demo cases are counted like any other, so that a trial file shows a real-looking report;
    this warning goes wherever the figures go, for a file that holds real cases too."""
    n = report.demo_cases
    detail = f"统计的案件中有{n}件是演示案件（demo 命令生成），正式年报须用不含演示数据的数据库编制"
    return Check("不含演示数据", n == 0, detail=detail if n else "", blocking=False)


def check_report(session: Session, report: Report) -> tuple[Check, ...]:
    """Every rule the report must satisfy before export, each naming the cases at fault."""
    from cases.documents.report_snapshot import published_check  # it reads the report's own types

    published = published_check(session, report)
    return (
        *_check_balance(session, report),
        _check_sums(session, report),
        _check_total_column(session, report),
        *_check_continuity(session, report),
        *_check_table4(session, report),
        _check_outcome_dates(session, report),
        check_demo(report),
        *((published,) if published is not None else ()),
    )
