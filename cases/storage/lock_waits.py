"""A write on the server that waits for another desk's lock: said in one line, then refused.

SQLite's writer asks for the file's lock when its transaction begins (cases.storage.store). On
PostgreSQL a write waits at whichever statement needs a lock another transaction holds: a case
taken for update, the audit chain, a year's counter, an import's swap. A watchdog says so once
per transaction when a writer's statement has run longer than a desk's own action takes, and
`lock_timeout` ends the wait after the same limit as on SQLite; the store turns that error into
DatabaseBusy, one line, nothing written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait
_SAID = "disclosure_desk.wait_said"


class _Watchdog:
    """One thread for the whole process that fires what a statement armed and did not disarm.

    One timer thread per statement would start thousands of threads in a day's work.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[float, Callable[[], None]]] = {}
        self._thread: threading.Thread | None = None

    def arm(self, key: int, delay_s: float, fire: Callable[[], None]) -> None:
        with self._cond:
            self._armed[key] = (time.monotonic() + delay_s, fire)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lock-wait", daemon=True)
                self._thread.start()
            self._cond.notify()

    def disarm(self, key: int) -> None:
        with self._cond:
            self._armed.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [key for key, (at, _) in self._armed.items() if at <= now]
                fires = [self._armed.pop(key)[1] for key in due]
                if not fires:
                    nearest = min((at for at, _ in self._armed.values()), default=None)
                    self._cond.wait(None if nearest is None else nearest - now)
                    continue
            for fire in fires:
                fire()


_WATCHDOG = _Watchdog()


def timed_out(exc: BaseException) -> bool:
    """Whether a database error is the end of a lock wait (lock_timeout), not a fault."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE


def watch(
    engine: Engine,
    say: Callable[[], None],
    quick_ms: Callable[[], int],
    limit_ms: Callable[[], int],
) -> None:
    """Give the engine's writers a lock_timeout and a watchdog that calls `say` once a wait."""

    def writer(conn: Connection) -> bool:
        # A bulk write (an import's swap) runs long statements of its own and waits for another
        # import's swap as long as that takes: neither is a desk held up by someone else.
        options = conn.get_execution_options()
        return bool(options.get("writer")) and not options.get("bulk")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if writer(conn):
            conn.info[_SAID] = False
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(limit_ms())}")

    def _say_once(conn: Connection) -> None:
        if not conn.info.get(_SAID):
            conn.info[_SAID] = True
            say()

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Connection, *_args: Any) -> None:
        if writer(conn):
            _WATCHDOG.arm(id(conn.info), quick_ms() / 1000, lambda: _say_once(conn))

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Connection, *_args: Any) -> None:
        _WATCHDOG.disarm(id(conn.info))

    @event.listens_for(engine, "handle_error")
    def _error(context: Any) -> None:
        if context.connection is not None:
            _WATCHDOG.disarm(id(context.connection.info))
