"""The operation runner: one session per user action, calling cases/, then saying what changed.

Views never open sessions of their own. A read runs in a short-lived session; a write runs in
`store.transaction()` (everything or nothing, audited by the cases/ function it calls) and, only
after the commit, `changed` is emitted with what the action touched, so every view reloads what it
shows from the database rather than patching itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from cases.store import Store, StoreError
from cases.workflow import ActionRefused

T = TypeVar("T")

# Exceptions whose message is written for the user: the action is refused, nothing was written.
# ValueError covers the validation errors of cases/ (schedule files, profile, handbook data).
USER_ERRORS: tuple[type[Exception], ...] = (ActionRefused, StoreError, ValueError)


@dataclass(frozen=True)
class Changes:
    """What a committed action touched, so that each view knows whether to reload."""

    cases: frozenset[int] = frozenset()  # cases whose fields or events changed
    case_list: bool = False  # cases added, voided or renumbered: lists must query again
    calendar: bool = False  # holidays or schedule years: deadlines and warnings move
    settings: bool = False  # office profile or preferences

    def touches(self, case_id: int | None) -> bool:
        return case_id is not None and (case_id in self.cases or self.case_list or self.calendar)


class OperationRunner(QObject):
    """Runs reads and writes against one Store on behalf of the window."""

    changed = Signal(object)  # Changes, after a commit
    refused = Signal(str, str)  # (what the user tried, why it was refused); nothing was written

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run fn in a session of its own; safe from a worker thread (each call has its session)."""
        with self._store.session() as session:
            return fn(session)

    def write(
        self,
        action: str,
        fn: Callable[[Session], T],
        changes: Changes | Callable[[T], Changes],
    ) -> T | None:
        """Run fn as one transaction; emit `changed` after the commit, `refused` on a user error.

        `action` is the Chinese name of what the user did, for the refusal message. `changes` may
        depend on fn's result (for instance the id of a case just registered).
        """
        try:
            with self._store.transaction() as session:
                result = fn(session)
        except USER_ERRORS as exc:
            self.refused.emit(action, str(exc))
            return None
        self.changed.emit(changes(result) if callable(changes) else changes)
        return result
