"""Every file the program writes with applicants' data is the user's only (issue 13, item 6).

test_file_modes covers the database, its backups and the exports; these are the others: the
复议/诉讼 answer folder with its originals, and the workbook of refused import rows (the letters the
window writes for Word: tests/gui/test_letter_files.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import main
from cases import actions
from cases.interchange import transfer
from cases.interchange.records import Problem
from cases.storage.store import Store
from tests.actions_support import D, Desk
from tests.test_letters_workflow import proposed

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_review_file_folder_and_its_originals_are_private(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.umask(0o022)
    desk = Desk.open(sqlite_store)
    no = proposed(desk)
    reply = desk.do(actions.draft, desk.handler, no, "reply")
    desk.sign(no, D(2025, 3, 24))
    desk.do(actions.issue, desk.reviewer, reply.id, on=D(2025, 3, 24))
    sqlite_store.close()
    out = tmp_path / "答复材料" / no
    assert main.run(["--db", str(sqlite_store.path), "review-file", no, "--out", str(out)]) == 0
    made = [out, *out.rglob("*")]
    assert len([p for p in made if p.is_file()]) == 2  # the bundle and the issued reply
    assert {p.name: mode(p) for p in made} == {p.name: 0o700 if p.is_dir() else 0o600 for p in made}
    assert mode(tmp_path / "答复材料") == 0o700  # made for it too


def test_the_workbook_of_refused_rows_is_private(tmp_path: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "错误清单.xlsx"
    problem = Problem("第2行", "applicant.id_number", "身份证号码 310230198001011230 校验不通过")
    assert transfer.write_problems([problem], path) == 1
    assert mode(path) == 0o600
