"""The year's tallies from the totals SQLite keeps (revision 0014), without reading its cases.

Every condition of counting._tally_conditions depends on a case only through the year it was
received, the year of its outcome, whether it has an outcome code and whether it is a demo case
(the bounds are whole years), so each kept key is tested once here, with the same conditions
written over years, and its number of cases added where they hold. tests/test_report_kept.py
compares the result with counting._tallies over a demo of many years and edits of every kind.
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


def kept_tallies(
    session: Session, year: int, body: str | None
) -> dict[tuple[str, str | None], Tally] | None:
    """What counting._tallies gives for the year and reporting body, from the kept totals; None
    where the database keeps none (PostgreSQL), for the caller to count the cases."""
    if not totals.kept(session):
        return None
    names = body_names(session, body)
    listed, own = (frozenset(names[0]), names[1]) if names is not None else (frozenset(), True)
    counts: dict[tuple[str, str | None], list[int]] = {}
    for (kind, code, received, outcome, unit, demo), n in totals.of_year(session, year):
        if n <= 0 or (names is not None and not (unit in listed or (own and unit is None))):
            continue
        holds = _fields(year, received, outcome, code is not None, demo)
        if not any(holds):
            continue
        fields = counts.setdefault((kind, code), [0] * len(holds))
        for i, held in enumerate(holds):
            if held:
                fields[i] += n
    return {key: Tally(*fields) for key, fields in counts.items()}
