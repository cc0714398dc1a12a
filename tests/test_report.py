"""Annual-report tables 三 and 四: hand-worked years, the year rules, checks and drill-down."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.documents import report
from cases.rules.handbook import load_handbook
from cases.storage.model import AuditRecord, Case
from cases.storage.store import Store
from tests.report_support import D, add_case, add_corrected_case, generate_years

NEW = ("一、本年新收政府信息公开申请数量",)
CARRIED_IN = ("二、上年结转政府信息公开申请数量",)
RESULTS = "三、本年度办理结果"
DISCLOSED = (RESULTS, "（一）予以公开")
PARTIAL = (RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
WITHHELD = (RESULTS, "（三）不予公开")
SECRET = (*WITHHELD, "1.属于国家秘密")
THIRD_PARTY = (*WITHHELD, "4.保护第三方合法权益")
UNABLE = (RESULTS, "（四）无法提供")
NOT_HELD = (*UNABLE, "1.本机关不掌握相关政府信息")
REJECTED = (RESULTS, "（五）不予处理")
REPEAT = (*REJECTED, "2.重复申请")
OTHER = (RESULTS, "（六）其他处理")
OTHER_OTHER = (*OTHER, "3.其他")
TOTAL_ROW = (RESULTS, "（七）总计")
CARRIED_OUT = ("四、结转下年度继续办理",)
COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

Cells = dict[tuple[tuple[str, ...], str], int]


def build_hand_year(session: Session) -> None:
    """The cases of the hand-worked example; the expected cells are written out below."""
    add_case(
        session,
        "A01",
        D(2024, 12, 20),
        outcome="disclose",
        on=D(2025, 1, 10),
        reviews=[("reconsideration", D(2025, 2, 1), "upheld", D(2025, 4, 1))],
    )
    add_case(
        session,
        "A02",
        D(2025, 3, 3),
        kind="enterprise",
        outcome="partial",
        on=D(2025, 3, 20),
        reviews=[("reconsideration", D(2025, 12, 1), "other", D(2026, 1, 10))],
    )
    add_case(
        session,
        "A03",
        D(2025, 5, 6),
        kind="research",
        outcome="withhold_secret",
        on=D(2025, 6, 1),
        reviews=[
            ("litigation_direct", D(2025, 7, 1), None, None),
            ("litigation_after_review", D(2024, 11, 1), "corrected", D(2025, 2, 1)),
        ],
    )
    add_case(session, "A04", D(2025, 12, 29), kind="public_interest")
    add_case(
        session,
        "A05",
        D(2025, 7, 1),
        kind="legal_service",
        outcome="unable_not_ours",
        on=D(2025, 7, 20),
    )
    add_case(
        session, "A06", D(2025, 8, 1), kind="other_org", outcome="reject_repeat", on=D(2025, 8, 10)
    )
    add_case(session, "A07", D(2025, 9, 1), outcome="other_withdrawn", on=D(2025, 9, 2))
    add_case(session, "A08", D(2025, 9, 3), outcome="other", on=D(2025, 9, 5))
    add_case(
        session,
        "A09",
        D(2025, 10, 10),
        outcome="disclose",
        on=D(2025, 10, 20),
        voided=True,
        reviews=[("reconsideration", D(2025, 11, 1), None, None)],
    )
    add_case(
        session,
        "A10",
        D(2024, 6, 1),
        outcome="disclose",
        on=D(2024, 7, 1),
        reviews=[("reconsideration", D(2024, 8, 1), "upheld", D(2024, 10, 1))],
    )
    add_case(
        session,
        "A11",
        D(2025, 11, 20),
        kind="enterprise",
        outcome="withhold_third_party",
        on=D(2026, 1, 15),
    )
    add_case(session, "A12", D(2023, 5, 5))
    add_case(session, "A13", D(2025, 4, 1), outcome="disclose_public", on=D(2025, 4, 15))
    add_case(session, "A14", D(2025, 2, 2), outcome="unable_not_held", on=D(2025, 2, 20))


# Worked by hand from the cases above; every cell not listed is 0.
EXPECTED_2025: Cells = {
    (NEW, "自然人"): 4, (NEW, "商业企业"): 2, (NEW, "科研机构"): 1, (NEW, "社会公益组织"): 1,
    (NEW, "法律服务机构"): 1, (NEW, "其他"): 1, (NEW, "总计"): 10,
    (CARRIED_IN, "自然人"): 2, (CARRIED_IN, "总计"): 2,
    (DISCLOSED, "自然人"): 2, (DISCLOSED, "总计"): 2,
    (PARTIAL, "商业企业"): 1, (PARTIAL, "总计"): 1,
    (WITHHELD, "科研机构"): 1, (WITHHELD, "总计"): 1,
    (SECRET, "科研机构"): 1, (SECRET, "总计"): 1,
    (UNABLE, "自然人"): 1, (UNABLE, "法律服务机构"): 1, (UNABLE, "总计"): 2,
    (NOT_HELD, "自然人"): 1, (NOT_HELD, "法律服务机构"): 1, (NOT_HELD, "总计"): 2,
    (REJECTED, "其他"): 1, (REJECTED, "总计"): 1,
    (REPEAT, "其他"): 1, (REPEAT, "总计"): 1,
    (OTHER, "自然人"): 2, (OTHER, "总计"): 2,
    (OTHER_OTHER, "自然人"): 2, (OTHER_OTHER, "总计"): 2,
    (TOTAL_ROW, "自然人"): 5, (TOTAL_ROW, "商业企业"): 1, (TOTAL_ROW, "科研机构"): 1,
    (TOTAL_ROW, "法律服务机构"): 1, (TOTAL_ROW, "其他"): 1, (TOTAL_ROW, "总计"): 9,
    (CARRIED_OUT, "自然人"): 1, (CARRIED_OUT, "商业企业"): 1, (CARRIED_OUT, "社会公益组织"): 1,
    (CARRIED_OUT, "总计"): 3,
}  # fmt: skip
EXPECTED_2025_CASES: dict[tuple[tuple[str, ...], str], list[str]] = {
    (NEW, "自然人"): ["A07", "A08", "A13", "A14"],
    (NEW, "商业企业"): ["A02", "A11"],
    (CARRIED_IN, "总计"): ["A01", "A12"],
    (TOTAL_ROW, "自然人"): ["A01", "A07", "A08", "A13", "A14"],
    (CARRIED_OUT, "总计"): ["A04", "A11", "A12"],
    (NOT_HELD, "总计"): ["A05", "A14"],
}
EXPECTED_TABLE4: dict[int, dict[str, int]] = {
    2024: {"行政复议/结果维持": 1, "行政复议/总计": 1,
           "行政诉讼/复议后起诉/尚未审结": 1, "行政诉讼/复议后起诉/总计": 1},
    2025: {"行政复议/结果维持": 1, "行政复议/尚未审结": 1, "行政复议/总计": 2,
           "行政诉讼/未经复议直接起诉/尚未审结": 1, "行政诉讼/未经复议直接起诉/总计": 1,
           "行政诉讼/复议后起诉/结果纠正": 1, "行政诉讼/复议后起诉/总计": 1},
    2026: {"行政复议/其他结果": 1, "行政复议/总计": 1,
           "行政诉讼/未经复议直接起诉/尚未审结": 1, "行政诉讼/未经复议直接起诉/总计": 1},
}  # fmt: skip


def all_cells(built: report.Report) -> Iterator[tuple[tuple[str, ...], str, int]]:
    for row in built.rows:
        if row.values is None:
            continue
        for column, value in zip(built.columns, row.values, strict=True):
            yield row.path, column, value


@pytest.fixture
def hand_year(store: Store) -> Store:
    with store.transaction() as session:
        build_hand_year(session)
    return store


def test_rows_and_columns_are_the_official_labels_in_order(store: Store) -> None:
    with store.session() as session:
        built = report.build_report(session, 2025)
    paths = [r.path for r in built.rows]
    assert len(paths) == 30
    assert paths[0] == NEW and paths[1] == CARRIED_IN and paths[-1] == CARRIED_OUT
    assert paths[-2] == TOTAL_ROW and SECRET in paths and OTHER_OTHER in paths
    assert built.columns == COLUMNS
    assert sum(1 for r in built.rows if r.line.has_value_cells) == 25
    assert len(built.table4_columns) == 15


def test_hand_worked_year_every_cell(hand_year: Store) -> None:
    with hand_year.session() as session:
        built = report.build_report(session, 2025)
    got = {(path, column): value for path, column, value in all_cells(built)}
    assert {k: v for k, v in got.items() if v} == EXPECTED_2025
    assert built.row((RESULTS,)).values is None
    assert dict(zip(built.table4_columns, built.table4, strict=True)) == {
        name: EXPECTED_TABLE4[2025].get(name, 0) for name in built.table4_columns
    }
    assert built.ok, [c.describe() for c in built.failed]


def test_drill_down_lists_the_hand_counted_cases(hand_year: Store) -> None:
    with hand_year.session() as session:
        for (path, column), numbers in EXPECTED_2025_CASES.items():
            assert report.cases_in_cell(session, 2025, path, column) == numbers
        assert report.cases_in_cell(session, 2025, report.TABLE4_PATH, "行政复议/总计") == [
            "A01",
            "A02",
        ]
        assert report.cases_in_cell(session, 2025, report.TABLE4_PATH, "行政复议/尚未审结") == [
            "A02"
        ]
        with pytest.raises(report.ReportError, match="标题行"):
            report.cases_in_cell(session, 2025, (RESULTS,), "总计")


def test_case_received_in_one_year_and_closed_in_the_next(hand_year: Store) -> None:
    with hand_year.session() as session:
        y2025 = report.build_report(session, 2025)
        y2026 = report.build_report(session, 2026)
        # A11: received 2025-11-20, closed 2026-01-15 (不予公开 / 第三方权益)
        assert "A11" in report.cases_in_cell(session, 2025, NEW, "商业企业")
        assert "A11" in report.cases_in_cell(session, 2025, CARRIED_OUT, "商业企业")
        assert "A11" not in report.cases_in_cell(session, 2025, THIRD_PARTY, "商业企业")
        assert report.cases_in_cell(session, 2026, CARRIED_IN, "商业企业") == ["A11"]
        assert report.cases_in_cell(session, 2026, THIRD_PARTY, "商业企业") == ["A11"]
        assert "A11" not in report.cases_in_cell(session, 2026, NEW, "总计")
    assert y2025.value(THIRD_PARTY, "总计") == 0
    assert y2026.value(THIRD_PARTY, "商业企业") == 1
    assert y2026.value(NEW, "总计") == 0
    assert y2026.value(CARRIED_IN, "总计") == 3  # A04, A11, A12
    assert y2026.value(TOTAL_ROW, "总计") == 1
    assert y2026.value(CARRIED_OUT, "总计") == 2  # A04, A12
    for year in (2024, 2026):
        with hand_year.session() as session:
            built = report.build_report(session, year)
        table4 = dict(zip(built.table4_columns, built.table4, strict=True))
        assert {k: v for k, v in table4.items() if v} == EXPECTED_TABLE4[year]
        assert built.ok


def test_correction_restarting_the_clock_does_not_move_the_year_of_receipt(store: Store) -> None:
    with store.transaction() as session:
        case = add_corrected_case(
            session, "C01", D(2025, 12, 15), D(2025, 12, 18), D(2026, 1, 6),
            outcome="disclose", on=D(2026, 1, 20),
        )  # fmt: skip
        assert case.day0 == D(2026, 1, 6)  # the clock restarted in the new year
    with store.session() as session:
        assert report.cases_in_cell(session, 2025, NEW, "自然人") == ["C01"]
        assert report.cases_in_cell(session, 2025, CARRIED_OUT, "自然人") == ["C01"]
        assert report.cases_in_cell(session, 2026, NEW, "自然人") == []
        assert report.cases_in_cell(session, 2026, CARRIED_IN, "自然人") == ["C01"]
        assert report.cases_in_cell(session, 2026, DISCLOSED, "自然人") == ["C01"]
        assert report.build_report(session, 2025).ok
        assert report.build_report(session, 2026).ok


def test_voided_cases_never_count(store: Store) -> None:
    with store.transaction() as session:
        add_case(
            session,
            "V1",
            D(2025, 3, 1),
            outcome="disclose",
            on=D(2025, 3, 5),
            voided=True,
            reviews=[("reconsideration", D(2025, 4, 1), "upheld", D(2025, 6, 1))],
        )
        add_case(session, "V2", D(2024, 3, 1), voided=True)  # fmt: skip
    with store.session() as session:
        for year in (2024, 2025, 2026):
            built = report.build_report(session, year)
            assert not any(v for _, _, v in all_cells(built))
            assert not any(built.table4)


# --------------------------------------------------------------------------- generated years


def oracle(cases: list[Case], year: int) -> dict[tuple[str, ...], set[str]]:
    """Each row's cases worked out in Python from the year rules, independently of the SQL."""
    first, last = D(year, 1, 1), D(year, 12, 31)
    hb = load_handbook()
    rows: dict[tuple[str, ...], set[str]] = {}
    for c in cases:
        if c.voided:
            continue
        if first <= c.received <= last:
            rows.setdefault(NEW, set()).add(c.no)
        if c.received < first and (c.outcome_on is None or c.outcome_on >= first):
            rows.setdefault(CARRIED_IN, set()).add(c.no)
        if c.received <= last and (c.outcome_on is None or c.outcome_on > last):
            rows.setdefault(CARRIED_OUT, set()).add(c.no)
        if c.outcome_on is not None and first <= c.outcome_on <= last:
            assert c.outcome_code is not None
            path = hb.outcome(c.outcome_code).report_path
            for n in range(2, len(path) + 1):
                rows.setdefault(path[:n], set()).add(c.no)
            rows.setdefault(TOTAL_ROW, set()).add(c.no)
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_years_satisfy_identity_and_continuity(store: Store, seed: int) -> None:
    with store.transaction() as session:
        made = generate_years(session, seed, 2021, 2025, 240)
    types = {c.no: c.applicant.type for c in made}
    by_column = dict(zip(COLUMNS, [*load_handbook_types(), None], strict=True))
    with store.session() as session:
        built = {y: report.build_report(session, y) for y in range(2020, 2027)}
        for year, rep in built.items():
            assert rep.ok, [c.describe() for c in rep.failed]
            for column in COLUMNS:
                left = rep.value(NEW, column) + rep.value(CARRIED_IN, column)
                right = rep.value(TOTAL_ROW, column) + rep.value(CARRIED_OUT, column)
                assert left == right
                if year + 1 in built:
                    assert rep.value(CARRIED_OUT, column) == built[year + 1].value(
                        CARRIED_IN, column
                    )
            t4 = dict(zip(rep.table4_columns, rep.table4, strict=True))
            for group in ("行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"):
                parts = ("结果维持", "结果纠正", "其他结果", "尚未审结")
                assert sum(t4[f"{group}/{p}"] for p in parts) == t4[f"{group}/总计"]
            # Every cell drills down to exactly the cases the year rules pick, and no others.
            expected = oracle(made, year)
            for path, column, value in all_cells(rep):
                numbers = report.cases_in_cell(session, year, path, column)
                assert len(numbers) == value
                wanted_type = by_column[column]
                assert set(numbers) == {
                    no for no in expected.get(path, set())
                    if wanted_type is None or types[no] == wanted_type
                }  # fmt: skip
            for column, value in zip(rep.table4_columns, rep.table4, strict=True):
                assert len(report.cases_in_cell(session, year, report.TABLE4_PATH, column)) == value
    assert sum(built[y].value(NEW, "总计") for y in built) == sum(1 for c in made if not c.voided)


def load_handbook_types() -> list[str]:
    return [c.id for c in load_handbook().report_columns if not c.total]


# --------------------------------------------------------------------------- failing checks


def failed_rules(built: report.Report) -> dict[str, tuple[str, ...]]:
    return {c.rule: c.cases for c in built.failed}


def test_unknown_outcome_code_fails_the_sum_check_and_names_the_case(store: Store) -> None:
    with store.transaction() as session:
        add_case(session, "OK1", D(2025, 1, 6), outcome="disclose", on=D(2025, 1, 20))
        add_case(session, "BAD1", D(2025, 1, 6), outcome="made_up", on=D(2025, 1, 20))
        add_case(session, "BAD2", D(2025, 1, 6), on=D(2025, 1, 21))  # a date without an outcome
    with store.session() as session:
        built = report.build_report(session, 2025)
    assert failed_rules(built) == {"各合计行等于其所列各行之和": ("BAD1", "BAD2")}
    assert built.value(TOTAL_ROW, "总计") == 3
    assert built.value(DISCLOSED, "总计") == 1
    with pytest.raises(report.ReportCheckFailed, match="BAD1、BAD2"):
        built.require_ok()


def test_outcome_before_receipt_fails_the_balance_and_names_the_case(store: Store) -> None:
    with store.transaction() as session:
        add_case(session, "OK1", D(2025, 1, 6), outcome="disclose", on=D(2025, 1, 20))
        add_case(session, "BACK", D(2025, 5, 5), kind="enterprise", outcome="disclose",
                 on=D(2024, 12, 1))  # fmt: skip
    with store.session() as session:
        built = report.build_report(session, 2025)
        check = next(c for c in built.failed)
    assert check.rule == "第一项加第二项之和，等于第三项加第四项之和"
    assert check.cases == ("BACK",)
    assert "商业企业栏：1 ≠ 0" in check.detail


def test_unknown_applicant_type_fails_the_total_column_check(store: Store) -> None:
    with store.transaction() as session:
        add_case(session, "T1", D(2025, 3, 3), kind="individual", outcome="disclose",
                 on=D(2025, 3, 10))  # fmt: skip
        add_case(session, "T2", D(2025, 3, 3), outcome="disclose", on=D(2025, 3, 10))
    with store.session() as session:
        built = report.build_report(session, 2025)
    rules = failed_rules(built)
    assert list(rules) == [
        "总计栏等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他各栏之和"
    ]
    assert rules[next(iter(rules))] == ("T1",)
    assert built.value(NEW, "总计") == 2 and built.value(NEW, "自然人") == 1


def test_unknown_review_result_fails_its_table4_group(store: Store) -> None:
    with store.transaction() as session:
        add_case(
            session,
            "R1",
            D(2025, 1, 6),
            outcome="disclose",
            on=D(2025, 1, 20),
            reviews=[
                ("litigation_direct", D(2025, 2, 1), "dismissed", D(2025, 5, 1)),
                ("reconsideration", D(2025, 2, 1), "upheld", D(2025, 5, 1)),
            ],
        )
    with store.session() as session:
        built = report.build_report(session, 2025)
    assert failed_rules(built) == {"表四“行政诉讼/未经复议直接起诉”各项之和等于总计": ("R1",)}


def test_outcome_without_date_is_named(store: Store) -> None:
    with store.transaction() as session:
        add_case(session, "N1", D(2025, 1, 6), outcome="disclose")
    with store.session() as session:
        built = report.build_report(session, 2025)
    assert failed_rules(built) == {"有办理结果的案件均有办结日期": ("N1",)}


def test_continuity_is_compared_only_with_years_that_have_cases(hand_year: Store) -> None:
    with hand_year.session() as session:
        checks = {c.rule: c for c in report.build_report(session, 2026).checks}
    nxt = checks["本年“四、结转下年度继续办理”等于2027年“二、上年结转政府信息公开申请数量”"]
    prev = checks["本年“二、上年结转政府信息公开申请数量”等于2025年“四、结转下年度继续办理”"]
    assert nxt.ok and "2027年没有案件" in nxt.detail
    assert prev.ok and prev.detail == ""


# --------------------------------------------------------------------------- naming a cell


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("三、本年度办理结果/（三）不予公开/1.属于国家秘密", "自然人", (SECRET, "自然人")),
        ("（三）不予公开/1.属于国家秘密", "总计", (SECRET, "总计")),
        ("三、本年度办理结果/(三)不予公开/1.属于国家秘密", "自然人", (SECRET, "自然人")),
        ("(七)总计", "其他", (TOTAL_ROW, "其他")),
        ('3.危及"三安全一稳定"', "自然人", ((*WITHHELD, "3.危及“三安全一稳定”"), "自然人")),
        ("一、本年新收政府信息公开申请数量", "商业企业", (NEW, "商业企业")),
        ("表四", "行政复议/结果维持", (report.TABLE4_PATH, "行政复议/结果维持")),
    ],
)
def test_parse_cell(text: str, column: str, expected: tuple[tuple[str, ...], str]) -> None:
    assert report.parse_cell(text, column) == expected


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("三、本年度办理结果/（九）其他", "自然人", "表三中没有这一行：三、本年度办理结果/（九）"),
        ("（一）予以公开", "个人", "表三没有“个人”这一栏"),
        ("表四", "行政复议/驳回", "表四没有“行政复议/驳回”这一栏"),
        ("", "自然人", "请写出表三的行"),
    ],
)  # fmt: skip
def test_parse_cell_names_what_is_unknown(text: str, column: str, message: str) -> None:
    with pytest.raises(report.ReportError, match=message):
        report.parse_cell(text, column)


def test_report_value_refuses_unknown_column(hand_year: Store) -> None:
    with hand_year.session() as session:
        built = report.build_report(session, 2025)
    with pytest.raises(report.ReportError, match="表三没有“法人”这一栏"):
        built.value(NEW, "法人")
    assert built.value(report.TABLE4_PATH, "行政复议/总计") == 2


# --------------------------------------------------------------------------- table 二

RULES = ("第二十条第（一）项", "规章", "本年制发件数")
FEES = ("第二十条第（八）项", "行政事业性收费", "本年收费金额（单位：万元）")


def test_table2_is_stored_per_year_and_audited(store: Store) -> None:
    with store.transaction() as session:
        changes = report.save_table2(session, 2025, {RULES: "3", FEES: 12.35}, "编制人")
        assert changes == {RULES: (None, Decimal(3)), FEES: (None, Decimal("12.35"))}
    with store.transaction() as session:
        report.save_table2(session, 2025, {RULES: 4, FEES: ""}, "复核人")
        report.save_table2(session, 2024, {RULES: 9}, "编制人")
    with store.session() as session:
        assert report.load_table2(session, 2025) == {RULES: Decimal(4)}
        assert report.build_report(session, 2024).table2 == {RULES: Decimal(9)}
        trail = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == "report_table2")
            .order_by(AuditRecord.id)
        ).all()
    assert [(a.actor, a.field, a.old, a.new) for a in trail] == [
        ("编制人", "2025/第二十条第（一）项/规章/本年制发件数", None, "3"),
        (
            "编制人",
            "2025/第二十条第（八）项/行政事业性收费/本年收费金额（单位：万元）",
            None,
            "12.35",
        ),
        ("复核人", "2025/第二十条第（一）项/规章/本年制发件数", "3", "4"),
        (
            "复核人",
            "2025/第二十条第（八）项/行政事业性收费/本年收费金额（单位：万元）",
            "12.35",
            None,
        ),
        ("编制人", "2024/第二十条第（一）项/规章/本年制发件数", None, "9"),
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (RULES, "2.5", "是件数，应为整数"),
        (RULES, -1, "不能为负数"),
        (RULES, "三", "应为数字，而不是“三”"),
        (FEES, "1.23456", "最多保留四位小数"),
        (("第二十条第（二）项", "规章", "本年制发件数"), 1, "表二没有“第二十条第（二）项”这一部分"),
        (("第二十条第（五）项", "行政处罚", "本年处理决定数量"), 1, "没有“行政处罚”这一行"),
    ],
)
def test_table2_refuses_a_bad_value_and_changes_nothing(
    store: Store, key: tuple[str, str, str], value: object, message: str
) -> None:
    with store.transaction() as session:
        report.save_table2(session, 2025, {RULES: 1}, "编制人")
    with pytest.raises(report.ReportError, match=message), store.transaction() as session:
        report.save_table2(session, 2025, {RULES: 2, key: value}, "编制人")
    with store.session() as session:
        assert report.load_table2(session, 2025) == {RULES: Decimal(1)}


def test_layout_refuses_a_handbook_that_lost_a_dated_row() -> None:
    hb = load_handbook()
    broken = dataclasses.replace(hb, report_rows=hb.report_rows[1:])
    with pytest.raises(report.ReportError, match="结构与年报格式不符"):
        report.layout_from(broken)
