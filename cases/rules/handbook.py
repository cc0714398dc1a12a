"""The office's standard procedure (标准化业务手册) read from handbook/ data, validated, typed.

The handbook holds the law and practice as data: steps of the procedure with their checklists,
allowed actions and roles; the outcome catalogue with citations and annual-report rows; the rows
of the annual report. This module knows no article of any law; it only checks that the data is
complete and consistent, and names the file and line of anything wrong, in Chinese.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path

from cases.errors import Refused
from cases.rules.letter_kinds import LETTER_KIND_ORDER as LETTER_KIND_ORDER
from cases.rules.letter_kinds import LETTER_KINDS as LETTER_KINDS

ACTIONS: frozenset[str] = frozenset(
    {
        "register",
        "request_correction",
        "record_correction",
        "lapse_correction",
        "start_consultation",
        "end_consultation",
        "request_extension",
        "approve_extension",
        "fee_notice",
        "record_payment",
        "lapse_fee",
        "delay",
        "choose_outcome",
        "submit_for_review",
        "review",
        "sign_off",
        "return_for_revision",
        "record_service",
        "archive",
        "void",
        "split",
        "withdraw",
        "add_review",
        "record_search",
        "override_check",
    }
)
"""What a user can do to a case; the workflow implements each, the handbook says where."""

OUTCOME_CODES: tuple[str, ...] = (
    "disclose",
    "disclose_public",
    "partial",
    "withhold_secret",
    "withhold_law",
    "withhold_security",
    "withhold_third_party",
    "withhold_internal",
    "withhold_process",
    "withhold_enforcement",
    "withhold_query",
    "unable_not_held",
    "unable_not_ours",
    "unable_create",
    "unable_unclear",
    "reject_petition",
    "reject_repeat",
    "reject_publication",
    "reject_excessive",
    "reject_confirm",
    "other_no_correction",
    "other_fee_unpaid",
    "other_withdrawn",
    "other",
)
"""Outcome (办理结果) codes, fixed because the exchange format and the database store them."""

TITLE_KINDS: frozenset[str] = frozenset({"答复书", "告知书"})
"""How a final letter is titled: …政府信息公开申请答复书 or …告知书."""

PERIODS: tuple[str, ...] = (
    "reply",
    "extension",
    "correction_notice",
    "consultation",
    "fee_payment",
    "reasons_answer",
    "correction_period",
    "review_answer",
    "suit_answer",
)
"""The periods (期限) the clock counts; their days and basis are in periods.yaml."""


CLOCK_CITATIONS: tuple[str, ...] = (
    "day0",
    "correction",
    "consultation_third_party",
    "consultation_agency",
    "fee",
    "extension",
    "delay",
    "same_day",
    "counting",
    "holiday_end",
)
"""The rules the deadline explanations cite; their articles are in periods.yaml's citations."""

RULE_CITATIONS: tuple[str, ...] = (
    "excessive",
    "repeat",
    "proactive",
    "refusal_reason",
    "holder_named",
    "agency_consultation",
)
"""The rules that prompts, checks and refusals outside the clock cite (citations.yaml)."""


def cited(citations: Sequence[Citation], *, full: bool = False) -> str:
    """条例第三十三条、第三十四条: citations joined, the law named once while it repeats; `full`
    names it by its title, as letters do (《中华人民共和国政府信息公开条例》第三十三条第二款)."""
    parts: list[str] = []
    previous: Law | None = None
    for c in citations:
        same = previous is not None and previous.id == c.law.id and c.article is not None
        parts.append(c.article_text if same else c.full_text if full else c.text)
        previous = c.law
    return "、".join(parts)


class StepId:
    """The steps of the procedure, as code names them (gated moves, the step an action moves a
    case to, the conditions on leaving a step). The loader refuses a steps.yaml that lacks one or
    has another, so a renamed step fails at start naming file and line instead of silently
    dropping a guard. Cases store these ids, which is why they never change."""

    REGISTER = "register"
    CHECK = "check"
    ASSIGN = "assign"
    HANDLE = "handle"
    DRAFT = "draft"
    SIGN_OFF = "sign_off"
    SERVE = "serve"
    ARCHIVE = "archive"


CODE_STEPS: frozenset[str] = frozenset(
    v for k, v in vars(StepId).items() if not k.startswith("_") and isinstance(v, str)
)


class RoleId:
    """The roles that code names (administration, the desk's roles); checked like StepId."""

    HANDLER = "handler"
    REVIEWER = "reviewer"
    SIGNER = "signer"
    ADMIN = "admin"


CODE_ROLES: frozenset[str] = frozenset(
    v for k, v in vars(RoleId).items() if not k.startswith("_") and isinstance(v, str)
)
LETTER_WORK = ("draft", "issue")
"""Letter work whose roles steps.yaml gives under letter_roles: 起草 (and edit) and 发文."""

FILES = (
    "vocabulary.yaml",
    "roles.yaml",
    "laws.yaml",
    "report_rows.yaml",
    "steps.yaml",
    "outcomes.yaml",
    "periods.yaml",
    "fees.yaml",
    "citations.yaml",
    "remedies.yaml",
)
# An office may keep its own copy of the handbook; this variable names its folder.
HANDBOOK_ENV = "DISCLOSURE_DESK_HANDBOOK"
GUIDANCE_DIR = "guidance"

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 16 → 十六, 36 → 三十六, 105 → 一百零五: the numerals of article citations."""
    if not 0 < n < 10000:
        raise ValueError(f"chinese_numeral: {n} is out of range 1..9999")
    if 10 <= n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out: list[str] = []
    gap = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("零")
            gap = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


class HandbookError(Refused):
    """A handbook file is missing, malformed, or inconsistent; says which file and line.

    An office may edit its handbook, so this is said to the user like any refusal; `field` is
    the file.
    """

    def __init__(self, file: str, line: int | None, problem: str, path: str | None = None):
        where = file if line is None else f"{file} 第{line}行"
        super().__init__(file, f"{where}：{problem}")
        self.file = file
        self.line = line
        self.problem = problem
        self.path = path


# --------------------------------------------------------------------------- the typed handbook


@dataclass(frozen=True)
class Role:
    """Who may act: handler 承办人, reviewer 审核人, signer 签发人, admin 管理员."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Law:
    """A citable law or document, e.g. 条例 → 《中华人民共和国政府信息公开条例》."""

    id: str
    title: str
    short: str
    document_no: str | None


@dataclass(frozen=True)
class Term:
    """A period the clock counts (期限): its working days and what it rests on."""

    id: str
    name: str
    days: int
    basis: tuple[Citation, ...]
    decision: str = ""
    calendar: bool = False  # counted in calendar days (日), not working days

    @property
    def basis_text(self) -> str:
        """条例第三十条, 《…办法》 for a whole law; the decision when the law is silent."""
        return cited(self.basis) or "本产品的决定"


@dataclass(frozen=True)
class FeeSchedule:
    """The fee rules (信息处理费): 按件 bands by position in the month, 按量 bands by page."""

    basis: tuple[Citation, ...]
    per_item_free: int
    per_item_first_band_end: int
    per_item_first_rate: Decimal
    per_item_band_size: int
    per_item_step: Decimal
    per_page: tuple[tuple[int, int | None, Decimal], ...]  # (first page, last page, 元 per page)

    @property
    def basis_text(self) -> str:
        """《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）, as fee notices cite it."""
        return "、".join(
            f"{c.law.title}（{c.law.document_no}）"
            if c.law.document_no and not c.article
            else c.text
            for c in self.basis
        )


@dataclass(frozen=True)
class Remedies:
    """The default remedy wording (救济途径告知), placeholders ({文书} …) kept; an office changes
    it in its profile."""

    refusal: str
    other: str
    partial: str


@dataclass(frozen=True)
class Citation:
    """A legal basis: a law, optionally down to article 条, paragraph 款 and item 项."""

    law: Law
    article: int | None = None
    paragraph: int | None = None
    item: int | None = None

    @property
    def article_text(self) -> str:
        """第三十六条第（三）项, 第十六条第二款; empty when the whole law is cited."""
        if self.article is None:
            return ""
        text = f"第{chinese_numeral(self.article)}条"
        if self.paragraph is not None:
            text += f"第{chinese_numeral(self.paragraph)}款"
        if self.item is not None:
            text += f"第（{chinese_numeral(self.item)}）项"
        return text

    @property
    def text(self) -> str:
        """Short form for lists: 条例第三十六条第（三）项, or 《上海市政府信息公开规定》."""
        return self.law.short + self.article_text if self.article is not None else self.law.title

    @property
    def full_text(self) -> str:
        """Form for letters: 《中华人民共和国政府信息公开条例》第三十六条第（三）项."""
        return self.law.title + self.article_text


@dataclass(frozen=True)
class ChecklistItem:
    """One thing the handler confirms in a step."""

    id: str
    text: str


@dataclass(frozen=True)
class Step:
    """One step of the procedure: 登记, 审核, 分办, 办理, 拟稿, 审核签发, 送达, 归档."""

    id: str
    name: str
    purpose: str
    checklist: tuple[ChecklistItem, ...]
    basis: tuple[Citation, ...]
    guidance_md: str
    actions: tuple[str, ...]
    letters: tuple[str, ...]
    roles: tuple[str, ...]
    """The roles that work this step: they move the case on and take its actions by default."""
    next_steps: tuple[str, ...]
    action_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """For each action of the step, in order, the roles that may take it; usually `roles`,
    narrower for some (only a signer signs), other for one (an admin may void a case)."""
    via: tuple[tuple[str, str], ...] = ()
    """Moves to a next step that only an action makes (target step, action): the action records
    the decision the move stands for (the review request, the signature, the return)."""

    def gate(self, target: str) -> str | None:
        """The action that alone moves a case from this step to `target`, if any."""
        return dict(self.via).get(target)

    def allows(self, action: str) -> bool:
        return action in self.actions

    def roles_for(self, action: str) -> tuple[str, ...]:
        """The roles that may take `action` in this step (none if the step does not allow it)."""
        for allowed, roles in self.action_roles:
            if allowed == action:
                return roles
        return ()

    def may_act(self, role: str, action: str) -> bool:
        return role in self.roles_for(action)


@dataclass(frozen=True)
class ReasonChoice:
    """A reason the handler picks for an outcome; its text goes into the letter as written."""

    id: str
    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """A final outcome (办理结果): the letter's legal basis, title, remedy and report row."""

    code: str
    label: str
    meaning: str
    citations: tuple[Citation, ...]
    citation_sentence: str
    report_path: tuple[str, ...]
    title_kind: str
    refusal: bool
    """不予公开 or 部分公开: the remedy paragraph says review comes first (复议前置)."""
    reasons: tuple[ReasonChoice, ...]
    closed_by: str | None = None
    """The action that closes a case with this outcome at once (逾期不补正, 撤回 …), if any."""

    def reason(self, reason_id: str) -> ReasonChoice:
        for choice in self.reasons:
            if choice.id == reason_id:
                return choice
        raise KeyError(f"办理结果 '{self.code}' 没有理由 '{reason_id}'")


@dataclass(frozen=True)
class ReportRow:
    """A row of annual-report table 三, identified by its path of labels.

    A heading row has no count of its own; a sum row is the sum of `sum_of`; any other row
    below the top level counts outcomes (see Outcome.report_path); a top-level row that is
    neither (一、二、四) counts cases by their dates.
    """

    path: tuple[str, ...]
    sum_of: tuple[tuple[str, ...], ...] = ()
    heading: bool = False

    @property
    def label(self) -> str:
        return self.path[-1]

    @property
    def is_sum(self) -> bool:
        return bool(self.sum_of)

    @property
    def counts_outcomes(self) -> bool:
        return len(self.path) > 1 and not self.heading and not self.sum_of


@dataclass(frozen=True)
class ReportColumn:
    """A column of table 三: an applicant type (design.md ids) or the total."""

    id: str
    label: str
    group: str | None = None
    total: bool = False


@dataclass(frozen=True)
class ReportCheck:
    """An identity the table must satisfy in every column: sum(left) == sum(right)."""

    id: str
    text: str
    left: tuple[tuple[str, ...], ...]
    right: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Table2Block:
    """One block of table 二 (第二十条 items published actively; entered by hand per year)."""

    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    money: bool = False  # 万元 with up to four decimals; otherwise whole numbers of documents


@dataclass(frozen=True)
class ReviewColumn:
    """A column of table 四: review kind × result; path joined with '/' is its name."""

    kind: str
    result: str
    path: tuple[str, ...]

    @property
    def name(self) -> str:
        return "/".join(self.path)


@dataclass(frozen=True)
class Handbook:
    """The whole handbook, validated; look entries up by id."""

    roles: tuple[Role, ...]
    steps: tuple[Step, ...]
    outcomes: tuple[Outcome, ...]
    report_rows: tuple[ReportRow, ...]
    report_columns: tuple[ReportColumn, ...] = ()
    report_note: str = ""
    report_checks: tuple[ReportCheck, ...] = ()
    review_columns: tuple[ReviewColumn, ...] = ()
    laws: tuple[Law, ...] = ()
    action_labels: tuple[tuple[str, str], ...] = ()
    letter_labels: tuple[tuple[str, str], ...] = ()
    terms: tuple[Term, ...] = ()
    fees: FeeSchedule | None = None
    clock_citations: tuple[tuple[str, tuple[Citation, ...]], ...] = ()
    rule_citations: tuple[tuple[str, tuple[Citation, ...]], ...] = ()
    remedies: Remedies | None = None
    table2: tuple[Table2Block, ...] = ()
    table2_row_header: str = ""
    letter_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _roles: dict[str, Role] = field(init=False, repr=False, compare=False)
    _steps: dict[str, Step] = field(init=False, repr=False, compare=False)
    _outcomes: dict[str, Outcome] = field(init=False, repr=False, compare=False)
    _rows: dict[tuple[str, ...], ReportRow] = field(init=False, repr=False, compare=False)
    _laws: dict[str, Law] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_roles", {r.id: r for r in self.roles})
        object.__setattr__(self, "_steps", {s.id: s for s in self.steps})
        object.__setattr__(self, "_outcomes", {o.code: o for o in self.outcomes})
        object.__setattr__(self, "_rows", {r.path: r for r in self.report_rows})
        object.__setattr__(self, "_laws", {law.id: law for law in self.laws})

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    def role(self, role_id: str) -> Role:
        try:
            return self._roles[role_id]
        except KeyError:
            raise KeyError(f"没有角色 '{role_id}'") from None

    def step(self, step_id: str) -> Step:
        try:
            return self._steps[step_id]
        except KeyError:
            raise KeyError(f"没有步骤 '{step_id}'") from None

    def outcome(self, code: str) -> Outcome:
        try:
            return self._outcomes[code]
        except KeyError:
            raise KeyError(f"没有办理结果 '{code}'") from None

    def law(self, law_id: str) -> Law:
        try:
            return self._laws[law_id]
        except KeyError:
            raise KeyError(f"没有法律文件 '{law_id}'") from None

    def report_row(self, path: Sequence[str]) -> ReportRow:
        try:
            return self._rows[tuple(path)]
        except KeyError:
            raise KeyError(f"年报表三没有行 {' / '.join(path)}") from None

    def steps_allowing(self, action: str) -> tuple[Step, ...]:
        """The steps in which `action` may be taken, in procedure order."""
        if action not in ACTIONS:
            raise KeyError(f"没有操作 '{action}'")
        return tuple(s for s in self.steps if action in s.actions)

    def outcomes_in_row(self, path: Sequence[str]) -> tuple[Outcome, ...]:
        """The outcomes counted directly in a row of table 三 (none for sum and heading rows)."""
        wanted = tuple(path)
        return tuple(o for o in self.outcomes if o.report_path == wanted)

    def action_label(self, action: str) -> str:
        return dict(self.action_labels)[action]

    def letter_label(self, kind: str) -> str:
        return dict(self.letter_labels)[kind]

    def term(self, term_id: str) -> Term:
        for term in self.terms:
            if term.id == term_id:
                return term
        raise KeyError(f"没有期限 '{term_id}'")

    def cite(self, rule: str) -> str:
        """条例第三十一条: what an explanation or prompt cites for `rule` (CLOCK_CITATIONS in
        periods.yaml, RULE_CITATIONS in citations.yaml)."""
        return cited(dict(self.clock_citations + self.rule_citations)[rule])

    def cite_in_full(self, rule: str) -> str:
        """《中华人民共和国政府信息公开条例》第三十条: `rule` as a letter cites it."""
        return cited(dict(self.clock_citations + self.rule_citations)[rule], full=True)

    def remedy_defaults(self) -> Remedies:
        if self.remedies is None:
            raise KeyError("办事手册没有救济途径的默认文字（remedies.yaml）")
        return self.remedies

    def days(self, term_id: str) -> int:
        """The working days of a period of periods.yaml."""
        return self.term(term_id).days

    def fee_schedule(self) -> FeeSchedule:
        if self.fees is None:
            raise KeyError("办事手册没有收费标准（fees.yaml）")
        return self.fees

    def closed_by(self, action: str) -> Outcome:
        """The outcome a closing action (逾期不补正, 逾期未缴费, 撤回) records."""
        for outcome in self.outcomes:
            if outcome.closed_by == action:
                return outcome
        raise KeyError(f"没有由操作 '{action}' 记录的办理结果")

    def procedural_outcomes(self) -> dict[str, str]:
        """Outcome code → the action that records it, for outcomes that close a case at once."""
        return {o.code: o.closed_by for o in self.outcomes if o.closed_by is not None}

    def roles_for_letters(self, work: str) -> tuple[str, ...]:
        """Who may draft (起草) or issue (发文) letters, from steps.yaml's letter_roles."""
        return dict(self.letter_roles)[work]


# --------------------------------------------------------------------------- loading


def load_handbook(folder: Path | None = None) -> Handbook:
    """Read and validate the handbook: the folder given, else the office's own copy named by
    DISCLOSURE_DESK_HANDBOOK, else the installed `handbook` package (cached)."""
    if folder is None:
        return _default_handbook(os.environ.get(HANDBOOK_ENV) or None)
    return _parsed(folder, folder.name, str(folder))


def cite(rule: str) -> str:
    """条例第三十五条: the citation of a rule in the handbook in force, for a sentence."""
    return load_handbook().cite(rule)


def term_days(term_id: str) -> int:
    """The working days of a period (periods.yaml) in the handbook in force."""
    return load_handbook().days(term_id)


@functools.cache
def _default_handbook(office_copy: str | None) -> Handbook:
    if office_copy is not None:
        folder = Path(office_copy)
        return _parsed(folder, folder.name, str(folder))
    return _parsed(importlib.resources.files("handbook"), "handbook", None)


# Actions that close a case at once with an outcome of their own (the applicant abandoned or
# withdrew); outcomes.yaml names which outcome each one records (closed_by).
CLOSING_ACTIONS: tuple[str, ...] = ("lapse_correction", "lapse_fee", "withdraw")


def _parsed(root: Traversable, display: str, base: str | None) -> Handbook:
    """The handbook under root, parsed by an earlier process when its files are unchanged."""
    from cases.rules import handbook_cache

    def parse() -> Handbook:
        from cases.rules import handbook_yaml  # PyYAML, only when the files must be read

        return handbook_yaml.parse(root, display, base)

    return handbook_cache.cached(root, display, base, parse)
