"""The code Jinja compiled from a template's parts, kept in the cache folder for later processes.

A letter as a process skips the check of a template that passed before (checked.py), and with
it the compiling of the template's parts: docxtpl then handed each part to Jinja to compile
again, about 30 ms of a letter's process. The compiled code is kept as marshal data in
paths.cache_dir(), named by a key of the part's source and what compiling it depends on besides:
Python, Jinja and the sandbox as render.py configures it (its source). Anything else, or a file
that cannot be read, is compiled again; a cache that cannot be written is not used. Each file
starts with the SHA-256 of its marshal data: a file damaged inside would still unmarshal as code,
whose constants are the letter's own text.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

import jinja2

from cases.rules.handbook_cache import code_of
from cases.storage import paths

FOLDER = "compiled-templates"
KEEP = 512  # parts: about ten a template, for the defaults and an office's own versions
_SUM = hashlib.sha256().digest_size


def load(source: str) -> CodeType | None:
    """The code an earlier process compiled from this very source, or None."""
    try:
        data = _entry(source).read_bytes()
        if hashlib.sha256(data[_SUM:]).digest() != data[:_SUM]:
            return None  # damaged (or of an older layout): compiled again and kept anew
        code = marshal.loads(data[_SUM:])
    except Exception:  # missing, damaged, or written by another Python: compile again
        return None
    return code if isinstance(code, CodeType) else None


def keep(source: str, code: CodeType) -> None:
    """Keep the code compiled from source for the next process."""
    with contextlib.suppress(Exception):  # a read-only or full folder: the next one compiles
        entry = _entry(source)  # written over when there: it could not be read
        partial = entry.with_name(f".{entry.name}.{os.getpid()}.partial")
        try:
            data = marshal.dumps(code)
            partial.write_bytes(hashlib.sha256(data).digest() + data)
            paths.private_file(partial)
            partial.replace(entry)  # whole or not at all, even with another process writing
        finally:
            partial.unlink(missing_ok=True)
        kept = sorted(entry.parent.iterdir(), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP]:
            old.unlink(missing_ok=True)


def _entry(source: str) -> Path:
    digest = hashlib.sha256(_compiler())
    digest.update(source.encode("utf-8", "surrogatepass"))
    return paths.private_dir(paths.cache_dir() / FOLDER) / digest.hexdigest()[:40]


@functools.cache
def _compiler() -> bytes:
    """What the code compiled from a source depends on besides the source."""
    described = repr((sys.version, jinja2.__version__)).encode("utf-8")
    return described + code_of("cases.documents.letters.render")
