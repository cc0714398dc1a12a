"""Where the program keeps its files: one function per folder, overridable for tests and offices."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "DisclosureDesk"
HOME_ENV = "DISCLOSURE_DESK_HOME"
CACHE_ENV = "DISCLOSURE_DESK_CACHE"


# The database holds applicants' names, ID numbers and addresses: what the program creates is
# readable by the user only (POSIX modes; Windows keeps the profile folder's own ACL).
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def private_file(path: Path) -> Path:
    """Make a file the program wrote readable and writable by the user only."""
    if os.name == "posix" and path.exists():
        os.chmod(path, PRIVATE_FILE)
    return path


def private_dir(path: Path) -> Path:
    """Create a folder (and its parents) for the program's files, open to the user only.

    Only folders the program creates are narrowed; an existing folder the user chose (their
    home, a shared drive) keeps its mode.
    """
    if not path.exists():
        made = [path]
        while not made[-1].parent.exists():  # the parents made on the way are narrowed too
            made.append(made[-1].parent)
        path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            for folder in made:
                os.chmod(folder, PRIVATE_DIR)
    return path


def data_dir() -> Path:
    """The user's data folder; DISCLOSURE_DESK_HOME overrides it (tests point it at tmp_path)."""
    override = os.environ.get(HOME_ENV)
    folder = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    return private_dir(folder)


def default_database() -> Path:
    return data_dir() / "cases.sqlite"


def backup_dir() -> Path:
    return private_dir(data_dir() / "backups")


def cache_dir() -> Path:
    """What the program keeps only to start faster and can always rebuild (the parsed handbook),
    apart from the user's data; DISCLOSURE_DESK_CACHE overrides it (tests point it at tmp_path)."""
    override = os.environ.get(CACHE_ENV)
    folder = Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, False))
    return private_dir(folder)


def office_templates_dir() -> Path:
    """Office overrides of templates_docx/, matched by file name."""
    return data_dir() / "templates"
