"""The record reader's quick acceptance of a text or a date agrees with the shared checks."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.interchange import records
from cases.interchange.records import parse_record
from cases.rules import case_input

TEXTS = [
    "a",
    "张三",
    " 前后 ",
    "a\x00b",
    "\x00",
    "半个\ud800代理",
    "\udfff",
    "😀" * 3,
    "A&B <公司>",
    "{{ 7*7 }}",
]


def lengths(limit: int | None) -> list[int]:
    if limit is None:
        return [1, 30, 12_000]
    return [1, limit - 1, limit, limit + 1, limit * 2]


@pytest.mark.parametrize("path", [*case_input.TEXT_LIMITS, "events[3].reason", "unknown.path"])
def test_a_text_passes_quickly_exactly_when_the_shared_check_finds_nothing(path: str) -> None:
    limit = case_input.TEXT_LIMITS.get(case_input.general(path))
    for text in TEXTS:
        for n in lengths(limit):
            value = (text * (n // len(text) + 1))[:n]
            quick = records._plain_text(path, value)
            assert quick == (case_input.text_problem(path, value) is None), (path, value[:20], n)


def test_a_date_passes_quickly_exactly_when_the_shared_check_finds_nothing() -> None:
    today = dt.date(2025, 6, 1)
    days = [
        case_input.FIRST_DATE - dt.timedelta(days=1),
        case_input.FIRST_DATE,
        today - dt.timedelta(days=1),
        today,
        today + dt.timedelta(days=1),
        case_input.LAST_DATE,
        case_input.LAST_DATE + dt.timedelta(days=1),
    ]
    for day in days:
        for past in (True, False):
            reader = records._Reader("第1行")
            reader.today = today
            found = reader.date({"d": day.isoformat()}, "d", "received", required=True, past=past)
            problem = case_input.date_problem("received", day, past=past, today=today)
            assert (found == day) == (problem is None)
            assert [p.message for p in reader.problems] == ([problem] if problem else [])


def test_every_kind_of_bad_text_is_still_named_with_the_shared_message() -> None:
    raw = {
        "received": "2025-03-03",
        "channel": "online",
        "applicant": {
            "type": "natural_person",
            "name": "张三",
            "phone": "1" * 200,
            "address": "崇明\x00区",
        },
        "request": {"description": "  ", "form": "paper", "delivery": "post"},
        "department": "科\ud800室",
        "handler": 7,
    }
    record, problems, _ = parse_record(raw, "第1行", frozenset(), None)  # type: ignore[arg-type]
    assert record is None
    expected = [
        ("applicant.phone", case_input.text_problem("applicant.phone", "1" * 200)),
        ("applicant.address", case_input.text_problem("applicant.address", "崇明\x00区")),
        ("request.description", case_input.required_problem("request.description")),
        ("department", case_input.text_problem("department", "科\ud800室")),
        ("handler", "应为文字，实为 数字"),
    ]
    assert [(p.field, p.message) for p in problems] == expected
