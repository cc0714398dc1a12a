"""The annual report as published: six sections drafted from the figures, per reporting body,
and next year's check against the snapshot of what was published."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from cases.documents import report, report_export, report_snapshot, stats
from cases.documents.report_text import ROOM, SECTIONS, draft_text
from cases.sample import demo
from cases.storage.model import Case
from cases.storage.store import Store

TODAY = dt.date(2026, 1, 20)
YEAR = 2025


@pytest.fixture
def demo_years(store: Store) -> Store:
    with store.transaction() as session:
        demo.generate(session, 600, seed=11, years=(2024, 2025), today=TODAY)
        # Two units answer some of the cases in their own name.
        cases = list(session.scalars(select(Case).order_by(Case.no)))
        for case in cases[::3]:
            case.body = "长兴镇"
        for case in cases[1::7]:
            case.body = "区规划资源局"
    return store


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_the_six_sections_are_drafted_from_the_statistics(
    demo_years: Store, tmp_path: Path
) -> None:
    with demo_years.transaction() as session:
        built = report.build_report(session, YEAR)
        text = draft_text(session, built)
        figures = stats.compute_stats(session, YEAR)
        target = report_export.publish(session, built, tmp_path / "年报.docx")
    fig = text.figures
    totals = figures["totals"]
    assert (fig.new, fig.closed, fig.carried_out) == (
        totals["received"], totals["closed"], totals["open_at_end"],
    )  # fmt: skip
    collected = figures["fees"]["collected"]
    assert (fig.fees_count, fig.fees_amount) == (
        collected["count"], Decimal(str(collected["amount_yuan"])),
    )  # fmt: skip
    paragraphs = _paragraphs(target)
    assert paragraphs[0] == f"上海市崇明区人民政府{YEAR}年政府信息公开工作年度报告（汇总）"
    assert "国办公开办函〔2021〕30号" in paragraphs[1] and f"自{YEAR}年1月1日起" in paragraphs[1]
    positions = [paragraphs.index(title) for title in SECTIONS]
    assert positions == sorted(positions)  # all six, in the order of the format
    overview = next(p for p in paragraphs if p.startswith("本年度新收政府信息公开申请"))
    assert overview.startswith(f"本年度新收政府信息公开申请{totals['received']}件，比上年")
    assert f"全年办结{totals['closed']}件" in overview
    assert "上海市崇明区长兴镇人民政府" in overview  # a unit that received most
    assert any(p.startswith("【请本机关填写") for p in paragraphs)  # room for the office
    assert ROOM.format("存在的主要问题及改进情况") in paragraphs
    document = docx.Document(str(target))
    assert len(document.tables) == 3  # 二, 三, 四


def test_a_units_report_counts_only_the_cases_it_answered(demo_years: Store) -> None:
    with demo_years.session() as session:
        whole = report.build_report(session, YEAR)
        town = report.build_report(session, YEAR, body="长兴镇")
        department = report.build_report(session, YEAR, body="区规划资源局")
        own = report.build_report(session, YEAR, body="区政府")
        assert town.ok and department.ok and own.ok
        assert town.office == "上海市崇明区长兴镇人民政府"
        path = ("一、本年新收政府信息公开申请数量",)
        parts = [r.value(path, "总计") for r in (town, department, own)]
        assert sum(parts) == whole.value(path, "总计") and all(parts)
        listed = report.cases_in_cell(session, YEAR, path, "总计", "长兴镇")
        assert len(listed) == town.value(path, "总计")
        bodies = set(session.scalars(select(Case.body).where(Case.no.in_(listed))))
        assert bodies == {"长兴镇"}
        assert "汇总" not in draft_text(session, town).title
        with pytest.raises(report.ReportError, match="不在机关信息的答复机关名单中"):
            report.build_report(session, YEAR, body="区不存在局")


def test_next_year_is_checked_against_what_was_published(demo_years: Store, tmp_path: Path) -> None:
    with demo_years.transaction() as session:
        report_export.publish(session, report.build_report(session, 2024), tmp_path / "2024.json")
        snapshot = report_snapshot.load_snapshot(session, None, 2024)
        assert snapshot is not None and snapshot["carried_out_cases"]
    with demo_years.session() as session:
        check = report_snapshot.published_check(session, report.build_report(session, YEAR))
        assert check is not None and check.ok
    # After publishing, an application of December 2024 is registered late: it is open at the
    # end of 2024, so this year's 二 no longer equals what was published.
    with demo_years.transaction() as session:
        sample = session.scalars(select(Case).order_by(Case.no)).first()
        assert sample is not None
        late = Case(
            no="2024-LATE01", received=dt.date(2024, 12, 20), channel="in_person",
            applicant=sample.applicant, description="补登记的申请", day0=dt.date(2024, 12, 20),
            correction_notice_due=dt.date(2024, 12, 31),
        )  # fmt: skip
        session.add(late)
    changed_no = "2024-LATE01"
    with demo_years.session() as session:
        built = report.build_report(session, YEAR)
        check = report_snapshot.published_check(session, built)
        assert check is not None and not check.ok and not check.blocking
        assert check.cases == (changed_no,)
        assert check in built.warnings and check not in built.failed


def test_the_report_command_names_the_body_and_writes_all_six_sections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import main

    db = str(tmp_path / "r.sqlite")
    assert main.run(["--db", db, "demo", "--cases", "300"]) == 0
    whole, own = tmp_path / "全区.docx", tmp_path / "区政府.docx"
    assert main.run(["--db", db, "report", "--year", "2025", "--out", str(whole)]) == 0
    args = ["--db", db, "report", "--year", "2025", "--body", "区政府", "--out", str(own)]
    assert main.run(args) == 0
    for path in (whole, own):
        paragraphs = _paragraphs(path)
        assert all(title in paragraphs for title in SECTIONS), path
    assert _paragraphs(whole)[0].endswith("（汇总）") and not _paragraphs(own)[0].endswith("）")
    capsys.readouterr()
    bad = ["--db", db, "report", "--year", "2025", "--body", "区不存在局", "--out", str(own)]
    assert main.run(bad) == 2
    assert "不在机关信息的答复机关名单中" in capsys.readouterr().err
