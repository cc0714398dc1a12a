"""Builders shared by the report tests: cases written with the real models, years made by hand
or generated from a seed (this module holds no tests itself)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from sqlalchemy.orm import Session

from cases.rules.handbook import load_handbook
from cases.storage.model import Applicant, Case, Correction, Review
from cases.timing import deadlines

D = dt.date
TYPES = (
    "natural_person",
    "enterprise",
    "research",
    "public_interest",
    "legal_service",
    "other_org",
)
ReviewSpec = tuple[str, dt.date, str | None, dt.date | None]  # kind, filed, result, decided


def add_case(
    session: Session,
    no: str,
    received: dt.date,
    *,
    kind: str = "natural_person",
    outcome: str | None = None,
    on: dt.date | None = None,
    voided: bool = False,
    reviews: Iterable[ReviewSpec] = (),
    applicant: Applicant | None = None,
    department: str | None = "区规划资源局",
) -> Case:
    """A case with its stored clock columns set as refresh would for a plain case."""
    if applicant is None:
        applicant = Applicant(type=kind, name=f"申请人{no}")
    case = Case(
        no=no,
        received=received,
        channel="in_person",
        applicant=applicant,
        description=f"申请{no}",
        department=department,
        outcome_code=outcome,
        outcome_on=on,
        status="closed" if on else "open",
        day0=received,
        due=received + dt.timedelta(days=28),
        correction_notice_due=received + dt.timedelta(days=9),
        voided=voided,
        void_reason="误登记" if voided else None,
    )
    case.reviews = [Review(kind=k, filed=f, result=r, decided=d) for k, f, r, d in reviews]
    session.add(case)
    return case


def add_corrected_case(
    session: Session,
    no: str,
    received: dt.date,
    notice: dt.date,
    corrected: dt.date,
    *,
    outcome: str | None = None,
    on: dt.date | None = None,
) -> Case:
    """A case whose 补正 restarts the clock; the clock columns come from deadlines.refresh."""
    case = add_case(session, no, received, outcome=outcome, on=on)
    cal = deadlines.load_calendar(session)
    until = cal.add_workdays(notice, 15)
    case.corrections = [Correction(notice=notice, until=until, received=corrected)]
    deadlines.refresh(case, cal)
    return case


def generate_years(session: Session, seed: int, first: int, last: int, n: int) -> list[Case]:
    """Cases spread over several years: some closed in the year after receipt, some never closed,
    some voided, some under review; every outcome code of the handbook appears."""
    rng = random.Random(seed)
    codes = [o.code for o in load_handbook().outcomes]
    start = D(first, 1, 1)
    span = (D(last, 12, 31) - start).days
    applicants = [Applicant(type=rng.choice(TYPES), name=f"生成申请人{i}") for i in range(n // 4)]
    made = []
    for i in range(n):
        received = start + dt.timedelta(days=rng.randrange(span + 1))
        closes = received + dt.timedelta(days=rng.randrange(0, 90))
        closed = rng.random() < 0.85 and closes <= D(last, 12, 31)
        reviews: list[ReviewSpec] = []
        if closed and rng.random() < 0.1:
            filed = closes + dt.timedelta(days=rng.randrange(1, 60))
            result = rng.choice(["upheld", "corrected", "other", None])
            decided = filed + dt.timedelta(days=rng.randrange(20, 300)) if result else None
            kind = rng.choice(["reconsideration", "litigation_direct", "litigation_after_review"])
            reviews.append((kind, filed, result, decided))
        made.append(
            add_case(
                session,
                f"G{seed}-{i:04d}",
                received,
                outcome=rng.choice(codes) if closed else None,
                on=closes if closed else None,
                voided=rng.random() < 0.03,
                reviews=reviews,
                applicant=rng.choice(applicants),
                department=rng.choice(["区规划资源局", "长兴镇", None]),
            )
        )
    return made


def add_boundary_cases(session: Session) -> list[Case]:
    """Cases at the edges of the report's rules: closed across a year's end, an outcome without
    its date, open for years, voided, an unknown outcome code; half of them answered by 长兴镇
    and a third made by `demo`."""
    odd = [
        add_case(session, "X01", D(2026, 1, 5), outcome="disclose", on=D(2025, 12, 20)),
        add_case(session, "X02", D(2025, 3, 1), outcome="disclose"),  # no outcome date
        add_case(session, "X03", D(2020, 2, 2), kind="enterprise"),  # open for years
        add_case(session, "X04", D(2019, 5, 5), outcome="other", on=D(2026, 1, 10)),
        add_case(session, "X05", D(2024, 12, 31), outcome="partial", on=D(2025, 1, 1)),
        add_case(session, "X06", D(2025, 12, 31), outcome="partial", on=D(2026, 1, 1)),
        add_case(session, "X07", D(2025, 6, 1), kind="research", voided=True),
        add_case(session, "X08", D(2022, 8, 8), kind="other_org", outcome="no_such_code",
                 on=D(2023, 3, 3)),
    ]  # fmt: skip
    for i, made in enumerate(odd):
        made.body = "长兴镇" if i % 2 else None
        made.demo = i % 3 == 0
    return odd
