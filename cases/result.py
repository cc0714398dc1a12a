"""What an operation gives back: its value, what it changed, and warnings that do not refuse.

Every operation a user can start (the actions of the procedure, settings, users, imports …)
returns a Result. Views refresh from `changes`, never from a list the caller wrote by hand, and
show `warnings` (a failed ID check character, a late 补正 notice, an unusual holiday file) without
treating them as refusals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """What a committed operation touched, so that each view knows whether to reload."""

    cases: frozenset[int] = frozenset()  # cases whose fields, events or letters changed
    case_list: bool = False  # cases added, voided, renumbered or moved between views
    calendar: bool = False  # holidays or schedule years: deadlines and warnings move
    settings: bool = False  # office profile, units, thresholds, numbering, templates
    users: bool = False  # users and roles

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            cases=self.cases | other.cases,
            case_list=self.case_list or other.case_list,
            calendar=self.calendar or other.calendar,
            settings=self.settings or other.settings,
            users=self.users or other.users,
        )

    @classmethod
    def of_cases(cls, ids: Iterable[int], *, case_list: bool = False) -> Changes:
        return cls(cases=frozenset(ids), case_list=case_list)

    def touches(self, case_id: int | None) -> bool:
        """Whether a view showing this case must reload it."""
        return case_id is not None and (case_id in self.cases or self.case_list or self.calendar)

    @property
    def empty(self) -> bool:
        return not (self.cases or self.case_list or self.calendar or self.settings or self.users)


@dataclass(frozen=True)
class Notice:
    """A warning for the user that does not refuse: `field` as in Refused, `message` in Chinese."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Result(Generic[T]):
    """An operation's value, what it changed and its warnings."""

    value: T
    changes: Changes = Changes()
    warnings: tuple[Notice, ...] = field(default=())
