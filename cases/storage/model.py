"""SQLAlchemy 2.0 typed models of the case database (one file, SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Mapper,
    mapped_column,
    relationship,
)

from cases.storage.received_year import year_of

# Fixed from the first revision so that Alembic batch mode on SQLite can name every constraint.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        str: String(200),
        dt.datetime: DateTime(timezone=True),
        dt.date: Date(),
        Decimal: Numeric(12, 2),
    }


class Department(Base):
    """A handling unit: a district department (区…局), a town (镇/乡) or the government office."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """A person who signs in; roles are ids from the handbook (handler, reviewer, signer, admin)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(200), default="")  # space-separated role ids
    password_hash: Mapped[str | None] = mapped_column(String(200))
    salt: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())


class Applicant(Base):
    """The applicant (申请人) as written on the application; one row per distinct person or body."""

    __tablename__ = "applicants"
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str]
    id_type: Mapped[str | None] = mapped_column(String(20))
    id_number: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200))
    agent_name: Mapped[str | None] = mapped_column(String(100))
    agent_phone: Mapped[str | None] = mapped_column(String(64))

    cases: Mapped[list[Case]] = relationship(back_populates="applicant")

    __table_args__ = (
        Index("ix_applicants_identity", "name", "id_number"),
        # The repeat detector (cases.assist.repeats) finds the same person by ID number or phone
        # alone.
        Index("ix_applicants_id_number", "id_number"),
        Index("ix_applicants_phone", "phone"),
        Index("ix_applicants_address", "address"),
        # Applicants by type: the list sorted by 申请人类型 read a rare type's here until revision
        # 0015 kept the type on each case (ix_cases_type_received); left for a revision of its own.
        Index("ix_applicants_type", "type"),
    )


class Case(Base):
    """One application (申请) and everything the office does with it.

    status, day0, due, due_provisional and correction_notice_due are derived from the events by
    cases.timing.deadlines.refresh and stored so that lists sort and filter in SQL.
    """

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    no: Mapped[str] = mapped_column(String(64), unique=True)
    received: Mapped[dt.date] = mapped_column(index=True)  # first day 0, before any 补正 restart
    channel: Mapped[str] = mapped_column(String(20))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    form: Mapped[str] = mapped_column(String(20), default="paper")
    delivery: Mapped[str] = mapped_column(String(20), default="post")
    # 答复机关: the short name of the unit of the office profile that answers and signs the
    # reply; None means the office's own body (profile.issuing_body).
    body: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100), index=True)
    handler: Mapped[str | None] = mapped_column(String(64))

    step: Mapped[str] = mapped_column(String(20), default="register")
    outcome_code: Mapped[str | None] = mapped_column(String(40))
    outcome_on: Mapped[dt.date | None] = mapped_column(index=True)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    # Reason-choice ids from the handbook, space-separated.
    outcome_reasons: Mapped[str] = mapped_column(Text, default="")
    # 写入文书的说明: the sentence written into the letter for the applicant; outcome_note is
    # internal and never printed.
    outcome_statement: Mapped[str] = mapped_column(Text, default="")
    # 条例 36(5): the body that holds the information and its contact, where it can be determined.
    outcome_holder: Mapped[str] = mapped_column(String(200), default="")
    outcome_holder_contact: Mapped[str] = mapped_column(String(200), default="")

    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    day0: Mapped[dt.date]
    due: Mapped[dt.date | None] = mapped_column(index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_notice_due: Mapped[dt.date]

    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    voided: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_on: Mapped[dt.date | None]
    archived_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # 已归档 (revision 0012)
    # Generated by `demo`: shown as 演示 in lists, reports and exports, never mistaken for real.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Raised by every committed change to the case or its rows (cases.storage.concurrency): a desk
    # that
    # acted on an older version is refused instead of overwriting the other desk's work.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    applicant: Mapped[Applicant] = relationship(back_populates="cases")
    corrections: Mapped[list[Correction]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="[Correction.notice, Correction.id]",
    )
    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="[Consultation.sent, Consultation.id]",
    )
    extensions: Mapped[list[Extension]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="[Extension.on, Extension.id]"
    )
    fees: Mapped[list[Fee]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="[Fee.notice, Fee.id]"
    )
    delays: Mapped[list[Delay]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="[Delay.on, Delay.id]"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="[Review.filed, Review.id]"
    )
    services: Mapped[list[ServiceRecord]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="[ServiceRecord.served_on, ServiceRecord.id]",
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Approval.id"
    )
    letters: Mapped[list[Letter]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Letter.id"
    )
    searches: Mapped[list[SearchRecord]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="SearchRecord.id"
    )
    check_runs: Mapped[list[CheckRun]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CheckRun.id"
    )
    check_overrides: Mapped[list[CheckOverride]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CheckOverride.id"
    )
    children: Mapped[list[Case]] = relationship(back_populates="parent")
    parent: Mapped[Case | None] = relationship(back_populates="children", remote_side=[id])

    # applicant_type: a copy of the applicant's type, kept by the database itself (revision
    # 0015) so that a list sorted by 申请人类型 walks one index (caselist._applicant_types).
    # A column of the table, not of the mapped class: the ORM never writes or reads it (the
    # case's facts are Applicant.type), so that a session still writes and reads a file at an
    # older revision, and Core statements ask for it as CASE_TYPE.
    __mapper_args__ = {"exclude_properties": ["applicant_type"]}  # noqa: RUF012 (typed by the base)
    __table_args__ = (
        Column("applicant_type", String(20)),
        Index("ix_cases_status_due", "status", "due"),
        Index("ix_cases_outcome", "outcome_code", "outcome_on"),
        # A list sorted by a vocabulary column shows each value newest first (caselist._ranked).
        Index("ix_cases_channel_received", "channel", "received"),
        Index("ix_cases_step_received", "step", "received"),
        Index("ix_cases_handler", "handler"),
        # An applicant's cases with their dates, without reading the table: the search's named
        # applicants (caselist._received_from_index), and the cases an applicant's new type
        # moves (revision 0015).
        Index("ix_cases_applicant_received", "applicant_id", "received"),
        # Each 申请人类型 newest first (caselist._applicant_types, revision 0015).
        Index("ix_cases_type_received", "applicant_type", "received", "id"),
    )


# A list filtered by year and sorted by a column that follows the date of receipt (or starts with
# the open, recent cases) would walk that column's index past every other year first; led by the
# year, each index holds that year's cases in the sort's order (caselist._YEAR_INDEXED, 0013).
YEAR_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_cases_year_no": ("no",),
    "ix_cases_year_status_due": ("status", "due"),
    "ix_cases_year_due": ("due",),
    "ix_cases_year_department": ("department",),
    "ix_cases_year_outcome": ("outcome_code", "outcome_on"),
    "ix_cases_year_handler": ("handler",),
}


def _year_indexes() -> None:
    table = Case.__table__
    for name, columns in YEAR_INDEXES.items():
        Index(name, year_of(table.c.received), *(table.c[c] for c in columns))  # joins the table


_year_indexes()
CASE_TYPE = Case.__table__.c.applicant_type


class Correction(Base):
    """补正: the one notice asking the applicant to complete the application."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    notice: Mapped[dt.date]
    until: Mapped[dt.date]
    received: Mapped[dt.date | None]
    items: Mapped[str] = mapped_column(Text, default="")  # what must be completed, for the letter
    case: Mapped[Case] = relationship(back_populates="corrections")


class Consultation(Base):
    """征求意见: a third party (条例 32) or another agency (条例 34) is asked; off the clock."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    party: Mapped[str] = mapped_column(String(20))  # third_party | agency
    to: Mapped[str] = mapped_column(String(200))
    sent: Mapped[dt.date]
    replied: Mapped[dt.date | None]
    opinion: Mapped[str] = mapped_column(Text, default="")  # agree | object | text of the reply
    note: Mapped[str] = mapped_column(Text, default="")  # what the party said, in its words
    # 条例 32 notice: the information the office will disclose and why, over the objection.
    information: Mapped[str] = mapped_column(Text, default="")
    disclosure_reason: Mapped[str] = mapped_column(Text, default="")
    case: Mapped[Case] = relationship(back_populates="consultations")


class Extension(Base):
    """延期: one approved extension of up to 20 working days."""

    __tablename__ = "extensions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    on: Mapped[dt.date]
    approved_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    case: Mapped[Case] = relationship(back_populates="extensions")


class Fee(Base):
    """收费通知: excluded from the clock until payment (国办函〔2020〕109号)."""

    __tablename__ = "fees"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    notice: Mapped[dt.date]
    method: Mapped[str] = mapped_column(String(20))  # per_item | per_page
    amount: Mapped[Decimal]
    units: Mapped[int | None] = mapped_column(Integer)  # applications in the month, or pages
    paid: Mapped[dt.date | None]
    case: Mapped[Case] = relationship(back_populates="fees")


class Delay(Base):
    """条例 35: the office sets a reasonable later due date for an unreasonable volume."""

    __tablename__ = "delays"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    on: Mapped[dt.date]
    due: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(Text)
    case: Mapped[Case] = relationship(back_populates="delays")


class Review(Base):
    """行政复议 or 行政诉讼 brought against the reply; counted in table 四."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    filed: Mapped[dt.date]
    result: Mapped[str | None] = mapped_column(String(20))
    decided: Mapped[dt.date | None]
    # The day the office received the reconsideration body's or the court's notice: the
    # deadline to answer (答复) runs from it (cases.assist.review_file).
    answer_notice_on: Mapped[dt.date | None]
    case: Mapped[Case] = relationship(back_populates="reviews")


class Approval(Base):
    """One request for a decision inside the office (审核, 签发, 延期审批) and its answer."""

    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))  # review | sign_off | extension
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    payload: Mapped[str] = mapped_column(Text, default="")  # JSON: what is asked (e.g. reason)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None]
    decision: Mapped[str | None] = mapped_column(String(20))  # approved | returned
    comment: Mapped[str] = mapped_column(Text, default="")
    case: Mapped[Case] = relationship(back_populates="approvals")

    # The requests still waiting for a decision, a few among many, for 我的待办 (revision 0012,
    # partial on both backends). Only SQLite's predicate is written here: naming PostgreSQL's
    # would load SQLAlchemy's PostgreSQL dialect (50 ms) into every SQLite desk's start-up, and
    # the models never create the schema (the migrations do; the comparison in test_store.py
    # does not read index predicates).
    __table_args__ = (
        Index("ix_approvals_waiting", "case_id", "stage", sqlite_where=text("decision IS NULL")),
    )


class SearchRecord(Base):
    """检索记录: where the office searched, with which keywords, whom it asked, on which date."""

    __tablename__ = "search_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    searched_on: Mapped[dt.date]
    places: Mapped[str] = mapped_column(Text)  # archives, systems, files searched
    keywords: Mapped[str] = mapped_column(Text)
    departments: Mapped[str] = mapped_column(Text, default="")  # departments asked to search
    result: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship(back_populates="searches")


class CheckRun(Base):
    """签发前检查: the findings of one run of the checks on a case (JSON), kept as run."""

    __tablename__ = "check_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))  # submit_for_review | sign_off | manual
    run_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    run_by: Mapped[str] = mapped_column(String(64))
    red: Mapped[int] = mapped_column(Integer, default=0)  # red findings not overridden
    amber: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[str] = mapped_column(Text, default="[]")
    case: Mapped[Case] = relationship(back_populates="check_runs")


class CheckOverride(Base):
    """The signer's decision to sign despite a red check, with the reason recorded."""

    __tablename__ = "check_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    rule: Mapped[str] = mapped_column(String(60))
    finding: Mapped[str] = mapped_column(Text, default="")  # what the check said when overridden
    reason: Mapped[str] = mapped_column(Text)
    signer: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship(back_populates="check_overrides")


class ServiceRecord(Base):
    """送达: how and when a letter reached the applicant, with the proof."""

    __tablename__ = "service_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    method: Mapped[str] = mapped_column(String(20))  # ems | in_person | email | platform | post
    tracking_no: Mapped[str | None] = mapped_column(String(64))
    served_on: Mapped[dt.date]
    proof: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    case: Mapped[Case] = relationship(back_populates="services")


class Letter(Base):
    """A letter (文书) of a case: a draft, or an issued and immutable version with its number."""

    __tablename__ = "letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | issued
    number: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime | None]
    issued_on: Mapped[dt.date | None]  # the date printed on the letter (成文日期)
    case: Mapped[Case] = relationship(back_populates="letters")

    __table_args__ = (UniqueConstraint("kind", "year", "seq", name="uq_letters_kind_year_seq"),)


class CaseCheck(Base):
    """A ticked item of a step's checklist (核对清单) on one case: who ticked it and when."""

    __tablename__ = "case_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    item: Mapped[str] = mapped_column(String(60))
    checked_by: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("case_id", "step", "item", name="uq_case_checks_item"),)


class LetterCounter(Base):
    """The last number issued per letter kind and year; locked row by row to stay gapless."""

    __tablename__ = "letter_counters"
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class HolidayEntry(Base):
    """An office's own calendar entry: a day off or a worked weekend day (调休上班)."""

    __tablename__ = "holiday_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(unique=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


class ScheduleYear(Base):
    """A year whose holiday schedule the office entered, so its deadlines are not provisional."""

    __tablename__ = "schedule_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(300), default="")


class Setting(Base):
    """Office profile and preferences as JSON values under a key."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Table2Entry(Base):
    """Table 二 of the annual report, entered by hand: one number per year, block, row, column."""

    __tablename__ = "report_table2"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    block: Mapped[str] = mapped_column(String(40), primary_key=True)
    row: Mapped[str] = mapped_column(String(40), primary_key=True)
    column: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))


class AuditRecord(Base):
    """Append-only trail: who changed what, when, old → new, written in the same transaction."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    # sha256 over the previous record's hash and this record's fields
    # (cases.storage.audit.chain_hash),
    # filled by cases.storage.audit when the record is written.
    hash: Mapped[str] = mapped_column(String(64))


class AuditTamperError(RuntimeError):
    """Raised when code tries to change or delete an audit record."""


@event.listens_for(AuditRecord, "before_update")
@event.listens_for(AuditRecord, "before_delete")
def _refuse_audit_change(_mapper: Mapper[Any], _connection: Any, target: AuditRecord) -> None:
    raise AuditTamperError(f"审计记录不可修改或删除（记录 {target.id}）")


class IssuedLetterImmutable(RuntimeError):
    """Raised when code tries to change or delete a letter that has been issued (发文)."""


@event.listens_for(Letter, "before_update")
def _refuse_issued_change(_mapper: Mapper[Any], _connection: Any, target: Letter) -> None:
    history = inspect(target).attrs.status.history
    before = (history.deleted or history.unchanged or [None])[0]
    if before == "issued":
        raise IssuedLetterImmutable(f"已发文的文书不可修改（文书 {target.id}，{target.number}）")


@event.listens_for(Letter, "before_delete")
def _refuse_issued_delete(_mapper: Mapper[Any], _connection: Any, target: Letter) -> None:
    if target.status == "issued":
        raise IssuedLetterImmutable(f"已发文的文书不可删除（文书 {target.id}，{target.number}）")
