"""A failed import (or demo) into a path that held no database leaves nothing (issue 13, 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import main
from cases import cli


def good_line() -> str:
    return json.dumps(
        {
            "received": "2026-03-02",
            "channel": "in_person",
            "applicant": {"type": "natural_person", "name": "周晓梅"},
            "request": {"description": "申请公开区级预算", "form": "paper", "delivery": "post"},
        },
        ensure_ascii=False,
    )


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("why", ["bad row", "missing file"])
def test_a_failed_import_into_a_new_path_leaves_no_file(
    tmp_path: Path, isolated_home: Path, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    if why == "bad row":
        source.write_text(good_line() + "\n" + '{"received": "2026-13-40"}\n', encoding="utf-8")
    home_before = files_under(isolated_home)
    target = tmp_path / "typo" / "deeper" / "office.sqlite"
    assert main.run(["--db", str(target), "import", str(source)]) == cli.BAD_INPUT
    assert "第2行" in capsys.readouterr().err or why == "missing file"
    assert not (tmp_path / "typo").exists()  # neither the file nor the folders made for it
    assert files_under(isolated_home) == home_before  # nor a start-up copy of the empty file


def test_a_failed_import_into_an_existing_database_keeps_it(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(good_line() + "\n", encoding="utf-8")
    target = tmp_path / "office.sqlite"
    assert main.run(["--db", str(target), "import", str(source)]) == 0
    source.write_text('{"received": "2026-13-40"}\n', encoding="utf-8")
    assert main.run(["--db", str(target), "import", str(source)]) == cli.BAD_INPUT
    capsys.readouterr()
    assert target.exists()
    assert main.run(["--db", str(target), "export", str(tmp_path / "out.jsonl")]) == 0
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_a_successful_import_into_a_new_path_keeps_the_file(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(good_line() + "\n", encoding="utf-8")
    target = tmp_path / "new" / "office.sqlite"
    assert main.run(["--db", str(target), "import", str(source)]) == 0
    assert target.stat().st_size > 0


def test_a_failed_import_into_an_empty_file_leaves_it_empty(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"received": "2026-13-40"}\n', encoding="utf-8")
    target = tmp_path / "empty.sqlite"
    target.touch()
    assert main.run(["--db", str(target), "import", str(source)]) == cli.BAD_INPUT
    capsys.readouterr()
    assert target.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["empty.sqlite", "in.jsonl"]
    assert files_under(isolated_home) == set()  # no start-up copy of it either


@pytest.mark.parametrize(
    "command",
    [["holidays", "import", "no-such-schedule.txt"], ["demo", "--cases", "0"]],
    ids=["holidays import", "demo"],
)
def test_other_writing_commands_that_fail_leave_no_file(
    tmp_path: Path, isolated_home: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "typo" / "office.sqlite"
    assert main.run(["--db", str(target), *command]) == cli.BAD_INPUT
    capsys.readouterr()
    assert not (tmp_path / "typo").exists()
    assert files_under(isolated_home) == set()
