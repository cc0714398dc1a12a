"""The review and suit file (答复材料): a case's evidence as one .docx and a folder of originals.

When a reconsideration (行政复议) or a suit (行政诉讼) is brought against a reply, the office must
answer within a short time and hand over the evidence of what it did. This module assembles it
from the case: the application and its receipt with the channel's proof, the clock with every
pause and its basis, the search record, the 补正 and consultation letters and replies, the
approval chain, the issued letters and the proofs of service, in time order; and it sets the
deadline to answer from the day the notice arrived (a setting per kind: by default the law's 10
days for a reconsideration, 15 for a suit).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.assist import checks
from cases.rules import settings as app_settings
from cases.rules import vocab
from cases.rules.handbook import cite, load_handbook
from cases.rules.workflow import current_outcome
from cases.storage import paths
from cases.storage.model import Case, Letter, User
from cases.timing import clock, dates, deadlines
from cases.timing.office_calendar import load_calendar

# Days to answer after the notice arrives: declared settings (cases.rules.settings) whose defaults
# are the law's figures in handbook/periods.yaml (行政复议法 第四十八条: the respondent answers
# within 10 days of receiving the copy of the application; 行政诉讼法 第六十七条: the defendant
# files its defence within 15 days of receiving the copy of the complaint).
ANSWER_DAYS_KEY = app_settings.REVIEW_ANSWER_DAYS
SUIT_DAYS_KEY = app_settings.SUIT_ANSWER_DAYS
# kind → (period of periods.yaml, setting, what arrives, what the office must do by the date)
ANSWERS = {
    "reconsideration": (
        "review_answer", ANSWER_DAYS_KEY, "行政复议申请书副本", "提出书面答复并提交证据、依据",
    ),
    "litigation_direct": (
        "suit_answer", SUIT_DAYS_KEY, "起诉状副本", "提交答辩状和作出行政行为的证据、依据",
    ),
    "litigation_after_review": (
        "suit_answer", SUIT_DAYS_KEY, "起诉状副本", "提交答辩状和作出行政行为的证据、依据",
    ),
}  # fmt: skip
ORIGINALS = "原件"
STAGES = {"outcome": "拟办意见", "review": "审核", "sign_off": "签发", "extension": "延期审批"}
DECISIONS = {"approved": "同意", "returned": "退回", None: "待决定"}


def cn_date(d: dt.date | None) -> str:
    return dates.cn_date(d) if d is not None else "（未记录）"


def cn_moment(moment: dt.datetime | None) -> str:
    if moment is None:
        return "（未记录）"
    local = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    local = local.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{cn_date(local.date())} {local:%H:%M}"


# --------------------------------------------------------------------------- the deadline to answer


def answer_days(session: Session, kind: str = "reconsideration") -> int:
    """The days the office has to answer a review or suit of this kind (a setting)."""
    return int(app_settings.value(session, ANSWERS[kind][1]))


@dataclass(frozen=True)
class AnswerDeadline:
    """The office's deadline to answer one review or suit, shown beside the case's other dates."""

    review_id: int
    kind: str
    notice_on: dt.date
    due: dt.date
    days: int
    # The last of the days fell on a rest day, so the period ends on the next working day
    # (periods.yaml, citation holiday_end); this is that last calendar day.
    last_day: dt.date | None = None

    def level(self, today: dt.date) -> clock.WarningLevel:
        """临期 at 3 days or fewer, 今日到期, 逾期: the levels of every other deadline."""
        if today > self.due:
            return clock.WarningLevel.OVERDUE
        if today == self.due:
            return clock.WarningLevel.RED
        if (self.due - today).days <= 3:
            return clock.WarningLevel.AMBER
        return clock.WarningLevel.NONE

    def explanation(self) -> str:
        """What the deadline is, from what it counts and on what it rests (or that it was set)."""
        period, _key, arrives, task = ANSWERS[self.kind]
        term = load_handbook().term(period)
        basis = (
            f"依据{term.basis_text}"
            if self.days == term.days
            else f"本机关设置为{self.days}日，法定为{term.days}日，依据{term.basis_text}"
        )
        kind = vocab.REVIEW_KINDS.get(self.kind, self.kind)
        moved = (
            f"；第{self.days}日{cn_date(self.last_day)}为休息日，依据{cite('holiday_end')}顺延"
            if self.last_day is not None
            else ""
        )
        return (
            f"{kind}：{term.name}自{cn_date(self.notice_on)}收到{arrives}起{self.days}日内"
            f"{task}，至{cn_date(self.due)}（{basis}{moved}）"
        )


def answer_deadlines(session: Session, case: Case) -> list[AnswerDeadline]:
    """The open reviews' deadlines: calendar days from the notice, a last day that is a rest day
    moved to the next working day of the office's calendar."""
    out: list[AnswerDeadline] = []
    cal = None
    for r in case.reviews:
        if r.answer_notice_on is None or r.decided is not None:
            continue
        cal = cal or load_calendar(session)
        days = answer_days(session, r.kind)
        last = r.answer_notice_on + dt.timedelta(days)
        due = last
        while not cal.is_workday(due):
            due += dt.timedelta(1)
        moved = last if due != last else None
        out.append(AnswerDeadline(r.id, r.kind, r.answer_notice_on, due, days, moved))
    return out


# --------------------------------------------------------------------------- the timeline


@dataclass(frozen=True)
class Event:
    on: dt.date
    what: str


def timeline(case: Case) -> list[Event]:
    """Everything dated that happened to the case, in time order."""
    hb = load_handbook()
    ev: list[Event] = [
        Event(case.received, f"收到申请（{vocab.CHANNELS.get(case.channel, case.channel)}）")
    ]
    for c in case.corrections:
        ev.append(Event(c.notice, f"发出补正告知，补正期限至{cn_date(c.until)}"))
        if c.received is not None:
            ev.append(Event(c.received, "收到补正材料，答复期限重新计算"))
    for found in case.searches:
        ev.append(Event(found.searched_on, f"检索：{found.places}（关键词：{found.keywords}）"))
    for k in case.consultations:
        party = vocab.CONSULTATION_PARTIES.get(k.party, k.party)
        ev.append(Event(k.sent, f"向{party}{k.to}发出征求意见"))
        if k.replied is not None:
            ev.append(Event(k.replied, f"{k.to}答复意见：{k.opinion or '（未记录内容）'}"))
    for e in case.extensions:
        ev.append(Event(e.on, f"批准延期答复（批准人：{e.approved_by or '未记录'}）"))
    for f in case.fees:
        ev.append(Event(f.notice, f"发出收费通知（{f.amount}元）"))
        if f.paid is not None:
            ev.append(Event(f.paid, "申请人缴费"))
    for d in case.delays:
        ev.append(Event(d.on, f"按{cite('delay')}确定延迟答复期限至{cn_date(d.due)}"))
    for a in case.approvals:
        stage = STAGES.get(a.stage, a.stage)
        ev.append(Event(a.requested_at.date(), f"{stage}：{a.requested_by}提出"))
        if a.decided_at is not None:
            verdict = DECISIONS.get(a.decision, a.decision or "")
            ev.append(Event(a.decided_at.date(), f"{stage}：{a.decided_by}{verdict}"))
    for x in case.letters:
        if x.status == "issued":
            day = x.issued_on or (x.issued_at.date() if x.issued_at else case.received)
            ev.append(Event(day, f"发文：{hb.letter_label(x.kind)} {x.number or ''}".rstrip()))
    for s in case.services:
        ev.append(Event(s.served_on, f"送达（{_method(s.method)}{_tracking(s.tracking_no)}）"))
    if case.outcome_code and case.outcome_on:
        ev.append(Event(case.outcome_on, f"办结：{hb.outcome(case.outcome_code).label}"))
    for r in case.reviews:
        ev.append(Event(r.filed, f"{vocab.REVIEW_KINDS.get(r.kind, r.kind)}受理"))
        if r.answer_notice_on is not None:
            ev.append(Event(r.answer_notice_on, "收到答复通知"))
        if r.decided is not None:
            ev.append(Event(r.decided, f"审结：{vocab.REVIEW_RESULTS.get(r.result or '', '')}"))
    return sorted(ev, key=lambda e: e.on)


def _method(method: str) -> str:
    from cases.actions.closing import SERVICE_METHODS

    return SERVICE_METHODS.get(method, method)


def _tracking(number: str | None) -> str:
    return f"，邮件号{number}" if number else ""


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[tuple[tuple[str, ...], ...], ...] = ()  # the first row of each is its header


@dataclass(frozen=True)
class ReviewFile:
    docx: Path
    originals: tuple[Path, ...]
    sections: tuple[str, ...]
    deadlines: tuple[AnswerDeadline, ...]


def sections(session: Session, case: Case) -> list[Section]:
    """What the file says, section by section (the .docx is written from these)."""
    hb = load_handbook()
    cal = deadlines.load_calendar(session)
    result = deadlines.clock_of(case, cal)
    names = {u.username: u.display_name for u in session.scalars(select(User))}

    def who(username: str | None) -> str:
        if not username:
            return ""
        name = names.get(username)
        return f"{name}（{username}）" if name and name != username else username

    a = case.applicant
    ident = f"{vocab.ID_TYPES.get(a.id_type or '', '未记录')} {a.id_number or ''}".rstrip()
    receipts = [x for x in case.letters if x.kind == "receipt" and x.status == "issued"]
    proof = (
        f"登记回执：{receipts[-1].number or '已发文'}（{cn_date(_issued_day(receipts[-1]))}）"
        if receipts
        else "登记回执：未在本程序中发文"
    )
    out: list[Section] = []
    out.append(
        Section(
            "一、申请及收到情况",
            (
                f"申请人：{a.name}（{vocab.APPLICANT_TYPES.get(a.type, a.type)}）；证件：{ident}",
                f"联系电话：{a.phone or '未记录'}；通信地址：{a.address or '未记录'}",
                f"申请内容：{case.description}",
                proof,
                f"提交渠道：{vocab.CHANNELS.get(case.channel, case.channel)}；"
                f"收到申请之日：{cn_date(case.received)}",
                f"获取方式：{vocab.FORMS.get(case.form, case.form)}，"
                f"{vocab.DELIVERIES.get(case.delivery, case.delivery)}",
            ),
        )
    )
    out.append(
        Section(
            "二、答复期限的计算",
            (*result.explanation, f"答复期限：{cn_date(result.due)}"),
        )
    )
    out.append(
        Section(
            "三、检索记录",
            ("本案没有检索记录。",) if not case.searches else (),
            _table(
                ("检索日期", "检索范围", "关键词", "询问的部门", "结果", "登记人"),
                (
                    (
                        cn_date(s.searched_on),
                        s.places,
                        s.keywords,
                        s.departments,
                        s.result,
                        who(s.recorded_by),
                    )
                    for s in case.searches
                ),
            )
            if case.searches
            else (),
        )
    )
    events: list[tuple[str, ...]] = []
    for c in case.corrections:
        events.append(
            (
                "补正告知",
                cn_date(c.notice),
                f"补正期限至{cn_date(c.until)}；{c.items}",
                cn_date(c.received) if c.received else "未补正",
            )
        )
    for k in case.consultations:
        events.append(
            (
                f"征求{vocab.CONSULTATION_PARTIES.get(k.party, k.party)}意见",
                cn_date(k.sent),
                k.to,
                f"{cn_date(k.replied)}：{k.opinion}" if k.replied else "未答复",
            )
        )
    for e in case.extensions:
        events.append(("延期答复", cn_date(e.on), e.reason or "", f"批准人：{e.approved_by}"))
    for f in case.fees:
        events.append(
            (
                "收费通知",
                cn_date(f.notice),
                f"{vocab.FEE_METHODS.get(f.method, f.method)} {f.amount}元",
                cn_date(f.paid) if f.paid else "未缴费",
            )
        )
    for d in case.delays:
        label = f"延迟答复（{cite('delay')}）"
        events.append((label, cn_date(d.on), d.reason, cn_date(d.due)))
    out.append(
        Section(
            "四、补正、征求意见、延期和收费",
            () if events else ("本案没有补正、征求意见、延期、收费或延迟答复。",),
            _table(("事项", "日期", "内容", "答复或结果"), events) if events else (),
        )
    )
    out.append(
        Section(
            "五、审批经过",
            tuple(_check_lines(case)),
            _table(
                ("环节", "提出人", "提出时间", "决定人", "决定时间", "决定", "意见"),
                (
                    (
                        STAGES.get(x.stage, x.stage),
                        who(x.requested_by),
                        cn_moment(x.requested_at),
                        who(x.decided_by),
                        cn_moment(x.decided_at) if x.decided_at else "",
                        DECISIONS.get(x.decision, x.decision or ""),
                        x.comment,
                    )
                    for x in case.approvals
                ),
            ),
        )
    )
    chosen = current_outcome(case)
    if chosen is not None:
        outcome = hb.outcome(chosen.code)
        lines = [
            f"办理结果：{outcome.label}（{'已签发' if chosen.final else '拟办'}，"
            f"{cn_date(chosen.on) if chosen.on else '尚未办结'}）",
            f"依据：{'、'.join(c.text for c in outcome.citations) or '—'}",
            *(
                outcome.reason(r).text
                for r in chosen.reasons
                if r in {x.id for x in outcome.reasons}
            ),
        ]
        if case.outcome_statement:
            lines.append(f"写入文书的说明：{case.outcome_statement}")
        if case.outcome_holder:
            lines.append(f"负责公开的机关：{case.outcome_holder} {case.outcome_holder_contact}")
    else:
        lines = ["尚未确定办理结果。"]
    out.append(Section("六、办理结果", tuple(lines)))
    issued = [x for x in case.letters if x.status == "issued"]
    out.append(
        Section(
            "七、发文和送达",
            () if issued or case.services else ("本案没有发文或送达记录。",),
            tuple(
                t
                for t in (
                    _rows(
                        ("文书", "文号", "发文日期", "发文人", "原件文件"),
                        (
                            (
                                hb.letter_label(x.kind),
                                x.number or "",
                                cn_date(_issued_day(x)),
                                who(x.issued_by),
                                original_name(i, x),
                            )
                            for i, x in enumerate(issued, 1)
                        ),
                    ),
                    _rows(
                        ("送达方式", "邮件号", "送达日期", "送达凭证", "登记人"),
                        (
                            (
                                _method(s.method),
                                s.tracking_no or "",
                                cn_date(s.served_on),
                                s.proof,
                                who(s.recorded_by),
                            )
                            for s in case.services
                        ),
                    ),
                )
                if len(t) > 1
            ),
        )
    )
    reviews = [
        f"{vocab.REVIEW_KINDS.get(r.kind, r.kind)}：{cn_date(r.filed)}受理；"
        + (f"{cn_date(r.answer_notice_on)}收到答复通知；" if r.answer_notice_on else "")
        + (
            f"{cn_date(r.decided)}审结，{vocab.REVIEW_RESULTS.get(r.result or '', '')}"
            if r.decided
            else "尚未审结"
        )
        for r in case.reviews
    ]
    answer = [d.explanation() for d in answer_deadlines(session, case)]
    out.append(Section("八、复议和诉讼", tuple(reviews + answer) or ("本案没有复议或诉讼记录。",)))
    out.append(
        Section(
            "九、办理经过（时间顺序）",
            (),
            _table(("日期", "事项"), ((cn_date(e.on), e.what) for e in timeline(case))),
        )
    )
    return out


def _rows(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return (header, *(tuple(str(v) for v in r) for r in rows))


def _table(
    header: tuple[str, ...], rows: Iterable[tuple[str, ...]]
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    return (_rows(header, rows),)


def _check_lines(case: Case) -> list[str]:
    run = checks.latest_run(case)
    if run is None:
        return ["本案没有签发前检查记录。"]
    lines = [
        f"签发前检查（{cn_moment(run.run_at)}，{run.run_by}）：须改正{run.red}项，提示{run.amber}项"
    ]
    for f in checks.run_findings(run):
        line = f"{f.get('name')}：{f.get('message')}"
        if f.get("overridden_by"):
            line += f"（签发人{f['overridden_by']}放行，理由：{f.get('override_reason')}）"
        lines.append(line)
    return lines


def _issued_day(letter: Letter) -> dt.date | None:
    return letter.issued_on or (letter.issued_at.date() if letter.issued_at else None)


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def original_name(index: int, letter: Letter) -> str:
    label = load_handbook().letter_label(letter.kind)
    number = _UNSAFE.sub("_", letter.number or f"文书{letter.id}")
    return f"{index:02d}_{_UNSAFE.sub('_', label)}_{number}.docx"


def build_docx(case: Case, parts: list[Section], author: str = "") -> bytes:
    """One Word file: title, table of contents, each section with its paragraphs and table."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from cases.documents.docprops import stamp_document

    document = docx.Document()
    stamp_document(document, author)
    style = document.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), "仿宋_GB2312")  # or WPS and Word fall back to a Latin font
    document.add_heading(f"政府信息公开申请案件{case.no}答复材料", level=0)
    document.add_heading("目录", level=1)
    for part in parts:
        document.add_paragraph(part.title)
    # A TOC field too: Word fills in page numbers when the file is opened and updated.
    paragraph = document.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), 'TOC \\o "1-1" \\h \\z \\u')
    paragraph._p.append(field)
    for part in parts:
        document.add_heading(part.title, level=1)
        for line in part.paragraphs:
            document.add_paragraph(line)
        for n, rows in enumerate(part.tables):
            if n:
                document.add_paragraph()  # two tables side by side would read as one
            table = document.add_table(rows=0, cols=len(rows[0]))
            table.style = "Table Grid"
            for row in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_review_file(session: Session, case: Case, out_dir: Path) -> ReviewFile:
    """Write 答复材料.docx and the folder of originals (the issued letters as sent) to out_dir."""
    # Applicants' personal data: folders made here and every file are the user's only.
    paths.private_dir(out_dir)
    parts = sections(session, case)
    originals_dir = paths.private_dir(out_dir / ORIGINALS)
    written: list[Path] = []
    for i, letter in enumerate((x for x in case.letters if x.status == "issued"), 1):
        path = originals_dir / original_name(i, letter)
        _atomic_write(path, letter.content)
        written.append(path)
    target = out_dir / f"{_UNSAFE.sub('_', case.no)}_答复材料.docx"
    _atomic_write(target, build_docx(case, parts, _office(session)))
    return ReviewFile(
        target,
        tuple(written),
        tuple(p.title for p in parts),
        tuple(answer_deadlines(session, case)),
    )


def _office(session: Session) -> str:
    """The answering office, named as the file's author (a broken profile names nobody)."""
    from cases.office.profile import ProfileError, load_profile

    try:
        return load_profile(session).issuing_body
    except ProfileError:
        return ""


def _atomic_write(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    paths.private_file(partial)
    partial.replace(path)


def read_back(path: Path) -> dict[str, Any]:
    """Headings, paragraphs and table cells of a written file (for checks and tests)."""
    import docx

    document = docx.Document(str(path))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and (p.style.name or "").startswith(("Heading", "Title"))
    ]
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    return {"headings": headings, "paragraphs": paragraphs, "cells": cells}
