"""A database file a command is about to create, removed again if that command fails.

`import` into a path that holds no database creates the file (and perhaps its folder), or builds
the schema in an empty file, before it reads a row; when the import is then refused, nothing of
it may stay behind: not an empty case database that a mistyped --db later opens as an office,
nor the start-up copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cases.storage import paths

SIDE_FILES = ("-wal", "-shm", "-journal")


def _missing_folders(path: Path) -> list[Path]:
    """The folders above path that do not exist yet, innermost first."""
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    return missing


def _backups_of(stem: str) -> set[Path]:
    folder = paths.data_dir() / "backups"
    return set(folder.glob(f"{stem}-*.sqlite")) if folder.is_dir() else set()


@contextmanager
def removed_on_failure(path: Path | None) -> Iterator[None]:
    """Run the body; if it raises and path held no database before, undo what it created.

    A file that did not exist is removed with the folders made for it; an empty file that was
    there is left empty again. Start-up copies of it made meanwhile go too.
    """
    if path is None or (path.exists() and (path.is_dir() or path.stat().st_size > 0)):
        yield
        return
    existed = path.exists()
    folders = _missing_folders(path)
    backups = _backups_of(path.stem)
    try:
        yield
    except BaseException:
        for made in (Path(f"{path}{s}") for s in SIDE_FILES):
            made.unlink(missing_ok=True)
        for made in _backups_of(path.stem) - backups:
            made.unlink(missing_ok=True)
        if existed:
            with path.open("r+b") as f:
                f.truncate(0)
        else:
            path.unlink(missing_ok=True)
        for folder in folders:  # only folders this command made, and only when left empty
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
