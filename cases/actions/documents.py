"""Letters as actions of the procedure: who may draft and issue (发文), and when a reply may go out.

cases.documents.letters renders, numbers and freezes files; this module puts the procedure's guards
in
front of it, so that a GUI or script acting for a user goes through the same rules as the other
actions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cases.actions.base import CaseRef, check_day, load_case
from cases.documents import letters
from cases.result import Changes, Result
from cases.rules.workflow import (
    ActionRefused,
    check_open,
    handbook,
    require_role,
    sign_off_date,
    today,
)
from cases.storage.model import Letter, User
from cases.timing.dates import cn_date


def drafters() -> tuple[str, ...]:
    """The roles that may draft, regenerate, edit and correct letters (steps.yaml letter_roles)."""
    return handbook().roles_for_letters("draft")


def issuers() -> tuple[str, ...]:
    """The roles that may issue (发文) a letter: the disclosure office, once the leader signed."""
    return handbook().roles_for_letters("issue")


def letter_label(kind: str) -> str:
    return handbook().letter_label(kind)


def draft(
    session: Session, actor: User, ref: CaseRef, kind: str, *, target_id: int | None = None
) -> Result[Letter]:
    """起草文书: a new draft of `kind` for the case, rendered now."""
    require_role(actor, drafters(), "起草文书")
    case = load_case(session, ref)
    check_open(case, "draft_letter", "起草文书")
    try:
        row = letters.draft_letter(
            session, case, kind, actor.username, author=actor.display_name, target_id=target_id
        )
    except letters.LetterRefused as exc:
        raise ActionRefused("letter", str(exc)) from exc
    return Result(row, Changes.of_cases([case.id]))


def issue(
    session: Session, actor: User, letter_id: int, *, on: dt.date | None = None
) -> Result[Letter]:
    """发文: number, date and freeze a draft; a reply only after 签发, dated no earlier."""
    require_role(actor, issuers(), "发文")
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise ActionRefused("letter", f"找不到文书{letter_id}")
    case = load_case(session, letter.case)
    check_open(case, "issue_letter", "发文")
    day = check_day(case, "letter.on", on or today(), "发文日期")
    if letter.kind == "reply":
        signed = sign_off_date(case)
        if signed is None:
            raise ActionRefused("approval", "答复书须经审核签发后才能发文")
        if day < signed:
            raise ActionRefused("letter.on", f"发文日期{cn_date(day)}早于签发日期{cn_date(signed)}")
    try:
        row = letters.issue_letter(session, letter, actor.username, on=day)
    except letters.LetterRefused as exc:
        raise ActionRefused("letter", str(exc)) from exc
    return Result(row, Changes.of_cases([case.id]))
