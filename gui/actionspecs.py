"""What each action's dialog asks, and which core operation it calls with the answers.

One ActionSpec per action of the handbook (and for 分办 and the moves between steps). The
fields ask exactly what the core operation takes; which actions are offered comes from
cases.rules.workflow.allowed_actions, never from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import actions
from cases.query.caselist import departments
from cases.rules import fees, vocab
from cases.rules.handbook import cite, term_days
from cases.rules.workflow import (
    allowed_actions,
    handbook,
    proposal_of,
)
from cases.storage.model import Case, User
from gui import labels
from gui.forms import Field, FormDialog, Kind

__all__ = ["SPECS", "ActionSpec", "CaseInfo", "case_info", "offered"]

Values = dict[str, Any]
OPINIONS = (("agree", "同意公开"), ("object", "不同意公开"), ("", "其他（写在说明中）"))


@dataclass(frozen=True)
class CaseInfo:
    """What the dialogs need to know about the case, read in one session."""

    id: int
    no: str
    step: str
    description: str
    department: str | None
    handler: str | None
    waiting_consultations: tuple[tuple[int, str], ...]
    correction_waiting: bool
    per_item_quote: str  # what 按件计收 would charge now, shown before the notice is saved
    fee_unpaid: bool
    issued_letters: tuple[tuple[int, str], ...]
    open_reviews: tuple[tuple[int, str], ...]
    proposal: tuple[str, tuple[str, ...], str] | None
    # The proposal's words for the letter: 写入文书的说明, and for 条例36(5) the holding body.
    proposal_letter: tuple[str, str, str]
    departments: tuple[str, ...]
    handlers: tuple[str, ...]
    actions: tuple[str, ...]  # what this user may do now, in the handbook's order
    next_steps: tuple[tuple[str, str], ...]  # (step id, name) the user may move the case to


def _per_item(session: Session, case: Case) -> str:
    quote = fees.per_item_fee(fees.position_in_month(session, case))
    return f"应收金额：{fees.amount_text(quote.amount)}（{quote.text}）"


def case_info(session: Session, case_id: int, user: User | None) -> CaseInfo | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    book = handbook()
    step = book.step(case.step)
    allowed = tuple(allowed_actions(case, user)) if user is not None else ()
    movable = (
        user is not None
        and not case.voided
        and case.archived_at is None
        and bool(user.role_set & set(step.roles))
    )
    proposal = proposal_of(case)
    handlers = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
    return CaseInfo(
        id=case.id,
        no=case.no,
        step=case.step,
        description=case.description,
        department=case.department,
        handler=case.handler,
        waiting_consultations=tuple(
            (c.id, f"{c.to}（{labels.cn_day(c.sent)}发出）")
            for c in case.consultations
            if c.replied is None
        ),
        per_item_quote=_per_item(session, case) if "fee_notice" in allowed else "",
        correction_waiting=any(c.received is None for c in case.corrections),
        fee_unpaid=any(f.paid is None for f in case.fees),
        issued_letters=tuple(
            (x.id, f"{labels.letter_label(x.kind)} {x.number or ''}".strip())
            for x in case.letters
            if x.status == "issued"
        ),
        open_reviews=tuple(
            (r.id, f"{labels.label(vocab.REVIEW_KINDS, r.kind)}（{labels.cn_day(r.filed)}受理）")
            for r in case.reviews
            if r.result is None
        ),
        proposal=(proposal.code, proposal.reasons, proposal.note) if proposal else None,
        proposal_letter=(
            (proposal.statement, proposal.holder, proposal.holder_contact)
            if proposal
            else ("", "", "")
        ),
        departments=tuple(departments(session)),
        handlers=tuple(u.display_name for u in handlers if "handler" in u.role_set),
        actions=allowed,
        next_steps=tuple((s, book.step(s).name) for s in step.next_steps) if movable else (),
    )


@dataclass(frozen=True)
class ActionSpec:
    """One action as the window offers it."""

    action: str
    fields: Callable[[CaseInfo, dt.date], list[Field]]
    call: Callable[[Session, User, CaseInfo, Values], object]
    intro: Callable[[CaseInfo], str] = lambda _info: ""
    shortcut: str = ""
    # Runs once the dialog exists: dependent choices (an outcome's reasons), previews.
    wire: Callable[[FormDialog, CaseInfo], None] = lambda _dialog, _info: None
    ok_text: str = "保存"
    case_list: bool = True  # whether the action may move the case between lists and views

    @property
    def label(self) -> str:
        if self.action.startswith("move:"):  # a step move is named by its button: 转入审核
            return self.ok_text
        return labels.action_label(self.action)


def _reasons(code: str) -> list[tuple[str, str]]:
    return [(r.id, r.text) for r in handbook().outcome(code).reasons]


def _date(name: str, label: str, core: str, tip: str = "") -> Field:
    return Field(name, label, Kind.DATE, tip=tip, core=(core,))


def _note(label: str = "说明", core: str = "note") -> Field:
    return Field("note", label, Kind.LONGTEXT, core=(core,), tip="内部说明，记入案卷，不写入文书")


def _procedural(code: str, action: str, date_label: str) -> ActionSpec:
    def fields(_info: CaseInfo, _today: dt.date) -> list[Field]:
        return [
            Field("reasons", "理由", Kind.TICKS, choices=_reasons(code), core=("outcome.reasons",)),
            _date("on", date_label, "outcome.on"),
            _note(),
        ]

    def call(s: Session, u: User, info: CaseInfo, v: Values) -> object:
        fn = {
            "lapse_correction": actions.lapse_correction,
            "lapse_fee": actions.lapse_fee,
            "withdraw": actions.withdraw,
        }[action]
        return fn(s, u, info.no, reasons=v["reasons"], on=v["on"], note=v["note"])

    return ActionSpec(
        action,
        fields,
        call,
        intro=lambda _i: f"登记后案件按“{labels.outcome_label(code)}”办结，转入拟稿出具告知书。",
    )


def _outcome_fields(info: CaseInfo, _today: dt.date) -> list[Field]:
    closing = handbook().procedural_outcomes()
    codes = [(o.code, o.label) for o in handbook().outcomes if o.code not in closing]
    code = info.proposal[0] if info.proposal else codes[0][0]
    return [
        Field("code", "办理结果", Kind.CHOICE, choices=codes, default=code, core=("outcome.code",)),
        Field("reasons", "理由", Kind.TICKS, choices=_reasons(code), core=("outcome.reasons",)),
        Field(
            "note",
            "内部说明",
            Kind.LONGTEXT,
            default=info.proposal[2] if info.proposal else "",
            tip="拟办意见的说明，记入案卷，不写入文书",
            core=("outcome.note", "note"),
        ),
        Field(
            "statement",
            "写入文书的说明",
            Kind.LONGTEXT,
            default=info.proposal_letter[0],
            tip="写给申请人、印入答复书的说明：不予公开或部分公开的理由、“其他处理”所作的决定等",
            core=("outcome.statement", "statement"),
        ),
        Field(
            "holder",
            "掌握该信息的机关",
            Kind.TEXT,
            default=info.proposal_letter[1],
            tip="结果为“无法提供-非本机关负责公开”时，告知申请人应向哪个机关申请",
            core=("outcome.holder", "holder"),
        ),
        Field(
            "holder_contact",
            "该机关联系方式",
            Kind.TEXT,
            default=info.proposal_letter[2],
            tip="该机关的地址或电话，能确定的应当告知",
            core=("outcome.holder_contact", "holder_contact"),
        ),
        _date("on", "确定日期", "outcome.on"),
    ]


def _wire_outcome(dialog: FormDialog, info: CaseInfo) -> None:
    combo = dialog.widgets["code"]
    from PySide6.QtWidgets import QComboBox

    assert isinstance(combo, QComboBox)

    def update() -> None:
        code = str(combo.currentData())
        dialog.set_choices("reasons", _reasons(code))
        outcome = handbook().outcome(code)
        dialog.show_preview(
            f"{outcome.label}：{outcome.meaning}\n依据：{outcome.citation_sentence}"
        )
        if info.proposal and info.proposal[0] == code:
            dialog.set_value("reasons", list(info.proposal[1]))

    combo.currentIndexChanged.connect(lambda _i: update())
    update()


def _wire_fee(dialog: FormDialog, info: CaseInfo) -> None:
    from PySide6.QtWidgets import QComboBox, QSpinBox

    method, pages = dialog.widgets["method"], dialog.widgets["pages"]
    assert isinstance(method, QComboBox) and isinstance(pages, QSpinBox)

    def update() -> None:
        code = str(method.currentData())
        pages.setEnabled(code == "per_page")
        if code == "per_page":
            quote = fees.per_page_fee(max(pages.value(), 1))
            dialog.show_preview(f"应收金额：{fees.amount_text(quote.amount)}（{quote.text}）")
        else:
            dialog.show_preview(info.per_item_quote)

    method.currentIndexChanged.connect(lambda _i: update())
    pages.valueChanged.connect(lambda _v: update())
    update()


def _assign_fields(info: CaseInfo, _today: dt.date) -> list[Field]:
    return [
        Field(
            "department",
            "承办部门",
            Kind.EDITABLE_CHOICE,
            choices=[(d, d) for d in info.departments],
            default=info.department or "",
            core=("department",),
        ),
        Field(
            "handler",
            "承办人",
            Kind.EDITABLE_CHOICE,
            choices=[(h, h) for h in info.handlers],
            default=info.handler or "",
            core=("handler",),
        ),
    ]


def _no_fields(_info: CaseInfo, _today: dt.date) -> list[Field]:
    return []


SPECS: dict[str, ActionSpec] = {
    s.action: s
    for s in (
        ActionSpec(
            "request_correction",
            lambda i, t: [
                Field(
                    "items",
                    "需要补正的内容",
                    Kind.LONGTEXT,
                    tip=f"一次性写明需要补正的全部内容（{cite('correction')}）",
                    core=("correction.items",),
                ),
                _date("on", "告知日期", "correction.notice"),
                Field(
                    "until",
                    "补正期限至",
                    Kind.OPTIONAL_DATE,
                    tip="不指定时按默认补正期限计算",
                    core=("correction.until",),
                ),
            ],
            lambda s, u, i, v: actions.request_correction(
                s, u, i.no, items=v["items"], on=v["on"], until=v["until"]
            ),
            intro=lambda _i: "补正只能告知一次；等待补正期间答复期限中止计算。",
            shortcut="Ctrl+Shift+B",
        ),
        ActionSpec(
            "record_correction",
            lambda i, t: [
                _date("received_on", "补正材料收到日期", "correction.received"),
                _note("说明（逾期提交时写明正当理由）", "correction.note"),
            ],
            lambda s, u, i, v: actions.record_correction(
                s, u, i.no, received_on=v["received_on"], note=v["note"]
            ),
            intro=lambda _i: "答复期限自补正材料收到之日起重新计算。",
        ),
        _procedural("other_no_correction", "lapse_correction", "登记日期"),
        ActionSpec(
            "start_consultation",
            lambda i, t: [
                Field(
                    "party",
                    "征求对象",
                    Kind.CHOICE,
                    choices=list(vocab.CONSULTATION_PARTIES.items()),
                    core=("consultation.party",),
                ),
                Field("to", "对象名称", Kind.TEXT, core=("consultation.to",)),
                _date("sent", "征求意见书发出日期", "consultation.sent"),
            ],
            lambda s, u, i, v: actions.start_consultation(
                s, u, i.no, party=v["party"], to=v["to"], sent=v["sent"]
            ),
            intro=lambda _i: (
                f"征求意见期间不计入答复期限（最长{term_days('consultation')}个工作日）。"
            ),
        ),
        ActionSpec(
            "end_consultation",
            lambda i, t: [
                Field(
                    "consultation_id",
                    "哪一项征求意见",
                    Kind.CHOICE,
                    choices=[(str(k), text) for k, text in i.waiting_consultations],
                    core=("consultation",),
                ),
                _date("replied", "答复日期", "consultation.replied"),
                Field(
                    "opinion",
                    "意见",
                    Kind.EDITABLE_CHOICE,
                    choices=OPINIONS,
                    core=("consultation.opinion",),
                ),
            ],
            lambda s, u, i, v: actions.end_consultation(
                s,
                u,
                i.no,
                replied=v["replied"],
                opinion=v["opinion"],
                consultation_id=int(v["consultation_id"]) if v["consultation_id"] else None,
            ),
        ),
        ActionSpec(
            "request_extension",
            lambda i, t: [
                Field("reason", "延期理由", Kind.LONGTEXT, core=("extension.reason",)),
                _date("on", "提请日期", "extension.on"),
            ],
            lambda s, u, i, v: actions.request_extension(
                s, u, i.no, reason=v["reason"], on=v["on"]
            ),
            intro=lambda _i: (
                "延期须经公开办负责人同意，并在答复期限届满前告知申请人；只能延长一次。"
            ),
        ),
        ActionSpec(
            "approve_extension",
            lambda i, t: [
                Field(
                    "approve",
                    "决定",
                    Kind.CHOICE,
                    choices=[("yes", "同意延期"), ("no", "不同意")],
                    core=("approve",),
                ),
                _date("on", "决定日期", "extension.on"),
                Field("comment", "意见", Kind.LONGTEXT, core=("comment",)),
            ],
            lambda s, u, i, v: actions.approve_extension(
                s, u, i.no, on=v["on"], approve=v["approve"] == "yes", comment=v["comment"]
            ),
        ),
        ActionSpec(
            "fee_notice",
            lambda i, t: [
                Field(
                    "method",
                    "收费方式",
                    Kind.CHOICE,
                    choices=list(fees.METHODS.items()),
                    core=("fee.method",),
                ),
                Field(
                    "pages", "页数", Kind.NUMBER, default=0, maximum=100_000, core=("fee.pages",)
                ),
                _date("on", "通知日期", "fee.notice"),
            ],
            lambda s, u, i, v: actions.fee_notice(
                s,
                u,
                i.no,
                method=v["method"],
                pages=v["pages"] if v["method"] == "per_page" else None,
                on=v["on"],
            ),
            wire=_wire_fee,
            intro=lambda _i: (
                f"等待缴费期间不计入答复期限；申请人须在{term_days('fee_payment')}个工作日内缴费。"
            ),
        ),
        ActionSpec(
            "record_payment",
            lambda i, t: [_date("paid_on", "缴费日期", "fee.paid")],
            lambda s, u, i, v: actions.record_payment(s, u, i.no, paid_on=v["paid_on"]),
        ),
        _procedural("other_fee_unpaid", "lapse_fee", "登记日期"),
        ActionSpec(
            "delay",
            lambda i, t: [
                _date("due", "另行确定的答复期限", "delay.due"),
                Field("reason", "理由", Kind.LONGTEXT, core=("delay.reason",)),
                _date("on", "决定日期", "delay.on"),
            ],
            lambda s, u, i, v: actions.delay(
                s, u, i.no, due=v["due"], reason=v["reason"], on=v["on"]
            ),
        ),
        ActionSpec(
            "choose_outcome",
            _outcome_fields,
            lambda s, u, i, v: actions.choose_outcome(
                s,
                u,
                i.no,
                code=v["code"],
                reasons=v["reasons"],
                note=v["note"],
                statement=v["statement"],
                holder=v["holder"],
                holder_contact=v["holder_contact"],
                on=v["on"],
            ),
            wire=_wire_outcome,
            shortcut="Ctrl+Shift+J",
            intro=lambda _i: "确定的办理结果为拟办意见，签发后成为最终结果；案件转入拟稿。",
        ),
        ActionSpec(
            "submit_for_review",
            lambda i, t: [Field("comment", "说明", Kind.LONGTEXT, core=("comment",))],
            lambda s, u, i, v: actions.submit_for_review(s, u, i.no, comment=v["comment"]),
            shortcut="Ctrl+Shift+S",
        ),
        ActionSpec(
            "review",
            lambda i, t: [Field("comment", "审核意见", Kind.LONGTEXT, core=("comment",))],
            lambda s, u, i, v: actions.review(s, u, i.no, comment=v["comment"]),
            ok_text="审核通过",
        ),
        ActionSpec(
            "sign_off",
            lambda i, t: [
                _date("on", "签发日期", "sign_off.on"),
                Field("comment", "签发意见", Kind.LONGTEXT, core=("comment",)),
            ],
            lambda s, u, i, v: actions.sign_off(s, u, i.no, on=v["on"], comment=v["comment"]),
            ok_text="签发",
        ),
        ActionSpec(
            "return_for_revision",
            lambda i, t: [Field("comment", "修改意见", Kind.LONGTEXT, core=("comment",))],
            lambda s, u, i, v: actions.return_for_revision(s, u, i.no, comment=v["comment"]),
            ok_text="退回",
        ),
        ActionSpec(
            "record_service",
            lambda i, t: [
                Field(
                    "method",
                    "送达方式",
                    Kind.CHOICE,
                    choices=list(actions.SERVICE_METHODS.items()),
                    core=("service.method",),
                ),
                Field("tracking_no", "EMS邮件号", Kind.TEXT, core=("service.tracking_no",)),
                _date("served_on", "送达日期", "service.served_on"),
                Field("proof", "送达凭证", Kind.TEXT, core=("service.proof",)),
                Field(
                    "letter_id",
                    "送达的文书",
                    Kind.CHOICE,
                    choices=[("", "（不指定）"), *((str(k), t) for k, t in i.issued_letters)],
                    default=str(i.issued_letters[-1][0]) if i.issued_letters else "",
                    core=("service.letter",),
                ),
            ],
            lambda s, u, i, v: actions.record_service(
                s,
                u,
                i.no,
                method=v["method"],
                served_on=v["served_on"],
                tracking_no=v["tracking_no"],
                proof=v["proof"],
                letter_id=int(v["letter_id"]) if v["letter_id"] else None,
            ),
        ),
        ActionSpec(
            "archive",
            _no_fields,
            lambda s, u, i, v: actions.archive(s, u, i.no),
            intro=lambda i: f"归档后案件{i.no}不能再修改，只能登记行政复议或行政诉讼。",
            ok_text="归档",
        ),
        ActionSpec(
            "void",
            lambda i, t: [Field("reason", "作废理由", Kind.LONGTEXT, core=("void_reason",))],
            lambda s, u, i, v: actions.void(s, u, i.no, reason=v["reason"]),
            intro=lambda _i: "作废的案件保留在案卷中，不计入任何统计。",
            ok_text="作废",
        ),
        ActionSpec(
            "split",
            lambda i, t: [
                Field(
                    "items",
                    "各项申请内容（每行一项）",
                    Kind.LONGTEXT,
                    default=i.description,
                    tip="第一行留在本案件，其余每行成为一件新案件",
                    core=("items",),
                )
            ],
            lambda s, u, i, v: actions.split(
                s, u, i.no, [line for line in str(v["items"]).splitlines() if line.strip()]
            ),
            intro=lambda _i: "一事一申请：第一项留在本案件，其余各项各成一件新案件。",
        ),
        _procedural("other_withdrawn", "withdraw", "撤回日期"),
        ActionSpec(
            "add_review",
            lambda i, t: [
                Field(
                    "kind",
                    "类别",
                    Kind.CHOICE,
                    choices=list(vocab.REVIEW_KINDS.items()),
                    core=("review.kind",),
                ),
                _date("filed", "受理日期", "review.filed"),
                Field(
                    "result",
                    "审结结果",
                    Kind.CHOICE,
                    choices=[("", "尚未审结"), *vocab.REVIEW_RESULTS.items()],
                    core=("review.result",),
                ),
                Field("decided", "审结日期", Kind.OPTIONAL_DATE, core=("review.decided",)),
            ],
            lambda s, u, i, v: actions.add_review(
                s,
                u,
                i.no,
                kind=v["kind"],
                filed=v["filed"],
                result=v["result"] or None,
                decided=v["decided"],
            ),
        ),
        ActionSpec(
            "assign",
            _assign_fields,
            lambda s, u, i, v: actions.assign(
                s, u, i.no, department=v["department"], handler=v["handler"]
            ),
            shortcut="Ctrl+Shift+F",
        ),
    )
}

# 复议诉讼结果 is asked under the same permission as registering the review.
REVIEW_RESULT = ActionSpec(
    "add_review",
    lambda i, t: [
        Field(
            "review_id",
            "哪一项复议或诉讼",
            Kind.CHOICE,
            choices=[(str(k), text) for k, text in i.open_reviews],
            core=("review",),
        ),
        Field(
            "result",
            "审结结果",
            Kind.CHOICE,
            choices=list(vocab.REVIEW_RESULTS.items()),
            core=("review.result",),
        ),
        _date("decided", "审结日期", "review.decided"),
    ],
    lambda s, u, i, v: actions.record_review_result(
        s, u, i.no, review_id=int(v["review_id"]), result=v["result"], decided=v["decided"]
    ),
    case_list=False,
)


def move_spec(to_step: str, name: str) -> ActionSpec:
    """转入下一步: finish the step and move the case (条件 are checked by the core)."""

    def call(s: Session, u: User, i: CaseInfo, _v: Values) -> object:
        return actions.advance(s, u, i.no, to_step)

    return ActionSpec(
        f"move:{to_step}",
        _no_fields,
        call,
        intro=lambda i: f"结束当前步骤，案件{i.no}转入“{name}”。",
        ok_text=f"转入{name}",
    )


@dataclass(frozen=True)
class Offer:
    """A button or menu entry: its text and the spec it opens."""

    text: str
    spec: ActionSpec
    tip: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def offered(info: CaseInfo) -> list[Offer]:
    """What the user may do on this case now: the step's actions for their roles, then moves."""
    found: list[Offer] = []
    for action in info.actions:
        spec = SPECS.get(action)
        if spec is None:
            continue
        # Actions that answer something pending are offered while it is pending.
        if action == "end_consultation" and not info.waiting_consultations:
            continue
        if action in ("record_correction", "lapse_correction") and not info.correction_waiting:
            continue
        if action in ("record_payment", "lapse_fee") and not info.fee_unpaid:
            continue
        found.append(
            Offer(spec.label, spec, tip=f"{spec.label}（{spec.shortcut}）".replace("（）", ""))
        )
        if action == "add_review" and info.open_reviews:
            found.append(Offer("登记复议或诉讼结果", REVIEW_RESULT))
    if info.next_steps:
        # 分办 names the department; it is offered wherever the user may move the case on.
        found.append(Offer("分办", SPECS["assign"], tip="确定承办部门和承办人"))
    for step, name in info.next_steps:
        if handbook().step(info.step).gate(step) is not None:
            continue  # that move is made by its own action (提交审核, 签发, 退回修改)
        found.append(Offer(f"转入{name}", move_spec(step, name), tip=f"结束本步骤，转入“{name}”"))
    return found
