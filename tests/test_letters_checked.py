"""A template that passed its check is not checked again by the next process, and only then."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cases.documents.letters import TemplateRejected, checked, load_template, templates
from cases.storage import paths


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The templates the check ran on; each load starts as a new process would (no memory)."""
    ran: list[str] = []
    real = templates.check_template

    def counting(kind: str, data: bytes, name: str) -> None:
        ran.append(name)
        real(kind, data, name)

    monkeypatch.setattr(templates, "check_template", counting)
    templates._load_checked.cache_clear()
    checked._checker.cache_clear()
    yield ran
    templates._load_checked.cache_clear()


def new_process() -> None:
    templates._load_checked.cache_clear()
    checked._checker.cache_clear()


def office_folder(tmp_path: Path, kind: str = "reply") -> Path:
    folder = tmp_path / "office-templates"
    folder.mkdir(exist_ok=True)
    shutil.copy(templates.default_templates_dir() / f"{kind}.docx", folder / f"{kind}.docx")
    return folder


def test_a_template_that_passed_is_not_checked_again(checks: list[str]) -> None:
    first = load_template("reply")
    new_process()
    again = load_template("reply")
    assert checks == ["reply.docx"]
    assert again.data == first.data and again.path == first.path


def test_a_refused_template_is_never_remembered(checks: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "office-templates"
    folder.mkdir()
    (folder / "reply.docx").write_bytes(b"not a docx")
    for _ in range(2):
        new_process()
        with pytest.raises(TemplateRejected):
            load_template("reply", folder)
    assert checks == ["reply.docx", "reply.docx"]


def test_a_replaced_template_is_checked_though_the_old_one_passed(
    checks: list[str], tmp_path: Path
) -> None:
    folder = office_folder(tmp_path)
    load_template("reply", folder)
    (folder / "reply.docx").write_bytes(b"not a docx")
    new_process()
    with pytest.raises(TemplateRejected):
        load_template("reply", folder)
    assert len(checks) == 2


def test_the_same_bytes_under_another_kind_are_checked_for_that_kind(
    checks: list[str], tmp_path: Path
) -> None:
    # The verdict depends on the kind (whether the letter must print a number): the same file
    # as another kind's template is another question, answered by the check again.
    folder = office_folder(tmp_path)
    shutil.copy(folder / "reply.docx", folder / "receipt.docx")
    load_template("reply", folder)
    new_process()
    load_template("receipt", folder)
    assert len(checks) == 2


def test_a_change_of_the_letters_context_checks_every_template_again(
    checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_template("reply")
    real = checked.sample_context

    def fewer_names() -> dict[str, Any]:
        context = dict(real())
        context.pop("applicant")  # as if a program without it ran next
        return context

    monkeypatch.setattr(checked, "sample_context", fewer_names)
    new_process()
    assert checked.passed_before("reply", templates.template_path("reply")[0].read_bytes()) is False


def test_the_checker_s_code_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    new_process()
    data = templates.template_path("reply")[0].read_bytes()
    checked.remember("reply", data)
    assert checked.passed_before("reply", data)
    real = checked.code_of
    monkeypatch.setattr(checked, "code_of", lambda module: real(module) + b"# changed")
    new_process()
    assert not checked.passed_before("reply", data)


def test_no_cache_folder_means_checking_every_time(
    checks: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(paths, "cache_dir", lambda: blocked / "cache")
    for _ in range(2):
        new_process()
        load_template("reply")
    assert len(checks) == 2
