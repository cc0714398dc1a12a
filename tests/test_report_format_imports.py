"""A report written as one format loads that format's library only: python-docx and openpyxl
each cost a report run as a process a tenth to a quarter of a second to import (the .xlsx is
written without openpyxl, see report_xlsx.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(module: str) -> set[str]:
    code = (
        f"import sys, {module}\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'docx', 'openpyxl'})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize(
    ("module", "libraries"),
    [
        ("cases.documents.report_export", set()),
        ("cases.documents.report_xlsx", set()),
        ("cases.documents.report_docx", {"docx"}),
    ],
)
def test_each_format_imports_its_own_library(module: str, libraries: set[str]) -> None:
    assert loaded_after(module) == libraries
