"""The law as data: day counts come from handbook/periods.yaml, and the names code relies on
(steps, roles, letter roles) are checked when the handbook loads."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import handbook as handbook_package
from cases import actions
from cases.rules import fees
from cases.rules.handbook import HANDBOOK_ENV, HandbookError, _default_handbook, load_handbook
from cases.storage.store import Store
from cases.timing import clock
from cases.timing.calendar import WorkCalendar
from cases.timing.clock import Channel, ClockFacts, compute
from tests.actions_support import Desk, applicant

D = dt.date
CAL = WorkCalendar()
SOURCE = Path(handbook_package.__file__).parent


@pytest.fixture
def office_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the handbook that the program uses in place of the installed one."""
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    monkeypatch.setenv(HANDBOOK_ENV, str(folder))
    _default_handbook.cache_clear()
    yield folder
    _default_handbook.cache_clear()


def set_days(folder: Path, term: str, days: int) -> None:
    path = folder / "periods.yaml"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(- id: {term}\n(?:    .*\n)*?    days: )\d+")
    changed, n = pattern.subn(rf"\g<1>{days}", text)
    assert n == 1, term
    path.write_text(changed, encoding="utf-8")


def facts(received: dt.date) -> ClockFacts:
    return ClockFacts(received=received, channel=Channel.IN_PERSON)


def test_the_installed_figures_give_the_worked_examples() -> None:
    # domain.md §2.2: day 0 2025-09-26 → 7 WD 2025-10-13, 20 WD 2025-10-30.
    result = compute(facts(D(2025, 9, 26)), CAL)
    assert (result.correction_notice_due, result.due) == (D(2025, 10, 13), D(2025, 10, 30))
    assert clock.REPLY_DAYS == 20  # the old names read the handbook


def test_a_changed_reply_period_moves_the_due_date(office_copy: Path) -> None:
    set_days(office_copy, "reply", 25)
    result = compute(facts(D(2025, 9, 26)), CAL)
    assert result.limit == 25
    assert result.due == D(2025, 11, 6)  # five more working days after 2025-10-30
    assert any("答复期限为25个工作日" in line for line in result.explanation)


def test_a_changed_notice_period_moves_the_correction_deadline(office_copy: Path) -> None:
    set_days(office_copy, "correction_notice", 10)
    result = compute(facts(D(2025, 9, 26)), CAL)
    assert result.correction_notice_due == D(2025, 10, 16)
    assert any("收到申请后10个工作日内" in line for line in result.explanation)


def test_a_registered_case_follows_the_data(office_copy: Path, store: Store) -> None:
    set_days(office_copy, "reply", 25)
    desk = Desk.open(store)
    no = desk.do(
        actions.register, desk.handler, channel="in_person", applicant=applicant(),
        description="申请公开某文件", received=D(2025, 9, 26),
    ).no  # fmt: skip
    assert desk.case(no).due == D(2025, 11, 6)


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_a_renamed_step_fails_at_load_naming_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    steps = folder / "steps.yaml"
    # Renamed consistently inside the data (guidance file, every next and via), but not in code.
    text = steps.read_text(encoding="utf-8").replace("id: draft\n", "id: drafting\n")
    text = re.sub(r"next: \[(.*?)\bdraft\b", r"next: [\1drafting", text)
    text = text.replace("      draft: return_for_revision", "      drafting: return_for_revision")
    steps.write_text(text, encoding="utf-8")
    (folder / "guidance" / "draft.md").rename(folder / "guidance" / "drafting.md")
    with pytest.raises(HandbookError) as info:
        load_handbook(folder)
    assert info.value.file == "handbook/steps.yaml"
    assert info.value.line == line_of(steps, "id: drafting")
    assert "'drafting' 不是程序使用的步骤" in info.value.message
    assert "draft" in info.value.message.split("应为：")[1]


def test_a_renamed_role_fails_at_load_naming_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    roles = folder / "roles.yaml"
    roles.write_text(
        roles.read_text(encoding="utf-8").replace("id: signer", "id: leader"), encoding="utf-8"
    )
    with pytest.raises(HandbookError) as info:
        load_handbook(folder)
    assert (info.value.file, info.value.line) == ("handbook/roles.yaml", line_of(roles, "leader"))
    assert "signer" in info.value.message


def test_who_drafts_and_issues_comes_from_the_steps_file(tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    steps = folder / "steps.yaml"
    text = steps.read_text(encoding="utf-8")
    steps.write_text(
        text.replace("  issue: [reviewer, signer]", "  issue: [signer]"), encoding="utf-8"
    )
    assert load_handbook(folder).roles_for_letters("issue") == ("signer",)
    assert load_handbook().roles_for_letters("issue") == ("reviewer", "signer")
    steps.write_text(text.replace("  issue: [reviewer, signer]\n", ""), encoding="utf-8")
    with pytest.raises(HandbookError) as info:
        load_handbook(folder)
    assert "issue" in info.value.message and info.value.file == "handbook/steps.yaml"


def test_changed_fee_tiers_change_the_quote(office_copy: Path) -> None:
    installed = fees.per_item_fee(11)
    assert installed.amount == 100
    assert "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）" in installed.text
    path = office_copy / "fees.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  free: 10\n", "  free: 5\n").replace("first_rate: 100", "first_rate: 120")
    path.write_text(
        text.replace("{first: 31, last: 100, rate: 10}", "{first: 31, last: 100, rate: 12}"),
        encoding="utf-8",
    )
    _default_handbook.cache_clear()
    assert fees.per_item_fee(6).amount == 120
    assert "累计申请5件以下（含5件）的不收费" in fees.per_item_fee(5).text
    assert fees.per_page_fee(31).amount == 12


def test_fee_bands_that_leave_a_gap_fail_at_load(tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = folder / "fees.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{first: 101,", "{first: 102,"), encoding="utf-8"
    )
    with pytest.raises(HandbookError) as info:
        load_handbook(folder)
    assert info.value.file == "handbook/fees.yaml"
    assert info.value.line == line_of(path, "first: 102") and "第101页" in info.value.message


def test_which_outcome_a_withdrawal_records_is_data(tmp_path: Path) -> None:
    assert load_handbook().closed_by("withdraw").code == "other_withdrawn"
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = folder / "outcomes.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    closed_by: withdraw\n", ""), encoding="utf-8"
    )
    with pytest.raises(HandbookError) as info:
        load_handbook(folder)
    assert info.value.file == "handbook/outcomes.yaml" and "'withdraw'" in info.value.message


def test_the_explanation_cites_what_the_data_says(office_copy: Path) -> None:
    before = compute(facts(D(2025, 9, 26)), CAL).explanation
    assert any("（条例第三十一条）" in line for line in before)
    path = office_copy / "periods.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  - id: day0\n    basis: [{law: 条例, article: 31}]",
                     "  - id: day0\n    basis: [{law: 条例, article: 131}]"),
        encoding="utf-8",
    )  # fmt: skip
    _default_handbook.cache_clear()
    after = compute(facts(D(2025, 9, 26)), CAL).explanation
    assert any("（条例第一百三十一条）" in line for line in after)
    assert not any("第三十一条" in line for line in after)


def test_table2_blocks_are_the_items_the_data_names(office_copy: Path) -> None:
    from cases.documents import report

    assert report.table2_blocks()[0].title == "第二十条第（一）项"
    path = office_copy / "report_rows.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("{law: 条例, article: 20, item: 5}", "{law: 条例, article: 20, item: 4}"),
        encoding="utf-8",
    )
    _default_handbook.cache_clear()
    titles = [b.title for b in report.TABLE2]
    assert titles[1] == "第二十条第（四）项"
    assert ("第二十条第（四）项", "行政许可", "本年处理决定数量") in report.table2_keys()


def test_a_prompt_cites_what_citations_yaml_says(office_copy: Path) -> None:
    from cases.documents.outcome_text import OutcomeTextMissing, check_outcome_text

    def refusal_message() -> str:
        with pytest.raises(OutcomeTextMissing) as info:
            check_outcome_text(load_handbook().outcome("withhold_secret"), [], "", "")
        return info.value.message

    assert "条例第三十六条第（三）项" in refusal_message()
    path = office_copy / "citations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  - id: refusal_reason\n    basis: [{law: 条例, article: 36, item: 3}]",
                     "  - id: refusal_reason\n    basis: [{law: 条例, article: 37}]"),
        encoding="utf-8",
    )  # fmt: skip
    _default_handbook.cache_clear()
    assert "条例第三十七条" in refusal_message()
    assert "第三十六条" not in refusal_message()


def test_a_renamed_citation_fails_at_load_naming_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    shutil.copytree(SOURCE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = folder / "citations.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- id: repeat\n", "- id: repeated\n"),
        encoding="utf-8",
    )
    with pytest.raises(HandbookError) as info:
        load_handbook(folder)
    assert (info.value.file, info.value.line) == (
        "handbook/citations.yaml",
        line_of(path, "repeated"),
    )
    assert "repeat" in info.value.message.split("应为：")[1]


def test_the_profile_defaults_come_from_the_handbook(office_copy: Path) -> None:
    from cases.office.profile import OfficeProfile

    installed = OfficeProfile()
    assert "60日内" in installed.remedy_other and installed.reasons_answer_days == 15
    assert installed.review_first == tuple(o.code for o in load_handbook().outcomes if o.refusal)
    path = office_copy / "remedies.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "之日起60日内向{复议机关}", "之日起90日内向{复议机关}"
        ),
        encoding="utf-8",
    )
    set_days(office_copy, "reasons_answer", 10)
    _default_handbook.cache_clear()
    changed = OfficeProfile()
    assert "90日内" in changed.remedy_other and "60日内" not in changed.remedy_refusal
    assert changed.reasons_answer_days == 10
