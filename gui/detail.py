"""The case view: stepper, deadline panel, the actions this user may take, and the case's pages.

Tabs: 办理 (the step's guidance and checklist), 案件信息, 期限计算, 文书 (letters), 操作记录 (the
audit trail in Chinese). Each action opens a small dialog (gui.forms) asking what the core
operation needs; a refusal is shown beside the field it names, in the core's words, and the
case is read again (another desk may have changed it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases.query.caselist import DEFAULT_AMBER_DAYS
from cases.result import Changes
from cases.rules.workflow import handbook
from cases.storage import concurrency
from cases.storage.model import Case, User
from cases.timing.calendar import WorkCalendar
from gui.casewidgets import ChecklistView, DeadlinePanel, FlowRow, Stepper
from gui.letterspanel import LettersPanel
from gui.operations import OperationRunner
from gui.smarttabs import SmartTabs

# The actions, their forms, the pages of a case and the checks are imported when the first case
# is shown: the case view is built before the window's first paint, which needs none of them.
if TYPE_CHECKING:
    from cases.assist import similar
    from gui.actionspecs import ActionSpec, CaseInfo, Offer
    from gui.detail_pages import DetailPages
    from gui.forms import FormDialog

PLACEHOLDER = "在左侧列表中选择一件申请，这里显示它的详细情况。"
STALE_FIELD = "case"  # the field concurrency.CaseChanged (and a case gone missing) names
TAB_NAMES = ("case", "clock", "trail", "guidance")


def shown_version(session: Session, case_id: int) -> int | None:
    case = session.get(Case, case_id)
    return case.version if case is not None else None


def as_shown(
    case_id: int, version: int | None, call: Callable[[Session], object]
) -> Callable[[Session], object]:
    """The operation, refused (CaseChanged) if another desk changed the case since it was shown."""

    def act(session: Session) -> object:
        if version is not None:
            concurrency.expect(session, case_id, version)
        return call(session)

    return act


class _Browser(QTextBrowser):
    """A text page that hands Escape back to whoever opened it (the case list)."""

    def __init__(self, on_escape: Callable[[], None]) -> None:
        super().__init__()
        self._on_escape = on_escape
        self.setOpenExternalLinks(False)
        self.setOpenLinks(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._on_escape()
            return
        super().keyPressEvent(event)


class CaseDetail(QWidget):
    """Shows the case the list points at; reloads it from the database on request."""

    dialog_opened = Signal(object)  # the FormDialog of an action, once shown

    def __init__(
        self,
        runner: OperationRunner,
        calendar: WorkCalendar,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
        *,
        amber_days: int = DEFAULT_AMBER_DAYS,
    ) -> None:
        super().__init__(parent)
        self._amber_days = amber_days
        self._runner = runner
        self._calendar = calendar
        self._today = today
        self._case_id: int | None = None
        self._version: int | None = None  # the case's version as shown (concurrency.expect)
        self._user: User | None = None
        self.info: CaseInfo | None = None
        self.pages: DetailPages | None = None
        self.dialog: FormDialog | None = None
        self.on_escape: Callable[[], None] = lambda: None

        self._title = QLabel(PLACEHOLDER)
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self._title.setFont(font)
        self.stepper = Stepper()
        self.deadline = DeadlinePanel()
        self.action_row = FlowRow()

        self._pages: dict[str, QTextBrowser] = {}
        self._shown_text: dict[str, str] = {}  # what each page was last given (_set_page)
        for name in TAB_NAMES:
            browser = _Browser(lambda: self.on_escape())
            browser.setObjectName(f"detail_{name}")
            self._pages[name] = browser
        self.checklist = ChecklistView()
        self.checklist.toggled.connect(self._tick)
        self.letters = LettersPanel(
            runner,
            lambda: self._user,
            self.serve_letter,
            as_shown=lambda op: as_shown(self._case_id or 0, self._version, op),
        )
        work = QSplitter(Qt.Orientation.Vertical)
        work.addWidget(self._pages["guidance"])
        work.addWidget(self.checklist)
        work.setSizes([200, 200])
        self._work = work

        self._tabs = QTabWidget()
        self._tabs.addTab(work, "办事指引")
        self._tabs.addTab(self._pages["case"], "案件信息")
        self._tabs.addTab(self._pages["clock"], "期限计算")
        self._tabs.addTab(self.letters, "文书")
        self._tabs.addTab(self._pages["trail"], "操作记录")
        # Issue 12: 签发前检查 and 重复与相似 (gui/smarttabs.py), loaded when shown.
        self.smart = SmartTabs(runner, lambda: self._user, today)
        self.smart.install(self._tabs)
        self.smart.similar.repeat_chosen.connect(self._offer_repeat)
        self.smart.similar.wording_chosen.connect(self._reuse_wording)
        self._tab_of = {
            "guidance": work,
            "case": self._pages["case"],
            "clock": self._pages["clock"],
            "letters": self.letters,
            "trail": self._pages["trail"],
            "checks": self.smart.checks_tab,
            "similar": self.smart.similar,
        }

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self._title)
        layout.addWidget(self.stepper)
        layout.addWidget(self.deadline)
        layout.addWidget(self.smart.review_file)  # the deadline to answer a review or suit
        layout.addWidget(self.action_row)
        layout.addWidget(self._tabs, 1)
        self._shortcuts: list[QShortcut] = []
        self._show(None)
        runner.reloaded_after_refusal.connect(self.refresh)

    def _make_shortcuts(self) -> None:
        """Shortcuts for the frequent actions; each works only while the case offers the action.

        Made with the first case shown (before it no case offers anything), so that the actions'
        code is not loaded before the window's first paint.
        """
        from gui.actionspecs import SPECS

        for spec in SPECS.values():
            if spec.shortcut:
                key = QShortcut(QKeySequence(spec.shortcut), self)
                key.setContext(Qt.ShortcutContext.WindowShortcut)
                key.activated.connect(lambda sp=spec: self._shortcut(sp))
                self._shortcuts.append(key)

    @property
    def case_id(self) -> int | None:
        return self._case_id

    @property
    def user(self) -> User | None:
        return self._user

    def set_user(self, user: User | None) -> None:
        self._user = user
        self.refresh()

    def set_amber_days(self, days: int) -> None:
        self._amber_days = days
        self.refresh()

    def set_calendar(self, calendar: WorkCalendar) -> None:
        self._calendar = calendar
        self.refresh()

    def show_case(self, case_id: int | None) -> None:
        if case_id == self._case_id:
            return
        self._case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        """Read the shown case again (after a change, a refusal, or a new calendar)."""
        if self._case_id is None:
            self._show(None)
            return
        case_id, cal, today, user = self._case_id, self._calendar, self._today(), self._user
        amber = self._amber_days
        from gui.actionspecs import case_info
        from gui.detail_pages import build_pages

        # One session, so that the version an action will expect is the one these pages show.
        pages, self.info, self._version = self._runner.read(
            lambda s: (
                build_pages(s, case_id, cal, today, amber),
                case_info(s, case_id, user),
                shown_version(s, case_id),
            )
        )
        self._show(pages)

    def _show(self, pages: DetailPages | None) -> None:
        self.pages = pages
        visible = pages is not None
        for widget in (self.stepper, self.deadline, self.action_row):
            widget.setVisible(visible)
        if pages is None:
            self.info = None
            self._title.setText(PLACEHOLDER)
            for browser in self._pages.values():
                browser.clear()
            self._shown_text.clear()
            self._tabs.setTabText(0, "办事指引")
            self._tabs.setEnabled(False)
            self.checklist.set_items("", [], {}, False)
            self.letters.show_case(None, "", "", False)
            self.smart.show_case(None, force=True)
            return
        if not self._shortcuts:
            self._make_shortcuts()
        self._tabs.setEnabled(True)
        self._title.setText(pages.title)
        self._set_page("case", pages.case_html)
        self._set_page("clock", pages.clock_html)
        self._set_page("trail", pages.trail_html)
        self._set_page("guidance", pages.guidance_md, markdown=True)
        self._tabs.setTabText(0, pages.guidance_title)
        self.stepper.set_steps(pages.steps, pages.step, pages.archived)
        self.deadline.show_deadline(pages.deadline_headline, pages.level, pages.clock_lines)
        info = self.info
        may_tick = (
            info is not None
            and self._user is not None
            and not pages.voided
            and not pages.archived
            and bool(info.actions or info.next_steps)
        )
        self.checklist.set_items(pages.step, pages.checklist, dict(pages.ticks), may_tick)
        self.action_row.set_buttons([(o.text, o.tip, self._opener(o)) for o in self.offers()])
        self.letters.show_case(
            pages.case_id,
            info.no if info else "",
            pages.step,
            self._user is not None and not pages.voided and not pages.archived,
        )
        self.smart.show_case(pages.case_id, force=True)

    def _set_page(self, name: str, text: str, *, markdown: bool = False) -> None:
        # Laying out rich text is most of a case view's own time; the guidance of a step (7 ms to
        # lay out) is the same for every case in that step, as the user walks down the list.
        if self._shown_text.get(name) == text:
            return
        if markdown:
            self._pages[name].setMarkdown(text)
        else:
            self._pages[name].setHtml(text)
        self._shown_text[name] = text

    # --- actions ----------------------------------------------------------------------------

    def offers(self) -> list[Offer]:
        if self.info is None:
            return []
        from gui.actionspecs import offered

        return offered(self.info)

    def _opener(self, offer: Offer) -> Callable[[], None]:
        def go() -> None:
            self.open_offer(offer)

        return go

    def offer_texts(self) -> list[str]:
        return [o.text for o in self.offers()]

    def open_offer(self, offer: Offer | str) -> FormDialog | None:
        """Open the dialog of an action the user may take (by its button text, for tests)."""
        if isinstance(offer, str):
            found = [o for o in self.offers() if o.text == offer]
            if not found:
                raise KeyError(f"没有可办理的操作“{offer}”；可办理：{self.offer_texts()}")
            offer = found[0]
        return self.open_action(offer.spec)

    def open_action(self, spec: ActionSpec, **preset: object) -> FormDialog | None:
        info, user = self.info, self._user
        if info is None or user is None:
            return None
        today = self._today()
        case_id = info.id

        version = self._version
        from gui.forms import FormDialog

        def submit(values: dict[str, object]) -> bool:
            assert self.dialog is not None
            done = self._runner.write(
                spec.label,
                as_shown(case_id, version, lambda s: spec.call(s, user, info, values)),
                Changes.of_cases([case_id], case_list=spec.case_list),
                quiet=True,
            )
            if done is None and self._runner.last_refusal is not None:
                refusal = self._runner.last_refusal
                if refusal.field == STALE_FIELD:
                    # The form was filled in on the case as it was: the case view has reloaded,
                    # the window says who changed it, and the handler starts again from there.
                    self.dialog.reject()
                    self._runner.refused.emit(spec.label, refusal.message)
                    return False
                self.dialog.show_error(refusal.field, refusal.message)
                return False
            return True

        dialog = FormDialog(
            f"{spec.label} · {info.no}",
            spec.fields(info, today),
            submit,
            today=today,
            intro=spec.intro(info),
            ok_text=spec.ok_text,
            parent=self,
        )
        spec.wire(dialog, info)
        for name, value in preset.items():
            dialog.set_value(name, value)
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)
        return dialog

    def _offer_repeat(self, ground: str, why: str) -> None:
        """The handler chose 不予处理-重复申请: the outcome form opens with it filled in."""
        if "choose_outcome" in (self.info.actions if self.info else ()):
            from gui.actionspecs import SPECS

            self.open_action(
                SPECS["choose_outcome"], code="reject_repeat", note=f"原案{ground}：{why}"
            )

    def _reuse_wording(self, found: similar.SimilarCase) -> None:
        """An earlier reply's finding: the outcome form opens with it filled in, to confirm.

        Its outcome and reasons come with its statement, as the wording argues for them (a
        reply without a statement was worded by its reasons alone, which then say it again);
        the handler confirms, changes or cancels, and nothing is written before that.
        """
        if "choose_outcome" not in (self.info.actions if self.info else ()):
            self.smart.similar.copied_instead("本案当前环节不能确定办理结果")
            return
        from cases.assist import similar
        from gui.actionspecs import SPECS

        preset: dict[str, object] = {}
        code = found.outcome_code
        if code and code not in handbook().procedural_outcomes():
            preset["code"] = code
            preset["reasons"] = list(found.outcome_reasons)
        if found.statement.strip() or "reasons" not in preset:
            preset["statement"] = similar.wording(found)
        dialog = self.open_action(SPECS["choose_outcome"], **preset)
        if dialog is not None and not dialog.value("note"):
            taken = "、".join(
                word
                for word, name in (("办理结果", "code"), ("理由", "reasons"), ("说明", "statement"))
                if name in preset
            )
            dialog.set_value("note", f"{taken}参照{found.no}的答复")  # where it came from

    def _shortcut(self, spec: ActionSpec) -> None:
        for offer in self.offers():
            if offer.spec is spec:
                self.open_offer(offer)
                return

    def serve_letter(self, letter_id: int) -> None:
        from gui.actionspecs import SPECS

        self.open_action(SPECS["record_service"], letter_id=str(letter_id))

    def _tick(self, step: str, item: str, ticked: bool) -> None:
        user, case_id = self._user, self._case_id
        if user is None or case_id is None:
            return
        from cases.rules import checklist

        self._runner.write(
            "核对清单", lambda s: checklist.set_check(s, user, case_id, step, item, ticked)
        )

    # --- reading what is shown (tests, accessibility) ---------------------------------------

    def page_text(self, name: str) -> str:
        """The plain text of one page: case, clock, trail or guidance."""
        return self._pages[name].toPlainText()

    def show_tab(self, name: str) -> None:
        self._tabs.setCurrentWidget(self._tab_of[name])

    def focus_current_page(self) -> None:
        current = self._tabs.currentWidget()
        if current is self._work:
            current = self._pages["guidance"]
        (current or self._tabs).setFocus(Qt.FocusReason.OtherFocusReason)
