"""Letters (文书): templates checked and rendered with docxtpl; drafts numbered and issued.

A draft can be regenerated from the case or replaced by a copy edited in Word; it carries
placeholders for its number and date. Issuing takes the next number of the kind and year in the
caller's transaction (gapless: the counter row is updated under a lock and given back on
rollback), writes number and date into the file, stores its SHA-256 and freezes the row for
good. A correction is a new draft that supersedes the issued version and gets its own number.

One idea a module: templates (which file), checks (what a template may contain), render
(filling one), placeholders (XML surgery at issue), numbering, lifecycle. The names below are
what the rest of the program imports as `cases.documents.letters.X`.
"""

from typing import TYPE_CHECKING, Any

from cases.documents.letter_context import LetterRefused
from cases.documents.letters.checks import check_template
from cases.documents.letters.placeholders import fill_placeholders
from cases.documents.letters.render import TemplateRejected, render
from cases.documents.letters.templates import (
    DOCX_TYPE,
    KINDS,
    Template,
    check_office_templates,
    default_templates_dir,
    load_template,
    template_path,
)

if TYPE_CHECKING:
    from cases.documents.letters.lifecycle import (
        _digest,
        correct_letter,
        current_letter,
        draft_letter,
        edit_draft,
        issue_letter,
        letters_of,
        regenerate_draft,
        render_letter,
    )
    from cases.documents.letters.numbering import take_number
    from cases.storage.model import IssuedLetterImmutable

# What needs the ORM is imported when first named (PEP 562): `letter CASE KIND` on an up-to-date
# SQLite file drafts through drafting.py without SQLAlchemy, and importing any module of this
# package runs this file first.
_LATER = {
    **dict.fromkeys(
        (
            "_digest",
            "correct_letter",
            "current_letter",
            "draft_letter",
            "edit_draft",
            "issue_letter",
            "letters_of",
            "regenerate_draft",
            "render_letter",
        ),
        "cases.documents.letters.lifecycle",
    ),
    "take_number": "cases.documents.letters.numbering",
    "IssuedLetterImmutable": "cases.storage.model",
}


def __getattr__(name: str) -> Any:
    import importlib

    where = _LATER.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value


__all__ = [
    "DOCX_TYPE",
    "KINDS",
    "IssuedLetterImmutable",
    "LetterRefused",
    "Template",
    "TemplateRejected",
    "_digest",  # the hash stored at issue; tests/test_dbcopy.py checks copied letters with it
    "check_office_templates",
    "check_template",
    "correct_letter",
    "current_letter",
    "default_templates_dir",
    "draft_letter",
    "edit_draft",
    "fill_placeholders",
    "issue_letter",
    "letters_of",
    "load_template",
    "regenerate_draft",
    "render",
    "render_letter",
    "take_number",
    "template_path",
]
