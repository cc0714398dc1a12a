"""What every part of the annual report shares: row paths, errors, a check's result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cases.errors import Refused

Path = tuple[str, ...]

# Table 四 has one data row; drill-down names it by this path, e.g. `--cases 表四`.
TABLE4_PATH: Path = ("表四",)
# Listing every case at fault in an error message helps nobody past a screenful.
MAX_CASES_IN_MESSAGE = 20


class ReportError(Refused):
    """A request about the report that cannot be met; the message is for the user."""

    def __init__(self, message: str, field: str = "report") -> None:
        super().__init__(field, message)


class ReportCheckFailed(ReportError):
    """An export was refused because a consistency check failed."""

    def __init__(self, failed: Sequence[Check]) -> None:
        self.failed = tuple(failed)
        parts = [c.describe() for c in self.failed]
        super().__init__("年报未通过检查，未导出：" + "；".join(parts))


@dataclass(frozen=True)
class Check:
    """One consistency rule and its result; `cases` names the case numbers at fault."""

    rule: str
    ok: bool
    cases: tuple[str, ...] = ()
    detail: str = ""
    # A non-blocking check is shown but does not stop the export (the published report of last
    # year cannot be changed any more; a difference is explained in the text).
    blocking: bool = True

    def describe(self) -> str:
        text = self.rule
        if self.detail:
            text += f"（{self.detail}）"
        if self.cases:
            shown = "、".join(self.cases[:MAX_CASES_IN_MESSAGE])
            more = len(self.cases) - MAX_CASES_IN_MESSAGE
            text += f"，涉及案件：{shown}" + (f" 等共 {len(self.cases)} 件" if more > 0 else "")
        return text
