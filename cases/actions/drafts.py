"""A draft letter (草稿): render it again, keep a copy edited in Word, correct an issued one.

cases.documents.letters renders and stores; this module puts the procedure's guards in front: who
may
draft (the handbook's drafters), a case neither voided nor archived, a letter still a draft, and
an edited file that still opens and still carries the places where 发文 writes number and date.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import docx
from lxml import etree
from sqlalchemy.orm import Session

from cases.actions.base import load_case
from cases.actions.documents import drafters, letter_label
from cases.documents import letters
from cases.documents.letter_context import DATE_PLACEHOLDER, NUMBER_PLACEHOLDER
from cases.office.profile import load_profile
from cases.result import Changes, Result
from cases.rules.workflow import ActionRefused, check_open, require_role
from cases.storage.model import Letter, User

# An edited letter is a few pages; anything far larger is a wrong file, refused before parsing.
MAX_DRAFT_BYTES = 20 * 1024 * 1024


def find_letter(session: Session, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise ActionRefused("letter", f"找不到文书{letter_id}")
    return letter


def _draft_of(session: Session, actor: User, letter_id: int, doing: str) -> Letter:
    """The draft, after checking the actor may draft and the case still takes letters."""
    require_role(actor, drafters(), doing)
    letter = find_letter(session, letter_id)
    check_open(load_case(session, letter.case), "draft_letter", doing)
    if letter.status != "draft":
        raise ActionRefused(
            "letter.status",
            f"{letter_label(letter.kind)}{letter.number or ''}已发文，不能{doing}；如有错误请更正",
        )
    return letter


def regenerate_draft(
    session: Session,
    actor: User,
    letter_id: int,
    *,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
) -> Result[Letter]:
    """重新生成草稿: render again from the case as it is now; edits made in Word are replaced."""
    letter = _draft_of(session, actor, letter_id, "重新生成草稿")
    row = letters.regenerate_draft(
        session,
        letter,
        actor.username,
        author=actor.display_name,
        target_id=target_id,
        attachments=attachments,
    )
    return Result(row, Changes.of_cases([letter.case_id]))


def _placeholders(content: bytes) -> dict[str, int]:
    try:
        _, found = letters.fill_placeholders(
            content, {NUMBER_PLACEHOLDER: "", DATE_PLACEHOLDER: ""}
        )
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError) as exc:
        raise ActionRefused("letter.content", f"文件内容已损坏，无法读取：{exc}") from exc
    return found


def check_edited(session: Session, letter: Letter, content: bytes) -> None:
    """Refuse an edited file that is not a readable .docx, or lost the number or date place."""
    if len(content) > MAX_DRAFT_BYTES:
        raise ActionRefused(
            "letter.content",
            f"文件过大（{len(content) // (1024 * 1024)} MB），不像是一份文书，草稿未改动",
        )
    try:
        docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises many kinds for a file that is not a .docx
        raise ActionRefused(
            "letter.content", "上传的文件不是可以打开的 Word（.docx）文件，草稿未改动"
        ) from exc
    found = _placeholders(content)
    label = letter_label(letter.kind)
    if load_profile(session).pattern(letter.kind) and not found[NUMBER_PLACEHOLDER]:
        raise ActionRefused(
            "letter.content",
            f"修改后的{label}中找不到文号位置“{NUMBER_PLACEHOLDER.strip(chr(0x2060))}”，"
            "发文时无处写入文号；请在文件中恢复该文字后再上传，草稿未改动",
        )
    if not found[DATE_PLACEHOLDER]:
        raise ActionRefused(
            "letter.content",
            f"修改后的{label}中找不到日期位置“{DATE_PLACEHOLDER.strip(chr(0x2060))}”，"
            "发文时无处写入日期；请在文件中恢复该文字后再上传，草稿未改动",
        )


def replace_draft(session: Session, actor: User, letter_id: int, content: bytes) -> Result[Letter]:
    """上传修改后的草稿: keep the copy a user edited in Word or WPS as the draft."""
    letter = _draft_of(session, actor, letter_id, "修改草稿")
    check_edited(session, letter, content)
    row = letters.edit_draft(session, letter, content, actor.username, author=actor.display_name)
    return Result(row, Changes.of_cases([letter.case_id]))


def correct_letter(
    session: Session,
    actor: User,
    letter_id: int,
    *,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
) -> Result[Letter]:
    """更正: start the corrected version of an issued letter, a new draft that supersedes it."""
    require_role(actor, drafters(), "更正文书")
    letter = find_letter(session, letter_id)
    check_open(letter.case, "draft_letter", "更正文书")
    if letter.status != "issued":
        raise ActionRefused("letter.status", "只有已发文的文书需要更正；草稿可以直接修改或重新生成")
    row = letters.correct_letter(
        session,
        letter,
        actor.username,
        author=actor.display_name,
        target_id=target_id,
        attachments=attachments,
    )
    return Result(row, Changes.of_cases([letter.case_id]))
