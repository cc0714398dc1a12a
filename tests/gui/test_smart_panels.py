"""The checks panel, the repeats and similar-cases panel and the proactive-disclosure page."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cases import actions
from cases.assist import review_file, similar
from cases.rules.workflow import proposal_of
from cases.storage.model import CheckOverride, User
from cases.storage.store import Store
from gui.checkspanel import ChecksPanel
from gui.operations import OperationRunner
from gui.proactivepage import ProactivePage
from gui.reviewfilepanel import ReviewFilePanel
from gui.similarpanel import SimilarPanel
from tests.actions_support import DAY0, Desk, applicant

D = dt.date
REQUEST = "申请公开长兴镇凤凰村2019年征收项目的房屋征收补偿方案及补偿标准"


def case_id(desk: Desk, no: str) -> int:
    return desk.case(no).id


def test_the_checks_panel_shows_findings_and_lets_the_signer_override(
    store: Store, qtbot: QtBot
) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0)
    desk.to_handle(no)
    desk.do(
        actions.choose_outcome, desk.handler, no, code="unable_not_held",
        reasons=["not_made_or_obtained"], on=D(2025, 3, 20),
    )  # fmt: skip
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, desk.reviewer, no)
    who: list[User] = [desk.handler]
    runner = OperationRunner(store)
    panel = ChecksPanel(runner, lambda: who[0])
    qtbot.addWidget(panel)
    panel.show_case(case_id(desk, no))
    texts = panel.texts()
    assert any(t.startswith("［必须改正］本机关不掌握却没有检索记录") for t in texts)
    assert "［通过］答复逾期" not in texts  # submitted today: far past the 2025 due date
    assert "须改正" in panel.summary.text() and "提交审核时" in panel.last_run.text()
    panel.select_rule("not_held_without_search")
    assert "依据：条例第三十六条第（四）项" in panel.detail.text()
    assert not panel.reason.isEnabled()  # the handler may not override
    who[0] = desk.signer
    panel.refresh()
    panel.select_rule("not_held_without_search")
    assert panel.reason.isEnabled() and not panel.override_button.isEnabled()
    panel.reason.setText("检索记录在纸质审批表中")  # typed; keyClicks takes ASCII only
    assert panel.override_button.isEnabled()
    with qtbot.waitSignal(panel.overridden) as signal:
        qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["not_held_without_search"]
    with store.session() as s:
        row = s.scalars(select(CheckOverride)).one()
        assert (row.rule, row.signer, row.reason) == (
            "not_held_without_search", "signer", "检索记录在纸质审批表中",
        )  # fmt: skip
    assert any(t.startswith("［已放行］本机关不掌握却没有检索记录") for t in panel.texts())


def test_the_similar_panel_offers_the_repeat_and_the_wording(store: Store, qtbot: QtBot) -> None:
    desk = Desk.open(store)
    similar.forget_samples()
    first = desk.register(DAY0, description=REQUEST)
    desk.to_handle(first)
    desk.close(first, "disclose_public", ["website"], D(2025, 3, 20), D(2025, 3, 21))
    again = desk.register(D(2025, 5, 6), description=REQUEST)
    panel = SimilarPanel(OperationRunner(store))
    qtbot.addWidget(panel)
    panel.show_case(case_id(desk, again))
    assert first in panel.earlier.text() and "证件号码相同" in panel.earlier.text()
    assert "第三十六条第（六）项" in panel.suggestion.text()
    assert not panel.use_repeat.isHidden()
    assert "2025年5月的第1件申请" in panel.month.text() and "不收费" in panel.month.text()
    [row] = panel.rows()
    assert row[:2] == ("100%", first) and row[3] == "已主动公开"
    assert panel.heading.text().startswith("相似的在先案件（1件")
    panel.show_case(case_id(desk, desk.register(D(2025, 5, 7), description="学校招生计划")))
    assert panel.rows() == [] and "没有找到" in panel.heading.text()
    panel.show_case(case_id(desk, again))
    assert "门户网站" in panel.wording.toPlainText()
    with qtbot.waitSignal(panel.repeat_chosen) as chosen:
        qtbot.mouseClick(panel.use_repeat, Qt.MouseButton.LeftButton)
    assert chosen.args[0] == first
    with qtbot.waitSignal(panel.wording_chosen) as reused:
        qtbot.mouseClick(panel.reuse, Qt.MouseButton.LeftButton)
    assert "门户网站" in similar.wording(reused.args[0])
    assert reused.args[0].no == first and reused.args[0].outcome_code == "disclose_public"
    panel.copied_instead("本案当前环节不能确定办理结果")
    assert QApplication.clipboard().text() == similar.wording(reused.args[0])
    assert "已复制" in panel.reuse_note.text()
    # Nothing was applied: the case still has no outcome.
    assert desk.case(again).outcome_code is None and desk.case(again).approvals == []


def test_the_proactive_page_lists_what_many_applicants_asked(store: Store, qtbot: QtBot) -> None:
    desk = Desk.open(store)
    people = [
        ("张三", "310230198001011234", "13800000000"),
        ("李四", "31023019820202123X", "13900000000"),
        ("王五", "310230199003031234", "13700000000"),
    ]
    numbers = [
        desk.register(
            DAY0, who=dataclasses.replace(applicant(), name=n, id_number=i, phone=p, address=n),
            description=REQUEST,
        )
        for n, i, p in people
    ]  # fmt: skip
    desk.register(DAY0, description="申请公开学校招生计划")
    page = ProactivePage(OperationRunner(store), today=lambda: D(2025, 12, 31))
    qtbot.addWidget(page)
    qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)
    assert page.task is not None  # off the GUI thread: a city's year takes seconds
    with qtbot.waitSignal(page.task.done, timeout=30_000):
        pass
    assert page.load_button.isEnabled()
    [row] = page.rows()
    assert row[:3] == ("3", "3", REQUEST)
    assert row[4] == "、".join(numbers)
    assert "共1项建议" in page.summary.text()


def test_the_review_file_strip_shows_the_deadline_and_writes_the_file(
    store: Store, qtbot: QtBot, tmp_path: Path
) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0)
    desk.to_handle(no)
    desk.close(no, "disclose", ["attached"], D(2025, 3, 20), D(2025, 3, 21))
    desk.do(actions.add_review, desk.handler, no, kind="reconsideration", filed=D(2025, 4, 1))
    panel = ReviewFilePanel(OperationRunner(store), today=lambda: D(2025, 4, 12))
    qtbot.addWidget(panel)
    panel.show_case(case_id(desk, no))
    assert panel.deadline.text() == "" and panel.button.isEnabled()
    review_id = desk.case(no).reviews[0].id
    desk.do(
        actions.record_answer_notice, desk.handler, no, review_id=review_id,
        notice_on=D(2025, 4, 3),
    )  # fmt: skip
    panel.show_case(case_id(desk, no))
    assert "至2025年4月14日" in panel.deadline.text() and "（临期）" in panel.deadline.text()
    with qtbot.waitSignal(panel.written) as signal:
        path = panel.write_to(tmp_path / "file")
    assert path is not None and path.exists() and signal.args == [str(path)]
    assert "九、办理经过（时间顺序）" in review_file.read_back(path)["headings"]


def test_the_tabs_load_only_when_shown(store: Store, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QTabWidget, QTextBrowser

    from gui.smarttabs import SmartTabs

    desk = Desk.open(store)
    no = desk.register(DAY0, description=REQUEST)
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QTextBrowser(), "案件信息")
    smart = SmartTabs(OperationRunner(store), lambda: desk.signer)
    smart.install(tabs)
    smart.show_case(case_id(desk, no))
    assert smart.checks.report is None and smart.similar.report is None  # not in view yet
    tabs.setCurrentWidget(smart.checks_tab)
    assert smart.checks.report is not None and smart.similar.report is None
    tabs.setCurrentWidget(smart.similar)
    assert smart.similar.report is not None
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "案件信息",
        "签发前检查",
        "重复与相似",
    ]


def test_the_case_view_shows_the_tabs_and_offers_the_repeat(store: Store, qtbot: QtBot) -> None:
    from gui.mainwindow import MainWindow

    desk = Desk.open(store)
    today = dt.date.today()  # the actions date events by the real day; the window agrees
    first = desk.register(today, description=REQUEST)
    desk.to_handle(first)
    finding = "该补偿方案已于本年3月在区政府门户网站“征收公告”栏目公布。"
    desk.do(
        actions.choose_outcome, desk.handler, first, code="disclose_public", reasons=["website"],
        statement=finding, on=today,
    )  # fmt: skip
    desk.sign(first, today)
    reply = desk.do(actions.draft, desk.handler, first, "reply")
    desk.do(actions.issue, desk.reviewer, reply.id, on=today)
    desk.serve_and_archive(first, today)
    again = desk.register(today, description=REQUEST)
    desk.to_handle(again)
    window = MainWindow(store, user=desk.handler, today=lambda: today)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        window.detail.show_case(case_id(desk, again))
        window.detail.show_tab("checks")
        assert any("［通过］" in t for t in window.detail.smart.checks.texts())
        window.detail.show_tab("similar")
        smart = window.detail.smart.similar
        assert smart.rows()[0][1] == first
        assert smart.rows()[0][4].endswith(f"（{desk.case(first).letters[-1].number}）")
        qtbot.mouseClick(smart.use_repeat, Qt.MouseButton.LeftButton)
        dialog = window.detail.dialog
        assert dialog is not None
        assert dialog.widgets["code"].currentData() == "reject_repeat"
        assert first in dialog.widgets["note"].toPlainText()
        dialog.reject()
        assert desk.case(again).approvals == []  # offered, not applied
        # An earlier reply's wording fills the outcome form's statement, to be confirmed.
        smart.table.setCurrentCell(0, 0)
        assert smart.wording.toPlainText() == finding
        qtbot.mouseClick(smart.reuse, Qt.MouseButton.LeftButton)
        dialog = window.detail.dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.value("statement") == finding
        assert dialog.widgets["code"].currentData() == "disclose_public"
        assert dialog.value("reasons") == ["website"]
        assert first in dialog.value("note")
        assert desk.case(again).outcome_code is None  # shown, not applied
        dialog.ok.click()  # the handler confirms: now, and only now, it is written
        proposal = proposal_of(desk.case(again))  # the 拟办意见, final at sign-off
        assert proposal is not None
        assert (proposal.code, proposal.statement) == ("disclose_public", finding)
        assert proposal.reasons == ("website",)
    finally:
        window.model.wait()
        window.runner.wait()
