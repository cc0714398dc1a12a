"""Drill-down: the case numbers counted in one cell of table 三 or 四."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from cases.documents.report.base import (
    TABLE4_PATH,
    ReportError,
)
from cases.documents.report.counting import (
    _closed_in,
    _line_codes,
    _numbers,
    _received_in,
    _review_class,
    _review_scope,
    _type_filter,
    body_scope,
    found_open_at_end,
    found_open_at_start,
)
from cases.documents.report.layout import Layout, Line, RowKind, default_layout
from cases.storage.model import Case, Review


def _line_filter(session: Session, layout: Layout, line: Line, year: int) -> ColumnElement[bool]:
    if line.kind is RowKind.HEADING:
        raise ReportError(f"“{'/'.join(line.path)}”是标题行，本身不计数，请选择它下面的一行")
    if line.kind is RowKind.RECEIVED:
        return _received_in(year)
    if line.kind is RowKind.CARRIED_IN:
        return found_open_at_start(session, year)
    if line.kind is RowKind.CARRIED_OUT:
        return found_open_at_end(session, year)
    codes, unclassified = _line_codes(layout, line)
    which = [Case.outcome_code.in_(sorted(codes))]
    if unclassified:
        which += [Case.outcome_code.is_(None), Case.outcome_code.not_in(list(layout.outcome_paths))]
    return and_(_closed_in(year), or_(*which))


def cases_in_cell(
    session: Session, year: int, path: Sequence[str], column: str, body: str | None = None
) -> list[str]:
    """The case numbers counted in one cell, sorted; exactly as many as the cell's value.

    A table-四 cell (path TABLE4_PATH) lists one case number per counted review, so a case with
    two reviews of the same kind appears twice.
    """
    layout = default_layout()
    wanted = tuple(path)
    scope = body_scope(session, body)
    if wanted == TABLE4_PATH:
        target = layout.review_column(column)
        where = [_review_scope(year, scope), Review.kind == target.kind]
        if target.result != "total":
            where.append(_review_class(year) == target.result)
        stmt = (
            select(Case.no)
            .join(Review, Review.case_id == Case.id)
            .where(*where)
            .order_by(Case.no, Review.id)
        )
        return list(session.scalars(stmt))
    line = layout.line(wanted)
    rule = _line_filter(session, layout, line, year)
    return list(_numbers(session, scope, rule, _type_filter(layout, [column])))
