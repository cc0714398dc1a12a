"""The template generator reads its day counts from the handbook (law as data)."""

from __future__ import annotations

import importlib
import io
from pathlib import Path
from types import ModuleType

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


def test_the_generator_cites_the_articles_of_the_handbook(
    office_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed article in handbook/citations.yaml or periods.yaml reaches the rebuilt letters."""
    import templates_docx.build_templates as generator

    def text(module: ModuleType, kind: str) -> str:
        built = module.build(kind)
        return "\n".join(p.text for p in docx.Document(io.BytesIO(built)).paragraphs)

    law = "《中华人民共和国政府信息公开条例》"
    assert f"根据{law}第三十四条的规定，本机关现征求贵机关意见" in text(
        generator, "agency_consultation"
    )
    citations = office_copy / "citations.yaml"
    citations.write_text(
        citations.read_text(encoding="utf-8").replace(
            "  - id: agency_consultation\n    basis: [{law: 条例, article: 34}]",
            "  - id: agency_consultation\n    basis: [{law: 条例, article: 34, paragraph: 2}]",
        ),
        encoding="utf-8",
    )
    periods = office_copy / "periods.yaml"
    periods.write_text(
        periods.read_text(encoding="utf-8").replace(
            "  - id: extension\n    basis: [{law: 条例, article: 33, paragraph: 2}]",
            "  - id: extension\n    basis: [{law: 条例, article: 33, paragraph: 3}]",
        ),
        encoding="utf-8",
    )
    _default_handbook.cache_clear()
    try:
        rebuilt = importlib.reload(generator)
        asking, extension = text(rebuilt, "agency_consultation"), text(rebuilt, "extension")
    finally:
        monkeypatch.delenv(HANDBOOK_ENV)
        _default_handbook.cache_clear()
        importlib.reload(generator)
    assert f"根据{law}第三十四条第二款的规定，本机关现征求贵机关意见" in asking
    assert f"根据{law}第三十三条第三款的规定" in extension
    assert "第三十三条第二款" not in extension
