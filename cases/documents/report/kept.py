"""The year's tallies and table 四 from the totals SQLite keeps (revision 0014), without reading
the year's cases or the reviews still pending.

Every condition of counting._tally_conditions depends on a case only through the year it was
received, the year of its outcome, whether it has an outcome code and whether it is a demo case
(the bounds are whole years), and table 四's on a review only through its kind, its result and
the years it was filed and decided; so each kept key is tested once here, with the same
conditions written over years, and its number added where they hold. tests/test_report_kept.py
compares the results with counting the cases over a demo of many years and edits of every kind.

The sums over the kept rows are free of SQLAlchemy: the ORM session (below) and sqlite3
(from_file.py) read the rows by the same statements (storage.totals_rows) and sum them here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cases.documents.report.tables import Tally
from cases.storage.totals_rows import CaseKey, ReviewKey

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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


def tallies_of(
    rows: Iterable[tuple[CaseKey, int]], year: int, counted: Callable[[str | None], bool]
) -> dict[tuple[str, str | None], Tally]:
    """counting._tallies from the year's kept case rows, of the bodies `counted` accepts."""
    counts: dict[tuple[str, str | None], list[int]] = {}
    for (kind, code, received, outcome, unit, demo), n in rows:
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


def review_counts_of(
    rows: Iterable[tuple[ReviewKey, int]], year: int, counted: Callable[[str | None], bool]
) -> dict[tuple[str, str], int]:
    """counting._review_counts (reviews by kind and class) from the year's kept review rows."""
    counts: dict[tuple[str, str], int] = {}
    for (kind, result, _filed, decided, unit), n in rows:
        if n <= 0 or not counted(unit):
            continue
        # 尚未审结 unless decided within the year with a result (counting._review_class)
        klass = "pending" if decided is None or decided > year or result is None else result
        counts[(kind, klass)] = counts.get((kind, klass), 0) + n
    return counts


def received_by_body_of(
    rows: Iterable[tuple[CaseKey, int]], year: int
) -> list[tuple[str | None, int]]:
    """The cases received in the year (voided ones left out) by answering body."""
    by_body: dict[str | None, int] = {}
    for key, n in rows:
        if key[2] == year:
            by_body[key[4]] = by_body.get(key[4], 0) + n
    return [(body, n) for body, n in by_body.items() if n > 0]


def last_year_new_of(tallies: dict[tuple[str, str | None], Tally]) -> int | None:
    """A year's 一 from its tallies, or None when the year has no case at all (none received,
    closed or carried forward)."""
    new = sum(t.received for t in tallies.values())
    if new:
        return new
    return 0 if any(t.closed or t.carried_out for t in tallies.values()) else None


def kept_tallies(
    session: Session, year: int, body: str | None
) -> dict[tuple[str, str | None], Tally] | None:
    """What counting._tallies gives for the year and reporting body, from the kept totals; None
    where the database keeps none (PostgreSQL), for the caller to count the cases."""
    from cases.documents.report.bodies import Bodies
    from cases.documents.report.counting import body_names
    from cases.storage import totals

    if not totals.kept(session):
        return None
    counted = Bodies(body_names(session, body))
    return tallies_of(totals.cases_of_year(session, year), year, counted)


def kept_review_counts(
    session: Session, year: int, body: str | None
) -> dict[tuple[str, str], int] | None:
    """What counting._review_counts gives (reviews by kind and class), from the kept totals; None
    where the database keeps none."""
    from cases.documents.report.bodies import Bodies
    from cases.documents.report.counting import body_names
    from cases.storage import totals

    if not totals.kept(session):
        return None
    counted = Bodies(body_names(session, body))
    return review_counts_of(totals.reviews_of_year(session, year), year, counted)
