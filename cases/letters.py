"""Letters (文书): templates checked and rendered with docxtpl; drafts numbered and issued."""

# A draft can be regenerated from the case or replaced by a copy edited in Word; it carries
# placeholders for its number and date. Issuing takes the next number of the kind and year in the
# caller's transaction (gapless: the counter row is updated under a lock and given back on
# rollback), writes number and date into the file, stores its SHA-256 and freezes the row for
# good. A correction is a new draft that supersedes the issued version and gets its own number.

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.resources
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree  # python-docx's own XML library
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import audit, counters, dates, deadlines, paths
from cases.handbook import LETTER_KIND_ORDER, LETTER_KINDS, load_handbook
from cases.letter_context import (
    DATE_PLACEHOLDER,
    NUMBER_PLACEHOLDER,
    LetterFacts,
    LetterRefused,
    build_context,
    cn_date,
    issue_dates,
    pick_event,
    sample_context,
)
from cases.model import Case, IssuedLetterImmutable, Letter
from cases.profile import DEFAULT_NUMBER_PATTERNS, OfficeProfile, ProfileError, load_profile

__all__ = [
    "KINDS",
    "IssuedLetterImmutable",
    "LetterRefused",
    "Template",
    "TemplateRejected",
    "check_office_templates",
    "check_template",
    "correct_letter",
    "current_letter",
    "draft_letter",
    "edit_draft",
    "fill_placeholders",
    "issue_letter",
    "load_template",
    "regenerate_draft",
    "render",
    "render_letter",
    "take_number",
]

KINDS = LETTER_KIND_ORDER

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateRejected(LetterRefused):
    """A template cannot be used: broken tag, unknown variable, not a .docx."""

    def __init__(self, message: str, field: str = "template") -> None:
        super().__init__(message, field)


# --------------------------------------------------------------------------- templates

# User text only ever arrives as values; autoescape keeps & and < intact in the XML, the sandbox
# keeps an office's template from reaching Python internals, StrictUndefined makes typos loud.
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
_PARAGRAPH = re.compile(r"<w:p([ >])")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Template:
    """A checked template: where it came from and its bytes."""

    kind: str
    path: Path
    office: bool  # True when the office's own file overrides the default
    data: bytes


def default_templates_dir() -> Path:
    return Path(str(importlib.resources.files("templates_docx")))


def template_path(kind: str, folder: Path | None = None) -> tuple[Path, bool]:
    """The office's file for `kind` when there is one, else the default; and which it is."""
    own = (folder or paths.office_templates_dir()) / f"{kind}.docx"
    if own.is_file():
        return own, True
    return default_templates_dir() / f"{kind}.docx", False


def _kind_label(kind: str) -> str:
    return load_handbook().letter_label(kind)


def _require_kind(kind: str) -> None:
    if kind not in LETTER_KINDS:
        raise LetterRefused(f"不认识的文书种类“{kind}”；可选：{'、'.join(KINDS)}")


def load_template(kind: str, folder: Path | None = None) -> Template:
    """The template of `kind`, checked; an office's broken template is refused, not replaced."""
    _require_kind(kind)
    path, office = template_path(kind, folder)
    try:
        stat = path.stat()
    except OSError as exc:
        raise TemplateRejected(f"找不到模板文件 {path}") from exc
    return _load_checked(kind, path, office, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load_checked(kind: str, path: Path, office: bool, _mtime: int, _size: int) -> Template:
    # Keyed by modification time and size, so a file the office replaces is checked again.
    data = path.read_bytes()
    check_template(kind, data, path.name)
    return Template(kind, path, office, data)


@dataclass(frozen=True)
class _Part:
    where: str  # 正文, 页眉, 页脚, 文档属性 …
    source: str  # the Jinja source as docxtpl sees it, one paragraph a line
    paragraphs: tuple[str, ...]  # the paragraphs' texts as Word shows them, in order


def _paragraph_texts(xml: str) -> tuple[str, ...]:
    root = etree.fromstring(xml.encode("utf-8"))
    return tuple(
        "".join(t.text or "" for t in p.iter(f"{{{_W}}}t")) for p in root.iter(f"{{{_W}}}p")
    )


def _template_parts(data: bytes, name: str) -> list[_Part]:
    """Each part of a template as docxtpl will see it, with the paragraphs a user sees."""
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise TemplateRejected(f"模板 {name} 不是有效的 Word（.docx）文件：{exc}") from exc
    body = tpl.get_xml()
    parts = [_Part("正文", _lines(tpl.patch_xml(body)), _paragraph_texts(body))]
    for uri, where in ((tpl.HEADER_URI, "页眉"), (tpl.FOOTER_URI, "页脚")):
        for _rel, part in tpl.get_headers_footers(uri):
            xml = tpl.get_part_xml(part)
            parts.append(_Part(where, _lines(tpl.patch_xml(xml)), _paragraph_texts(xml)))
    props = tpl.docx.core_properties
    for prop in ("author", "comments", "identifier", "language", "subject", "title"):
        parts.append(_Part(f"文档属性 {prop}", getattr(props, prop) or "", ()))
    return parts


def _lines(xml: str) -> str:
    # docxtpl starts every paragraph on a new line before compiling; so do we, so that an
    # error's line number leads back to its paragraph.
    return _PARAGRAPH.sub(r"\n<w:p\1", xml)


_DOCXTPL_TAG = re.compile(r"([{][%{])[ptrc]{1,2} ")


def _paragraph_text(part: _Part, lineno: int | None) -> tuple[int | None, str]:
    """Which paragraph (counted as Word shows them, tag paragraphs included) a line belongs to.

    docxtpl removes the paragraphs that hold {%p …%} tags before compiling, so the line number
    alone would miscount; the line's text is looked up among the original paragraphs instead.
    """
    if lineno is None:
        return None, ""
    source_lines = part.source.split("\n")
    if not 0 < lineno <= len(source_lines):
        return None, ""
    text = _XML_TAG.sub("", source_lines[lineno - 1]).strip()
    if text:
        plain = [_DOCXTPL_TAG.sub(r"\1 ", p).strip() for p in part.paragraphs]
        for matches in (str.__eq__, str.__contains__):
            for index, original in enumerate(plain, start=1):
                if matches(original, text):
                    return index, part.paragraphs[index - 1].strip()[:60]
    return None, text[:60]


# Jinja's messages are English; the usual ones get a Chinese sentence in front.
_SYNTAX_HINTS = (
    (re.compile(r"unexpected '[}%]'|unexpected end of print statement", re.I), "花括号不配对"),
    (re.compile(r"Unexpected end of template", re.I), "标签没有结束（缺少 endif 或 endfor）"),
    (re.compile(r"No filter named '([^']*)'"), "没有名为 {0} 的过滤器"),
    (re.compile(r"No test named '([^']*)'"), "没有名为 {0} 的判断"),
    (re.compile(r"Encountered unknown tag '([^']*)'"), "多余或不认识的标签 {0}"),
)


def _syntax_message(message: str | None) -> str:
    message = message or ""
    for pattern, hint in _SYNTAX_HINTS:
        found = pattern.search(message)
        if found:
            return f"{hint.format(*found.groups())}（{message}）"
    return message


def _where(name: str, part: str, paragraph: int | None, text: str) -> str:
    place = f"模板 {name}（{part}"
    if paragraph:
        place += f"第{paragraph}段"
    place += "）"
    return f"{place}“{text}”" if text else place


def _chain(node: nodes.Node) -> tuple[str, list[str]] | None:
    """applicant.name → ("applicant", ["name"]); None when the chain does not start at a name."""
    attrs: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            attrs.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            attrs.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            return node.name, list(reversed(attrs))
        else:
            return None


def _unknown_names(ast: nodes.Template, shape: Mapping[str, Any]) -> list[str]:
    """Variables and attributes the template uses that no context will have."""
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    unknown = sorted(meta.find_undeclared_variables(ast) - set(shape) - set(_ENV.globals))
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        found = _chain(node)
        if found is None or found[0] in assigned or found[0] not in shape:
            continue
        root, attrs = found
        value: Any = shape[root]
        path = root
        for attr in attrs:
            if not isinstance(value, Mapping):
                break  # methods of text and lists are the sandbox's business
            path = f"{path}.{attr}"
            if attr not in value:
                unknown.append(path)
                break
            value = value[attr]
    return sorted(set(unknown))


def _prints(ast: nodes.Template, root: str, attr: str) -> bool:
    """Whether {{ root.attr }} is printed somewhere (a test in {% if %} does not count)."""
    return any(
        _chain(n) == (root, [attr])
        for output in ast.find_all(nodes.Output)
        for n in output.find_all(nodes.Getattr)
    )


def _locate(part: _Part, name: str) -> tuple[int | None, str]:
    leaf = re.escape(name.split(".")[-1])
    pattern = re.compile(r"\{[{%][^}]*\b" + leaf + r"\b")
    for index, text in enumerate(part.paragraphs, start=1):
        if pattern.search(text):
            return index, text.strip()[:60]
    return None, ""


def check_template(kind: str, data: bytes, name: str) -> None:
    """Refuse a template with a syntax error or an unknown variable, naming where it is."""
    shape = sample_context()
    used_number = used_date = False
    for part in _template_parts(data, name):
        try:
            ast = _ENV.parse(part.source)
            _ENV.compile(ast)  # unknown filters and tests are found here
        except TemplateSyntaxError as exc:
            paragraph, text = _paragraph_text(part, exc.lineno)
            raise TemplateRejected(
                f"{_where(name, part.where, paragraph, text)}有语法错误："
                f"{_syntax_message(exc.message)}"
            ) from exc
        private = sorted({n.attr for n in ast.find_all(nodes.Getattr) if n.attr.startswith("_")})
        if private:
            paragraph, text = _locate(part, private[0])
            raise TemplateRejected(
                f"{_where(name, part.where, paragraph, text)}使用了不允许的属性 "
                f"{'、'.join(private)}"
            )
        unknown = _unknown_names(ast, shape)
        if unknown:
            paragraph, text = _locate(part, unknown[0])
            raise TemplateRejected(
                f"{_where(name, part.where, paragraph, text)}使用了不存在的变量 "
                f"{'、'.join(unknown)}"
            )
        used_number = used_number or _prints(ast, "letter", "number")
        used_date = used_date or _prints(ast, "letter", "date")
    if DEFAULT_NUMBER_PATTERNS.get(kind) and not used_number:
        raise TemplateRejected(f"模板 {name} 没有使用 {{{{ letter.number }}}}：发文时无处写入文号")
    if not used_date:
        raise TemplateRejected(f"模板 {name} 没有使用 {{{{ letter.date }}}}：发文时无处写入日期")


def check_office_templates(folder: Path | None = None) -> list[str]:
    """Every problem of the office's own templates (unknown file names included), for display."""
    folder = folder or paths.office_templates_dir()
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".docx" or path.name.startswith("~$"):
            continue  # ~$ files are Word's lock files while a template is open
        kind = path.stem
        if kind not in LETTER_KINDS:
            problems.append(
                f"模板 {path.name} 的文件名不对应任何文书种类，不会被使用；"
                f"文件名应为 {'、'.join(k + '.docx' for k in KINDS)} 之一"
            )
            continue
        try:
            load_template(kind, folder)
        except TemplateRejected as exc:
            problems.append(str(exc))
    return problems


def render(template: Template, context: Mapping[str, Any], *, author: str = "") -> bytes:
    """Fill one template with one context; returns the .docx bytes."""
    tpl = DocxTemplate(io.BytesIO(template.data))
    try:
        tpl.render(dict(context), jinja_env=_ENV, autoescape=True)
    except (
        TemplateError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
        ArithmeticError,
    ) as exc:
        # An office's template can still fail at run time, e.g. looping over a date.
        raise TemplateRejected(f"模板 {template.path.name} 无法填写：{exc}") from exc
    tpl.docx.core_properties.author = author
    tpl.docx.core_properties.last_modified_by = author
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- placeholders

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def _replace_in_paragraph(texts: list[Any], placeholder: str, value: str) -> int:
    """Replace across runs: Word may have split the placeholder while the draft was edited."""
    count = 0
    while True:
        joined = "".join(t.text or "" for t in texts)
        start = joined.find(placeholder)
        if start < 0:
            return count
        end = start + len(placeholder)
        offset = 0
        first = True
        for t in texts:
            text = t.text or ""
            lo, hi = offset, offset + len(text)
            offset = hi
            if hi <= start or lo >= end:
                continue
            keep_head = text[: max(start - lo, 0)]
            keep_tail = text[max(end - lo, 0) :] if end < hi else ""
            t.text = keep_head + (value if first else "") + keep_tail
            t.set(_XML_SPACE, "preserve")
            first = False
        count += 1


def fill_placeholders(content: bytes, values: Mapping[str, str]) -> tuple[bytes, dict[str, int]]:
    """Put the values in place of the placeholders everywhere in a .docx; counts per placeholder."""
    if any(placeholder in value for placeholder, value in values.items()):
        raise ValueError("a value must not contain its own placeholder")
    counts = dict.fromkeys(values, 0)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if _TEXT_PARTS.fullmatch(info.filename):
                root = etree.fromstring(data)
                for paragraph in root.iter(f"{{{_W}}}p"):
                    texts = list(paragraph.iter(f"{{{_W}}}t"))
                    for placeholder, value in values.items():
                        counts[placeholder] += _replace_in_paragraph(texts, placeholder, value)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue(), counts


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


# --------------------------------------------------------------------------- numbering


def take_number(session: Session, kind: str, year: int) -> int:
    """The next sequence number of `kind` in `year`, taken in the caller's transaction.

    One UPDATE … RETURNING: on PostgreSQL the row lock holds a second issuer until the first
    commits; on SQLite the writer transaction already holds the database lock. A rollback gives
    the number back, so the sequence has no gap; numbers present in letters (an import, say)
    are stepped over, so none is given twice.
    """
    while True:
        seq = counters.advance(session, kind, year)
        taken = session.scalar(
            select(Letter.id).where(Letter.kind == kind, Letter.year == year, Letter.seq == seq)
        )
        if taken is None:
            return seq


# --------------------------------------------------------------------------- drafting and issuing


def _profile(session: Session) -> OfficeProfile:
    try:
        return load_profile(session)
    except ProfileError as exc:
        raise LetterRefused(f"机关信息设置有误，无法生成文书：{exc}") from exc


def _build(
    session: Session,
    case: Case,
    kind: str,
    *,
    author: str,
    target_id: int | None,
    attachments: Sequence[str],
) -> bytes:
    _require_kind(kind)
    if case.voided:
        raise LetterRefused(f"案件 {case.no} 已作废，不能再生成文书")
    profile = _profile(session)
    label = _kind_label(kind)
    facts = LetterFacts(
        kind=kind,
        number=NUMBER_PLACEHOLDER if profile.pattern(kind) else "",
        date=DATE_PLACEHOLDER,
        event=pick_event(case, kind, label, target_id),
        attachments=tuple(attachments),
    )
    context = build_context(
        case,
        facts,
        profile=profile,
        handbook=load_handbook(),
        cal=deadlines.load_calendar(session),
    )
    return render(load_template(kind), context, author=author)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def draft_letter(
    session: Session,
    case: Case,
    kind: str,
    actor: str,
    *,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
    supersedes: Letter | None = None,
) -> Letter:
    """A new draft of `kind` for the case, rendered from its template; audited.

    target_id picks the event the letter is about (which consultation, which fee, which letter a
    送达回证 proves); by default the case's latest.
    """
    content = _build(
        session, case, kind, author=actor, target_id=target_id, attachments=attachments
    )
    letter = Letter(
        case=case,
        kind=kind,
        status="draft",
        content=content,
        sha256=_digest(content),
        supersedes_id=supersedes.id if supersedes is not None else None,
        created_by=actor,
    )
    session.add(letter)
    session.flush()
    audit.record(session, case, actor, "letter_draft", {f"letter#{letter.id}.kind": (None, kind)})
    return letter


def _require_draft(letter: Letter, what: str) -> None:
    if letter.status != "draft":
        raise LetterRefused(f"文书 {letter.number or letter.id} 已发文，不能{what}；如有错误请更正")


def regenerate_draft(
    session: Session,
    letter: Letter,
    actor: str,
    *,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
) -> Letter:
    """Render a draft again from the case as it is now (edits made in Word are replaced)."""
    _require_draft(letter, "重新生成")
    content = _build(
        session,
        letter.case,
        letter.kind,
        author=actor,
        target_id=target_id,
        attachments=attachments,
    )
    old = letter.sha256
    letter.content, letter.sha256 = content, _digest(content)
    audit.record(
        session,
        letter.case,
        actor,
        "letter_regenerate",
        {f"letter#{letter.id}.sha256": (old, letter.sha256)},
    )
    return letter


def edit_draft(session: Session, letter: Letter, content: bytes, actor: str) -> Letter:
    """Keep the copy of a draft that a user edited in Word or WPS."""
    _require_draft(letter, "修改")
    if not _is_docx(content):
        raise LetterRefused("上传的文件不是 Word（.docx）文件，草稿未改动")
    old = letter.sha256
    letter.content, letter.sha256 = content, _digest(content)
    audit.record(
        session,
        letter.case,
        actor,
        "letter_edit",
        {f"letter#{letter.id}.sha256": (old, letter.sha256)},
    )
    return letter


def issue_letter(
    session: Session, letter: Letter, actor: str, *, on: dt.date | None = None
) -> Letter:
    """Number, date and freeze a draft, in the caller's transaction.

    The number and the date are written where the draft has its placeholders; a draft whose
    placeholders were deleted while editing is refused, and nothing is taken.
    """
    _require_draft(letter, "再次发文")
    if letter.case.voided:
        raise LetterRefused(f"案件 {letter.case.no} 已作废，不能发文")
    on = on or dates.today()
    profile = _profile(session)
    numbered = bool(profile.pattern(letter.kind))
    label = _kind_label(letter.kind)
    # Check before taking a number, so that a refusal leaves the counter untouched.
    _, found = fill_placeholders(letter.content, {NUMBER_PLACEHOLDER: "", DATE_PLACEHOLDER: ""})
    if numbered and not found[NUMBER_PLACEHOLDER]:
        raise LetterRefused(
            f"{label}草稿中找不到文号位置“{NUMBER_PLACEHOLDER.strip(chr(0x2060))}”，"
            "请重新生成草稿或在草稿中恢复该文字"
        )
    if not found[DATE_PLACEHOLDER]:
        raise LetterRefused(
            f"{label}草稿中找不到日期位置“{DATE_PLACEHOLDER.strip(chr(0x2060))}”，"
            "请重新生成草稿或在草稿中恢复该文字"
        )
    seq = take_number(session, letter.kind, on.year) if numbered else None
    number = profile.number(letter.kind, on.year, seq) if seq is not None else None
    values = {NUMBER_PLACEHOLDER: number or "", DATE_PLACEHOLDER: cn_date(on)}
    values.update(issue_dates(letter.kind, on, deadlines.load_calendar(session), profile))
    content, _ = fill_placeholders(letter.content, values)
    old_sha = letter.sha256
    letter.content = content
    letter.sha256 = _digest(content)
    letter.number, letter.year, letter.seq = number, on.year, seq
    letter.status = "issued"
    letter.issued_by = actor
    letter.issued_at = dt.datetime.now(dt.UTC)
    letter.issued_on = on
    session.flush()
    audit.record(
        session,
        letter.case,
        actor,
        "letter_issue",
        {
            f"letter#{letter.id}.status": ("draft", "issued"),
            f"letter#{letter.id}.number": (None, number),
            f"letter#{letter.id}.sha256": (old_sha, letter.sha256),
        },
    )
    return letter


def correct_letter(
    session: Session,
    letter: Letter,
    actor: str,
    *,
    target_id: int | None = None,
    attachments: Sequence[str] = (),
) -> Letter:
    """Start the corrected version of an issued letter: a new draft that supersedes it."""
    if letter.status != "issued":
        raise LetterRefused("只有已发文的文书需要更正；草稿可以直接修改或重新生成")
    newer = [
        x for x in letter.case.letters if x.supersedes_id == letter.id and x.status == "issued"
    ]
    if newer:
        raise LetterRefused(
            f"文书 {letter.number or letter.id} 已有更正版本 {newer[-1].number or newer[-1].id}，"
            "请在最新版本上更正"
        )
    draft = draft_letter(
        session,
        letter.case,
        letter.kind,
        actor,
        target_id=target_id,
        attachments=attachments,
        supersedes=letter,
    )
    audit.record(
        session,
        letter.case,
        actor,
        "letter_correct",
        {f"letter#{draft.id}.supersedes": (None, letter.number or str(letter.id))},
    )
    return draft


def current_letter(case: Case, kind: str) -> Letter | None:
    """The issued letter of `kind` in force: the latest one no issued correction replaces."""
    issued = [x for x in case.letters if x.kind == kind and x.status == "issued"]
    replaced = {x.supersedes_id for x in issued if x.supersedes_id is not None}
    in_force = [x for x in issued if x.id not in replaced]
    return in_force[-1] if in_force else None


def letters_of(case: Case, kinds: Iterable[str] = KINDS) -> list[Letter]:
    wanted = set(kinds)
    return [x for x in case.letters if x.kind in wanted]


def render_letter(
    session: Session,
    case_no: str,
    kind: str,
    *,
    actor_name: str = "",
    fresh: bool = False,
    target_id: int | None = None,
) -> bytes:
    """One letter of a case as a .docx, for the command line; nothing is stored.

    The issued letter in force when there is one (the file as sent), else, or with fresh=True,
    a draft rendered now, with placeholders where number and date will go. actor_name is
    written into the file's properties as its author.
    """
    _require_kind(kind)
    case = session.scalar(select(Case).where(Case.no == case_no))
    if case is None:
        raise LetterRefused(f"找不到案件 {case_no}")
    if not fresh:
        issued = current_letter(case, kind)
        if issued is not None:
            return issued.content
    return _build(session, case, kind, author=actor_name, target_id=target_id, attachments=())
