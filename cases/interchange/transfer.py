"""What the window's import and export dialogs need beyond the import itself: a dry run that
writes nothing, the list of refusals as a workbook, and a blank 台账 to fill in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from cases.actions.imports import IMPORT_ROLES, check_file, may_import
from cases.interchange import exchange, ledger, ledger_mapping, staging
from cases.interchange.records import Problem
from cases.result import Changes, Result
from cases.rules.workflow import require_role
from cases.storage import paths
from cases.storage.model import User
from cases.storage.store import Store

PROBLEM_HEADERS = ("位置", "字段", "问题")


@dataclass(frozen=True)
class ImportPreview:
    """What importing the file would do: how many cases, and the warnings that do not refuse."""

    path: Path
    cases: int
    warnings: tuple[Problem, ...]


def preview_import(
    session: Session, actor: User, path: Path, progress: exchange.Progress | None = None
) -> Result[ImportPreview]:
    """Check the file exactly as the import checks it, writing nothing (no write lock either).

    Every check of the real import is made (the file, each row, numbers already in the database,
    the actor's role), so a preview that passes is an import that will pass on the same database.
    Raises exchange.ImportRejected listing every problem, like the import itself.
    """
    # The import of the same file follows a preview that passes: it reads the sheets parsed here.
    checked = check_file(session, actor, path, keep_sheets=True)
    if progress:
        progress(len(checked.records), len(checked.records))
    return Result(ImportPreview(path, len(checked.records), tuple(checked.warnings)), Changes())


def write_problems(problems: Iterable[Problem], path: Path) -> int:
    """The refusals of an import as an .xlsx the clerk can sort and correct from; returns rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "导入错误"
    sheet.append(list(PROBLEM_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for p in problems:
        count += 1
        for col, value in enumerate((p.where, p.field, p.message), start=1):
            cell = sheet.cell(count + 1, col, value)
            cell.data_type = "s"  # text stays text: a message starting with "=" is no formula
    for letter, width in zip("ABC", (22, 24, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.auto_filter.ref = f"A1:C{count + 1}"
    sheet.freeze_panes = "A2"
    partial = path.with_name(path.name + ".partial")
    try:
        book.save(partial)
        paths.private_file(partial)  # the refused rows quote applicants' data
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


def write_blank_ledger(path: Path) -> None:
    """The 台账 with its sheets, headers and choice lists and no case, for an office to fill in."""
    book = openpyxl.Workbook(write_only=True)
    writer = ledger._Writer(book, ledger.vocabularies())
    writer.finish()
    partial = path.with_name(path.name + ".partial")
    try:
        book.save(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# --- another office's ledger, through the column mapping (cases.interchange.ledger_mapping)


def import_through_mapping(
    session: Session,
    actor: User,
    path: Path,
    mapping: ledger_mapping.Mapping,
    progress: exchange.Progress | None = None,
) -> Result[ledger_mapping.MappedImport]:
    """导入他机关台账: an administrator's import through the mapping the user corrected."""
    require_role(actor, IMPORT_ROLES, "导入案件")
    return ledger_mapping.import_mapped(session, path, actor.username, mapping, progress)


def import_through_mapping_in_steps(
    store: Store,
    actor: User,
    path: Path,
    mapping: ledger_mapping.Mapping,
    progress: exchange.Progress | None = None,
) -> Result[ledger_mapping.MappedImport]:
    """The same, checked in a read session and written in one short transaction at the end."""
    found: list[ledger_mapping.MappedCheck] = []

    def check(session: Session) -> exchange.Checked:
        may_import(session, actor)
        found.append(ledger_mapping.check_mapped(session, path, mapping))
        return found[0].checked

    def finish(session: Session, numbers: list[str]) -> Result[ledger_mapping.MappedImport]:
        may_import(session, actor)
        return ledger_mapping.finish_mapped(session, found[0], numbers, mapping, actor.username)

    return staging.run(store, actor.username, check, finish, progress)


def preview_through_mapping(
    session: Session,
    actor: User,
    path: Path,
    mapping: ledger_mapping.Mapping,
    progress: exchange.Progress | None = None,
) -> Result[ImportPreview]:
    """The mapped import's checks, writing nothing: how many cases, which warnings."""
    require_role(actor, IMPORT_ROLES, "导入案件")
    found = ledger_mapping.check_mapped(session, path, mapping, keep_sheets=True)
    records = found.checked.records
    if progress:
        progress(len(records), len(records))
    summary = ledger_mapping.finish_warnings(found, mapping)
    warnings = tuple(Problem("(提示)", w.field, w.message) for w in summary)
    return Result(ImportPreview(path, len(records), warnings), Changes())
