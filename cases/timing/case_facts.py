"""The clock's facts read from a case's fields: of an ORM case or of a plain snapshot alike.

Free of SQLAlchemy, so that a letter drafted from a SQLite file read through sqlite3
(cases.documents.letter_case) computes its dates with the code the stored clock uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from cases.timing.clock import (
    Channel,
    ClockFacts,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
)


class CorrectionFields(Protocol):
    @property
    def notice(self) -> dt.date: ...
    @property
    def until(self) -> dt.date: ...
    @property
    def received(self) -> dt.date | None: ...


class ConsultationFields(Protocol):
    @property
    def party(self) -> str: ...
    @property
    def to(self) -> str: ...
    @property
    def sent(self) -> dt.date: ...
    @property
    def replied(self) -> dt.date | None: ...


class ExtensionFields(Protocol):
    @property
    def on(self) -> dt.date: ...
    @property
    def approved_by(self) -> str: ...


class FeeFields(Protocol):
    @property
    def notice(self) -> dt.date: ...
    @property
    def method(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def paid(self) -> dt.date | None: ...


class DelayFields(Protocol):
    @property
    def on(self) -> dt.date: ...
    @property
    def due(self) -> dt.date: ...
    @property
    def reason(self) -> str: ...


class CaseEvents(Protocol):
    """What the clock reads of a case: its receipt, channel, events and outcome."""

    @property
    def received(self) -> dt.date: ...
    @property
    def channel(self) -> str: ...
    @property
    def corrections(self) -> Sequence[CorrectionFields]: ...
    @property
    def consultations(self) -> Sequence[ConsultationFields]: ...
    @property
    def extensions(self) -> Sequence[ExtensionFields]: ...
    @property
    def fees(self) -> Sequence[FeeFields]: ...
    @property
    def delays(self) -> Sequence[DelayFields]: ...
    @property
    def outcome_code(self) -> str | None: ...
    @property
    def outcome_on(self) -> dt.date | None: ...


def facts_of(case: CaseEvents) -> ClockFacts:
    return ClockFacts(
        received=case.received,
        channel=Channel(case.channel),
        corrections=tuple(Correction(c.notice, c.until, c.received) for c in case.corrections),
        consultations=tuple(
            Consultation(c.party, c.to, c.sent, c.replied) for c in case.consultations
        ),
        extensions=tuple(Extension(e.on, e.approved_by) for e in case.extensions),
        fees=tuple(Fee(f.notice, f.method, f.amount, f.paid) for f in case.fees),
        delays=tuple(Delay(d.on, d.due, d.reason) for d in case.delays),
        outcome_code=case.outcome_code,
        outcome_on=case.outcome_on,
    )
