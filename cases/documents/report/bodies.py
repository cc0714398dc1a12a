"""Which answering bodies a reporting body counts, from the office profile; free of SQLAlchemy."""

from __future__ import annotations

from collections.abc import Callable

from cases.documents.report.base import ReportError
from cases.office.profile import OfficeProfile, ProfileError


def unit_names(
    load: Callable[[], OfficeProfile], body: str | None
) -> tuple[list[str], bool] | None:
    """The values of cases.body a reporting body counts, and whether it counts the cases of no
    named body too (the office's own); None counts every case. `load` reads the profile."""
    if body is None:
        return None
    try:
        profile = load()
        unit = profile.unit(body)
    except ProfileError as exc:
        raise ReportError(str(exc)) from exc
    names = [unit.short, unit.name]
    if unit.name == profile.issuing_body:
        return [*names, profile.own_short], True
    return names, False


class Bodies:
    """unit_names as a test of one answering body (a kept row's, or a case's)."""

    def __init__(self, names: tuple[list[str], bool] | None) -> None:
        self.every = names is None
        self.listed = frozenset(names[0]) if names is not None else frozenset()
        self.own = names is not None and names[1]

    def __call__(self, body: str | None) -> bool:
        return self.every or body in self.listed or (self.own and body is None)


def office_name(load: Callable[[], OfficeProfile], body: str | None) -> str:
    """The reporting body's name for the tables' title; empty when the saved profile is broken
    (it is reported where it is edited; the tables stand without it)."""
    try:
        profile = load()
    except ProfileError:
        return ""
    return profile.issuing_body if body is None else profile.unit(body).name
