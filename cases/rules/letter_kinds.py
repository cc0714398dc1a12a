"""The kinds of letter (文书) an office issues, apart from the handbook: the parser names them."""

from __future__ import annotations

# In the order lists and menus show them.
LETTER_KIND_ORDER: tuple[str, ...] = (
    "receipt",
    "correction",
    "extension",
    "consultation",
    "agency_consultation",
    "third_party_notice",
    "reasons",
    "fee",
    "reply",
    "service",
)
LETTER_KINDS: frozenset[str] = frozenset(LETTER_KIND_ORDER)
"""The kinds of letter (文书) an office issues; one template each in templates_docx/."""
