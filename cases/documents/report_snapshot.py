"""What was published: a snapshot of each exported annual report, and next year's check on it."""

# Decision: a report is "published" when it is exported to a file; the snapshot (the figures of
# table 三 and the cases carried forward in 四, by applicant type) is kept in the settings table
# under report_published.<body>.<year>; a later export of the same year replaces it. The next
# year's 二 must equal that 四; a difference is a warning naming the cases that changed since
# (a published report cannot be changed, so the office explains the difference in its text).
#
# The snapshot's contents and the check are made here from plain values (snapshot_text,
# published_from), which the ORM session (below) and sqlite3 (report.from_file) both supply;
# SQLAlchemy is imported only by the session's functions.

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cases.documents.report.base import Check
from cases.documents.report.layout import RowKind
from cases.documents.report.tables import Report
from cases.timing import dates

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PREFIX = "report_published"


def _key(body: str | None, year: int) -> str:
    return f"{PREFIX}.{body or '*'}.{year}"


def snapshot_key(body: str | None, year: int) -> str:
    """The settings key the snapshot of the body's report of the year is kept under."""
    return _key(body, year)


def snapshot_data(report: Report, carried: list[list[str]]) -> dict[str, Any]:
    """What the exported report says; `carried` the cases open at its end with their types."""
    out_line = report.layout.of_kind(RowKind.CARRIED_OUT)
    return {
        "year": report.year,
        "body": report.body,
        "office": report.office,
        "exported_on": dates.today().isoformat(),
        "rows": [[list(r.path), None if r.values is None else list(r.values)] for r in report.rows],
        "carried_out": list(report.row(out_line.path).values or ()),
        "carried_out_cases": carried,
    }


def snapshot_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


class DamagedSnapshot(Exception):
    """A kept snapshot that cannot be read as one (not JSON, or not the shape snapshot_data
    gives it)."""


def snapshot_of(text: str | None) -> dict[str, Any] | None:
    """A kept snapshot from its settings value (None: none kept); DamagedSnapshot for a value
    that is not one, whose figures the check could not compare with."""
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DamagedSnapshot from exc
    if not isinstance(data, dict) or not _readable(data):
        raise DamagedSnapshot
    return data


def _readable(data: dict[str, Any]) -> bool:
    # What published_from reads: the figures carried out and the cases with their types.
    figures, cases = data.get("carried_out"), data.get("carried_out_cases")
    if not isinstance(figures, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in figures
    ):
        return False
    return isinstance(cases, list) and all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        for pair in cases
    )


def published_from(
    report: Report,
    kept: Callable[[], dict[str, Any] | None],
    carried: Callable[[int], list[list[str]]],
) -> Check | None:
    """This year's 二 against last year's published 四 (`kept()`, the snapshot kept); None when
    nothing was published. `carried(year)` gives the cases open at a year's end now.

    A damaged snapshot is a failed check that does not stop the export, naming the year: this
    year's tables are counted from the cases and stand without it, and the report is due; the
    compiler is told the comparison was not made, so it is not taken for one that passed.
    """
    in_line = report.layout.of_kind(RowKind.CARRIED_IN)
    rule = f"本年“{in_line.label}”等于{report.year - 1}年已发布年报的“结转下年度继续办理”"
    try:
        last = kept()
    except DamagedSnapshot:
        detail = f"{report.year - 1}年已发布年报的保存内容已损坏，未与其核对；请重新导出该年年报"
        return Check(rule, False, (), detail, blocking=False)
    if last is None:
        return None
    now = list(report.row(in_line.path).values or ())
    if now == last["carried_out"]:
        return Check(rule, True, (), "", blocking=False)
    then = {tuple(pair) for pair in last["carried_out_cases"]}
    current = {tuple(pair) for pair in carried(report.year - 1)}
    changed = tuple(sorted({no for no, _ in then ^ current}))
    detail = (
        f"已发布 {sum(last['carried_out'][-1:])} 件，现为 {sum(now[-1:])} 件；"
        "发布后有案件变动，请在年报中说明"
    )
    return Check(rule, False, changed, detail, blocking=False)


# --------------------------------------------------------------------------- the ORM way


def _carried(session: Session, report: Report, year: int) -> list[list[str]]:
    from sqlalchemy import select

    from cases.documents.report.counting import (
        body_scope,
        by_number,
        found_open_at_end,
        not_voided,
    )
    from cases.storage.model import Applicant, Case

    stmt = (
        select(Case.no, Applicant.type)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), body_scope(session, report.body), found_open_at_end(session, year))
        .order_by(by_number())
    )
    return [[no, kind] for no, kind in session.execute(stmt)]


def save_snapshot(session: Session, report: Report) -> dict[str, Any]:
    """Keep what the exported report says, in the caller's transaction."""
    from cases.storage.model import Setting

    data = snapshot_data(report, _carried(session, report, report.year))
    text = snapshot_text(data)
    row = session.get(Setting, _key(report.body, report.year))
    if row is None:
        session.add(Setting(key=_key(report.body, report.year), value=text))
    else:
        row.value = text
    return data


def load_snapshot(session: Session, body: str | None, year: int) -> dict[str, Any] | None:
    from cases.storage.model import Setting

    row = session.get(Setting, _key(body, year))
    return snapshot_of(None if row is None else row.value)


def published_check(session: Session, report: Report) -> Check | None:
    """This year's 二 against last year's published 四; None when nothing was published."""
    return published_from(
        report,
        lambda: load_snapshot(session, report.body, report.year - 1),
        lambda year: _carried(session, report, year),
    )
