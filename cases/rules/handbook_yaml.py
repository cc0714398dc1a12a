"""Reading the handbook's YAML files into the typed Handbook, naming the file and line of a fault.

Apart from cases.rules.handbook, which defines the types and hands out the handbook in force:
a process whose handbook is already parsed (cases.rules.handbook_cache) loads no YAML at all.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources.abc import Traversable
from typing import NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cases.rules.handbook import (
    ACTIONS,
    CLOCK_CITATIONS,
    CLOSING_ACTIONS,
    CODE_ROLES,
    CODE_STEPS,
    FILES,
    GUIDANCE_DIR,
    LETTER_KINDS,
    LETTER_WORK,
    OUTCOME_CODES,
    PERIODS,
    RULE_CITATIONS,
    TITLE_KINDS,
    ChecklistItem,
    Citation,
    FeeSchedule,
    Handbook,
    HandbookError,
    Law,
    Outcome,
    ReasonChoice,
    Remedies,
    ReportCheck,
    ReportColumn,
    ReportRow,
    ReviewColumn,
    Role,
    Step,
    Table2Block,
    Term,
)

_ID = re.compile(r"[a-z][a-z0-9_]*")
_STEP_ID_MAX = 20  # cases.step is String(20)
_CJK = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]"
# A folded or multi-line YAML scalar joins its lines with a space; between two Chinese
# characters that space is never intended, so it is reported rather than printed in a letter.
_CJK_GAP = re.compile(f"{_CJK}[ \t]+{_CJK}")


def parse(root: Traversable, display: str, base: str | None) -> Handbook:
    """Read and validate the handbook files under root; display and base name them in errors."""
    docs = {name: _Doc.read(root, name, display, base) for name in FILES}
    action_labels, letter_labels = _vocabulary(docs["vocabulary.yaml"])
    roles = _roles(docs["roles.yaml"])
    laws = _laws(docs["laws.yaml"])
    table3, review_columns = _report(docs["report_rows.yaml"])
    table2_row_header, table2 = _table2(docs["report_rows.yaml"], laws)
    steps, letter_roles = _steps(
        docs["steps.yaml"], {r.id for r in roles}, laws, root, display, base
    )
    outcomes = _outcomes(docs["outcomes.yaml"], laws, table3)
    terms, clock_citations = _terms(docs["periods.yaml"], laws)
    rule_citations = _rule_citations(docs["citations.yaml"], laws)
    remedies = _remedies(docs["remedies.yaml"])
    fees = _fees(docs["fees.yaml"], laws)
    return Handbook(
        roles=roles,
        steps=steps,
        outcomes=outcomes,
        report_rows=table3.rows,
        report_columns=table3.columns,
        report_note=table3.note,
        report_checks=table3.checks,
        review_columns=review_columns,
        laws=tuple(laws.values()),
        action_labels=action_labels,
        letter_labels=letter_labels,
        terms=terms,
        fees=fees,
        clock_citations=clock_citations,
        rule_citations=rule_citations,
        remedies=remedies,
        table2=table2,
        table2_row_header=table2_row_header,
        letter_roles=letter_roles,
    )


# --------------------------------------------------------------------------- YAML with line numbers


@dataclass
class _Doc:
    """One YAML file composed to nodes, so that every value keeps its line."""

    file: str
    path: str | None
    root: Node

    @classmethod
    def read(cls, folder: Traversable, name: str, display: str, base: str | None) -> _Doc:
        file = f"{display}/{name}"
        path = f"{base}/{name}" if base is not None else None
        text = _read_text(folder.joinpath(name), file, path)
        try:
            node = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            raise HandbookError(file, line, f"YAML 格式错误：{_yaml_problem(exc)}", path) from None
        except yaml.YAMLError as exc:
            raise HandbookError(file, None, f"YAML 格式错误：{exc}", path) from None
        if node is None:
            raise HandbookError(file, None, "文件是空的", path)
        return cls(file, path, node)

    def peek(self, node: Node, key: str, default: str) -> str:
        """The text under `key` before validation, to name an entry in its own errors."""
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == key and isinstance(v, ScalarNode):
                    return f"{default} '{v.value}' "
        return default

    def fail(self, node: Node | None, problem: str) -> NoReturn:
        line = node.start_mark.line + 1 if node is not None and node.start_mark else None
        raise HandbookError(self.file, line, problem, self.path)

    # ---- shapes

    def mapping(
        self, node: Node, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> _Map:
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what}应当是“键: 值”的映射")
        required = tuple(required)
        allowed = set(required) | set(optional)
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar_text(key_node, f"{what}的键")
            if key in entries:
                self.fail(key_node, f"{what}中的键 '{key}' 重复")
            if key not in allowed:
                known = "、".join(sorted(allowed))
                self.fail(key_node, f"{what}中有未知的键 '{key}'（可用的键：{known}）")
            entries[key] = (key_node, value_node)
        for key in required:
            if key not in entries:
                self.fail(node, f"{what}缺少必填的键 '{key}'")
        return _Map(self, node, entries)

    def sequence(self, node: Node, what: str, *, nonempty: bool = False) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{what}应当是列表")
        items: list[Node] = list(node.value)
        if nonempty and not items:
            self.fail(node, f"{what}不能为空")
        return items

    def scalar_text(self, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.fail(node, f"{what}应当是文字")
        value: str = node.value
        return value

    def text(self, node: Node, what: str) -> str:
        """Non-empty single-line text, with no stray space between Chinese characters."""
        value = self.scalar_text(node, what).strip()
        if not value:
            self.fail(node, f"{what}不能为空")
        if "\n" in value:
            self.fail(node, f"{what}不能换行")
        if _CJK_GAP.search(value):
            self.fail(
                node,
                f"{what}中两个汉字之间有空格（多行写法会在换行处插入空格，请写成一行）：{value}",
            )
        return value

    def ident(self, node: Node, what: str) -> str:
        value = self.scalar_text(node, what)
        if not _ID.fullmatch(value):
            self.fail(node, f"{what} '{value}' 应当由小写英文字母、数字和下划线组成")
        return value

    def integer(self, node: Node, what: str) -> int:
        if (
            not isinstance(node, ScalarNode)
            or node.tag != "tag:yaml.org,2002:int"
            or not str(node.value).isdigit()
            or int(node.value) <= 0
        ):
            self.fail(node, f"{what}应当是正整数")
        return int(node.value)

    def boolean(self, node: Node, what: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            self.fail(node, f"{what}应当是 true 或 false")
        return str(node.value).lower() in ("true", "yes", "on")

    def ident_list(
        self, node: Node, what: str, *, nonempty: bool = False
    ) -> list[tuple[str, Node]]:
        seen: set[str] = set()
        out: list[tuple[str, Node]] = []
        for item in self.sequence(node, what, nonempty=nonempty):
            value = self.ident(item, what)
            if value in seen:
                self.fail(item, f"{what}中的 '{value}' 重复")
            seen.add(value)
            out.append((value, item))
        return out

    def label_path(self, node: Node, what: str) -> tuple[str, ...]:
        return tuple(self.text(n, what) for n in self.sequence(node, what, nonempty=True))

    def citation(self, node: Node, what: str, laws: dict[str, Law]) -> Citation:
        m = self.mapping(node, what, ("law",), ("article", "paragraph", "item"))
        law_id = self.text(m.req("law"), f"{what}的 law")
        if law_id not in laws:
            self.fail(m.req("law"), f"法律文件 '{law_id}' 不存在（见 laws.yaml）")
        article = m.opt_int("article", f"{what}的条")
        paragraph = m.opt_int("paragraph", f"{what}的款")
        item = m.opt_int("item", f"{what}的项")
        if article is None and (paragraph is not None or item is not None):
            self.fail(node, f"{what}写了款或项，却没有写条（article）")
        return Citation(laws[law_id], article, paragraph, item)

    def citations(self, node: Node, what: str, laws: dict[str, Law]) -> tuple[Citation, ...]:
        return tuple(self.citation(n, what, laws) for n in self.sequence(node, what))

    def must_mention(self, node: Node, sentence: str, cited: Sequence[Citation], what: str) -> None:
        """A sentence that cites something must name it, so the letter never cites silently."""
        for citation in cited:
            needed = citation.article_text or citation.law.title
            if needed not in sentence:
                self.fail(node, f"{what}没有写出所引用的 {citation.text}（应含“{needed}”）")
        for law in {c.law.id: c.law for c in cited}.values():
            if law.title not in sentence:
                self.fail(node, f"{what}没有写出法律文件名称 {law.title}")


@dataclass
class _Map:
    doc: _Doc
    node: MappingNode
    entries: dict[str, tuple[Node, Node]]

    def req(self, key: str) -> Node:
        return self.entries[key][1]

    def opt(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry is not None else None

    def key_node(self, key: str) -> Node:
        return self.entries[key][0]

    def text(self, key: str, what: str) -> str:
        return self.doc.text(self.req(key), what)

    def opt_int(self, key: str, what: str) -> int | None:
        node = self.opt(key)
        return None if node is None else self.doc.integer(node, what)

    def opt_bool(self, key: str, what: str) -> bool:
        node = self.opt(key)
        return False if node is None else self.doc.boolean(node, what)


# libyaml is ten times faster and keeps the same marks; the pure-Python parser is the fallback.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)

# The parser's problems most often met when editing by hand, said in Chinese (original kept).
_YAML_PROBLEMS = (
    (
        "mapping values are not allowed",
        "这里不能出现“: ”（文字中有英文冒号加空格时，改用中文冒号“：”，或者给整段文字加引号）",
    ),
    (
        "cannot start any token",
        "有不能出现在这里的字符（常见原因：用了制表符 Tab 缩进，请改用空格）",
    ),
    ("expected <block end>", "缩进没有对齐"),
    ("did not find expected key", "缩进没有对齐，或者少了“键:”"),
    ("could not find expected ':'", "少了“:”，或者缩进没有对齐"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合，或者少了逗号"),
    ("expected ',' or '}'", "花括号 { } 没有闭合，或者少了逗号"),
    ("unexpected end of stream", "文件意外结束（引号或括号没有闭合）"),
)


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    original = "；".join(p for p in (exc.problem, exc.context) if p) or str(exc)
    for marker, chinese in _YAML_PROBLEMS:
        if marker in original:
            return f"{chinese}（{original}）"
    return original


def _read_text(entry: Traversable, file: str, path: str | None) -> str:
    if not entry.is_file():
        raise HandbookError(file, None, "文件不存在", path)
    try:
        return entry.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HandbookError(file, None, "不是 UTF-8 编码的文字文件", path) from None


def _unique(doc: _Doc, seen: dict[str, Node], value: str, node: Node, what: str) -> None:
    if value in seen:
        first = seen[value].start_mark.line + 1
        doc.fail(node, f"{what} '{value}' 重复（第{first}行已经定义）")
    seen[value] = node


# --------------------------------------------------------------------------- the files


def _vocabulary(doc: _Doc) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    top = doc.mapping(doc.root, "vocabulary.yaml", ("actions", "letters"))

    def labels(key: str, fixed: frozenset[str], what: str) -> tuple[tuple[str, str], ...]:
        m = doc.mapping(top.req(key), what, (), fixed)
        missing = sorted(fixed - set(m.entries))
        if missing:
            doc.fail(m.node, f"{what}缺少 {'、'.join(missing)} 的名称")
        return tuple((k, m.text(k, f"{what} '{k}' 的名称")) for k in m.entries)

    return (
        labels("actions", ACTIONS, "操作名称（actions）"),
        labels("letters", LETTER_KINDS, "文书种类名称（letters）"),
    )


def _roles(doc: _Doc) -> tuple[Role, ...]:
    top = doc.mapping(doc.root, "roles.yaml", ("roles",))
    seen: dict[str, Node] = {}
    roles: list[Role] = []
    for node in doc.sequence(top.req("roles"), "roles", nonempty=True):
        m = doc.mapping(node, doc.peek(node, "id", "角色"), ("id", "name", "description"))
        role_id = doc.ident(m.req("id"), "角色编号")
        _unique(doc, seen, role_id, m.req("id"), "角色编号")
        roles.append(Role(role_id, m.text("name", "角色名称"), m.text("description", "角色说明")))
    _check_known(doc, top.key_node("roles"), seen, CODE_ROLES, "角色")
    return tuple(roles)


def _amount(doc: _Doc, node: Node, what: str) -> int:
    """A whole number of 元 or pages, zero allowed."""
    if (
        not isinstance(node, ScalarNode)
        or node.tag != "tag:yaml.org,2002:int"
        or not str(node.value).isdigit()
    ):
        doc.fail(node, f"{what}应当是零或正整数")
    return int(node.value)


def _fees(doc: _Doc, laws: dict[str, Law]) -> FeeSchedule:
    top = doc.mapping(doc.root, "fees.yaml", ("basis", "per_item", "per_page"))
    basis = doc.citations(top.req("basis"), "收费依据", laws)
    if not basis:
        doc.fail(top.req("basis"), "收费依据不能为空")
    keys = ("free", "first_band_end", "first_rate", "band_size", "step")
    item = doc.mapping(top.req("per_item"), "per_item", keys)
    free, end, rate, size, step = (_amount(doc, item.req(k), f"per_item 的 {k}") for k in keys)
    if end <= free:
        doc.fail(item.req("first_band_end"), "first_band_end 应大于 free")
    if size == 0:
        doc.fail(item.req("band_size"), "band_size 应为正整数")
    bands: list[tuple[int, int | None, Decimal]] = []
    expected = 1
    nodes = doc.sequence(top.req("per_page"), "per_page", nonempty=True)
    for n, node in enumerate(nodes):
        band = doc.mapping(node, "按量计收的一段", ("first", "rate"), ("last",))
        first = _amount(doc, band.req("first"), "first")
        if first != expected:
            doc.fail(band.req("first"), f"这一段应从第{expected}页开始，各段须首尾相接")
        last_node = band.opt("last")
        last = _amount(doc, last_node, "last") if last_node is not None else None
        if last is None and n != len(nodes) - 1:
            doc.fail(node, "只有最后一段可以不写 last")
        if last is not None and n == len(nodes) - 1:
            doc.fail(last_node, "最后一段不写 last：页数再多也按这一段计收")
        if last is not None and last < first:
            doc.fail(last_node, "last 不能小于 first")
        bands.append((first, last, Decimal(_amount(doc, band.req("rate"), "rate"))))
        expected = (last or 0) + 1
    return FeeSchedule(basis, free, end, Decimal(rate), size, Decimal(step), tuple(bands))


def _terms(
    doc: _Doc, laws: dict[str, Law]
) -> tuple[tuple[Term, ...], tuple[tuple[str, tuple[Citation, ...]], ...]]:
    top = doc.mapping(doc.root, "periods.yaml", ("periods", "citations"))
    seen: dict[str, Node] = {}
    terms: list[Term] = []
    for node in doc.sequence(top.req("periods"), "periods", nonempty=True):
        m = doc.mapping(
            node, doc.peek(node, "id", "期限"), ("id", "name", "days", "basis"),
            ("decision", "calendar"),
        )  # fmt: skip
        term_id = doc.ident(m.req("id"), "期限编号")
        _unique(doc, seen, term_id, m.req("id"), "期限编号")
        what = f"期限 '{term_id}' 的"
        basis = doc.citations(m.req("basis"), f"{what}依据", laws)
        decision_node = m.opt("decision")
        decision = doc.text(decision_node, f"{what}决定") if decision_node is not None else ""
        if not basis and not decision:
            doc.fail(m.req("basis"), f"{what}依据为空时须写明本产品的决定（decision）")
        days = m.req("days")
        calendar_node = m.opt("calendar")
        calendar = calendar_node is not None and doc.boolean(calendar_node, f"{what}按自然日计算")
        terms.append(
            Term(
                term_id, m.text("name", "期限名称"), doc.integer(days, "天数"), basis, decision,
                calendar,
            )
        )  # fmt: skip
    _check_known(doc, top.key_node("periods"), seen, frozenset(PERIODS), "期限")
    citations = _citation_list(doc, top, laws, CLOCK_CITATIONS)
    return tuple(terms), citations


def _rule_citations(
    doc: _Doc, laws: dict[str, Law]
) -> tuple[tuple[str, tuple[Citation, ...]], ...]:
    top = doc.mapping(doc.root, "citations.yaml", ("citations",))
    return _citation_list(doc, top, laws, RULE_CITATIONS)


def _citation_list(
    doc: _Doc, top: _Map, laws: dict[str, Law], known: tuple[str, ...]
) -> tuple[tuple[str, tuple[Citation, ...]], ...]:
    """A `citations:` list of {id, basis}, its ids exactly those code names in `known`."""
    rules: dict[str, Node] = {}
    citations: list[tuple[str, tuple[Citation, ...]]] = []
    for node in doc.sequence(top.req("citations"), "citations", nonempty=True):
        m = doc.mapping(node, doc.peek(node, "id", "依据"), ("id", "basis"))
        rule = doc.ident(m.req("id"), "依据编号")
        _unique(doc, rules, rule, m.req("id"), "依据编号")
        basis = doc.citations(m.req("basis"), f"依据 '{rule}'", laws)
        if not basis:
            doc.fail(m.req("basis"), f"依据 '{rule}' 不能为空")
        citations.append((rule, basis))
    _check_known(doc, top.key_node("citations"), rules, frozenset(known), "依据")
    return tuple(citations)


def _remedies(doc: _Doc) -> Remedies:
    top = doc.mapping(doc.root, "remedies.yaml", ("wording",))
    kinds = ("refusal", "other", "partial")
    wording = doc.mapping(top.req("wording"), "救济途径的默认文字", kinds)
    return Remedies(*(wording.text(kind, f"救济途径（{kind}）") for kind in kinds))


def _laws(doc: _Doc) -> dict[str, Law]:
    top = doc.mapping(doc.root, "laws.yaml", ("laws",))
    seen: dict[str, Node] = {}
    laws: dict[str, Law] = {}
    for node in doc.sequence(top.req("laws"), "laws", nonempty=True):
        m = doc.mapping(node, "法律文件", ("id", "title", "short"), ("document_no",))
        law_id = m.text("id", "法律文件编号")
        _unique(doc, seen, law_id, m.req("id"), "法律文件编号")
        title = m.text("title", "法律文件标题")
        if not (title.startswith("《") and title.endswith("》")):
            doc.fail(m.req("title"), f"法律文件标题应当带书名号：{title}")
        number = m.opt("document_no")
        laws[law_id] = Law(
            law_id,
            title,
            m.text("short", "法律文件简称"),
            doc.text(number, "文号") if number is not None else None,
        )
    return laws


@dataclass
class _Table3:
    doc: _Doc
    note: str
    columns: tuple[ReportColumn, ...]
    rows: tuple[ReportRow, ...]
    checks: tuple[ReportCheck, ...]
    nodes: dict[tuple[str, ...], Node]


def _report(doc: _Doc) -> tuple[_Table3, tuple[ReviewColumn, ...]]:
    top = doc.mapping(doc.root, "report_rows.yaml", ("table3", "table4", "table2"))
    t3 = doc.mapping(top.req("table3"), "表三（table3）", ("note", "columns", "rows", "checks"))

    columns: list[ReportColumn] = []
    seen: dict[str, Node] = {}
    for node in doc.sequence(t3.req("columns"), "表三的栏目", nonempty=True):
        m = doc.mapping(node, "表三的栏目", ("id", "label"), ("group", "total"))
        column_id = doc.ident(m.req("id"), "栏目编号")
        _unique(doc, seen, column_id, m.req("id"), "栏目编号")
        group = m.opt("group")
        columns.append(
            ReportColumn(
                column_id,
                m.text("label", "栏目名称"),
                doc.text(group, "栏目分组") if group is not None else None,
                m.opt_bool("total", "total"),
            )
        )

    # Rows are written nested; flattened depth-first they give the report's order.
    rows: list[ReportRow] = []
    nodes: dict[tuple[str, ...], Node] = {}
    pending_sums: list[tuple[int, list[tuple[tuple[str, ...], Node]]]] = []

    def walk(seq: Node, parent: tuple[str, ...]) -> None:
        for node in doc.sequence(seq, "表三的行", nonempty=True):
            m = doc.mapping(node, "表三的行", ("label",), ("heading", "sum_of", "rows"))
            path = (*parent, m.text("label", "行的标签"))
            if path in nodes:
                first = nodes[path].start_mark.line + 1
                doc.fail(m.req("label"), f"表三的行 {' / '.join(path)} 重复（第{first}行已经定义）")
            nodes[path] = m.req("label")
            heading = m.opt_bool("heading", "heading")
            sum_node = m.opt("sum_of")
            children = m.opt("rows")
            if heading and sum_node is not None:
                doc.fail(node, "一行不能既是标题行（heading）又是合计行（sum_of）")
            if children is not None and not heading and sum_node is None:
                doc.fail(node, "有下级行的行必须是标题行（heading: true）或合计行（sum_of）")
            if heading and children is None:
                doc.fail(node, "标题行（heading: true）必须有下级行（rows）")
            index = len(rows)
            rows.append(ReportRow(path, (), heading))
            child_start = len(rows)
            if children is not None:
                walk(children, path)
            if sum_node is None:
                continue
            if isinstance(sum_node, ScalarNode) and sum_node.value == "children":
                if children is None:
                    doc.fail(sum_node, "sum_of: children 要求这一行有下级行（rows）")
                direct = [
                    (r.path, nodes[r.path])
                    for r in rows[child_start:]
                    if len(r.path) == len(path) + 1
                ]
                pending_sums.append((index, direct))
            else:
                items = doc.sequence(sum_node, "sum_of（children 或行的路径列表）", nonempty=True)
                pending_sums.append(
                    (index, [(doc.label_path(n, "sum_of 中的路径"), n) for n in items])
                )

    walk(t3.req("rows"), ())

    for index, parts in pending_sums:
        row = rows[index]
        for part, node in parts:
            if part not in nodes:
                doc.fail(node, f"合计行引用的行 {' / '.join(part)} 不存在")
            if part == row.path:
                doc.fail(node, f"合计行 {' / '.join(part)} 不能包含自身")
            if rows[_index_of(rows, part)].heading:
                doc.fail(node, f"合计行不能引用标题行 {' / '.join(part)}")
        rows[index] = ReportRow(row.path, tuple(p for p, _ in parts), False)
    _check_sum_cycles(doc, rows, nodes)

    checks: list[ReportCheck] = []
    seen = {}
    for node in doc.sequence(t3.req("checks"), "表三的勾稽关系"):
        m = doc.mapping(node, "勾稽关系", ("id", "text", "left", "right"))
        check_id = doc.ident(m.req("id"), "勾稽关系编号")
        _unique(doc, seen, check_id, m.req("id"), "勾稽关系编号")
        sides: list[tuple[tuple[str, ...], ...]] = []
        for side in ("left", "right"):
            paths = []
            for n in doc.sequence(m.req(side), f"勾稽关系的 {side}", nonempty=True):
                path = doc.label_path(n, f"勾稽关系的 {side}")
                if path not in nodes:
                    doc.fail(n, f"勾稽关系引用的行 {' / '.join(path)} 不存在")
                paths.append(path)
            sides.append(tuple(paths))
        checks.append(ReportCheck(check_id, m.text("text", "勾稽关系说明"), sides[0], sides[1]))

    table3 = _Table3(
        doc=doc,
        note=t3.text("note", "表三的说明"),
        columns=tuple(columns),
        rows=tuple(rows),
        checks=tuple(checks),
        nodes=nodes,
    )
    return table3, _table4(doc, top.req("table4"))


def _table2(doc: _Doc, laws: dict[str, Law]) -> tuple[str, tuple[Table2Block, ...]]:
    top = doc.mapping(doc.root, "report_rows.yaml", ("table3", "table4", "table2"))
    t2 = doc.mapping(top.req("table2"), "表二（table2）", ("row_header", "blocks"))
    blocks: list[Table2Block] = []
    titles: dict[str, Node] = {}
    for node in doc.sequence(t2.req("blocks"), "表二的块", nonempty=True):
        m = doc.mapping(node, "表二的块", ("basis", "rows", "columns"), ("money",))
        basis = doc.citation(m.req("basis"), "表二的块的依据", laws)
        if basis.article is None:
            doc.fail(m.req("basis"), "表二的块须写明条（article），标题由它写出")
        title = basis.article_text
        _unique(doc, titles, title, m.req("basis"), "表二的块")
        rows = tuple(
            doc.text(n, "表二的行") for n in doc.sequence(m.req("rows"), "表二的行", nonempty=True)
        )
        columns = tuple(
            doc.text(n, "表二的栏目")
            for n in doc.sequence(m.req("columns"), "表二的栏目", nonempty=True)
        )
        blocks.append(Table2Block(title, rows, columns, m.opt_bool("money", "money")))
    return t2.text("row_header", "表二的行标题"), tuple(blocks)


def _index_of(rows: list[ReportRow], path: tuple[str, ...]) -> int:
    return next(i for i, r in enumerate(rows) if r.path == path)


def _check_sum_cycles(doc: _Doc, rows: list[ReportRow], nodes: dict[tuple[str, ...], Node]) -> None:
    sums = {r.path: r.sum_of for r in rows if r.sum_of}
    done: set[tuple[str, ...]] = set()

    def visit(path: tuple[str, ...], trail: tuple[tuple[str, ...], ...]) -> None:
        if path in trail:
            doc.fail(
                nodes[path], f"合计关系循环：{' → '.join('/'.join(p) for p in (*trail, path))}"
            )
        if path in done:
            return
        for part in sums.get(path, ()):
            visit(part, (*trail, path))
        done.add(path)

    for path in sums:
        visit(path, ())


def _table4(doc: _Doc, node: Node) -> tuple[ReviewColumn, ...]:
    t4 = doc.mapping(node, "表四（table4）", ("groups", "results"))
    groups: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[str, Node] = {}
    for item in doc.sequence(t4.req("groups"), "表四的分组", nonempty=True):
        m = doc.mapping(item, "表四的分组", ("kind", "path"))
        kind = doc.ident(m.req("kind"), "分组类别")
        _unique(doc, seen, kind, m.req("kind"), "分组类别")
        groups.append((kind, doc.label_path(m.req("path"), "分组的路径")))
    results: list[tuple[str, str]] = []
    seen = {}
    for item in doc.sequence(t4.req("results"), "表四的结果", nonempty=True):
        m = doc.mapping(item, "表四的结果", ("id", "label"))
        result = doc.ident(m.req("id"), "结果编号")
        _unique(doc, seen, result, m.req("id"), "结果编号")
        results.append((result, m.text("label", "结果名称")))
    return tuple(
        ReviewColumn(kind, result, (*path, label))
        for kind, path in groups
        for result, label in results
    )


_STEP_KEYS = ("id", "name", "purpose", "roles", "actions", "letters", "next", "basis", "checklist")


def _steps(
    doc: _Doc,
    role_ids: set[str],
    laws: dict[str, Law],
    root: Traversable,
    display: str,
    base: str | None,
) -> tuple[tuple[Step, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    top = doc.mapping(doc.root, "steps.yaml", ("steps", "letter_roles"))
    seen: dict[str, Node] = {}
    steps: list[Step] = []
    id_nodes: dict[str, Node] = {}
    next_nodes: list[tuple[str, str, Node]] = []
    for node in doc.sequence(top.req("steps"), "steps", nonempty=True):
        m = doc.mapping(node, doc.peek(node, "id", "步骤"), _STEP_KEYS, ("action_roles", "via"))
        step_id = doc.ident(m.req("id"), "步骤编号")
        if len(step_id) > _STEP_ID_MAX:
            doc.fail(m.req("id"), f"步骤编号 '{step_id}' 超过 {_STEP_ID_MAX} 个字符")
        _unique(doc, seen, step_id, m.req("id"), "步骤编号")
        id_nodes[step_id] = m.req("id")
        what = f"步骤 '{step_id}' 的"

        roles = doc.ident_list(m.req("roles"), f"{what} roles", nonempty=True)
        for role, role_node in roles:
            if role not in role_ids:
                doc.fail(role_node, f"角色 '{role}' 不存在")
        actions = doc.ident_list(m.req("actions"), f"{what} actions", nonempty=True)
        for action, action_node in actions:
            if action not in ACTIONS:
                doc.fail(action_node, f"操作 '{action}' 不存在")
        letters = doc.ident_list(m.req("letters"), f"{what} letters")
        for kind, kind_node in letters:
            if kind not in LETTER_KINDS:
                doc.fail(kind_node, f"文书种类 '{kind}' 不存在")
        next_ids: list[str] = []
        for target, target_node in doc.ident_list(m.req("next"), f"{what} next"):
            next_nodes.append((step_id, target, target_node))
            next_ids.append(target)
        via: list[tuple[str, str]] = []
        via_node = m.opt("via")
        if via_node is not None:
            vm = doc.mapping(via_node, f"{what} via", (), next_ids)
            for target in vm.entries:
                gate = doc.ident(vm.req(target), f"转到 '{target}' 的操作")
                if gate not in {a for a, _ in actions}:
                    doc.fail(vm.req(target), f"操作 '{gate}' 不在本步骤的 actions 中")
                via.append((target, gate))

        # `roles` work the step and take every action by default; `action_roles` names
        # other roles for single actions (only a reviewer or an admin voids a case).
        step_roles = tuple(r for r, _ in roles)
        action_ids = tuple(a for a, _ in actions)
        overrides: dict[str, tuple[str, ...]] = {}
        ar_node = m.opt("action_roles")
        if ar_node is not None:
            ar = doc.mapping(ar_node, f"{what} action_roles", (), ACTIONS)
            for action in ar.entries:
                if action not in action_ids:
                    doc.fail(ar.key_node(action), f"操作 '{action}' 不在本步骤的 actions 中")
                allowed = doc.ident_list(ar.req(action), f"操作 '{action}' 的角色", nonempty=True)
                for role, role_node in allowed:
                    if role not in role_ids:
                        doc.fail(role_node, f"角色 '{role}' 不存在")
                overrides[action] = tuple(r for r, _ in allowed)
        action_roles = tuple((a, overrides.get(a, step_roles)) for a in action_ids)

        checklist: list[ChecklistItem] = []
        item_ids: dict[str, Node] = {}
        for item in doc.sequence(m.req("checklist"), f"{what}核对清单", nonempty=True):
            im = doc.mapping(item, "核对清单项", ("id", "text"))
            item_id = doc.ident(im.req("id"), "核对清单项编号")
            _unique(doc, item_ids, item_id, im.req("id"), "核对清单项编号")
            checklist.append(ChecklistItem(item_id, im.text("text", "核对清单项")))

        basis = doc.citations(m.req("basis"), f"{what}依据", laws)
        if not basis:
            doc.fail(m.req("basis"), f"{what}依据不能为空")

        guidance_name = f"{GUIDANCE_DIR}/{step_id}.md"
        guidance_entry = root.joinpath(GUIDANCE_DIR).joinpath(f"{step_id}.md")
        if not guidance_entry.is_file():
            doc.fail(m.req("id"), f"步骤 '{step_id}' 的办事指引 {guidance_name} 不存在")
        guidance_path = f"{base}/{guidance_name}" if base is not None else None
        guidance = _read_text(guidance_entry, f"{display}/{guidance_name}", guidance_path)
        if not guidance.strip():
            raise HandbookError(f"{display}/{guidance_name}", None, "办事指引是空的", guidance_path)

        steps.append(
            Step(
                id=step_id,
                name=m.text("name", f"{what}名称"),
                purpose=m.text("purpose", f"{what}目的"),
                checklist=tuple(checklist),
                basis=basis,
                guidance_md=guidance,
                actions=action_ids,
                letters=tuple(k for k, _ in letters),
                roles=step_roles,
                next_steps=(),
                action_roles=action_roles,
                via=tuple(via),
            )
        )

    _check_known(doc, top.key_node("steps"), id_nodes, CODE_STEPS, "步骤")
    nexts: dict[str, list[str]] = {s.id: [] for s in steps}
    for source, target, target_node in next_nodes:
        if target not in nexts:
            doc.fail(target_node, f"下一步骤 '{target}' 不存在")
        if target == source:
            doc.fail(target_node, f"步骤 '{source}' 不能转到自身")
        nexts[source].append(target)
    steps = [dataclasses.replace(s, next_steps=tuple(nexts[s.id])) for s in steps]

    _check_graph(doc, steps, id_nodes)
    _check_guidance_folder(root, display, base, {s.id for s in steps})
    for action in sorted(ACTIONS - {a for s in steps for a in s.actions}):
        doc.fail(top.key_node("steps"), f"没有任何步骤允许操作 '{action}'")
    for kind in sorted(LETTER_KINDS - {k for s in steps for k in s.letters}):
        doc.fail(top.key_node("steps"), f"没有任何步骤产生文书 '{kind}'")
    lr = doc.mapping(top.req("letter_roles"), "letter_roles", LETTER_WORK)
    letter_roles: list[tuple[str, tuple[str, ...]]] = []
    for work in LETTER_WORK:
        allowed = doc.ident_list(lr.req(work), f"letter_roles 的 {work}", nonempty=True)
        for role, role_node in allowed:
            if role not in role_ids:
                doc.fail(role_node, f"角色 '{role}' 不存在")
        letter_roles.append((work, tuple(r for r, _ in allowed)))
    return tuple(steps), tuple(letter_roles)


def _check_known(
    doc: _Doc, list_key: Node, id_nodes: dict[str, Node], known: frozenset[str], what: str
) -> None:
    """The ids code names are all there and no other: a rename is reported at its line."""
    for name, node in id_nodes.items():
        if name not in known:
            expected = "、".join(sorted(known - set(id_nodes))) or "、".join(sorted(known))
            doc.fail(
                node,
                f"{what}编号 '{name}' 不是程序使用的{what}；{what}编号由程序固定，不能改名"
                f"（应为：{expected}）",
            )
    for name in sorted(known - set(id_nodes)):
        doc.fail(list_key, f"缺少程序使用的{what} '{name}'")


def _check_graph(doc: _Doc, steps: list[Step], id_nodes: dict[str, Node]) -> None:
    """Every step is reachable from the first, and every step can reach an end."""
    links = {s.id: s.next_steps for s in steps}
    first = steps[0].id
    reached = {first}
    frontier = [first]
    while frontier:
        for target in links[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    for step in steps:
        if step.id not in reached:
            doc.fail(id_nodes[step.id], f"步骤 '{step.id}' 无法从第一个步骤 '{first}' 到达")
    finishing = {s.id for s in steps if not s.next_steps}
    if not finishing:
        doc.fail(id_nodes[steps[-1].id], "没有结束步骤（next 为空的步骤），案件无法办结")
    changed = True
    while changed:
        changed = False
        for step in steps:
            if step.id not in finishing and any(t in finishing for t in step.next_steps):
                finishing.add(step.id)
                changed = True
    for step in steps:
        if step.id not in finishing:
            doc.fail(id_nodes[step.id], f"步骤 '{step.id}' 走不到结束步骤")


def _check_guidance_folder(
    root: Traversable, display: str, base: str | None, ids: set[str]
) -> None:
    folder = root.joinpath(GUIDANCE_DIR)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md") and entry.name[:-3] not in ids:
            name = f"{GUIDANCE_DIR}/{entry.name}"
            raise HandbookError(
                f"{display}/{name}",
                None,
                f"没有编号为 '{entry.name[:-3]}' 的步骤，这份办事指引不会被使用",
                f"{base}/{name}" if base is not None else None,
            )


_OUTCOME_KEYS = (
    "code",
    "label",
    "meaning",
    "citations",
    "citation_sentence",
    "report",
    "title",
    "refusal",
    "reasons",
)


def _closed_by(doc: _Doc, node: Node | None, closers: dict[str, Node], what: str) -> str | None:
    if node is None:
        return None
    action = doc.ident(node, f"{what} closed_by")
    if action not in CLOSING_ACTIONS:
        doc.fail(node, f"操作 '{action}' 不能直接办结案件（可用：{'、'.join(CLOSING_ACTIONS)}）")
    _unique(doc, closers, action, node, "closed_by")
    return action


def _outcomes(doc: _Doc, laws: dict[str, Law], table3: _Table3) -> tuple[Outcome, ...]:
    top = doc.mapping(doc.root, "outcomes.yaml", ("outcomes",))
    rows = {r.path: r for r in table3.rows}
    seen: dict[str, Node] = {}
    labels: dict[str, Node] = {}
    closers: dict[str, Node] = {}
    outcomes: list[Outcome] = []
    for node in doc.sequence(top.req("outcomes"), "outcomes", nonempty=True):
        m = doc.mapping(node, doc.peek(node, "code", "办理结果"), _OUTCOME_KEYS, ("closed_by",))
        code = doc.ident(m.req("code"), "办理结果代码")
        if code not in OUTCOME_CODES:
            doc.fail(m.req("code"), f"办理结果代码 '{code}' 不在程序的固定清单中")
        _unique(doc, seen, code, m.req("code"), "办理结果代码")
        what = f"办理结果 '{code}' 的"
        label = m.text("label", f"{what}名称")
        _unique(doc, labels, label, m.req("label"), "办理结果名称")

        citations = doc.citations(m.req("citations"), f"{what}依据", laws)
        sentence = m.text("citation_sentence", f"{what}依据句")
        doc.must_mention(m.req("citation_sentence"), sentence, citations, f"{what}依据句")

        report_path = doc.label_path(m.req("report"), f"{what}年报行")
        row = rows.get(report_path)
        if row is None:
            doc.fail(
                m.req("report"), f"{what}年报行 {' / '.join(report_path)} 不在 report_rows.yaml 中"
            )
        if not row.counts_outcomes:
            doc.fail(
                m.req("report"),
                f"{what}年报行 {' / '.join(report_path)} 是标题行或合计行，不能直接计入",
            )

        title = m.text("title", f"{what}文书标题")
        if title not in TITLE_KINDS:
            doc.fail(m.req("title"), f"{what}文书标题应当是 {' 或 '.join(sorted(TITLE_KINDS))}")

        reasons: list[ReasonChoice] = []
        reason_ids: dict[str, Node] = {}
        for item in doc.sequence(m.req("reasons"), f"{what}理由", nonempty=True):
            rm = doc.mapping(item, f"{what}理由", ("id", "text"), ("citations",))
            reason_id = doc.ident(rm.req("id"), "理由编号")
            _unique(doc, reason_ids, reason_id, rm.req("id"), "理由编号")
            text = rm.text("text", "理由")
            cited_node = rm.opt("citations")
            cited = doc.citations(cited_node, "理由的依据", laws) if cited_node is not None else ()
            doc.must_mention(rm.req("text"), text, cited, f"理由 '{reason_id}'")
            reasons.append(ReasonChoice(reason_id, text, cited))

        outcomes.append(
            Outcome(
                code=code,
                label=label,
                meaning=m.text("meaning", f"{what}含义"),
                citations=citations,
                citation_sentence=sentence,
                report_path=report_path,
                title_kind=title,
                refusal=doc.boolean(m.req("refusal"), f"{what} refusal"),
                reasons=tuple(reasons),
                closed_by=_closed_by(doc, m.opt("closed_by"), closers, what),
            )
        )

    for code in OUTCOME_CODES:
        if code not in seen:
            doc.fail(top.key_node("outcomes"), f"缺少办理结果 '{code}'")
    for action in CLOSING_ACTIONS:
        if action not in closers:
            doc.fail(top.key_node("outcomes"), f"没有办理结果由操作 '{action}' 记录（closed_by）")
    counted = {o.report_path for o in outcomes}
    for row in table3.rows:
        if row.counts_outcomes and row.path not in counted:
            table3.doc.fail(
                table3.nodes[row.path],
                f"年报行 {' / '.join(row.path)} 没有任何办理结果计入（见 outcomes.yaml 的 report）",
            )
    return tuple(outcomes)
