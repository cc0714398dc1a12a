"""Knowing where you are: the database in use, its schema version, size, cases (`db info`, 关于)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from cases.storage.migrations import HEAD_REVISION
from cases.storage.model import Case
from cases.storage.server import public_url
from cases.storage.store import Store

PROGRAM = "依申请公开办理台"
DISTRIBUTION = "disclosure-desk"


def program_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "开发版"


@dataclass(frozen=True)
class DatabaseInfo:
    location: str  # file path, or server URL without the password
    backend: str  # "SQLite 3.40.1", "PostgreSQL 15.4"
    shared: bool  # a server several desks share, not a file of this desk
    schema: str | None  # Alembic revision the database is at
    size: int | None  # bytes, None when the server will not say
    cases: int
    voided: int

    def lines(self) -> list[str]:
        kind = "多台电脑共用的数据库服务器" if self.shared else "单个数据库文件"
        schema = self.schema or "未建立"
        if self.schema == HEAD_REVISION:
            schema += "（与本程序一致）"
        else:
            schema += f"（本程序为 {HEAD_REVISION}）"
        return [
            f"数据库：{self.location}",
            f"类型：{self.backend}，{kind}",
            f"表结构版本：{schema}",
            f"大小：{human_size(self.size)}",
            f"案件：{self.cases:,} 件"
            + (f"（其中作废 {self.voided:,} 件）" if self.voided else ""),
        ]


def human_size(size: int | None) -> str:
    if size is None:
        return "未知"
    value = float(size)
    for unit in ("字节", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "字节" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _size(store: Store) -> int | None:
    if store.path is not None:
        files = [store.path, store.path.with_name(store.path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())
    try:
        with store.engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    except DBAPIError:  # a server other than PostgreSQL, or a role not allowed to ask
        return None
    return int(size) if size is not None else None


def describe(store: Store) -> DatabaseInfo:
    """Read what `db info` shows from the open database."""
    with store.engine.connect() as conn:
        dialect = conn.dialect
        if dialect.name == "sqlite":
            backend = "SQLite " + str(conn.exec_driver_sql("SELECT sqlite_version()").scalar())
        elif dialect.name == "postgresql":
            backend = "PostgreSQL " + str(conn.exec_driver_sql("SHOW server_version").scalar())
        else:
            backend = dialect.name
        schema = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        total = conn.execute(select(func.count()).select_from(Case)).scalar_one()
        voided = conn.execute(select(func.count()).where(Case.voided.is_(True))).scalar_one()
    location = str(store.path) if store.path is not None else public_url(store.engine.url)
    return DatabaseInfo(location, backend, store.path is None, schema, _size(store), total, voided)


def about_text(store: Store | None) -> str:
    """The text of the 关于 dialog: the program, then the database it has open."""
    head = [
        f"{PROGRAM}（Disclosure Desk）{program_version()}",
        "政府信息公开申请的登记、期限、文书与年度报告",
    ]
    if store is None:
        return "\n".join([*head, "", "尚未打开数据库"])
    return "\n".join([*head, "", *describe(store).lines()])
