"""Composition root: parses the command line, opens the database, starts the window or a command."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

# cases.cli imports nothing heavy at module level; each command imports its own needs, so that
# `--help` and a small command start quickly (bench/bench_startup.py measures it).
from cases import cli
from cases.errors import Refused  # a plain exception class: costs nothing to import

# The shared libraries Qt loads on Linux, and the Debian package that provides each.
QT_LIBRARIES = {
    "libGL.so": "libgl1",
    "libEGL.so": "libegl1",
    "libfontconfig.so": "libfontconfig1",
    "libxkbcommon.so": "libxkbcommon0",
    "libxkbcommon-x11.so": "libxkbcommon-x11-0",
    "libglib-2.0.so": "libglib2.0-0",
    "libgthread-2.0.so": "libglib2.0-0",
    "libdbus-1.so": "libdbus-1-3",
    "libxcb-cursor.so": "libxcb-cursor0",
}
COMMAND_HINT = (
    "可改用命令行：python main.py export 台账.xlsx、"
    "python main.py report --year 2025 --out 报告.docx 等（python main.py --help 查看全部命令）"
)


def year(text: str) -> int:
    """A --year value: a plausible calendar year, so that a typo is refused before any work."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是年份") from None
    if not 2000 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"年份 {value} 超出范围（2000—2100）")
    return value


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是 YYYY-MM-DD 格式的日期") from None


def field_default(text: str) -> tuple[str, str]:
    """A --default value: FIELD=CODE."""
    name, sep, code = text.partition("=")
    if not sep or not name.strip() or not code.strip():
        raise argparse.ArgumentTypeError(f"“{text}”应写成 字段=代码，如 channel=online")
    return name.strip(), code.strip()


# argparse's own words (usage, options, its error messages), in Chinese like the rest of the help.
ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效的选择：%(value)r（可选：%(choices)s）"
    ),
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的%(type)s值：%(value)r",
}


def _chinese(text: str) -> str:
    return ARGPARSE_WORDS.get(text, text)


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _chinese  # type: ignore[attr-defined]  # argparse looks its words up at use
    from cases.rules.letter_kinds import LETTER_KIND_ORDER  # plain data: not the handbook's YAML

    parser = argparse.ArgumentParser(
        prog="disclosure-desk",
        description="依申请公开办理台：政府信息公开申请的登记、期限、文书与年度报告。不带命令时打开窗口。",
    )
    parser.add_argument(
        "--db",
        metavar="数据库",
        help="数据库文件路径或 SQLAlchemy URL（默认：用户数据文件夹中的 cases.sqlite）",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令")

    p = sub.add_parser("import", help="导入 .jsonl（交换格式）或 .xlsx（台账），全部成功才写入")
    p.add_argument("file", type=Path, metavar="文件", help="要导入的 .jsonl 或 .xlsx 文件")
    p.add_argument(
        "--default",
        action="append",
        metavar="字段=代码",
        type=field_default,
        help="其他机关的台账缺少某列时，为整个文件指定一个值，如 --default channel=online",
    )
    p = sub.add_parser("export", help="导出 .jsonl 或 .xlsx")
    p.add_argument("file", type=Path, metavar="文件", help="导出到的文件，按扩展名 .jsonl 或 .xlsx")
    p.add_argument("--year", type=year, metavar="年份", help="只导出该年收到或该年内未办结的案件")
    p = sub.add_parser("report", help="年度报告表格（.json/.docx/.xlsx）、单元格明细或统计")
    p.add_argument("--year", type=year, required=True, metavar="年份", help="报告年度")
    p.add_argument("--out", type=Path, metavar="文件", help="输出文件，按扩展名选择格式")
    p.add_argument(
        "--cases",
        metavar="行路径",
        help="列出某个单元格统计的案件，如 “三、本年度办理结果/（一）予以公开”",
    )
    p.add_argument(
        "--column", default="总计", metavar="列名", help="与 --cases 一起使用的列名（默认：总计）"
    )
    p.add_argument(
        "--stats", action="store_true", help="输出统计数据（与 --out FILE.json 一起使用）"
    )
    p.add_argument(
        "--body",
        metavar="答复机关",
        help="只统计该答复机关（简称）答复的案件；不写则为全区汇总报告",
    )
    p = sub.add_parser("letter", help="为一件案件生成一份文书")
    p.add_argument("case", metavar="案件", help="案件编号")
    p.add_argument("kind", metavar="种类", help="文书种类：" + ", ".join(LETTER_KIND_ORDER))
    p.add_argument(
        "--out", type=Path, required=True, metavar="文件", help=".docx，或 .pdf（需要 LibreOffice）"
    )
    p = sub.add_parser("demo", help="生成演示案件")
    p.add_argument("--cases", type=int, default=2000, metavar="件数", help="案件数（默认 2000）")
    p.add_argument(
        "--seed", type=int, default=2025, metavar="种子", help="随机种子：同一种子生成同样的案件"
    )
    p.add_argument(
        "--into-real-database",
        action="store_true",
        help="数据库中已有真实案件时仍写入演示案件（演示案件会标为演示数据）",
    )
    p = sub.add_parser("holidays", help="工作日历：list 查看，import 录入本机关的节假日安排")
    hsub = p.add_subparsers(dest="holidays_command", metavar="子命令", required=True)
    h = hsub.add_parser("list", help="列出节假日与调休上班日")
    h.add_argument("--year", type=year, metavar="年份", help="只列出该年")
    h = hsub.add_parser("import", help="录入某年的节假日安排文件")
    h.add_argument("file", type=Path, metavar="文件", help="节假日安排文件（UTF-8 文本，每行一天）")
    p = sub.add_parser("check", help="签发前检查：列出一件案件须改正和提示的事项及其依据")
    p.add_argument("case", metavar="案件", help="案件编号")
    p.add_argument("--on", type=iso_date, metavar="日期", help="按哪一天签发来检查（默认今天）")
    p = sub.add_parser("similar", help="相似的在先案件、同一申请人的重复申请和当月申请量")
    p.add_argument("case", metavar="案件", help="案件编号")
    p.add_argument("--limit", type=int, default=10, metavar="件数", help="最多列出几件（默认 10）")
    p = sub.add_parser("review-file", help="复议、诉讼答复材料：一份 .docx 和原件文件夹")
    p.add_argument("case", metavar="案件", help="案件编号")
    p.add_argument("--out", type=Path, required=True, metavar="文件夹", help="输出文件夹")
    p = sub.add_parser(
        "db", help="数据库：info 查看所用数据库，copy 整库复制（SQLite 与 PostgreSQL 之间）"
    )
    dsub = p.add_subparsers(dest="db_command", metavar="子命令", required=True)
    dsub.add_parser("info", help="所用数据库的地址（不含密码）、表结构版本、大小和案件数")
    d = dsub.add_parser("copy", help="把整个数据库复制到一个空数据库，复制后逐表核对")
    d.add_argument("source", metavar="FROM", help="源数据库：文件路径或 SQLAlchemy URL")
    d.add_argument("target", metavar="TO", help="目标数据库（须为空）：文件路径或 SQLAlchemy URL")
    sub.add_parser("backups", help="列出自动备份")
    p = sub.add_parser("restore", help="用备份替换数据库文件（先检查备份，原文件另存）")
    p.add_argument("backup", type=Path, metavar="备份文件", help="用来恢复的备份（.sqlite）")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    sub.add_parser("verify", help="核验审计记录的哈希链和每份已发文文书，指出第一处不符")
    return parser


def run_command(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    if args.command == "holidays" and args.holidays_command == "list":
        from cases.storage import plain_sqlite

        # An up-to-date SQLite file is read without SQLAlchemy, most of this command's start-up.
        connection = plain_sqlite.open_current(args.db)
        if connection is not None:
            return cli.holidays_list_plain(connection, args.year, out)
    if args.command == "letter":
        from cases.storage import plain_sqlite

        connection = plain_sqlite.open_current(args.db)
        if connection is not None:
            done = cli.letter_plain(connection, args.case, args.kind, args.out, out)
            if done is not None:
                return done
    if args.command == "report" and cli.report_reads_plain(args):
        from cases.storage import plain_sqlite

        # The report keeps the snapshot of what it published (report_snapshot): a writable
        # connection; the statistics write nothing and read beside another desk's write.
        connection = plain_sqlite.open_current(args.db, writable=not args.stats)
        if connection is not None:
            done = cli.report_plain(connection, args, out)
            if done is not None:
                return done
    from cases.storage.fresh import removed_on_failure
    from cases.storage.store import open_store, resolve_target

    if args.command == "backups":
        return cli.backups_list(args.db, out)
    if args.command == "restore":
        return cli.restore(args.db, args.backup, args.yes, out)
    if args.command == "db" and args.db_command == "copy":
        return cli.db_copy(args.source, args.target, out, err)
    reads_only = args.command in (
        "export",
        "report",
        "letter",
        "verify",
        "db",
        "check",
        "similar",
        "review-file",
    ) or (args.command == "holidays" and args.holidays_command == "list")
    # import, holidays import and demo may create the file: a failed one leaves none behind.
    new_file = None if reads_only else resolve_target(args.db).path
    with removed_on_failure(new_file):
        db = open_store(args.db, must_exist=reads_only, upgrading=cli.upgrade_notice(err))
        try:
            if args.command == "import":
                defaults = dict(args.default) if args.default else None
                return cli.import_file(db, args.file, out, err, defaults)
            if args.command == "export":
                return cli.export_file(db, args.file, args.year, out)
            if args.command == "holidays":
                if args.holidays_command == "list":
                    return cli.holidays_list(db, args.year, out)
                return cli.holidays_import(db, args.file, out, err)
            if args.command == "demo":
                return cli.demo(db, args.cases, args.seed, out, args.into_real_database)
            if args.command == "report":
                return cli.report(db, args, out)
            if args.command == "letter":
                return cli.letter(db, args.case, args.kind, args.out, out)
            if args.command == "db":
                return cli.db_info(db, out)
            if args.command == "verify":
                return cli.verify(db, out, err)
            if args.command == "check":
                return cli.check(db, args.case, args.on, out)
            if args.command == "similar":
                return cli.similar_cases(db, args.case, args.limit, out)
            if args.command == "review-file":
                return cli.review_file(db, args.case, args.out, out)
        finally:
            db.close()
    raise AssertionError(args.command)


def missing_display() -> str | None:
    """Why no window can be shown, or None. Checked before Qt is imported."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "没有可用的图形显示（DISPLAY 与 WAYLAND_DISPLAY 均未设置），无法打开窗口"
    return None


def missing_qt_library(error: ImportError) -> str:
    text = str(error)
    match = re.search(r"(lib[\w.+-]+?\.so)(?:\.\d+)*", text)
    if match:
        package = QT_LIBRARIES.get(match.group(1))
        hint = (
            f"请安装：sudo apt-get install {package}" if package else "请安装提供该库的系统软件包"
        )
        return f"缺少 Qt 所需的系统库 {match.group(0)}，无法打开窗口。{hint}"
    return f"无法加载 Qt（{text}），无法打开窗口。请运行 make run 重新安装依赖"


# What Qt's xcb platform plugin loads besides Qt itself, and the Debian package of each: when
# one is missing Qt aborts with a page of text; we say in one line what to install instead.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
}
FONT_HINT = (
    "未找到中文字体，界面中的中文会显示为方框。"
    "请安装中文字体：sudo apt-get install fonts-wqy-microhei（或 fonts-noto-cjk）"
)


def missing_xcb_packages() -> list[str]:
    """Debian packages whose libraries the xcb plugin needs and this system lacks (X11 only)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return []
    if getattr(sys, "frozen", False):
        return []  # the one-folder build carries these libraries itself (packaging/)
    if not os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return []
    from ctypes.util import find_library

    return sorted({pkg for lib, pkg in XCB_LIBRARIES.items() if find_library(lib) is None})


def has_chinese_font() -> bool:
    """Whether fontconfig knows a font covering Chinese (Linux); elsewhere the system has one."""
    if not sys.platform.startswith("linux"):
        return True
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return True  # cannot tell; Qt will say so itself
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(found.stdout.strip())


def start_window(args: argparse.Namespace) -> int:
    reason = missing_display()
    if reason:
        print(f"{reason}。{COMMAND_HINT}", file=sys.stderr)
        return cli.FAILURE
    packages = missing_xcb_packages()
    if packages:
        print(
            f"缺少 Qt 图形界面所需的系统库，无法打开窗口。请安装：sudo apt-get install "
            f"{' '.join(packages)}。{COMMAND_HINT}",
            file=sys.stderr,
        )
        return cli.FAILURE
    from gui.fonts import bundled_fonts_dir  # no Qt yet: only looks for the build's fonts

    # The build's own fonts first: asking fontconfig (fc-list) costs the window ~50 ms of start-up.
    if bundled_fonts_dir() is None and not has_chinese_font():
        print(FONT_HINT, file=sys.stderr)  # a warning: the window still opens
    from gui.loading import load_window  # no Qt yet: it loads the window's code, see there

    try:
        load_window()
    except ImportError as exc:
        print(f"{missing_qt_library(exc)}。{COMMAND_HINT}", file=sys.stderr)
        return cli.FAILURE
    import threading

    from cases.storage.store import backup_sqlite, open_store
    from gui import app  # loaded just now
    from gui.newdatabase import may_open
    from gui.unreachable import open_with_retry

    declined = may_open(args.db)  # a mistyped path must not open an empty office
    if declined is not None:
        print(f"未新建数据库 {declined}，程序未打开", file=sys.stderr)
        return cli.FAILURE
    from gui.upgrading import run_upgrade

    # A server that does not answer: retry? An upgrade of the schema: shown while it runs.
    db = open_with_retry(lambda: open_store(args.db, upgrading=run_upgrade))

    def start_backup() -> None:
        # Beside the window, and only once it is painted, so that a large file delays neither.
        backup = threading.Thread(target=backup_sqlite, args=(db,), name="startup-backup")
        backup.daemon = True
        backup.start()

    try:
        return app.run(db, sys.argv, after_shown=start_backup)
    finally:
        db.close()


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            return start_window(args)
        return run_command(args)
    except Refused as exc:
        for line in cli.details(exc):
            print(line, file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return cli.exit_status(exc)
    except KeyboardInterrupt:
        print("已中断；未完成的操作没有写入数据库", file=sys.stderr)
        return cli.FAILURE
    except OSError as exc:
        print(f"文件操作失败：{exc}", file=sys.stderr)
        return cli.FAILURE


if __name__ == "__main__":
    sys.exit(run())
