"""The Excel ledger (台账): the exchange format as an office keeps it, read and written as .xlsx."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.interchange import bulk, exchange, workbook
from cases.interchange.records import OPINIONS, Problem
from cases.rules import vocab
from cases.rules.handbook import load_handbook
from cases.storage import paths
from cases.timing import deadlines
from cases.timing.date_text import NotADate, parse_date

CASES, EVENTS, REVIEWS, CHOICES = "台账", "事件", "复议诉讼", "代码表"
HEADER_SEARCH = 5  # rows searched for the header line

# Cell kinds: how a cell is read, and how it is written.
TEXT, DATE, CHOICE, AMOUNT = "text", "date", "choice", "amount"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: float
    field: str = ""
    """The exchange-format path this column holds ("applicant.name"); empty for event columns."""
    choices: str = ""
    """For CHOICE columns: the name of the vocabulary in vocabularies()."""
    computed: bool = False
    """Written on export, ignored on import (the clock recomputes it)."""


CASE_COLUMNS = (
    Column("编号", TEXT, 14, "no"),
    Column("收到日期", DATE, 12, "received"),
    Column("渠道", CHOICE, 16, "channel", "渠道"),
    Column("申请人类型", CHOICE, 14, "applicant.type", "申请人类型"),
    Column("申请人", TEXT, 22, "applicant.name"),
    Column("证件类型", CHOICE, 16, "applicant.id_type", "证件类型"),
    Column("证件号码", TEXT, 21, "applicant.id_number"),
    Column("联系电话", TEXT, 15, "applicant.phone"),
    Column("通讯地址", TEXT, 30, "applicant.address"),
    Column("邮编", TEXT, 8, "applicant.postcode"),
    Column("电子邮箱", TEXT, 22, "applicant.email"),
    Column("代理人", TEXT, 12, "applicant.agent.name"),
    Column("代理人电话", TEXT, 15, "applicant.agent.phone"),
    Column("申请内容", TEXT, 48, "request.description"),
    Column("载体形式", CHOICE, 9, "request.form", "载体形式"),
    Column("获取方式", CHOICE, 10, "request.delivery", "获取方式"),
    Column("答复机关", TEXT, 16, "body"),
    Column("承办部门", TEXT, 20, "department"),
    Column("承办人", TEXT, 10, "handler"),
    Column("办理结果", CHOICE, 26, "outcome.code", "办理结果"),
    Column("办结日期", DATE, 12, "outcome.on"),
    Column("结果说明", TEXT, 30, "outcome.note"),
    # The letters' fields (issue 11): the reason codes of the handbook, the sentence written
    # into the letter, the 36(5) holder, and a voided case's date and reason.
    Column("结果理由代码", TEXT, 20, "outcome.reasons"),
    Column("写入文书的说明", TEXT, 30, "outcome.statement"),
    Column("负责公开的机关", TEXT, 22, "outcome.holder"),
    Column("该机关联系方式", TEXT, 16, "outcome.holder_contact"),
    Column("作废日期", DATE, 12, "voided.on"),
    Column("作废原因", TEXT, 20, "voided.reason"),
    Column("状态", TEXT, 9, "status", computed=True),
    Column("答复期限", DATE, 12, "due", computed=True),
    Column("期限暂定", TEXT, 9, "due_provisional", computed=True),
    Column("补正告知期限", DATE, 13, "correction_notice_due", computed=True),
    # 是 for a case the `demo` command made. Export only: the exchange format (.jsonl) carries
    # the mark back in; a ledger is read by people, and an office's own has no such column.
    Column("演示数据", TEXT, 9, "demo", computed=True),
)

EVENT_COLUMNS = (
    Column("编号", TEXT, 14),
    Column("类型", CHOICE, 12, choices="事件类型"),
    Column("告知日期", DATE, 12),
    Column("补正期限", DATE, 12),
    Column("补正收到日期", DATE, 13),
    Column("征求对象类型", CHOICE, 13, choices="征求对象类型"),
    Column("征求对象", TEXT, 24),
    Column("发函日期", DATE, 12),
    Column("回复日期", DATE, 12),
    Column("延期决定日期", DATE, 13),
    Column("批准人", TEXT, 12),
    Column("收费通知日期", DATE, 13),
    Column("收费方式", CHOICE, 9, choices="收费方式"),
    Column("金额", AMOUNT, 10),
    Column("缴费日期", DATE, 12),
    Column("延期至", DATE, 12),
    Column("理由", TEXT, 30),
    Column("补正事项", TEXT, 30),
    Column("意见", CHOICE, 12, choices="征求意见结果"),
    Column("意见内容", TEXT, 30),
    Column("决定公开的信息", TEXT, 30),
    Column("公开理由", TEXT, 30),
)

# Which 事件 column holds which key of each event kind; a filled column outside its kind's set is
# an error, as an unknown key is in the exchange format. 延期决定日期 serves both kinds of delay.
EVENT_FIELDS: dict[str, dict[str, str]] = {
    "correction": {
        "notice": "告知日期",
        "until": "补正期限",
        "received": "补正收到日期",
        "items": "补正事项",
    },
    "consultation": {
        "party": "征求对象类型",
        "to": "征求对象",
        "sent": "发函日期",
        "replied": "回复日期",
        "opinion": "意见",
        "note": "意见内容",
        "information": "决定公开的信息",
        "disclosure_reason": "公开理由",
    },
    "extension": {"on": "延期决定日期", "approved_by": "批准人"},
    "fee": {"notice": "收费通知日期", "method": "收费方式", "amount": "金额", "paid": "缴费日期"},
    "delay": {"on": "延期决定日期", "due": "延期至", "reason": "理由"},
}

REVIEW_COLUMNS = (
    Column("编号", TEXT, 14),
    Column("类型", CHOICE, 18, "kind", "复议诉讼类型"),
    Column("立案/起诉日期", DATE, 14, "filed"),
    Column("结果", CHOICE, 10, "result", "复议诉讼结果"),
    Column("审结日期", DATE, 12, "decided"),
)

IMPORTED_CASE_COLUMNS = tuple(c for c in CASE_COLUMNS if not c.computed)
CASE_HEADER = {c.field: c.header for c in CASE_COLUMNS}
CASE_HEADER["applicant.agent"] = "代理人"
CASE_HEADER["outcome"] = "办理结果"
REVIEW_HEADER = {c.field: c.header for c in REVIEW_COLUMNS if c.field}


def vocabularies() -> dict[str, dict[str, str]]:
    """Code → Chinese label for every CHOICE column, by list name (the hidden 代码表's headers).

    Outcome labels come from the handbook, so a new outcome appears in the ledger by itself.
    """
    return {
        "渠道": vocab.CHANNELS,
        "申请人类型": vocab.APPLICANT_TYPES,
        "证件类型": vocab.ID_TYPES,
        "载体形式": vocab.FORMS,
        "获取方式": vocab.DELIVERIES,
        "办理结果": {o.code: o.label for o in load_handbook().outcomes},
        "事件类型": vocab.EVENT_KINDS,
        "征求对象类型": vocab.CONSULTATION_PARTIES,
        "征求意见结果": OPINIONS,
        "收费方式": vocab.FEE_METHODS,
        "复议诉讼类型": vocab.REVIEW_KINDS,
        "复议诉讼结果": vocab.REVIEW_RESULTS,
    }


# --- reading -----------------------------------------------------------------------------------


@dataclass
class _CaseRows:
    """Where the parts of one case came from, so later problems can point at the right row."""

    events: list[tuple[int, str]] = field(default_factory=list)  # (事件 row, kind), dict order
    reviews: list[int] = field(default_factory=list)


@dataclass
class LedgerRows:
    rows: list[tuple[str, dict[str, Any]]]
    origins: dict[str, _CaseRows]
    problems: list[Problem]
    """Cells that could not be read; their values are None in `rows`."""


def is_own_ledger(path: Path) -> bool:
    """Whether the workbook is this program's ledger (a 台账 sheet headed with our columns).

    Anything else is another office's own workbook, read through cases.interchange.ledger_mapping.
    """
    try:
        with workbook.open_workbook(path) as book:
            if CASES not in book.sheetnames:
                return False
            rows = book.rows(CASES, max_row=HEADER_SEARCH)
            required = {c.header for c in CASE_COLUMNS if not c.computed}
            return any(required <= {str(v).strip() for v in row if v is not None} for row in rows)
    except Refused:
        return True  # let the ledger reader report what is wrong with the file, as before


def read_ledger(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every 台账 row as an exchange record; raises ImportRejected listing every bad cell."""
    ledger = _read(path)
    if ledger.problems:
        raise exchange.ImportRejected(ledger.problems)
    return ledger.rows


def import_ledger(
    session: Session, path: Path, actor: str, progress: exchange.Progress | None = None
) -> exchange.ImportResult:
    """Read and import in the caller's transaction; problems name the sheet, row and column."""
    with bulk.collector_paused():  # from the first row read to the last written
        checked = check_ledger(session, path)
        numbers = exchange.write_records(session, checked.records, actor, checked.cal, progress)
    return exchange.ImportResult(len(numbers), checked.warnings, numbers)


def check_ledger(session: Session, path: Path, *, keep_sheets: bool = False) -> exchange.Checked:
    """Read and validate every row; raises ImportRejected naming the sheet, row and column.

    Unreadable cells do not hide the other mistakes: the rows are still checked by the shared
    validation, and everything found is listed together, in sheet and row order. keep_sheets:
    the parsed sheets are kept for the import that follows a preview (workbook.load).
    """
    ledger = _read(path, keep_sheets=keep_sheets)
    try:
        if not ledger.problems:
            return exchange.check_rows(session, list(ledger.rows))
        exchange.validate(session, ledger.rows, deadlines.load_calendar(session))
        later: list[Problem] = []
    except exchange.ImportRejected as rejected:
        later = [locate(p, ledger.origins) for p in rejected.problems]
    # A cell already reported as unreadable was read as empty: its "必填" is no news.
    seen = {(p.where, p.field) for p in ledger.problems}
    fresh = [p for p in later if (p.where, p.field) not in seen]
    raise exchange.ImportRejected(sorted(ledger.problems + fresh, key=_position))


def _position(problem: Problem) -> tuple[int, int]:
    sheet, _, rest = problem.where.partition(" 第")
    order = {CASES: 0, EVENTS: 1, REVIEWS: 2}.get(sheet, -1)
    digits = re.match(r"\d+", rest)
    return (order, int(digits.group()) if digits else 0)


def _read(path: Path, *, keep_sheets: bool = False) -> LedgerRows:
    try:
        book = workbook.load(path, keep_read=keep_sheets)
    except Refused as exc:
        raise exchange.ImportRejected([Problem(path.name, "(文件)", exc.message)]) from exc
    except workbook.Unreadable as exc:
        raise exchange.ImportRejected(
            [Problem(path.name, "(文件)", f"无法作为 Excel 工作簿打开：{exc}")]
        ) from exc
    try:
        with bulk.collector_paused():
            return _Reader(book, path.name).read()
    finally:
        book.close()


class _Reader:
    """Turns the three sheets into exchange records, collecting every bad cell before stopping."""

    def __init__(self, book: workbook.Book, name: str) -> None:
        self.book = book
        self.name = name
        self.problems: list[Problem] = []
        self.vocabularies = vocabularies()
        self.codes: dict[str, dict[str, str | None]] = {}

    def read(self) -> LedgerRows:
        if CASES not in self.book.sheetnames:
            found = "、".join(self.book.sheetnames)
            raise exchange.ImportRejected(
                [
                    Problem(
                        self.name,
                        "(工作表)",
                        f"不是本程序的台账：缺少工作表“{CASES}”（文件中的工作表：{found}）",
                    )
                ]
            )
        records: list[tuple[str, dict[str, Any]]] = []
        by_number: dict[str, tuple[dict[str, Any], _CaseRows]] = {}
        origins: dict[str, _CaseRows] = {}
        for row_no, cells in self._rows(CASES, CASE_COLUMNS):
            where = f"{CASES} 第{row_no}行"
            record = self._case(where, cells)
            origins[where] = _CaseRows()
            records.append((where, record))
            if record["no"] is not None:
                # A repeated 编号 is reported by the shared validation; events go to the first.
                by_number.setdefault(record["no"].strip(), (record, origins[where]))
        for row_no, cells in self._rows(EVENTS, EVENT_COLUMNS):
            self._event(row_no, cells, by_number)
        for row_no, cells in self._rows(REVIEWS, REVIEW_COLUMNS):
            self._review(row_no, cells, by_number)
        return LedgerRows(records, origins, self.problems)

    def _rows(
        self, sheet: str, columns: tuple[Column, ...]
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Non-empty rows as {header: raw value}, columns found by name so they may be moved."""
        if sheet not in self.book.sheetnames:
            return  # only 台账 is required (checked first); no 事件 sheet means no events
        rows = enumerate(self.book.rows(sheet), start=1)
        header_no, header = 1, ()
        # Offices often put a title line above the column names: the header is the first row,
        # within the first few, that names the 编号 column.
        for row_no, values in rows:
            if row_no == 1:
                header = values
            if any(isinstance(v, str) and v.strip() == "编号" for v in values):
                header_no, header = row_no, values
                break
            if row_no >= HEADER_SEARCH:
                break
        positions = self._header(f"{sheet} 第{header_no}行", columns, header)
        for row_no, values in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            yield (
                row_no,
                {name: values[i] if i < len(values) else None for name, i in positions.items()},
            )

    def _header(
        self, where: str, columns: tuple[Column, ...], header: tuple[Any, ...]
    ) -> dict[str, int]:
        names = [str(h).strip() if h is not None else "" for h in header]
        known = {c.header for c in columns}
        positions: dict[str, int] = {}
        unknown: list[str] = []
        for i, name in enumerate(names):
            if not name:
                continue
            if name in positions:
                unknown.append(f"“{name}”（重复）")
            elif name in known:
                positions[name] = i
            else:
                unknown.append(f"“{name}”")
        # The computed columns may be left out: they are recomputed on import anyway.
        missing = [c.header for c in columns if c.header not in positions and not c.computed]
        if missing or unknown:
            parts = []
            if missing:
                parts.append("缺少列 " + "、".join(missing))
            if unknown:
                parts.append("不认识的列 " + "、".join(unknown))
            raise exchange.ImportRejected(
                [
                    Problem(
                        where,
                        "(表头)",
                        "；".join(parts) + "。表头应是本程序台账的列名（可先导出一份台账作为模板）",
                    )
                ]
            )
        return positions

    # --- one sheet row each -------------------------------------------------------------------

    def _case(self, where: str, cells: dict[str, Any]) -> dict[str, Any]:
        v: dict[str, Any] = {}
        for column in IMPORTED_CASE_COLUMNS:
            raw = cells.get(column.header)
            # Most cells of a ledger are empty: an empty cell of an optional column is None.
            v[column.field] = None if raw is None else self._value(where, column, raw)
        agent = None
        if v["applicant.agent.name"] is not None or v["applicant.agent.phone"] is not None:
            agent = {"name": v["applicant.agent.name"], "phone": v["applicant.agent.phone"]}
        outcome = None
        outcome_keys = ("code", "on", "note", "reasons", "statement", "holder", "holder_contact")
        if any(v[f"outcome.{k}"] is not None for k in outcome_keys):
            outcome = {k: v[f"outcome.{k}"] for k in outcome_keys}
            outcome["reasons"] = (outcome["reasons"] or "").split()
        voided = None
        if v["voided.on"] is not None or v["voided.reason"] is not None:
            voided = {"on": v["voided.on"], "reason": v["voided.reason"]}
        return {
            "no": v["no"],
            "received": v["received"],
            "channel": v["channel"],
            "applicant": {
                "type": v["applicant.type"],
                "name": v["applicant.name"],
                "id_type": v["applicant.id_type"],
                "id_number": v["applicant.id_number"],
                "phone": v["applicant.phone"],
                "address": v["applicant.address"],
                "postcode": v["applicant.postcode"],
                "email": v["applicant.email"],
                "agent": agent,
            },
            "request": {
                "description": v["request.description"],
                "form": v["request.form"],
                "delivery": v["request.delivery"],
            },
            "body": v["body"],
            "department": v["department"],
            "handler": v["handler"],
            "events": [],
            "outcome": outcome,
            "voided": voided,
            "reviews": [],
        }

    def _owner(
        self,
        where: str,
        cells: dict[str, Any],
        by_number: dict[str, tuple[dict[str, Any], _CaseRows]],
    ) -> tuple[dict[str, Any], _CaseRows] | None:
        number = _text(cells.get("编号"))
        if number is None:
            self._bad(where, "编号", "必填：填写该记录所属案件在台账中的编号")
            return None
        owner = by_number.get(number.strip())
        if owner is None:
            self._bad(where, "编号", f"编号 {number.strip()} 不在“{CASES}”工作表中")
        return owner

    def _event(
        self,
        row_no: int,
        cells: dict[str, Any],
        by_number: dict[str, tuple[dict[str, Any], _CaseRows]],
    ) -> None:
        where = f"{EVENTS} 第{row_no}行"
        owner = self._owner(where, cells, by_number)
        kind = self._value(where, EVENT_COLUMNS[1], cells.get("类型"), required=True)
        if kind is None:
            return
        key_of = {header: key for key, header in EVENT_FIELDS[kind].items()}
        event: dict[str, Any] = {"kind": kind}
        for column in EVENT_COLUMNS[2:]:
            raw = cells.get(column.header)
            value = None if raw is None else self._value(where, column, raw)
            if column.header in key_of:
                key = key_of[column.header]
                # One item a line in the cell, a list in the exchange format.
                event[key] = _lines(value) if key == "items" else value
            elif value is not None:
                label = vocab.EVENT_KINDS[kind]
                self._bad(where, column.header, f"类型为“{label}”的事件不填此列")
        if owner is not None:
            record, origin = owner
            record["events"].append(event)
            origin.events.append((row_no, kind))

    def _review(
        self,
        row_no: int,
        cells: dict[str, Any],
        by_number: dict[str, tuple[dict[str, Any], _CaseRows]],
    ) -> None:
        where = f"{REVIEWS} 第{row_no}行"
        owner = self._owner(where, cells, by_number)
        review = {
            c.field: self._value(where, c, cells.get(c.header)) for c in REVIEW_COLUMNS if c.field
        }
        if owner is not None:
            record, origin = owner
            record["reviews"].append(review)
            origin.reviews.append(row_no)

    # --- one cell -----------------------------------------------------------------------------

    def _bad(self, where: str, header: str, message: str) -> None:
        self.problems.append(Problem(where, header, message))

    def _value(self, where: str, column: Column, raw: Any, *, required: bool = False) -> Any:
        """The cell as the exchange format writes it; None (and a problem) when it cannot be."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self._bad(where, column.header, "必填，不能为空")
            return None
        if column.kind == DATE:
            return self._date(where, column.header, raw)
        if column.kind == CHOICE:
            return self._choice(where, column, raw)
        if column.kind == AMOUNT:
            # Numbers pass as numbers; text is checked by the shared validation (records._amount).
            return raw if isinstance(raw, int | float) and not isinstance(raw, bool) else str(raw)
        if isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw) >= 1e15:
            self._bad(
                where,
                column.header,
                "长号码以数字格式保存，Excel 只保留15位有效数字，末几位已丢失；"
                "请把该列设为文本格式后重新录入",
            )
            return None
        return _text(raw)

    def _date(self, where: str, header: str, raw: Any) -> str | None:
        try:
            return parse_date(raw).isoformat()
        except NotADate as exc:
            self._bad(where, header, str(exc))
            return None

    def _choice(self, where: str, column: Column, raw: Any) -> str | None:
        vocabulary = self.vocabularies[column.choices]
        # The same few labels fill a column ten thousand times: each is looked up once.
        known = self.codes.setdefault(column.choices, {})
        text = str(raw)
        if text not in known:
            known[text] = vocab.code_for_label(vocabulary, text)
        code = known[text]
        if code is None:
            options = "、".join(vocabulary.values())
            self._bad(where, column.header, f"“{raw}”不是可选的值；可选：{options}（也可填代码）")
        return code


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def _text(raw: Any) -> str | None:
    """Text as typed; numbers typed into text columns (phone, 邮编) become their digits."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    text = str(raw)
    return text if text.strip() else None


# --- saying where a shared-validation problem is, in ledger terms ------------------------------

_INDEXED = re.compile(r"^(events|reviews)\[(\d+)\](?:\.(\w+))?$")
_KIND_FIELD = re.compile(r"^(correction|consultation|extension|fee|delay)(?:\.(\w+))?$")


def locate(problem: Problem, origins: dict[str, _CaseRows]) -> Problem:
    """Turn an exchange-format path ("events[0].until") into the sheet, row and Chinese column."""
    origin = origins.get(problem.where)
    if origin is None:
        return problem
    name = problem.field
    indexed = _INDEXED.match(name)
    if indexed:
        part, index, key = indexed.group(1), int(indexed.group(2)), indexed.group(3)
        if part == "events" and index < len(origin.events):
            row, kind = origin.events[index]
            header = EVENT_FIELDS[kind].get(key or "", "类型")
            return Problem(f"{EVENTS} 第{row}行", header, problem.message)
        if part == "reviews" and index < len(origin.reviews):
            header = REVIEW_HEADER.get(key or "", "类型")
            return Problem(f"{REVIEWS} 第{origin.reviews[index]}行", header, problem.message)
        return problem
    by_kind = _KIND_FIELD.match(name)
    if by_kind:
        kind, key = by_kind.group(1), by_kind.group(2)
        rows = [row for row, k in origin.events if k == kind]
        if not rows:
            return problem
        header = EVENT_FIELDS[kind].get(key or "", "类型")
        return Problem(_rows_where(EVENTS, rows), header, problem.message)
    if name == "reviews" and origin.reviews:
        return Problem(_rows_where(REVIEWS, origin.reviews), "编号", problem.message)
    column = CASE_HEADER.get(name)
    return Problem(problem.where, column, problem.message) if column else problem


def _rows_where(sheet: str, rows: list[int]) -> str:
    return f"{sheet} 第{'、'.join(str(r) for r in rows)}行"


# --- writing -----------------------------------------------------------------------------------


def export_ledger(session: Session, path: Path, year: int | None = None) -> int:
    """Write the three sheets in one pass over the cases; the file appears only when complete."""
    cal = deadlines.load_calendar(session)
    labels = vocabularies()
    partial = path.with_name(path.name + ".partial")
    book = openpyxl.Workbook(write_only=True)
    writer = _Writer(book, labels)
    count = 0
    try:
        for case in exchange.iter_cases(session, year):
            writer.case(exchange.record_of(case, cal))
            count += 1
        writer.finish()
        book.save(partial)
        paths.private_file(partial)  # applicants' personal data: the user's eyes only
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return count


class _Writer:
    def __init__(self, book: Any, labels: dict[str, dict[str, str]]) -> None:
        self.labels = labels
        self.bold = Font(bold=True)
        self.cases = self._sheet(book, CASES, CASE_COLUMNS)
        self.events = self._sheet(book, EVENTS, EVENT_COLUMNS)
        self.reviews = self._sheet(book, REVIEWS, REVIEW_COLUMNS)
        self.choices = book.create_sheet(CHOICES)
        self.rows = {CASES: 1, EVENTS: 1, REVIEWS: 1}

    def _sheet(self, book: Any, title: str, columns: tuple[Column, ...]) -> Any:
        sheet = book.create_sheet(title)
        # Write-only sheets take widths and the frozen pane only before the first row.
        for i, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, column.header)
            cell.font = self.bold
            header.append(cell)
        sheet.append(header)
        return sheet

    def case(self, record: dict[str, Any]) -> None:
        flat = _flatten(record)
        flat["due_provisional"] = "是" if record["due_provisional"] else "否"
        flat["status"] = vocab.STATUSES.get(record["status"], record["status"])
        flat["demo"] = "是" if record["demo"] else None
        if record["outcome"] is not None:
            flat["outcome.reasons"] = " ".join(record["outcome"]["reasons"])
        self._append(
            self.cases, CASES, [self._cell(self.cases, c, flat.get(c.field)) for c in CASE_COLUMNS]
        )
        for event in record["events"]:
            fields = EVENT_FIELDS[event["kind"]]
            by_header = {
                header: "\n".join(event[key]) if key == "items" else event[key]
                for key, header in fields.items()
            }
            by_header["编号"] = record["no"]
            by_header["类型"] = event["kind"]
            self._append(
                self.events,
                EVENTS,
                [self._cell(self.events, c, by_header.get(c.header)) for c in EVENT_COLUMNS],
            )
        for review in record["reviews"]:
            values = dict(review, no=record["no"])
            self._append(
                self.reviews,
                REVIEWS,
                [self._cell(self.reviews, c, values[c.field or "no"]) for c in REVIEW_COLUMNS],
            )

    def _append(self, sheet: Any, title: str, cells: list[Any]) -> None:
        sheet.append(cells)
        self.rows[title] += 1

    def _cell(self, sheet: Any, column: Column, value: Any) -> Any:
        if value is None:
            return None
        if column.kind == DATE:
            cell = WriteOnlyCell(sheet, dt.date.fromisoformat(value))
            cell.number_format = "yyyy-mm-dd"
            return cell
        if column.kind == CHOICE:
            return self.labels[column.choices].get(value, value)
        if column.kind == AMOUNT:
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = "0.00"
            return cell
        return _safe_text(sheet, str(value))

    def finish(self) -> None:
        """Filters over the written rows, and drop-down lists fed by the hidden 代码表 sheet."""
        sheets = (
            (self.cases, CASES, CASE_COLUMNS),
            (self.events, EVENTS, EVENT_COLUMNS),
            (self.reviews, REVIEWS, REVIEW_COLUMNS),
        )
        names = list(self.labels)
        for sheet, title, columns in sheets:
            last = get_column_letter(len(columns))
            sheet.auto_filter.ref = f"A1:{last}{max(self.rows[title], 2)}"
            for i, column in enumerate(columns, start=1):
                if column.kind != CHOICE:
                    continue
                source = get_column_letter(names.index(column.choices) + 1)
                size = len(self.labels[column.choices])
                # No error box: the codes are accepted too, and the list is only a help.
                check = DataValidation(
                    type="list",
                    formula1=f"'{CHOICES}'!${source}$2:${source}${size + 1}",
                    showErrorMessage=False,
                )
                letter = get_column_letter(i)
                check.add(f"{letter}2:{letter}1048576")
                sheet.data_validations.append(check)
        self._choice_sheet(names)

    def _choice_sheet(self, names: list[str]) -> None:
        self.choices.sheet_state = "hidden"
        lists = [list(self.labels[n].values()) for n in names]
        self.choices.append(names)
        for i in range(max(len(values) for values in lists)):
            self.choices.append([values[i] if i < len(values) else None for values in lists])


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def _safe_text(sheet: Any, text: str) -> Any:
    """Text stays text: '=…' is not a formula, and XML-illegal control characters are dropped."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith("=") and len(text) > 1:
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"
        return cell
    return text
