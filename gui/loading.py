"""Loading the window's code: the core before Qt, the cycle collector paused, objects set aside.

Importing the window's code (SQLAlchemy, the models, PySide6, the program's own modules) makes
about a hundred thousand objects, and the cycle collector, counting them as they come, walks the
growing heap some two hundred times: 60 ms of the window's start-up on the development machine.
Paused, it walks nothing; afterwards `gc.freeze` moves everything the imports made into the
permanent generation, so that neither the collection that would follow the pause nor any later
one walks the modules again (what the imports left as garbage stays: it did not change the
window's memory by a megabyte). Only the cycle collector is paused: reference counting frees
everything else as before.

Once PySide6 is loaded, its import hook (`shibokensupport.feature.feature_imported`, there for
`from __feature__ import snake_case`) reads the whole source of every module an import statement
names for the first time, through `inspect.getsource`, to see whether the text says "PySide6":
a hundred modules, 30–50 ms of start-up, most of them stdlib, SQLAlchemy and the core, already
loaded before Qt and named again by the window's own imports. Those are noted for the hook as
not using PySide (-1, what it would find: none of them names Qt) before the window's modules are
imported, and the window's own modules (gui/) by the hook's rule, from their files read here
directly (52 small files, about a millisecond, against the hook's inspect.getsource of each).
The one-folder build has no sources at all, so the hook notes -1 there for every module, and
nothing here finds a file to read. Nothing in the program uses `__feature__`, the only thing the
notes select.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

__all__ = ["CORE_FIRST", "load_window"]

# The core modules the window and its sign-in use, imported before Qt (gui/app.py says why).
CORE_FIRST = (
    "cases.actions",
    "cases.actions.settings",
    "cases.office.users",
    "cases.progress",
    "cases.query.caselist",
    "cases.rules.settings",
    "cases.storage.store",
    "cases.timing.deadlines",
)
# Modules that may name Qt, whose notes PySide6 keeps making itself.
_OURS_WITH_QT = ("__main__", "gui", "bench", "tests", "PySide6", "shiboken6", "shibokensupport")


def load_window() -> None:
    """Import gui.app and what it imports with the collector paused; raises their ImportError.

    The collector is left as it was found (a caller that had paused it keeps it paused).
    """
    running = gc.isenabled()
    gc.disable()
    try:
        for name in CORE_FIRST:
            importlib.import_module(name)
        import PySide6.QtCore  # noqa: F401  # its import hook is in place from here on

        spare_source_reads()
        import gui.app  # noqa: F401
    finally:
        gc.freeze()
        if running:
            gc.enable()


def spare_source_reads() -> int:
    """Note every module loaded so far that cannot use Qt as such for PySide6's import hook.

    Returns how many were noted; 0 when this PySide6 keeps no such notes (the hook then reads
    them as it always did).
    """
    feature = sys.modules.get("shibokensupport.feature")
    notes = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(notes, dict):
        return 0
    noted = 0
    for name in list(sys.modules):
        if name not in notes and name.partition(".")[0] not in _OURS_WITH_QT:
            notes[name] = -1  # the hook's own word for a module that does not use PySide
            noted += 1
    for name, text in _window_sources():
        if name not in notes:
            notes[name] = 0 if "PySide6" in text else -1  # the hook's own test, on the same text
            noted += 1
    return noted


def _window_sources() -> list[tuple[str, str]]:
    """(module name, source) of every module of the gui package found as a file."""
    found: list[tuple[str, str]] = []
    root = os.path.dirname(os.path.abspath(__file__))
    for folder, _dirs, files in os.walk(root):
        inside = os.path.relpath(folder, root)
        package = "gui" if inside == "." else "gui." + inside.replace(os.sep, ".")
        for file in files:
            if not file.endswith(".py"):
                continue
            stem = file[:-3]
            name = package if stem == "__init__" else f"{package}.{stem}"
            try:
                with open(os.path.join(folder, file), encoding="utf-8") as source:
                    found.append((name, source.read()))
            except (OSError, UnicodeDecodeError):
                continue  # the hook reads it itself, as before
    return found
