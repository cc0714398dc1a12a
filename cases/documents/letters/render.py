"""Filling one checked template with one context (docxtpl, sandboxed Jinja)."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from types import CodeType
from typing import TYPE_CHECKING, Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cases.documents.letter_context import LetterRefused
from cases.documents.letters import kept_code

if TYPE_CHECKING:
    from cases.documents.letters.templates import Template


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, keeping the code of each template source it compiled.

    A template is parsed and compiled by its check (checks.py) before it is first filled, and
    docxtpl then hands the same sources to from_string at every rendering: the same source in
    the same environment compiles to the same code, so it is compiled once, not at each letter;
    and kept for the next process (kept_code.py), which skips the check of a template that
    passed before (checked.py).
    """

    KEEP = 256  # sources: a part of each template (body, headers, footers, properties)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: OrderedDict[str, CodeType] = OrderedDict()
        self._lock = threading.Lock()  # the window renders on its operations' threads

    def compiled(self, source: str) -> tuple[nodes.Template, CodeType]:
        """The parsed and compiled source, kept for its renderings; raises Jinja's errors."""
        ast = self.parse(source)
        code = self.compile(ast)  # unknown filters and tests are found here
        self._remember(source, code)
        kept_code.keep(source, code)
        return ast, code

    def _remember(self, source: str, code: CodeType) -> None:
        with self._lock:
            self._compiled[source] = code
            while len(self._compiled) > self.KEEP:
                self._compiled.popitem(last=False)

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._lock:
            code = self._compiled.get(source)
            if code is not None:
                self._compiled.move_to_end(source)
        if code is None:
            code = kept_code.load(source)  # compiled by an earlier process
            if code is None:
                code = self.compile(source)
                kept_code.keep(source, code)
            self._remember(source, code)
        cls = template_class or self.template_class
        return cls.from_code(self, code, self.make_globals(globals), None)


# User text only ever arrives as values; autoescape keeps & and < intact in the XML, the sandbox
# keeps an office's template from reaching Python internals, StrictUndefined makes typos loud.
_ENV = _Sandbox(undefined=StrictUndefined, autoescape=True)


class TemplateRejected(LetterRefused):
    """A template cannot be used: broken tag, unknown variable, not a .docx."""

    def __init__(self, message: str, field: str = "template") -> None:
        super().__init__(message, field)


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
