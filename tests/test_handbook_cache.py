"""The parsed handbook kept between processes: the same handbook, and never a stale one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import handbook as handbook_package
from cases.rules import handbook_cache, handbook_yaml
from cases.rules.handbook import HandbookError, load_handbook
from cases.storage import paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    source = Path(handbook_package.__file__).parent
    target = tmp_path / "handbook"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders the YAML parser read (a load from the cache reads none)."""
    read: list[str] = []
    real = handbook_yaml.parse

    def counting(root: object, display: str, base: str | None) -> object:
        read.append(display)
        return real(root, display, base)  # type: ignore[arg-type]

    monkeypatch.setattr(handbook_yaml, "parse", counting)
    return read


def cached_files() -> list[Path]:
    return sorted(paths.cache_dir().glob("handbook-*.pickle"))


def replace_text(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_second_load_comes_from_the_cache_and_is_the_same(
    copy: Path, parses: list[str]
) -> None:
    first = load_handbook(copy)
    assert parses == ["handbook"] and len(cached_files()) == 1
    second = load_handbook(copy)
    assert parses == ["handbook"]  # not parsed again
    assert second == first and second is not first


def test_a_changed_handbook_file_is_read_again(copy: Path, parses: list[str]) -> None:
    assert load_handbook(copy).action_label("register") == "登记申请"
    replace_text(copy / "vocabulary.yaml", "register: 登记申请", "register: 收件登记")
    assert load_handbook(copy).action_label("register") == "收件登记"
    assert len(parses) == 2


def test_a_changed_guidance_file_is_read_again(copy: Path, parses: list[str]) -> None:
    before = load_handbook(copy).step("register").guidance_md
    (copy / "guidance" / "register.md").write_text("# 登记\n\n本机关的新指引。\n", encoding="utf-8")
    after = load_handbook(copy).step("register").guidance_md
    assert after != before and "本机关的新指引" in after


def test_a_broken_file_is_refused_even_after_a_good_one_was_cached(copy: Path) -> None:
    load_handbook(copy)
    replace_text(copy / "roles.yaml", "    name: 承办人", "    name: 承办人: x")
    with pytest.raises(HandbookError, match="YAML"):
        load_handbook(copy)


def test_the_same_files_elsewhere_are_their_own_entry(
    copy: Path, tmp_path: Path, parses: list[str]
) -> None:
    # Errors name the folder, so a copy in another place is not served from the first's entry.
    other = tmp_path / "elsewhere" / "handbook"
    shutil.copytree(copy, other)
    load_handbook(copy)
    load_handbook(other)
    assert len(parses) == 2 and len(cached_files()) == 2


def test_a_damaged_cache_file_is_parsed_again(copy: Path, parses: list[str]) -> None:
    expected = load_handbook(copy)
    (entry,) = cached_files()
    entry.write_bytes(entry.read_bytes()[:100])  # cut short, as by a full disk
    assert load_handbook(copy) == expected
    assert len(parses) == 2
    assert load_handbook(copy) == expected and len(parses) == 2  # rewritten whole


def test_no_cache_folder_means_parsing_every_time(
    copy: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(paths, "cache_dir", lambda: blocked / "cache")
    first = load_handbook(copy)
    assert load_handbook(copy) == first
    assert len(parses) == 2


def test_the_loader_s_own_code_is_part_of_the_key(copy: Path) -> None:
    keys = {handbook_cache._key(copy, "handbook", str(copy))}
    for module in handbook_cache.LOADER_MODULES:
        assert handbook_cache.code_of(module)
    original = handbook_cache.code_of
    handbook_cache.code_of = lambda module: original(module) + b"# changed"  # type: ignore[assignment]
    try:
        keys.add(handbook_cache._key(copy, "handbook", str(copy)))
    finally:
        handbook_cache.code_of = original  # type: ignore[assignment]
    assert len(keys) == 2 and None not in keys


def test_a_process_with_the_cache_loads_no_yaml(tmp_path: Path) -> None:
    probe = (
        "import sys; from cases.rules.handbook import load_handbook; "
        "load_handbook().outcome('disclose'); print('yaml' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), paths.CACHE_ENV: str(tmp_path / "c")}
    loaded = [
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert loaded == ["True", "False"]  # the first parsed and kept it, the second read it


@pytest.mark.skipif(sys.platform == "win32", reason="a file size limit is a POSIX resource")
def test_a_write_that_fails_midway_leaves_nothing_in_the_cache_folder(tmp_path: Path) -> None:
    # A full disk, met here as a file size limit: the write fails after its first bytes.
    probe = (
        "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); "
        "from cases.rules.handbook import load_handbook; load_handbook().outcome('disclose')"
    )
    cache = tmp_path / "c"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), paths.CACHE_ENV: str(cache)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr  # the handbook is parsed all the same
    assert cache.is_dir() and list(cache.iterdir()) == []  # no half-written file piles up
