"""The annual report read through sqlite3 from an up-to-date SQLite file, for `report --out`.

SQLAlchemy, its ORM and the models cost the command most of its start-up (bench_startup.py),
and on SQLite the report reads only the totals the file keeps (revision 0014), table 二, the
office profile, last year's published snapshot and the cases carried past the year's end: each
read here by the statement the ORM way runs (storage.totals_rows) or its plain spelling, into the
same plain values; the one builder (assemble.py), the same checks, text and writers do the rest.

Anything this way does not read as SQLAlchemy would (a value of an unexpected type) or does not
do (name the cases at fault in a failed check) raises FullWay, and the command takes the full
way, whose checks, messages and refusals then apply unchanged. The checks run before the file
is written; the cases carried past the year's end are read for the snapshot after it, as the
full way reads them, so the full way may write the same file again.
tests/test_report_plain.py compares both ways on a demo of many years.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cases.documents.report.assemble import assemble
from cases.documents.report.base import Check
from cases.documents.report.bodies import Bodies, office_name, unit_names
from cases.documents.report.kept import (
    last_year_new_of,
    received_by_body_of,
    review_counts_of,
    tallies_of,
)
from cases.documents.report.table2 import TABLE2_OF_YEAR, table2_of
from cases.documents.report.tables import Report, Tally
from cases.office.profile import SETTING_KEY, OfficeProfile, profile_from_setting
from cases.storage.totals_rows import (
    CASES_OF_YEAR,
    REVIEWS_OF_YEAR,
    CaseKey,
    case_row,
    review_row,
)

if TYPE_CHECKING:
    from cases.documents.report_text import ReportText

# The scale SQLAlchemy reads fees.amount with (Numeric(12, 2) of the models' type map).
AMOUNT_SCALE = 2
# counting.found_open_at_end(year) on SQLite with not_voided and by_number, as SQLAlchemy spells
# it: the partial index of the cases open across a year's end (revision 0014) serves it.
_CARRIED = (
    "SELECT cases.no, applicants.type FROM cases "
    "JOIN applicants ON applicants.id = cases.applicant_id "
    "WHERE cases.voided IS NOT 1 AND (cases.outcome_on IS NULL "
    "OR substr(cases.outcome_on, 1, 4) > substr(cases.received, 1, 4)) "
    "AND cases.received <= :last AND coalesce(cases.received <= :last "
    "AND (cases.outcome_on IS NULL OR cases.outcome_on > :last), 0) = 1{scope} "
    "ORDER BY coalesce(cases.no, cases.no)"
)
# report_text._fees_collected's statement.
_FEES = (
    "SELECT count(fees.id), sum(fees.amount) FROM fees JOIN cases ON cases.id = fees.case_id "
    "WHERE cases.voided IS NOT 1{scope} AND fees.paid BETWEEN :first AND :last"
)
# faults.SessionFaults.year_has_cases's statement. Not the kept totals: they take a case's year
# from the first four characters of its date, which BETWEEN the year's first and last days does
# not (a date stored with a time on 31 December), and the check would then read differently.
_RECEIVED = (
    "SELECT EXISTS (SELECT * FROM cases WHERE cases.voided IS NOT 1{scope} "
    "AND cases.received BETWEEN :first AND :last)"
)


class FullWay(Exception):
    """The report must be read through the ORM after all; nothing was written."""


class FileSource:
    """The report's rows read through one sqlite3 connection; checks.CheckSource as well."""

    def __init__(self, connection: sqlite3.Connection, body: str | None) -> None:
        self.connection = connection
        self.body = body
        self._profile: OfficeProfile | None = None
        self.names = unit_names(self.profile, body)  # the refusal of an unknown body, first
        self.counted = Bodies(self.names)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def setting(self, key: str) -> str | None:
        found = self.rows("SELECT value FROM settings WHERE key = :key", key=key)
        if found and not isinstance(found[0][0], str):
            raise FullWay("settings")
        return None if not found else str(found[0][0])

    def profile(self) -> OfficeProfile:
        """The office profile (load_profile), read and parsed once; a broken one raises each
        time it is asked for, as load_profile does."""
        if self._profile is None:
            self._profile = profile_from_setting(self.setting(SETTING_KEY))
        return self._profile

    def scope(self) -> tuple[str, dict[str, Any]]:
        """counting.body_scope as SQL text and its parameters."""
        if self.names is None:
            return "", {}
        listed, own = self.names
        params = {f"body{i}": name for i, name in enumerate(listed)}
        marks = ", ".join(f":{key}" for key in params)
        if own:
            return f" AND (cases.body IS NULL OR cases.body IN ({marks}))", params
        return f" AND cases.body IN ({marks})", params

    def kept_cases(self, year: int) -> list[tuple[CaseKey, int]]:
        return [case_row(r) for r in self.rows(CASES_OF_YEAR, year=year)]

    def tallies(self, year: int) -> dict[tuple[str, str | None], Tally]:
        return tallies_of(self.kept_cases(year), year, self.counted)

    def review_counts(self, year: int) -> dict[tuple[str, str], int]:
        rows = [review_row(r) for r in self.rows(REVIEWS_OF_YEAR, year=year)]
        return review_counts_of(rows, year, self.counted)

    def table2(self, year: int) -> dict[tuple[str, str, str], Decimal]:
        values = table2_of(self.rows(TABLE2_OF_YEAR, year=year), year)
        if values is None:
            raise FullWay("report_table2")
        return values

    def carried(self, year: int) -> list[list[str]]:
        """report_snapshot._carried: the cases open at the year's end, by number, with types."""
        scope, params = self.scope()
        found = self.rows(_CARRIED.format(scope=scope), last=f"{year:04d}-12-31", **params)
        if any(not isinstance(no, str) or not isinstance(kind, str) for no, kind in found):
            raise FullWay("cases")
        return [[no, kind] for no, kind in found]

    def fees_paid(self, year: int) -> tuple[int, Decimal]:
        scope, params = self.scope()
        ((count, amount),) = self.rows(
            _FEES.format(scope=scope), first=f"{year:04d}-01-01", last=f"{year:04d}-12-31", **params
        )
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
            raise FullWay("fees")
        # as SQLAlchemy reads a Numeric(12, 2) sum from SQLite, then as _fees_collected keeps it
        read = None if amount is None else Decimal(f"{amount:.{AMOUNT_SCALE}f}")
        return int(count), Decimal(read or 0)

    def received_by_body(self, year: int) -> list[tuple[str | None, int]]:
        return received_by_body_of(self.kept_cases(year), year)

    # --- checks.CheckSource

    def year_has_cases(self, report: Report, year: int) -> bool:
        scope, params = self.scope()
        ((found,),) = self.rows(
            _RECEIVED.format(scope=scope),
            first=f"{year:04d}-01-01",
            last=f"{year:04d}-12-31",
            **params,
        )
        return bool(found)

    def closed_before_received(self, report: Report, labels: Sequence[str]) -> tuple[str, ...]:
        raise FullWay("closed before received")

    def stray_outcomes(
        self, report: Report, stray: Sequence[str], unclassified: bool
    ) -> tuple[str, ...]:
        raise FullWay("stray outcomes")

    def untyped(self, report: Report) -> tuple[str, ...]:
        raise FullWay("applicant types")

    def continuity_differs(self, report: Report, other: int) -> tuple[str, ...]:
        raise FullWay("continuity")

    def table4_unclassed(
        self, report: Report, kind: str, results: Sequence[str]
    ) -> tuple[str, ...]:
        raise FullWay("table 四")

    def dateless(self, report: Report) -> tuple[str, ...]:
        raise FullWay("outcome dates")

    def published(self, report: Report) -> Check | None:
        from cases.documents import report_snapshot

        key = report_snapshot.snapshot_key(report.body, report.year - 1)
        return report_snapshot.published_from(
            report, lambda: report_snapshot.snapshot_of(self.setting(key)), self.carried
        )


def build_from_file(source: FileSource, year: int, *, checks: bool = True) -> Report:
    """build.build_report from the file's rows."""
    tallies = source.tallies(year)
    return assemble(
        year,
        source.body,
        tallies=tallies,
        reviews=source.review_counts(year),
        table2=source.table2(year),
        office=office_name(source.profile, source.body),
        scope=None,
        checks=source if checks else None,
    )


def draft_text(source: FileSource, report: Report) -> ReportText:
    """report_text.draft_text from the file's rows."""
    from cases.documents import report_text

    last = source.tallies(report.year - 1)
    fig = report_text.figures_from(
        report,
        fees_paid=source.fees_paid(report.year),
        last_year_new=last_year_new_of(last),
        received_by_body=source.received_by_body,
        profile=source.profile(),
    )
    return report_text.text_of(report, fig, source.profile())


def publish_from_file(source: FileSource, report: Report, path: Path) -> Path:
    """report_export.publish: the file written, the snapshot kept in the connection's
    transaction (the caller commits)."""
    from cases.documents import report_export, report_snapshot

    def keep() -> None:
        data = report_snapshot.snapshot_data(report, source.carried(report.year))
        source.connection.execute(
            "INSERT INTO settings (key, value) VALUES (:key, :value) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            {
                "key": report_snapshot.snapshot_key(report.body, report.year),
                "value": report_snapshot.snapshot_text(data),
            },
        )

    return report_export.publish_with(
        report, path, draft=lambda: draft_text(source, report), keep=keep
    )
