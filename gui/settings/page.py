"""The settings page: its sections listed on the left, one shown at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from cases.storage.model import User
from gui.operations import OperationRunner
from gui.settings.base import Section
from gui.settings.calendar import CalendarSection
from gui.settings.profile import ProfileSection
from gui.settings.rules import RulesSection
from gui.settings.templates import TemplatesSection
from gui.settings.users import UsersSection

# The sections in the order listed (gui/settings/titles.py, for the menu): key → class.
SECTIONS: dict[str, type[Section]] = {
    "profile": ProfileSection,
    "users": UsersSection,
    "calendar": CalendarSection,
    "templates": TemplatesSection,
    "rules": RulesSection,
}


class SettingsPage(QWidget):
    """Administrators change the office's settings here; everyone else may read them."""

    def __init__(
        self,
        runner: OperationRunner,
        *,
        user: Callable[[], User | None],
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile = ProfileSection(runner, user)
        self.users = UsersSection(runner, user)
        self.calendar = CalendarSection(runner, user, today)
        self.templates = TemplatesSection(runner, user)
        self.rules = RulesSection(runner, user)
        self._sections: dict[str, Section] = {
            "profile": self.profile,
            "users": self.users,
            "calendar": self.calendar,
            "templates": self.templates,
            "rules": self.rules,
        }
        self.list = QListWidget()
        self.list.setMaximumWidth(180)
        self.stack = QStackedWidget()
        for section in self._sections.values():
            self.list.addItem(section.title)
            self.stack.addWidget(section)
        self.list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.list.setCurrentRow(0)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.stack, 1)
        runner.changed.connect(lambda _c: self._reload_shown())

    def sections(self) -> list[tuple[str, str]]:
        return [(key, s.title) for key, s in self._sections.items()]

    def show_section(self, key: str) -> None:
        self.list.setCurrentRow(list(self._sections).index(key))

    def _reload_shown(self) -> None:
        current = self.stack.currentWidget()
        if isinstance(current, Section) and self.isVisible():
            current.reload()

    def showEvent(self, event: QShowEvent) -> None:
        # The signed-in user may have changed (切换用户): every section reads again.
        for section in self._sections.values():
            section.reload()
        super().showEvent(event)
