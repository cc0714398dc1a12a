"""Work queued after a paint: it waits for the paint, keeps its order, can be taken back."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from gui.afterpaint import AfterPaint


class Log(QObject):
    """Writes "paint" into the same list as the queued calls, when the widget paints."""

    def __init__(self, done: list[str]) -> None:
        super().__init__()
        self.done = done

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.done.append("paint")
        return False


def window_with_label(qtbot: QtBot) -> tuple[QWidget, QLabel]:
    window = QWidget()
    label = QLabel("第一屏")
    QVBoxLayout(window).addWidget(label)
    qtbot.addWidget(window)
    return window, label


def test_calls_wait_for_the_paint_and_keep_their_order(qtbot: QtBot) -> None:
    window, label = window_with_label(qtbot)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: label.isVisible())
    done: list[str] = []
    log = Log(done)
    label.installEventFilter(log)
    after = AfterPaint(label, window, fallback_ms=10_000)  # the paint, not the fallback
    after.call("a", lambda: done.append("a"))
    after.call("b", lambda: done.append("b"))
    after.call("c", lambda: done.append("c"))
    after.call("a", lambda: done.append("a again"))  # replaces "a" and goes to the end
    taken = after.cancel("c")
    assert taken is not None and after.pending("a") and not after.pending("c")
    assert done == []
    label.setText("第二屏")  # asks for a paint
    qtbot.waitUntil(lambda: not after.pending(), timeout=5_000)
    assert done[0] == "paint"
    assert [d for d in done if d != "paint"] == ["b", "a again"]


def test_a_window_not_shown_runs_nothing_until_it_is(qtbot: QtBot) -> None:
    window, label = window_with_label(qtbot)
    done: list[str] = []
    after = AfterPaint(label, window, fallback_ms=20)
    after.call("x", lambda: done.append("x"))
    qtbot.wait(100)
    assert done == [] and after.pending("x")
    window.show()
    qtbot.waitUntil(lambda: done == ["x"], timeout=5_000)


def test_a_widget_that_is_not_painted_gets_its_work_done_after_the_fallback(
    qtbot: QtBot,
) -> None:
    window, label = window_with_label(qtbot)
    label.hide()  # in a shown window, but never painted
    window.show()
    qtbot.waitExposed(window)
    done: list[str] = []
    after = AfterPaint(label, window, fallback_ms=50)
    after.call("x", lambda: done.append("x"))
    qtbot.waitUntil(lambda: done == ["x"], timeout=5_000)


def test_run_now_runs_what_waits_at_once(qtbot: QtBot) -> None:
    window, label = window_with_label(qtbot)
    done: list[str] = []
    after = AfterPaint(label, window)
    after.call("x", lambda: done.append("x"))
    after.call("y", lambda: done.append("y"))
    after.run_now()
    assert done == ["x", "y"] and not after.pending()
