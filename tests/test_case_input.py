"""One validator: registration and import refuse the same bad value with the same message."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from cases import actions
from cases.interchange import exchange
from cases.interchange.records import ApplicantData
from cases.storage.store import Store
from tests.actions_support import Desk, applicant

GOOD = applicant(id_number=None)


def import_record(who: ApplicantData, **kw: Any) -> dict[str, Any]:
    """The exchange record of what registration was given."""
    received = kw.get("received", dt.date(2025, 3, 3))
    agent = {"name": who.agent_name, "phone": who.agent_phone} if who.agent_name else None
    record = {
        "received": received.isoformat(),
        "channel": kw.get("channel", "in_person"),
        "applicant": {
            "type": who.type, "name": who.name, "id_type": who.id_type,
            "id_number": who.id_number, "phone": who.phone, "address": who.address,
            "postcode": who.postcode, "email": who.email, "agent": agent,
        },
        "request": {
            "description": kw.get("description", "申请公开某地块房屋征收补偿方案"),
            "form": kw.get("form", "paper"),
            "delivery": kw.get("delivery", "post"),
        },
        "department": kw.get("department"),
        "handler": kw.get("handler"),
    }  # fmt: skip
    if "no" in kw:
        record["no"] = kw["no"]
    return record


def person(**changes: Any) -> ApplicantData:
    return dataclasses.replace(GOOD, **changes)


# (what is given to registration, the field registration names, the field import names)
BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "NUL in the name": ({"who": person(name="张\x00三")}, "applicant.name", "applicant.name"),
    "lone surrogate in the text": (
        {"description": "征收\ud800补偿"}, "description", "request.description"
    ),
    "NUL in the phone": ({"who": person(phone="138\x00")}, "applicant.phone", "applicant.phone"),
    "NUL in the agent": (
        {"who": person(agent_name="李\x00四")}, "applicant.agent.name", "applicant.agent.name"
    ),
    "address too long": (
        {"who": person(address="路" * 301)}, "applicant.address", "applicant.address"
    ),
    "text too long": ({"description": "字" * 10_001}, "description", "request.description"),
    "department too long": ({"department": "局" * 101}, "department", "department"),
    "handler too long": ({"handler": "王" * 65}, "handler", "handler"),
    "number too long": ({"no": "N" * 65}, "no", "no"),
    "unknown channel": ({"channel": "pigeon"}, "channel", "channel"),
    "unknown applicant type": ({"who": person(type="alien")}, "applicant.type", "applicant.type"),
    "unknown form": ({"form": "stone"}, "form", "request.form"),
    "date before 2000": ({"received": dt.date(1999, 12, 31)}, "received", "received"),
    "date in the future": ({"received": dt.date(2099, 1, 4)}, "received", "received"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD))
def test_registration_and_import_refuse_alike(name: str, store: Store) -> None:
    given, register_field, import_field = BAD[name]
    desk = Desk.open(store)
    kw = {k: v for k, v in given.items() if k != "who"}
    who = given.get("who", GOOD)
    refused = desk.refuse(actions.register, desk.handler, applicant=who, **{
        "channel": "in_person", "description": "申请公开某地块房屋征收补偿方案",
        "received": dt.date(2025, 3, 3), **kw,
    })  # fmt: skip
    before = desk.snapshot()
    with pytest.raises(exchange.ImportRejected) as info, store.transaction() as s:
        exchange.import_rows(s, [("第1行", import_record(who, **kw))], "导入")
    assert desk.snapshot() == before
    problems = [(p.where, p.field, p.message) for p in info.value.problems]
    assert problems == [("第1行", import_field, refused.message)]
    assert refused.field == register_field


def test_a_failed_id_check_character_warns_alike_and_refuses_neither(store: Store) -> None:
    desk = Desk.open(store)
    who = person(id_type="resident_id", id_number="310230198001011230")  # wrong check digit
    with store.transaction() as s:
        result = actions.register(
            s,
            desk.handler,
            applicant=who,
            channel="in_person",
            description="某路拓宽",
            received=dt.date(2025, 3, 3),
        )
        imported = exchange.import_rows(
            s, [("第1行", import_record(who, description="另一项"))], "导入"
        )
    assert [(w.field, w.message) for w in result.warnings] == [
        (p.field, p.message) for p in imported.warnings
    ]
    assert "校验位不符" in result.warnings[0].message


def test_the_outcome_note_is_checked_like_every_text(store: Store) -> None:
    record = import_record(GOOD)
    record["outcome"] = {"code": "disclose", "on": "2025-03-20", "note": "见\x00附件"}
    with pytest.raises(exchange.ImportRejected) as info, store.transaction() as s:
        exchange.import_rows(s, [("第1行", record)], "导入")
    assert [p.field for p in info.value.problems] == ["outcome.note"]
    assert "空字符" in info.value.problems[0].message
