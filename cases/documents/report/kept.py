"""The year's tallies and table 四 from the totals SQLite keeps (revision 0014), without reading
the year's cases or the reviews still pending.

Every condition of counting._tally_conditions depends on a case only through the year it was
received, the year of its outcome, whether it has an outcome code and whether it is a demo case
(the bounds are whole years), and table 四's on a review only through its kind, its result and
the years it was filed and decided; so each kept key is tested once here, with the same
conditions written over years, and its number added where they hold. tests/test_report_kept.py
compares the results with counting the cases over a demo of many years and edits of every kind.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cases.documents.report.counting import Tally, body_names
from cases.storage import totals


def _fields(year: int, received: int, outcome: int | None, coded: bool, demo: bool) -> list[bool]:
    """The conditions of Tally's fields, in its order, for a case of these years."""

    def open_at_start(y: int) -> bool:  # received before 1 January, not closed before it
        return received < y and (outcome is None or outcome >= y)

    def open_at_end(y: int) -> bool:  # received by 31 December, not closed by then
        return received <= y and (outcome is None or outcome > y)

    new = received == year
    return [
        new,
        open_at_start(year),
        outcome == year,
        open_at_end(year),
        open_at_start(year + 1),
        open_at_end(year - 1),
        received <= year and coded and outcome is None,
        demo and (new or open_at_start(year)),
    ]


class _Bodies:
    """body_scope as a test of a kept row's body."""

    def __init__(self, session: Session, body: str | None) -> None:
        names = body_names(session, body)
        self.every = names is None
        self.listed = frozenset(names[0]) if names is not None else frozenset()
        self.own = names is not None and names[1]

    def __call__(self, body: str | None) -> bool:
        return self.every or body in self.listed or (self.own and body is None)


def kept_tallies(
    session: Session, year: int, body: str | None
) -> dict[tuple[str, str | None], Tally] | None:
    """What counting._tallies gives for the year and reporting body, from the kept totals; None
    where the database keeps none (PostgreSQL), for the caller to count the cases."""
    if not totals.kept(session):
        return None
    counted = _Bodies(session, body)
    counts: dict[tuple[str, str | None], list[int]] = {}
    for (kind, code, received, outcome, unit, demo), n in totals.cases_of_year(session, year):
        if n <= 0 or not counted(unit):
            continue
        holds = _fields(year, received, outcome, code is not None, demo)
        if not any(holds):
            continue
        fields = counts.setdefault((kind, code), [0] * len(holds))
        for i, held in enumerate(holds):
            if held:
                fields[i] += n
    return {key: Tally(*fields) for key, fields in counts.items()}


def kept_review_counts(
    session: Session, year: int, body: str | None
) -> dict[tuple[str, str], int] | None:
    """What counting._review_counts gives (reviews by kind and class), from the kept totals; None
    where the database keeps none."""
    if not totals.kept(session):
        return None
    counted = _Bodies(session, body)
    counts: dict[tuple[str, str], int] = {}
    for (kind, result, _filed, decided, unit), n in totals.reviews_of_year(session, year):
        if n <= 0 or not counted(unit):
            continue
        # 尚未审结 unless decided within the year with a result (counting._review_class)
        klass = "pending" if decided is None or decided > year or result is None else result
        counts[(kind, klass)] = counts.get((kind, klass), 0) + n
    return counts
