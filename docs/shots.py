"""What both screenshot scripts share: a scratch data folder, the application in the Chinese font
the pictures are drawn with, and the picture-taker."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 768)


def start(prefix: str) -> tuple[Path, Any, Callable[[Any, str], None]]:
    """(data folder, QApplication, shot): a fresh DISCLOSURE_DESK_HOME and the offscreen app."""
    os.environ["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["DISCLOSURE_DESK_HOME"] = str(home)
    sys.path.insert(0, str(ROOT))

    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv)
    font = app.font()
    font.setFamily("WenQuanYi Micro Hei")
    app.setFont(font)
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(widget: QWidget, name: str) -> None:
        """The widget as drawn, once the events that lay it out have run."""
        for _ in range(5):
            app.processEvents()
        widget.grab().save(str(OUT / f"{name}.png"))
        print(f"docs/screenshots/{name}.png")

    return home, app, shot
