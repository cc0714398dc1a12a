"""The handbook data: every step and outcome walked and checked; broken copies fail loudly."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import cases.rules.handbook_yaml as handbook_parser
import handbook as handbook_package
from cases.errors import Refused
from cases.rules.handbook import (
    ACTIONS,
    LETTER_KINDS,
    OUTCOME_CODES,
    Handbook,
    HandbookError,
    chinese_numeral,
    load_handbook,
)

# ----------------------------------------------------------------------------- expectations,
# typed here from domain.md independently of the data files.

STEPS = [
    ("register", "登记"),
    ("check", "审核"),
    ("assign", "分办"),
    ("handle", "办理"),
    ("draft", "拟稿"),
    ("sign_off", "审核签发"),
    ("serve", "送达"),
    ("archive", "归档"),
]
ROLES = {"handler": "承办人", "reviewer": "审核人", "signer": "签发人", "admin": "管理员"}

# domain.md §4, the list under "Table 三, exact labels", line by line.
TABLE3_LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "（四）无法提供",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "（五）不予处理",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]
RESULTS = "三、本年度办理结果"

# domain.md §3: code → (label, cited (law, article, paragraph 款, item 项), table 三 row below 三).
# "16(1)", "16(2)", "39(1)", "39(2)" are paragraphs (款) of those articles; "36(n)" are items (项).
C = "条例"
OUTCOMES: dict[
    str, tuple[str, list[tuple[str, int | None, int | None, int | None]], tuple[str, ...]]
]
OUTCOMES = {
    "disclose": ("予以公开", [(C, 36, None, 2)], ("（一）予以公开",)),
    "disclose_public": ("已主动公开", [(C, 36, None, 1)], ("（一）予以公开",)),
    "partial": (
        "部分公开",
        [(C, 37, None, None)],
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",),
    ),
    "withhold_secret": (
        "不予公开-国家秘密",
        [(C, 14, None, None), (C, 36, None, 3)],
        ("（三）不予公开", "1.属于国家秘密"),
    ),
    "withhold_law": (
        "不予公开-法律法规禁止",
        [(C, 14, None, None), (C, 36, None, 3)],
        ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    ),
    "withhold_security": (
        "不予公开-三安全一稳定",
        [(C, 14, None, None), (C, 36, None, 3)],
        ("（三）不予公开", "3.危及“三安全一稳定”"),
    ),
    "withhold_third_party": (
        "不予公开-第三方权益",
        [(C, 15, None, None), (C, 32, None, None), (C, 36, None, 3)],
        ("（三）不予公开", "4.保护第三方合法权益"),
    ),
    "withhold_internal": (
        "不予公开-内部事务",
        [(C, 16, 1, None), (C, 36, None, 3)],
        ("（三）不予公开", "5.属于三类内部事务信息"),
    ),
    "withhold_process": (
        "不予公开-过程性信息",
        [(C, 16, 2, None), (C, 36, None, 3)],
        ("（三）不予公开", "6.属于四类过程性信息"),
    ),
    "withhold_enforcement": (
        "不予公开-行政执法案卷",
        [(C, 16, 2, None), (C, 36, None, 3)],
        ("（三）不予公开", "7.属于行政执法案卷"),
    ),
    "withhold_query": (
        "不予公开-行政查询事项",
        [(C, 36, None, 7)],
        ("（三）不予公开", "8.属于行政查询事项"),
    ),
    "unable_not_held": (
        "无法提供-本机关不掌握",
        [(C, 36, None, 4)],
        ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    ),
    "unable_not_ours": (
        "无法提供-非本机关负责公开",
        [(C, 36, None, 5)],
        ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    ),
    "unable_create": (
        "无法提供-需另行制作",
        [(C, 38, None, None)],
        ("（四）无法提供", "2.没有现成信息需要另行制作"),
    ),
    "unable_unclear": (
        "无法提供-补正后仍不明确",
        [(C, 30, None, None)],
        ("（四）无法提供", "3.补正后申请内容仍不明确"),
    ),
    "reject_petition": (
        "不予处理-信访举报投诉",
        [(C, 39, 1, None)],
        ("（五）不予处理", "1.信访举报投诉类申请"),
    ),
    "reject_repeat": (
        "不予处理-重复申请",
        [(C, 36, None, 6)],
        ("（五）不予处理", "2.重复申请"),
    ),
    "reject_publication": (
        "不予处理-公开出版物",
        [(C, 39, 2, None)],
        ("（五）不予处理", "3.要求提供公开出版物"),
    ),
    "reject_excessive": (
        "不予处理-大量反复申请",
        [(C, 35, None, None)],
        ("（五）不予处理", "4.无正当理由大量反复申请"),
    ),
    "reject_confirm": (
        "不予处理-要求确认或重新出具",
        [],
        ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ),
    "other_no_correction": (
        "其他处理-逾期不补正",
        [(C, 30, None, None)],
        (
            "（六）其他处理",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
    ),
    "other_fee_unpaid": (
        "其他处理-逾期未缴费",
        [(C, 42, None, None), ("收费办法", None, None, None)],
        (
            "（六）其他处理",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
    ),
    "other_withdrawn": ("其他处理-申请人撤回", [], ("（六）其他处理", "3.其他")),
    "other": ("其他处理-其他", [], ("（六）其他处理", "3.其他")),
}
REFUSALS = {code for code in OUTCOMES if code == "partial" or code.startswith("withhold_")}

_DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """Chinese numerals 1..99, written separately from the module under test."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def cited_words(article: int | None, paragraph: int | None, item: int | None) -> str:
    assert article is not None
    words = f"第{cn(article)}条"
    if paragraph is not None:
        words += f"第{cn(paragraph)}款"
    if item is not None:
        words += f"第（{cn(item)}）项"
    return words


@pytest.fixture(scope="module")
def hb() -> Handbook:
    return load_handbook()


# ----------------------------------------------------------------------------- basics


def test_default_handbook_is_cached(hb: Handbook) -> None:
    assert load_handbook() is hb


def test_chinese_numerals() -> None:
    expected = {1: "一", 2: "二", 10: "十", 14: "十四", 16: "十六", 20: "二十", 36: "三十六"}
    for n, words in expected.items():
        assert chinese_numeral(n) == words
    for n in range(1, 100):
        assert chinese_numeral(n) == cn(n)
    assert chinese_numeral(105) == "一百零五"
    assert chinese_numeral(110) == "一百一十"
    with pytest.raises(ValueError):
        chinese_numeral(0)


def test_error_reads_file_line_problem() -> None:
    error = HandbookError("handbook/steps.yaml", 12, "角色 'boss' 不存在")
    assert str(error) == "handbook/steps.yaml 第12行：角色 'boss' 不存在"
    assert str(HandbookError("handbook/laws.yaml", None, "文件不存在")) == (
        "handbook/laws.yaml：文件不存在"
    )
    assert isinstance(error, Refused) and not isinstance(error, ValueError)


def test_roles(hb: Handbook) -> None:
    assert {r.id: r.name for r in hb.roles} == ROLES
    for role in hb.roles:
        assert role.description


def test_every_action_and_letter_kind_has_a_label(hb: Handbook) -> None:
    assert {a for a, _ in hb.action_labels} == ACTIONS
    assert {k for k, _ in hb.letter_labels} == LETTER_KINDS
    assert hb.action_label("sign_off") == "签发"
    assert hb.letter_label("receipt") == "登记回执"


# ----------------------------------------------------------------------------- steps


def test_steps_in_order(hb: Handbook) -> None:
    assert [(s.id, s.name) for s in hb.steps] == STEPS
    assert hb.first_step.id == "register"


@pytest.mark.parametrize("step_id", [s for s, _ in STEPS])
def test_step_is_complete(hb: Handbook, step_id: str) -> None:
    step = hb.step(step_id)
    role_ids = {r.id for r in hb.roles}
    assert step.purpose
    assert step.guidance_md.strip().startswith(f"# {step.name}")
    assert len(step.guidance_md) > 800, "guidance should be a real page for a new handler"
    assert step.checklist
    assert len({i.id for i in step.checklist}) == len(step.checklist)
    assert all(i.text for i in step.checklist)
    assert step.basis
    assert all(c.text for c in step.basis)
    assert step.roles and set(step.roles) <= role_ids
    assert step.actions and set(step.actions) <= ACTIONS
    assert set(step.letters) <= LETTER_KINDS
    assert set(step.next_steps) <= {s for s, _ in STEPS} - {step_id}
    assert [a for a, _ in step.action_roles] == list(step.actions)
    for action, roles in step.action_roles:
        assert roles and set(roles) <= role_ids
        assert step.roles_for(action) == roles


def test_procedure_graph(hb: Handbook) -> None:
    reached = {"register"}
    frontier = ["register"]
    while frontier:
        for target in hb.step(frontier.pop()).next_steps:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == {s for s, _ in STEPS}
    assert hb.step("archive").next_steps == ()
    # The normal path runs the steps in order.
    for (here, _), (after, _) in itertools.pairwise(STEPS):
        assert after in hb.step(here).next_steps
    assert {a for s in hb.steps for a in s.actions} == ACTIONS
    assert {k for s in hb.steps for k in s.letters} == LETTER_KINDS


def test_roles_and_actions_where_they_belong(hb: Handbook) -> None:
    sign_off = hb.step("sign_off")
    assert sign_off.may_act("signer", "sign_off")
    assert not sign_off.may_act("reviewer", "sign_off")
    assert not sign_off.may_act("admin", "sign_off")
    assert sign_off.may_act("reviewer", "review")
    assert hb.step("handle").roles_for("approve_extension") == ("reviewer",)
    register = hb.step("register")
    assert not register.may_act("handler", "void")
    assert register.may_act("admin", "void")
    assert not register.may_act("admin", "register")
    assert register.may_act("handler", "register")
    assert register.roles == ("handler", "reviewer")
    assert register.roles_for("archive") == ()
    # An administrator keeps the system; only voiding a mistaken case touches cases, and an
    # administrator never works a step (moves a case on).
    assert {a for s in hb.steps for a in s.actions if s.may_act("admin", a)} == {"void"}
    assert not [s.id for s in hb.steps if "admin" in s.roles]
    assert [s.id for s in hb.steps_allowing("register")] == ["register"]
    assert [s.id for s in hb.steps_allowing("request_correction")] == ["check"]
    assert [s.id for s in hb.steps_allowing("record_service")] == ["serve"]
    assert "archive" in [s.id for s in hb.steps_allowing("add_review")]
    assert hb.step("register").letters == ("receipt",)
    assert "reply" in hb.step("draft").letters
    assert "service" in hb.step("serve").letters
    with pytest.raises(KeyError):
        hb.steps_allowing("teleport")


# ----------------------------------------------------------------------------- outcomes


def test_outcome_codes_are_the_fixed_list(hb: Handbook) -> None:
    assert tuple(o.code for o in hb.outcomes) == OUTCOME_CODES
    assert list(OUTCOME_CODES) == list(OUTCOMES)


@pytest.mark.parametrize("code", list(OUTCOMES))
def test_outcome_is_complete(hb: Handbook, code: str) -> None:
    label, cites, row = OUTCOMES[code]
    outcome = hb.outcome(code)
    assert outcome.label == label
    assert outcome.meaning
    assert [(c.law.id, c.article, c.paragraph, c.item) for c in outcome.citations] == cites

    sentence = outcome.citation_sentence
    for law, article, paragraph, item in cites:
        if article is not None:
            assert cited_words(article, paragraph, item) in sentence
        assert hb.law(law).title in sentence
    if not cites:
        assert not re.search("第[一二三四五六七八九十百]+条", sentence), "cites nothing it names"
    assert sentence.endswith("。")

    assert outcome.report_path == (RESULTS, *row)
    assert hb.report_row(outcome.report_path).counts_outcomes
    assert outcome.title_kind in ("答复书", "告知书")
    assert outcome.refusal == (code in REFUSALS)

    assert outcome.reasons
    assert len({r.id for r in outcome.reasons}) == len(outcome.reasons)
    for reason in outcome.reasons:
        assert reason.text.endswith("。")
        assert " " not in reason.id
        for c in reason.citations:
            assert c.article is not None
            assert cited_words(c.article, c.paragraph, c.item) in reason.text
            assert c.law.title in reason.text
    assert outcome.reason(outcome.reasons[0].id) is outcome.reasons[0]


def test_title_kinds(hb: Handbook) -> None:
    for outcome in hb.outcomes:
        expected = "告知书" if outcome.code.startswith(("reject_", "other")) else "答复书"
        assert outcome.title_kind == expected, outcome.code


def test_partial_offers_every_exemption_ground(hb: Handbook) -> None:
    grounds = {(c.article, c.paragraph) for r in hb.outcome("partial").reasons for c in r.citations}
    assert {(14, None), (15, None), (16, 1), (16, 2), (38, None)} <= grounds


def test_every_outcome_row_receives_an_outcome(hb: Handbook) -> None:
    for row in hb.report_rows:
        if row.counts_outcomes:
            assert hb.outcomes_in_row(row.path), row.path
        else:
            assert not hb.outcomes_in_row(row.path)


# ----------------------------------------------------------------------------- report rows


def expected_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    section: tuple[str, ...] = ()
    for label in TABLE3_LABELS:
        if label[1] == "、":  # 一、 二、 三、 四、
            path: tuple[str, ...] = (label,)
        elif label.startswith("（"):
            path = (RESULTS, label)
            section = path
        else:
            path = (*section, label)
        paths.append(path)
    return paths


def test_report_rows_are_domain_list_in_order(hb: Handbook) -> None:
    assert len(TABLE3_LABELS) == 30
    assert [r.path for r in hb.report_rows] == expected_paths()


def test_report_sums(hb: Handbook) -> None:
    paths = expected_paths()
    sums = {r.path: r.sum_of for r in hb.report_rows if r.sum_of}
    for section in ("（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"):
        parent = (RESULTS, section)
        assert sums.pop(parent) == tuple(p for p in paths if p[:2] == parent and len(p) == 3)
    sections = tuple(p for p in paths if len(p) == 2 and p[1] != "（七）总计")
    assert sums.pop((RESULTS, "（七）总计")) == sections
    assert sums == {}
    assert [r.path for r in hb.report_rows if r.heading] == [(RESULTS,)]


def test_report_columns_and_checks(hb: Handbook) -> None:
    assert [c.label for c in hb.report_columns] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert [c.id for c in hb.report_columns if c.total] == ["total"]
    assert hb.report_note == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    (balance,) = hb.report_checks
    assert balance.left == (
        ("一、本年新收政府信息公开申请数量",),
        ("二、上年结转政府信息公开申请数量",),
    )
    assert balance.right == ((RESULTS, "（七）总计"), ("四、结转下年度继续办理",))
    names = [c.name for c in hb.review_columns]
    assert len(names) == 15
    assert names[0] == "行政复议/结果维持"
    assert names[-1] == "行政诉讼/复议后起诉/总计"


# ----------------------------------------------------------------------------- broken copies


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    source = Path(handbook_package.__file__).parent
    target = tmp_path / "handbook"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def line_of(folder: Path, name: str, prefix: str, *, exact: bool = False) -> int:
    """The number of the one line that starts with `prefix` (or equals it, if exact)."""
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    hits = [
        i
        for i, line in enumerate(lines, 1)
        if (line == prefix if exact else line.startswith(prefix))
    ]
    assert len(hits) == 1, f"{prefix!r} found {len(hits)} times in {name}"
    return hits[0]


def replace_line(
    folder: Path, name: str, prefix: str, new: str | None, *, exact: bool = False
) -> int:
    """Replace (or with None delete) the one line starting with `prefix`; return its number."""
    number = line_of(folder, name, prefix, exact=exact)
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return number


def test_unbroken_copy_loads_like_default(copy: Path, hb: Handbook) -> None:
    assert load_handbook(copy) == hb


# Each case breaks one thing and returns (file, line or None, fragment of the problem).
Breaker = Callable[[Path], tuple[str, int | None, str]]


def bad_yaml_syntax(h: Path) -> tuple[str, int | None, str]:
    return (
        "roles.yaml",
        replace_line(h, "roles.yaml", "    name: 承办人", "    name: 承办人: x"),
        "YAML",
    )


def unknown_role(h: Path) -> tuple[str, int | None, str]:
    line = replace_line(
        h, "steps.yaml", "    roles: [reviewer, signer]", "    roles: [boss, signer]"
    )
    return "steps.yaml", line, "角色 'boss' 不存在"


def missing_key(h: Path) -> tuple[str, int | None, str]:
    replace_line(h, "steps.yaml", "    purpose: 在收到申请之日起7个工作日内", None)
    return "steps.yaml", line_of(h, "steps.yaml", "  - id: check"), "缺少必填的键 'purpose'"


def unknown_key(h: Path) -> tuple[str, int | None, str]:
    line = replace_line(h, "steps.yaml", "    name: 送达", "    nmae: 送达")
    return "steps.yaml", line, "未知的键 'nmae'"


def duplicate_id(h: Path) -> tuple[str, int | None, str]:
    line = replace_line(
        h, "outcomes.yaml", "  - code: other", "  - code: other_withdrawn", exact=True
    )
    return "outcomes.yaml", line, "'other_withdrawn' 重复"


def missing_guidance(h: Path) -> tuple[str, int | None, str]:
    (h / "guidance" / "serve.md").unlink()
    return "steps.yaml", line_of(h, "steps.yaml", "  - id: serve"), "guidance/serve.md 不存在"


def unknown_action(h: Path) -> tuple[str, int | None, str]:
    prefix = "    actions: [record_service]"
    line = replace_line(h, "steps.yaml", prefix, "    actions: [record_service, teleport]")
    return "steps.yaml", line, "操作 'teleport' 不存在"


def unknown_next_step(h: Path) -> tuple[str, int | None, str]:
    line = replace_line(h, "steps.yaml", "    next: [archive]", "    next: [archiv]")
    return "steps.yaml", line, "下一步骤 'archiv' 不存在"


def unreachable_step(h: Path) -> tuple[str, int | None, str]:
    replace_line(h, "steps.yaml", "    next: [check]", "    next: [assign]")
    return "steps.yaml", line_of(h, "steps.yaml", "  - id: check"), "'check' 无法从第一个步骤"


def report_path_not_a_row(h: Path) -> tuple[str, int | None, str]:
    prefix = "    report: [三、本年度办理结果, （三）不予公开, 1.属于国家秘密]"
    line = replace_line(h, "outcomes.yaml", prefix, prefix.replace("国家秘密", "国家机密"))
    return "outcomes.yaml", line, "不在 report_rows.yaml 中"


def citation_not_in_sentence(h: Path) -> tuple[str, int | None, str]:
    prefix = "    citation_sentence: 根据《中华人民共和国政府信息公开条例》第三十八条"
    old = (
        (h / "outcomes.yaml")
        .read_text(encoding="utf-8")
        .splitlines()[line_of(h, "outcomes.yaml", prefix) - 1]
    )
    line = replace_line(h, "outcomes.yaml", prefix, old.replace("第三十八条", "第三十九条"))
    return "outcomes.yaml", line, "条例第三十八条"


def missing_outcome(h: Path) -> tuple[str, int | None, str]:
    path = h / "outcomes.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = line_of(h, "outcomes.yaml", "  - code: other", exact=True)
    path.write_text("\n".join(lines[: cut - 1]) + "\n", encoding="utf-8")
    return "outcomes.yaml", line_of(h, "outcomes.yaml", "outcomes:"), "缺少办理结果 'other'"


def folded_chinese_text(h: Path) -> tuple[str, int | None, str]:
    line = replace_line(h, "roles.yaml", "    name: 签发人", "    name: >-\n      签发\n      人")
    return "roles.yaml", line, "两个汉字之间有空格"


def missing_file(h: Path) -> tuple[str, int | None, str]:
    (h / "laws.yaml").unlink()
    return "laws.yaml", None, "文件不存在"


@pytest.mark.parametrize(
    "breaker",
    [
        bad_yaml_syntax,
        unknown_role,
        missing_key,
        unknown_key,
        duplicate_id,
        missing_guidance,
        unknown_action,
        unknown_next_step,
        unreachable_step,
        report_path_not_a_row,
        citation_not_in_sentence,
        missing_outcome,
        folded_chinese_text,
        missing_file,
    ],
    ids=lambda f: f.__name__,
)
def test_broken_copy_names_file_and_line(copy: Path, breaker: Breaker) -> None:
    file, line, fragment = breaker(copy)
    with pytest.raises(HandbookError) as caught:
        load_handbook(copy)
    error = caught.value
    assert error.file == f"handbook/{file}"
    assert error.line == line
    assert fragment in error.problem
    where = f"handbook/{file}" + (f" 第{line}行" if line is not None else "")
    assert str(error).startswith(where + "：")
    assert error.path == str(copy / file)


def test_pure_python_parser_reports_the_same_line(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without libyaml the fallback parser must name the same file and line."""
    monkeypatch.setattr(handbook_parser, "_LOADER", yaml.SafeLoader)
    assert load_handbook(copy) == load_handbook()
    for breaker in (bad_yaml_syntax, unknown_role):
        fresh = copy.parent / f"fresh_{breaker.__name__}" / "handbook"
        shutil.copytree(copy, fresh)
        file, line, fragment = breaker(fresh)
        with pytest.raises(HandbookError) as caught:
            load_handbook(fresh)
        assert (caught.value.file, caught.value.line) == (f"handbook/{file}", line)
        assert fragment in caught.value.problem
