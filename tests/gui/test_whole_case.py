"""A whole case carried through the window, signed in as each role, from the form to the archive.

Every step is done by the widgets a handler uses (the registration form, the action buttons and
their dialogs, the letters panel) and checked twice: in the database, and in what the window
shows (the list row, the stepper, the deadline panel, the quick views).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import QUrl
from pytestqt.modeltest import ModelTester
from pytestqt.qt_compat import qt_api  # noqa: F401
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from cases.query.caselist import View
from cases.storage.model import Case, CaseCheck, Letter
from cases.storage.store import Store
from gui.casemodel import COL_HANDLER, COL_OUTCOME, COL_REMAINING, COL_STATUS, COL_STEP
from gui.forms import FormDialog
from gui.mainwindow import MainWindow
from gui.viewlist import ViewListModel
from tests.actions_support import Desk

TODAY = dt.date.today()  # the actions date events by the real day; the window agrees


@pytest.fixture
def desk(store: Store) -> Desk:
    return Desk.open(store)


@pytest.fixture
def window(desk: Desk, qtbot: QtBot) -> Iterator[MainWindow]:
    win = MainWindow(desk.store, user=desk.handler, today=lambda: TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    opened: list[QUrl] = []
    win.detail.letters.open_url = lambda url: bool(opened.append(url)) or True
    yield win
    win.model.wait()
    win.runner.wait()


def case_of(desk: Desk, no: str) -> Case:
    return desk.case(no)


def act(qtbot: QtBot, window: MainWindow, offer: str, **values: object) -> FormDialog:
    """Click an action the case view offers, fill its dialog and save it."""
    assert offer in window.detail.offer_texts(), window.detail.offer_texts()
    window.detail.action_row.button(offer).click()
    dialog = window.detail.dialog
    assert dialog is not None and dialog.isVisible()
    for name, value in values.items():
        dialog.set_value(name, value)
    dialog.ok.click()
    return dialog


def saved(dialog: FormDialog) -> None:
    assert not dialog.isVisible(), dialog.error_text()


def row_texts(window: MainWindow, no: str) -> dict[int, str]:
    window.model.wait()
    with window.store.session() as s:
        case_id = s.scalars(select(Case.id).where(Case.no == no)).one()
    row = window.model.row_of(case_id)
    assert row is not None, "the case is not in the list"
    return {c: str(window.model.index(row, c).data() or "") for c in range(12)}


def register_through_form(qtbot: QtBot, window: MainWindow, name: str = "张三") -> str:
    dialog = window.register()
    assert dialog is not None
    dialog.channel.setCurrentIndex(dialog.channel.findData("post_signed"))
    assert dialog.signed.isVisibleTo(dialog) and not dialog.confirmed.isVisibleTo(dialog)
    assert "签收" in dialog.day0.text() and "条例第三十一条" in dialog.day0.text()
    dialog.channel.setCurrentIndex(dialog.channel.findData("in_person"))
    assert not dialog.signed.isVisibleTo(dialog)
    dialog.name.setText(name)
    dialog.id_number.setText("310230198001011230")  # a wrong check character
    assert "校验不通过" in dialog.id_warning.text()  # a warning beside the field …
    dialog.phone.setText("13800000000")
    dialog.address.setText("上海市崇明区城桥镇人民路1号")
    dialog.description.setPlainText("申请公开某地块房屋征收补偿方案")
    dialog.save.click()
    assert dialog.case_id is not None, dialog.error_text()  # … not a refusal
    assert dialog.receipt_button.isVisible()
    dialog.reject()
    return dialog.case_no


def test_a_case_from_the_form_to_the_archive(
    desk: Desk, window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    assert window.user_text() == "王承办 · 承办人"
    no = register_through_form(qtbot, window)
    case = case_of(desk, no)
    assert case.step == "register" and case.handler == "王承办"
    assert window.detail.case_id == case.id  # the new case is selected
    assert window.detail.stepper.current_name() == "登记"
    assert "还剩20个工作日" in window.detail.deadline.text()
    row = row_texts(window, no)
    assert (row[COL_HANDLER], row[COL_STEP], row[COL_REMAINING]) == ("王承办", "登记", "20")
    assert "张三" in window.detail.page_text("case")

    # A tick on the checklist is kept on the case.
    window.detail.checklist.boxes["channel"].setChecked(True)
    with desk.store.session() as s:
        assert s.scalars(select(CaseCheck.item).where(CaseCheck.case_id == case.id)).all() == [
            "channel"
        ]
    assert window.detail.checklist.boxes["channel"].isChecked()
    assert "核对清单·登记" in window.detail.page_text("trail")

    saved(act(qtbot, window, "转入审核"))
    assert window.detail.stepper.current_name() == "审核"

    # 补正: a refusal first, in the core's words, beside the field.
    dialog = act(qtbot, window, "发出补正告知", items="")
    assert dialog.isVisible()
    assert "需要补正的内容不能为空" in dialog.errors["items"].text()
    dialog.set_value("items", "请补充申请人身份证明复印件")
    dialog.ok.click()
    saved(dialog)
    assert case_of(desk, no).status == "suspended"
    assert "中止" in window.detail.deadline.text()
    assert row_texts(window, no)[COL_STATUS] == "中止计时"
    counts = {e.key: e.count for e in window.views.entries}
    assert counts[View.CORRECTION.value] == 1

    saved(act(qtbot, window, "登记补正材料"))
    case = case_of(desk, no)
    assert case.status == "open" and case.corrections[0].received == TODAY
    assert "还剩20个工作日" in window.detail.deadline.text()

    saved(act(qtbot, window, "转入分办"))
    saved(act(qtbot, window, "分办", department="区规划资源局", handler="王承办"))
    assert case_of(desk, no).department == "区规划资源局"
    saved(act(qtbot, window, "转入办理"))
    assert window.detail.stepper.current_name() == "办理"

    # 征求第三方意见 and its reply.
    saved(act(qtbot, window, "发出征求意见", party="third_party", to="某置业有限公司"))
    assert {e.key: e.count for e in window.views.entries}[View.CONSULTING.value] == 1
    saved(act(qtbot, window, "登记征求意见结果", opinion="agree"))
    consultation = case_of(desk, no).consultations[0]
    assert (consultation.replied, consultation.opinion) == (TODAY, "agree")

    # 延期: the handler asks, and does not see the approval; the reviewer approves.
    saved(act(qtbot, window, "提请延期答复", reason="涉及档案检索，需要更多时间"))
    assert "批准延期答复" not in window.detail.offer_texts()
    due_before = case_of(desk, no).due
    window.set_user(desk.reviewer)
    window.detail.show_case(case.id)
    assert "批准延期答复" in window.detail.offer_texts()
    saved(act(qtbot, window, "批准延期答复", approve="yes"))
    case = case_of(desk, no)
    assert case.extensions and case.extensions[0].approved_by == "李审核"
    assert case.due is not None and due_before is not None and case.due > due_before
    assert "还剩" in window.detail.deadline.text()

    # The outcome with its reasons, by the handler.
    window.set_user(desk.handler)
    window.detail.show_case(case.id)
    saved(act(qtbot, window, "确定办理结果", code="disclose", reasons=["attached"]))
    assert case_of(desk, no).step == "draft"
    assert window.detail.stepper.current_name() == "拟稿"

    # The reply: drafted, opened in the word processor, edited there, taken back.
    letters = window.detail.letters
    letters.kind.setCurrentIndex(letters.kind.findData("reply"))
    letters.buttons["draft"].click()
    path = letters.opened[-1]
    assert path.exists() and path.suffix == ".docx"
    edited = docx.Document(str(path))
    edited.add_paragraph("承办人在 Word 中补充的一段说明。")
    edited.save(str(path))
    assert letters.take_back()
    with desk.store.session() as s:
        letter = s.scalars(select(Letter).where(Letter.case_id == case.id)).one()
        assert letter.status == "draft"
        assert letter.content == path.read_bytes()
        letter_id = letter.id

    saved(act(qtbot, window, "提交审核"))
    assert case_of(desk, no).step == "sign_off", window.last_message
    assert window.detail.stepper.current_name() == "审核签发"
    assert {e.key: e.count for e in window.views.entries}[View.SIGN_OFF.value] == 1
    assert window.detail.offer_texts() == []  # the handler neither reviews nor signs

    window.set_user(desk.reviewer)
    window.detail.show_case(case.id)
    assert "签发" not in window.detail.offer_texts()
    saved(act(qtbot, window, "审核通过"))
    window.set_user(desk.signer)
    window.detail.show_case(case.id)
    saved(act(qtbot, window, "签发"))
    case = case_of(desk, no)
    assert case.outcome_code == "disclose" and case.step == "serve"
    assert "已于" in window.detail.deadline.text() and "予以公开" in window.detail.deadline.text()

    # 发文 by the disclosure office.
    window.set_user(desk.reviewer)
    window.detail.show_case(case.id)
    window.detail.show_tab("letters")
    letters.select_letter(letter_id)
    assert letters.issue_selected()
    with desk.store.session() as s:
        issued = s.get(Letter, letter_id)
        assert issued is not None and issued.status == "issued" and issued.number
        number = issued.number
    assert letters.model.rows[0].number == number

    window.set_user(desk.handler)
    window.detail.show_case(case.id)
    assert {e.key: e.count for e in window.views.entries}[View.SERVE.value] == 1
    saved(act(qtbot, window, "登记送达", method="ems", tracking_no="EA123456789CN"))
    assert case_of(desk, no).services[0].tracking_no == "EA123456789CN"
    saved(act(qtbot, window, "转入归档"))
    saved(act(qtbot, window, "归档"))
    case = case_of(desk, no)
    assert case.archived_at is not None
    assert window.detail.stepper.current_name() == ""  # every step done
    assert all(t.startswith("✓") for t in window.detail.stepper.texts())
    trail = window.detail.page_text("trail")
    for words in ("王承办", "李审核", "赵签发", "登记申请", "办理步骤", "当面提交"):
        assert words in trail
    for code in ("in_person", "applicant.id_number", "handler\t"):
        assert code not in trail


def test_a_withdrawn_case_and_a_refused_return(
    desk: Desk, window: MainWindow, qtbot: QtBot
) -> None:
    no = register_through_form(qtbot, window, name="李四")
    saved(act(qtbot, window, "转入审核"))
    dialog = act(qtbot, window, "登记撤回申请", reasons=[])
    assert dialog.isVisible() and "须至少选择一项理由" in dialog.error_text()
    with desk.store.session() as s:
        assert s.scalars(select(Case.outcome_code).where(Case.no == no)).one() is None
    dialog.set_value("reasons", dialog.tick_values("reasons")[:1])
    dialog.ok.click()
    saved(dialog)
    case = case_of(desk, no)
    assert case.outcome_code == "other_withdrawn" and case.step == "draft"
    assert row_texts(window, no)[COL_HANDLER] == "王承办"
    assert "其他处理" in row_texts(window, no)[COL_OUTCOME]

    saved(act(qtbot, window, "提交审核"))
    window.set_user(desk.reviewer)
    window.detail.show_case(case.id)
    dialog = act(qtbot, window, "退回修改", comment="")
    assert "退回修改意见不能为空" in dialog.error_text()
    dialog.set_value("comment", "请补充撤回材料的日期")
    dialog.ok.click()
    saved(dialog)
    assert case_of(desk, no).step == "draft"
    assert window.detail.stepper.current_name() == "拟稿"


def test_a_refusal_from_the_core_is_shown_in_its_words(
    desk: Desk, window: MainWindow, qtbot: QtBot
) -> None:
    no = register_through_form(qtbot, window, name="王五")
    saved(act(qtbot, window, "转入审核"))
    saved(act(qtbot, window, "发出补正告知", items="请补充身份证明"))
    # Another desk recorded the correction meanwhile: this desk's button is now out of date.
    from cases import actions

    desk.do(actions.record_correction, desk.handler, no, received_on=TODAY)
    dialog = act(qtbot, window, "登记补正材料")
    # The view still showed the case before that change: refused as stale, the form closed,
    # and the window names who changed the case (gui/detail.py passes the version it shows).
    assert not dialog.isVisible()
    assert f"未执行：案件{no}已由王承办于" in window.last_message
    # The case was read again after the refusal: the stale action is gone.
    assert "登记补正材料" not in window.detail.offer_texts()


def test_a_user_without_the_role_does_not_see_the_action(
    desk: Desk, window: MainWindow, qtbot: QtBot
) -> None:
    register_through_form(qtbot, window)
    assert "作废" not in window.detail.offer_texts()  # 作废 is for the reviewer and admin
    assert "作废" not in window.detail.action_row.texts()
    window.show_cases(View.ALL)
    window.set_user(desk.reviewer)
    assert "作废" in window.detail.action_row.texts()
    window.set_user(desk.signer)
    assert window.detail.action_row.texts() == []
    menu = window.context_menu_at(0)
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["（本步骤没有您可以办理的操作）"]


def test_models_pass_the_model_tester(
    desk: Desk, window: MainWindow, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    register_through_form(qtbot, window)
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.views)
    qtmodeltester.check(ViewListModel())
    letters = window.detail.letters
    letters.kind.setCurrentIndex(letters.kind.findData("receipt"))
    letters.buttons["draft"].click()
    assert letters.model.rowCount() == 1
    qtmodeltester.check(letters.model)


def test_my_to_do_list_and_its_counts(desk: Desk, window: MainWindow, qtbot: QtBot) -> None:
    mine = register_through_form(qtbot, window)
    window.set_user(desk.reviewer)
    other = register_through_form(qtbot, window, name="赵六")  # the reviewer registers it
    assert case_of(desk, other).handler is None
    window.set_user(desk.handler)
    window.show_cases(View.MINE)
    window.model.wait()
    shown = {window.model.case_row(r).no for r in range(window.model.rowCount())}  # type: ignore[union-attr]
    assert shown == {mine}
    assert {e.key: e.count for e in window.views.entries}[View.MINE.value] == 1
    assert window.table.currentIndex().row() == 0  # a new view selects its first row
    window.show_cases(View.ALL)
    window.model.wait()
    assert window.model.rowCount() == 2


def test_the_outcome_dialog_takes_the_words_written_into_the_letter(
    desk: Desk, window: MainWindow, qtbot: QtBot
) -> None:
    no = register_through_form(qtbot, window, name="赵六")
    saved(act(qtbot, window, "转入审核"))
    saved(act(qtbot, window, "转入分办"))
    saved(act(qtbot, window, "分办", department="区规划资源局", handler="王承办"))
    saved(act(qtbot, window, "转入办理"))
    # 其他处理-其他 must say what was decided: refused in the core's words, nothing proposed.
    dialog = act(qtbot, window, "确定办理结果", code="other", reasons=["merged"], statement="")
    assert dialog.isVisible()
    assert dialog.error_text()
    assert case_of(desk, no).step == "handle"
    dialog.set_value("statement", "您的本次申请已与您2026年11月提出的申请合并答复。")
    dialog.set_value("note", "内部：与前案合并")
    dialog.ok.click()
    saved(dialog)
    case = case_of(desk, no)
    assert case.step == "draft"
    with desk.store.session() as s:
        from cases.rules.approvals import proposal_of
        from cases.storage.model import Case as CaseRow

        proposal = proposal_of(s.get(CaseRow, case.id))
        assert proposal is not None
        assert proposal.statement == "您的本次申请已与您2026年11月提出的申请合并答复。"
        assert proposal.note == "内部：与前案合并"
