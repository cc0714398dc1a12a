"""Loading the window's code with Python's cycle collector paused, its objects then set aside.

Importing the window's code (SQLAlchemy, the models, PySide6, the program's own modules) makes
about a hundred thousand objects, and the cycle collector, counting them as they come, walks the
growing heap some two hundred times: 60 ms of the window's start-up on the development machine.
Paused, it walks nothing; afterwards `gc.freeze` moves everything the imports made into the
permanent generation, so that neither the collection that would follow the pause nor any later
one walks the modules again (what the imports left as garbage stays: it did not change the
window's memory by a megabyte). Only the cycle collector is paused: reference counting frees
everything else as before.
"""

from __future__ import annotations

import gc

__all__ = ["load_window"]


def load_window() -> None:
    """Import gui.app and what it imports with the collector paused; raises their ImportError.

    The collector is left as it was found (a caller that had paused it keeps it paused).
    """
    running = gc.isenabled()
    gc.disable()
    try:
        import gui.app  # noqa: F401
    finally:
        gc.freeze()
        if running:
            gc.enable()
