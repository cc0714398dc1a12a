"""The layering rule, checked rather than promised: cases/ runs without Qt and without gui/."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import cases

ROOT = Path(__file__).resolve().parent.parent


def test_every_core_module_imports_with_qt_made_unimportable() -> None:
    modules = sorted(
        m.name for m in pkgutil.walk_packages(cases.__path__, "cases.")
        if ".migrations.versions" not in m.name and not m.name.endswith("migrations.env")
    )  # fmt: skip
    assert "cases.timing.clock" in modules and "cases.storage.store" in modules
    script = textwrap.dedent(
        f"""
        import importlib, sys

        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "gui"):
                    raise ImportError(f"{{name}} is blocked: cases/ must not need it")
                return None

        sys.meta_path.insert(0, BlockQt())
        for name in {modules!r}:
            importlib.import_module(name)
        loaded = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "gui")]
        assert not loaded, loaded
        print("ok", len({modules!r}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_the_blocker_really_blocks() -> None:
    script = textwrap.dedent(
        """
        import sys
        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "PySide6":
                    raise ImportError("blocked")
        sys.meta_path.insert(0, BlockQt())
        import PySide6.QtCore
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert result.returncode != 0
