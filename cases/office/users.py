"""Users and roles: scrypt password hashes, sign-in, and the role checks every action makes.

Roles are the handbook's ids: handler (承办人), reviewer (审核人), signer (签发人), admin (管理员).
The audit trail names users by their username, which is unique and never reused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.result import Changes, Result
from cases.rules.handbook import RoleId
from cases.rules.workflow import ActionRefused, require_role, role_names
from cases.storage import audit
from cases.storage.model import User

__all__ = [
    "ActionRefused",
    "active_users",
    "authenticate",
    "auto_sign_in",
    "create_user",
    "find_user",
    "has_role",
    "hash_password",
    "require_role",
    "role_names",
    "set_active",
    "set_password",
    "set_roles",
    "user_count",
    "verify_password",
]

# scrypt cost: 128 MiB of memory per hash (128 · n · r bytes), about half a second on an office
# PC. Hashes stored at a lower cost are raised at the user's next sign-in (authenticate).
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 8
USERS_CHANGED = Changes(users=True)


def has_role(user: User, role: str) -> bool:
    return user.active and role in user.role_set


# --- passwords ----------------------------------------------------------------------------------


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL refuses more than 32 MiB unless told: allow what these parameters need.
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=dklen,
        maxmem=129 * n * r + (1 << 20),
    )


def hash_password(password: str, salt: bytes, *, n: int = SCRYPT_N) -> str:
    """scrypt with its parameters stored beside the hash, so they can be raised later."""
    digest = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${digest.hex()}"


def _hash_cost(user: User) -> int:
    try:
        return int((user.password_hash or "").split("$")[1])
    except (IndexError, ValueError):
        return 0


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash or not user.salt:
        return False
    try:
        scheme, n_text, r_text, p_text, hex_digest = user.password_hash.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        expected = bytes.fromhex(hex_digest)
        salt = bytes.fromhex(user.salt)
    except ValueError:
        return False
    # Parameters read from the database: bound them, so a forged row cannot exhaust memory.
    if scheme != "scrypt" or not (2 <= n <= 2**20 and 1 <= r <= 32 and p == 1):
        return False
    digest = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(digest, expected)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ActionRefused("password", f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")


def _store_password(user: User, password: str) -> None:
    salt = secrets.token_bytes(SALT_BYTES)
    user.salt = salt.hex()
    user.password_hash = hash_password(password, salt)


# --- managing users -----------------------------------------------------------------------------


def _check_roles(roles: Iterable[str]) -> list[str]:
    known = role_names()
    chosen = list(dict.fromkeys(roles))
    unknown = [r for r in chosen if r not in known]
    if unknown:
        options = "、".join(f"{k}（{v}）" for k, v in known.items())
        raise ActionRefused("roles", f"未知角色：{'、'.join(unknown)}；可选：{options}")
    if not chosen:
        raise ActionRefused("roles", "至少要给用户一个角色")
    return chosen


def user_count(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    display_name: str,
    roles: Iterable[str],
    password: str | None = None,
    department: str | None = None,
) -> Result[User]:
    """An administrator adds a user; the very first user needs no actor and must be an admin."""
    first = user_count(session) == 0
    if actor is None and not first:
        raise ActionRefused("user", "添加用户需要由管理员登录后办理")
    if actor is not None:
        require_role(actor, RoleId.ADMIN, "添加用户")
    username = username.strip()
    display_name = display_name.strip()
    if not username or any(ch.isspace() for ch in username) or len(username) > 64:
        raise ActionRefused("username", "用户名不能为空、不能含空格，且不超过64个字符")
    if not display_name or len(display_name) > 64:
        raise ActionRefused("display_name", "姓名不能为空，且不超过64个字符")
    chosen = _check_roles(roles)
    if first and RoleId.ADMIN not in chosen:
        raise ActionRefused("roles", "第一个用户必须有“管理员”角色，否则无人能管理用户")
    if find_user(session, username) is not None:
        raise ActionRefused("username", f"用户名“{username}”已被使用")
    if password is not None:
        _check_password(password)
    user = User(
        username=username,
        display_name=display_name,
        roles=" ".join(chosen),
        department=department,
        active=True,
    )
    if password is not None:
        _store_password(user, password)
    session.add(user)
    session.flush()
    audit.record(
        session,
        None,
        actor.username if actor is not None else username,
        "create_user",
        {
            "username": (None, username),
            "display_name": (None, display_name),
            "roles": (None, user.roles),
            "department": (None, department),
        },
    )
    return Result(user, USERS_CHANGED)


def _in_session(session: Session, user: User) -> User:
    """The row of this user in the caller's session (the signed-in User may come from another)."""
    found = session.get(User, user.id)
    if found is None:
        raise ActionRefused("user", f"找不到用户“{user.username}”")
    return found


def set_password(session: Session, actor: User, user: User, password: str) -> Result[User]:
    """A user changes their own password, or an administrator resets anyone's."""
    user = _in_session(session, user)
    if actor.id != user.id:
        require_role(actor, RoleId.ADMIN, "为其他用户设置密码")
    elif not actor.active:
        raise ActionRefused("user", f"用户“{actor.display_name}”已停用")
    _check_password(password)
    _store_password(user, password)
    # The trail says that the password changed, never what it is.
    audit.record(session, None, actor.username, "set_password", {"user": (None, user.username)})
    return Result(user, USERS_CHANGED)


def set_roles(session: Session, actor: User, user: User, roles: Iterable[str]) -> Result[User]:
    require_role(actor, RoleId.ADMIN, "修改用户角色")
    user = _in_session(session, user)
    chosen = _check_roles(roles)
    was_admin = RoleId.ADMIN in user.role_set
    if was_admin and RoleId.ADMIN not in chosen and _last_admin(session, user):
        raise ActionRefused("roles", "不能取消最后一位管理员的“管理员”角色")
    old = user.roles
    user.roles = " ".join(chosen)
    audit.record(
        session, None, actor.username, "set_roles", {f"{user.username}.roles": (old, user.roles)}
    )
    return Result(user, USERS_CHANGED)


def set_active(session: Session, actor: User, user: User, active: bool) -> Result[User]:
    """Users are deactivated, never deleted: the trail keeps naming them."""
    require_role(actor, RoleId.ADMIN, "停用或启用用户")
    user = _in_session(session, user)
    if not active and RoleId.ADMIN in user.role_set and _last_admin(session, user):
        raise ActionRefused("active", "不能停用最后一位管理员")
    old = user.active
    user.active = active
    audit.record(
        session, None, actor.username, "set_active", {f"{user.username}.active": (old, active)}
    )
    return Result(user, USERS_CHANGED)


def _last_admin(session: Session, user: User) -> bool:
    others = [u for u in active_users(session) if u.id != user.id and RoleId.ADMIN in u.role_set]
    return not others


# --- signing in ---------------------------------------------------------------------------------


def authenticate(session: Session, username: str, password: str) -> User:
    """The user with this name and password; one message for both mistakes, so as not to tell
    which user names exist."""
    user = find_user(session, username.strip())
    if user is None:
        # Hash anyway, so that an unknown name takes as long as a wrong password.
        hash_password(password, bytes(SALT_BYTES))
    if user is None or not verify_password(user, password):
        raise ActionRefused("password", "用户名或密码不正确")
    if not user.active:
        raise ActionRefused("user", f"用户“{user.display_name}”已停用")
    if _hash_cost(user) < SCRYPT_N:
        # Stored by an earlier version at a lower cost: now that the password is known, store
        # it again at today's. Takes effect when the caller commits (sign in in a transaction).
        _store_password(user, password)
    return user


def auto_sign_in(session: Session) -> User | None:
    """On a single-desk SQLite file with exactly one active user, that user; otherwise None."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    users = active_users(session)
    return users[0] if len(users) == 1 else None
