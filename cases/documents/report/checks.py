"""The consistency checks a report must pass before export, each naming the cases at fault.

The arithmetic is done here on the report alone; what a check reads of the database (whether a
year has cases, the cases at fault when it fails, last year's published report) it asks of a
CheckSource: the ORM session's (faults.py) or, for a report read through sqlite3, from_file.py's.
Free of SQLAlchemy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from cases.documents.report.base import Check, Path
from cases.documents.report.layout import RowKind
from cases.documents.report.tables import Report, _line_codes
from cases.rules.handbook import ReviewColumn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class CheckSource(Protocol):
    """What the checks read of the database beyond the report's own figures."""

    def year_has_cases(self, report: Report, year: int) -> bool:
        """Whether a case of the report's scope (not voided) was received in the year."""
        ...

    def closed_before_received(self, report: Report, labels: Sequence[str]) -> tuple[str, ...]:
        """Received or closed in the year, closed before received, of the named columns."""
        ...

    def stray_outcomes(
        self, report: Report, stray: Sequence[str], unclassified: bool
    ) -> tuple[str, ...]:
        """Closed in the year with an outcome code of `stray` (or none, or an unknown one)."""
        ...

    def untyped(self, report: Report) -> tuple[str, ...]:
        """Counted in the year with an applicant type no column shows."""
        ...

    def continuity_differs(self, report: Report, other: int) -> tuple[str, ...]:
        """Counted by one of the two years' rules for the cases open between them, not both."""
        ...

    def table4_unclassed(
        self, report: Report, kind: str, results: Sequence[str]
    ) -> tuple[str, ...]:
        """The cases of the reviews of `kind` table 四 counts in none of `results`."""
        ...

    def dateless(self, report: Report) -> tuple[str, ...]:
        """Received by the year's end with an outcome code and no outcome date."""
        ...

    def published(self, report: Report) -> Check | None:
        """This year's 二 against last year's published 四 (report_snapshot.published_from)."""
        ...


def _check_balance(source: CheckSource, report: Report) -> list[Check]:
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
        # A case closed before it was received is counted on one side only.
        cases = source.closed_before_received(report, bad) if bad else ()
        checks.append(Check(text, not bad, cases, "；".join(details)))
    return checks


def _cell(report: Report, path: Path, index: int) -> int:
    values = report.row(path).values
    return values[index] if values is not None else 0


def _check_sums(source: CheckSource, report: Report) -> Check:
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
    cases = source.stray_outcomes(report, sorted(stray), unclassified) if bad else ()
    return Check("各合计行等于其所列各行之和", not bad, cases, "；".join(bad))


def _check_total_column(source: CheckSource, report: Report) -> Check:
    layout = report.layout
    total = report.columns.index(layout.total_column.label)
    bad = []
    for row in report.rows:
        if row.values is None:
            continue
        parts = sum(v for i, v in enumerate(row.values) if i != total)
        if row.values[total] != parts:
            bad.append(f"“{row.line.label}”：{row.values[total]} ≠ {parts}")
    cases = source.untyped(report) if bad else ()
    names = "、".join(c.label for c in layout.type_columns)
    return Check(f"总计栏等于{names}各栏之和", not bad, cases, "；".join(bad))


def _by_type(report: Report, field: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for (kind, _), tally in report.tallies.items():
        totals[kind] += getattr(tally, field)
    return {k: v for k, v in totals.items() if v}


def _check_continuity(source: CheckSource, report: Report) -> list[Check]:
    """This year's 四 against next year's 二, and this year's 二 against last year's 四, each
    counted by its own year's rule, whenever the other year has cases."""
    layout, year = report.layout, report.year
    out_label = layout.of_kind(RowKind.CARRIED_OUT).label
    in_label = layout.of_kind(RowKind.CARRIED_IN).label
    checks = []
    pairs = (
        (year + 1, "carried_out", "next_carried_in",
         f"本年“{out_label}”等于{year + 1}年“{in_label}”"),
        (year - 1, "carried_in", "prev_carried_out",
         f"本年“{in_label}”等于{year - 1}年“{out_label}”"),
    )  # fmt: skip
    labels = {c.id: c.label for c in layout.type_columns}
    for other, mine, theirs, rule in pairs:
        if not source.year_has_cases(report, other):
            checks.append(Check(rule, True, (), f"{other}年没有案件，不比较"))
            continue
        a, b = _by_type(report, mine), _by_type(report, theirs)
        if a == b:
            checks.append(Check(rule, True))
            continue
        detail = "；".join(
            f"{labels.get(k, k)}：{a.get(k, 0)} ≠ {b.get(k, 0)}"
            for k in sorted(set(a) | set(b))
            if a.get(k, 0) != b.get(k, 0)
        )
        checks.append(Check(rule, False, source.continuity_differs(report, other), detail))
    return checks


def _check_table4(source: CheckSource, report: Report) -> list[Check]:
    layout = report.layout
    checks = []
    groups: dict[str, list[tuple[ReviewColumn, int]]] = defaultdict(list)
    for column, value in zip(layout.review_columns, report.table4, strict=True):
        groups[column.kind].append((column, value))
    for kind, cells in groups.items():
        name = "/".join(cells[0][0].path[:-1])
        total = sum(v for c, v in cells if c.result == "total")
        parts = sum(v for c, v in cells if c.result != "total")
        results = [c.result for c, _ in cells if c.result != "total"]
        cases = source.table4_unclassed(report, kind, results) if total != parts else ()
        checks.append(
            Check(f"表四“{name}”各项之和等于总计", total == parts, cases,
                  "" if total == parts else f"{parts} ≠ {total}")
        )  # fmt: skip
    return checks


def _check_outcome_dates(source: CheckSource, report: Report) -> Check:
    """A case with an outcome but no outcome date would be carried forward as if still open."""
    rule = "有办理结果的案件均有办结日期"
    if not any(t.dateless for t in report.tallies.values()):
        return Check(rule, True)
    return Check(rule, False, source.dateless(report))


def check_demo(report: Report) -> Check:
    """Demo cases are counted like any other, so that a trial file shows a real-looking report;
    this warning goes wherever the figures go, for a file that holds real cases too."""
    n = report.demo_cases
    detail = f"统计的案件中有{n}件是演示案件（demo 命令生成），正式年报须用不含演示数据的数据库编制"
    return Check("不含演示数据", n == 0, detail=detail if n else "", blocking=False)


def run_checks(source: CheckSource, report: Report) -> tuple[Check, ...]:
    """Every rule the report must satisfy before export, reading what they need from `source`."""
    published = source.published(report)
    return (
        *_check_balance(source, report),
        _check_sums(source, report),
        _check_total_column(source, report),
        *_check_continuity(source, report),
        *_check_table4(source, report),
        _check_outcome_dates(source, report),
        check_demo(report),
        *((published,) if published is not None else ()),
    )


def check_report(session: Session, report: Report) -> tuple[Check, ...]:
    """Every rule the report must satisfy before export, each naming the cases at fault."""
    from cases.documents.report.faults import SessionFaults

    return run_checks(SessionFaults(session), report)
