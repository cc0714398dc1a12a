"""A draft's bytes from a case snapshot, and the letter a command returns; free of SQLAlchemy.

Both ways of reading a case share this: the ORM (lifecycle.py, for the window and most
commands) and sqlite3 (from_file, for `letter CASE KIND` on an up-to-date SQLite file). What
each way loads (the profile, the calendar, a stored letter's file) it passes in as a function,
called where the ORM way always loaded it, so that the same refusal comes first on both.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence

from cases.documents.letter_case import LetterCase, LetterRow, Unreadable, in_force
from cases.documents.letter_case import letter_content as stored_content
from cases.documents.letter_case import read_case as read_snapshot
from cases.documents.letter_context import (
    DATE_PLACEHOLDER,
    NUMBER_PLACEHOLDER,
    LetterFacts,
    LetterRefused,
    build_context,
    pick_event,
)
from cases.documents.letters.render import render
from cases.documents.letters.templates import _kind_label, _require_kind, load_template
from cases.office.profile import OfficeProfile, ProfileError, profile_from_setting
from cases.rules.handbook import load_handbook
from cases.timing.calendar import WorkCalendar


def usable_profile(load: Callable[[], OfficeProfile]) -> OfficeProfile:
    """The office profile, a broken saved one refused as a letter's refusal."""
    try:
        return load()
    except ProfileError as exc:
        raise LetterRefused(f"机关信息设置有误，无法生成文书：{exc}") from exc


def draft_content(
    case: LetterCase,
    kind: str,
    *,
    profile: Callable[[], OfficeProfile],
    calendar: Callable[[], WorkCalendar],
    author: str,
    target_id: int | None,
    attachments: Sequence[str],
) -> bytes:
    """A draft of `kind` for the case, rendered now, with placeholders for number and date."""
    _require_kind(kind)
    if case.voided:
        raise LetterRefused(f"案件 {case.no} 已作废，不能再生成文书")
    office = usable_profile(profile)
    label = _kind_label(kind)
    facts = LetterFacts(
        kind=kind,
        number=NUMBER_PLACEHOLDER if office.pattern(kind) else "",
        date=DATE_PLACEHOLDER,
        event=pick_event(case, kind, label, target_id),
        attachments=tuple(attachments),
    )
    context = build_context(case, facts, profile=office, handbook=load_handbook(), cal=calendar())
    return render(load_template(kind), context, author=author)


def command_letter(
    case_no: str,
    kind: str,
    find: Callable[[], LetterCase | None],
    *,
    content_of: Callable[[LetterRow], bytes],
    profile: Callable[[], OfficeProfile],
    calendar: Callable[[], WorkCalendar],
    actor_name: str = "",
    fresh: bool = False,
    target_id: int | None = None,
) -> bytes:
    """One letter of a case as a .docx, for the command line; nothing is stored.

    The issued letter in force when there is one (the file as sent), else, or with fresh=True,
    a draft rendered now. actor_name (by default the issuing body) is the file's author.
    """
    _require_kind(kind)
    case = find()
    if case is None:
        raise LetterRefused(f"找不到案件 {case_no}")
    if not fresh:
        issued = in_force(case.letters, kind)
        if issued is not None:
            return content_of(issued)
    once = functools.cache(profile)  # read (and its JSON parsed) once for author and draft
    # No signed-in user at the command line: the office itself, never the computer's login.
    author = actor_name or usable_profile(once).issuing_body
    return draft_content(
        case,
        kind,
        profile=once,
        calendar=calendar,
        author=author,
        target_id=target_id,
        attachments=(),
    )


def from_file(connection: sqlite3.Connection, case_no: str, kind: str) -> bytes | None:
    """command_letter read through sqlite3 from a file at this program's schema revision.

    None when a value is not stored as SQLAlchemy stores it, or the file cannot be read as
    expected: the caller then takes the full way, whose reading and messages apply.
    """
    from cases.office.profile import SETTING_KEY
    from cases.timing.office_calendar import plain_calendar

    def setting() -> OfficeProfile:
        row = connection.execute("SELECT value FROM settings WHERE key = ?", (SETTING_KEY,))
        found = row.fetchone()
        if found is not None and not isinstance(found[0], str):
            raise Unreadable("settings")
        return profile_from_setting(None if found is None else found[0])

    connection.execute("BEGIN")  # one snapshot of the file for every read below
    try:
        return command_letter(
            case_no,
            kind,
            lambda: read_snapshot(connection, case_no),
            content_of=lambda row: stored_content(connection, row.id),
            profile=setting,
            calendar=lambda: plain_calendar(connection)[0],
        )
    except (Unreadable, sqlite3.Error):
        return None
    finally:
        connection.rollback()
