"""Who is at the desk: the sign-in dialog, and the first-run wizard of a fresh database.

A fresh file has no user: the wizard creates the administrator, the colleagues who handle,
review and sign, and the office profile, in one transaction. With one active user on a local
file the program signs in by itself (cases.office.users.auto_sign_in); otherwise it asks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from sqlalchemy.orm import Session

from cases.actions.settings import save_profile
from cases.office import profile as office
from cases.office import users
from cases.result import Changes, Result
from cases.storage.model import User
from cases.storage.store import Store
from gui.operations import USER_ERRORS

__all__ = ["FirstRunWizard", "SignInDialog", "choose_user", "user_caption"]


def user_caption(user: User) -> str:
    """王承办 · 承办人、审核人: how the window names who is signed in."""
    names = users.role_names()
    roles = "、".join(names.get(r, r) for r in sorted(user.role_set, key=list(names).index))
    return f"{user.display_name} · {roles}" if roles else user.display_name


def _detached(store: Store, user_id: int) -> User:
    with store.session() as s:
        found = s.get(User, user_id)
        assert found is not None
        s.expunge(found)
        return found


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b71c1c;")
    label.setWordWrap(True)
    label.setAccessibleName("错误提示")
    return label


class SignInDialog(QDialog):
    """Choose a user and give the password; the user list shows display names and roles."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("登录 · 依申请公开办理台")
        self._store = store
        self.user: User | None = None
        self.who = QComboBox()
        self.who.setAccessibleName("用户")
        self.who.setToolTip("选择您的用户名")
        with store.session() as s:
            for u in users.active_users(s):
                self.who.addItem(user_caption(u), u.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("密码")
        self.password.setToolTip("输入密码后按回车登录")
        self.error = _error_label()
        form = QFormLayout()
        form.addRow("用户(&U)", self.who)
        form.addRow("密码(&P)", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("登录")
        ok.setAccessibleName("登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.password.setFocus()

    def try_sign_in(self) -> None:
        username = self.who.currentData()
        try:
            with self._store.session() as s:
                found = users.authenticate(s, str(username or ""), self.password.text())
                user_id = found.id
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            self.password.selectAll()
            return
        self.user = _detached(self._store, user_id)
        self.accept()


@dataclasses.dataclass
class NewUser:
    username: str
    display_name: str
    password: str
    roles: list[str]


class _AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("第一步：管理员")
        self.setSubTitle(
            "管理员维护用户、机关信息和节假日。小机关可以让同一人兼任承办人、审核人或签发人。"
        )
        self.username = QLineEdit("admin")
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.again = QLineEdit()
        for box, name in (
            (self.username, "管理员用户名"),
            (self.display_name, "管理员姓名"),
            (self.password, "管理员密码"),
            (self.again, "再次输入密码"),
        ):
            box.setAccessibleName(name)
            box.setToolTip(name)
        for box in (self.password, self.again):
            box.setEchoMode(QLineEdit.EchoMode.Password)
        self.also: dict[str, QCheckBox] = {}
        also = QHBoxLayout()
        for role, name in users.role_names().items():
            if role == "admin":
                continue
            tick = QCheckBox(name)
            tick.setAccessibleName(f"管理员兼任{name}")
            self.also[role] = tick
            also.addWidget(tick)
        form = QFormLayout(self)
        form.addRow("用户名(&U)", self.username)
        form.addRow("姓名(&N)", self.display_name)
        form.addRow("密码(&P)", self.password)
        form.addRow("确认密码", self.again)
        form.addRow("兼任", also)
        self.error = _error_label()
        form.addRow(self.error)

    def validatePage(self) -> bool:
        if not self.display_name.text().strip():
            self.error.setText("请填写管理员姓名")
            return False
        if self.password.text() != self.again.text():
            self.error.setText("两次输入的密码不一致")
            return False
        if len(self.password.text()) < users.MIN_PASSWORD_LENGTH:
            self.error.setText(f"密码至少需要{users.MIN_PASSWORD_LENGTH}个字符")
            return False
        self.error.clear()
        return True

    def admin(self) -> NewUser:
        roles = ["admin", *(r for r, box in self.also.items() if box.isChecked())]
        return NewUser(
            self.username.text().strip(),
            self.display_name.text().strip(),
            self.password.text(),
            roles,
        )


class _ColleaguesPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("第二步：同事")
        self.setSubTitle("添加承办人、审核人和签发人（以后也可以在“设置”中添加）。")
        self.people: list[NewUser] = []
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for box, name in (
            (self.username, "同事用户名"),
            (self.display_name, "同事姓名"),
            (self.password, "同事初始密码"),
        ):
            box.setAccessibleName(name)
            box.setToolTip(name)
        self.roles: dict[str, QCheckBox] = {}
        row = QHBoxLayout()
        for role, name in users.role_names().items():
            if role == "admin":
                continue
            tick = QCheckBox(name)
            tick.setAccessibleName(f"同事角色{name}")
            self.roles[role] = tick
            row.addWidget(tick)
        self.add = QPushButton("添加到名单(&A)")
        self.add.setAccessibleName("添加同事")
        self.add.clicked.connect(self.add_person)
        self.listing = QListWidget()
        self.listing.setAccessibleName("已添加的同事")
        self.error = _error_label()
        form = QFormLayout(self)
        form.addRow("用户名", self.username)
        form.addRow("姓名", self.display_name)
        form.addRow("初始密码", self.password)
        form.addRow("角色", row)
        form.addRow(self.add)
        form.addRow(self.error)
        form.addRow(self.listing)

    def add_person(self) -> None:
        roles = [r for r, box in self.roles.items() if box.isChecked()]
        person = NewUser(
            self.username.text().strip(),
            self.display_name.text().strip(),
            self.password.text(),
            roles,
        )
        if not person.username or not person.display_name:
            self.error.setText("请填写用户名和姓名")
            return
        if not roles:
            self.error.setText("请至少选择一个角色")
            return
        if len(person.password) < users.MIN_PASSWORD_LENGTH:
            self.error.setText(f"初始密码至少需要{users.MIN_PASSWORD_LENGTH}个字符")
            return
        self.error.clear()
        self.people.append(person)
        names = users.role_names()
        self.listing.addItem(
            f"{person.display_name}（{person.username}）· {'、'.join(names[r] for r in roles)}"
        )
        for box in (self.username, self.display_name, self.password):
            box.clear()
        for check in self.roles.values():
            check.setChecked(False)
        self.username.setFocus()


class _OfficePage(QWizardPage):
    FIELDS = ("issuing_body", "address", "postcode", "phone", "contact", "reconsideration_body")

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("第三步：机关信息")
        self.setSubTitle("这些内容写入每一份文书（落款、地址、救济途径）。以后可以在“设置”中修改。")
        defaults = office.OfficeProfile()
        self.boxes: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for name in self.FIELDS:
            box = QLineEdit(str(getattr(defaults, name)))
            box.setAccessibleName(office.LABELS[name])
            box.setToolTip(office.LABELS[name])
            self.boxes[name] = box
            form.addRow(office.LABELS[name], box)
        self.error = _error_label()
        form.addRow(self.error)

    def profile(self) -> office.OfficeProfile:
        values: dict[str, Any] = {name: box.text().strip() for name, box in self.boxes.items()}
        return dataclasses.replace(office.OfficeProfile(), **values)


class FirstRunWizard(QWizard):
    """A fresh database: the administrator, colleagues and the office profile, then sign-in."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("首次使用 · 依申请公开办理台")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self._store = store
        self.user: User | None = None
        self.admin_page = _AdminPage()
        self.colleagues_page = _ColleaguesPage()
        self.office_page = _OfficePage()
        for page in (self.admin_page, self.colleagues_page, self.office_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步(&N) >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步(&B)")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成(&F)")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.setMinimumWidth(620)

    def _create(self, session: Session) -> Result[int]:
        first = self.admin_page.admin()
        admin = users.create_user(
            session,
            None,
            username=first.username,
            display_name=first.display_name,
            roles=first.roles,
            password=first.password,
        ).value
        for person in self.colleagues_page.people:
            users.create_user(
                session,
                admin,
                username=person.username,
                display_name=person.display_name,
                roles=person.roles,
                password=person.password,
            )
        save_profile(session, admin, self.office_page.profile())
        return Result(admin.id, Changes(users=True, settings=True))

    def validateCurrentPage(self) -> bool:
        if not super().validateCurrentPage():
            return False
        if self.currentPage() is not self.office_page:
            return True
        try:
            with self._store.transaction() as session:
                admin_id = self._create(session).value
        except USER_ERRORS as exc:
            # Nothing was written: the user can go back (上一步) to what the message names.
            self.office_page.error.setText(f"未能创建：{exc}。请返回上一步修改后再完成。")
            return False
        self.user = _detached(self._store, admin_id)
        return True


def choose_user(store: Store, parent: QWidget | None = None) -> User | None:
    """Who works in this window: the wizard on a fresh file, the one user, or the sign-in."""
    with store.session() as s:
        empty = users.user_count(s) == 0
        only = None if empty else users.auto_sign_in(s)
        if only is not None:
            s.expunge(only)
    if empty:
        wizard = FirstRunWizard(store, parent)
        if wizard.exec() != QDialog.DialogCode.Accepted.value:
            return None
        # Only the administrator is signed in by the wizard; colleagues sign in themselves.
        return wizard.user
    if only is not None:
        return only
    dialog = SignInDialog(store, parent)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    return dialog.user if dialog.exec() == QDialog.DialogCode.Accepted.value else None
