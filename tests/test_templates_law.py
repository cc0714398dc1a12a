"""The template generator reads its day counts from the handbook (law as data)."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import docx
import pytest

from cases.rules.handbook import HANDBOOK_ENV, _default_handbook
from tests.test_law_as_data import office_copy, set_days

__all__ = ["office_copy"]  # a fixture, used by name


def test_the_generator_writes_the_day_counts_of_the_handbook(
    office_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change of a period in handbook/periods.yaml reaches the templates when they are rebuilt."""
    import templates_docx.build_templates as generator

    set_days(office_copy, "reply", 25)
    set_days(office_copy, "consultation", 10)
    _default_handbook.cache_clear()
    try:
        rebuilt = importlib.reload(generator)
        receipt, asking = (
            "\n".join(p.text for p in docx.Document(io.BytesIO(rebuilt.build(kind))).paragraphs)
            for kind in ("receipt", "consultation")
        )
    finally:
        # The installed handbook again, and the generator's figures read from it again.
        monkeypatch.delenv(HANDBOOK_ENV)
        _default_handbook.cache_clear()
        importlib.reload(generator)
    assert "自收到申请之日起25个工作日内予以答复" in receipt
    assert "自收到本意见书之日起10个工作日内" in asking
