"""Which templates passed their check, remembered between processes so it is not run again.

The check of a template (checks.py) costs a letter as a process about as much as filling it. A
template that passed is remembered by an empty file in paths.cache_dir(), named by a key of the
kind, every byte of the template, and what the check's verdict depends on besides: the shape of
the letters' context (its keys, as sample_context builds them), the default number patterns,
the sandbox's filters, tests and globals, the checker's own code and the versions of Jinja,
docxtpl and Python. A change to any of them is another key and the template is checked again;
a refusal is never remembered, and a cache that cannot be read or written is not used.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import docxtpl
import jinja2

from cases.documents.letter_context import sample_context
from cases.documents.letters.render import _ENV
from cases.office.profile import DEFAULT_NUMBER_PATTERNS
from cases.rules.handbook_cache import code_of
from cases.storage import paths

CHECKER_MODULES = ("cases.documents.letters.checks", "cases.documents.letters.render")
FOLDER = "checked-templates"
KEEP = 64  # remembered templates: the defaults and an office's own, a few versions of each


def passed_before(kind: str, data: bytes) -> bool:
    """Whether this very template passed the check of this very program before."""
    try:
        return _entry(kind, data).is_file()
    except Exception:  # the checker's code or the cache folder cannot be read: check again
        return False


def remember(kind: str, data: bytes) -> None:
    """Note that the template passed its check (call only then)."""
    with contextlib.suppress(Exception):  # a read-only or full folder: the next one checks too
        entry = _entry(kind, data)
        entry.touch()
        kept = sorted(entry.parent.iterdir(), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP]:
            old.unlink(missing_ok=True)


def _entry(kind: str, data: bytes) -> Path:
    digest = hashlib.sha256(_checker())
    digest.update(f"\0{kind}\0".encode())
    digest.update(data)
    return paths.private_dir(paths.cache_dir() / FOLDER) / digest.hexdigest()[:40]


@functools.cache
def _checker() -> bytes:
    """What the check's verdict depends on besides the template itself."""
    described = repr(
        (
            sys.version,
            jinja2.__version__,
            docxtpl.__version__,
            _shape(sample_context()),
            sorted(DEFAULT_NUMBER_PATTERNS.items()),
            sorted(_ENV.globals),
            sorted(_ENV.filters),
            sorted(_ENV.tests),
        )
    )
    return described.encode("utf-8") + b"".join(code_of(m) for m in CHECKER_MODULES)


def _shape(value: Any) -> Any:
    # The check follows a template's names through mappings only (checks._unknown_names).
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _shape(v)) for k, v in value.items()))
    return None
