"""Similar past cases (相似案件): local text similarity of request texts, no network.

Two stages. Candidates come from the database through the text-search seam (cases.query.search,
the bigram index on SQLite and PostgreSQL): the request's most selective trigrams, OR-ed, in one
statement that stops after a few hundred rows, newest first. Selectivity is estimated from a
sample of requests spread over the file, kept per database for a while (an estimate only steers
which trigrams are asked; it never decides a result). The candidates are then ranked in Python by
the overlap of character bigrams (Dice).
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.query import search
from cases.storage.model import Case, Letter

# Punctuation and spaces carry no meaning for "the same request" and would only add noise grams.
_NOISE = re.compile(
    r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    r"“”‘’、，。；：？！（）《》〈〉【】…—·,.;:?!()\[\]{}<>\"'/\\|-]+"
)
TRIGRAM = 3  # pieces of three characters: two bigrams of the index, rarer than either
SAMPLE_SIZE = 3000
SAMPLE_TTL = 600.0  # seconds: a busy desk adds a few dozen cases an hour; estimates stay good
MAX_TRIGRAMS = 8
# Of those, how many may be pieces the sample holds at most once. Such a piece is either rare
# beyond the sample (a good find) or only in the case in hand, which the sample may hold, and
# then it finds nothing: eight of them left a new request with no similar case at all.
MAX_SINGULAR = 3
# Rows read from the index for ranking, at most, newest first. The rarest pieces of a request
# find its own kind within a few hundred rows; reading thousands only paid for worse matches.
CANDIDATE_BUDGET = 400
RANKED = 150  # of those, how many are scored by bigram overlap
COMMON_REQUEST = 5  # expected matches over this many budgets: only the newest slice is read
SAME_REQUEST = 0.6  # Dice of bigrams at or above which two requests ask for the same thing


def normalize(text: str) -> str:
    return _NOISE.sub("", text or "").lower()


def grams(text: str, n: int) -> set[str]:
    t = normalize(text)
    if len(t) < n:
        return {t} if t else set()
    return {t[i : i + n] for i in range(len(t) - n + 1)}


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


_NUMBER = re.compile(r"\d+")


def numbers(text: str) -> frozenset[str]:
    """The numbers a request names (years, 文号, plot numbers), without leading zeros."""
    return frozenset(n.lstrip("0") or "0" for n in _NUMBER.findall(text or ""))


def same_request(a: str, b: str, score: float | None = None) -> bool:
    """Whether two requests ask for the same information.

    Close wording is not enough: requests written from one pattern differ only in the 文号 or
    the year (沪府土〔2025〕14号 and 140号 are different documents), so the numbers they name
    must agree too, and in a name (东风村 and 丰乐村), so nothing may stand in the place of
    something else.
    """
    value = similarity(a, b) if score is None else score
    return value >= SAME_REQUEST and numbers(a) == numbers(b) and not names_other(a, b)


# What opens a request without saying what is asked (申请公开…, 请提供…), and the characters of
# the small words that join two things asked for (及, 和, 以及): a request may add, drop or swap
# these and still ask the same.
_OPENING = re.compile(r"^(?:申请|请求|请)?(?:公开|提供)?")
_LINKS = str.maketrans("", "", "及和与或以者其的之")


def _subject(text: str) -> str:
    return _OPENING.sub("", normalize(text), count=1)


def _common_start(x: str, y: str) -> int:
    n = 0
    for p, q in zip(x, y, strict=False):
        if p != q:
            break
        n += 1
    return n


def _in_order(short: str, long: str) -> bool:
    rest = iter(long)
    return all(c in rest for c in short)


def names_other(a: str, b: str) -> bool:
    """Whether one request has something where the other has something else (东风村, 丰乐村).

    Added or left-out words (长兴镇凤凰村 for 凤凰村, 用于维护本人合法权益) keep the request the
    same: between the common start and the common end, joining words set aside, one text's
    characters must all be in the other's, in order. Anything else put in the place of
    something changes what is asked.
    """
    return _replaced(_subject(a), _subject(b))


def _replaced(x: str, y: str) -> bool:
    start = _common_start(x, y)
    x, y = x[start:], y[start:]
    end = _common_start(x[::-1], y[::-1])
    x = x[: len(x) - end].translate(_LINKS)
    y = y[: len(y) - end].translate(_LINKS)
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    return not _in_order(short, long)


def similarity(a: str, b: str) -> float:
    """Bigram overlap of two request texts, 0..1 (1: the same characters in the same pairs)."""
    return dice(grams(a, 2), grams(b, 2))


RARE = 4  # a text's rarest bigrams, whose pairs stand for it in the grouping's index
GAPS = 3  # places inside a text where the grouping lets words be added or swapped
CROWDED = 8  # leaders in view above which the grouping compares only those sharing two pairs


def group_same_requests(
    texts: Sequence[str], step: Callable[[int, int], None] | None = None
) -> list[list[int]]:
    """The indexes of `texts` in groups that ask for the same information (same_request).

    Each group forms around its first text, in the order given (put the most asked first): a
    text joins the first group whose leader asks the same, so two groups never merge through a
    chain of small differences.

    Two requests for the same thing differ by words added or left out (same_request refuses a
    replaced one), so the shorter one's bigrams are, all but one per place of insertion, inside
    the longer one, its rarest ones included, and those name what is asked (东风村). So a leader
    is filed under each pair of its RARE rarest bigrams, and a text looks up each pair of its
    own: a pair of rare bigrams is shared by few texts, so the lists stay short however many
    requests are written from one pattern. Decision: requests that share no such pair, or
    differ in more than GAPS places inside the text, are not grouped; each leads its own group.
    `step(done, total)` is told how far it got now and then (a long year takes seconds).
    """
    texts = [normalize(x) for x in texts]
    subjects = [_OPENING.sub("", x, count=1) for x in texts]
    # What is asked, without the opening words: what the lookup and the gaps are counted on.
    asked = [{x[k : k + 2] for k in range(len(x) - 1)} or {x} for x in subjects]
    sets: dict[int, set[str]] = {}  # the whole texts' bigrams, for the few that get compared

    def whole(k: int) -> set[str]:
        found = sets.get(k)
        if found is None:
            found = sets[k] = grams(texts[k], 2)
        return found

    df: Counter[str] = Counter()
    for bigrams in asked:
        df.update(bigrams)
    # Rarest first, ties by the bigram itself: one order for every text, looked up in C.
    rank = {b: n for n, (b, _) in enumerate(sorted(df.items(), key=lambda x: (x[1], x[0])))}
    groups: list[list[int]] = []
    filed: dict[tuple[frozenset[str], str, str], list[int]] = {}
    for i, text in enumerate(texts):
        if step is not None and i % 1000 == 0:
            step(i, len(texts))
        mine = asked[i]
        key = numbers(text)  # same_request needs the numbers equal
        # A bigram no other text has cannot find a partner (a typo, a word only this one adds).
        shared = sorted((b for b in mine if df[b] > 1), key=rank.__getitem__)
        rarest = sorted(shared[:RARE])
        pairs = [(key, p, q) for p, q in combinations(rarest, 2)]
        if not pairs:  # a short text: filed under what it asks, whole
            pairs = [(key, rarest[0] if rarest else subjects[i], "")]
        hits = Counter(g for pair in pairs for g in filed.get(pair, ()))
        # A leader that shares one pair only shares two rare bigrams: the patterns' siblings
        # (东风村, 丰乐村 asked alike) do, a request asked again in other words mostly shares
        # more. Where many leaders are in view, only those are compared.
        least = 2 if len(hits) > CROWDED else 1
        joined = None
        for g in sorted(g for g, n in hits.items() if n >= least):  # the most asked first
            first = groups[g][0]
            theirs = asked[first]
            # Words only added leave at most a bigram per place unmatched on the shorter side.
            if (
                min(len(mine), len(theirs)) - len(mine & theirs) <= GAPS
                and dice(whole(i), whole(first)) >= SAME_REQUEST
                and not _replaced(subjects[i], subjects[first])
            ):
                joined = g
                break
        if joined is not None:
            groups[joined].append(i)
            continue
        groups.append([i])
        for pair in pairs:
            filed.setdefault(pair, []).append(len(groups) - 1)
    return groups


# --------------------------------------------------------------------------- selectivity


@dataclass
class _Sample:
    at: float
    size: int
    df: Counter[str]


_SAMPLES: dict[str, _Sample] = {}


def _sample(session: Session) -> _Sample:
    """Trigram document counts over requests spread evenly across the file, cached per database.

    Evenly, not the newest: 2020年 is rare among this month's requests and in every tenth case
    of the archive, and a piece taken for rare would fetch thousands of rows.
    """
    bind = session.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True)
    found = _SAMPLES.get(key)
    now = time.monotonic()
    if found is not None and now - found.at < SAMPLE_TTL:
        return found
    top = int(session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0)
    step = max(1, top // SAMPLE_SIZE)
    rows = session.scalars(select(Case.description).where(Case.id.in_(range(top, 0, -step))))
    df: Counter[str] = Counter()
    size = 0
    for text in rows:
        df.update(grams(text, TRIGRAM))
        size += 1
    made = _Sample(now, size, df)
    _SAMPLES[key] = made
    return made


def forget_samples() -> None:
    """Drop the cached estimates (tests, or after a large import)."""
    _SAMPLES.clear()


def selective_trigrams(session: Session, text: str, total: int) -> tuple[list[str], float]:
    """The request's trigrams least common in the sample, within the candidate budget.

    With them, the number of cases expected to hold one of them (an estimate from the sample).
    """
    sample = _sample(session)
    mine = sorted(grams(text, TRIGRAM))
    if not mine or len(next(iter(mine))) < TRIGRAM:
        return [], 0.0
    scale = total / sample.size if sample.size else 0.0
    ranked = sorted(mine, key=lambda g: (sample.df[g], g))
    chosen: list[str] = []
    expected = 0.0
    singular = 0
    for g in ranked:
        if sample.df[g] <= 1:
            if singular >= MAX_SINGULAR:
                continue
            singular += 1
        estimate = sample.df[g] * scale
        if chosen and expected + estimate > CANDIDATE_BUDGET:
            break
        chosen.append(g)
        expected += estimate
        if len(chosen) >= MAX_TRIGRAMS:
            break
    return chosen, expected


def newest_slice(expected: float, total: int, anchor: int) -> int | None:
    """The lowest id worth reading when even the rarest piece is common, else None.

    Decision: a request made only of common words (申请公开会议纪要) matches tens of thousands
    of cases, and PostgreSQL reads every match before it sorts them; so such a request is
    compared with the cases registered last before `anchor` (the case in hand, or the newest),
    as many as the budget allows, on both databases alike.
    """
    if expected <= COMMON_REQUEST * CANDIDATE_BUDGET or total <= 0:
        return None
    span = int(total * COMMON_REQUEST * CANDIDATE_BUDGET / expected)
    return max(anchor - span, 0)


# --------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class SimilarCase:
    """An earlier case like the one in hand, with what the office answered."""

    case_id: int
    no: str
    received: dt.date
    description: str
    score: float
    applicant_id: int
    outcome_code: str | None
    outcome_on: dt.date | None
    outcome_reasons: tuple[str, ...]
    statement: str
    letters: tuple[tuple[str, str], ...]  # (kind, number) of issued letters

    def same_request_as(self, text: str) -> bool:
        return same_request(text, self.description, self.score)


def find_similar(
    session: Session,
    text: str,
    *,
    exclude_id: int | None = None,
    before: dt.date | None = None,
    limit: int = 10,
    minimum: float = 0.2,
) -> list[SimilarCase]:
    """The cases whose request is most like `text`, best first (received on or before `before`)."""
    total = int(session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0)
    chosen, expected = selective_trigrams(session, text, total)
    if not chosen:
        return []
    anchor = exclude_id if before is not None and exclude_id is not None else total
    rows = search.similar_candidates(
        session,
        chosen,
        CANDIDATE_BUDGET,
        before=before,
        exclude_id=exclude_id,
        above=newest_slice(expected, total, anchor),
    )
    # Pre-rank by how many of the asked trigrams each text holds (a substring test in C), so
    # that the bigram sets are only built for the best candidates; requests written from one
    # pattern repeat word for word, so each distinct text is scored once.
    hits = heapq.nlargest(RANKED, ((sum(g in d for g in chosen), cid, d) for cid, d in rows))
    mine = grams(text, 2)
    scores: dict[str, float] = {}
    scored: list[tuple[float, int]] = []
    for _, cid, desc in hits:
        score = scores.get(desc)
        if score is None:
            score = scores[desc] = dice(mine, grams(desc, 2))
        if score >= minimum:
            scored.append((score, cid))
    best = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], -s[1]))
    return details(session, best)


def similar_to_case(session: Session, case: Case, limit: int = 10) -> list[SimilarCase]:
    """Earlier cases like this one (received no later than it), best first."""
    return find_similar(
        session, case.description, exclude_id=case.id, before=case.received, limit=limit
    )


def details(session: Session, scored: Sequence[tuple[float, int]]) -> list[SimilarCase]:
    ids = [cid for _, cid in scored]
    if not ids:
        return []
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    issued: dict[int, list[tuple[str, str]]] = {}
    rows = session.execute(
        select(Letter.case_id, Letter.kind, Letter.number)
        .where(Letter.case_id.in_(ids), Letter.status == "issued")
        .order_by(Letter.id)
    )
    for case_id, kind, number in rows:
        issued.setdefault(case_id, []).append((kind, number or ""))
    out: list[SimilarCase] = []
    for score, cid in scored:
        c = cases[cid]
        out.append(
            SimilarCase(
                case_id=c.id,
                no=c.no,
                received=c.received,
                description=c.description,
                score=round(score, 3),
                applicant_id=c.applicant_id,
                outcome_code=c.outcome_code,
                outcome_on=c.outcome_on,
                outcome_reasons=tuple(c.outcome_reasons.split()),
                statement=c.outcome_statement or "",
                letters=tuple(issued.get(cid, ())),
            )
        )
    return out


def letters_text(found: SimilarCase) -> str:
    """The earlier case's issued letters, named and numbered: 政府信息公开申请答复书（…号）."""
    from cases.rules.workflow import handbook

    labels = dict(handbook().letter_labels)
    named = (labels.get(kind, kind) + (f"（{no}）" if no else "") for kind, no in found.letters)
    return "、".join(named)


def wording(found: SimilarCase) -> str:
    """The finding of an earlier reply as it was written, for reuse: statement, else reasons."""
    if found.statement.strip():
        return found.statement.strip()
    if found.outcome_code is None:
        return ""
    from cases.rules.workflow import handbook

    outcome = handbook().outcome(found.outcome_code)
    texts: Iterable[str] = (
        outcome.reason(r).text
        for r in found.outcome_reasons
        if r in {x.id for x in outcome.reasons}
    )
    return "".join(texts)
