"""A letter names the signed-in user's display name as its author, never a login (issue 13, 6)."""

from __future__ import annotations

import getpass
import io
from pathlib import Path

import docx
import pytest

import main
from cases import actions
from cases.actions import drafts
from cases.office.profile import OfficeProfile
from cases.storage.model import Letter
from cases.storage.store import Store
from tests.actions_support import D, Desk
from tests.test_letters_workflow import proposed


def props(content: bytes) -> tuple[str, str]:
    core = docx.Document(io.BytesIO(content)).core_properties
    return core.author, core.last_modified_by


def saved_by_word_as(content: bytes, login: str) -> bytes:
    """The draft as Word saves it on a desk whose account is `login`."""
    doc = docx.Document(io.BytesIO(content))
    doc.core_properties.author = login
    doc.core_properties.last_modified_by = login
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def stored(desk: Desk, letter_id: int) -> bytes:
    with desk.store.session() as s:
        letter = s.get(Letter, letter_id)
        assert letter is not None
        return letter.content


def test_each_draft_names_the_user_by_display_name(store: Store) -> None:
    desk = Desk.open(store)
    no = proposed(desk)
    assert desk.handler.username == "handler" and desk.handler.display_name == "王承办"
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    assert props(stored(desk, reply.id)) == ("王承办", "王承办")
    again = desk.do(drafts.regenerate_draft, desk.handler, reply.id)
    assert props(stored(desk, again.id)) == ("王承办", "王承办")
    # Brought back from Word on a computer whose account is `zhang.pc`: stamped again on filing.
    from_word = saved_by_word_as(reply.content, "zhang.pc")
    desk.run(drafts.replace_draft, desk.handler, reply.id, from_word)
    assert props(stored(desk, reply.id)) == ("王承办", "王承办")
    desk.sign(no, D(2025, 3, 24))
    issued = desk.do(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 24))
    assert props(stored(desk, issued.id))[0] == "王承办"  # the issued file keeps its author
    corrected = desk.do(drafts.correct_letter, desk.handler, reply.id)
    assert props(stored(desk, corrected.id)) == ("王承办", "王承办")


def test_a_letter_from_the_command_line_names_the_office_not_the_login(
    tmp_path: Path, sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(sqlite_store)
    no = proposed(desk)
    sqlite_store.close()
    out = tmp_path / "reply.docx"
    assert main.run(["--db", str(sqlite_store.path), "letter", no, "reply", "--out", str(out)]) == 0
    author, editor = props(out.read_bytes())
    assert author == editor == OfficeProfile().issuing_body
    assert getpass.getuser() not in author


def test_the_report_and_the_review_file_name_the_office(
    tmp_path: Path, sqlite_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(sqlite_store)
    no = proposed(desk)
    sqlite_store.close()
    db = str(sqlite_store.path)
    office = OfficeProfile().issuing_body
    assert main.run(["--db", db, "review-file", no, "--out", str(tmp_path / "r")]) == 0
    (bundle,) = (tmp_path / "r").glob("*.docx")
    assert props(bundle.read_bytes()) == (office, office)
    report = tmp_path / "y.docx"
    assert main.run(["--db", db, "report", "--year", "2025", "--out", str(report)]) == 0
    core = docx.Document(str(report)).core_properties
    assert (core.author, core.last_modified_by) == (office, office)
    assert core.created is not None and core.created.year >= 2026  # not python-docx's 2013
