"""Actions around the checks before sign-off: the search record, the signer's override, the runs.

record_search (登记检索记录, in 办理) and override_check (签发人放行, in 审核签发) are guarded and
audited like every action and return a Result. checks_at is what submit_for_review and sign_off
call: it runs the rules, keeps the run on the case and, at sign-off, refuses while a red
finding stands.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cases.actions.base import Act, CaseRef, begin, check_day, required_text
from cases.assist import checks
from cases.result import Changes, Notice, Result
from cases.rules.workflow import ActionRefused, today
from cases.storage.model import CheckOverride, SearchRecord, User


def record_search(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    searched_on: dt.date,
    places: str,
    keywords: str,
    departments: str = "",
    result: str = "",
) -> Result[SearchRecord]:
    """登记检索记录: where was searched, with which keywords, whom was asked, on which day."""
    act = begin(session, actor, ref, "record_search")
    case = act.case
    where = required_text("search.places", places, "检索范围（检索了哪些档案、系统或文件）")
    words = required_text("search.keywords", keywords, "检索关键词")
    day = check_day(case, "search.searched_on", searched_on, "检索日期")
    row = SearchRecord(
        searched_on=day,
        places=where,
        keywords=words,
        departments=departments.strip(),
        result=result.strip(),
        recorded_by=actor.username,
    )
    case.searches.append(row)
    act.record(
        {
            "search.searched_on": (None, day),
            "search.places": (None, where),
            "search.keywords": (None, words),
            "search.departments": (None, row.departments or None),
            "search.result": (None, row.result or None),
        }
    )
    session.flush()
    return Result(row, Changes.of_cases([case.id]))


def override_check(
    session: Session,
    actor: User,
    ref: CaseRef,
    *,
    rule: str,
    reason: str,
    on: dt.date | None = None,
) -> Result[CheckOverride]:
    """签发人放行: the signer signs despite a red finding, and says why; the reason is kept.

    `on` is the day the signer means to sign (default today): the checks are judged as of it.
    """
    act = begin(session, actor, ref, "override_check")
    case = act.case
    try:
        spec = checks.rule(rule)
    except KeyError:
        names = "、".join(f"{r.id}（{r.name}）" for r in checks.load_rules() if r.severity == "red")
        raise ActionRefused("check.rule", f"没有检查项“{rule}”；可放行的检查项：{names}") from None
    if spec.severity != "red":
        raise ActionRefused("check.rule", f"“{spec.name}”只是提示，不阻止签发，无需放行")
    why = required_text("check.reason", reason, "放行理由")
    report = checks.run_checks(session, case, on or today())
    finding = next((f for f in report.findings if f.rule.id == rule), None)
    if finding is None:
        raise ActionRefused("check.rule", f"本案“{spec.name}”检查没有发现问题，无需放行")
    if finding.overridden_by is not None:
        raise ActionRefused(
            "check.rule",
            f"“{spec.name}”已由{finding.overridden_by}放行（理由：{finding.override_reason}）",
        )
    row = CheckOverride(rule=rule, finding=finding.message, reason=why, signer=actor.username)
    case.check_overrides.append(row)
    act.record(
        {f"check[{rule}].override": (None, why), f"check[{rule}].finding": (None, finding.message)}
    )
    session.flush()
    return Result(row, Changes.of_cases([case.id]))


def checks_at(act: Act, stage: str, on: dt.date, *, block: bool) -> checks.CheckReport:
    """Run the checks for submit_for_review or sign_off and keep the run on the case.

    With block=True (sign-off) a red finding not overridden refuses the action; the refusal
    names every such finding, its basis and how to fix it or that the signer may override it.
    """
    report = checks.run_checks(act.session, act.case, on)
    if block and report.blocking:
        lines = "；".join(
            f"{f.rule.name}：{f.message}（依据{f.rule.basis_text}；{f.rule.fix}）"
            for f in report.blocking
        )
        raise ActionRefused(
            "checks",
            f"签发前检查有{len(report.blocking)}项须改正：{lines}。"
            "改正后再签发，或由签发人写明理由放行",
        )
    checks.record_run(act.session, act.case, report, stage, act.actor.username)
    act.record({"checks": (None, report.summary())})
    return report


def notices(report: checks.CheckReport) -> tuple[Notice, ...]:
    """The findings as warnings of the operation's Result, red first."""
    ordered = sorted(report.findings, key=lambda f: f.rule.severity != "red")
    return tuple(
        Notice(f"checks.{f.rule.id}", f"{f.rule.name}：{f.message}（依据{f.rule.basis_text}）")
        for f in ordered
    )
