"""A letter's life: drafted from the case, edited, issued (numbered, frozen), corrected."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.documents.docprops import with_author
from cases.documents.letter_case import LetterCase, from_orm, in_force
from cases.documents.letter_context import (
    DATE_PLACEHOLDER,
    NUMBER_PLACEHOLDER,
    LetterRefused,
    cn_date,
    issue_dates,
)
from cases.documents.letters.drafting import command_letter, draft_content, usable_profile
from cases.documents.letters.numbering import take_number
from cases.documents.letters.placeholders import _is_docx, fill_placeholders
from cases.documents.letters.templates import KINDS, _kind_label
from cases.office.profile import OfficeProfile, load_profile
from cases.storage import audit
from cases.storage.model import Case, Letter
from cases.timing import dates, deadlines


def _profile(session: Session) -> OfficeProfile:
    return usable_profile(lambda: load_profile(session))


def _build(
    session: Session,
    case: Case,
    kind: str,
    *,
    author: str,
    target_id: int | None,
    attachments: Sequence[str],
) -> bytes:
    return draft_content(
        from_orm(case),
        kind,
        profile=lambda: load_profile(session),
        calendar=lambda: deadlines.load_calendar(session),
        author=author,
        target_id=target_id,
        attachments=attachments,
    )


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def draft_letter(
    session: Session,
    case: Case,
    kind: str,
    actor: str,
    *,
    author: str | None = None,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
    supersedes: Letter | None = None,
) -> Letter:
    """A new draft of `kind` for the case, rendered from its template; audited.

    target_id picks the event the letter is about (which consultation, which fee, which letter a
    送达回证 proves); by default the case's latest.
    """
    content = _build(
        session,
        case,
        kind,
        author=actor if author is None else author,
        target_id=target_id,
        attachments=attachments,
    )
    letter = Letter(
        case=case,
        kind=kind,
        status="draft",
        content=content,
        sha256=_digest(content),
        supersedes_id=supersedes.id if supersedes is not None else None,
        created_by=actor,
    )
    session.add(letter)
    session.flush()
    audit.record(session, case, actor, "letter_draft", {f"letter#{letter.id}.kind": (None, kind)})
    return letter


def _require_draft(letter: Letter, what: str) -> None:
    if letter.status != "draft":
        raise LetterRefused(f"文书 {letter.number or letter.id} 已发文，不能{what}；如有错误请更正")


def regenerate_draft(
    session: Session,
    letter: Letter,
    actor: str,
    *,
    author: str | None = None,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
) -> Letter:
    """Render a draft again from the case as it is now (edits made in Word are replaced)."""
    _require_draft(letter, "重新生成")
    content = _build(
        session,
        letter.case,
        letter.kind,
        author=actor if author is None else author,
        target_id=target_id,
        attachments=attachments,
    )
    old = letter.sha256
    letter.content, letter.sha256 = content, _digest(content)
    audit.record(
        session,
        letter.case,
        actor,
        "letter_regenerate",
        {f"letter#{letter.id}.sha256": (old, letter.sha256)},
    )
    return letter


def edit_draft(
    session: Session, letter: Letter, content: bytes, actor: str, *, author: str | None = None
) -> Letter:
    """Keep the copy of a draft that a user edited in Word or WPS, stamped with its author."""
    _require_draft(letter, "修改")
    if not _is_docx(content):
        raise LetterRefused("上传的文件不是 Word（.docx）文件，草稿未改动")
    content = with_author(content, actor if author is None else author)
    old = letter.sha256
    letter.content, letter.sha256 = content, _digest(content)
    audit.record(
        session,
        letter.case,
        actor,
        "letter_edit",
        {f"letter#{letter.id}.sha256": (old, letter.sha256)},
    )
    return letter


def issue_letter(
    session: Session, letter: Letter, actor: str, *, on: dt.date | None = None
) -> Letter:
    """Number, date and freeze a draft, in the caller's transaction.

    The number and the date are written where the draft has its placeholders; a draft whose
    placeholders were deleted while editing is refused, and nothing is taken.
    """
    _require_draft(letter, "再次发文")
    if letter.case.voided:
        raise LetterRefused(f"案件 {letter.case.no} 已作废，不能发文")
    on = on or dates.today()
    profile = _profile(session)
    numbered = bool(profile.pattern(letter.kind))
    label = _kind_label(letter.kind)
    # Check before taking a number, so that a refusal leaves the counter untouched.
    _, found = fill_placeholders(letter.content, {NUMBER_PLACEHOLDER: "", DATE_PLACEHOLDER: ""})
    if numbered and not found[NUMBER_PLACEHOLDER]:
        raise LetterRefused(
            f"{label}草稿中找不到文号位置“{NUMBER_PLACEHOLDER.strip(chr(0x2060))}”，"
            "请重新生成草稿或在草稿中恢复该文字"
        )
    if not found[DATE_PLACEHOLDER]:
        raise LetterRefused(
            f"{label}草稿中找不到日期位置“{DATE_PLACEHOLDER.strip(chr(0x2060))}”，"
            "请重新生成草稿或在草稿中恢复该文字"
        )
    seq = take_number(session, letter.kind, on.year) if numbered else None
    number = profile.number(letter.kind, on.year, seq) if seq is not None else None
    values = {NUMBER_PLACEHOLDER: number or "", DATE_PLACEHOLDER: cn_date(on)}
    values.update(issue_dates(letter.kind, on, deadlines.load_calendar(session), profile))
    content, _ = fill_placeholders(letter.content, values)
    old_sha = letter.sha256
    letter.content = content
    letter.sha256 = _digest(content)
    letter.number, letter.year, letter.seq = number, on.year, seq
    letter.status = "issued"
    letter.issued_by = actor
    letter.issued_at = dt.datetime.now(dt.UTC)
    letter.issued_on = on
    session.flush()
    audit.record(
        session,
        letter.case,
        actor,
        "letter_issue",
        {
            f"letter#{letter.id}.status": ("draft", "issued"),
            f"letter#{letter.id}.number": (None, number),
            f"letter#{letter.id}.sha256": (old_sha, letter.sha256),
        },
    )
    return letter


def correct_letter(
    session: Session,
    letter: Letter,
    actor: str,
    *,
    author: str | None = None,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
) -> Letter:
    """Start the corrected version of an issued letter: a new draft that supersedes it."""
    if letter.status != "issued":
        raise LetterRefused("只有已发文的文书需要更正；草稿可以直接修改或重新生成")
    newer = [
        x for x in letter.case.letters if x.supersedes_id == letter.id and x.status == "issued"
    ]
    if newer:
        raise LetterRefused(
            f"文书 {letter.number or letter.id} 已有更正版本 {newer[-1].number or newer[-1].id}，"
            "请在最新版本上更正"
        )
    draft = draft_letter(
        session,
        letter.case,
        letter.kind,
        actor,
        author=author,
        target_id=target_id,
        attachments=attachments,
        supersedes=letter,
    )
    audit.record(
        session,
        letter.case,
        actor,
        "letter_correct",
        {f"letter#{draft.id}.supersedes": (None, letter.number or str(letter.id))},
    )
    return draft


def current_letter(case: Case, kind: str) -> Letter | None:
    """The issued letter of `kind` in force: the latest one no issued correction replaces."""
    return in_force(case.letters, kind)


def letters_of(case: Case, kinds: Iterable[str] = KINDS) -> list[Letter]:
    wanted = set(kinds)
    return [x for x in case.letters if x.kind in wanted]


def render_letter(
    session: Session,
    case_no: str,
    kind: str,
    *,
    actor_name: str = "",
    fresh: bool = False,
    target_id: int | None = None,
) -> bytes:
    """One letter of a case as a .docx, for the command line; nothing is stored.

    The issued letter in force when there is one (the file as sent), else, or with fresh=True,
    a draft rendered now, with placeholders where number and date will go. actor_name (by
    default the issuing body) is written into the file's properties as its author.
    """
    return command_letter(
        case_no,
        kind,
        lambda: _snapshot(session, case_no),
        content_of=lambda row: session.get_one(Letter, row.id).content,
        profile=lambda: load_profile(session),
        calendar=lambda: deadlines.load_calendar(session),
        actor_name=actor_name,
        fresh=fresh,
        target_id=target_id,
    )


def _snapshot(session: Session, case_no: str) -> LetterCase | None:
    case = session.scalar(select(Case).where(Case.no == case_no))
    return None if case is None else from_orm(case)
