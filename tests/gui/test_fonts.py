"""The frozen build's own Chinese font serves only a desktop that has none (issue 13, 8)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui import fonts

SYSTEM_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
needs_font = pytest.mark.skipif(not SYSTEM_FONT.is_file(), reason="fonts-wqy-microhei missing")


def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "_internal" / "fonts"
    folder.mkdir(parents=True)
    (folder / SYSTEM_FONT.name).symlink_to(SYSTEM_FONT)
    (folder / "copyright").write_text("Apache-2.0", encoding="utf-8")
    return folder


def test_the_bundle_folder_is_found_only_in_a_frozen_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fonts.bundled_fonts_dir() is None  # a checkout: no bundle
    folder = bundle(tmp_path)
    monkeypatch.setattr(sys, "_MEIPASS", str(folder.parent), raising=False)
    assert fonts.bundled_fonts_dir() == folder
    assert fonts.font_files(folder) == [folder / SYSTEM_FONT.name]  # not the licence file


@needs_font
def test_a_desktop_with_its_own_chinese_font_keeps_it(qtbot: QtBot, tmp_path: Path) -> None:
    before = QApplication.font().families()
    assert fonts.use_bundled_fonts(bundle(tmp_path)) == []
    assert QApplication.font().families() == before


@needs_font
def test_a_desktop_without_one_gets_the_bundled_font(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = QApplication.font()
    # A fresh desktop: Qt finds no family that writes simplified Chinese.
    monkeypatch.setattr(QFontDatabase, "families", lambda *_args: [])
    try:
        used = fonts.use_bundled_fonts(bundle(tmp_path))
        assert any("WenQuanYi" in family for family in used)
        assert QApplication.font().families() == used
    finally:
        QApplication.setFont(before)
