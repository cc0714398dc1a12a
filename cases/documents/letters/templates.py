"""Which template a letter kind uses (the office's own or the default), loaded and checked."""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from cases.documents.letter_context import LetterRefused
from cases.documents.letters import checked
from cases.documents.letters.checks import check_template
from cases.documents.letters.render import TemplateRejected
from cases.rules.handbook import LETTER_KIND_ORDER, LETTER_KINDS, load_handbook
from cases.storage import paths

KINDS = LETTER_KIND_ORDER

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Template:
    """A checked template: where it came from and its bytes."""

    kind: str
    path: Path
    office: bool  # True when the office's own file overrides the default
    data: bytes


def default_templates_dir() -> Path:
    return Path(str(importlib.resources.files("templates_docx")))


def template_path(kind: str, folder: Path | None = None) -> tuple[Path, bool]:
    """The office's file for `kind` when there is one, else the default; and which it is."""
    own = (folder or paths.office_templates_dir()) / f"{kind}.docx"
    if own.is_file():
        return own, True
    return default_templates_dir() / f"{kind}.docx", False


def _kind_label(kind: str) -> str:
    return load_handbook().letter_label(kind)


def _require_kind(kind: str) -> None:
    if kind not in LETTER_KINDS:
        raise LetterRefused(f"不认识的文书种类“{kind}”；可选：{'、'.join(KINDS)}")


def load_template(kind: str, folder: Path | None = None) -> Template:
    """The template of `kind`, checked; an office's broken template is refused, not replaced."""
    _require_kind(kind)
    path, office = template_path(kind, folder)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TemplateRejected(f"找不到模板文件 {path}") from exc
    return _load_checked(kind, path, office, data)


@functools.lru_cache(maxsize=64)
def _load_checked(kind: str, path: Path, office: bool, data: bytes) -> Template:
    # Keyed by the file's bytes, not its time and size: a file changed in place with both kept
    # is read and checked again; and between processes by its bytes too (checked.py), so that
    # a letter as a process skips the check.
    if not checked.passed_before(kind, data):
        check_template(kind, data, path.name)
        checked.remember(kind, data)
    return Template(kind, path, office, data)


def check_office_templates(folder: Path | None = None) -> list[str]:
    """Every problem of the office's own templates (unknown file names included), for display."""
    folder = folder or paths.office_templates_dir()
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".docx" or path.name.startswith("~$"):
            continue  # ~$ files are Word's lock files while a template is open
        kind = path.stem
        if kind not in LETTER_KINDS:
            problems.append(
                f"模板 {path.name} 的文件名不对应任何文书种类，不会被使用；"
                f"文件名应为 {'、'.join(k + '.docx' for k in KINDS)} 之一"
            )
            continue
        try:
            load_template(kind, folder)
        except TemplateRejected as exc:
            problems.append(str(exc))
    return problems
