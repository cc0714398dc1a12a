"""Export → import → export keeps what the letters need: body, reasons, statement, opinions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cases.documents import letters
from cases.interchange import exchange
from cases.storage.model import Case
from cases.storage.store import Store
from tests.test_exchange import export_from, import_into, record, write_jsonl

CASES: list[dict[str, Any]] = [
    record(
        "2025-000101",
        "2025-03-03",
        body="长兴镇",
        events=[
            {"kind": "correction", "notice": "2025-03-05", "until": "2025-03-26",
             "received": "2025-03-10", "items": ["写明所需信息的文号", "写明形成年份"]},
            {"kind": "consultation", "party": "third_party", "to": "上海某置业有限公司",
             "sent": "2025-03-12", "replied": "2025-03-20", "opinion": "object",
             "note": "含商业报价，不同意公开", "information": "补偿标准和补偿总额",
             "disclosure_reason": "关系被征收人切身利益。"},
        ],
        outcome={"code": "partial", "on": "2025-04-18", "note": "内部：已请示分管领导",
                 "reasons": ["trade_secret"], "statement": "可以公开的部分随本答复书提供。",
                 "holder": "", "holder_contact": ""},
    ),
    record(
        "2025-000102",
        "2025-03-04",
        outcome={"code": "unable_not_ours", "on": "2025-03-20", "note": "",
                 "reasons": ["other_agency"], "statement": "",
                 "holder": "上海市规划和自然资源局", "holder_contact": "021-00000000"},
    ),
    record("2025-000103", "2025-03-05", voided={"on": "2025-03-06", "reason": "重复登记"}),
]  # fmt: skip


def test_round_trip_keeps_reasons_opinions_items_body_and_voided(
    store: Store, tmp_path: Path
) -> None:
    import_into(store, write_jsonl(tmp_path / "in.jsonl", CASES))
    first = export_from(store, tmp_path / "first.jsonl")
    by_no = {row["no"]: row for row in first}
    partial = by_no["2025-000101"]
    assert partial["body"] == "长兴镇"
    assert partial["outcome"]["reasons"] == ["trade_secret"]
    assert partial["outcome"]["statement"] == "可以公开的部分随本答复书提供。"
    correction, consultation = partial["events"]
    assert correction["items"] == ["写明所需信息的文号", "写明形成年份"]
    assert consultation["opinion"] == "object"
    assert consultation["note"] == "含商业报价，不同意公开"
    assert consultation["information"] == "补偿标准和补偿总额"
    assert by_no["2025-000102"]["outcome"]["holder"] == "上海市规划和自然资源局"
    assert by_no["2025-000102"]["body"] == "区政府"  # the office's own body by default
    assert by_no["2025-000103"]["voided"] == {"on": "2025-03-06", "reason": "重复登记"}

    again = tmp_path / "again.sqlite"
    from cases.storage.store import open_store

    other = open_store(again)
    try:
        import_into(other, tmp_path / "first.jsonl")
        second = export_from(other, tmp_path / "second.jsonl")
        assert second == first
        # The re-imported refusal renders its reason, the unit's name and its review body.
        with other.transaction() as session:
            case = session.query(Case).filter_by(no="2025-000101").one()
            reply = letters.render_letter(session, case.no, "reply")
    finally:
        other.close()
    from tests.test_letters import all_text, reopen

    text = all_text(reopen(reply))
    assert "上海市崇明区长兴镇人民政府" in text and "向上海市崇明区人民政府申请行政复议" in text
    assert "涉及商业秘密" in text and "可以公开的部分随本答复书提供。" in text
    assert "内部：已请示分管领导" not in text


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (["body"], "区不存在局", "body"),
        (["outcome"], {"code": "partial", "on": "2025-04-18", "reasons": ["nope"]},
         "outcome.reasons"),
        (["voided"], {"on": "2025-03-06"}, "voided.reason"),
    ],
)  # fmt: skip
def test_bad_letter_fields_are_refused_naming_the_field(
    store: Store, tmp_path: Path, path: list[str], value: Any, field: str
) -> None:
    row = json.loads(json.dumps(CASES[1]))
    row[path[0]] = value
    with pytest.raises(exchange.ImportRejected) as caught:
        import_into(store, write_jsonl(tmp_path / "bad.jsonl", [row]))
    assert any(p.field == field for p in caught.value.problems), caught.value.problems


def test_the_ledger_keeps_them_too(store: Store, tmp_path: Path) -> None:
    """台账 export → import → export: the same records as the exchange format gives."""
    from cases.interchange import ledger
    from cases.storage.store import open_store

    import_into(store, write_jsonl(tmp_path / "in.jsonl", CASES))
    first = export_from(store, tmp_path / "first.jsonl")
    with store.session() as session:
        ledger.export_ledger(session, tmp_path / "台账.xlsx")
    other = open_store(tmp_path / "again.sqlite")
    try:
        with other.transaction() as session:
            ledger.import_ledger(session, tmp_path / "台账.xlsx", "王敏")
        assert export_from(other, tmp_path / "second.jsonl") == first
    finally:
        other.close()


def test_a_case_voided_at_the_desk_goes_out_and_in_again(store: Store, tmp_path: Path) -> None:
    """A case voided at the desk without a void date (as every desk did before 作废 recorded
    its day) is exported and imported again, in both formats."""
    from sqlalchemy import text

    from cases import actions
    from cases.interchange import ledger
    from cases.storage.store import open_store
    from tests.actions_support import Desk

    desk = Desk.open(store)
    no = desk.register()
    desk.do(actions.void, desk.reviewer, no, reason="重复登记")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET voided_on = NULL"))
    first = export_from(store, tmp_path / "first.jsonl")
    assert [row["voided"] for row in first] == [{"on": None, "reason": "重复登记"}]
    with store.session() as session:
        ledger.export_ledger(session, tmp_path / "台账.xlsx")
    for way in ("jsonl", "ledger"):
        other = open_store(tmp_path / f"{way}.sqlite")
        try:
            if way == "jsonl":
                import_into(other, tmp_path / "first.jsonl")
            else:
                with other.transaction() as session:
                    ledger.import_ledger(session, tmp_path / "台账.xlsx", "王敏")
            again = export_from(other, tmp_path / f"{way}.jsonl")
            assert [row["voided"] for row in again] == [row["voided"] for row in first], way
        finally:
            other.close()
