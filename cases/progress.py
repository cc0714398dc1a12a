"""Progress and cancel for long operations: the core reports, the caller may ask it to stop.

A long operation (an import, a recomputation of every open deadline) takes a Progress and calls
`step` as it goes. When the user cancelled, `step` raises Cancelled, which leaves the operation
before its transaction commits, so the caller's rollback leaves nothing half-written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """The user cancelled a long operation; nothing it did is kept."""


class Progress:
    """What a long operation reports (done of total, in words) and whether it should stop."""

    def __init__(self, report: Callable[[int, int, str], None] | None = None) -> None:
        self._report = report
        self._cancel = threading.Event()
        self._committed = False

    def cancel(self) -> None:
        """Ask the operation to stop at its next step (safe from any thread)."""
        self._cancel.set()

    def committed(self) -> None:
        """The operation committed on its own (a staged import): a cancel now comes too late."""
        self._committed = True

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set() and not self._committed

    def step(self, done: int, total: int, text: str = "") -> None:
        """Report progress; raises Cancelled when the user asked to stop."""
        if self.cancelled:
            raise Cancelled(text or "已取消")
        if self._report is not None:
            self._report(done, total, text)
