"""Filling one checked template with one context (docxtpl, sandboxed Jinja)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cases.documents.letter_context import LetterRefused

if TYPE_CHECKING:
    from cases.documents.letters.templates import Template


# User text only ever arrives as values; autoescape keeps & and < intact in the XML, the sandbox
# keeps an office's template from reaching Python internals, StrictUndefined makes typos loud.
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


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
