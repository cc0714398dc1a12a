"""The JSON Lines exchange format: round trip, computed fields, and all-or-nothing import."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import main
from cases.interchange import exchange
from cases.interchange.records import RECORD_KEYS
from cases.storage.model import Applicant, AuditRecord, Case
from cases.storage.store import Store, open_store


def applicant(**overrides: Any) -> dict[str, Any]:
    base = {
        "type": "natural_person", "name": "陈建国", "id_type": "resident_id",
        "id_number": "11010519491231002X", "phone": "13800000000",
        "address": "上海市崇明区城桥镇八一路1号", "postcode": "202150", "email": None,
        "agent": None,
    }  # fmt: skip
    base.update(overrides)
    return base


def record(no: str | None, received: str, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "no": no,
        "received": received,
        "channel": "in_person",
        "applicant": applicant(),
        "request": {
            "description": "申请公开堡镇某地块房屋征收补偿方案",
            "form": "paper",
            "delivery": "post",
        },
        "department": "区住房保障房屋管理局",
        "handler": "王敏",
        "events": [],
        "outcome": None,
        "reviews": [],
    }
    base.update(overrides)
    return base


SAMPLE = [
    record("2025-000001", "2025-03-03",
           outcome={"code": "disclose", "on": "2025-03-20", "note": ""}),
    record(
        "2025-000002", "2025-03-03",
        events=[{"kind": "consultation", "party": "third_party", "to": "上海某置业有限公司",
                 "sent": "2025-03-10", "replied": "2025-03-14"}],
        applicant=applicant(type="enterprise", name="上海某某建设有限公司", id_type="uscc",
                            id_number="91310000MA1FL4B24G",
                            agent={"name": "李律师", "phone": "021-12345678"}),
    ),
    record(
        "2025-000003", "2025-09-26",
        events=[{"kind": "extension", "on": "2025-10-28", "approved_by": "办公室主任"}],
        outcome={"code": "partial", "on": "2025-11-20", "note": "部分涉及个人隐私"},
        reviews=[{"kind": "reconsideration", "filed": "2025-12-10", "result": "upheld",
                  "decided": "2026-02-01"}],
    ),
    record(
        "2025-000004", "2025-12-15",
        events=[{"kind": "correction", "notice": "2025-12-19", "until": "2026-01-12",
                 "received": "2025-12-29"}],
    ),
    record(
        "2026-000001", "2026-02-10",
        events=[{"kind": "fee", "notice": "2026-02-24", "method": "per_page", "amount": 1700,
                 "paid": "2026-03-02"},
                {"kind": "delay", "on": "2026-03-10", "due": "2026-04-30",
                 "reason": "申请数量明显超过合理范围"}],
        request={"description": "申请公开2025年度区财政预算执行情况", "form": "electronic",
                 "delivery": "email"},
    ),
    record("2026-000002", "2026-11-20", channel="post_signed",
           events=[{"kind": "correction", "notice": "2026-11-25", "until": "2026-12-16",
                    "received": None}]),
]  # fmt: skip


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        # ASCII escapes, so that hostile strings (lone surrogates) reach the reader as written.
        "".join(json.dumps(r) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def import_into(store: Store, path: Path) -> exchange.ImportResult:
    rows = exchange.read_jsonl(path)
    with store.transaction() as session:
        return exchange.import_rows(session, rows, "测试")


def export_from(store: Store, path: Path, year: int | None = None) -> list[dict[str, Any]]:
    with store.session() as session:
        exchange.export_jsonl(session, path, year)
    lines = path.read_text(encoding="utf-8").split("\n")  # JSON Lines: \n only, not splitlines()
    return [json.loads(line) for line in lines if line]


def count_cases(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count(Case.id))) or 0


def test_export_import_export_is_identical(store: Store, tmp_path: Path) -> None:
    import_into(store, write_jsonl(tmp_path / "in.jsonl", SAMPLE))
    first = tmp_path / "first.jsonl"
    export_from(store, first)
    second_store = open_store(tmp_path / "second.sqlite")
    import_into(second_store, first)
    second = tmp_path / "second.jsonl"
    export_from(second_store, second)
    second_store.close()
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) == len(SAMPLE)


def test_export_writes_every_field_and_the_computed_ones(store: Store, tmp_path: Path) -> None:
    import_into(store, write_jsonl(tmp_path / "in.jsonl", SAMPLE))
    exported = {r["no"]: r for r in export_from(store, tmp_path / "out.jsonl")}
    for given in SAMPLE:
        got = exported[given["no"]]
        assert list(got) == [*RECORD_KEYS, "status", "due", "due_provisional",
                             "correction_notice_due"]  # fmt: skip
        assert got["body"] == "区政府" and got["voided"] is None  # the defaults
        for key, value in given.items():
            if key in ("events", "outcome") and value:
                # Export adds the letters' fields (items, opinion, reasons …) to what was given.
                subsets = value if key == "events" else [value]
                wrote = got[key] if key == "events" else [got[key]]
                for part, full in zip(subsets, wrote, strict=True):
                    assert {k: full[k] for k in part} == part
            else:
                assert got[key] == value, key
    # domain.md §2: the worked examples, through the whole import → store → export path.
    assert exported["2025-000001"]["status"] == "closed"
    assert exported["2025-000001"]["due"] == "2025-03-31"
    assert exported["2025-000002"]["due"] == "2025-04-07"
    assert exported["2025-000002"]["correction_notice_due"] == "2025-03-12"
    assert exported["2025-000003"]["due"] == "2025-11-27"
    assert exported["2025-000004"]["correction_notice_due"] == "2025-12-24"
    # The corrected application restarts the clock: 2025-12-29 + 20 WD.
    assert exported["2025-000004"]["due"] == "2026-01-27"
    assert exported["2026-000001"]["due"] == "2026-04-30"
    assert exported["2026-000002"]["status"] == "suspended"
    assert exported["2026-000002"]["due"] is None


def test_year_filter_keeps_cases_received_or_open_in_the_year(store: Store, tmp_path: Path) -> None:
    import_into(store, write_jsonl(tmp_path / "in.jsonl", SAMPLE))
    numbers = [r["no"] for r in export_from(store, tmp_path / "y.jsonl", 2026)]
    # 2025-000002 and -000004 were received in 2025 and are still open; -000001 and -000003
    # closed in 2025, so they belong to 2025 only.
    assert numbers == ["2025-000002", "2025-000004", "2026-000001", "2026-000002"]


def test_same_applicant_is_stored_once(store: Store, tmp_path: Path) -> None:
    import_into(store, write_jsonl(tmp_path / "in.jsonl", SAMPLE))
    with store.session() as session:
        assert session.scalar(select(func.count(Applicant.id))) == 2


def test_import_is_audited(store: Store, tmp_path: Path) -> None:
    import_into(store, write_jsonl(tmp_path / "in.jsonl", SAMPLE[:2]))
    with store.session() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.field == "no")).all()
    assert sorted(r.new for r in rows) == ["2025-000001", "2025-000002"]
    assert {r.actor for r in rows} == {"测试"}


def test_missing_numbers_are_assigned(store: Store, tmp_path: Path) -> None:
    rows = [record(None, "2025-05-06"), record(None, "2025-05-07")]
    result = import_into(store, write_jsonl(tmp_path / "in.jsonl", rows))
    assert len(set(result.numbers)) == 2
    assert all("2025" in n for n in result.numbers)


def broken(path: list[str | int], value: Any, base: int = 0) -> list[dict[str, Any]]:
    """SAMPLE with one value replaced (or removed, for value=...), in the given record."""
    rows = copy.deepcopy(SAMPLE)
    target: Any = rows[base]
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return rows


BAD_INPUTS = {
    "unknown key": (broken(["colour"], "red"), "colour"),
    "missing day 0": (broken(["received"], ...), "received"),
    "bad date": (broken(["received"], "2025-02-30"), "received"),
    "bad channel": (broken(["channel"], "pigeon"), "channel"),
    "bad applicant type": (broken(["applicant", "type"], "company"), "applicant.type"),
    "empty name": (broken(["applicant", "name"], "  "), "applicant.name"),
    "unknown request key": (broken(["request", "pages"], 3), "request.pages"),
    "outcome code": (broken(["outcome", "code"], "approved"), "outcome.code"),
    "outcome before day 0": (broken(["outcome", "on"], "2025-03-01"), "outcome.on"),
    "event before day 0": (broken(["events", 0, "sent"], "2025-03-01", base=1), "consultation"),
    "reply before sending": (broken(["events", 0, "replied"], "2025-03-09", base=1), "replied"),
    "extension after due": (broken(["events", 0, "on"], "2025-11-05", base=2), "extension"),
    "review of open case": (
        broken(["reviews"], [{"kind": "reconsideration", "filed": "2025-04-01", "result": None,
                              "decided": None}], base=1),
        "reviews",
    ),
    "amount not a number": (broken(["events", 0, "amount"], "很多", base=4), "amount"),
    "duplicate number": (broken(["no"], "2025-000001", base=1), "no"),
    "future day 0": (broken(["received"], "2099-01-04"), "received"),
    "year out of range": (broken(["received"], "1999-12-31"), "received"),
    "far end of the calendar": (broken(["received"], "9999-12-20"), "received"),
    "NaN amount": (broken(["events", 0, "amount"], float("nan"), base=4), "amount"),
    "infinite amount": (broken(["events", 0, "amount"], float("inf"), base=4), "amount"),
    "huge amount": (broken(["events", 0, "amount"], 1e30, base=4), "amount"),
    "number too long": (broken(["no"], "N" * 65), "no"),
    "NUL in a name": (broken(["applicant", "name"], "张\x00三"), "applicant.name"),
    "lone surrogate": (broken(["applicant", "name"], "张\ud800"), "applicant.name"),
    "second correction": (
        broken(["events"], [
            {"kind": "correction", "notice": "2025-12-16", "until": "2026-01-10", "received": None},
            {"kind": "correction", "notice": "2025-12-18", "until": "2026-01-10", "received": None},
        ], base=3),
        "correction",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_changes_nothing_and_names_line_and_field(
    store: Store, tmp_path: Path, name: str
) -> None:
    rows, field = BAD_INPUTS[name]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(exchange.ImportRejected) as caught:
        import_into(store, path)
    assert count_cases(store) == 0
    messages = [str(p) for p in caught.value.problems]
    assert any(field in p.field for p in caught.value.problems), messages
    assert all(m.startswith("第") and "行" in m for m in messages), messages


def test_invalid_json_line_is_reported_with_its_number(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps(SAMPLE[0], ensure_ascii=False)
    path.write_text(f"{good}\n{{not json\n", encoding="utf-8")
    with pytest.raises(exchange.ImportRejected) as caught:
        import_into(store, path)
    assert [p.where for p in caught.value.problems] == ["第2行"]
    assert count_cases(store) == 0


def test_number_already_in_database_is_refused(store: Store, tmp_path: Path) -> None:
    import_into(store, write_jsonl(tmp_path / "a.jsonl", SAMPLE[:1]))
    with pytest.raises(exchange.ImportRejected, match="数据库未作任何改动") as caught:
        import_into(store, write_jsonl(tmp_path / "b.jsonl", SAMPLE[:2]))
    assert "已存在" in str(caught.value.problems[0])
    assert count_cases(store) == 1


def test_id_checksum_failure_is_only_a_warning(store: Store, tmp_path: Path) -> None:
    rows = [record("W-1", "2025-03-03", applicant=applicant(id_number="110105194912310021"))]
    result = import_into(store, write_jsonl(tmp_path / "w.jsonl", rows))
    assert result.written == 1
    assert [w.field for w in result.warnings] == ["applicant.id_number"]


def test_every_error_is_listed_not_only_the_first(store: Store, tmp_path: Path) -> None:
    rows = copy.deepcopy(SAMPLE)
    rows[0]["channel"] = "pigeon"
    rows[3]["received"] = "yesterday"
    rows[5]["applicant"]["type"] = "alien"
    with pytest.raises(exchange.ImportRejected) as caught:
        import_into(store, write_jsonl(tmp_path / "bad.jsonl", rows))
    assert [p.where for p in caught.value.problems] == ["第1行", "第4行", "第6行"]


def test_command_line_import_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite")
    good = write_jsonl(tmp_path / "good.jsonl", SAMPLE)
    assert main.run(["--db", db, "import", str(good)]) == 0
    assert "已导入 6 件" in capsys.readouterr().out
    bad = write_jsonl(tmp_path / "bad.jsonl", broken(["channel"], "pigeon"))
    assert main.run(["--db", db, "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "第1行 字段 channel" in err and "Traceback" not in err
    out = tmp_path / "out.jsonl"
    assert main.run(["--db", db, "export", str(out), "--year", "2025"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4  # the four received in 2025
    assert main.run(["--db", db, "import", str(tmp_path / "missing.jsonl")]) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert main.run(["--db", db, "export", str(tmp_path / "x.csv")]) == 2


def test_line_separators_inside_text_survive_the_round_trip(store: Store, tmp_path: Path) -> None:
    rows = [record("U-1", "2025-03-03")]
    rows[0]["request"]["description"] = "第一段\u2028第二段\u0085第三段\x0c完"
    import_into(store, write_jsonl(tmp_path / "in.jsonl", rows))
    first = tmp_path / "first.jsonl"
    exported = export_from(store, first)
    assert exported[0]["request"]["description"] == rows[0]["request"]["description"]
    again = open_store(tmp_path / "again.sqlite")
    import_into(again, first)
    again.close()


def test_deeply_nested_line_is_a_problem_not_a_crash(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(exchange.ImportRejected) as caught:
        import_into(store, path)
    assert caught.value.problems[0].where == "第1行"


def test_assigned_numbers_step_over_numbers_given_later_in_the_file(
    store: Store, tmp_path: Path
) -> None:
    rows = [record(None, "2025-05-06"), record("2025-000001", "2025-05-07")]
    result = import_into(store, write_jsonl(tmp_path / "in.jsonl", rows))
    assert sorted(result.numbers) == ["2025-000001", "2025-000002"]
