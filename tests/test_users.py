"""Users and roles: scrypt hashes with a salt each, sign-in, administration, role checks."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cases.office import users
from cases.storage.model import AuditRecord, User
from cases.storage.store import Store
from tests.actions_support import Desk


def _admin(store: Store, password: str | None = "correct horse") -> User:
    with store.transaction() as s:
        return users.create_user(
            s, None, username="chen", display_name="陈管理", roles=["admin"], password=password
        ).value


def test_passwords_are_scrypt_hashes_with_a_salt_per_user(store: Store) -> None:
    admin = _admin(store)
    with store.transaction() as s:
        other = users.create_user(
            s, admin, username="wang", display_name="王承办", roles=["handler"],
            password="correct horse",
        ).value  # fmt: skip
    assert admin.password_hash is not None and other.password_hash is not None
    assert admin.password_hash.startswith("scrypt$131072$8$1$")
    assert "correct horse" not in admin.password_hash
    assert admin.salt != other.salt  # the same password hashes differently
    assert admin.password_hash != other.password_hash
    assert users.verify_password(admin, "correct horse")
    assert not users.verify_password(admin, "correct horsE")


def test_authenticate(store: Store) -> None:
    _admin(store)
    with store.session() as s:
        assert users.authenticate(s, " chen ", "correct horse").username == "chen"
        wrong = pytest.raises(users.ActionRefused)
        with wrong as bad_password:
            users.authenticate(s, "chen", "wrong password")
        with pytest.raises(users.ActionRefused) as no_such_user:
            users.authenticate(s, "nobody", "correct horse")
    # One message for both, so that the sign-in screen does not reveal which names exist.
    assert bad_password.value.message == no_such_user.value.message == "用户名或密码不正确"


def test_a_user_without_password_cannot_sign_in_by_password(store: Store) -> None:
    _admin(store, password=None)
    with store.session() as s, pytest.raises(users.ActionRefused):
        users.authenticate(s, "chen", "")


def test_a_deactivated_user_cannot_sign_in_or_act(store: Store) -> None:
    desk = Desk.open(store)
    with store.transaction() as s:
        users.set_password(s, desk.admin, desk.handler, "handler-pass")
        users.set_active(s, desk.admin, desk.handler, False)
    with store.session() as s, pytest.raises(users.ActionRefused) as info:
        users.authenticate(s, "handler", "handler-pass")
    assert "已停用" in info.value.message
    desk.handler.active = False
    refusal = pytest.raises(users.ActionRefused)
    with refusal as info2:
        users.require_role(desk.handler, "handler")
    assert "已停用" in info2.value.message


def test_the_first_user_needs_no_actor_but_must_be_an_administrator(store: Store) -> None:
    with store.transaction() as s, pytest.raises(users.ActionRefused) as info:
        users.create_user(s, None, username="wang", display_name="王", roles=["handler"])
    assert info.value.field == "roles" and "管理员" in info.value.message
    admin = _admin(store)
    with store.transaction() as s, pytest.raises(users.ActionRefused) as later:
        users.create_user(s, None, username="li", display_name="李", roles=["handler"])
    assert "管理员登录" in later.value.message
    with store.transaction() as s:
        users.create_user(s, admin, username="li", display_name="李", roles=["handler"])


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"username": "a b"}, "username", "不能含空格"),
        ({"username": ""}, "username", "不能为空"),
        ({"display_name": " "}, "display_name", "不能为空"),
        ({"roles": ["boss"]}, "roles", "未知角色：boss"),
        ({"roles": []}, "roles", "至少"),
        ({"password": "short"}, "password", "至少需要8个字符"),
        ({"username": "admin"}, "username", "已被使用"),
    ],
)
def test_bad_user_details_are_refused(
    store: Store, fields: dict[str, object], field: str, says: str
) -> None:
    desk = Desk.open(store)
    details: dict[str, object] = {
        "username": "zhou",
        "display_name": "周",
        "roles": ["handler"],
        **fields,
    }
    refusal = desk.refuse(users.create_user, desk.admin, **details)
    assert refusal.field == field and says in refusal.message


def test_only_administrators_manage_users(store: Store) -> None:
    desk = Desk.open(store)
    for attempt in (
        lambda s: users.create_user(
            s, desk.handler, username="x", display_name="X", roles=["handler"]
        ),
        lambda s: users.set_roles(s, desk.reviewer, desk.handler, ["handler", "reviewer"]),
        lambda s: users.set_active(s, desk.signer, desk.handler, False),
        lambda s: users.set_password(s, desk.handler, desk.reviewer, "new password"),
    ):
        refusal = desk.refuse(attempt)
        assert refusal.field == "role" and "“管理员”" in refusal.message


def test_users_change_their_own_password(store: Store) -> None:
    desk = Desk.open(store)
    desk.do(users.set_password, desk.handler, desk.handler, "my new password")
    with store.session() as s:
        assert users.authenticate(s, "handler", "my new password").id == desk.handler.id
        rows = s.scalars(select(AuditRecord).where(AuditRecord.action == "set_password")).all()
    assert [(r.actor, r.new) for r in rows] == [("handler", "handler")]
    assert all("my new password" not in (r.new or "") for r in rows)


def test_the_last_administrator_stays(store: Store) -> None:
    desk = Desk.open(store)
    demote = desk.refuse(users.set_roles, desk.admin, desk.admin, ["handler"])
    assert "最后一位管理员" in demote.message
    deactivate = desk.refuse(users.set_active, desk.admin, desk.admin, False)
    assert "最后一位管理员" in deactivate.message
    desk.do(users.set_roles, desk.admin, desk.reviewer, ["reviewer", "admin"])
    desk.do(users.set_roles, desk.admin, desk.admin, ["handler"])
    with store.session() as s:
        changed = users.find_user(s, "admin")
        assert changed is not None and changed.role_set == {"handler"}
        trail = s.scalars(select(AuditRecord).where(AuditRecord.action == "set_roles")).all()
    assert [(r.field, r.old, r.new) for r in trail] == [
        ("reviewer.roles", "reviewer", "reviewer admin"),
        ("admin.roles", "admin", "handler"),
    ]


def test_require_role_names_the_roles_in_chinese(store: Store) -> None:
    desk = Desk.open(store)
    users.require_role(desk.signer, ["reviewer", "signer"])
    with pytest.raises(users.ActionRefused) as info:
        users.require_role(desk.handler, ["reviewer", "signer"], "签发")
    assert info.value.field == "role"
    assert info.value.message == "签发需要“审核人”或“签发人”角色；王承办的角色为：承办人"
    assert users.has_role(desk.reviewer, "reviewer")
    assert not users.has_role(desk.reviewer, "signer")


def test_auto_sign_in_only_for_the_single_user_of_a_sqlite_file(store: Store) -> None:
    with store.session() as s:
        assert users.auto_sign_in(s) is None  # nobody yet
    admin = _admin(store)
    with store.session() as s:
        signed_in = users.auto_sign_in(s)
    if store.is_sqlite:
        assert signed_in is not None and signed_in.id == admin.id
    else:
        assert signed_in is None  # a shared server database always asks
    with store.transaction() as s:
        users.create_user(s, admin, username="wang", display_name="王", roles=["handler"])
    with store.session() as s:
        assert users.auto_sign_in(s) is None  # several users: ask who it is
    with store.transaction() as s:
        users.set_active(s, admin, users.find_user(s, "wang") or admin, False)
    with store.session() as s:
        again = users.auto_sign_in(s)
    assert (again is not None) == store.is_sqlite
