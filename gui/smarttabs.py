"""Issue 12's tabs of the case view in one place: checks, repeats and similar cases, review file.

The case view installs them with one call and tells them which case it shows; they read through
the view's operation runner and write only through operations (the signer's override).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from cases.storage.model import User
from gui.checkspanel import ChecksPanel
from gui.operations import OperationRunner
from gui.reviewfilepanel import ReviewFilePanel
from gui.similarpanel import SimilarPanel


class SmartTabs:
    """The 签发前检查 and 重复与相似 tabs, and the review-file strip shown by the deadline."""

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.checks = ChecksPanel(runner, user)
        self.similar = SimilarPanel(runner)
        self.review_file = ReviewFilePanel(runner, today)
        self.checks_tab = QWidget()
        layout = QVBoxLayout(self.checks_tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.checks, 1)

        self._tabs: QTabWidget | None = None
        self._case_id: int | None = None
        self._shown: dict[QWidget, int | None] = {}

    def install(self, tabs: QTabWidget) -> None:
        tabs.addTab(self.checks_tab, "签发前检查")
        tabs.addTab(self.similar, "重复与相似")
        self._tabs = tabs
        tabs.currentChanged.connect(lambda _i: self._load_visible())

    def show_case(self, case_id: int | None, *, force: bool = False) -> None:
        """Remember the case; load a tab only when it is in view (the searches take a moment)."""
        self._case_id = case_id
        if force:
            self._shown.clear()
        self.review_file.show_case(case_id)  # a few rows: always, beside the other deadlines
        self._load_visible()

    def load_all(self) -> None:
        for page in (self.checks_tab, self.similar):
            self._load(page)

    def _load_visible(self) -> None:
        current = self._tabs.currentWidget() if self._tabs is not None else None
        if current in (self.checks_tab, self.similar):
            self._load(current)

    def _load(self, page: QWidget) -> None:
        if self._shown.get(page, -1) == self._case_id:
            return
        self._shown[page] = self._case_id
        if page is self.checks_tab:
            self.checks.show_case(self._case_id)
        else:
            self.similar.show_case(self._case_id)
