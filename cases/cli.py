"""The command-line commands: batch work, administration and automation, without Qt.

Each command imports what it needs inside its function: a process runs one command, and
`--help` or `holidays list` should not pay for SQLAlchemy's ORM, openpyxl or the letter code.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import datetime as dt
    import sqlite3
    from pathlib import Path

    from cases.documents.report.base import Check
    from cases.result import Notice
    from cases.storage import store
    from cases.storage.model import User
    from cases.timing.calendar import WorkCalendar

from cases.errors import Refused  # a plain exception class: costs nothing to import

BAD_INPUT = 2  # the user's input was wrong: nothing was changed
FAILURE = 1  # anything else


class UserError(Refused):
    """A mistake in what the user asked for on the command line; exit status 2."""

    def __init__(self, message: str, field: str = "command") -> None:
        super().__init__(field, message)


# A refusal of a class whose module was never imported is not of that class: a command that
# never loaded the database code (a letter read through sqlite3) does not load it to say so.


def exit_status(refused: Refused) -> int:
    """Bad input is 2; a database that cannot be opened or used (other than a wrong --db) is 1."""
    store = sys.modules.get("cases.storage.store")
    if store is None:
        return BAD_INPUT
    if isinstance(refused, store.StoreError) and not isinstance(refused, store.BadDatabaseTarget):
        return FAILURE
    return BAD_INPUT


def details(refused: Refused, limit: int = 200) -> list[str]:
    """The lines printed before a refusal's own message: every bad row of an import, every
    failed check of a report."""
    exchange = sys.modules.get("cases.interchange.exchange")
    annual = sys.modules.get("cases.documents.report")
    if exchange is not None and isinstance(refused, exchange.ImportRejected):
        lines = [str(p) for p in refused.problems[:limit]]
        if len(refused.problems) > limit:
            lines.append(f"……另有 {len(refused.problems) - limit} 处错误未列出")
        return lines
    if annual is not None and isinstance(refused, annual.ReportCheckFailed):
        return [check.describe() for check in refused.failed]
    return []


def actor_name() -> str:
    try:
        return f"命令行（{getpass.getuser()}）"
    except Exception:  # no user name on some Windows service accounts
        return "命令行"


def progress_printer(label: str, out: TextIO = sys.stderr) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        if out.isatty():
            print(f"\r{label} {done}/{total}", end="" if done < total else "\n", file=out)

    return show


def upgrade_notice(err: TextIO = sys.stderr) -> Callable[[str, Callable[[], None]], None]:
    """How a command runs a schema upgrade (store.Upgrading): a line before, a line after."""

    def run(current: str, upgrade: Callable[[], None]) -> None:
        import time

        from cases.storage.migrations import HEAD_REVISION

        print(
            f"正在把数据库的表结构从版本 {current} 升级到 {HEAD_REVISION}，"
            "案件多时需要几分钟，请不要中断……",
            file=err,
            flush=True,
        )
        began = time.monotonic()
        upgrade()
        took = time.monotonic() - began
        print(f"表结构已升级到版本 {HEAD_REVISION}，用时 {took:.0f} 秒", file=err)

    return run


def command_line_user() -> User:
    """The person at the command line, as an administrator who is not a stored user.

    Whoever can run commands on the database file can change it anyway; the trail names them
    by their operating-system account. The row is never added to a session.
    """
    from cases.rules.handbook import RoleId
    from cases.storage.model import User

    name = actor_name()
    return User(username=name, display_name=name, roles=RoleId.ADMIN, active=True)


def print_warnings(warnings: tuple[Notice, ...], err: TextIO, limit: int = 200) -> None:
    for notice in warnings[:limit]:
        print(f"注意：{notice}", file=err)
    if len(warnings) > limit:
        print(f"……另有 {len(warnings) - limit} 条提示未列出", file=err)


def import_file(
    db: store.Store,
    path: Path,
    out: TextIO,
    err: TextIO,
    defaults: dict[str, str] | None = None,
) -> int:
    from cases.actions import imports
    from cases.interchange import ledger
    from cases.storage import store

    if not path.exists():
        raise UserError(f"找不到文件 {path}", "file")
    if path.is_dir():
        raise UserError(f"{path} 是一个文件夹，不是要导入的文件", "file")
    other_office = path.suffix.lower() == ".xlsx" and (
        defaults is not None or not ledger.is_own_ledger(path)
    )
    store.backup_sqlite(db)
    if other_office:
        return import_other_ledger(db, path, defaults or {}, out, err)
    # Checked first, then written in one short transaction: the desks keep working meanwhile.
    result = imports.import_file_in_steps(db, command_line_user(), path, progress_printer("导入"))
    db.analyze()
    print_warnings(result.warnings, err)
    print(f"已导入 {result.value.written} 件案件", file=out)
    return 0


def import_other_ledger(
    db: store.Store, path: Path, defaults: dict[str, str], out: TextIO, err: TextIO
) -> int:
    """Another office's workbook: the mapping found (and remembered), printed, then imported."""
    from cases.interchange import ledger_mapping, transfer

    with db.session() as session:
        mapping = ledger_mapping.detect_mapping(path, session)
    for name, code in defaults.items():
        mapping = mapping.with_default(name, code)
    print(f"工作表“{mapping.sheet}”第{mapping.header_row}行是表头，各列对应如下：", file=out)
    for line in mapping.describe():
        print(f"  {line}", file=out)
    result = transfer.import_through_mapping_in_steps(
        db, command_line_user(), path, mapping, progress_printer("导入")
    )
    db.analyze()
    for warning in result.warnings:
        print(str(warning), file=err)
    print(f"已导入 {result.value.written} 件案件", file=out)
    return 0


def export_file(db: store.Store, path: Path, year: int | None, out: TextIO) -> int:
    from cases.interchange import exchange, ledger

    suffix = path.suffix.lower()
    with db.session() as session:
        if suffix == ".jsonl":
            count = exchange.export_jsonl(session, path, year)
        elif suffix == ".xlsx":
            count = ledger.export_ledger(session, path, year)
        else:
            raise UserError(f"不认识的文件类型“{suffix}”：只能导出 .jsonl 或 .xlsx")
    print(f"已导出 {count} 件案件到 {path}", file=out)
    return 0


def holidays_list(db: store.Store, year: int | None, out: TextIO) -> int:
    """Each year's schedule: official, entered by the office, or missing (deadlines provisional)."""
    from sqlalchemy import select

    from cases.storage.model import HolidayEntry
    from cases.timing.office_calendar import load_calendar  # not the clock, nor the handbook

    with db.session() as session:
        cal = load_calendar(session)
        days = {e.day for e in session.scalars(select(HolidayEntry))}
    return _print_holidays(cal, days, year, out)


def holidays_list_plain(connection: sqlite3.Connection, year: int | None, out: TextIO) -> int:
    """The same listing, read through sqlite3 from an up-to-date file (storage.plain_sqlite)."""
    from cases.timing.office_calendar import plain_calendar

    try:
        cal, entries = plain_calendar(connection)
    finally:
        connection.close()
    return _print_holidays(cal, {e.day for e in entries}, year, out)


def _print_holidays(
    cal: WorkCalendar, entry_days: set[dt.date], year: int | None, out: TextIO
) -> int:
    import datetime as dt

    from cases.timing import dates
    from cases.timing.calendar import DayKind

    this_year = dates.today().year
    years = (
        [year]
        if year is not None
        else sorted({this_year - 1, this_year, this_year + 1} | cal.office_years)
    )
    for y in years:
        source = (
            "本机关录入"
            if y in cal.office_years
            else ("国务院通知" if cal.has_schedule(y) else None)
        )
        if source is None:
            print(f"{y}年：尚未录入节假日安排，期限按周末计算并标为暂定", file=out)
            continue
        print(f"{y}年（{source}）：", file=out)
        day = dt.date(y, 1, 1)
        while day.year == y:
            kind = cal.kind(day)
            if kind in (DayKind.HOLIDAY, DayKind.WORKED_WEEKEND) or day in entry_days:
                label = "调休上班" if cal.is_workday(day) else "放假"
                name = cal.holiday_name(day) or ""
                mark = "（本机关）" if day in entry_days else ""
                print(f"  {day.isoformat()} {label} {name}{mark}".rstrip(), file=out)
            day += dt.timedelta(days=1)
    return 0


def holidays_import(db: store.Store, path: Path, out: TextIO, err: TextIO) -> int:
    """Replace the office's entries for each year in the file, then recompute open deadlines."""
    from cases.actions import holidays
    from cases.storage import store

    if not path.exists():
        raise UserError(f"找不到文件 {path}", "file")
    schedule = holidays.read_schedule(path.name, path.read_bytes())
    store.backup_sqlite(db)
    with db.transaction() as session:
        result = holidays.import_schedule(session, command_line_user(), schedule)
    print_warnings(result.warnings, err)
    years = "、".join(f"{y}年" for y in schedule.years)
    print(f"已录入 {years} 的节假日安排（{len(schedule.entries)} 天）", file=out)
    if not result.value.moved:
        print("未办结案件的期限均无变化", file=out)
    for c in result.value.moved:
        flag = (
            "（仍为暂定）" if c.new_provisional else "（不再是暂定）" if c.old_provisional else ""
        )
        print(f"  {c.case_no}：答复期限 {c.old_due} → {c.new_due}{flag}", file=out)
    return 0


def backups_list(db_target: str | None, out: TextIO) -> int:
    """The backups of the database in use (not of every database), newest first."""
    from cases.storage import restore as restoring
    from cases.storage import store

    live = restoring.live_database(db_target)
    found = store.list_backups(None, live.stem)
    if not found:
        print(f"{live.name} 还没有备份", file=out)
    for path in found:
        stamp = restoring.backup_stamp(path)
        count = restoring.case_count(path)
        when = f"{stamp:%Y-%m-%d %H:%M:%S}" if stamp else "时间不明"
        size = f"{count} 件案件" if count is not None else "无法读取"
        print(f"{when}  {size}  {path}", file=out)
    return 0


def restore(db_target: str | None, backup: Path, yes: bool, out: TextIO) -> int:
    """Check the backup, say what it holds and what it replaces, and restore on --yes."""
    from cases.storage import restore as restoring

    live = restoring.live_database(db_target)
    contents, replaced = restoring.plan(backup, live)
    print(f"备份：{contents.describe()}", file=out)
    print(f"将替换：{replaced.describe() if replaced else f'{live}（不存在或无法读取）'}", file=out)
    if not yes and not _confirmed(out):
        raise UserError("未恢复：确认恢复请加 --yes（恢复前会另存当前数据库）")
    done = restoring.restore(backup, live)
    print(f"已从 {backup} 恢复到 {live}", file=out)
    if done.kept:
        print(f"原文件保留为 {done.kept}", file=out)
    return 0


def _confirmed(out: TextIO) -> bool:
    if not sys.stdin.isatty():
        return False
    print("确认恢复？输入 y 确认：", end="", file=out, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes", "是")


# Beyond these a number is a typo, not a wish: refused before any work rather than overflowing.
MAX_DEMO_CASES = 10_000_000
MAX_LIMIT = 1_000


def demo(db: store.Store, n_cases: int, seed: int, out: TextIO, into_real: bool = False) -> int:
    from sqlalchemy import func, select

    from cases.sample import demo as demo_data
    from cases.storage import store
    from cases.storage.model import Case

    with db.session() as session:
        real = session.scalar(select(func.count(Case.id)).where(Case.demo.is_(False))) or 0
    if real and not into_real:
        raise UserError(
            f"该数据库已有 {real} 件真实案件，演示案件不写入办公用的数据库；"
            "请用 --db 指定另一个文件，或确需写入时加 --into-real-database",
            "db",
        )
    if not 0 < n_cases <= MAX_DEMO_CASES:
        raise UserError(f"--cases 应为 1 至 {MAX_DEMO_CASES} 之间的整数（收到 {n_cases}）")
    store.backup_sqlite(db)
    with db.transaction() as session:
        written = demo_data.generate(
            session, n_cases, seed=seed, progress=progress_printer("生成演示案件")
        )
    db.analyze()
    print(f"已生成 {written} 件演示案件", file=out)
    return 0


def letter(db: store.Store, case_no: str, kind: str, dest: Path, out: TextIO) -> int:
    """One letter of one case: the issued version in force, else a draft rendered now."""
    from cases.documents import letters

    _letter_suffix(dest)
    with db.session() as session:
        content = letters.render_letter(session, case_no, kind)
    return _write_letter(content, dest, out)


def letter_plain(
    connection: sqlite3.Connection, case_no: str, kind: str, dest: Path, out: TextIO
) -> int | None:
    """The same letter read through sqlite3 from an up-to-date file (storage.plain_sqlite).

    None, with nothing printed or written, when the file must be read the full way after all.
    """
    from cases.documents.letters.drafting import from_file

    try:
        _letter_suffix(dest)
        content = from_file(connection, case_no, kind)
    finally:
        connection.close()
    return None if content is None else _write_letter(content, dest, out)


def _letter_suffix(dest: Path) -> None:
    suffix = dest.suffix.lower()
    if suffix not in (".docx", ".pdf"):
        raise UserError(f"不认识的文件类型“{suffix}”：文书只能输出为 .docx 或 .pdf")


def _write_letter(content: bytes, dest: Path, out: TextIO) -> int:
    from cases.storage import paths

    is_pdf = dest.suffix.lower() == ".pdf"
    if is_pdf:
        from cases.documents import pdf  # LibreOffice's conversion: not for a .docx

        content = pdf.docx_to_pdf(content)
    partial = dest.with_name(dest.name + ".partial")
    partial.write_bytes(content)
    paths.private_file(partial)  # applicants' personal data: the user's eyes only
    partial.replace(dest)
    print(f"已生成 {dest}", file=out)
    if is_pdf:
        from cases.documents import pdf

        fonts = pdf.font_report(content).message()
        if fonts:
            print(f"注意：{fonts}", file=out)
    return 0


def report(db: store.Store, args: Any, out: TextIO) -> int:
    """The annual report as a file, the cases behind one cell, or the statistics."""
    from cases.documents import report as annual

    year: int = args.year
    body: str | None = getattr(args, "body", None)
    # The drill-down and the statistics write nothing: read without taking the write lock.
    reads = bool(args.cases or args.stats)
    with db.session() if reads else db.transaction() as session:
        if args.cases:
            path, column = annual.parse_cell(args.cases, args.column)
            for no in annual.cases_in_cell(session, year, path, column, body):
                print(no, file=out)
            return 0
        if args.out is None:
            raise UserError("请用 --out 指定输出文件（.json、.docx 或 .xlsx）", "out")
        if not args.stats and db.read_only and db.path is not None:
            raise UserError(read_only_database(db.path), "db")
        if args.stats:
            from cases.documents import stats  # the deadline clock too: not for the tables

            if args.out.suffix.lower() != ".json":
                raise UserError(STATS_AS_JSON, "out")
            write_json(args.out, stats.compute_stats(session, year))
        else:
            from cases.documents import report_export  # python-docx and openpyxl

            built = annual.build_report(session, year, body=body)
            report_export.publish(session, built, args.out)
            _print_warnings(built.warnings, out)
    print(f"已生成 {args.out}", file=out)
    return 0


STATS_AS_JSON = "统计数据只能输出为 .json"


def read_only_database(path: Path) -> str:
    """Why a report is not written from a read-only file: publishing keeps its snapshot there."""
    # Refused before the file is written: a report handed on whose snapshot was never kept would
    # leave next year's report nothing to check its carried-over cases against.
    return (
        f"数据库文件 {path} 是只读的，无法保存本次发布的年报（下一年度年报要与它核对），"
        "未生成年报文件；请改用可写入的数据库文件（--stats 统计数据不受影响）"
    )


def report_reads_plain(args: Any) -> bool:
    """Whether `report` may read an up-to-date SQLite file through sqlite3: the report or the
    statistics written to --out (the drill-down takes the full way)."""
    return args.out is not None and not args.cases


def report_plain(connection: sqlite3.Connection, args: Any, out: TextIO) -> int | None:
    """`report --out FILE` (and `--stats`) read through sqlite3 from an up-to-date file
    (storage.plain_sqlite): a writable connection for the report, which keeps its snapshot; a
    read-only one for the statistics, read without the write lock.

    None, with nothing printed and nothing kept in the database, when the file must be read the
    full way after all; --out may have been written by then (the snapshot is kept after it, as
    publish keeps it, and SQLite can refuse that write: a full disk), and the full way writes it
    again.
    """
    import sqlite3

    from cases.documents.report import from_file
    from cases.storage.plain_sqlite import begin_writer

    built = None
    try:
        if args.stats and args.out.suffix.lower() != ".json":
            raise UserError(STATS_AS_JSON, "out")
        if args.stats:  # they write nothing: one read, on the read-only connection main opens
            connection.execute("BEGIN")
        elif not begin_writer(connection):  # another desk is writing: the full way waits, says so
            return None
        try:
            if args.stats:
                from cases.documents import stats_figures, stats_file

                rows = stats_file.FileRows(connection)
                write_json(args.out, stats_figures.stats_from(rows, args.year))
            else:
                source = from_file.FileSource(connection, getattr(args, "body", None))
                built = from_file.build_from_file(source, args.year)
                from_file.publish_from_file(source, built, args.out)
            connection.execute("COMMIT")
        except (from_file.FullWay, sqlite3.Error):
            _roll_back(connection)
            return None
        except BaseException:
            _roll_back(connection)
            raise
    finally:
        connection.close()
    if built is not None:
        _print_warnings(built.warnings, out)
    print(f"已生成 {args.out}", file=out)
    return 0


def _roll_back(connection: sqlite3.Connection) -> None:
    # SQLite ends the transaction itself on some errors (a full disk): nothing is left to undo.
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _print_warnings(warnings: Sequence[Check], out: TextIO) -> None:
    for warning in warnings:
        print(f"注意：{warning.describe()}", file=out)


def write_json(path: Path, data: Any) -> None:
    import json

    from cases.storage import paths

    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths.private_file(partial)  # statistics only, but written like every export
    partial.replace(path)


def db_info(db: store.Store, out: TextIO) -> int:
    """Where this desk's data lives: the database, its schema version, size and cases."""
    from cases.storage import dbinfo

    for line in dbinfo.describe(db).lines():
        print(line, file=out)
    return 0


def db_copy(source: str, target: str, out: TextIO, err: TextIO) -> int:
    """Copy a whole database into an empty one (SQLite ↔ PostgreSQL), checked before commit."""
    from pathlib import Path

    from cases.storage import dbcopy, store
    from cases.storage.server import public_url

    source_at, target_at = store.resolve_target(source), store.resolve_target(target)
    if source_at.url == target_at.url:
        raise UserError("源数据库和目标数据库是同一个，未作任何改动")
    created = target_at.path is not None and not (
        target_at.path.exists() and target_at.path.stat().st_size
    )
    copied = False
    src = store.open_store(source, must_exist=True, upgrading=upgrade_notice(err))
    try:
        dst = store.open_store(target, upgrading=upgrade_notice(err))
        try:

            def show(table: str, done: int) -> None:
                if err.isatty():
                    print(f"\r复制 {table}：{done} 行    ", end="", file=err)

            report = dbcopy.copy_database(src, dst, show)
            copied = True
        finally:
            dst.close()
    except dbcopy.CopyMismatch as mismatch:
        for line in mismatch.report.lines():
            print(line, file=err)
        print("复制后核对不一致，已撤销，目标数据库未保留任何数据", file=err)
        return FAILURE
    finally:
        src.close()
        if created and not copied and target_at.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(target_at.path) + suffix).unlink(missing_ok=True)
    if err.isatty():
        print(file=err)
    where = str(target_at.path) if target_at.path else public_url(target_at.url)
    print(f"已将 {source_at.path or public_url(source_at.url)} 复制到 {where}：", file=out)
    for line in report.lines():
        print(line, file=out)
    return 0


def verify(db: store.Store, out: TextIO, err: TextIO) -> int:
    """Check the audit chain and the issued letters; exit 1 and name the first mismatch."""
    from cases.storage import verify as checks

    with db.session() as session:
        found = checks.verify(session)
    if found.ok:
        print(
            f"核验通过：{found.records} 条审计记录的哈希链完整，"
            f"{found.letters} 份已发文文书与发文时一致",
            file=out,
        )
        return 0
    for finding in found.findings:
        print(str(finding), file=err)
    print("核验未通过：数据库中的记录在写入后被改动过，请联系管理员并保留本文件", file=err)
    return FAILURE


def check(db: store.Store, case_no: str, on: dt.date | None, out: TextIO) -> int:
    """签发前检查 of one case, each finding with its basis and why; nothing is written."""
    from cases.actions import ActionRefused, load_case
    from cases.assist import checks

    with db.session() as session:
        try:
            case = load_case(session, case_no)
        except ActionRefused as exc:
            raise UserError(str(exc)) from exc
        report = checks.run_checks(session, case, on)
    for line in checks.describe(report):
        print(line, file=out)
    return 0


def similar_cases(db: store.Store, case_no: str, limit: int, out: TextIO) -> int:
    """The earlier cases most like this one, with their outcomes; and the repeats panel."""
    from cases.actions import ActionRefused, load_case

    if not 0 < limit <= MAX_LIMIT:
        raise UserError(f"--limit 应为 1 至 {MAX_LIMIT} 之间的整数（收到 {limit}）")
    from cases.assist import repeats, similar
    from cases.rules.workflow import handbook

    with db.session() as session:
        try:
            case = load_case(session, case_no)
        except ActionRefused as exc:
            raise UserError(str(exc)) from exc
        found = similar.similar_to_case(session, case, limit=limit)
        rep = repeats.find_repeats(session, case)
    print(f"与案件{case.no}相似的在先案件（{len(found)}件）：", file=out)
    for f in found:
        label = handbook().outcome(f.outcome_code).label if f.outcome_code else "办理中"
        print(f"{f.score:.0%}  {f.no}  {f.received.isoformat()}  {label}  {f.description}",
              file=out)  # fmt: skip
        if f.letters:
            print(f"      已发文书：{similar.letters_text(f)}", file=out)
        words = similar.wording(f)
        if words:
            print(f"      答复表述：{words}", file=out)
    for e in rep.earlier:
        print(f"同一申请人在先申请：{e.found.no}（{e.why}）", file=out)
    if rep.suggestion is not None:
        print(f"建议：{rep.suggestion.explanation}", file=out)
    print(rep.month.explanation, file=out)
    if rep.crowd_suggestion:
        print(f"建议主动公开：{rep.crowd_suggestion}", file=out)
    return 0


def review_file(db: store.Store, case_no: str, out_dir: Path, out: TextIO) -> int:
    """答复材料: the case's evidence as one .docx with a folder of the issued originals."""
    from cases.actions import ActionRefused, load_case
    from cases.assist import review_file as defence

    with db.session() as session:
        try:
            case = load_case(session, case_no)
        except ActionRefused as exc:
            raise UserError(str(exc)) from exc
        written = defence.write_review_file(session, case, out_dir)
    folder = out_dir / defence.ORIGINALS
    print(f"已生成 {written.docx}（原件 {len(written.originals)} 份，在 {folder}）", file=out)
    for deadline in written.deadlines:
        print(deadline.explanation(), file=out)
    return 0
