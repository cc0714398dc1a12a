"""The pages of the case detail pane, built as HTML inside one read session (no Qt here).

Everything the user typed (names, request text, notes) goes through html.escape: an applicant
called `A&B <公司>` must read exactly like that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.query.caselist import DEFAULT_AMBER_DAYS, CaseRow, row_warning
from cases.rules import checklist, vocab
from cases.rules.handbook import cite
from cases.storage import audit
from cases.storage.model import Case, User
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import ClockResult, WarningLevel
from gui import labels, timeline

STYLE = """
<style>
h2 { margin: 0 0 4px 0; }
h3 { margin: 14px 0 4px 0; color: #1f3a5f; }
table.kv td { padding: 1px 10px 1px 0; vertical-align: top; }
table.kv td.k { color: #555; white-space: nowrap; }
table.grid { border-collapse: collapse; }
table.grid th, table.grid td { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; }
table.grid th { background: #eef2f7; }
.void { color: #b71c1c; font-weight: bold; }
.demo { color: #b35c00; font-weight: bold; }
.muted { color: #777; }
.warn { color: #8a5a00; font-weight: bold; }
</style>
"""


@dataclass(frozen=True)
class DetailPages:
    """What the detail pane shows for one case."""

    case_id: int
    title: str
    case_html: str
    clock_html: str
    clock_lines: tuple[str, ...]
    trail_html: str
    guidance_title: str
    guidance_md: str
    steps: tuple[tuple[str, str], ...] = ()
    step: str = ""
    archived: bool = False
    voided: bool = False
    deadline_headline: str = ""
    level: WarningLevel = WarningLevel.NONE
    checklist: tuple[tuple[str, str], ...] = ()
    ticks: tuple[tuple[str, str], ...] = ()  # (item id, who ticked it and when)


def _text(value: object) -> str:
    """User text as HTML: escaped, line breaks kept."""
    if value is None or value == "":
        return '<span class="muted">—</span>'
    return escape(str(value)).replace("\n", "<br>")


def _kv(pairs: Iterable[tuple[str, object]]) -> str:
    cells = "".join(f'<tr><td class="k">{escape(k)}</td><td>{_text(v)}</td></tr>' for k, v in pairs)
    return f'<table class="kv">{cells}</table>'


def _grid(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_text(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="grid" cellspacing="0"><tr>{head}</tr>{body}</table>'


def _d(day: dt.date | None) -> str:
    return labels.cn_date(day)


def _section(title: str, body: str) -> str:
    return f"<h3>{escape(title)}</h3>{body}"


def _applicant(case: Case) -> str:
    a = case.applicant
    agent = None
    if a.agent_name:
        agent = a.agent_name + (f"（{a.agent_phone}）" if a.agent_phone else "")
    identity = None
    if a.id_number:
        identity = f"{labels.label(vocab.ID_TYPES, a.id_type)} {a.id_number}"
    return _kv(
        [
            ("姓名或名称", a.name),
            ("申请人类型", labels.label(vocab.APPLICANT_TYPES, a.type)),
            ("身份证明", identity),
            ("联系电话", a.phone),
            ("通信地址", a.address),
            ("邮政编码", a.postcode),
            ("电子邮箱", a.email),
            ("代理人", agent),
        ]
    )


def _request(case: Case, session: Session) -> str:
    parent = session.get(Case, case.parent_id) if case.parent_id else None
    return _kv(
        [
            ("收到日期", _d(case.received)),
            ("提交渠道", labels.label(vocab.CHANNELS, case.channel)),
            ("申请内容", case.description),
            ("提供形式", labels.label(vocab.FORMS, case.form)),
            ("获取方式", labels.label(vocab.DELIVERIES, case.delivery)),
            ("承办部门", case.department),
            ("承办人", case.handler),
            ("办理步骤", labels.step_name(case.step)),
            ("拆分自", parent.no if parent else None),
        ]
    )


def _events(case: Case) -> str:
    rows: list[tuple[dt.date, str, str]] = []
    for c in case.corrections:
        got = f"，{_d(c.received)}收到补正" if c.received else "，尚未补正"
        items = f"；补正内容：{c.items}" if c.items else ""
        rows.append((c.notice, "补正告知", f"补正期限至{_d(c.until)}{got}{items}"))
    for k in case.consultations:
        who = labels.label(vocab.CONSULTATION_PARTIES, k.party)
        reply = f"，{_d(k.replied)}答复" if k.replied else "，尚未答复"
        opinion = f"：{k.opinion}" if k.opinion else ""
        rows.append((k.sent, "征求意见", f"{who}（{k.to}）{reply}{opinion}"))
    for e in case.extensions:
        why = f"；理由：{e.reason}" if e.reason else ""
        rows.append((e.on, "延期", f"经{e.approved_by}批准{why}"))
    for f in case.fees:
        paid = f"，{_d(f.paid)}缴费" if f.paid else "，尚未缴费"
        method = labels.label(vocab.FEE_METHODS, f.method)
        rows.append((f.notice, "收费通知", f"{method} {format(f.amount, 'f')} 元{paid}"))
    for x in case.delays:
        rows.append(
            (
                x.on,
                vocab.EVENT_KINDS["delay"],
                f"依{cite('delay')}另行确定答复期限为{_d(x.due)}；理由：{x.reason}",
            )
        )
    for s in case.services:
        how = labels.label(labels.SERVICE_METHODS, s.method)
        number = f"（{s.tracking_no}）" if s.tracking_no else ""
        proof = f"；回证：{s.proof}" if s.proof else ""
        rows.append((s.served_on, "送达", f"{how}{number}，经办人{s.recorded_by}{proof}"))
    if not rows:
        return '<p class="muted">没有补正、征求意见、延期、收费或送达记录。</p>'
    rows.sort(key=lambda r: r[0])
    return _grid(["日期", "事项", "情况"], ((_d(d), what, how) for d, what, how in rows))


def _outcome(case: Case) -> str:
    if not case.outcome_code:
        return '<p class="muted">尚未办结。</p>'
    reasons: list[str] = []
    book = labels.handbook()
    for reason_id in case.outcome_reasons.split():
        try:
            reasons.append(book.outcome(case.outcome_code).reason(reason_id).text if book else "")
        except KeyError:
            reasons.append(reason_id)
    return _kv(
        [
            ("办理结果", labels.outcome_label(case.outcome_code)),
            ("办结日期", _d(case.outcome_on)),
            ("理由", "\n".join(r for r in reasons if r) or None),
            ("说明", case.outcome_note or None),
        ]
    )


def _letters(case: Case) -> str:
    if not case.letters:
        return '<p class="muted">没有文书。</p>'
    return _grid(
        ["文书", "状态", "文号", "出具人", "出具时间"],
        (
            (
                labels.letter_label(x.kind),
                labels.label(labels.LETTER_STATUSES, x.status),
                x.number,
                x.issued_by,
                labels.local_time(x.issued_at) if x.issued_at else None,
            )
            for x in case.letters
        ),
    )


def _reviews(case: Case) -> str:
    parts: list[str] = []
    if case.approvals:
        parts.append(
            _grid(
                ["环节", "提请人", "提请时间", "决定", "决定人", "意见"],
                (
                    (
                        labels.label(labels.APPROVAL_STAGES, a.stage),
                        a.requested_by,
                        labels.local_time(a.requested_at),
                        labels.label(labels.APPROVAL_DECISIONS, a.decision) or "待决定",
                        a.decided_by,
                        a.comment,
                    )
                    for a in case.approvals
                ),
            )
        )
    if case.reviews:
        parts.append(
            _grid(
                ["类别", "提起日期", "结果", "审结日期"],
                (
                    (
                        labels.label(vocab.REVIEW_KINDS, r.kind),
                        _d(r.filed),
                        labels.label(vocab.REVIEW_RESULTS, r.result) or "尚未审结",
                        _d(r.decided),
                    )
                    for r in case.reviews
                ),
            )
        )
    return "".join(parts) or '<p class="muted">没有审核签发记录，也没有行政复议或行政诉讼。</p>'


def _row_of(case: Case) -> CaseRow:
    return CaseRow(
        id=case.id,
        no=case.no,
        received=case.received,
        applicant_name=case.applicant.name,
        applicant_type=case.applicant.type,
        channel=case.channel,
        department=case.department,
        handler=case.handler,
        step=case.step,
        status=case.status,
        due=case.due,
        due_provisional=case.due_provisional,
        outcome_code=case.outcome_code,
        outcome_on=case.outcome_on,
        voided=case.voided,
    )


def _deadlines(
    case: Case, clock: ClockResult, cal: WorkCalendar, today: dt.date, amber_days: int
) -> str:
    level, left = row_warning(_row_of(case), today, cal, amber_days)
    due = _d(clock.due) + ("（暂定）" if clock.due_provisional else "") if clock.due else None
    if clock.due is None and clock.status.value == "suspended":
        due = "中止计时（等待补正或缴费）"
    pairs: list[tuple[str, object]] = [
        ("状态", labels.label(vocab.STATUSES, clock.status.value)),
        ("收到申请之日", _d(clock.first_day0)),
    ]
    if clock.day0 != clock.first_day0:
        pairs.append(("重新起算日", _d(clock.day0)))
    pairs += [
        ("答复期限", due),
        ("剩余工作日", labels.remaining_text(level, left) or None),
        ("补正告知截止日", _d(clock.correction_notice_due)),
    ]
    if clock.fee_payment_due:
        pairs.append(("缴费期限", _d(clock.fee_payment_due)))
    return _kv(pairs)


def _trail_grid(trail: list[timeline.TimelineEntry]) -> str:
    """One row per operation; its changes as 项目：原值 → 新值 lines."""
    rows = []
    for e in trail:
        lines = []
        for what, old, new in e.changes:
            change = f"{escape(old)} → {escape(new)}" if old else escape(new) or "（清除）"
            lines.append(f'<span class="muted">{escape(what)}：</span>{change}')
        rows.append(
            f"<tr><td>{escape(e.at)}</td><td>{escape(e.who)}</td><td>{escape(e.action)}</td>"
            f"<td>{'<br>'.join(line.replace(chr(10), '<br>') for line in lines)}</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("时间", "操作人", "操作", "内容"))
    return f'<table class="grid" cellspacing="0"><tr>{head}</tr>{"".join(rows)}</table>'


@dataclass(frozen=True)
class _Tick:
    by: str
    at: dt.datetime


def _headline(case: Case, clock: ClockResult, level: WarningLevel, left: int | None) -> str:
    """One line for the deadline panel: the due date, the days left, the warning in words."""
    if case.voided:
        return "本案已作废，不计期限"
    if case.outcome_code is not None:
        on = labels.cn_day(case.outcome_on)
        return f"已于{on}办结：{labels.outcome_label(case.outcome_code)}"
    if clock.due is None:
        return "答复期限中止计算（等待补正或缴费）"
    due = labels.cn_day(clock.due) + ("（暂定）" if clock.due_provisional else "")
    if level is WarningLevel.OVERDUE:
        late = f"{-left}个工作日" if left is not None and left < 0 else ""
        return f"答复期限{due} · 已逾期{late}"
    if level is WarningLevel.RED:
        return f"答复期限{due} · 今日到期"
    word = " · 临期" if level is WarningLevel.AMBER else ""
    return f"答复期限{due} · 还剩{left}个工作日{word}"


def build_pages(
    session: Session,
    case_id: int,
    cal: WorkCalendar,
    today: dt.date,
    amber_days: int = DEFAULT_AMBER_DAYS,
) -> DetailPages | None:
    """Everything the detail pane shows for one case, or None when the id is not in the file."""
    case = session.get(Case, case_id)
    if case is None:
        return None
    clock = deadlines.clock_of(case, cal)
    status = "已作废" if case.voided else labels.label(vocab.STATUSES, case.status)
    title = f"{case.no}　{case.applicant.name}　{status}"
    head = f"<h2>{escape(case.no)}</h2>"
    if case.demo:
        title += f"　【{labels.DEMO_MARK}】"
        head += f'<p class="demo">{escape(labels.DEMO_TIP)}</p>'
    if case.voided:
        on = f"（{_d(case.voided_on)}）" if case.voided_on else ""
        head += f'<p class="void">本案已作废{on}：{_text(case.void_reason)}</p>'
    case_html = (
        STYLE
        + head
        + _section("申请人", _applicant(case))
        + _section("申请", _request(case, session))
        + _section("期限", _deadlines(case, clock, cal, today, amber_days))
        + _section("办理事项", _events(case))
        + _section("办理结果", _outcome(case))
        + _section("文书", _letters(case))
        + _section("审核签发与复议诉讼", _reviews(case))
    )
    lines = clock.explanation
    clock_html = (
        STYLE
        + _section("答复期限的计算", _deadlines(case, clock, cal, today, amber_days))
        + "<ol>"
        + "".join(f"<li>{escape(line)}</li>" for line in lines)
        + "</ol>"
    )
    people = {u.username: u.display_name for u in session.scalars(select(User))}
    book = labels.handbook()
    items = {(st.id, i.id): i.text for st in (book.steps if book else ()) for i in st.checklist}
    trail = timeline.entries(audit.trail(session, case_id), people, items)
    if trail:
        trail_html = STYLE + _trail_grid(trail)
    else:
        trail_html = STYLE + '<p class="muted">本案没有操作记录。</p>'
    step = labels.step_name(case.step)
    if book is None:
        guidance = f"办事手册无法读取：{labels.handbook_problem()}"
    else:
        try:
            guidance = book.step(case.step).guidance_md
        except KeyError:
            guidance = f"办事手册中没有步骤“{case.step}”的指引。"
    level, left = row_warning(_row_of(case), today, cal, amber_days)
    ticked = checklist.ticks(session, case.id).get(case.step, {})
    own_step = book.step(case.step) if book and case.step in {x.id for x in book.steps} else None
    return DetailPages(
        steps=tuple((x.id, x.name) for x in book.steps) if book else (),
        step=case.step,
        archived=case.archived_at is not None,
        voided=case.voided,
        deadline_headline=_headline(case, clock, level, left),
        level=level,
        checklist=tuple((i.id, i.text) for i in own_step.checklist) if own_step else (),
        ticks=tuple(
            (
                item,
                f"{people.get(t.checked_by, t.checked_by)}于{labels.local_time(t.checked_at)}核对",
            )
            for item, t in ticked.items()
        ),
        case_id=case.id,
        title=title,
        case_html=case_html,
        clock_html=clock_html,
        clock_lines=lines,
        trail_html=trail_html,
        guidance_title=f"办事指引·{step}",
        guidance_md=guidance,
    )
