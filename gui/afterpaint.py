"""Work that waits for a widget's next paint, so that a new screen of cases is drawn first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# A shown window whose widget has not painted after this long (the widget on a page not in
# front, a minimised window) gets its work done anyway. A window not shown yet waits for its show.
FALLBACK_MS = 400


class AfterPaint(QObject):
    """Runs queued calls once the watched widget has painted, in the order they were queued.

    A zero-delay timer alone is not enough: Qt paints a window from its own update timer (a few
    milliseconds on most platforms), so a zero-delay call queued with the change runs before the
    paint it was meant to follow. The paint event is seen here; the calls run from a zero-delay
    timer started by it, after the painted window has been flushed to the screen.
    """

    def __init__(
        self,
        widget: QWidget,
        window: QWidget,
        *,
        fallback_ms: int = FALLBACK_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._calls: dict[str, Callable[[], None]] = {}
        self._now = QTimer(self)
        self._now.setSingleShot(True)
        self._now.setInterval(0)
        self._now.timeout.connect(self.run_now)
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.setInterval(fallback_ms)
        self._fallback.timeout.connect(self.run_now)
        self._window = window
        widget.installEventFilter(self)
        window.installEventFilter(self)

    def call(self, key: str, fn: Callable[[], None]) -> None:
        """Queue fn after the next paint; a call already queued under key is replaced by it."""
        self._calls.pop(key, None)  # a replaced call moves to the end of the queue
        self._calls[key] = fn
        if self._window.isVisible() and not self._fallback.isActive():
            self._fallback.start()

    def cancel(self, key: str) -> Callable[[], None] | None:
        """Take a queued call off the queue (it is returned, not run)."""
        fn = self._calls.pop(key, None)
        if not self._calls:
            self._now.stop()
            self._fallback.stop()
        return fn

    def pending(self, key: str | None = None) -> bool:
        """Whether a call (under key, or any) still waits for the paint."""
        return key in self._calls if key is not None else bool(self._calls)

    def run_now(self) -> None:
        """Run every queued call now, in order (after the paint, or closing, tests, benchmarks)."""
        self._now.stop()
        self._fallback.stop()
        for key in list(self._calls):
            fn = self._calls.pop(key, None)  # an earlier call may have cancelled it
            if fn is not None:
                fn()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._calls:
            return False
        kind = event.type()
        if kind == QEvent.Type.Paint and watched is not self._window:
            timer = self._now
        elif kind == QEvent.Type.Show and watched is self._window:
            timer = self._fallback
        else:
            return False
        if not timer.isActive():
            timer.start()
        return False
