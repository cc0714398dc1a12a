"""The case as a letter reads it: a plain snapshot of its row and events, from the ORM or sqlite3.

Both ways of making a letter fill the same snapshot: the window and most commands from an ORM
case (from_orm), `letter CASE KIND` on an up-to-date SQLite file from rows read through sqlite3
(read_case), which spares the command SQLAlchemy's start-up. The letters' context is built from
the snapshot alone (letter_context.py), so the two ways cannot drift apart; the attribute names
are the models' own. Free of SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from cases.storage.model import Case


@dataclass(frozen=True)
class ApplicantRow:
    type: str
    name: str
    id_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    email: str | None = None
    agent_name: str | None = None


@dataclass(frozen=True)
class CorrectionRow:
    """补正."""

    id: int
    notice: dt.date
    until: dt.date
    received: dt.date | None
    items: str


@dataclass(frozen=True)
class ConsultationRow:
    """征求意见."""

    id: int
    party: str
    to: str
    sent: dt.date
    replied: dt.date | None
    opinion: str
    information: str
    disclosure_reason: str


@dataclass(frozen=True)
class ExtensionRow:
    """延期."""

    id: int
    on: dt.date
    approved_by: str
    reason: str


@dataclass(frozen=True)
class FeeRow:
    """收费通知."""

    id: int
    notice: dt.date
    method: str
    amount: Decimal
    units: int | None
    paid: dt.date | None


@dataclass(frozen=True)
class DelayRow:
    """延迟答复 (条例 35)."""

    id: int
    on: dt.date
    due: dt.date
    reason: str


@dataclass(frozen=True)
class ServiceRow:
    """送达."""

    id: int
    letter_id: int | None
    method: str
    tracking_no: str | None
    served_on: dt.date
    proof: str


@dataclass(frozen=True)
class LetterRow:
    """A letter of the case without its file (read apart, for the one a command returns)."""

    id: int
    kind: str
    status: str
    number: str | None
    supersedes_id: int | None
    issued_at: dt.datetime | None
    issued_on: dt.date | None


@dataclass(frozen=True)
class ApprovalRow:
    """An approval request; the letters read only the proposals (stage "outcome")."""

    id: int
    stage: str
    payload: str


@dataclass(frozen=True)
class LetterCase:
    """One case with its events, each list in the order of the models' relationships."""

    id: int | None
    no: str
    received: dt.date
    channel: str
    form: str
    delivery: str
    description: str
    body: str | None
    department: str | None
    handler: str | None
    voided: bool
    outcome_code: str | None
    outcome_on: dt.date | None
    outcome_note: str
    outcome_reasons: str
    outcome_statement: str
    outcome_holder: str
    outcome_holder_contact: str
    applicant: ApplicantRow
    corrections: tuple[CorrectionRow, ...] = ()
    consultations: tuple[ConsultationRow, ...] = ()
    extensions: tuple[ExtensionRow, ...] = ()
    fees: tuple[FeeRow, ...] = ()
    delays: tuple[DelayRow, ...] = ()
    services: tuple[ServiceRow, ...] = ()
    letters: tuple[LetterRow, ...] = ()
    approvals: tuple[ApprovalRow, ...] = ()


def from_orm(case: Case) -> LetterCase:
    """The snapshot of an ORM case as its session holds it (unsaved changes included)."""
    a = case.applicant
    return LetterCase(
        id=case.id,
        no=case.no,
        received=case.received,
        channel=case.channel,
        form=case.form,
        delivery=case.delivery,
        description=case.description,
        body=case.body,
        department=case.department,
        handler=case.handler,
        voided=bool(case.voided),
        outcome_code=case.outcome_code,
        outcome_on=case.outcome_on,
        # An unsaved case has None where the database would put its default ("").
        outcome_note=case.outcome_note or "",
        outcome_reasons=case.outcome_reasons or "",
        outcome_statement=case.outcome_statement or "",
        outcome_holder=case.outcome_holder or "",
        outcome_holder_contact=case.outcome_holder_contact or "",
        applicant=ApplicantRow(
            a.type,
            a.name,
            a.id_type,
            a.id_number,
            a.phone,
            a.address,
            a.postcode,
            a.email,
            a.agent_name,
        ),
        corrections=tuple(
            CorrectionRow(c.id, c.notice, c.until, c.received, c.items or "")
            for c in case.corrections
        ),
        consultations=tuple(
            ConsultationRow(
                c.id,
                c.party,
                c.to,
                c.sent,
                c.replied,
                c.opinion or "",
                c.information or "",
                c.disclosure_reason or "",
            )
            for c in case.consultations
        ),
        extensions=tuple(
            ExtensionRow(e.id, e.on, e.approved_by, e.reason or "") for e in case.extensions
        ),
        fees=tuple(FeeRow(f.id, f.notice, f.method, f.amount, f.units, f.paid) for f in case.fees),
        delays=tuple(DelayRow(d.id, d.on, d.due, d.reason) for d in case.delays),
        services=tuple(
            ServiceRow(s.id, s.letter_id, s.method, s.tracking_no, s.served_on, s.proof or "")
            for s in case.services
        ),
        letters=tuple(
            LetterRow(x.id, x.kind, x.status, x.number, x.supersedes_id, x.issued_at, x.issued_on)
            for x in case.letters
        ),
        approvals=tuple(ApprovalRow(p.id, p.stage, p.payload or "") for p in case.approvals),
    )


# --------------------------------------------------------------------------- through sqlite3


class Unreadable(Exception):
    """A value SQLAlchemy would not read either: the caller takes the full way, and its error."""


# Each value converted as SQLAlchemy's SQLite types convert it (engine/_processors_cy.py): a
# date or time from ISO text by fromisoformat, a boolean by its truth, Numeric(12, 2) from a
# number by "%.2f"; where SQLAlchemy would raise, Unreadable is raised instead.


def _date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise Unreadable(repr(value))
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Unreadable(repr(value)) from exc


def _date_or_none(value: Any) -> dt.date | None:
    return None if value is None else _date(value)


def _datetime_or_none(value: Any) -> dt.datetime | None:
    # Stored without its zone: SQLite has no zoned type, and SQLAlchemy reads it back naive.
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unreadable(repr(value))
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise Unreadable(repr(value)) from exc


def _bool(value: Any) -> bool:
    return bool(value)  # SQLAlchemy's int_to_boolean: True if value else False


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable(repr(value))
    return Decimal(f"{value:.2f}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Unreadable(repr(value))
    return value


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unreadable(repr(value))
    return value


def _int_or_none(value: Any) -> int | None:
    return None if value is None else _int(value)


_R = TypeVar("_R")


def _rows(
    connection: sqlite3.Connection,
    sql: str,
    case_id: int,
    make: Callable[..., _R],
    converters: Sequence[Callable[[Any], Any]],
) -> tuple[_R, ...]:
    return tuple(
        make(*(convert(v) for convert, v in zip(converters, row, strict=True)))
        for row in connection.execute(sql, (case_id,))
    )


_CASE_COLUMNS = (
    "c.id, c.no, c.received, c.channel, c.form, c.delivery, c.description, c.body, c.department,"
    " c.handler, c.voided, c.outcome_code, c.outcome_on, c.outcome_note, c.outcome_reasons,"
    " c.outcome_statement, c.outcome_holder, c.outcome_holder_contact,"
    " a.type, a.name, a.id_type, a.id_number, a.phone, a.address, a.postcode, a.email,"
    " a.agent_name"
)
_CASE_CONVERTERS: tuple[Callable[[Any], Any], ...] = (
    _int,
    _text,
    _date,
    _text,
    _text,
    _text,
    _text,
    _text_or_none,
    _text_or_none,
    _text_or_none,
    _bool,
    _text_or_none,
    _date_or_none,
    _text,
    _text,
    _text,
    _text,
    _text,
    _text,
    _text,
    *([_text_or_none] * 7),
)

# Each list ordered as the models' relationships order it (model.py, Case.corrections …).
_CORRECTIONS = (
    "SELECT id, notice, until, received, items FROM corrections WHERE case_id = ?"
    " ORDER BY notice, id",
    (_int, _date, _date, _date_or_none, _text),
)
_CONSULTATIONS = (
    'SELECT id, party, "to", sent, replied, opinion, information, disclosure_reason'
    " FROM consultations WHERE case_id = ? ORDER BY sent, id",
    (_int, _text, _text, _date, _date_or_none, _text, _text, _text),
)
_EXTENSIONS = (
    'SELECT id, "on", approved_by, reason FROM extensions WHERE case_id = ? ORDER BY "on", id',
    (_int, _date, _text, _text),
)
_FEES = (
    "SELECT id, notice, method, amount, units, paid FROM fees WHERE case_id = ?"
    " ORDER BY notice, id",
    (_int, _date, _text, _money, _int_or_none, _date_or_none),
)
_DELAYS = (
    'SELECT id, "on", due, reason FROM delays WHERE case_id = ? ORDER BY "on", id',
    (_int, _date, _date, _text),
)
_SERVICES = (
    "SELECT id, letter_id, method, tracking_no, served_on, proof FROM service_records"
    " WHERE case_id = ? ORDER BY served_on, id",
    (_int, _int_or_none, _text, _text_or_none, _date, _text),
)
_LETTERS = (
    "SELECT id, kind, status, number, supersedes_id, issued_at, issued_on FROM letters"
    " WHERE case_id = ? ORDER BY id",
    (_int, _text, _text, _text_or_none, _int_or_none, _datetime_or_none, _date_or_none),
)
_APPROVALS = (
    "SELECT id, stage, payload FROM approvals WHERE case_id = ? ORDER BY id",
    (_int, _text, _text),
)


def read_case(connection: sqlite3.Connection, case_no: str) -> LetterCase | None:
    """The case numbered case_no from a file at this program's schema revision, or None.

    Read in the caller's transaction (one snapshot of the file); raises Unreadable when a value
    is not stored as SQLAlchemy stores it, so that the caller can take the full way instead.
    """
    row = connection.execute(
        f"SELECT {_CASE_COLUMNS} FROM cases c JOIN applicants a ON a.id = c.applicant_id"
        " WHERE c.no = ?",
        (case_no,),
    ).fetchone()
    if row is None:
        return None
    v = [convert(value) for convert, value in zip(_CASE_CONVERTERS, row, strict=True)]
    case_id: int = v[0]
    # The columns are named as the snapshot's fields: c.x for the case's, a.x for the applicant's.
    names = [c.strip()[2:] for c in _CASE_COLUMNS.split(",")]
    own: dict[str, Any] = dict(zip(names[:18], v[:18], strict=True))
    applicant: dict[str, Any] = dict(zip(names[18:], v[18:], strict=True))

    def rows(make: Callable[..., _R], query: tuple[str, Sequence[Callable[[Any], Any]]]) -> Any:
        return _rows(connection, query[0], case_id, make, query[1])

    return LetterCase(
        **own,
        applicant=ApplicantRow(**applicant),
        corrections=rows(CorrectionRow, _CORRECTIONS),
        consultations=rows(ConsultationRow, _CONSULTATIONS),
        extensions=rows(ExtensionRow, _EXTENSIONS),
        fees=rows(FeeRow, _FEES),
        delays=rows(DelayRow, _DELAYS),
        services=rows(ServiceRow, _SERVICES),
        letters=rows(LetterRow, _LETTERS),
        approvals=rows(ApprovalRow, _APPROVALS),
    )


def letter_content(connection: sqlite3.Connection, letter_id: int) -> bytes:
    """The stored file of one letter."""
    (content,) = connection.execute(
        "SELECT content FROM letters WHERE id = ?", (letter_id,)
    ).fetchone()
    if not isinstance(content, bytes):
        raise Unreadable(f"letter {letter_id}")
    return content


# --------------------------------------------------------------------------- letters in force


class LetterFields(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def supersedes_id(self) -> int | None: ...


_L = TypeVar("_L", bound=LetterFields)


def in_force(letters: Sequence[_L], kind: str) -> _L | None:
    """The issued letter of `kind` in force: the latest one no issued correction replaces."""
    issued = [x for x in letters if x.kind == kind and x.status == "issued"]
    replaced = {x.supersedes_id for x in issued if x.supersedes_id is not None}
    current = [x for x in issued if x.id not in replaced]
    return current[-1] if current else None
