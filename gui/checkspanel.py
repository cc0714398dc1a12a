"""The checks panel of the case view (签发前检查): findings with their basis, and the override."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases import actions
from cases.storage.model import Case, User
from gui.operations import OperationRunner

if TYPE_CHECKING:
    from cases.assist import checks

RED = QColor("#b3261e")
AMBER = QColor("#8a5a00")
PASSED = QColor("#5f6368")
RULE_ROLE = Qt.ItemDataRole.UserRole


class ChecksPanel(QWidget):
    """Runs the checks on the case shown; a signer may override a red finding with a reason."""

    overridden = Signal(str)  # rule id, after the override was recorded

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._case_id: int | None = None
        self._case_no = ""
        self.report: checks.CheckReport | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.last_run = QLabel()
        self.last_run.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.currentItemChanged.connect(self._selected)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("放行理由（签发人填写，记入案卷）")
        self.reason.textChanged.connect(self._update_button)
        self.override_button = QPushButton("签发人放行所选检查项")
        self.override_button.clicked.connect(self.override_selected)
        self.rerun = QPushButton("重新检查")
        self.rerun.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.override_button)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.rerun)
        layout.addLayout(top)
        layout.addWidget(self.last_run)
        layout.addWidget(self.findings, 1)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        self._update_button()

    def show_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        self.refresh()

    def refresh(self) -> None:
        self.findings.clear()
        self.detail.clear()
        if self._case_id is None:
            self.report = None
            self.summary.setText("未选择案件")
            self.last_run.clear()
            self._update_button()
            return
        case_id = self._case_id

        # Imported on the first case shown, not with the case view built before the first paint.
        from cases.assist import checks

        def load(session: Session) -> tuple[str, checks.CheckReport, str]:
            case = session.get(Case, case_id)
            assert case is not None
            run = checks.latest_run(case)
            kept = (
                f"最近一次记录：{_stage(run.stage)}，{run.run_by}，须改正{run.red}项、提示{run.amber}项"
                if run is not None
                else "尚未在提交审核或签发时运行过检查"
            )
            return case.no, checks.run_checks(session, case), kept

        self._case_no, self.report, kept = self._runner.read(load)
        self.summary.setText(f"签发前检查：{self.report.summary()}")
        self.last_run.setText(kept)
        for f in self.report.findings:
            label = "已放行" if f.overridden_by else f.rule.severity_label
            item = QListWidgetItem(f"［{label}］{f.rule.name}：{f.message}")
            item.setData(RULE_ROLE, f.rule.id)
            item.setForeground(QBrush(RED if f.blocking else AMBER))
            item.setToolTip(_why(f))
            self.findings.addItem(item)
        for r in self.report.passed:
            item = QListWidgetItem(f"［通过］{r.name}")
            item.setForeground(QBrush(PASSED))
            item.setToolTip(f"依据：{r.basis_text}\n{r.explanation}")
            self.findings.addItem(item)
        if self.report.findings:
            self.findings.setCurrentRow(0)
        self._update_button()

    def texts(self) -> list[str]:
        return [self.findings.item(i).text() for i in range(self.findings.count())]

    def select_rule(self, rule_id: str) -> None:
        for i in range(self.findings.count()):
            if self.findings.item(i).data(RULE_ROLE) == rule_id:
                self.findings.setCurrentRow(i)
                return
        raise KeyError(rule_id)

    def _finding(self) -> checks.Finding | None:
        item = self.findings.currentItem()
        if item is None or self.report is None:
            return None
        rule_id = item.data(RULE_ROLE)
        return next((f for f in self.report.findings if f.rule.id == rule_id), None)

    def _selected(self, *_: object) -> None:
        found = self._finding()
        self.detail.setText(_why(found) if found is not None else "")
        self._update_button()

    def _may_override(self) -> bool:
        user = self._user()
        found = self._finding()
        return (
            user is not None and "signer" in user.role_set and found is not None and found.blocking
        )

    def _update_button(self, *_: object) -> None:
        allowed = self._may_override()
        self.override_button.setEnabled(allowed and bool(self.reason.text().strip()))
        self.reason.setEnabled(allowed)

    def override_selected(self) -> None:
        found = self._finding()
        user = self._user()
        if found is None or user is None:
            return
        rule, reason, case_no = found.rule.id, self.reason.text(), self._case_no
        done = self._runner.write(
            "签发人放行",
            lambda s: actions.override_check(s, user, case_no, rule=rule, reason=reason),
        )
        if done is not None:
            self.reason.clear()
            self.refresh()
            self.overridden.emit(rule)


def _stage(stage: str) -> str:
    return {"submit_for_review": "提交审核时", "sign_off": "签发时"}.get(stage, stage)


def _why(f: checks.Finding) -> str:
    lines = [
        f"{f.rule.name}（{f.rule.severity_label}）：{f.message}",
        f"依据：{f.rule.basis_text}",
        f"为什么：{f.rule.explanation}",
        f"怎样改：{f.rule.fix}",
    ]
    if f.overridden_by:
        lines.append(f"签发人{f.overridden_by}已放行，理由：{f.override_reason}")
    return "\n".join(lines)
