"""The operation runner: one session per user action, calling cases/, then saying what changed.

Modelled on Anki's CollectionOp. Views never open sessions of their own. A read runs in a
short-lived session. A write runs in `store.transaction()`: everything or nothing, audited by the
core operation it calls. A long write (`run`) goes to a worker thread behind a progress dialog
with a cancel button; the operation reports through a cases.progress.Progress and a cancel
raises Cancelled inside it, before the commit, so the rollback leaves the file as it was.

What changed comes from the operation's Result (`Result.changes`); after the commit `changed` is
emitted with it and each view reloads only what it touches. `Result.warnings` go out through
`warned`, a refusal (cases.errors.Refused) through `refused` with the core's own words.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget
from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.progress import Cancelled, Progress
from cases.result import Changes, Notice, Result
from cases.storage import store as stores
from cases.storage.store import Store

__all__ = ["USER_ERRORS", "Changes", "OperationRunner", "Refusal", "Task"]

T = TypeVar("T")

# Errors whose message is written for the user: the operation is refused, nothing was written.
# Every one derives from Refused (a letter refused, a profile unusable, a database that cannot be
# reached or read); naming the subclasses here would load the letter code before the first paint.
USER_ERRORS: tuple[type[Exception], ...] = (Refused,)
ChangesArg = Changes | Callable[[Any], Changes] | None


@dataclass(frozen=True)
class Refusal:
    """The last refusal: what the user tried, the field the core named, the core's words."""

    action: str
    field: str
    message: str


def _unpack(outcome: object, changes: ChangesArg) -> tuple[object, Changes, tuple[Notice, ...]]:
    """An operation's value, changes and warnings, from its Result.

    An action that does not return a Result yet is described by the caller (`changes`).
    """
    if isinstance(outcome, Result):
        found: Changes = outcome.changes
        if changes is not None and found.empty:
            found = changes(outcome.value) if callable(changes) else changes
        return outcome.value, found, tuple(outcome.warnings)
    if changes is None:
        return outcome, Changes(), ()
    return outcome, changes(outcome) if callable(changes) else changes, ()


def _say_waiting_through(runner: OperationRunner) -> None:
    """The core's one line about a wait (cases.storage.store.wait_notice) goes to the window.

    From the worker thread the signal is queued; on the GUI thread the slot runs at once, while
    the write still waits. A runner already deleted hands the line back to the core's printer.
    """
    alive = weakref.ref(runner)

    def notice(line: str) -> None:
        found = alive()
        try:
            if found is not None:
                found.waiting.emit(line)
                return
        except RuntimeError:  # the Qt object is gone though its Python wrapper is not
            pass
        stores.print_wait(line)

    stores.wait_notice = notice


class _TaskSignals(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)  # (value, Changes, warnings)
    failed = Signal(str, str)  # (field, message) of a refusal
    crashed = Signal(object)  # an exception that is a bug: re-raised on the GUI thread
    cancelled = Signal()


class _Worker(QRunnable):
    def __init__(
        self, store: Store, fn: Callable[[Session, Progress], Any], task: Task[Any]
    ) -> None:
        super().__init__()
        self._store, self._fn, self._task = store, fn, task

    def run(self) -> None:
        signals = self._task.signals
        try:
            with self._store.transaction() as session:
                outcome = self._fn(session, self._task.progress)
                # A cancel that came after the last step still means "keep nothing".
                if self._task.progress.cancelled:
                    raise Cancelled("已取消")
        except Cancelled:
            signals.cancelled.emit()
        except USER_ERRORS as exc:
            signals.failed.emit(getattr(exc, "field", ""), str(exc))
        except Exception as exc:  # a bug: shown on the GUI thread, never swallowed here
            signals.crashed.emit(exc)
        else:
            signals.finished.emit(outcome)


class Task(QObject, Generic[T]):
    """One long operation in flight: its progress dialog, its cancel, its end."""

    done = Signal()  # emitted once, whatever the end (committed, refused, cancelled)

    def __init__(
        self,
        runner: OperationRunner,
        action: str,
        changes: ChangesArg,
        on_done: Callable[[T], None] | None,
        parent_widget: QWidget | None,
    ) -> None:
        super().__init__(runner)
        self.action = action
        self.signals = _TaskSignals()
        self.progress = Progress(self.signals.progressed.emit)
        self.state = "running"  # running | committed | refused | cancelled
        self.value: T | None = None
        self._runner = runner
        self._changes = changes
        self._on_done = on_done
        self.dialog = QProgressDialog(f"{action}……", "取消", 0, 0, parent_widget)
        self.dialog.setWindowTitle(action)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)  # a quick operation does not flash a dialog
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setAccessibleName(f"{action}进度")
        self.dialog.canceled.connect(self.cancel)
        self.signals.progressed.connect(self._on_progress)
        self.signals.finished.connect(self._on_finished)
        self.signals.failed.connect(self._on_failed)
        self.signals.crashed.connect(self._on_crashed)
        self.signals.cancelled.connect(self._on_cancelled)

    def cancel(self) -> None:
        """Ask the operation to stop; it rolls back at its next step."""
        if self.state == "running":
            self.progress.cancel()
            self.dialog.setLabelText("正在取消，已做的改动将全部撤销……")

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.state != "running":
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        if text and not self.progress.cancelled:
            self.dialog.setLabelText(text)

    def _end(self, state: str) -> None:
        self.state = state
        self.dialog.reset()
        self.dialog.hide()
        self._runner._forget(self)
        self.done.emit()

    @Slot(object)
    def _on_finished(self, outcome: object) -> None:
        value, changes, warnings = _unpack(outcome, self._changes)
        self.value = value  # type: ignore[assignment]
        self._end("committed")
        self._runner._after_commit(self.action, changes, warnings)
        if self._on_done is not None:
            self._on_done(value)  # type: ignore[arg-type]

    @Slot(str, str)
    def _on_failed(self, field: str, message: str) -> None:
        self._end("refused")
        self._runner._refuse(self.action, field, message)

    @Slot(object)
    def _on_crashed(self, exc: BaseException) -> None:
        self._end("refused")
        raise exc

    @Slot()
    def _on_cancelled(self) -> None:
        self._end("cancelled")
        self._runner.cancelled.emit(self.action)


class OperationRunner(QObject):
    """Runs reads and writes against one Store on behalf of the window."""

    changed = Signal(object)  # Changes, after a commit
    refused = Signal(str, str)  # (what the user tried, the core's words); nothing was written
    warned = Signal(str, object)  # (what the user did, tuple[Notice, ...]) after a commit
    cancelled = Signal(str)  # a long operation was cancelled and rolled back
    # After any refusal the views read their case again: another desk may have changed it.
    reloaded_after_refusal = Signal()
    # A write waits for the lock another desk or an import holds: one line for the status bar.
    waiting = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one write at a time, in the order the user asked
        self._tasks: list[Task[Any]] = []
        self.last_refusal: Refusal | None = None
        _say_waiting_through(self)

    @property
    def store(self) -> Store:
        return self._store

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run fn in a session of its own; safe from a worker thread (each call has its session)."""
        with self._store.session() as session:
            return fn(session)

    def write(
        self,
        action: str,
        fn: Callable[[Session], object],
        changes: ChangesArg = None,
        *,
        quiet: bool = False,
    ) -> Any:
        """Run a short operation as one transaction on this thread: its value, None if refused.

        `action` is the Chinese name of what the user did, for messages. The changes are the
        Result's; `changes` describes an operation that does not return a Result yet (it may
        depend on the value, e.g. the id of a case just registered). `quiet` leaves a refusal to
        the caller (a dialog shows it beside the field): only `last_refusal` is set.
        """
        try:
            with self._store.transaction() as session:
                outcome = fn(session)
        except USER_ERRORS as exc:
            self._refuse(action, getattr(exc, "field", ""), str(exc), quiet=quiet)
            return None
        value, found, warnings = _unpack(outcome, changes)
        self._after_commit(action, found, warnings)
        return value

    def run(
        self,
        action: str,
        fn: Callable[[Session, Progress], Result[T] | T],
        *,
        changes: ChangesArg = None,
        on_done: Callable[[T], None] | None = None,
        parent: QWidget | None = None,
    ) -> Task[T]:
        """Start a long operation on the worker thread behind a progress dialog with cancel.

        fn gets its session and a Progress to report through; the commit, the refusal or the
        rollback after a cancel are reported on the GUI thread (`changed`, `refused`,
        `cancelled`) and the returned Task emits `done` at the end.
        """
        task: Task[T] = Task(self, action, changes, on_done, parent)
        self._tasks.append(task)
        self._pool.start(_Worker(self._store, fn, task))
        return task

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (closing the window); results still come as signals."""
        return self._pool.waitForDone(msecs)

    # --- reporting, on the GUI thread -----------------------------------------------------------

    def _forget(self, task: Task[Any]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

    def _after_commit(self, action: str, changes: Changes, warnings: Sequence[Notice]) -> None:
        self.last_refusal = None
        if not changes.empty:
            self.changed.emit(changes)
        if warnings:
            self.warned.emit(action, tuple(warnings))

    def _refuse(self, action: str, field: str, message: str, *, quiet: bool = False) -> None:
        self.last_refusal = Refusal(action, field, message)
        self.reloaded_after_refusal.emit()
        if not quiet:
            self.refused.emit(action, message)
