"""The Chinese font that travels with the one-folder build, for desktops that have none.

A frozen build carries WenQuanYi Micro Hei in its `fonts` folder (packaging/disclosure_desk.spec);
when the system offers no font for simplified Chinese, the window uses that one, so that a fresh
信创 or Windows desktop shows text instead of boxes.
"""

from __future__ import annotations

import sys
from pathlib import Path

FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


def bundled_fonts_dir() -> Path | None:
    """The build's fonts folder, or None when running from a checkout or without one."""
    base = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader only
    folder = Path(base) / "fonts" if base else None
    return folder if folder is not None and folder.is_dir() else None


def font_files(folder: Path | None) -> list[Path]:
    if folder is None:
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)


def use_bundled_fonts(folder: Path | None = None) -> list[str]:
    """Register the bundled fonts (QApplication must exist); the families now used for Chinese.

    They become the window's font only when the system itself has no Chinese font, so an office
    desktop with its own fonts looks as it always does.
    """
    from PySide6.QtGui import QFont, QFontDatabase
    from PySide6.QtWidgets import QApplication

    files = font_files(folder if folder is not None else bundled_fonts_dir())
    if not files:
        return []
    chinese = QFontDatabase.WritingSystem.SimplifiedChinese
    system_has_one = bool(QFontDatabase.families(chinese))
    families: list[str] = []
    for path in files:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    if families and not system_has_one:
        font = QFont(QApplication.font())
        font.setFamilies(families)
        QApplication.setFont(font)
        return families
    return []
