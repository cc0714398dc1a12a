"""The JSON Lines exchange format: all-or-nothing import and complete export of cases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, selectinload

from cases.errors import Refused
from cases.interchange import bulk
from cases.interchange.records import (
    OPINIONS,
    ApplicantData,
    CaseRecord,
    Problem,
    parse_record,
)
from cases.office.numbering import take_case_numbers
from cases.office.profile import load_profile
from cases.rules.handbook import StepId, load_handbook
from cases.storage import paths
from cases.storage.model import (
    Applicant,
    AuditRecord,
    Base,
    Case,
    Consultation,
    Correction,
    Delay,
    Extension,
    Fee,
    Review,
)
from cases.timing import deadlines
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import Clocks, compute

Progress = Callable[[int, int], None]


class ImportRejected(Refused):
    """Nothing was written; every problem found is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("file", f"导入未进行：发现 {len(problems)} 处错误，数据库未作任何改动")


@dataclass
class ImportResult:
    written: int
    warnings: list[Problem] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


@dataclass
class Checked:
    """Every row of a file read and validated, not yet written: what the writing step needs."""

    records: list[CaseRecord]
    warnings: list[Problem]
    cal: WorkCalendar


def outcome_codes() -> frozenset[str]:
    return frozenset(o.code for o in load_handbook().outcomes)


# --- reading -----------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[tuple[str, Any]]:
    """Decode every line; a line that is not JSON becomes a problem, not an exception."""
    rows: list[tuple[str, Any]] = []
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [Problem(path.name, "(文件)", f"不是 UTF-8 编码：{exc.reason}")]
        ) from exc
    # JSON Lines ends records at \n only; str.splitlines would also split at U+2028 and other
    # separators that may stand unescaped inside a string (our own export writes them so).
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"第{number}行"
        try:
            rows.append((where, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(where, "(整行)", f"不是有效的 JSON：{exc.msg}（第{exc.colno}列）")
            )
        except RecursionError:
            problems.append(Problem(where, "(整行)", "嵌套层次过深，不是一个案件记录"))
    if problems:
        raise ImportRejected(problems)
    return rows


def validate(
    session: Session, rows: Iterable[tuple[str, Any]], cal: WorkCalendar
) -> tuple[list[CaseRecord], list[Problem]]:
    """Parse every row and check it against the file and the database; raises if anything fails."""
    with bulk.collector_paused():
        return _validate(session, rows, cal)


def _validate(
    session: Session, rows: Iterable[tuple[str, Any]], cal: WorkCalendar
) -> tuple[list[CaseRecord], list[Problem]]:
    codes = outcome_codes()
    records: list[CaseRecord] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    first_seen: dict[str, str] = {}
    for where, raw in rows:
        record, found, warned = parse_record(raw, where, codes, cal)
        problems += found
        warnings += warned
        if record is None:
            continue
        if record.no is not None:
            if record.no in first_seen:
                problems.append(
                    Problem(where, "no", f"编号 {record.no} 与{first_seen[record.no]}重复")
                )
            first_seen.setdefault(record.no, where)
        records.append(record)
    if not records and not problems:
        problems.append(Problem("(文件)", "(整个文件)", "文件中没有任何案件"))
    bodies = set(load_profile(session).unit_names())
    for record in records:
        if record.body is not None and record.body not in bodies:
            problems.append(
                Problem(
                    record.where,
                    "body",
                    f"答复机关“{record.body}”不在机关信息的答复机关名单中；可选：{'、'.join(sorted(bodies))}",
                )
            )
    existing = _existing_numbers(session, list(first_seen))
    for record in records:
        if record.no in existing:
            problems.append(Problem(record.where, "no", f"编号 {record.no} 在数据库中已存在"))
    if problems:
        raise ImportRejected(problems)
    return records, warnings


def _existing_numbers(session: Session, numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        found.update(session.scalars(select(Case.no).where(Case.no.in_(chunk))))
    return found


# --- writing -----------------------------------------------------------------------------------


def write_records(
    session: Session,
    records: list[CaseRecord],
    actor: str,
    cal: WorkCalendar,
    progress: Progress | None = None,
    chunk: int = 1000,
) -> list[str]:
    """Create the cases inside the caller's transaction with bulk inserts; returns their numbers.

    Bulk Core inserts rather than ORM objects: an office migrating its archive imports tens of
    thousands of rows, and one flush per case made that twice as slow as the target allows.
    """
    with bulk.collector_paused(), bulk.roomy_cache(session):
        return _write_records(session, records, actor, cal, progress, chunk)


def _write_records(
    session: Session,
    records: list[CaseRecord],
    actor: str,
    cal: WorkCalendar,
    progress: Progress | None,
    chunk: int,
) -> list[str]:
    found, new = known_applicants(session, records)
    for data, new_id in zip(new, bulk.Keys(session, Applicant).take(len(new)), strict=True):
        found[data.identity()] = new_id
    bulk.insert_rows(session, Applicant, [{"id": found[d.identity()], **vars(d)} for d in new])
    applicant_ids = found
    given = {r.no for r in records if r.no}  # numbers in the file, not all written yet
    # The numbers the file leaves out, a year's worth per counter update rather than one each.
    missing: dict[int, list[int]] = {}
    for index, record in enumerate(records):
        if record.no is None:
            missing.setdefault(record.received.year, []).append(index)
    taken: dict[int, str] = {}
    for year, indexes in sorted(missing.items()):
        numbers_of_year = take_case_numbers(session, year, len(indexes), given)
        taken.update(zip(indexes, numbers_of_year, strict=True))
    case_keys = bulk.Keys(session, Case)
    now = dt.datetime.now(dt.UTC)
    clocks = Clocks(cal)
    numbers: list[str] = []
    with bulk.batch(session, Case):
        for start in range(0, len(records), chunk):
            batch = records[start : start + chunk]
            ids = case_keys.take(len(batch))
            case_rows: list[dict[str, Any]] = []
            children: dict[type[Base], list[dict[str, Any]]] = {}
            for offset, (case_id, record) in enumerate(zip(ids, batch, strict=True)):
                no = record.no or taken[start + offset]
                numbers.append(no)
                applicant_id = applicant_ids[record.applicant.identity()]
                case_rows.append(case_row(case_id, no, record, applicant_id, cal, now, clocks))
                for table, row in child_rows(record):
                    children.setdefault(table, []).append({"case_id": case_id, **row})
                children.setdefault(AuditRecord, []).append(
                    {"case_id": case_id, "at": now, "actor": actor, "action": "import",
                     "field": "no", "old": None, "new": no}
                )  # fmt: skip
            bulk.insert_cases(session, case_rows, children)
            if progress:
                progress(start + len(batch), len(records))
    return numbers


def known_applicants(
    session: Session, records: list[CaseRecord]
) -> tuple[dict[tuple[str, str, str], int], list[ApplicantData]]:
    """The same applicant (type, name, ID number) is one row: the stored ones, and the new ones.

    Returns the ids of the applicants already stored and the details of those still to write.
    """
    wanted = {r.applicant.identity(): r.applicant for r in records}
    found: dict[tuple[str, str, str], int] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        # By name and ID number both: a common name alone matches tens of thousands of stored
        # applicants in a large file (1.7 s for 10,000 rows at 300,000 cases). Every row of a
        # wanted identity matches, so the smallest id of each still comes first.
        numbers = sorted({key[2] for key in chunk if key[2]})
        same_number: list[ColumnElement[bool]] = (
            [Applicant.id_number.in_(numbers)] if numbers else []
        )
        if any(not key[2] for key in chunk):
            same_number += [Applicant.id_number.is_(None), Applicant.id_number == ""]
        stmt = select(Applicant.id, Applicant.type, Applicant.name, Applicant.id_number).where(
            Applicant.name.in_(sorted({key[1] for key in chunk})), or_(*same_number)
        )
        for row in session.execute(stmt.order_by(Applicant.id)):
            found.setdefault((row.type, row.name, row.id_number or ""), row.id)
    return found, [data for key, data in wanted.items() if key not in found]


def case_row(
    case_id: int,
    no: str,
    r: CaseRecord,
    applicant_id: int,
    cal: WorkCalendar,
    now: dt.datetime,
    clocks: Clocks | None = None,
) -> dict[str, Any]:
    """The cases row of a record, its clock columns computed; the demo writes through it too.

    A batch passes `clocks` (over the same calendar): each distinct clock computed once."""
    facts = r.facts()
    clock = clocks.of(facts) if clocks is not None else compute(facts, cal, explain=False)
    waiting_for_correction = any(c.received is None for c in r.corrections)
    # A case closed in another system arrives finished; one waiting for 补正 waits in 审核.
    step = (
        StepId.ARCHIVE if r.outcome else StepId.CHECK if waiting_for_correction else StepId.HANDLE
    )
    return {
        "id": case_id, "no": no, "received": r.received, "channel": r.channel,
        "applicant_id": applicant_id, "applicant_type": r.applicant.type,
        "description": r.description,
        "form": r.form, "delivery": r.delivery, "department": r.department, "body": r.body,
        "handler": r.handler, "step": step,
        "outcome_code": r.outcome.code if r.outcome else None,
        "outcome_on": r.outcome.on if r.outcome else None,
        "outcome_note": r.outcome.note if r.outcome else "",
        "outcome_reasons": " ".join(r.outcome.reasons) if r.outcome else "",
        "outcome_statement": r.outcome.statement if r.outcome else "",
        "outcome_holder": r.outcome.holder if r.outcome else "",
        "outcome_holder_contact": r.outcome.holder_contact if r.outcome else "",
        "status": clock.status.value, "day0": clock.day0, "due": clock.due,
        "due_provisional": clock.due_provisional,
        "correction_notice_due": clock.correction_notice_due,
        "parent_id": None, "voided": r.voided is not None, "demo": r.demo,
        "void_reason": r.voided[1] if r.voided else None,
        "voided_on": r.voided[0] if r.voided else None,
        "archived_at": now if r.outcome else None, "created_at": now, "updated_at": now,
    }  # fmt: skip


def child_rows(r: CaseRecord) -> Iterator[tuple[type[Base], dict[str, Any]]]:
    """The event and review rows of a record, without their case_id."""
    items = r.extras.get("corrections") or [{"items": []}] * len(r.corrections)
    for c, extra in zip(r.corrections, items, strict=True):
        yield Correction, {"notice": c.notice, "until": c.until, "received": c.received,
                           "items": "\n".join(extra["items"])}  # fmt: skip
    blank = {"opinion": "", "note": "", "information": "", "disclosure_reason": ""}
    opinions = r.extras.get("consultations") or [blank] * len(r.consultations)
    for k, extra in zip(r.consultations, opinions, strict=True):
        yield Consultation, {"party": k.party, "to": k.to, "sent": k.sent, "replied": k.replied,
                             **extra}  # fmt: skip
    reasons = r.extras.get("extensions") or [{"reason": ""}] * len(r.extensions)
    for e, extra in zip(r.extensions, reasons, strict=True):
        yield Extension, {"on": e.on, "approved_by": e.approved_by, **extra}
    units = r.extras.get("fees") or [{"units": None}] * len(r.fees)
    for f, extra in zip(r.fees, units, strict=True):
        yield Fee, {"notice": f.notice, "method": f.method, "amount": f.amount, "paid": f.paid,
                    **extra}  # fmt: skip
    for d in r.delays:
        yield Delay, {"on": d.on, "due": d.due, "reason": d.reason}
    for v in r.reviews:
        yield Review, {"kind": v.kind, "filed": v.filed, "result": v.result, "decided": v.decided}


def import_rows(
    session: Session,
    rows: list[tuple[str, Any]],
    actor: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate everything, then write everything, in the caller's transaction."""
    with bulk.collector_paused():  # from the first row checked to the last written
        checked = check_rows(session, rows)
        numbers = write_records(session, checked.records, actor, checked.cal, progress)
    return ImportResult(len(numbers), checked.warnings, numbers)


def check_rows(session: Session, rows: list[tuple[str, Any]]) -> Checked:
    """Validate every row against the file and the database; raises ImportRejected."""
    cal = deadlines.load_calendar(session)
    records, warnings = validate(session, rows, cal)
    return Checked(records, warnings, cal)


# --- export ------------------------------------------------------------------------------------


def cases_for_year(year: int | None) -> Select[Any]:
    """Cases received in `year` or open at some time in it, voided ones included (marked)."""
    stmt = select(Case)
    if year is not None:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        stmt = stmt.where(
            Case.received <= end,
            or_(Case.outcome_on.is_(None), Case.outcome_on >= start),
        )
    return stmt.order_by(Case.received, Case.no)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _opinion(k: Consultation) -> dict[str, Any]:
    """The opinion as the exchange format writes it; a free-text opinion goes into the note."""
    coded = k.opinion if k.opinion in OPINIONS else None
    note = k.note or ("" if coded or not k.opinion else k.opinion)
    return {
        "opinion": coded,
        "note": note,
        "information": k.information,
        "disclosure_reason": k.disclosure_reason,
    }


def _outcome_of(case: Case) -> dict[str, Any] | None:
    if not case.outcome_code:
        return None
    return {
        "code": case.outcome_code,
        "on": _iso(case.outcome_on),
        "note": case.outcome_note,
        "reasons": case.outcome_reasons.split(),
        "statement": case.outcome_statement,
        "holder": case.outcome_holder,
        "holder_contact": case.outcome_holder_contact,
    }


def record_of(case: Case, cal: WorkCalendar, own_body: str | None = None) -> dict[str, Any]:
    """Every field of the exchange format, the computed ones included, in the documented order.

    `body` is the answering body's short name; a case without one is the office's own body.
    """
    a = case.applicant
    clock = deadlines.clock_of(case, cal)
    events: list[dict[str, Any]] = []
    for c in case.corrections:
        events.append(
            {
                "kind": "correction",
                "notice": _iso(c.notice),
                "until": _iso(c.until),
                "received": _iso(c.received),
                "items": [line.strip() for line in c.items.splitlines() if line.strip()],
            }
        )
    for k in case.consultations:
        events.append(
            {
                "kind": "consultation",
                "party": k.party,
                "to": k.to,
                "sent": _iso(k.sent),
                "replied": _iso(k.replied),
                **_opinion(k),
            }
        )
    for e in case.extensions:
        events.append({"kind": "extension", "on": _iso(e.on), "approved_by": e.approved_by})
    for f in case.fees:
        events.append(
            {
                "kind": "fee",
                "notice": _iso(f.notice),
                "method": f.method,
                "amount": _number(f.amount),
                "paid": _iso(f.paid),
            }
        )
    for d in case.delays:
        events.append({"kind": "delay", "on": _iso(d.on), "due": _iso(d.due), "reason": d.reason})
    events.sort(key=lambda ev: (ev.get("notice") or ev.get("sent") or ev.get("on"), ev["kind"]))
    return {
        "no": case.no,
        "received": _iso(case.received),
        "channel": case.channel,
        "applicant": {
            "type": a.type,
            "name": a.name,
            "id_type": a.id_type,
            "id_number": a.id_number,
            "phone": a.phone,
            "address": a.address,
            "postcode": a.postcode,
            "email": a.email,
            "agent": {"name": a.agent_name, "phone": a.agent_phone} if a.agent_name else None,
        },
        "request": {
            "description": case.description,
            "form": case.form,
            "delivery": case.delivery,
        },
        "body": case.body or own_body,
        "department": case.department,
        "handler": case.handler,
        "events": events,
        "outcome": _outcome_of(case),
        "voided": (
            {"on": _iso(case.voided_on), "reason": case.void_reason or ""} if case.voided else None
        ),
        "reviews": [
            {"kind": v.kind, "filed": _iso(v.filed), "result": v.result, "decided": _iso(v.decided)}
            for v in case.reviews
        ],
        "demo": case.demo,
        "status": clock.status.value,
        "due": _iso(clock.due),
        "due_provisional": clock.due_provisional,
        "correction_notice_due": _iso(clock.correction_notice_due),
    }


EAGER = (
    selectinload(Case.applicant),
    selectinload(Case.corrections),
    selectinload(Case.consultations),
    selectinload(Case.extensions),
    selectinload(Case.fees),
    selectinload(Case.delays),
    selectinload(Case.reviews),
)


def iter_cases(session: Session, year: int | None, batch: int = 1000) -> Iterator[Case]:
    """Cases in export order, loaded a batch at a time so memory stays flat on a large archive."""
    ids = list(session.scalars(cases_for_year(year).with_only_columns(Case.id)))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        loaded = {
            c.id: c for c in session.scalars(select(Case).where(Case.id.in_(chunk)).options(*EAGER))
        }
        for case_id in chunk:
            yield loaded[case_id]
        session.expunge_all()


def export_jsonl(session: Session, path: Path, year: int | None = None) -> int:
    """Write one JSON object per line; the file appears only when complete."""
    cal = deadlines.load_calendar(session)
    own = load_profile(session).own_short
    partial = path.with_name(path.name + ".partial")
    count = 0
    with partial.open("w", encoding="utf-8", newline="\n") as out:
        for case in iter_cases(session, year):
            record = record_of(case, cal, own)
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    paths.private_file(partial)  # applicants' personal data: the user's eyes only
    partial.replace(path)
    return count
