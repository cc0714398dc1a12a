"""The one refusal type: every error written for the user derives from Refused.

A Refused is raised before anything is written; `field` names what is wrong (a dotted field of
the case or of the input, or a plain word such as "file" or "case") and `message` says in Chinese
what is wrong and, where it helps, what would be right. The window and the command line catch
exactly this class; anything else (ValueError, KeyError …) is a bug and surfaces as one.
"""

from __future__ import annotations


class Refused(Exception):
    """A user's request refused before it changed anything."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message
