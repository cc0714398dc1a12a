"""Before the window creates a database: a path that holds none is confirmed, not opened blindly.

A mistyped --db or DISCLOSURE_DESK_DB would otherwise open an empty office: no cases, a first-run
wizard, and the handler's next registration written into the wrong file. The default file in the
user's data folder is nobody's typing, so its first start goes straight to the wizard.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from cases.storage.store import DB_ENV, resolve_target

TITLE = "新建数据库？"
CREATE, QUIT = "新建数据库", "退出"


def new_database_path(target: str | None) -> Path | None:
    """The SQLite file a named target would create (none there, or an empty file), else None."""
    if target is None and not os.environ.get(DB_ENV):
        return None  # the default file: created on purpose at the first start
    path = resolve_target(target).path
    if path is None or path.is_dir():
        return None  # a server, or a folder, which opening refuses with its own message
    if path.exists() and path.stat().st_size > 0:
        return None
    return path


def question(path: Path) -> str:
    folder = "" if path.parent.exists() else f"，文件夹 {path.parent} 也不存在"
    return (
        f"{path} 处没有数据库{folder}。\n\n"
        "如果路径写错了，请点“退出”，改正 --db 或环境变量 DISCLOSURE_DESK_DB 后再打开；"
        "只有确要在这里开始一个新的、空的案件库时，才点“新建数据库”。"
    )


def ask_create(path: Path) -> bool:
    """Ask whether to create a new, empty database at path; True only for an explicit yes."""
    if QApplication.instance() is None:
        QApplication(sys.argv)
    box = QMessageBox(QMessageBox.Icon.Question, TITLE, question(path))
    create = box.addButton(CREATE, QMessageBox.ButtonRole.AcceptRole)
    quit_ = box.addButton(QUIT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_)  # Enter on a typo must not create the file
    box.setEscapeButton(quit_)
    box.exec()
    return box.clickedButton() is create


def may_open(target: str | None, ask: Callable[[Path], bool] = ask_create) -> Path | None:
    """None when the window may open the target; else the path the user declined to create."""
    path = new_database_path(target)
    if path is None or ask(path):
        return None
    return path
