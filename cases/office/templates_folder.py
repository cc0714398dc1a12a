"""The office's own Word templates (data folder `templates/`): which defaults they replace, putting
one in place after checking it, and restoring a default; each change audited, no file deleted."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from cases.documents.letters import TemplateRejected, load_template, template_path
from cases.result import Changes, Result
from cases.rules.handbook import LETTER_KIND_ORDER, load_handbook
from cases.rules.workflow import ActionRefused, require_role
from cases.storage import audit, paths
from cases.storage.model import User

ROLE = "admin"
CHANGED = Changes(settings=True)


@dataclass(frozen=True)
class TemplateRow:
    kind: str
    label: str
    path: Path  # the file in use
    office: bool  # the office's own file replaces the default
    problem: str | None  # why the office's file cannot be used (letters are then refused)


def template_rows(folder: Path | None = None) -> list[TemplateRow]:
    """Every letter kind with the template in use, in the handbook's order."""
    book = load_handbook()
    rows = []
    for kind in LETTER_KIND_ORDER:
        path, office = template_path(kind, folder)
        problem = None
        if office:
            try:
                load_template(kind, folder)
            except TemplateRejected as exc:
                problem = str(exc)
        rows.append(TemplateRow(kind, book.letter_label(kind), path, office, problem))
    return rows


def _kept_name(path: Path) -> Path:
    return path.with_name(f"{path.name}.replaced-{dt.datetime.now():%Y%m%d-%H%M%S-%f}")


def _require_kind(kind: str) -> None:
    if kind not in LETTER_KIND_ORDER:
        raise ActionRefused("kind", f"不认识的文书种类“{kind}”")


def install_template(
    session: Session, actor: User, kind: str, source: Path, folder: Path | None = None
) -> Result[Path]:
    """使用本机关模板: copy a .docx in as the office's template of `kind`, refused (nothing
    changed) unless it passes the same check as every letter; a replaced office file is kept."""
    require_role(actor, ROLE, "更换文书模板")
    _require_kind(kind)
    if source.suffix.lower() != ".docx" or not source.is_file():
        raise ActionRefused("file", f"{source.name} 不是 .docx 文件")
    folder = folder or paths.office_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{kind}.checking"
    trial = staging / f"{kind}.docx"
    staging.mkdir(exist_ok=True)
    target = folder / f"{kind}.docx"
    try:
        shutil.copyfile(source, trial)
        load_template(kind, staging)  # raises TemplateRejected naming the tag at fault
        kept = _kept_name(target) if target.exists() else None
        # Audited before the files move: a failed move then rolls the record back with it.
        audit.record(
            session, None, actor.username, "template_install",
            {f"template[{kind}]": (kept.name if kept else "默认模板", source.name)},
        )  # fmt: skip
        session.flush()
        if kept is not None:
            target.replace(kept)
        trial.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Result(target, CHANGED)


def restore_default(
    session: Session, actor: User, kind: str, folder: Path | None = None
) -> Result[Path]:
    """恢复默认模板: the office's file is set aside (renamed, kept), the default is used again."""
    require_role(actor, ROLE, "恢复默认文书模板")
    _require_kind(kind)
    own = (folder or paths.office_templates_dir()) / f"{kind}.docx"
    if not own.is_file():
        raise ActionRefused("kind", f"“{load_handbook().letter_label(kind)}”用的已是默认模板")
    kept = _kept_name(own)
    audit.record(
        session, None, actor.username, "template_restore",
        {f"template[{kind}]": (own.name, "默认模板")},
    )  # fmt: skip
    session.flush()
    own.replace(kept)
    return Result(kept, CHANGED)
