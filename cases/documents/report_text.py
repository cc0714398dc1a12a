"""The text parts of the annual report: the opening paragraph and 一、总体情况 from the figures."""

# 国办公开办函〔2021〕30号 sets six sections. The tables (二, 三, 四) come from report.py; this
# module drafts the sentences around them from the same Report, so that the text and the tables
# cannot disagree, and leaves marked room where only the office can write (主动公开, 政府信息
# 管理, 五、存在的主要问题及改进情况 …). The handler finishes the report in Word.

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from cases.documents.report.kept import last_year_new_of, received_by_body_of
from cases.documents.report.layout import RowKind
from cases.documents.report.tables import Report
from cases.office.profile import OfficeProfile, ProfileError
from cases.rules import fees

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
# Where only the office can write; the mark is easy to find in Word before publishing.
ROOM = "【请本机关填写：{}】"
TOP_UNITS = 3


@dataclass(frozen=True)
class Figures:
    """The figures section 一 and 六 are drafted from, all from the report's own scope."""

    new: int
    last_year_new: int | None  # None when the year before has no case at all
    carried_in: int
    closed: int
    carried_out: int
    outcomes: tuple[tuple[str, int], ...]  # （一）予以公开 … （六）其他处理, with their totals
    top_units: tuple[tuple[str, int], ...]  # the units that received most (compiled report)
    reconsiderations: int
    suits: int
    fees_count: int
    fees_amount: Decimal


def _total(report: Report, path: tuple[str, ...]) -> int:
    values = report.row(path).values
    return values[-1] if values else 0


def _fees_collected(session: Session, report: Report) -> tuple[int, Decimal]:
    from sqlalchemy import func, select

    from cases.documents.report.counting import not_voided, scope_of
    from cases.storage.model import Case, Fee

    first, last = dt.date(report.year, 1, 1), dt.date(report.year, 12, 31)
    stmt = (
        select(func.count(Fee.id), func.sum(Fee.amount))
        .join(Case, Case.id == Fee.case_id)
        .where(not_voided(), scope_of(session, report), Fee.paid.between(first, last))
    )
    count, amount = session.execute(stmt).one()
    return int(count), Decimal(amount or 0)


def _top_units(
    received: Callable[[int], list[tuple[str | None, int]]],
    report: Report,
    profile: OfficeProfile,
) -> tuple[tuple[str, int], ...]:
    if report.body is not None:
        return ()  # a unit's own report speaks of itself
    counts: dict[str, int] = {}
    for body, n in received(report.year):
        try:
            name = profile.unit(body).name
        except ProfileError:
            name = str(body)  # a body no longer in the profile still counts under its name
        counts[name] = counts.get(name, 0) + int(n)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ranked[:TOP_UNITS])


def _received_by_body(session: Session, year: int) -> list[tuple[str | None, int]]:
    """The cases received in the year (voided ones left out) by answering body."""
    from sqlalchemy import func, select

    from cases.documents.report.counting import not_voided
    from cases.storage import totals
    from cases.storage.model import Case

    if totals.kept(session):  # SQLite keeps them counted (revision 0014)
        return received_by_body_of(totals.cases_of_year(session, year), year)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    stmt = (
        select(Case.body, func.count(Case.id))
        .where(not_voided(), Case.received.between(first, last))
        .group_by(Case.body)
    )
    return [(body, int(n)) for body, n in session.execute(stmt)]


def _last_year_new(session: Session, report: Report) -> int | None:
    """Last year's 一 in the report's scope, counted by the same rules as its tallies, or None
    when that year has no case at all (none received, closed or carried forward): a few index
    lookups, not last year's whole report."""
    from sqlalchemy import Select, func, select
    from sqlalchemy.sql.elements import ColumnElement

    from cases.documents.report.counting import (
        _closed_in,
        _received_in,
        found_open_at_end,
        not_voided,
        scope_of,
    )
    from cases.documents.report.kept import kept_tallies
    from cases.storage.model import Applicant, Case

    year = report.year - 1
    kept = kept_tallies(session, year, report.body)
    if kept is not None:  # the same rules, from the totals SQLite keeps
        return last_year_new_of(kept)

    def counted(rule: ColumnElement[bool]) -> Select[int]:
        return (
            select(func.count(Case.id))
            .join(Applicant, Applicant.id == Case.applicant_id)
            .where(not_voided(), scope_of(session, report), rule)
        )

    new = session.scalar(counted(_received_in(year))) or 0
    if new:
        return new
    others = (_closed_in(year), found_open_at_end(session, year))
    return 0 if any(session.scalar(counted(rule)) for rule in others) else None


def figures(session: Session, report: Report) -> Figures:
    from cases.office.profile import load_profile

    return figures_from(
        report,
        fees_paid=_fees_collected(session, report),
        last_year_new=_last_year_new(session, report),
        received_by_body=lambda year: _received_by_body(session, year),
        profile=load_profile(session),
    )


def figures_from(
    report: Report,
    *,
    fees_paid: tuple[int, Decimal],
    last_year_new: int | None,
    received_by_body: Callable[[int], list[tuple[str | None, int]]],
    profile: OfficeProfile,
) -> Figures:
    """The figures from the report and what was read beside it (the ORM's `figures`, or
    report.from_file through sqlite3)."""
    layout = report.layout
    received = layout.of_kind(RowKind.RECEIVED).path
    results = next(line for line in layout.lines if line.kind is RowKind.HEADING).path
    # 三's rows one level down: （一）予以公开 … （六）其他处理, then （七）总计.
    outcome_rows = [line for line in layout.lines if line.path[:-1] == results]
    total_row = outcome_rows[-1]  # （七）总计
    totals = dict(zip(report.table4_columns, report.table4, strict=True))
    review_total = next(
        v for k, v in totals.items() if k.startswith("行政复议") and k.endswith("总计")
    )
    suit_total = sum(
        v for k, v in totals.items() if k.startswith("行政诉讼") and k.endswith("总计")
    )
    count, amount = fees_paid
    return Figures(
        new=_total(report, received),
        last_year_new=last_year_new,
        carried_in=_total(report, layout.of_kind(RowKind.CARRIED_IN).path),
        closed=_total(report, total_row.path),
        carried_out=_total(report, layout.of_kind(RowKind.CARRIED_OUT).path),
        outcomes=tuple((line.label, _total(report, line.path)) for line in outcome_rows[:-1]),
        top_units=_top_units(received_by_body, report, profile),
        reconsiderations=review_total,
        suits=suit_total,
        fees_count=count,
        fees_amount=amount,
    )


def _short_label(label: str) -> str:
    """（二）部分公开（区分处理的，只计这一情形…） → 部分公开."""
    name = label.split("）", 1)[-1]
    return name.split("（", 1)[0]


def _change(new: int, last: int | None) -> str:
    if last is None:
        return ""
    if last == 0:
        return "（上年无新收申请）"
    percent = (Decimal(new - last) * 100 / last).quantize(Decimal("0.1"))
    if percent == 0:
        return f"，与上年（{last}件）持平"
    word = "增加" if percent > 0 else "减少"
    return f"，比上年（{last}件）{word}{abs(percent)}%"


def _share(part: int, whole: int) -> str:
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('0.1'))}%" if whole else "0%"


def title(report: Report) -> str:
    compiled = "（汇总）" if report.body is None else ""
    return f"{report.office}{report.year}年政府信息公开工作年度报告{compiled}"


def opening(report: Report, profile: OfficeProfile) -> str:
    unit = profile.unit(report.body)
    contact = "；".join(
        part
        for part in (
            f"地址：{unit.address}" if unit.address else "",
            f"邮编：{unit.postcode}" if unit.postcode else "",
            f"电话：{unit.phone}" if unit.phone else "",
        )
        if part
    )
    scope = "本报告汇总了本区各答复机关的政府信息公开工作情况。" if report.body is None else ""
    return (
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息公开"
        "办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）"
        f"的要求编制。{scope}报告全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告中所列数据的统计期限自{report.year}年1月1日起至{report.year}年12月31日止。"
        f"本报告电子版可在{unit.name}门户网站政府信息公开专栏查阅或下载。"
        f"如对本报告有疑问，请与{unit.name}联系" + (f"（{contact}）" if contact else "") + "。"
    )


def overview(fig: Figures) -> list[str]:
    """Section 一: the paragraph on applications from the figures, and room for the rest."""
    sentences = [f"本年度新收政府信息公开申请{fig.new}件{_change(fig.new, fig.last_year_new)}"]
    if fig.carried_in:
        sentences[0] += f"，上年结转{fig.carried_in}件"
    sentences[0] += "。"
    if fig.top_units:
        units = "、".join(f"{name}（{n}件）" for name, n in fig.top_units)
        sentences.append(f"收到申请较多的单位是{units}。")
    if fig.closed:
        parts = "，".join(
            f"{_short_label(label)}{n}件、占{_share(n, fig.closed)}"
            for label, n in fig.outcomes
            if n
        )
        sentences.append(f"全年办结{fig.closed}件，其中{parts}。")
    else:
        sentences.append("全年没有办结的申请。")
    sentences.append(f"结转下年度继续办理{fig.carried_out}件。")
    sentences.append(
        f"本年度因政府信息公开工作被申请行政复议{fig.reconsiderations}件、被提起行政诉讼{fig.suits}件。"
    )
    return [
        "（一）依申请公开情况",
        "".join(sentences),
        "（二）主动公开、政府信息管理、平台建设和监督保障情况",
        ROOM.format("主动公开、政府信息管理、平台建设、监督保障等工作情况"),
    ]


def other_matters(fig: Figures) -> list[str]:
    """Section 六: the fees collected (国办函〔2020〕109号), then room for the office's text."""
    amount = fees.amount_text(fig.fees_amount)
    fee_sentence = (
        f"本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{fig.fees_count}件、共计{amount}元。"
        if fig.fees_count
        else "本年度未收取信息处理费。"
    )
    return [fee_sentence, ROOM.format("其他需要报告的事项；没有的，写“无”")]


def problems() -> list[str]:
    return [ROOM.format("存在的主要问题及改进情况")]


@dataclass(frozen=True)
class ReportText:
    """Every sentence of the report outside its tables, drafted for the handler to finish."""

    title: str
    opening: str
    overview: tuple[str, ...]
    problems: tuple[str, ...]
    other_matters: tuple[str, ...]
    figures: Figures


def draft_text(session: Session, report: Report) -> ReportText:
    """The drafted text of a report, from the report's own figures."""
    from cases.office.profile import load_profile

    fig = figures(session, report)
    return text_of(report, fig, load_profile(session))


def text_of(report: Report, fig: Figures, profile: OfficeProfile) -> ReportText:
    """The drafted text from the report, its figures and the office profile."""
    return ReportText(
        title=title(report),
        opening=opening(report, profile),
        overview=tuple(overview(fig)),
        problems=tuple(problems()),
        other_matters=tuple(other_matters(fig)),
        figures=fig,
    )
