"""Checks before sign-off (签发前检查): the rules of handbook/checks.yaml run on one case.

The handbook file says each rule's severity, legal basis and plain explanation; this module
holds one function per rule id that looks at the case and says what is wrong with it, in
Chinese, or nothing. A red finding blocks sign-off until the case is fixed or the signer
overrides it with a reason (cases.actions.checking); amber findings are shown only.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cases.rules.handbook import (
    Citation,
    Handbook,
    Outcome,
    cite,
    load_handbook,
    term_days,
)
from cases.rules.workflow import OutcomeChoice, current_outcome, latest_approval
from cases.storage.model import Case, CheckOverride, CheckRun, Consultation, Letter
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import ClockResult, compute
from cases.timing.dates import cn_date

FILE = "checks.yaml"
SEVERITIES = {"red": "必须改正", "amber": "提示"}
DISCLOSING = frozenset({"disclose", "partial"})


# --------------------------------------------------------------------------- the rules as data


@dataclass(frozen=True)
class Rule:
    """One check: what it is called, how serious, on what legal basis, and why it matters."""

    id: str
    severity: str  # red | amber
    name: str
    basis: tuple[Citation, ...]
    explanation: str
    fix: str
    working_days: int | None = None

    @property
    def basis_text(self) -> str:
        return "、".join(c.text for c in self.basis)

    @property
    def severity_label(self) -> str:
        return SEVERITIES[self.severity]


def load_rules(folder: Path | None = None) -> tuple[Rule, ...]:
    """The rules of handbook/checks.yaml, validated; the installed handbook by default (cached)."""
    if folder is None:
        return _default_rules()
    return _read(folder, folder.name, str(folder), load_handbook(folder))


@functools.cache
def _default_rules() -> tuple[Rule, ...]:
    return _read(importlib.resources.files("handbook"), "handbook", None, load_handbook())


def _read(root: Traversable, display: str, base: str | None, hb: Handbook) -> tuple[Rule, ...]:
    # Read the handbook's way; PyYAML only once the rules are asked for, not with the window.
    from cases.rules.handbook_yaml import _Doc, _unique

    doc = _Doc.read(root, FILE, display, base)
    laws = {law.id: law for law in hb.laws}
    top = doc.mapping(doc.root, FILE, ("checks",))
    seen: dict[str, Any] = {}
    rules: list[Rule] = []
    keys = ("id", "severity", "name", "basis", "explanation", "fix")
    for node in doc.sequence(top.req("checks"), "checks", nonempty=True):
        m = doc.mapping(node, doc.peek(node, "id", "检查规则"), keys, ("working_days",))
        rule_id = doc.ident(m.req("id"), "检查规则编号")
        _unique(doc, seen, rule_id, m.req("id"), "检查规则编号")
        if rule_id not in RULES:
            known = "、".join(sorted(RULES))
            doc.fail(m.req("id"), f"程序中没有检查规则 '{rule_id}'（已有：{known}）")
        severity = doc.ident(m.req("severity"), "级别")
        if severity not in SEVERITIES:
            doc.fail(m.req("severity"), f"级别 '{severity}' 应当是 red 或 amber")
        rules.append(
            Rule(
                id=rule_id,
                severity=severity,
                name=m.text("name", "规则名称"),
                basis=doc.citations(m.req("basis"), "依据", laws),
                explanation=m.text("explanation", "说明"),
                fix=m.text("fix", "改正方法"),
                working_days=m.opt_int("working_days", "工作日数"),
            )
        )
        if not rules[-1].basis:
            doc.fail(m.req("basis"), "依据不能为空")
    missing = sorted(set(RULES) - set(seen))
    if missing:
        doc.fail(top.node, f"缺少检查规则：{'、'.join(missing)}")
    return tuple(rules)


def rule(rule_id: str) -> Rule:
    for r in load_rules():
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)


# --------------------------------------------------------------------------- running them


@dataclass(frozen=True)
class Finding:
    """What one rule found on one case, and the signer's override of it, if any."""

    rule: Rule
    message: str
    overridden_by: str | None = None
    override_reason: str | None = None

    @property
    def blocking(self) -> bool:
        return self.rule.severity == "red" and self.overridden_by is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "severity": self.rule.severity,
            "name": self.rule.name,
            "message": self.message,
            "basis": self.rule.basis_text,
            "overridden_by": self.overridden_by,
            "override_reason": self.override_reason,
        }


@dataclass(frozen=True)
class CheckReport:
    """The findings of every rule on one case as of one day; rules that stayed quiet passed."""

    case_no: str
    on: dt.date
    findings: tuple[Finding, ...]
    passed: tuple[Rule, ...]

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def amber(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule.severity == "amber")

    @property
    def ok(self) -> bool:
        return not self.blocking

    def summary(self) -> str:
        if not self.findings:
            return f"{len(self.passed)}项检查全部通过"
        red = len(self.blocking)
        overridden = sum(1 for f in self.findings if f.overridden_by is not None)
        parts = [f"{red}项须改正"] if red else []
        if overridden:
            parts.append(f"{overridden}项已由签发人说明理由放行")
        if self.amber:
            parts.append(f"{len(self.amber)}项提示")
        return "；".join(parts)


@dataclass(frozen=True)
class _Ctx:
    case: Case
    on: dt.date
    cal: WorkCalendar
    clock: ClockResult
    hb: Handbook
    rule: Rule


Check = Callable[[_Ctx], str | None]


def active_overrides(case: Case) -> dict[str, CheckOverride]:
    """Overrides made since the draft was last returned for revision, latest per rule.

    Decision: an override answers the draft the signer saw; once the draft goes back to 拟稿
    and comes again, the signer decides afresh.
    """
    returns = [
        a.decided_at
        for a in case.approvals
        if a.decision == "returned" and a.stage in ("review", "sign_off") and a.decided_at
    ]
    since = max(returns) if returns else None
    out: dict[str, CheckOverride] = {}
    for row in case.check_overrides:
        if since is None or _aware(row.at) > _aware(since):
            out[row.rule] = row
    return out


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timezone-aware columns back naive; every stored moment is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def run_checks(session: Session, case: Case, on: dt.date | None = None) -> CheckReport:
    """Every rule on the case as of `on` (the day the reply would be signed; default today)."""
    from cases.rules.workflow import today

    day = on or today()
    cal = deadlines.load_calendar(session)
    clock = deadlines.clock_of(case, cal)
    hb = load_handbook()
    overrides = active_overrides(case)
    findings: list[Finding] = []
    passed: list[Rule] = []
    for r in load_rules():
        message = RULES[r.id](_Ctx(case, day, cal, clock, hb, r))
        if message is None:
            passed.append(r)
            continue
        o = overrides.get(r.id) if r.severity == "red" else None
        findings.append(
            Finding(r, message, o.signer if o else None, o.reason if o else None),
        )
    return CheckReport(case.no, day, tuple(findings), tuple(passed))


def record_run(
    session: Session, case: Case, report: CheckReport, stage: str, actor: str
) -> CheckRun:
    """Keep the result on the case (签发前检查记录), in the caller's transaction."""
    row = CheckRun(
        stage=stage,
        run_by=actor,
        red=len(report.blocking),
        amber=len(report.amber),
        findings=json.dumps([f.as_dict() for f in report.findings], ensure_ascii=False),
    )
    case.check_runs.append(row)
    return row


def latest_run(case: Case) -> CheckRun | None:
    return case.check_runs[-1] if case.check_runs else None


def run_findings(run: CheckRun) -> list[dict[str, Any]]:
    value = json.loads(run.findings or "[]")
    return value if isinstance(value, list) else []


# --------------------------------------------------------------------------- one function a rule


def _closed_on(ctx: _Ctx) -> dt.date:
    return ctx.case.outcome_on or ctx.on


def _late_reply(ctx: _Ctx) -> str | None:
    due = ctx.clock.due
    if due is None:
        return None  # suspended: waiting for 补正 or payment, no period runs
    day = _closed_on(ctx)
    if day <= due:
        return None
    late = ctx.cal.workdays_between(due, day)
    relief = (
        ""
        if ctx.case.extensions or ctx.case.delays
        else f"；本案没有延期，也没有按{cite('delay')}确定延迟答复期限"
    )
    return f"答复期限为{cn_date(due)}，{cn_date(day)}答复已逾期{late}个工作日{relief}"


def _late_correction_notice(ctx: _Ctx) -> str | None:
    if not ctx.case.corrections:
        return None
    notice = ctx.case.corrections[0].notice
    limit = ctx.clock.correction_notice_due
    if notice <= limit:
        return None
    late = ctx.cal.workdays_between(limit, notice)
    return (
        f"补正告知书于{cn_date(notice)}发出，晚于收到申请之日起"
        f"{term_days('correction_notice')}个工作日的期限"
        f"{cn_date(limit)}（超过{late}个工作日）"
    )


def _outcome_code(ctx: _Ctx) -> str | None:
    chosen = current_outcome(ctx.case)
    return chosen.code if chosen is not None else None


def _not_held_without_search(ctx: _Ctx) -> str | None:
    if _outcome_code(ctx) != "unable_not_held" or ctx.case.searches:
        return None
    return "拟答复“本机关不掌握”，但本案没有检索记录（检索范围、关键词、询问的部门、检索日期）"


def _not_ours_without_body(ctx: _Ctx) -> str | None:
    chosen = current_outcome(ctx.case)
    if chosen is None or chosen.code != "unable_not_ours":
        return None
    # The two reasons that say no body can be named are the ones that need none.
    if set(chosen.reasons) & {"agency_unknown", "not_administrative"}:
        return None
    holder = chosen.holder.strip()
    contact = chosen.holder_contact.strip()
    if holder and contact:
        return None
    missing = "负责公开的机关名称和联系方式" if not holder else "负责公开的机关的联系方式"
    return f"拟答复“非本机关负责公开”，但没有写明{missing}"


def _refusal_outcome(ctx: _Ctx) -> tuple[OutcomeChoice, Outcome] | None:
    chosen = current_outcome(ctx.case)
    if chosen is None or chosen.code not in _codes(ctx.hb):
        return None  # outcome_mismatch says it
    outcome = ctx.hb.outcome(chosen.code)
    return (chosen, outcome) if outcome.refusal else None


def _refusal_without_reason(ctx: _Ctx) -> str | None:
    found = _refusal_outcome(ctx)
    if found is None or found[0].reasons:
        return None
    return f"“{found[1].label}”没有选择不予公开的理由和依据"


def _refusal_reason_generic(ctx: _Ctx) -> str | None:
    found = _refusal_outcome(ctx)
    if found is None or not found[0].reasons or found[0].statement.strip():
        return None
    return f"“{found[1].label}”只选择了理由条文，没有在写入文书的说明中写明具体的信息和事实"


def _issued_on(letter: Letter) -> dt.date | None:
    if letter.status != "issued":
        return None
    if letter.issued_on is not None:
        return letter.issued_on
    return letter.issued_at.date() if letter.issued_at is not None else None


def _objects(c: Consultation) -> bool:
    """The exchange format writes "object"; a reply typed by hand says 不同意 or 反对."""
    text = (c.opinion or "").strip()
    return c.replied is not None and (text == "object" or "不同意" in text or "反对" in text)


def _disclosure_over_objection(ctx: _Ctx) -> str | None:
    if _outcome_code(ctx) not in DISCLOSING:
        return None
    objections = [c for c in ctx.case.consultations if c.party == "third_party" and _objects(c)]
    if not objections:
        return None
    notices = [x for x in ctx.case.letters if x.kind == "third_party_notice"]
    if not notices:
        names = "、".join(c.to for c in objections)
        return f"第三方（{names}）不同意公开，拟决定公开却没有第三方公开告知书"
    issued = [d for d in (_issued_on(x) for x in notices) if d is not None]
    if not issued:
        return None  # drafted: it is issued with the reply; the wait is checked at service
    wait = ctx.rule.working_days or 0
    earliest = ctx.cal.add_workdays(min(issued), wait)
    kinds = {x.id: x.kind for x in ctx.case.letters}
    early = [
        s
        for s in ctx.case.services
        if s.served_on < earliest and kinds.get(s.letter_id or 0, "reply") == "reply"
    ]
    if early:
        return (
            f"第三方公开告知书于{cn_date(min(issued))}发出，等待期{wait}个工作日到"
            f"{cn_date(earliest)}届满，但{cn_date(early[0].served_on)}已向申请人送达"
        )
    return None


def _extension_not_in_order(ctx: _Ctx) -> str | None:
    if not ctx.case.extensions:
        return None
    ext = ctx.case.extensions[0]
    problems: list[str] = []
    if not (ext.approved_by or "").strip():
        problems.append("延期没有记录批准人")
    without = replace(
        deadlines.facts_of(ctx.case), extensions=(), outcome_code=None, outcome_on=None
    )
    before = compute(without, ctx.cal, explain=False).due
    if before is not None and ext.on > before:
        problems.append(f"延期于{cn_date(ext.on)}决定，晚于原答复期限{cn_date(before)}")
    told = _extension_notices(ctx)
    if told and before is not None and min(told) > before:
        problems.append(
            f"延期答复告知书于{cn_date(min(told))}发文，晚于原答复期限{cn_date(before)}"
        )
    return "；".join(problems) or None


def _extension_notices(ctx: _Ctx) -> list[dt.date]:
    return [d for d in (_issued_on(x) for x in ctx.case.letters if x.kind == "extension") if d]


def _extension_notice_missing(ctx: _Ctx) -> str | None:
    if not ctx.case.extensions or _extension_notices(ctx):
        return None
    return "本案已延期，但案卷中没有发文的延期答复告知书（如已另行书面告知，请补登文书）"


def _service_without_proof(ctx: _Ctx) -> str | None:
    problems: list[str] = []
    for s in ctx.case.services:
        when = cn_date(s.served_on)
        if s.method == "ems" and not (s.tracking_no or "").strip():
            problems.append(f"{when}的EMS送达没有邮件号")
        if not (s.proof or "").strip():
            problems.append(f"{when}的送达没有登记送达凭证")
    return "；".join(problems) or None


def _docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _outcome_mismatch(ctx: _Ctx) -> str | None:
    chosen = current_outcome(ctx.case)
    if chosen is None:
        return None
    try:
        outcome = ctx.hb.outcome(chosen.code)
    except KeyError:
        return f"办理结果代码“{chosen.code}”不在办理结果目录中"
    problems: list[str] = []
    try:
        ctx.hb.report_row(outcome.report_path)
    except KeyError:
        problems.append(f"“{outcome.label}”计入的年报行“{'/'.join(outcome.report_path)}”不存在")
    valid = {r.id for r in outcome.reasons}
    stray = [r for r in chosen.reasons if r not in valid]
    if stray:
        problems.append(f"理由“{'、'.join(stray)}”不属于“{outcome.label}”")
    reviewed = latest_approval(ctx.case, "review")
    if reviewed is not None and reviewed.decision != "returned":
        code = json.loads(reviewed.payload or "{}").get("code")
        if code and code != outcome.code:
            label = ctx.hb.outcome(str(code)).label if code in _codes(ctx.hb) else str(code)
            problems.append(f"提交审核的是“{label}”，现在的办理结果是“{outcome.label}”")
    replies = [x for x in ctx.case.letters if x.kind == "reply"]
    if replies:
        text = _docx_text(replies[-1].content)
        if outcome.title_kind not in text:
            problems.append(
                f"答复文书不是“{outcome.title_kind}”（“{outcome.label}”应出具{outcome.title_kind}）"
            )
        missing = [
            c.text for c in outcome.citations if c.article_text and c.article_text not in text
        ]
        if missing:
            problems.append(
                f"答复文书没有引用“{outcome.label}”的依据{'、'.join(missing)}，请按办理结果重新生成"
            )
    return "；".join(problems) or None


def _codes(hb: Handbook) -> frozenset[str]:
    return frozenset(o.code for o in hb.outcomes)


RULES: dict[str, Check] = {
    "late_reply": _late_reply,
    "late_correction_notice": _late_correction_notice,
    "not_held_without_search": _not_held_without_search,
    "not_ours_without_body": _not_ours_without_body,
    "refusal_without_reason": _refusal_without_reason,
    "refusal_reason_generic": _refusal_reason_generic,
    "disclosure_over_objection": _disclosure_over_objection,
    "extension_not_in_order": _extension_not_in_order,
    "extension_notice_missing": _extension_notice_missing,
    "service_without_proof": _service_without_proof,
    "outcome_mismatch": _outcome_mismatch,
}


def describe(report: CheckReport) -> list[str]:
    """The report as lines for the command line: each finding with its basis and why."""
    lines = [f"案件{report.case_no}签发前检查（{cn_date(report.on)}）：{report.summary()}"]
    for f in report.findings:
        mark = "红" if f.rule.severity == "red" else "黄"
        lines.append(f"［{mark}］{f.rule.name}：{f.message}（依据：{f.rule.basis_text}）")
        lines.append(f"      为什么：{f.rule.explanation}")
        lines.append(f"      怎样改：{f.rule.fix}")
        if f.overridden_by:
            lines.append(f"      已由签发人{f.overridden_by}放行，理由：{f.override_reason}")
    for r in report.passed:
        lines.append(f"［通过］{r.name}")
    return lines


def finding_ids(findings: Sequence[Finding]) -> list[str]:
    return [f.rule.id for f in findings]
