"""Another office's ledger (台账): find its header row, map its columns, import through the mapping.

Offices keep their own workbooks: their own sheet names, a title line or two above the header,
their own words for each column (申请人姓名, 受理日期 …) and for each value (网上申请, 个人 …).
`detect_mapping` finds the header on any sheet and proposes a column → field mapping from the
words an office uses and from the mapping remembered at the last import; the window shows it for
the user to correct (`Mapping.with_column`, `Mapping.with_default`); `import_mapped` reads the
rows through it, checks them with the same validation as every import, skips cases already in
the database (by 申请编号, so a second import of the same ledger changes nothing) and remembers
the mapping for next time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.interchange import exchange, workbook
from cases.interchange.records import Problem
from cases.result import Changes, Notice, Result
from cases.rules import vocab
from cases.rules.handbook import load_handbook
from cases.storage import audit
from cases.storage.model import Applicant, Case, Setting
from cases.timing import deadlines
from cases.timing.date_text import NotADate, parse_date

SETTING_KEY = "ledger.mapping"
HEADER_SEARCH_ROWS = 30  # rows of each sheet searched for the header line
TEXT, DATE, CHOICE = "text", "date", "choice"


@dataclass(frozen=True)
class Target:
    """A field of a case that a ledger column can fill."""

    field: str  # exchange-format path
    label: str  # the name the window shows
    kind: str  # text | date | choice
    required: bool = False
    synonyms: tuple[str, ...] = ()  # header words offices use, compared after normalize()


TARGETS: tuple[Target, ...] = (
    Target("no", "申请编号", TEXT, False, ("编号", "申请编号", "案件编号", "受理编号", "登记编号",
                                       "申请号", "件号")),
    Target("received", "收到申请日期", DATE, True, ("收到日期", "收到申请日期", "申请日期",
                                               "受理日期", "登记日期", "收件日期", "收到时间",
                                               "申请时间", "收到申请之日")),
    Target("channel", "提交方式", CHOICE, True, ("渠道", "申请方式", "提交方式", "申请渠道",
                                             "收件方式", "申请途径", "提交渠道")),
    Target("applicant.type", "申请人类型", CHOICE, True, ("申请人类型", "申请人身份",
                                                     "申请人类别", "主体类型")),
    Target("applicant.name", "申请人", TEXT, True, ("申请人", "申请人姓名", "申请人名称",
                                                "申请人姓名名称", "姓名名称", "姓名",
                                                "申请人单位")),
    Target("applicant.id_type", "证件类型", CHOICE, False, ("证件类型", "证件名称")),
    Target("applicant.id_number", "证件号码", TEXT, False, ("证件号码", "证件号", "身份证号",
                                                       "身份证号码", "统一社会信用代码",
                                                       "身份证件号码")),
    Target("applicant.phone", "联系电话", TEXT, False, ("联系电话", "电话", "手机",
                                                    "联系方式", "手机号码", "电话号码")),
    Target("applicant.address", "通讯地址", TEXT, False, ("通讯地址", "地址", "联系地址",
                                                      "住址", "邮寄地址")),
    Target("applicant.postcode", "邮编", TEXT, False, ("邮编", "邮政编码")),
    Target("applicant.email", "电子邮箱", TEXT, False, ("电子邮箱", "邮箱", "电子邮件",
                                                    "email", "e-mail")),
    Target("applicant.agent.name", "代理人", TEXT, False, ("代理人", "委托代理人",
                                                       "代理人姓名")),
    Target("applicant.agent.phone", "代理人电话", TEXT, False, ("代理人电话",
                                                           "代理人联系电话")),
    Target("request.description", "申请内容", TEXT, True, ("申请内容", "申请公开内容",
                                                       "申请公开的内容", "申请公开的政府信息",
                                                       "所需信息", "所需政府信息",
                                                       "所需政府信息的内容描述", "内容描述",
                                                       "申请事项", "申请信息内容",
                                                       "申请公开信息")),
    Target("request.form", "载体形式", CHOICE, True, ("载体形式", "提供形式", "信息形式",
                                                  "获取形式")),
    Target("request.delivery", "获取方式", CHOICE, True, ("获取方式", "获取信息方式",
                                                      "获取信息的方式", "送达方式",
                                                      "提供方式")),
    Target("department", "承办部门", TEXT, False, ("承办部门", "承办单位", "办理部门",
                                                "责任部门", "承办科室")),
    Target("handler", "承办人", TEXT, False, ("承办人", "经办人", "办理人")),
    Target("outcome.code", "办理结果", CHOICE, False, ("办理结果", "答复结果", "处理结果",
                                                   "答复类型", "答复情况", "办理结果类型")),
    Target("outcome.on", "办结日期", DATE, False, ("办结日期", "答复日期", "办结时间",
                                               "答复时间")),
    # Not 备注 or 说明: offices keep remarks on open cases there too, which are no outcome; such a
    # column is reported as not imported, and the user may still map it here.
    Target("outcome.note", "结果说明", TEXT, False, ("结果说明", "答复内容", "答复说明",
                                                 "办理情况说明")),
)  # fmt: skip
TARGET = {t.field: t for t in TARGETS}
# Columns our own export writes that import recomputes: known, never reported as unmapped.
COMPUTED_HEADERS = frozenset({"状态", "答复期限", "期限暂定", "补正告知期限", "序号"})

# Value words of the vocabularies, first match wins; codes and the program's own labels are
# accepted before these are tried.
VALUE_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "channel": (
        ("当面", "in_person"), ("现场", "in_person"), ("窗口", "in_person"),
        ("挂号", "post_signed"), ("ems", "post_signed"), ("快递", "post_signed"),
        ("平信", "post_ordinary"), ("平常", "post_ordinary"), ("信函", "post_signed"),
        ("邮寄", "post_signed"), ("网上", "online"), ("网络", "online"), ("在线", "online"),
        ("网站", "online"), ("平台", "online"), ("政务网", "online"), ("电子邮件", "email"),
        ("邮箱", "email"), ("email", "email"), ("传真", "fax"),
    ),
    "applicant.type": (
        ("自然人", "natural_person"), ("个人", "natural_person"), ("公民", "natural_person"),
        ("企业", "enterprise"), ("公司", "enterprise"), ("科研", "research"),
        ("公益", "public_interest"), ("律师", "legal_service"), ("法律服务", "legal_service"),
        ("其他", "other_org"), ("组织", "other_org"),
    ),
    "applicant.id_type": (
        ("身份证", "resident_id"), ("信用代码", "uscc"), ("护照", "passport"), ("其他", "other"),
    ),
    "request.form": (("纸", "paper"), ("电子", "electronic")),
    "request.delivery": (
        ("邮寄", "post"), ("快递", "post"), ("电子邮件", "email"), ("邮箱", "email"),
        ("自行领取", "pickup"), ("领取", "pickup"), ("自取", "pickup"), ("当场", "on_site"),
        ("查阅", "on_site"), ("网上", "platform"), ("平台", "platform"),
    ),
    "outcome.code": (
        ("部分公开", "partial"), ("主动公开", "disclose_public"), ("予以公开", "disclose"),
        ("同意公开", "disclose"), ("不掌握", "unable_not_held"), ("不存在", "unable_not_held"),
        ("非本机关", "unable_not_ours"), ("撤回", "other_withdrawn"),
        ("重复申请", "reject_repeat"), ("信访", "reject_petition"),
    ),
}  # fmt: skip


def normalize(header: str) -> str:
    """Header text compared loosely: full-width to ASCII, no spaces, marks, brackets or case."""
    text = unicodedata.normalize("NFKC", header).lower()
    return re.sub(r"[\s*＊:：()（）\[\]【】/、·._\-]", "", text)


# --- the mapping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceColumn:
    """One column of the office's sheet and what it fills."""

    index: int  # 0-based position in the row
    header: str  # as written in the header row
    field: str | None  # the Target it fills; None: not imported
    how: str = ""  # "remembered" | "synonym" | "user" | "" (not mapped)


@dataclass(frozen=True)
class Mapping:
    """Where the header is and what each column fills; corrected by the user before import."""

    sheet: str
    header_row: int  # 1-based, as Excel numbers rows
    columns: tuple[SourceColumn, ...]
    defaults: dict[str, str] = field(default_factory=dict)
    """Values (codes) for fields that no column holds, chosen once for the whole file."""
    sheets: tuple[str, ...] = ()

    @property
    def fields(self) -> dict[str, SourceColumn]:
        return {c.field: c for c in self.columns if c.field is not None}

    @property
    def unmapped(self) -> tuple[str, ...]:
        """Headers of columns that will not be imported (shown to the user, and reported)."""
        return tuple(
            c.header
            for c in self.columns
            if c.field is None and c.header and normalize(c.header) not in _COMPUTED
        )

    @property
    def missing(self) -> tuple[str, ...]:
        """Required fields with neither a column nor a default: import refuses until filled."""
        have = set(self.fields) | set(self.defaults)
        return tuple(t.field for t in TARGETS if t.required and t.field not in have)

    def with_column(self, index: int, target: str | None) -> Mapping:
        """The user says column `index` fills `target` (None: not imported); one column each."""
        if target is not None and target not in TARGET:
            raise Refused("mapping", f"没有“{target}”这个字段")
        if not any(c.index == index for c in self.columns):
            raise Refused("mapping", f"第{index + 1}列不在表头中")
        columns = []
        for c in self.columns:
            if c.index == index:
                columns.append(replace(c, field=target, how="user" if target else ""))
            elif target is not None and c.field == target:
                columns.append(replace(c, field=None, how=""))
            else:
                columns.append(c)
        return replace(self, columns=tuple(columns))

    def with_default(self, target: str, code: str | None) -> Mapping:
        """A value for every row of a field the sheet does not hold (None removes it)."""
        known = TARGET.get(target)
        if known is None or known.kind != CHOICE:
            raise Refused("mapping", f"“{target}”不能设默认值（只有可选字段可以）")
        defaults = dict(self.defaults)
        if code is None:
            defaults.pop(target, None)
        else:
            allowed = choices(target)
            if code not in allowed:
                options = "、".join(f"{k}（{v}）" for k, v in allowed.items())
                raise Refused(target, f"“{code}”不是允许的值；可选：{options}")
            defaults[target] = code
        return replace(self, defaults=defaults)

    def describe(self) -> list[str]:
        """One line per column, in Chinese: what the window shows and the command line prints."""
        lines = []
        for c in self.columns:
            if c.field is not None:
                lines.append(f"第{c.index + 1}列“{c.header}” → {TARGET[c.field].label}")
            elif c.header and normalize(c.header) not in _COMPUTED:
                lines.append(f"第{c.index + 1}列“{c.header}” → （不导入）")
        for name, code in self.defaults.items():
            lines.append(f"{TARGET[name].label}：全部为“{choices(name).get(code, code)}”")
        return lines


_COMPUTED = frozenset(normalize(h) for h in COMPUTED_HEADERS)


def choices(target: str) -> dict[str, str]:
    """Code → label of a CHOICE target."""
    if target == "outcome.code":
        return {o.code: o.label for o in load_handbook().outcomes}
    return {
        "channel": vocab.CHANNELS,
        "applicant.type": vocab.APPLICANT_TYPES,
        "applicant.id_type": vocab.ID_TYPES,
        "request.form": vocab.FORMS,
        "request.delivery": vocab.DELIVERIES,
    }[target]


# --- remembering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Remembered:
    columns: dict[str, str]  # normalized header → field ("" for "not imported")
    defaults: dict[str, str]


def remembered(session: Session) -> Remembered:
    row = session.get(Setting, SETTING_KEY)
    if row is None:
        return Remembered({}, {})
    try:
        data = json.loads(row.value)
        columns = {str(k): str(v) for k, v in data.get("columns", {}).items()}
        defaults = {str(k): str(v) for k, v in data.get("defaults", {}).items()}
    except (ValueError, AttributeError):
        return Remembered({}, {})  # an unreadable memory is simply forgotten
    return Remembered(
        {k: v for k, v in columns.items() if v == "" or v in TARGET},
        {k: v for k, v in defaults.items() if k in TARGET},
    )


def remember(session: Session, mapping: Mapping, actor: str) -> None:
    """Keep the user's mapping for the next import, merged into what was remembered before."""
    before = remembered(session)
    columns = dict(before.columns)
    for c in mapping.columns:
        if c.header:
            columns[normalize(c.header)] = c.field or ""
    value = json.dumps(
        {"columns": columns, "defaults": {**before.defaults, **mapping.defaults}},
        ensure_ascii=False,
        sort_keys=True,
    )
    row = session.get(Setting, SETTING_KEY)
    old = row.value if row is not None else None
    if old == value:
        return
    if row is None:
        session.add(Setting(key=SETTING_KEY, value=value))
    else:
        row.value = value
    audit.record(session, None, actor, "ledger_mapping", {SETTING_KEY: (old, value)})


# --- finding the header ------------------------------------------------------------------------


def _match(header: str, memory: Remembered) -> tuple[str | None, str]:
    key = normalize(header)
    if not key:
        return None, ""
    if key in memory.columns:
        target = memory.columns[key] or None
        return target, "remembered" if target else ""
    for t in TARGETS:
        if key == normalize(t.label) or key in (normalize(s) for s in t.synonyms):
            return t.field, "synonym"
    return None, ""


def _score(values: tuple[Any, ...], memory: Remembered) -> int:
    return sum(1 for v in values if isinstance(v, str) and _match(v, memory)[0] is not None)


def _map_row(
    sheet: str, row_no: int, values: tuple[Any, ...], memory: Remembered, sheets: tuple[str, ...]
) -> Mapping:
    columns: list[SourceColumn] = []
    taken: set[str] = set()
    for i, value in enumerate(values):
        header = str(value).strip() if value is not None else ""
        target, how = _match(header, memory)
        if target in taken:  # two columns for one field: the first keeps it, the user decides
            target, how = None, ""
        if target is not None:
            taken.add(target)
        columns.append(SourceColumn(i, header, target, how))
    while columns and not columns[-1].header:
        columns.pop()
    defaults = {k: v for k, v in memory.defaults.items() if k not in taken}
    return Mapping(sheet, row_no, tuple(columns), defaults, sheets)


def detect_mapping(
    path: Path,
    session: Session | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> Mapping:
    """The header row of the ledger (on any sheet, or the one named) and a proposed mapping.

    The row that names the most known columns within the first rows of a sheet is the header;
    `sheet` and `header_row` let the user point at another. The remembered mapping (session)
    wins over the built-in words.
    """
    memory = remembered(session) if session is not None else Remembered({}, {})
    with workbook.open_workbook(path) as book:
        names = tuple(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise Refused("sheet", f"工作簿中没有工作表“{sheet}”（有：{'、'.join(names)}）")
        best: tuple[int, str, int, tuple[Any, ...]] | None = None
        for name in [sheet] if sheet is not None else list(names):
            for row_no, values in enumerate(
                book.rows(name, max_row=header_row or HEADER_SEARCH_ROWS), start=1
            ):
                if header_row is not None and row_no != header_row:
                    if row_no > header_row:
                        break
                    continue
                score = _score(values, memory)
                if best is None or score > best[0]:
                    best = (score, name, row_no, values)
                if row_no >= HEADER_SEARCH_ROWS:
                    break
    if best is None or (best[0] < 2 and header_row is None):
        raise Refused(
            "(表头)",
            f"{path.name}：在各工作表的前{HEADER_SEARCH_ROWS}行中找不到表头"
            "（应有“申请人”“申请日期”“申请内容”等列名）",
        )
    _, name, row_no, values = best
    return _map_row(name, row_no, values, memory, names)


# --- reading through the mapping ---------------------------------------------------------------


def _cell_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(" ")
    text = str(raw).strip()
    return text or None


def read_choice(target: str, raw: str) -> str | None:
    """The code for a value as an office writes it: code, our label, or one of its words."""
    allowed = choices(target)
    code = vocab.code_for_label(allowed, raw)
    if code is not None:
        return code
    text = normalize(raw)
    for code, label in allowed.items():
        if normalize(label) == text:
            return code
    for word, code in VALUE_WORDS.get(target, ()):
        if normalize(word) in text:
            return code
    return None


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = record
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


class _Rows:
    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.problems: list[Problem] = []

    def where(self, row_no: int) -> str:
        return f"{self.mapping.sheet} 第{row_no}行"

    def record(self, row_no: int, values: tuple[Any, ...]) -> dict[str, Any]:
        record: dict[str, Any] = {"applicant": {}, "request": {}}
        for name, code in self.mapping.defaults.items():
            _set(record, name, code)
        for c in self.mapping.columns:
            if c.field is None:
                continue
            raw = values[c.index] if c.index < len(values) else None
            value = self._value(row_no, c, raw)
            if value is not None or c.field not in self.mapping.defaults:
                _set(record, c.field, value)
        agent = record["applicant"].get("agent")
        if agent is not None and agent.get("name") is None and agent.get("phone") is None:
            record["applicant"]["agent"] = None
        outcome = record.get("outcome")
        if outcome is not None and all(v is None for v in outcome.values()):
            record["outcome"] = None
        return record

    def _value(self, row_no: int, column: SourceColumn, raw: Any) -> Any:
        target = TARGET[column.field or ""]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if target.kind == DATE:
            try:
                return parse_date(raw).isoformat()
            except NotADate as exc:
                self.problems.append(Problem(self.where(row_no), column.header, str(exc)))
                return None
        if target.kind == CHOICE:
            text = _cell_text(raw) or ""
            code = read_choice(target.field, text)
            if code is None:
                options = "、".join(choices(target.field).values())
                self.problems.append(
                    Problem(
                        self.where(row_no),
                        column.header,
                        f"“{text}”不能对应到{target.label}；可选：{options}",
                    )
                )
            return code
        if isinstance(raw, int | float) and not isinstance(raw, bool) and abs(raw) >= 1e15:
            self.problems.append(
                Problem(
                    self.where(row_no),
                    column.header,
                    "长号码以数字格式保存，Excel 只保留15位有效数字，末几位已丢失；"
                    "请把该列设为文本格式后重新录入",
                )
            )
            return None
        return _cell_text(raw)


Rows = list[tuple[str, dict[str, Any]]]


def read_mapped(
    path: Path, mapping: Mapping, *, keep_sheets: bool = False
) -> tuple[Rows, list[Problem]]:
    """Every non-empty row below the header as an exchange record, and the unreadable cells.

    keep_sheets: the parsed sheet is kept for the import that follows a preview."""
    reader = _Rows(mapping)
    rows: Rows = []
    with workbook.open_workbook(path, keep_read=keep_sheets) as book:
        if mapping.sheet not in book.sheetnames:
            raise Refused("sheet", f"工作簿中没有工作表“{mapping.sheet}”")
        for row_no, values in enumerate(book.rows(mapping.sheet), start=1):
            if row_no <= mapping.header_row:
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((reader.where(row_no), reader.record(row_no, values)))
    return rows, reader.problems


# --- importing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedImport:
    """What an import through a mapping did."""

    written: int
    skipped: int  # rows already in the database (by 申请编号, else by applicant, date and text)
    numbers: tuple[str, ...]
    mapping: Mapping


def _already_stored(session: Session, rows: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """The `where` of rows whose case is in the database already."""
    numbers = {r["no"].strip(): w for w, r in rows if isinstance(r.get("no"), str)}
    found: set[str] = set()
    listed = list(numbers)
    for start in range(0, len(listed), 500):
        chunk = listed[start : start + 500]
        for no in session.scalars(select(Case.no).where(Case.no.in_(chunk))):
            found.add(numbers[no])
    # Without a 申请编号, the same applicant, day and text is the same application.
    for where, record in rows:
        if isinstance(record.get("no"), str):
            continue
        name = record.get("applicant", {}).get("name")
        text = record.get("request", {}).get("description")
        received = record.get("received")
        if not (isinstance(name, str) and isinstance(text, str) and isinstance(received, str)):
            continue
        try:
            day = dt.date.fromisoformat(received)
        except ValueError:
            continue
        stmt = (
            select(Case.id)
            .join(Applicant, Case.applicant_id == Applicant.id)
            .where(
                Case.received == day,
                Applicant.name == name.strip(),
                Case.description == text.strip(),
            )
            .limit(1)
        )
        if session.scalar(stmt) is not None:
            found.add(where)
    return found


def _field_header(mapping: Mapping) -> dict[str, str]:
    return {c.field: c.header for c in mapping.columns if c.field is not None}


def _locate(problem: Problem, headers: dict[str, str]) -> Problem:
    """An exchange path ("applicant.name") said as the office's own column header."""
    header = headers.get(problem.field)
    if header is None and problem.field in TARGET:
        header = TARGET[problem.field].label
    return Problem(problem.where, header, problem.message) if header else problem


@dataclass(frozen=True)
class MappedCheck:
    """A workbook read through a mapping and validated: the rows to write and what to say."""

    checked: exchange.Checked
    stored: frozenset[str]  # the rows already in the database, skipped
    headers: dict[str, str]


def import_mapped(
    session: Session,
    path: Path,
    actor: str,
    mapping: Mapping,
    progress: exchange.Progress | None = None,
) -> Result[MappedImport]:
    """Import every row through `mapping` in the caller's transaction; all or nothing."""
    found = check_mapped(session, path, mapping)
    checked = found.checked
    numbers = (
        exchange.write_records(session, checked.records, actor, checked.cal, progress)
        if checked.records
        else []
    )
    return finish_mapped(session, found, numbers, mapping, actor)


def check_mapped(
    session: Session, path: Path, mapping: Mapping, *, keep_sheets: bool = False
) -> MappedCheck:
    """Read and validate every row through `mapping`; nothing is written.

    Raises ImportRejected listing every problem with its sheet, row and the office's own column
    header; a required field without a column or default is refused before any row is read.
    keep_sheets: a preview's, whose import reads the sheet it parsed (workbook.load).
    """
    if mapping.missing:
        labels = "、".join(TARGET[f].label for f in mapping.missing)
        raise exchange.ImportRejected(
            [
                Problem(
                    f"{mapping.sheet} 第{mapping.header_row}行",
                    "(表头)",
                    f"没有对应的列：{labels}；请在对应关系中指定一列，或为整个文件选一个值",
                )
            ]
        )
    rows, unreadable = read_mapped(path, mapping, keep_sheets=keep_sheets)
    headers = _field_header(mapping)
    stored = _already_stored(session, rows)
    fresh = [(w, r) for w, r in rows if w not in stored]
    bad_cells = {(p.where, p.field) for p in unreadable}
    problems = list(unreadable)
    cal = deadlines.load_calendar(session)
    try:
        if fresh:
            records, warned = exchange.validate(session, fresh, cal)
        else:
            records, warned = [], []
    except exchange.ImportRejected as rejected:
        later = [_locate(p, headers) for p in rejected.problems]
        problems += [p for p in later if (p.where, p.field) not in bad_cells]
        records, warned = [], []
    if problems:
        raise exchange.ImportRejected(problems)
    return MappedCheck(exchange.Checked(records, warned, cal), frozenset(stored), headers)


def finish_warnings(found: MappedCheck, mapping: Mapping) -> list[Notice]:
    """What the import says beside its count: row warnings, columns left out, rows skipped."""
    warnings = [Notice(p.field, str(_locate(p, found.headers))) for p in found.checked.warnings]
    if mapping.unmapped:
        warnings.append(
            Notice("(表头)", "以下列未导入：" + "、".join(f"“{h}”" for h in mapping.unmapped))
        )
    if found.stored:
        warnings.append(Notice("no", f"{len(found.stored)} 件案件已在数据库中，未重复导入"))
    return warnings


def finish_mapped(
    session: Session, found: MappedCheck, numbers: list[str], mapping: Mapping, actor: str
) -> Result[MappedImport]:
    """After the rows are written: remember the mapping, and say what was skipped or left out."""
    remember(session, mapping, actor)
    warnings = finish_warnings(found, mapping)
    summary = MappedImport(len(numbers), len(found.stored), tuple(numbers), mapping)
    return Result(summary, Changes(case_list=bool(numbers)), tuple(warnings))


def iter_targets(kind: str | None = None) -> Iterator[Target]:
    """The fields a column can be mapped to (for the window's drop-down), optionally by kind."""
    return (t for t in TARGETS if kind is None or t.kind == kind)
