"""Checks before sign-off: each rule fires on a case built to break it, not on a clean one."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cases import actions
from cases.assist import checks
from cases.rules.handbook import HandbookError
from cases.storage.model import Approval, Case
from cases.storage.store import Store
from tests.actions_support import DAY0, Desk

D = dt.date
# DAY0 2025-03-03: 7 WD → 03-12, reply due 03-31.
DECIDED = D(2025, 3, 20)
SIGNED = D(2025, 3, 21)


def at_handle(desk: Desk) -> str:
    no = desk.register(DAY0)
    desk.to_handle(no)
    return no


def search(desk: Desk, no: str) -> None:
    desk.do(
        actions.record_search, desk.handler, no, searched_on=D(2025, 3, 18),
        places="本机关档案室、收发文系统", keywords="征收补偿方案", departments="区规划资源局",
        result="未检索到",
    )  # fmt: skip


def propose(
    desk: Desk, no: str, code: str, reasons: list[str], on: dt.date = DECIDED, **text: str
) -> None:
    desk.do(actions.choose_outcome, desk.handler, no, code=code, reasons=reasons, on=on, **text)


def case_of(desk: Desk, no: str) -> Case:
    """The case with its check runs and overrides loaded, detached."""
    with desk.store.session() as s:
        stmt = (
            select(Case)
            .where(Case.no == no)
            .options(selectinload(Case.check_runs), selectinload(Case.check_overrides))
        )
        return s.scalars(stmt).one()


def to_sign_off(desk: Desk, no: str) -> None:
    desk.do(actions.submit_for_review, desk.handler, no)
    desk.do(actions.review, desk.reviewer, no)


def report(desk: Desk, no: str, on: dt.date = SIGNED) -> checks.CheckReport:
    with desk.store.session() as s:
        return checks.run_checks(s, actions.load_case(s, no), on)


def fired(desk: Desk, no: str, on: dt.date = SIGNED) -> set[str]:
    return {f.rule.id for f in report(desk, no, on).findings}


def clean_case(desk: Desk) -> str:
    """Searched, disclosed with its reply drafted, reviewed: nothing to say."""
    no = at_handle(desk)
    search(desk, no)
    propose(desk, no, "disclose", ["attached"])
    desk.do(actions.draft, desk.handler, no, "reply")
    to_sign_off(desk, no)
    return no


# ----------------------------------------------------------------------------- the data


def test_every_rule_has_a_severity_a_basis_and_an_explanation() -> None:
    rules = checks.load_rules()
    assert {r.id for r in rules} == set(checks.RULES)
    for r in rules:
        assert r.severity in ("red", "amber")
        assert r.basis and all(c.law.title.startswith("《") for c in r.basis)
        assert r.explanation and r.fix and r.name
    assert checks.rule("late_reply").basis_text == "条例第三十三条"
    assert checks.rule("not_held_without_search").severity == "red"


def _copy_handbook(tmp_path: Path) -> Path:
    import importlib.resources

    src = Path(str(importlib.resources.files("handbook")))
    dest = tmp_path / "handbook"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("id: late_reply", "id: late_replies", "程序中没有检查规则 'late_replies'"),
        ("severity: amber", "severity: yellow", "应当是 red 或 amber"),
        ("    name: 答复逾期\n", "", "缺少必填的键 'name'"),
        ("{law: 条例, article: 30}", "{law: 条例例, article: 30}", "法律文件 '条例例' 不存在"),
    ],
)
def test_a_broken_checks_file_names_its_line(tmp_path: Path, old: str, new: str, says: str) -> None:
    folder = _copy_handbook(tmp_path)
    path = folder / "checks.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(HandbookError) as info:
        checks.load_rules(folder)
    assert says in str(info.value) and "checks.yaml 第" in str(info.value)


def test_a_rule_missing_from_the_file_is_named(tmp_path: Path) -> None:
    folder = _copy_handbook(tmp_path)
    path = folder / "checks.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: outcome_mismatch")
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(HandbookError, match="缺少检查规则：outcome_mismatch"):
        checks.load_rules(folder)


# ----------------------------------------------------------------------------- each rule


def test_a_clean_case_passes_every_rule(store: Store) -> None:
    desk = Desk.open(store)
    no = clean_case(desk)
    result = report(desk, no)
    assert result.findings == () and result.ok
    assert {r.id for r in result.passed} == set(checks.RULES)
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)
    desk.do(
        actions.record_service, desk.handler, no, method="ems", served_on=D(2025, 3, 24),
        tracking_no="EA100000001CN", proof="妥投查询截图",
    )  # fmt: skip
    assert fired(desk, no, D(2025, 3, 25)) == set()


def test_late_reply(store: Store) -> None:
    desk = Desk.open(store)
    no = clean_case(desk)
    assert "late_reply" not in fired(desk, no, D(2025, 3, 31))
    found = report(desk, no, D(2025, 4, 2)).findings
    assert [f.rule.id for f in found] == ["late_reply"]
    assert "2025年3月31日" in found[0].message and "逾期2个工作日" in found[0].message
    assert "没有延期" in found[0].message
    refusal = desk.refuse(actions.sign_off, desk.signer, no, on=D(2025, 4, 2))
    assert refusal.field == "checks" and "答复逾期" in refusal.message


def test_late_correction_notice_is_amber_and_does_not_block(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0)
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.request_correction, desk.handler, no, items="请写明文号", on=D(2025, 3, 14))
    desk.do(actions.record_correction, desk.handler, no, received_on=D(2025, 3, 17))
    desk.do(actions.advance, desk.handler, no, "assign")
    desk.do(actions.assign, desk.handler, no, department="区规划资源局")
    desk.do(actions.advance, desk.handler, no, "handle")
    propose(desk, no, "disclose", ["attached"])
    to_sign_off(desk, no)
    found = report(desk, no).findings
    assert [f.rule.id for f in found] == ["late_correction_notice"]
    assert not found[0].blocking and "2025年3月12日" in found[0].message
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)  # amber: shown, not blocking


def test_correction_in_time_is_quiet(store: Store) -> None:
    desk = Desk.open(store)
    no = desk.register(DAY0)
    desk.do(actions.advance, desk.handler, no, "check")
    desk.do(actions.request_correction, desk.handler, no, items="请写明文号", on=D(2025, 3, 12))
    assert "late_correction_notice" not in fired(desk, no)


def test_not_held_without_search(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    propose(desk, no, "unable_not_held", ["not_made_or_obtained"])
    to_sign_off(desk, no)
    assert fired(desk, no) == {"not_held_without_search"}
    refusal = desk.refuse(actions.sign_off, desk.signer, no, on=SIGNED)
    assert "检索记录" in refusal.message


def test_not_ours_needs_the_body_and_its_contact(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    propose(desk, no, "unable_not_ours", ["other_agency"], holder="区财政局")
    found = report(desk, no).findings
    assert [f.rule.id for f in found] == ["not_ours_without_body"]
    assert "负责公开的机关的联系方式" in found[0].message
    propose(
        desk, no, "unable_not_ours", ["other_agency"], holder="区财政局",
        holder_contact="021-69690000",
    )  # fmt: skip
    assert fired(desk, no) == set()
    propose(desk, no, "unable_not_ours", ["agency_unknown"])  # no body can be named
    assert fired(desk, no) == set()
    # choose_outcome insists on the body's name; an imported proposal may still lack it.
    with desk.store.transaction() as s:
        case = actions.load_case(s, no)
        payload = {"code": "unable_not_ours", "reasons": ["other_agency"], "note": ""}
        case.approvals.append(
            Approval(stage="outcome", requested_by="handler", payload=json.dumps(payload))
        )
    assert "机关名称和联系方式" in report(desk, no).findings[0].message


def test_refusal_without_reason(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    # choose_outcome refuses an empty reason list; an import may still carry one.
    with desk.store.transaction() as s:
        case = actions.load_case(s, no)
        case.step = "draft"
        payload = {"code": "withhold_internal", "reasons": [], "note": ""}
        case.approvals.append(
            Approval(stage="outcome", requested_by="handler", payload=json.dumps(payload))
        )
    assert fired(desk, no) == {"refusal_without_reason"}


def test_refusal_with_only_the_article_is_amber(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    propose(desk, no, "withhold_internal", ["personnel"])
    found = report(desk, no).findings
    assert [(f.rule.id, f.rule.severity) for f in found] == [("refusal_reason_generic", "amber")]
    propose(
        desk, no, "withhold_internal", ["personnel"],
        statement="所申请的考核记录属于本机关人事管理信息。",
    )  # fmt: skip
    assert fired(desk, no) == set()


def third_party_answered(store: Store, opinion: str) -> tuple[Desk, str]:
    """A case whose third party was asked and answered `opinion`, proposed for disclosure."""
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.start_consultation, desk.handler, no, party="third_party", to="某某公司",
        sent=D(2025, 3, 5),
    )  # fmt: skip
    desk.do(actions.end_consultation, desk.handler, no, replied=D(2025, 3, 7), opinion=opinion)
    propose(desk, no, "disclose", ["attached"])
    return desk, no


def test_disclosure_over_objection(store: Store) -> None:
    desk, no = third_party_answered(store, "不同意公开")
    found = report(desk, no, D(2025, 4, 1)).findings
    assert [f.rule.id for f in found] == ["disclosure_over_objection"]
    assert "某某公司" in found[0].message and "第三方公开告知书" in found[0].message
    with desk.store.transaction() as s:  # what the 条例32 notice says (issue 11's fields)
        [asked] = actions.load_case(s, no).consultations
        asked.information, asked.disclosure_reason = "补偿方案全文", "涉及公共利益"
    desk.do(actions.draft, desk.handler, no, "third_party_notice")
    assert fired(desk, no, D(2025, 4, 1)) == set()


def test_disclosure_after_agreement_is_quiet(store: Store) -> None:
    desk, no = third_party_answered(store, "同意公开")
    assert fired(desk, no, D(2025, 4, 1)) == set()


def test_extension_not_notified(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(actions.request_extension, desk.handler, no, reason="需调取档案", on=D(2025, 3, 25))
    desk.do(actions.approve_extension, desk.reviewer, no, on=D(2025, 3, 26))
    propose(desk, no, "disclose", ["attached"], D(2025, 4, 8))
    found = report(desk, no, D(2025, 4, 10)).findings
    assert [(f.rule.id, f.blocking) for f in found] == [("extension_notice_missing", False)]
    assert "没有发文的延期答复告知书" in found[0].message
    notice = desk.do(actions.draft, desk.handler, no, "extension")
    desk.do(actions.issue, desk.reviewer, notice.id, on=D(2025, 4, 1))  # after the due 03-31
    found = report(desk, no, D(2025, 4, 10)).findings
    assert [(f.rule.id, f.blocking) for f in found] == [("extension_not_in_order", True)]
    assert "晚于原答复期限2025年3月31日" in found[0].message


def test_extension_told_in_time_is_quiet(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(actions.request_extension, desk.handler, no, reason="需调取档案", on=D(2025, 3, 25))
    desk.do(actions.approve_extension, desk.reviewer, no, on=D(2025, 3, 26))
    notice = desk.do(actions.draft, desk.handler, no, "extension")
    desk.do(actions.issue, desk.reviewer, notice.id, on=D(2025, 3, 27))
    propose(desk, no, "disclose", ["attached"], D(2025, 4, 8))
    assert fired(desk, no, D(2025, 4, 10)) == set()


def test_service_without_proof(store: Store) -> None:
    desk = Desk.open(store)
    no = clean_case(desk)
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)
    desk.do(actions.record_service, desk.handler, no, method="in_person", served_on=D(2025, 3, 24))
    found = report(desk, no, D(2025, 3, 25)).findings
    assert [f.rule.id for f in found] == ["service_without_proof"]
    assert "2025年3月24日的送达没有登记送达凭证" in found[0].message


def test_outcome_mismatch_between_reply_and_outcome(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    search(desk, no)
    propose(desk, no, "disclose", ["attached"])
    desk.do(actions.draft, desk.handler, no, "reply")
    propose(
        desk, no, "unable_not_held", ["not_made_or_obtained"]
    )  # changed after the reply was drafted
    found = report(desk, no).findings
    assert [f.rule.id for f in found] == ["outcome_mismatch"]
    assert "第三十六条第（四）项" in found[0].message
    desk.do(actions.draft, desk.handler, no, "reply")  # drafted again for the outcome in force
    assert fired(desk, no) == set()


# ----------------------------------------------------------------------------- runs, overrides


def test_checks_run_at_submission_and_sign_off_are_kept_on_the_case(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    propose(desk, no, "withhold_internal", ["personnel"])
    to_sign_off(desk, no)
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)
    runs = case_of(desk, no).check_runs
    assert [(r.stage, r.run_by) for r in runs] == [
        ("submit_for_review", "handler"),
        ("sign_off", "signer"),
    ]
    # Submitted today, long after the 2025 due date: the run at submission says so.
    assert "late_reply" in {f["rule"] for f in checks.run_findings(runs[0])}
    assert (runs[-1].red, runs[-1].amber) == (0, 1)
    assert [f["rule"] for f in checks.run_findings(runs[-1])] == ["refusal_reason_generic"]
    assert any(r.field == "checks" and r.action == "sign_off" for r in desk.trail(no))


def test_a_red_finding_is_overridden_by_the_signer_with_a_reason(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    propose(desk, no, "unable_not_held", ["not_made_or_obtained"])
    to_sign_off(desk, no)
    refusal = desk.refuse(
        actions.override_check, desk.handler, no, rule="not_held_without_search", reason="x"
    )
    assert refusal.field == "role"
    refusal = desk.refuse(
        actions.override_check, desk.signer, no, rule="not_held_without_search", reason=" "
    )
    assert refusal.field == "check.reason"
    refusal = desk.refuse(
        actions.override_check, desk.signer, no, rule="late_reply", reason="x", on=SIGNED
    )
    assert "没有发现问题" in refusal.message
    refusal = desk.refuse(
        actions.override_check, desk.signer, no, rule="late_correction_notice", reason="x"
    )
    assert "只是提示" in refusal.message
    result = desk.run(
        actions.override_check, desk.signer, no, rule="not_held_without_search",
        reason="检索记录在纸质审批表中，已核对", on=SIGNED,
    )  # fmt: skip
    assert result.changes.cases == frozenset({desk.case(no).id})
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)
    case = case_of(desk, no)
    [override] = case.check_overrides
    assert (override.rule, override.signer, override.reason) == (
        "not_held_without_search", "signer", "检索记录在纸质审批表中，已核对",
    )  # fmt: skip
    assert "检索记录" in override.finding
    [finding] = checks.run_findings(case.check_runs[-1])
    assert finding["overridden_by"] == "signer"
    assert case.check_runs[-1].red == 0
    trail = {(r.action, r.field): r.new for r in desk.trail(no)}
    assert trail[("override_check", "check[not_held_without_search].override")] == (
        "检索记录在纸质审批表中，已核对"
    )


def test_an_override_lapses_when_the_draft_is_returned(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    propose(desk, no, "unable_not_held", ["not_made_or_obtained"])
    to_sign_off(desk, no)
    desk.do(actions.override_check, desk.signer, no, rule="not_held_without_search", reason="已核")
    desk.do(actions.return_for_revision, desk.signer, no, comment="补充检索记录")
    to_sign_off(desk, no)
    assert not report(desk, no).ok
    desk.refuse(actions.sign_off, desk.signer, no, on=SIGNED)


def test_record_search_is_audited_and_refuses_empty_fields(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    refusal = desk.refuse(
        actions.record_search, desk.handler, no, searched_on=D(2025, 3, 5), places="",
        keywords="x",
    )  # fmt: skip
    assert refusal.field == "search.places"
    refusal = desk.refuse(
        actions.record_search, desk.handler, no, searched_on=D(2025, 2, 5), places="档案室",
        keywords="x",
    )  # fmt: skip
    assert refusal.field == "search.searched_on"
    result = desk.run(
        actions.record_search, desk.handler, no, searched_on=D(2025, 3, 5), places="档案室",
        keywords="补偿方案",
    )  # fmt: skip
    assert result.value.id is not None
    rows = {r.field: r.new for r in desk.trail(no) if r.action == "record_search"}
    assert rows["search.places"] == "档案室" and rows["search.keywords"] == "补偿方案"


def test_disclosure_before_the_third_partys_waiting_period_ends(store: Store) -> None:
    desk = Desk.open(store)
    no = at_handle(desk)
    desk.do(
        actions.start_consultation, desk.handler, no, party="third_party", to="某某公司",
        sent=D(2025, 3, 5),
    )  # fmt: skip
    desk.do(actions.end_consultation, desk.handler, no, replied=D(2025, 3, 7), opinion="不同意公开")
    with desk.store.transaction() as s:
        [asked] = actions.load_case(s, no).consultations
        asked.information, asked.disclosure_reason = "补偿方案全文", "涉及公共利益"
    propose(desk, no, "disclose", ["attached"])
    notice = desk.do(actions.draft, desk.handler, no, "third_party_notice")
    to_sign_off(desk, no)
    desk.do(actions.sign_off, desk.signer, no, on=SIGNED)
    desk.do(actions.issue, desk.reviewer, notice.id, on=SIGNED)
    desk.do(
        actions.record_service, desk.handler, no, method="ems", served_on=D(2025, 3, 24),
        tracking_no="EA100000001CN", proof="妥投查询截图",
    )  # fmt: skip
    found = report(desk, no, D(2025, 3, 25)).findings
    assert [f.rule.id for f in found] == ["disclosure_over_objection"]
    assert (
        "等待期15个工作日" in found[0].message and "2025年3月24日已向申请人送达" in found[0].message
    )
