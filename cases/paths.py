"""Where the program keeps its files: one function per folder, overridable for tests and offices."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "DisclosureDesk"
HOME_ENV = "DISCLOSURE_DESK_HOME"


def data_dir() -> Path:
    """The user's data folder; DISCLOSURE_DESK_HOME overrides it (tests point it at tmp_path)."""
    override = os.environ.get(HOME_ENV)
    folder = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_database() -> Path:
    return data_dir() / "cases.sqlite"


def backup_dir() -> Path:
    folder = data_dir() / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def office_templates_dir() -> Path:
    """Office overrides of templates_docx/, matched by file name."""
    return data_dir() / "templates"
