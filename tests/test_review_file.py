"""The review and suit file: one .docx read back, the originals folder, the deadline to answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from cases import actions
from cases.actions.settings import change_setting
from cases.assist import review_file
from cases.sample import demo
from cases.storage.model import Case
from cases.storage.store import Store
from main import run
from tests.actions_support import DAY0, Desk

D = dt.date
TODAY = D(2026, 11, 27)


def every_event_case(desk: Desk) -> str:
    """From registration to a suit, with every event and letter the desk records."""
    no = desk.register(DAY0, description="申请公开凤凰村2019年征收项目的房屋征收补偿方案")
    issue = _issuer(desk, no)
    issue("receipt", DAY0)
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.request_correction, desk.handler, no, items="请写明地块名称", on=D(2025, 3, 5))
    issue("correction", D(2025, 3, 5))
    desk.do(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 10))
    desk.do(actions.advance, desk.handler, no, "assign")
    desk.do(actions.assign, desk.handler, no, department="区规划资源局")
    desk.do(actions.advance, desk.handler, no, "handle")
    desk.do(
        actions.record_search, desk.handler, no, searched_on=D(2025, 3, 12),
        places="本机关档案室、收发文系统", keywords="凤凰村 征收补偿方案", departments="征收科",
        result="检索到补偿方案一份",
    )  # fmt: skip
    desk.do(
        actions.start_consultation, desk.handler, no, party="third_party", to="上海某某置业公司",
        sent=D(2025, 3, 13),
    )  # fmt: skip
    issue("consultation", D(2025, 3, 13))
    desk.do(actions.end_consultation, desk.handler, no, replied=D(2025, 3, 20), opinion="同意公开")
    desk.do(actions.fee_notice, desk.handler, no, method="per_page", pages=40, on=D(2025, 3, 21))
    issue("fee", D(2025, 3, 21))
    desk.do(actions.record_payment, desk.handler, no, paid_on=D(2025, 3, 24))
    desk.do(actions.request_extension, desk.handler, no, reason="需调取档案", on=D(2025, 4, 1))
    desk.do(actions.approve_extension, desk.reviewer, no, on=D(2025, 4, 2))
    issue("extension", D(2025, 4, 2))
    desk.do(
        actions.delay, desk.reviewer, no, due=D(2025, 5, 30), reason="申请数量明显超过合理范围",
        on=D(2025, 4, 20),
    )  # fmt: skip
    desk.do(
        actions.choose_outcome, desk.handler, no, code="disclose", reasons=["attached"],
        on=D(2025, 5, 6),
    )  # fmt: skip
    desk.sign(no, D(2025, 5, 7))
    issue("reply", D(2025, 5, 7))
    desk.serve_and_archive(no, D(2025, 5, 9))
    desk.do(actions.add_review, desk.handler, no, kind="reconsideration", filed=D(2025, 6, 3))
    review_id = desk.case(no).reviews[0].id
    result = desk.run(
        actions.record_answer_notice, desk.handler, no, review_id=review_id,
        notice_on=D(2025, 6, 5),
    )  # fmt: skip
    assert result.value.answer_notice_on == D(2025, 6, 5)
    return no


def _issuer(desk: Desk, no: str):  # type: ignore[no-untyped-def]
    def issue(kind: str, on: dt.date) -> None:
        letter = desk.do(actions.draft, desk.handler, no, kind)
        desk.do(actions.issue, desk.reviewer, letter.id, on=on)

    return issue


def write(store: Store, no: str, out: Path) -> review_file.ReviewFile:
    with store.session() as s:
        return review_file.write_review_file(s, actions.load_case(s, no), out)


def test_the_file_of_a_case_with_every_event_holds_each_document_and_the_timeline(
    store: Store, tmp_path: Path
) -> None:
    desk = Desk.open(store)
    no = every_event_case(desk)
    made = write(store, no, tmp_path / "out")
    back = review_file.read_back(made.docx)
    titles = made.sections
    assert back["headings"][0] == f"政府信息公开申请案件{no}答复材料"
    assert back["headings"][1] == "目录"
    assert back["headings"][2:] == list(titles)
    assert all(t in back["paragraphs"] for t in titles)  # the table of contents lists each
    text = "\n".join(back["paragraphs"] + back["cells"])
    for expected in (
        "申请公开凤凰村2019年征收项目的房屋征收补偿方案",  # the application
        "收到申请之日：2025年3月3日",
        "登记回执：",
        "本机关档案室、收发文系统", "凤凰村 征收补偿方案", "征收科",  # the search record
        "补正告知", "请写明地块名称", "上海某某置业公司", "同意公开",  # 补正 and consultation
        "延期答复", "收费通知", "延迟答复（条例第三十五条）",
        "审核", "签发", "王承办（handler）", "李审核（reviewer）", "赵签发（signer）",  # approvals
        "签发前检查",
        "予以公开", "条例第三十六条第（二）项",
        "EA123456789CN", "妥投查询截图",  # service with its proof
        "行政复议", "2025年6月5日收到答复通知", "至2025年6月16日",  # the deadline to answer
    ):  # fmt: skip
        assert expected in text, expected
    # The timeline: every dated event in order, pauses included.
    timeline = back["cells"]
    for event in ("发出补正告知", "收到补正材料", "检索：", "发出征求意见", "批准延期答复",
                  "发出收费通知", "申请人缴费", "确定延迟答复期限", "发文：", "送达（邮政EMS",
                  "办结：予以公开", "行政复议受理", "收到答复通知"):  # fmt: skip
        assert any(event in c for c in timeline), event
    # The clock with every pause and its basis.
    assert any(
        "不计入" in p or "扣除" in p or "暂停" in p or "中止" in p for p in back["paragraphs"]
    )
    # The originals: every issued letter as sent, byte for byte.
    kinds = {p.name.split("_")[1] for p in made.originals}
    assert kinds == {
        "登记回执", "补正告知书", "征求第三方意见书", "收费通知书", "延期答复告知书",
        "政府信息公开申请答复书（告知书）",
    }  # fmt: skip
    with store.session() as s:
        case = actions.load_case(s, no)
        issued = {x.sha256 for x in case.letters if x.status == "issued"}
    import hashlib

    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in made.originals} == issued
    for path in made.originals:
        docx.Document(str(path))  # each opens


def test_the_deadline_to_answer_is_a_setting_and_has_warning_levels(store: Store) -> None:
    desk = Desk.open(store)
    no = every_event_case(desk)
    desk.do(change_setting, desk.admin, review_file.ANSWER_DAYS_KEY, 15)
    with store.session() as s:
        [deadline] = review_file.answer_deadlines(s, actions.load_case(s, no))
    assert deadline.due == D(2025, 6, 20) and deadline.days == 15
    assert deadline.level(D(2025, 6, 17)).label == "临期"
    assert deadline.level(D(2025, 6, 20)).label == "今日到期"
    assert deadline.level(D(2025, 6, 21)).label == "逾期"
    assert deadline.level(D(2025, 6, 6)).label == ""


def test_a_suit_has_its_own_answer_period_beside_the_reconsiderations(store: Store) -> None:
    desk = Desk.open(store)
    no = every_event_case(desk)
    desk.do(actions.add_review, desk.handler, no, kind="litigation_direct", filed=D(2025, 6, 4))
    suit_id = max(r.id for r in desk.case(no).reviews)
    desk.do(
        actions.record_answer_notice, desk.handler, no, review_id=suit_id,
        notice_on=D(2025, 6, 9),
    )  # fmt: skip

    def deadlines() -> dict[str, review_file.AnswerDeadline]:
        with store.session() as s:
            return {d.kind: d for d in review_file.answer_deadlines(s, actions.load_case(s, no))}

    found = deadlines()
    # The defaults are the law's figures, read from handbook/periods.yaml with their basis.
    # 10 days from 6 June end on Sunday 15 June: the period runs to Monday.
    assert (found["reconsideration"].days, found["reconsideration"].due) == (10, D(2025, 6, 16))
    moved = found["reconsideration"].explanation()
    assert "第10日2025年6月15日为休息日，依据民法典第二百零三条顺延" in moved
    assert (found["litigation_direct"].days, found["litigation_direct"].due) == (15, D(2025, 6, 24))
    suit = found["litigation_direct"].explanation()
    assert "行政诉讼答辩期限" in suit and "起诉状副本" in suit and "至2025年6月24日" in suit
    assert "依据行政诉讼法第六十七条" in suit
    assert "依据行政复议法第四十八条" in found["reconsideration"].explanation()
    # The suit's setting moves the suit's deadline only, and the text says it was set.
    desk.do(change_setting, desk.admin, review_file.SUIT_DAYS_KEY, 12)
    found = deadlines()
    # 12 days end on Saturday 21 June: the deadline is the Monday after.
    assert found["litigation_direct"].due == D(2025, 6, 23)
    assert found["reconsideration"].due == D(2025, 6, 16)
    assert "本机关设置为12日，法定为15日" in found["litigation_direct"].explanation()


def test_an_answer_notice_before_the_filing_is_refused(store: Store) -> None:
    desk = Desk.open(store)
    no = every_event_case(desk)
    review_id = desk.case(no).reviews[0].id
    refusal = desk.refuse(
        actions.record_answer_notice, desk.handler, no, review_id=review_id,
        notice_on=D(2025, 6, 1),
    )  # fmt: skip
    assert refusal.field == "review.answer_notice_on"


def test_the_file_of_a_demo_case_with_every_kind_of_event(store: Store, tmp_path: Path) -> None:
    with store.transaction() as s:
        demo.generate(s, 1500, seed=11, today=TODAY)
    relations = ("corrections", "consultations", "extensions", "fees", "delays", "reviews")
    with store.session() as s:
        cases = list(s.scalars(select(Case).where(Case.outcome_code.is_not(None))))
        best = max(cases, key=lambda c: (sum(bool(getattr(c, r)) for r in relations), -c.id))
        present = [r for r in relations if getattr(best, r)]
        assert len(present) >= 3, present
        made = review_file.write_review_file(s, best, tmp_path / "demo")
        back = review_file.read_back(made.docx)
        text = "\n".join(back["paragraphs"] + back["cells"])
        assert best.description in text
        for c in best.corrections:
            assert review_file.cn_date(c.notice) in text
        for k in best.consultations:
            assert k.to in text
        for e in best.extensions:
            assert "延期答复" in text and review_file.cn_date(e.on) in text
        for f in best.fees:
            assert "收费通知" in text and review_file.cn_date(f.notice) in text
        for d in best.delays:
            assert d.reason in text
        for r in best.reviews:
            assert review_file.cn_date(r.filed) + "受理" in text
        for sv in best.services:
            assert review_file.cn_date(sv.served_on) in text
        assert len(back["cells"]) > 10  # the timeline table


def test_the_commands_check_similar_and_review_file(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk.open(store)
    no = every_event_case(desk)
    later = desk.register(
        D(2025, 7, 1), description="申请公开凤凰村2019年征收项目的房屋征收补偿方案"
    )
    url = store.engine.url.render_as_string(hide_password=False)
    assert run(["--db", url, "check", no, "--on", "2025-05-07"]) == 0
    cap = capsys
    out = cap.readouterr().out
    assert "签发前检查" in out and "［通过］答复逾期" in out
    assert run(["--db", url, "similar", later]) == 0
    out = cap.readouterr().out
    assert no in out and "不予重复处理" in out
    assert run(["--db", url, "review-file", no, "--out", str(tmp_path / "file")]) == 0
    out = cap.readouterr().out
    assert "答复材料.docx" in out and "至2025年6月16日" in out
    assert run(["--db", url, "check", "2099-999999"]) == 2


def test_an_answer_period_ending_in_the_national_day_holiday_runs_past_it(store: Store) -> None:
    desk = Desk.open(store)
    no = every_event_case(desk)
    desk.do(actions.add_review, desk.handler, no, kind="litigation_direct", filed=D(2025, 9, 10))
    suit_id = max(r.id for r in desk.case(no).reviews)
    # 15 days from 16 September end on 1 October, the first day of the 2025 holiday (1–8 October).
    desk.do(
        actions.record_answer_notice, desk.handler, no, review_id=suit_id,
        notice_on=D(2025, 9, 16),
    )  # fmt: skip
    with store.session() as s:
        found = {d.kind: d for d in review_file.answer_deadlines(s, actions.load_case(s, no))}
    suit = found["litigation_direct"]
    assert (suit.last_day, suit.due) == (D(2025, 10, 1), D(2025, 10, 9))
    assert "至2025年10月9日" in suit.explanation()
