"""ActionRefused, the refusal of an action, apart from the guards so that it costs no SQLAlchemy.

The outcome texts (cases.documents.outcome_text) raise it while a letter is drafted from a file
read through sqlite3; cases.rules.guards and cases.rules.workflow export the same class.
"""

from __future__ import annotations

from cases.errors import Refused


class ActionRefused(Refused):
    """An action was refused before it changed anything; `field` names what is wrong."""
