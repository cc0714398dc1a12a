"""Template checks: a syntax error, an unknown variable or a missing place is refused, named."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, meta, nodes
from lxml import etree  # python-docx's own XML library

from cases.documents.letter_context import sample_context
from cases.documents.letters.render import _ENV, TemplateRejected
from cases.office.profile import DEFAULT_NUMBER_PATTERNS

_PARAGRAPH = re.compile(r"<w:p([ >])")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_TAG = re.compile(r"<[^>]+>")


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
            ast, _code = _ENV.compiled(part.source)  # kept: render() fills it without parsing
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
