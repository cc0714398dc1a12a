"""Recording the notice of a reconsideration or suit, from which the deadline to answer runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from cases.actions.base import CaseRef, begin, check_day
from cases.result import Changes, Result
from cases.rules import vocab
from cases.rules.workflow import ActionRefused
from cases.storage.model import Review, User
from cases.timing.dates import cn_date


def record_answer_notice(
    session: Session, actor: User, ref: CaseRef, *, review_id: int, notice_on: dt.date
) -> Result[Review]:
    """登记答复通知: the day the reconsideration body's or the court's notice arrived."""
    act = begin(session, actor, ref, "add_review")
    case = act.case
    row = next((r for r in case.reviews if r.id == review_id), None)
    if row is None:
        raise ActionRefused("review", f"案件{case.no}没有编号为{review_id}的复议或诉讼记录")
    check_day(case, "review.answer_notice_on", notice_on, "收到答复通知的日期")
    if notice_on < row.filed:
        raise ActionRefused(
            "review.answer_notice_on",
            f"收到答复通知的日期{cn_date(notice_on)}早于受理日期{cn_date(row.filed)}",
        )
    old = row.answer_notice_on
    row.answer_notice_on = notice_on
    kind = vocab.REVIEW_KINDS.get(row.kind, row.kind)
    act.record(
        {f"review[{row.id}].answer_notice_on": (old, notice_on), "review.kind": (None, kind)}
    )
    return Result(row, Changes.of_cases([case.id]))
