"""Case numbers (案件编号): a gapless per-year sequence, formatted by the office's pattern.

The sequence lives in letter_counters under kind "case". It is advanced with one
UPDATE … RETURNING inside the caller's transaction: on PostgreSQL the row lock makes a second
registration wait until the first commits, on SQLite the writer transaction already holds the
database lock, and a rolled-back registration gives its number back. Numbers typed by hand (an
import, a correction) are skipped, so a sequence number is never issued twice.
"""

from __future__ import annotations

import string

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from cases.errors import Refused
from cases.rules import settings
from cases.storage import counters
from cases.storage.model import Case

COUNTER_KIND = "case"
SETTING_KEY = settings.CASE_NUMBER_PATTERN
DEFAULT_PATTERN: str = settings.spec(SETTING_KEY).default
FIELDS = ("year", "seq")


class PatternError(Refused):
    """The pattern cannot make case numbers; the message says why, in Chinese."""

    def __init__(self, message: str, field: str = "number_pattern") -> None:
        super().__init__(field, message)


def validate_pattern(pattern: str) -> str:
    """Return the pattern if it can number cases, else raise PatternError naming the problem.

    Only {year} and {seq} with a plain integer format (``{seq:06d}``, ``{seq}``) are accepted:
    a pattern is typed by an administrator and must not reach attributes or other values.
    """
    if not pattern.strip():
        raise PatternError("编号格式不能为空")
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise PatternError(f"编号格式“{pattern}”的花括号不配对") from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            raise PatternError(f"编号格式只能使用 {{year}} 和 {{seq}}，不能使用 {{{name}}}")
        if conversion:
            raise PatternError(f"编号格式中的 {{{name}}} 不能带 !{conversion}")
        if spec and not (spec.rstrip("d").isdigit() and spec.endswith("d")):
            raise PatternError(f"编号格式中的 {{{name}:{spec}}} 只能写成位数，例如 {{seq:06d}}")
        names.append(name)
    if "seq" not in names:
        raise PatternError("编号格式必须包含序号 {seq}")
    if len(format_number(pattern, 2025, 1)) > 64:
        raise PatternError("编号格式过长（编号不能超过64个字符）")
    return pattern


def format_number(pattern: str, year: int, seq: int) -> str:
    return pattern.format(year=year, seq=seq)


def case_number_pattern(session: Session) -> str:
    """The office's pattern (the setting "case_number_pattern"), or the default."""
    value: str = settings.value(session, settings.CASE_NUMBER_PATTERN)
    return value


def number_taken(session: Session, no: str) -> bool:
    return bool(session.scalar(select(exists().where(Case.no == no))))


def next_case_number(session: Session, year: int) -> str:
    """Take the next number of `year` in the caller's transaction (given back on rollback)."""
    pattern = case_number_pattern(session)
    session.flush()  # cases added but not yet written must count as taken
    while True:
        no = format_number(pattern, year, counters.advance(session, COUNTER_KIND, year))
        if not number_taken(session, no):
            return no


def take_case_numbers(session: Session, year: int, n: int, avoid: set[str]) -> list[str]:
    """n numbers of `year` at once, for an import: one counter update per round, not per case.

    Numbers already stored or in `avoid` (those the file gives its own rows) are skipped, as
    next_case_number skips them, and the shortfall is taken in the next round.
    """
    pattern = case_number_pattern(session)
    session.flush()
    found: list[str] = []
    while len(found) < n:
        want = n - len(found)
        last = counters.advance(session, COUNTER_KIND, year, by=want)
        candidates = [format_number(pattern, year, seq) for seq in range(last - want + 1, last + 1)]
        taken = avoid.intersection(candidates)
        for start in range(0, want, 500):  # below every backend's parameter limit
            chunk = candidates[start : start + 500]
            taken.update(session.scalars(select(Case.no).where(Case.no.in_(chunk))))
        found += [no for no in candidates if no not in taken]
    return found


def upcoming_numbers(session: Session, year: int, count: int) -> list[str]:
    """The next `count` numbers the year's counter would give, without taking any."""
    pattern = case_number_pattern(session)
    last = counters.last_taken(session, COUNTER_KIND, year) or 0
    return [format_number(pattern, year, seq) for seq in range(last + 1, last + 1 + count)]


def peek_next_number(session: Session, year: int) -> str:
    """The number the next registration of `year` would get, without taking it (for display)."""
    pattern = case_number_pattern(session)
    seq = (counters.last_taken(session, COUNTER_KIND, year) or 0) + 1
    while number_taken(session, format_number(pattern, year, seq)):
        seq += 1
    return format_number(pattern, year, seq)
