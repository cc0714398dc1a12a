"""`letter CASE KIND` read through sqlite3 gives the letter, or the refusal, the ORM way gives.

On a demo of a few thousand cases, with issued letters in force and superseded, an office
profile, office holidays and an office template: every case's snapshot read both ways, every
kind of every case drafted both ways, and the command end to end (.docx and .pdf, refusals).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import pickle
import shutil
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

import main
from cases import cli
from cases.documents import letters
from cases.documents.letter_case import from_orm, letter_content, read_case
from cases.documents.letters import drafting
from cases.errors import Refused
from cases.office.profile import load_profile, profile_from_setting, save_profile
from cases.sample import demo
from cases.storage import paths, plain_sqlite
from cases.storage.model import Case, HolidayEntry, Letter, ScheduleYear
from cases.storage.store import open_store
from cases.timing.office_calendar import load_calendar, plain_calendar
from tests.test_pdf import needs_soffice

N_CASES = 2000
TODAY = dt.date(2025, 11, 28)


def _office_template(folder: Path) -> None:
    """The default receipt with a paragraph of the office's own: an office template in use."""
    document = docx.Document(str(letters.default_templates_dir() / "receipt.docx"))
    document.add_paragraph("本回执由本机关自定义模板生成：{{ case.no }}，{{ office.name }}")
    folder.mkdir(parents=True, exist_ok=True)
    document.save(str(folder / "receipt.docx"))


def _issue_some(session: Session, cases: Sequence[Case]) -> None:
    """Receipts and replies issued on some closed cases; some replies corrected (superseded)."""
    for index, case in enumerate(cases):
        for kind in ("receipt", "reply"):
            try:
                draft = letters.draft_letter(session, case, kind, "张三")
            except Refused:
                continue
            issued = letters.issue_letter(session, draft, "李四", on=case.outcome_on or TODAY)
            if kind == "reply" and index % 3 == 0:
                newer = letters.correct_letter(session, issued, "张三")
                letters.issue_letter(session, newer, "李四", on=case.outcome_on or TODAY)
        if index % 4 == 1:  # a draft that was never issued: the command renders a fresh one
            with contextlib.suppress(Refused):
                letters.draft_letter(session, case, "extension", "张三")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A demo database with letters, a saved profile, office holidays and an office template;
    and the data folder it belongs with."""
    root = tmp_path_factory.mktemp("plain-letters")
    home, db = root / "home", root / "cases.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DISCLOSURE_DESK_HOME", str(home))
        patch.setenv("DISCLOSURE_DESK_CACHE", str(root / "cache"))
        _office_template(paths.office_templates_dir())
        store = open_store(db)
        with store.transaction() as session:
            demo.generate(session, N_CASES, seed=14, today=TODAY)
            profile = load_profile(session)
            save_profile(
                session,
                replace(profile, issuing_body="上海市崇明区某某局", court="上海市第二中级人民法院"),
                "管理员",
            )
            session.add(HolidayEntry(day=dt.date(2025, 5, 6), workday=False, note="本机关调休"))
            session.add(ScheduleYear(year=2025, source="测试"))
            closed = session.scalars(
                select(Case)
                .where(
                    Case.outcome_code.is_not(None),
                    Case.voided.is_(False),
                    Case.archived_at.is_(None),  # an archived case takes no new letter
                )
                .order_by(Case.id)
                .limit(60)
            ).all()
            _issue_some(session, closed)
        store.close()
    yield db, home


@pytest.fixture
def at_office(office: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo office's data folder in use (its templates), with a cache of this test's own."""
    db, home = office
    monkeypatch.setenv("DISCLOSURE_DESK_HOME", str(home))
    return db


def plain(db: Path) -> sqlite3.Connection:
    connection = plain_sqlite.open_current(db)
    assert connection is not None  # the file is at this program's revision
    return connection


def read_through_sqlite3(db: Path, case_no: str, kind: str) -> bytes | None:
    """One letter the way the command reads the file, on a connection of its own."""
    connection = plain(db)
    try:
        return drafting.from_file(connection, case_no, kind)
    finally:
        connection.close()


def outcome(make: Callable[[], bytes | None], unzip: bool = True) -> tuple[str, object]:
    """What a way of making a letter gave: the document's parts, or the refusal and its words."""
    try:
        content = make()
    except Refused as exc:
        return "refused", (type(exc).__name__, exc.field, exc.message)
    assert content is not None  # the sqlite3 way read every value of the demo
    if not content.startswith(b"PK"):
        return "asked", pickle.loads(content)  # what the template was to be filled with
    if not unzip:
        return "letter", content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # A .docx carries the time it was zipped; its parts are what the letter says.
        return "letter", {name: archive.read(name) for name in archive.namelist()}


def test_every_case_reads_the_same_through_sqlite3(at_office: Path) -> None:
    store = open_store(at_office)
    connection = plain(at_office)
    try:
        with store.session() as session:
            cases = session.scalars(
                select(Case)
                .options(*(selectinload(getattr(Case, r)) for r in RELATIONSHIPS))
                .order_by(Case.id)
            ).all()
            assert len(cases) >= N_CASES
            kinds = {"letters": 0, "corrections": 0, "fees": 0, "approvals": 0, "delays": 0}
            for case in cases:
                snapshot = read_case(connection, case.no)
                assert snapshot == from_orm(case), case.no
                for name in kinds:
                    kinds[name] += len(getattr(snapshot, name))
            assert all(kinds.values()), kinds  # the demo holds every sort of event compared
            assert read_case(connection, "2099-999999") is None
            # The profile and the calendar as each way reads them.
            row = connection.execute("SELECT value FROM settings WHERE key = 'office_profile'")
            assert row.fetchone() is not None
            orm_cal, plain_cal = load_calendar(session), plain_calendar(connection)[0]
            assert orm_cal.office_years == plain_cal.office_years == {2025}
            day = dt.date(2025, 1, 1)
            while day.year < 2027:
                assert orm_cal.kind(day) == plain_cal.kind(day), day
                day += dt.timedelta(days=1)
    finally:
        connection.close()
        store.close()


RELATIONSHIPS = (
    "applicant",
    "corrections",
    "consultations",
    "extensions",
    "fees",
    "delays",
    "services",
    "letters",
    "approvals",
)


def inputs(template: letters.Template, context: Any, *, author: str = "") -> bytes:
    """What rendering was asked to fill, in place of the filled file (see the test below)."""
    digest = hashlib.sha256(template.data).hexdigest()
    return pickle.dumps((template.kind, str(template.path), digest, author, context))


def test_every_kind_of_every_case_asks_the_same_of_the_template(
    at_office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every kind of each of the demo's cases, both ways: the same refusal, the same stored file,
    # or the same template filled with the same context by the same author. Filling 28,000
    # templates twice would take minutes; the filling itself, and the two ways as the command
    # calls them (render_letter, from_file), are compared on real files in the next tests. Here
    # each way's reads are hoisted out of the loop: the profile and the calendar read once by
    # each, each case read by each, then command_letter, which both ways call, on each.
    monkeypatch.setattr(drafting, "render", inputs)
    store = open_store(at_office)
    connection = plain(at_office)
    seen: Counter[str] = Counter()
    try:
        with store.session() as session:
            orm_profile, orm_calendar = load_profile(session), load_calendar(session)
            (saved,) = connection.execute(
                "SELECT value FROM settings WHERE key = 'office_profile'"
            ).fetchone()
            read_profile = profile_from_setting(saved)
            read_calendar = plain_calendar(connection)[0]
            cases = session.scalars(
                select(Case)
                .options(*(selectinload(getattr(Case, r)) for r in RELATIONSHIPS))
                .order_by(Case.id)
            ).all()
            for case in cases:
                orm_case, read = from_orm(case), read_case(connection, case.no)
                for kind in letters.KINDS:
                    got = [
                        outcome(
                            functools.partial(
                                drafting.command_letter,
                                case.no,
                                kind,
                                lambda found=found: found,
                                content_of=content_of,
                                profile=lambda profile=profile: profile,
                                calendar=lambda calendar=calendar: calendar,
                            ),
                            unzip=False,
                        )
                        for found, content_of, profile, calendar in (
                            (orm_case, lambda row: session.get_one(Letter, row.id).content,
                             orm_profile, orm_calendar),
                            (read, lambda row: letter_content(connection, row.id),
                             read_profile, read_calendar),
                        )
                    ]  # fmt: skip
                    assert got[0] == got[1], (case.no, kind)
                    seen[got[0][0]] += 1
    finally:
        connection.close()
        store.close()
    assert seen["refused"] and seen["asked"] and seen["letter"], seen


def test_letters_of_a_sample_are_the_same_documents(at_office: Path) -> None:
    # Real files: every kind of the cases that have letters, and of a spread of the others.
    store = open_store(at_office)
    connection = plain(at_office)
    made = 0
    try:
        with store.session() as session:
            with_letters = set(session.scalars(select(Letter.case_id)).all())
            numbers = session.scalars(
                select(Case.no)
                .where(Case.id.in_(with_letters) | (Case.id % 40 == 0))
                .order_by(Case.id)
            ).all()
            for no in numbers:
                for kind in letters.KINDS:
                    orm = outcome(functools.partial(letters.render_letter, session, no, kind))
                    read = outcome(functools.partial(drafting.from_file, connection, no, kind))
                    assert read == orm, (no, kind)
                    made += orm[0] == "letter"
    finally:
        connection.close()
        store.close()
    assert made > 100


class Command:
    """`letter` run through main.run on a file, the sqlite3 way or (by URL) the full way."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str], full_way: list[str]):
        self.db, self.capsys, self.full_way = db, capsys, full_way

    def run(self, *argv: str, url: bool = False) -> tuple[int, str, str, bytes | None]:
        out = Path(argv[argv.index("--out") + 1])
        out.unlink(missing_ok=True)
        before = len(self.full_way)
        target = f"sqlite:///{self.db}" if url else str(self.db)
        status = main.run(["--db", target, "letter", *argv])
        printed = self.capsys.readouterr()
        assert (len(self.full_way) > before) == url  # which way the command went
        return status, printed.out, printed.err, out.read_bytes() if out.exists() else None

    def both(self, *argv: str) -> tuple[int, str, str, bytes | None]:
        """The sqlite3 way's result, after checking that the full way's is the same."""
        read = self.run(*argv)
        orm = self.run(*argv, url=True)
        assert read[:3] == orm[:3], argv
        if read[3] is None or orm[3] is None or not read[3].startswith(b"PK"):
            assert (read[3] is None) == (orm[3] is None)
        else:
            assert parts(read[3]) == parts(orm[3]), argv
        return read


def parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def command(
    at_office: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Command:
    full_way: list[str] = []
    orm_letter = cli.letter

    def counted(*args: Any) -> int:
        full_way.append("letter")
        return orm_letter(*args)

    monkeypatch.setattr(cli, "letter", counted)
    return Command(at_office, capsys, full_way)


def _case_no(db: Path, sql: str) -> str:
    with sqlite3.connect(db) as connection:
        (no,) = connection.execute(sql).fetchone()
    return str(no)


def test_the_command_writes_the_same_letters_both_ways(command: Command, tmp_path: Path) -> None:
    out = str(tmp_path / "letter.docx")
    db = command.db
    draft = _case_no(
        db,
        "SELECT no FROM cases WHERE outcome_code = 'disclose' AND NOT voided AND id NOT IN"
        " (SELECT case_id FROM letters) ORDER BY id LIMIT 1",
    )
    status, printed, _, content = command.both(draft, "reply", "--out", out)
    assert status == 0 and printed == f"已生成 {out}\n" and content is not None
    assert "上海市崇明区某某局" in docx_text(content)  # the saved profile, not the default
    receipt = command.both(draft, "receipt", "--out", out)[3]
    assert receipt is not None and "本回执由本机关自定义模板生成" in docx_text(receipt)
    # An issued reply that a correction superseded: the correction, as stored, both ways.
    with sqlite3.connect(db) as connection:
        no, stored = connection.execute(
            "SELECT c.no, l.content FROM letters l JOIN cases c ON c.id = l.case_id"
            " WHERE l.kind = 'reply' AND l.status = 'issued' AND l.supersedes_id IS NOT NULL"
            " ORDER BY l.id LIMIT 1"
        ).fetchone()
    assert command.both(no, "reply", "--out", out)[3] == stored


@pytest.mark.parametrize(
    ("case", "kind", "message"),
    [
        ("2099-000001", "reply", "找不到案件 2099-000001"),
        ("first", "poem", "不认识的文书种类“poem”"),
        ("no-fee", "fee", "本案件没有收费通知记录，无法生成"),
        ("voided", "receipt", "已作废，不能再生成文书"),
    ],
)
def test_the_command_refuses_alike_both_ways(
    command: Command, tmp_path: Path, case: str, kind: str, message: str
) -> None:
    sql = {
        "first": "SELECT no FROM cases ORDER BY id LIMIT 1",
        "no-fee": "SELECT no FROM cases WHERE NOT voided AND id NOT IN"
        " (SELECT case_id FROM fees) ORDER BY id LIMIT 1",
        "voided": "SELECT no FROM cases WHERE voided ORDER BY id LIMIT 1",
    }
    no = _case_no(command.db, sql[case]) if case in sql else case
    status, printed, err, content = command.both(no, kind, "--out", str(tmp_path / "x.docx"))
    assert status == 2 and printed == "" and message in err and content is None


def test_a_wrong_file_type_and_a_broken_office_template_are_refused_alike(
    command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office: tuple[Path, Path]
) -> None:
    no = _case_no(command.db, "SELECT no FROM cases WHERE NOT voided ORDER BY id LIMIT 1")
    status, _, err, _ = command.both(no, "receipt", "--out", str(tmp_path / "x.txt"))
    assert status == 2 and "文书只能输出为 .docx 或 .pdf" in err
    home = tmp_path / "home"  # a copy of the office's folder, with a broken template in it
    shutil.copytree(office[1], home)
    monkeypatch.setenv("DISCLOSURE_DESK_HOME", str(home))
    (home / "templates" / "receipt.docx").write_bytes(b"not a Word file")
    status, _, err, content = command.both(no, "receipt", "--out", str(tmp_path / "x.docx"))
    assert status == 2 and "模板 receipt.docx 不是有效的 Word（.docx）文件" in err
    assert content is None


def test_a_broken_saved_profile_is_refused_alike(
    office: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "broken-profile.sqlite"
    shutil.copy(office[0], db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE settings SET value = '{\"issuing_body\": ' WHERE key = ?",
                           ("office_profile",))  # fmt: skip
    connection.close()
    no = _case_no(db, "SELECT no FROM cases WHERE NOT voided ORDER BY id LIMIT 1")
    said = []
    for target in (str(db), f"sqlite:///{db}"):  # the sqlite3 way, then the full way
        out = str(tmp_path / "r.docx")
        status = main.run(["--db", target, "letter", no, "receipt", "--out", out])
        said.append((status, capsys.readouterr().err))
    assert said[0] == said[1]
    assert said[0][0] == 2 and "机关信息设置有误，无法生成文书" in said[0][1]
    assert not (tmp_path / "r.docx").exists()


@needs_soffice
def test_a_pdf_is_written_both_ways(command: Command, tmp_path: Path) -> None:
    no = _case_no(
        command.db, "SELECT no FROM cases WHERE outcome_code = 'disclose' ORDER BY id LIMIT 1"
    )
    status, printed, _, content = command.both(no, "reply", "--out", str(tmp_path / "r.pdf"))
    assert status == 0 and printed.startswith("已生成") and content is not None
    assert content.startswith(b"%PDF")


def test_a_value_sqlalchemy_cannot_read_either_is_left_to_the_full_way(
    office: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A fee amount stored as text (only raw SQL can do it): the sqlite3 way does not guess, the
    # command goes the full way and fails as it always did there, whatever that way says.
    db = tmp_path / "odd.sqlite"
    shutil.copy(office[0], db)
    no = _case_no(
        db,
        "SELECT no FROM cases WHERE archived_at IS NULL AND id IN (SELECT case_id FROM fees)"
        " ORDER BY id LIMIT 1",
    )
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE fees SET amount = 'abc' WHERE case_id = (SELECT id FROM cases WHERE no = ?)",
            (no,),
        )
    connection.close()
    assert read_through_sqlite3(db, no, "receipt") is None
    with pytest.raises(TypeError):  # SQLAlchemy's own error as the ORM reads the amount
        main.run(["--db", str(db), "letter", no, "receipt", "--out", str(tmp_path / "r.docx")])
    assert not (tmp_path / "r.docx").exists()


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def test_a_desk_writing_meanwhile_neither_blocks_nor_shows_half_its_work(
    office: tuple[Path, Path], tmp_path: Path
) -> None:
    # Another desk's transaction is open (WAL): the letter reads what was committed before it,
    # at once, and the change once it is committed.
    db = tmp_path / "busy.sqlite"
    shutil.copy(office[0], db)
    no = _case_no(
        db, "SELECT no FROM cases WHERE NOT voided AND archived_at IS NULL ORDER BY id LIMIT 1"
    )
    before = docx_text(read_through_sqlite3(db, no, "receipt") or b"")
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "UPDATE applicants SET name = '另一位申请人'"
            " WHERE id = (SELECT applicant_id FROM cases WHERE no = ?)",
            (no,),
        )
        during = read_through_sqlite3(db, no, "receipt")
        assert during is not None and docx_text(during) == before
        writer.execute("COMMIT")
    finally:
        writer.close()
    after = docx_text(read_through_sqlite3(db, no, "receipt") or b"")
    assert "另一位申请人" in after and "另一位申请人" not in before
