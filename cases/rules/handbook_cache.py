"""The parsed handbook kept in the user's cache folder, keyed by every byte it was read from.

Each process that needs the handbook (a letter, the annual report, the window) paid for PyYAML
and the parse and checks of its files. The result is kept as a pickle in paths.cache_dir(),
under a key made of every file of the handbook folder (names and bytes, guidance included), how
errors name the folder, the loader's own code and the Python that pickled it: a change to any
of them is another key, and the files are parsed again. The folder is the user's own (0700),
as the database beside it; a cache that cannot be read or written is not used, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from cases.storage import paths

if TYPE_CHECKING:
    from cases.rules.handbook import Handbook

# The code that decides what a parsed handbook holds: its types and the parser that checks it.
LOADER_MODULES = ("cases.rules.handbook", "cases.rules.handbook_yaml", "cases.rules.letter_kinds")
KEEP = 4  # cached handbooks: the installed one and an office's copy or two
PREFIX = "handbook-"


def cached(
    root: Traversable, display: str, base: str | None, parse: Callable[[], Handbook]
) -> Handbook:
    """The handbook under root from the cache when its files are unchanged, else parse() kept."""
    from cases.rules.handbook import Handbook

    key = _key(root, display, base)
    if key is None:
        return parse()
    try:
        file = paths.cache_dir() / f"{PREFIX}{key}.pickle"
    except OSError:  # no folder of its own to write in
        return parse()
    try:
        with file.open("rb") as f:
            found = pickle.load(f)
        if isinstance(found, Handbook):
            return found
    except Exception:  # missing, unreadable, truncated, or pickled by other code: parse again
        pass
    handbook = parse()
    with contextlib.suppress(OSError):  # a read-only or full folder: the next one parses too
        _write(file, handbook)
    return handbook


def _key(root: Traversable, display: str, base: str | None) -> str | None:
    digest = hashlib.sha256(repr((sys.version, display, base)).encode("utf-8"))
    try:
        for name in LOADER_MODULES:
            digest.update(code_of(name))
        for name, data in sorted(_files(root, "")):
            digest.update(f"\0{name}\0{len(data)}\0".encode())
            digest.update(data)
    except Exception:  # the folder or the loader's code cannot be read: no cache
        return None
    return digest.hexdigest()[:40]


def code_of(module: str) -> bytes:
    """The module's source, or its compiled code where there is no source (a frozen build)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.loader is None:
        raise LookupError(module)
    if spec.origin and spec.origin.endswith(".py") and os.path.isfile(spec.origin):
        return Path(spec.origin).read_bytes()
    get_code = getattr(spec.loader, "get_code", None)
    code = get_code(module) if get_code is not None else None
    if code is None:
        raise LookupError(module)
    return marshal.dumps(code)


def _files(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _files(entry, name + "/")
        elif not entry.name.endswith((".pyc", ".pyo")):
            yield name, entry.read_bytes()


def _write(file: Path, handbook: Handbook) -> None:
    partial = file.with_name(f".{file.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as f:
            pickle.dump(handbook, f, protocol=pickle.HIGHEST_PROTOCOL)
        paths.private_file(partial)
        partial.replace(file)  # whole or not at all, even with another process writing it too
    except BaseException:
        # A full disk: the part written is removed, not left behind by every process that fails.
        partial.unlink(missing_ok=True)
        raise
    kept = sorted(file.parent.glob(f"{PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in kept[:-KEEP]:
        old.unlink(missing_ok=True)
