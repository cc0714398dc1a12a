"""The letters the window writes for Word or WPS sit in folders that are the user's only."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from gui.letterspanel import LetterRow, letter_file


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_letters_folders_are_private(isolated_home: Path) -> None:
    os.umask(0o022)
    row = LetterRow(7, "reply", "draft", None, "handler", dt.datetime.now(dt.UTC), None)
    path = letter_file("2025-000001", row)
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
