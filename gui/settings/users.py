"""用户和角色: create, disable or enable, reset a password, change roles; never delete a user."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.office import users
from cases.storage.model import User
from gui.buttonnames import chinese
from gui.operations import OperationRunner
from gui.settings.base import Section
from gui.settings.titles import SECTION_TITLES

COLUMNS = ("用户名", "姓名", "角色", "状态")


class UserForm(QDialog):
    """The fields of a new user, or the roles (and optionally a new password) of one."""

    def __init__(
        self,
        title: str,
        *,
        new: bool,
        roles: frozenset[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.roles: dict[str, QCheckBox] = {}
        form = QFormLayout(self)
        if new:
            form.addRow("用户名", self.username)
            form.addRow("姓名", self.display_name)
            form.addRow("初始密码", self.password)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for role, name in users.role_names().items():
            check = QCheckBox(name)
            check.setChecked(role in roles)
            self.roles[role] = check
            row.addWidget(check)
        form.addRow("角色", box)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = chinese(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_roles(self) -> list[str]:
        return [r for r, check in self.roles.items() if check.isChecked()]


class PasswordForm(QDialog):
    def __init__(self, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"重设 {who} 的密码")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow("新密码", self.password)
        buttons = chinese(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            )
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def _all_users(session: Session) -> list[User]:
    found = list(session.scalars(select(User).order_by(User.id)))
    for u in found:
        session.expunge(u)
    return found


class UsersSection(Section):
    title = SECTION_TITLES["users"]

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, user, parent)
        self.people: list[User] = []
        self.create_button = QPushButton("新建用户…")
        self.create_button.clicked.connect(self._create)
        self.roles_button = QPushButton("修改角色…")
        self.roles_button.clicked.connect(self._roles)
        self.active_button = QPushButton("停用")
        self.active_button.clicked.connect(self._toggle_active)
        self.password_button = QPushButton("重设密码…")
        self.password_button.clicked.connect(self._password)
        self.lay_out_list(
            COLUMNS,
            "用户只能停用，不能删除：审计记录始终要能说出是谁办理了哪一步。"
            "停用的用户不能再登录，他办理过的案件和记录保持不变。",
            [self.create_button, self.roles_button, self.active_button, self.password_button],
        )
        self.table.currentCellChanged.connect(lambda *_a: self._show_buttons())
        self.reload()

    def reload(self) -> None:
        self.people = self.runner.read(_all_users)
        names = users.role_names()
        self.table.setRowCount(len(self.people))
        for i, u in enumerate(self.people):
            # In the order of roles.yaml, not of the set, so the column reads the same each time.
            roles = "、".join(n for r, n in names.items() if r in u.role_set)
            state = "在用" if u.active else "已停用"
            for col, text in enumerate((u.username, u.display_name, roles, state)):
                item = QTableWidgetItem(text)
                if not u.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(i, col, item)
        self.read_only.setVisible(not self.editable())
        self.create_button.setEnabled(self.editable())
        self._show_buttons()

    def selected(self) -> User | None:
        row = self.table.currentRow()
        return self.people[row] if 0 <= row < len(self.people) else None

    def _show_buttons(self) -> None:
        chosen = self.selected()
        can = self.editable() and chosen is not None
        for b in (self.roles_button, self.active_button, self.password_button):
            b.setEnabled(can)
        self.active_button.setText("启用" if chosen is not None and not chosen.active else "停用")

    # --- operations: each one the core's audited function, in one transaction ------------------

    def create_user(
        self, username: str, display_name: str, password: str, roles: list[str]
    ) -> bool:
        actor = self.user
        done = self.runner.write(
            "新建用户",
            lambda s: users.create_user(
                s,
                actor,
                username=username,
                display_name=display_name,
                roles=roles,
                password=password,
            ),
        )
        self.reload()
        return done is not None

    def set_roles(self, target: User, roles: list[str]) -> bool:
        actor = self.user
        if actor is None:
            return False
        done = self.runner.write("修改角色", lambda s: users.set_roles(s, actor, target, roles))
        self.reload()
        return done is not None

    def set_active(self, target: User, active: bool) -> bool:
        actor = self.user
        if actor is None:
            return False
        word = "启用用户" if active else "停用用户"
        done = self.runner.write(word, lambda s: users.set_active(s, actor, target, active))
        self.reload()
        return done is not None

    def reset_password(self, target: User, password: str) -> bool:
        actor = self.user
        if actor is None:
            return False
        done = self.runner.write(
            "重设密码", lambda s: users.set_password(s, actor, target, password)
        )
        return done is not None

    # --- the buttons ---------------------------------------------------------------------------

    def _create(self) -> None:
        form = UserForm("新建用户", new=True, roles=frozenset({"handler"}), parent=self)
        if form.exec() == QDialog.DialogCode.Accepted.value:
            self.create_user(
                form.username.text(),
                form.display_name.text(),
                form.password.text(),
                form.chosen_roles(),
            )

    def _roles(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        form = UserForm(
            f"{chosen.display_name} 的角色",
            new=False,
            roles=frozenset(chosen.role_set),
            parent=self,
        )
        if form.exec() == QDialog.DialogCode.Accepted.value:
            self.set_roles(chosen, form.chosen_roles())

    def _toggle_active(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.set_active(chosen, not chosen.active)

    def _password(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        form = PasswordForm(chosen.display_name, self)
        if form.exec() == QDialog.DialogCode.Accepted.value:
            self.reset_password(chosen, form.password.text())
