"""A shared database server: its address as people see it, connection options, failures in Chinese.

The driver's own messages are English and several lines long; a desk that cannot reach the
server gets one Chinese line naming the server and what to check, and the window may offer to
try again when waiting could help (the server is down or the network is away), but not when the
address or the password is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url

# Seconds a desk waits for the server to answer before saying it cannot be reached: without it a
# dropped packet leaves the window blank for minutes.
CONNECT_TIMEOUT = 10

# Recognised driver messages: (fragment, Chinese reason, whether trying again may help).
REASONS = (
    ("Connection refused", "服务器拒绝连接（数据库服务可能未启动，或端口不对）", True),
    ("timeout expired", "连接超时（服务器没有应答）", True),
    ("timed out", "连接超时（服务器没有应答）", True),
    ("could not translate host name", "找不到该服务器名", True),
    ("Name or service not known", "找不到该服务器名", True),
    ("No route to host", "网络不通", True),
    ("Network is unreachable", "网络不通", True),
    ("the database system is starting up", "数据库服务正在启动", True),
    ("the database system is shutting down", "数据库服务正在关闭", True),
    ("password authentication failed", "用户名或密码错误", False),
    ("no password supplied", "没有提供密码", False),
    ("does not exist", "服务器上没有这个数据库或用户", False),
    ("no pg_hba.conf entry", "服务器不允许本机连接（请管理员检查 pg_hba.conf）", False),
    ("permission denied", "该账号没有连接这个数据库的权限", False),
)


def public_url(url: str | URL) -> str:
    """The address without its password, for messages, `db info` and the 关于 dialog."""
    parsed = make_url(url) if isinstance(url, str) else url
    # URL.set(password=None) keeps the password: None there means "leave as is".
    return parsed._replace(password=None).render_as_string(hide_password=False)


def tune(engine: Engine) -> None:
    """Settings of every connection a desk opens to the server, made once as it connects."""

    @event.listens_for(engine, "connect")
    def _settings(dbapi_connection: Any, _record: Any) -> None:
        # A desk's statements run for a millisecond or a few; the server compiles (JIT) any whose
        # estimated cost passes jit_above_cost, which for a first screen the planner overrates
        # costs 20 ms. Outside a transaction, so that the rollback that ends it keeps the setting.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET jit = off")
                # psycopg prepares a statement it has sent five times, and the server may then
                # plan it once for any parameters. The list's segments send one text with each
                # step or type in turn: a plan made for none of them walked the whole year for a
                # rare step (2025 by 当前环节: 130-160 ms on 300,000 cases, 2 ms planned per call).
                cursor.execute("SET plan_cache_mode = force_custom_plan")
        finally:
            dbapi_connection.autocommit = autocommit


def connect_args(url: str | URL) -> dict[str, Any]:
    """Driver options for a server URL: a bounded wait unless the URL sets its own."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "postgresql" or "connect_timeout" in parsed.query:
        return {}
    return {"connect_timeout": CONNECT_TIMEOUT}


@dataclass(frozen=True)
class Failure:
    message: str  # one line
    retry: bool  # whether trying again later may help


def failure(url: str | URL, error: BaseException) -> Failure:
    """One line for a failed connection to a server, and whether to offer trying again."""
    parsed = make_url(url) if isinstance(url, str) else url
    detail = str(getattr(error, "orig", None) or error)
    first = next((line.strip() for line in detail.splitlines() if line.strip()), "")
    where = parsed.host or "本机"
    if parsed.port:
        where += f":{parsed.port}"
    known = [(r, again) for fragment, r, again in REASONS if fragment.lower() in detail.lower()]
    reason, retry = known[0] if known else (first or type(error).__name__, True)
    return Failure(
        f"无法连接数据库服务器 {where}（{public_url(parsed)}）：{reason}；"
        "请检查网络、服务器和 --db 地址（或 DISCLOSURE_DESK_DB）",
        retry,
    )


def missing_rights(url: str | URL, error: BaseException) -> str | None:
    """The line for an account that may use the tables but not create or upgrade them, else None.

    A desk account meets this when a newer program version first opens the database: the
    migrations need the owner, as README's section for the IT person sets it up.
    """
    detail = str(getattr(error, "orig", None) or error)
    if "permission denied" not in detail and "must be owner" not in detail:
        return None
    parsed = make_url(url) if isinstance(url, str) else url
    who = parsed.username or "当前账号"
    return (
        f"数据库 {public_url(parsed)} 的表结构需要建立或升级，但账号 {who} 没有这个权限；"
        "请管理员先用数据库所有者账号启动一次本程序（例如 db info），再在各台电脑上启动"
    )
