"""A letter filled from the code its template's check compiled is the letter compiled afresh."""

from __future__ import annotations

import importlib
import io
import zipfile
from collections import OrderedDict
from typing import Any

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cases.documents import letters
from cases.documents.letter_context import sample_context
from cases.documents.letters import drafting, kept_code, templates
from cases.rules.handbook import OUTCOME_CODES
from cases.storage import paths
from cases.storage.store import Store
from tests.letters_support import issue, typical_case
from tests.test_letters import make_case

# The module, not the function of the same name that cases.documents.letters exports.
rendering = importlib.import_module("cases.documents.letters.render")


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def both_ways(
    monkeypatch: pytest.MonkeyPatch, template: letters.Template, context: dict[str, Any]
) -> tuple[bytes, bytes, int]:
    """The letter filled from the kept code, the letter compiled afresh as before, and how many
    sources the first had to compile."""
    compiled = []
    original = rendering._ENV.compile

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args[0])
        return original(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(rendering._ENV, "compile", counting)
        kept = rendering.render(template, context, author="张三")
    with monkeypatch.context() as patch:
        fresh_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
        patch.setattr(rendering, "_ENV", fresh_env)
        fresh = rendering.render(template, context, author="张三")
    return kept, fresh, len(compiled)


def test_every_kind_and_every_reply_reads_the_same(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[letters.Template, dict[str, Any]]] = []
    real_render = drafting.render  # where every draft is rendered, by the ORM or sqlite3

    def keep(template: letters.Template, context: Any, *, author: str = "") -> bytes:
        seen.append((template, dict(context)))
        return real_render(template, context, author=author)

    monkeypatch.setattr(drafting, "render", keep)
    with store.transaction() as session:
        for index, code in enumerate(OUTCOME_CODES):
            letters.draft_letter(session, typical_case(session, code, index), "reply", "张三")
        for code in ("disclose", "partial"):  # a case with every kind of event
            case = make_case(session, code)
            issue(session, case, "reply")  # the service letter proves its service
            for kind in letters.KINDS:
                letters.draft_letter(session, case, kind, "张三")
    monkeypatch.undo()
    assert len(seen) > len(OUTCOME_CODES)
    assert {t.kind for t, _ in seen} == set(letters.KINDS)
    for template, context in seen:
        kept, fresh, compiled = both_ways(monkeypatch, template, context)
        assert compiled == 0, template.kind  # every source came from the check
        assert parts(kept) == parts(fresh), template.kind


def test_a_source_no_check_compiled_is_compiled_as_before() -> None:
    template = rendering._ENV.from_string("{{ a }} & {{ b }}")
    assert template.render(a="<甲>", b="乙") == "&lt;甲&gt; & 乙"


def new_process(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The sandbox as a new process finds it (nothing in memory), counting what it compiles."""
    compiled: list[object] = []
    original = rendering._ENV.compile

    def counting(*args: Any, **kwargs: Any) -> Any:
        compiled.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(rendering._ENV, "_compiled", OrderedDict())
    monkeypatch.setattr(rendering._ENV, "compile", counting)
    templates._load_checked.cache_clear()
    return compiled


def test_a_later_process_fills_a_letter_from_the_code_kept_on_disk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context = sample_context()
    new_process(monkeypatch)  # this test's cache folder, from the first template on
    for kind in letters.KINDS:
        first = letters.render(letters.load_template(kind), context, author="张三")
        with monkeypatch.context() as patch:
            compiled = new_process(patch)
            template = letters.load_template(kind)  # passed before: not checked again
            again = letters.render(template, context, author="张三")
            assert compiled == [], kind  # every part's code came from the cache folder
        fresh = both_ways(monkeypatch, template, context)[1]
        assert parts(again) == parts(first) == parts(fresh), kind
    assert len(list((paths.cache_dir() / kept_code.FOLDER).iterdir())) >= len(letters.KINDS)


def test_kept_code_that_cannot_be_read_is_compiled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    context = sample_context()
    new_process(monkeypatch)
    first = letters.render(letters.load_template("reply"), context)
    for entry in (paths.cache_dir() / kept_code.FOLDER).iterdir():
        entry.write_bytes(b"\x00not marshal data")  # cut short, overwritten, another Python's
    with monkeypatch.context() as patch:
        compiled = new_process(patch)
        again = letters.render(letters.load_template("reply"), context)
        assert compiled  # compiled afresh, not run from the damaged files
    assert parts(again) == parts(first)
    with monkeypatch.context() as patch:
        compiled = new_process(patch)
        letters.render(letters.load_template("reply"), context)
        assert compiled == []  # and kept again, whole, for the next process


def test_kept_code_damaged_inside_is_compiled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # A byte changed inside a kept file (a bad sector, a half-synced copy) still unmarshals as
    # code, whose constants are the letter's own text: it must not be run.
    context = sample_context()
    new_process(monkeypatch)
    first = letters.render(letters.load_template("receipt"), context)
    damaged = 0
    for entry in (paths.cache_dir() / kept_code.FOLDER).iterdir():
        data = entry.read_bytes()
        at = data.find("申请".encode())
        if at >= 0:
            entry.write_bytes(data[:at] + "甲请".encode() + data[at + len("申请".encode()) :])
            damaged += 1
    assert damaged  # the receipt's text is in its parts' code
    with monkeypatch.context() as patch:
        compiled = new_process(patch)
        again = letters.render(letters.load_template("receipt"), context)
        assert compiled  # compiled afresh, not run from the damaged files
    assert parts(again) == parts(first)
