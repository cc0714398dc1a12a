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
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait
_TIMER = "disclosure_desk.wait_timer"
_SAID = "disclosure_desk.wait_said"


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
            timer = threading.Timer(quick_ms() / 1000, _say_once, args=(conn,))
            timer.daemon = True
            conn.info[_TIMER] = timer
            timer.start()

    def _stop(conn: Connection) -> None:
        timer = conn.info.pop(_TIMER, None)
        if timer is not None:
            timer.cancel()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Connection, *_args: Any) -> None:
        _stop(conn)

    @event.listens_for(engine, "handle_error")
    def _error(context: Any) -> None:
        if context.connection is not None:
            _stop(context.connection)
