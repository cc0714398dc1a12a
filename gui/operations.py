"""The operation runner: one session per user action, calling cases/, then saying what changed.

Views never open sessions of their own. A read runs in a short-lived session; a write runs in
`store.transaction()` (everything or nothing, audited by the cases/ function it calls) and, only
after the commit, `changed` is emitted with what the action touched, so every view reloads what it
shows from the database rather than patching itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.result import Changes, Result
from cases.store import Store

__all__ = ["Changes", "OperationRunner"]

T = TypeVar("T")


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
        changes: Changes | Callable[[T], Changes] | None = None,
    ) -> T | None:
        """Run fn as one transaction; emit `changed` after the commit, `refused` on a user error.

        `action` is the Chinese name of what the user did, for the refusal message. `changes` may
        depend on fn's result (for instance the id of a case just registered); left out, they
        are the `changes` of the Result that fn returns.
        """
        try:
            with self._store.transaction() as session:
                result = fn(session)
        except Refused as exc:
            self.refused.emit(action, str(exc))
            return None
        if changes is None:
            changes = result.changes if isinstance(result, Result) else Changes()
        self.changed.emit(changes(result) if callable(changes) else changes)
        return result
