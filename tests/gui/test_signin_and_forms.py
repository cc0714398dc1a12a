"""Sign-in, the first-run wizard, the registration form's refusals, the trail in Chinese,
and the places other parts of the window install themselves."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from cases import actions
from cases.office import profile, users
from cases.storage.model import AuditRecord, Case, User
from cases.storage.store import Store
from gui.mainwindow import EXTENSIONS, MainWindow
from gui.registration import RegistrationDialog
from gui.signin import FirstRunWizard, SignInDialog, choose_user, user_caption
from gui.timeline import field_text, value_text
from tests.actions_support import Desk

TODAY = dt.date.today()


def test_sign_in_refuses_a_wrong_password_in_the_cores_words(store: Store, qtbot: QtBot) -> None:
    with store.transaction() as s:
        admin = users.create_user(
            s, None, username="admin", display_name="陈管理", roles=["admin"], password="admin-123"
        ).value
        users.create_user(
            s,
            admin,
            username="wang",
            display_name="王承办",
            roles=["handler", "reviewer"],
            password="password-1",
        )
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.who.count() == 2
    dialog.who.setCurrentIndex(dialog.who.findData("wang"))
    assert dialog.who.currentText() == "王承办 · 承办人、审核人"
    dialog.password.setText("wrong-one")
    dialog.try_sign_in()
    assert dialog.error.text() == "用户名或密码不正确"
    assert dialog.user is None
    dialog.password.setText("password-1")
    dialog.try_sign_in()
    assert dialog.user is not None and dialog.user.username == "wang"


def test_one_user_on_a_local_file_signs_in_by_itself(store: Store) -> None:
    with store.transaction() as s:
        users.create_user(
            s, None, username="admin", display_name="陈管理", roles=["admin", "handler"]
        )
    if store.is_sqlite:
        user = choose_user(store)
        assert user is not None and user_caption(user) == "陈管理 · 承办人、管理员"


def test_the_first_run_wizard_creates_the_desk_in_one_go(store: Store, qtbot: QtBot) -> None:
    wizard = FirstRunWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.admin_page
    page.display_name.setText("陈管理")
    page.password.setText("admin-123")
    page.again.setText("admin-124")
    assert not page.validatePage() and page.error.text() == "两次输入的密码不一致"
    page.again.setText("admin-123")
    page.also["handler"].setChecked(True)
    wizard.next()
    people = wizard.colleagues_page
    people.username.setText("li")
    people.display_name.setText("李审核")
    people.password.setText("password-1")
    people.add_person()
    assert people.error.text() == "请至少选择一个角色"
    people.roles["reviewer"].setChecked(True)
    people.add_person()
    assert people.listing.count() == 1 and "李审核（li）· 审核人" in people.listing.item(0).text()
    wizard.next()
    wizard.office_page.boxes["issuing_body"].setText("上海市崇明区长兴镇人民政府")
    wizard.office_page.boxes["reconsideration_body"].setText("上海市崇明区人民政府")
    wizard.accept()
    assert wizard.user is not None and wizard.user.username == "admin"
    with store.session() as s:
        made = {u.username: u.roles for u in s.scalars(select(User))}
        assert made == {"admin": "admin handler", "li": "reviewer"}
        assert profile.load_profile(s).issuing_body == "上海市崇明区长兴镇人民政府"


def test_a_refused_wizard_writes_nothing(store: Store, qtbot: QtBot) -> None:
    wizard = FirstRunWizard(store)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.admin_page.display_name.setText("陈管理")
    wizard.admin_page.password.setText("admin-123")
    wizard.admin_page.again.setText("admin-123")
    wizard.next()
    people = wizard.colleagues_page
    for name in ("admin",):  # the administrator's own user name, a second time
        people.username.setText(name)
        people.display_name.setText("重名")
        people.password.setText("password-1")
        people.roles["handler"].setChecked(True)
        people.add_person()
    wizard.next()
    assert not wizard.validateCurrentPage()
    assert "用户名“admin”已被使用" in wizard.office_page.error.text()
    with store.session() as s:
        assert s.scalar(select(func.count(User.id))) == 0
        assert s.scalar(select(func.count(AuditRecord.id))) == 0


def test_registration_refusals_sit_beside_their_field_and_nothing_is_saved(
    store: Store, qtbot: QtBot
) -> None:
    desk = Desk.open(store)
    window = MainWindow(store, user=desk.handler, today=lambda: TODAY)
    qtbot.addWidget(window)
    dialog = window.register()
    assert isinstance(dialog, RegistrationDialog)
    dialog.description.setPlainText("申请公开某文件")
    assert not dialog.try_save()
    assert dialog.errors["applicant.name"].text() == "申请人姓名或名称不能为空"
    assert dialog.errors["applicant.name"].isVisibleTo(dialog)
    dialog.name.setText("张三")
    dialog.description.setPlainText("")
    assert not dialog.try_save()
    assert dialog.errors["description"].text() == "申请公开的信息内容不能为空"
    assert not dialog.errors["applicant.name"].text()
    with store.session() as s:
        assert s.scalar(select(func.count(Case.id))) == 0
    # A channel that needs a confirmation shows the rule and its provisional day 0.
    dialog.channel.setCurrentIndex(dialog.channel.findData("email"))
    assert dialog.confirmed.isVisibleTo(dialog)
    assert "确认" in dialog.day0.text()
    window.model.wait()


def test_the_fee_dialog_shows_the_amount_before_saving(store: Store, qtbot: QtBot) -> None:
    desk = Desk.open(store)
    no = desk.register(received=TODAY)
    desk.to_handle(no)
    window = MainWindow(store, user=desk.handler, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.detail.show_case(desk.case(no).id)
    dialog = window.detail.open_offer("发出收费通知")
    assert dialog is not None
    dialog.set_value("method", "per_page")
    dialog.set_value("pages", 150)
    assert "1,700" in dialog.extra.text() or "1700" in dialog.extra.text()
    dialog.set_value("method", "per_item")
    assert "应收金额" in dialog.extra.text()
    dialog.reject()
    window.model.wait()


def test_the_trail_reads_in_chinese() -> None:
    assert field_text("applicant.id_number") == "申请人·证件号码"
    assert field_text("consultation[区财政局].replied") == "征求意见（区财政局）·答复日期"
    assert field_text("letter#12.status") == "文书12·状态"
    assert value_text("channel", "in_person") == "当面提交"
    assert value_text("step", "handle") == "办理"
    assert value_text("received", "2025-03-03") == "2025年3月3日"
    assert value_text("letter#3.status", "issued") == "已出具"


def test_other_parts_install_menus_and_pages(store: Store, qtbot: QtBot) -> None:
    desk = Desk.open(store)
    page = QLabel("统计")

    def install(window: MainWindow) -> None:
        menu = QMenu("统计(&S)", window)
        window.add_menu(menu)
        file_menu = QMenu("文件(&F)", window)
        window.add_menu(file_menu, before=window.case_menu)
        window.add_page("stats", "统计图表", page)

    EXTENSIONS.append(install)
    try:
        window = MainWindow(store, user=desk.handler, today=lambda: TODAY)
    finally:
        EXTENSIONS.remove(install)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["文件(&F)", "案件(&C)", "视图(&V)", "统计(&S)"]
    window.show_page("stats")
    assert page.isVisibleTo(window)
    window.show_cases()
    assert not page.isVisibleTo(window)
    window.model.wait()


def test_the_window_remembers_its_size(store: Store, qtbot: QtBot) -> None:
    desk = Desk.open(store)
    desk.do(actions.register, desk.handler, **_minimal())
    window = MainWindow(store, user=desk.handler, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.width() <= 1366 and window.height() <= 768  # fits the smallest office screen
    window.resize(1200, 660)
    window.table.setColumnWidth(0, 150)
    window.close()
    again = MainWindow(store, user=desk.handler, today=lambda: TODAY)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    # The offscreen screen is 800 pixels wide: a restored window is kept on the screen.
    assert again.height() == 660
    assert again.table.columnWidth(0) == 150
    window.model.wait()
    again.model.wait()


def _minimal() -> dict[str, object]:
    from tests.actions_support import applicant

    return {
        "channel": "in_person",
        "applicant": applicant(),
        "description": "申请公开某文件",
        "received": TODAY,
    }
