"""Command-line behaviour: holidays, backups, headless start, one-line errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import main
from cases.storage.store import list_backups, open_store

ROOT = Path(__file__).resolve().parent.parent

SCHEDULE_2027 = """# 2027年节假日安排（测试用）
year,2027
2027-01-01,休,元旦
2027-02-05,休,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-10,休,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-20,班,春节调休
"""


def case_line(no: str, received: str) -> str:
    return json.dumps(
        {
            "no": no, "received": received, "channel": "in_person",
            "applicant": {"type": "natural_person", "name": "周晓梅"},
            "request": {"description": "申请公开2026年度区级预算", "form": "paper",
                        "delivery": "post"},
        },
        ensure_ascii=False,
    )  # fmt: skip


def test_holiday_import_recomputes_open_deadlines_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "h.sqlite")
    cases_file = tmp_path / "c.jsonl"
    # Received Fri 2026-11-20 and extended: 40 WD reach into 2027, which has no official
    # schedule, so 2027-01-01 counts as a working day and the due date 2027-01-15 is provisional.
    # With the office's 2027 schedule (元旦 off) it moves one working day, to Mon 2027-01-18.
    extended = json.loads(case_line("A-1", "2026-11-20"))
    extended["events"] = [{"kind": "extension", "on": "2026-11-25", "approved_by": "主任"}]
    cases_file.write_text(
        json.dumps(extended, ensure_ascii=False) + "\n" + case_line("A-2", "2026-03-02") + "\n",
        encoding="utf-8",
    )
    assert main.run(["--db", db, "import", str(cases_file)]) == 0
    capsys.readouterr()
    assert main.run(["--db", db, "export", str(tmp_path / "before.jsonl")]) == 0
    before = {
        r["no"]: r for r in map(json.loads, (tmp_path / "before.jsonl").read_text().splitlines())
    }
    assert before["A-1"]["due_provisional"] is True
    assert before["A-1"]["due"] == "2027-01-15"

    schedule = tmp_path / "2027.txt"
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    assert main.run(["--db", db, "holidays", "import", str(schedule)]) == 0
    out = capsys.readouterr().out
    assert "2027年" in out
    assert "A-1：答复期限 2027-01-15 → 2027-01-18（不再是暂定）" in out
    assert "A-2" not in out  # not touched by 2027

    assert main.run(["--db", db, "holidays", "list", "--year", "2027"]) == 0
    listing = capsys.readouterr().out
    assert "2027-02-20 调休上班" in listing and "本机关录入" in listing
    assert main.run(["--db", db, "holidays", "list", "--year", "2028"]) == 0
    assert "暂定" in capsys.readouterr().out


def test_a_bad_schedule_file_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "h.sqlite")
    schedule = tmp_path / "bad.txt"
    schedule.write_text("year,2027\n2027-13-01,休,元旦\n", encoding="utf-8")
    assert main.run(["--db", db, "holidays", "import", str(schedule)]) == 2
    assert "第2行" in capsys.readouterr().err
    assert not Path(db).exists()  # the refused import created no database either
    open_store(db).close()
    assert main.run(["--db", db, "holidays", "import", str(schedule)]) == 2
    capsys.readouterr()
    assert main.run(["--db", db, "holidays", "list", "--year", "2027"]) == 0
    assert "尚未录入" in capsys.readouterr().out


def test_writing_commands_back_the_database_up_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "b.sqlite"
    cases_file = tmp_path / "c.jsonl"
    cases_file.write_text(case_line("B-1", "2026-03-02") + "\n", encoding="utf-8")
    assert main.run(["--db", str(db), "import", str(cases_file)]) == 0
    cases_file.write_text(case_line("B-2", "2026-03-03") + "\n", encoding="utf-8")
    assert main.run(["--db", str(db), "import", str(cases_file)]) == 0
    assert len(list_backups(stem="b")) == 2
    assert main.run(["--db", str(db), "backups"]) == 0  # the backups of the database in use
    assert "b-" in capsys.readouterr().out


def test_not_a_database_gives_one_line_and_no_traceback(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("会议记录", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "main.py", "--db", str(notes), "export", str(tmp_path / "x.jsonl")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "不是本程序的数据库文件" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_window_without_display_explains_and_points_to_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main.run([]) == 1
    err = capsys.readouterr().err
    assert "没有可用的图形显示" in err and "python main.py export" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_qt_library_names_the_debian_package() -> None:
    error = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    message = main.missing_qt_library(error)
    assert "libEGL.so.1" in message and "apt-get install libegl1" in message


def test_unknown_command_is_bad_input() -> None:
    with pytest.raises(SystemExit) as caught:
        main.run(["frobnicate"])
    assert caught.value.code == 2


def test_letter_command_writes_a_docx_and_refuses_bad_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from docx import Document

    db = str(tmp_path / "l.sqlite")
    line = json.loads(case_line("L-1", "2025-03-03"))
    line["outcome"] = {"code": "unable_not_held", "on": "2025-03-20", "note": ""}
    cases_file = tmp_path / "c.jsonl"
    cases_file.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main.run(["--db", db, "import", str(cases_file)]) == 0
    out = tmp_path / "reply.docx"
    assert main.run(["--db", db, "letter", "L-1", "reply", "--out", str(out)]) == 0
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "周晓梅" in text and "2025年3月3日" in text and "第三十六条第（四）项" in text
    capsys.readouterr()
    assert main.run(["--db", db, "letter", "L-9", "reply", "--out", str(out)]) == 2
    assert "找不到案件 L-9" in capsys.readouterr().err
    assert main.run(["--db", db, "letter", "L-1", "poem", "--out", str(out)]) == 2
    assert main.run(["--db", db, "letter", "L-1", "reply", "--out", str(tmp_path / "x.txt")]) == 2


def test_report_command_exports_and_drills_down_consistently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "r.sqlite")
    assert main.run(["--db", db, "demo", "--cases", "400"]) == 0
    out = tmp_path / "r.json"
    assert main.run(["--db", db, "report", "--year", "2025", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    columns = data["table3"]["columns"]
    row = next(
        r for r in data["table3"]["rows"] if r["path"] == ["三、本年度办理结果", "（一）予以公开"]
    )
    capsys.readouterr()
    cell = "三、本年度办理结果/（一）予以公开"
    assert main.run(["--db", db, "report", "--year", "2025", "--cases", cell]) == 0
    listed = capsys.readouterr().out.split()
    assert len(listed) == row["values"][columns.index("总计")] > 0
    assert main.run(["--db", db, "report", "--year", "2025", "--cases", "不存在的行"]) == 2
    assert "表三中没有这一行" in capsys.readouterr().err
    stats = tmp_path / "s.json"
    assert main.run(["--db", db, "report", "--year", "2025", "--stats", "--out", str(stats)]) == 0
    assert json.loads(stats.read_text(encoding="utf-8"))["year"] == 2025


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "x.jsonl", "--year", "99999"],
        ["report", "--year", "0", "--out", "r.json"],
        ["holidays", "list", "--year", "abc"],
    ],
)
def test_impossible_years_are_refused_by_the_parser(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main.run(argv)
    assert caught.value.code == 2


@pytest.mark.parametrize("url", ["foo://bar", "not a url://", "mysql://u@localhost/x"])
def test_unusable_database_addresses_are_one_line_errors(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.run(["--db", url, "export", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "无法使用数据库地址" in err and len(err.strip().splitlines()) == 1


def test_read_only_commands_never_create_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo" / "cases.sqlite"
    assert main.run(["--db", str(typo), "report", "--year", "2025", "--out", "r.json"]) == 2
    assert main.run(["--db", str(typo), "export", str(tmp_path / "x.jsonl")]) == 2
    assert main.run(["--db", str(typo), "holidays", "list"]) == 2
    assert "找不到数据库文件" in capsys.readouterr().err
    assert not typo.exists() and not typo.parent.exists()


def test_help_and_argparse_errors_are_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main.run(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "显示本帮助并退出" in out and "usage" not in out
    with pytest.raises(SystemExit) as info:
        main.run(["restore"])
    assert info.value.code == 2
    assert "缺少必需的参数" in capsys.readouterr().err


def test_missing_xcb_libraries_are_named_by_package_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ctypes.util

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(main.sys, "platform", "linux")
    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util,
        "find_library",
        lambda name: None if name == "xcb-cursor" else real(name) or "x",
    )
    assert main.run([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "libxcb-cursor0" in err and "apt-get install" in err


def test_no_chinese_font_is_said_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    monkeypatch.setattr(main.sys, "platform", "linux")

    class Empty:
        stdout = ""

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: Empty())
    assert main.has_chinese_font() is False
    assert "fonts-wqy-microhei" in main.FONT_HINT
    monkeypatch.undo()
    assert main.has_chinese_font() is True  # this machine has fonts-wqy-microhei


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--cases", "99999999999999999999", "--into-real-database"],
        ["demo", "--cases", "0"],
        ["similar", "2025-000001", "--limit", "99999999999999999999"],
    ],
)
def test_integers_beyond_a_sane_range_are_refused_in_one_line(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cases.sqlite"
    open_store(db).close()
    assert main.run(["--db", str(db), *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("范围" in err or "之间" in err), err


def test_a_folder_given_as_the_file_to_import_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cases.sqlite"
    assert main.run(["--db", str(db), "import", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "文件夹" in err
