"""Proving the record whole: recompute the audit hash chain and every issued letter's hash, and
recount the case totals the annual report is read from (SQLite, revision 0014), compare the
applicant type each case keeps with its applicant's (revision 0015), and ask the search index for
each case's and applicant's text (SQLite, revision 0016)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.storage import case_types, search_tokens, totals
from cases.storage.audit import GENESIS, chain_hash
from cases.storage.model import AuditRecord, Letter

BATCH = 5000  # records read at a time: the trail of a city's archive runs to millions


@dataclass(frozen=True)
class Finding:
    """The first thing that does not match: which record or letter, and what is wrong."""

    kind: str  # "audit" | "letter" | "totals" | "applicant_type" | "search_tokens"
    id: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Verification:
    records: int
    letters: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def verify(session: Session) -> Verification:
    """Walk the whole trail in id order and every issued letter; name the first bad of each."""
    findings: list[Finding] = []
    previous, count, last_id = GENESIS, 0, 0
    while not findings:
        batch = list(
            session.scalars(
                select(AuditRecord)
                .where(AuditRecord.id > last_id)
                .order_by(AuditRecord.id)
                .limit(BATCH)
            )
        )
        if not batch:
            break
        for record in batch:
            expected = chain_hash(previous, vars(record))
            if record.hash != expected:
                findings.append(_bad_record(record, previous))
                break
            previous, count, last_id = record.hash, count + 1, record.id
        session.expunge_all()
    letter_count = 0
    issued = session.execute(
        select(Letter.id, Letter.number, Letter.sha256)
        .where(Letter.status == "issued")
        .order_by(Letter.id)
    ).all()
    for row in issued:  # one content at a time: issued letters are many and each is a file
        letter_count += 1
        content = session.scalar(select(Letter.content).where(Letter.id == row.id)) or b""
        if hashlib.sha256(content).hexdigest() != row.sha256:
            findings.append(
                Finding(
                    "letter",
                    row.id,
                    f"已发文的文书 {row.number or row.id}（编号 {row.id}）的内容与发文时的"
                    "哈希值不符：文书在发文后被改动过",
                )
            )
            break
    if totals.kept(session):
        wrong = totals.differences(session)
        if wrong:
            findings.append(_bad_totals(wrong))
    if case_types.kept(session):
        behind = case_types.stale(session)
        if behind is not None:
            findings.append(_bad_type(behind))
    if search_tokens.kept(session):
        untokened = search_tokens.untokened(session)
        if untokened is not None:
            findings.append(_bad_tokens(untokened))
    return Verification(count, letter_count, tuple(findings))


def _bad_totals(wrong: list[totals.Difference]) -> Finding:
    first = wrong[0]
    message = (
        f"年报所用的累计数（case_totals、review_totals 表）有 {len(wrong)} 组与逐件重新统计不符，"
        f"例如{_group(first)}：记为 {first.kept} 件，实有 {first.counted} 件。"
        "该表被绕过程序改动过，年报的数字不可信；"
        "用 db copy 把数据库复制到新文件，新文件按逐件重新统计"
    )
    return Finding("totals", 0, message)


def _bad_type(behind: case_types.Stale) -> Finding:
    message = (
        f"有 {behind.count} 件案件所记的申请人类型与其申请人不符，例如案件 {behind.case_no}"
        f"（编号 {behind.case_id}）记为 {behind.kept or '空'}，申请人实为 {behind.actual}。"
        "保持两者一致的触发器被绕过程序删除或停用过，按申请人类型排序的列表会把这些案件排错；"
        "用 db copy 把数据库复制到新文件，新文件的案件按申请人重新记类型"
    )
    return Finding("applicant_type", behind.case_id, message)


def _bad_tokens(missing: search_tokens.Untokened) -> Finding:
    example = f"{missing.label}（编号 {missing.first_id}）"
    if missing.table == "cases":
        what = f"案件的检索索引缺 {missing.count} 件，例如案件 {example}"
    else:
        what = f"申请人的检索索引缺 {missing.count} 人，例如 {example}"
    message = (
        f"{what}的文字不在索引中。维护索引的触发器被绕过程序删除或停用过，检索会漏掉这些记录；"
        "用 db copy 把数据库复制到新文件，新文件按每件的文字重建索引"
    )
    return Finding("search_tokens", missing.first_id, message)


def _group(wrong: totals.Difference) -> str:
    """The key of a difference in words."""
    if wrong.table == "review_totals":
        kind, result, filed, decided, body = wrong.key[:5]
        end = f"{decided}年审结（{result or '无结果'}）" if decided is not None else "未审结"
        return f"{filed}年提起、{end}的{kind}、答复机关 {body or '本机关'}"
    kind, code, received, outcome, body = wrong.key[:5]
    closed = f"{outcome}年办结（{code}）" if outcome is not None else f"未办结（{code or '无'}）"
    demo = "（演示案件）" if wrong.key[5:] == (True,) else ""
    return f"{received}年收到、{closed}、申请人类型 {kind}、答复机关 {body or '本机关'}{demo}"


def _bad_record(record: AuditRecord, previous: str) -> Finding:
    at = record.at.strftime("%Y-%m-%d %H:%M:%S") if record.at else "?"
    what = f"审计记录 {record.id}（{at}，{record.actor}，{record.action}）"
    message = (
        f"{what}与哈希链不符：该记录被改动过，或它之前的记录被删除或改动过"
        f"（上一记录哈希 {previous[:12]}…）"
    )
    return Finding("audit", record.id, message)
