"""Importing a file of cases (.jsonl exchange format or .xlsx 台账) and entering table 二 figures.

Both are all or nothing: a bad row or value refuses the whole file or entry and writes nothing.
The import's own warnings (an ID check character that fails, say) come back as Notices.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.actions.base import current_actor
from cases.documents import report
from cases.interchange import exchange, ledger, staging
from cases.result import Changes, Notice, Result
from cases.rules.handbook import RoleId
from cases.rules.workflow import ActionRefused, require_role
from cases.storage.model import Case, User
from cases.storage.store import Store

# A bulk import writes cases without walking them through the procedure: an administrator's task.
IMPORT_ROLES = (RoleId.ADMIN,)
# Table 二 is compiled by the disclosure office for the annual report.
TABLE2_ROLES = (RoleId.REVIEWER, RoleId.ADMIN)
SUFFIXES = {".jsonl": "交换格式", ".xlsx": "台账"}


def import_file(
    session: Session, actor: User, path: Path, progress: exchange.Progress | None = None
) -> Result[exchange.ImportResult]:
    """导入 in the caller's transaction: every row checked first, then all written, or none."""
    checked = check_file(session, actor, path)
    numbers = exchange.write_records(
        session, checked.records, actor.username, checked.cal, progress
    )
    return _imported(session, checked, numbers)


def import_file_in_steps(
    store: Store, actor: User, path: Path, progress: exchange.Progress | None = None
) -> Result[exchange.ImportResult]:
    """导入 a large file while the desks keep working: checked in a read session, staged, then
    written in one short transaction (cases.interchange.staging); all or nothing as a whole."""
    found: list[exchange.Checked] = []

    def check(session: Session) -> exchange.Checked:
        found.append(check_file(session, actor, path))
        return found[0]

    def finish(session: Session, numbers: list[str]) -> Result[exchange.ImportResult]:
        may_import(session, actor)  # not disabled while the file was being checked
        return _imported(session, found[0], numbers)

    return staging.run(store, actor.username, check, finish, progress)


def may_import(session: Session, actor: User) -> None:
    """The actor as stored now may import: checked when the import reads and when it writes."""
    if actor.id is not None:  # the command line's user is no stored account (cli.py)
        actor = current_actor(session, actor)
    require_role(actor, IMPORT_ROLES, "导入案件")


def check_file(
    session: Session, actor: User, path: Path, *, keep_sheets: bool = False
) -> exchange.Checked:
    """The role, the file and every row, checked without writing; raises on any problem.

    keep_sheets: a workbook's parsed sheets are kept for the import that follows (a preview)."""
    may_import(session, actor)
    if path.is_dir():
        raise ActionRefused("file", f"{path} 是一个文件夹，不是要导入的文件")
    if not path.is_file():
        raise ActionRefused("file", f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kinds = "、".join(f"{s}（{label}）" for s, label in SUFFIXES.items())
        raise ActionRefused("file", f"不认识的文件类型“{suffix}”：只能导入 {kinds}")
    if suffix == ".jsonl":
        return exchange.check_rows(session, exchange.read_jsonl(path))
    return ledger.check_ledger(session, path, keep_sheets=keep_sheets)


def _imported(
    session: Session, checked: exchange.Checked, numbers: list[str]
) -> Result[exchange.ImportResult]:
    result = exchange.ImportResult(len(numbers), checked.warnings, numbers)
    touched: set[int] = set()
    for start in range(0, len(numbers), 500):  # below every backend's parameter limit
        chunk = numbers[start : start + 500]
        touched.update(session.scalars(select(Case.id).where(Case.no.in_(chunk))))
    warnings = tuple(Notice(p.field, str(p)) for p in result.warnings)
    return Result(result, Changes.of_cases(touched, case_list=True), warnings)


def enter_table2(
    session: Session, actor: User, year: int, values: Mapping[report.Table2Key, Any]
) -> Result[dict[report.Table2Key, tuple[Decimal | None, Decimal | None]]]:
    """表二录入: the hand-entered figures of one year; each changed one audited old → new."""
    require_role(actor, TABLE2_ROLES, "录入年度报告表二")
    changes = report.save_table2(session, year, values, actor.username)
    # No case and no list shows table 二: only the report views read it again.
    return Result(changes, Changes())
