"""Work done in the window's idle moments, one small slice at a time, for what comes next.

The first time a list's statements are sent, SQLAlchemy compiles them (a few milliseconds a
statement shape) and SQLite reads their index pages from the disk; a user's first click on a
header, a quick view, a filter or the search paid both while waiting for the screen. Here the
window reads those first screens itself once it is idle, and lets the rows go: the same
statements, so that the click finds them compiled and their pages in memory. What a click
shows is read again as before; nothing prepared here is shown.

A job runs only while the window says it is idle (its queue of work after a paint empty, the
full id list in, no long operation and no dialog of its own open), one job a slice with the
event loop free between them, so that a key or a click waits at most for one first screen
being read. A fault in a job is logged and the next job runs: it is nobody's action.

A queue may be given a budget, the most jobs it runs in its life: the window on a shared server
reads ahead only a little (gui/mainwindow.py says why), and once that is spent, nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable

from PySide6.QtCore import QObject, QTimer

__all__ = ["TICK_MS", "Warmup"]

log = logging.getLogger(__name__)

# Between two slices: whatever the user did meanwhile (a key, a click, a paint) goes first.
TICK_MS = 10
# The most jobs waiting at once: for a user roaming across many lists, those at the end go.
MOST_WAITING = 200


class Warmup(QObject):
    """A queue of jobs by key, run one per slice while `idle()` holds; each key runs once."""

    def __init__(
        self,
        idle: Callable[[], bool],
        *,
        tick_ms: int = TICK_MS,
        budget: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._idle = idle
        self._left = budget  # jobs it may still run; None: no limit
        self._jobs: dict[Hashable, Callable[[], None]] = {}
        self._done: set[Hashable] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.run_one)
        self.failures = 0  # jobs that raised (each one logged)

    def first(self, jobs: Iterable[tuple[Hashable, Callable[[], None]]]) -> None:
        """Put jobs at the front of the queue, in their order (what the user may do next)."""
        if self._left == 0:
            return
        fresh = [(k, fn) for k, fn in jobs if k not in self._done]
        ahead = dict(fresh)
        self._jobs = {**ahead, **{k: fn for k, fn in self._jobs.items() if k not in ahead}}
        self._trim()

    def later(self, jobs: Iterable[tuple[Hashable, Callable[[], None]]]) -> None:
        """Put jobs at the end of the queue; one already waiting keeps its place."""
        if self._left == 0:
            return
        for key, fn in jobs:
            if key not in self._done and key not in self._jobs:
                self._jobs[key] = fn
        self._trim()

    def only(self, jobs: Iterable[tuple[Hashable, Callable[[], None]]]) -> None:
        """Make the queue these jobs alone, in their order: what waited before is dropped."""
        self._jobs.clear()
        self.first(jobs)

    @property
    def left(self) -> int | None:
        """How many more jobs this queue may run (None: no limit)."""
        return self._left

    def done(self, key: Hashable) -> None:
        """Note that the work of `key` has been done another way (the user asked for it)."""
        self._done.add(key)
        self._jobs.pop(key, None)

    def waiting(self) -> list[Hashable]:
        """The keys still to run, in order."""
        return list(self._jobs)

    def stop(self) -> None:
        """Drop every waiting job (the window closes: nothing may read the store later)."""
        self._jobs.clear()
        self._timer.stop()

    def run_one(self) -> bool:
        """Run the next job if the window is idle; whether one ran."""
        if not self._jobs:
            self._timer.stop()
            return False
        if not self._idle():
            return False
        key = next(iter(self._jobs))
        fn = self._jobs.pop(key)
        self._done.add(key)
        if self._left is not None:
            self._left -= 1
            if self._left == 0:
                self._jobs.clear()  # the budget is spent: what waits never runs
        try:
            fn()
        except Exception:
            # Nobody asked for this work: the user's own click does it again and shows its
            # fault there, if it has one.
            self.failures += 1
            log.warning("提前准备列表首屏时出错（不影响使用）：%r", key, exc_info=True)
        if not self._jobs:
            self._timer.stop()
        return True

    def _trim(self) -> None:
        while len(self._jobs) > MOST_WAITING:
            self._jobs.pop(next(reversed(self._jobs)))
        if self._jobs and not self._timer.isActive():
            self._timer.start()
