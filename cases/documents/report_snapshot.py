"""What was published: a snapshot of each exported annual report, and next year's check on it."""

# Decision: a report is "published" when it is exported to a file; the snapshot (the figures of
# table 三 and the cases carried forward in 四, by applicant type) is kept in the settings table
# under report_published.<body>.<year>; a later export of the same year replaces it. The next
# year's 二 must equal that 四; a difference is a warning naming the cases that changed since
# (a published report cannot be changed, so the office explains the difference in its text).

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.documents.report import (
    Check,
    Report,
    RowKind,
    body_scope,
    by_number,
    found_open_at_end,
    not_voided,
)
from cases.storage.model import Applicant, Case, Setting
from cases.timing import dates

PREFIX = "report_published"


def _key(body: str | None, year: int) -> str:
    return f"{PREFIX}.{body or '*'}.{year}"


def _carried(session: Session, report: Report, year: int) -> list[list[str]]:
    stmt = (
        select(Case.no, Applicant.type)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(not_voided(), body_scope(session, report.body), found_open_at_end(session, year))
        .order_by(by_number())
    )
    return [[no, kind] for no, kind in session.execute(stmt)]


def save_snapshot(session: Session, report: Report) -> dict[str, Any]:
    """Keep what the exported report says, in the caller's transaction."""
    out_line = report.layout.of_kind(RowKind.CARRIED_OUT)
    data = {
        "year": report.year,
        "body": report.body,
        "office": report.office,
        "exported_on": dates.today().isoformat(),
        "rows": [[list(r.path), None if r.values is None else list(r.values)] for r in report.rows],
        "carried_out": list(report.row(out_line.path).values or ()),
        "carried_out_cases": _carried(session, report, report.year),
    }
    text = json.dumps(data, ensure_ascii=False)
    row = session.get(Setting, _key(report.body, report.year))
    if row is None:
        session.add(Setting(key=_key(report.body, report.year), value=text))
    else:
        row.value = text
    return data


def load_snapshot(session: Session, body: str | None, year: int) -> dict[str, Any] | None:
    row = session.get(Setting, _key(body, year))
    if row is None:
        return None
    data = json.loads(row.value)
    return data if isinstance(data, dict) else None


def published_check(session: Session, report: Report) -> Check | None:
    """This year's 二 against last year's published 四; None when nothing was published."""
    last = load_snapshot(session, report.body, report.year - 1)
    if last is None:
        return None
    in_line = report.layout.of_kind(RowKind.CARRIED_IN)
    rule = f"本年“{in_line.label}”等于{report.year - 1}年已发布年报的“结转下年度继续办理”"
    now = list(report.row(in_line.path).values or ())
    if now == last["carried_out"]:
        return Check(rule, True, (), "", blocking=False)
    then = {tuple(pair) for pair in last["carried_out_cases"]}
    current = {tuple(pair) for pair in _carried(session, report, report.year - 1)}
    changed = tuple(sorted({no for no, _ in then ^ current}))
    detail = (
        f"已发布 {sum(last['carried_out'][-1:])} 件，现为 {sum(now[-1:])} 件；"
        "发布后有案件变动，请在年报中说明"
    )
    return Check(rule, False, changed, detail, blocking=False)
