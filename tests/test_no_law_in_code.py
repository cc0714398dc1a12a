"""No article number or statutory day count is written in the code: the law lives in handbook/.

Every string literal of cases/, gui/, main.py and the template generator is read with ast
(docstrings and comments may cite the law, so they are left out) and searched for an article
(第…条, 第…款, 第（…）项, 条例35) or a count of days (20个工作日, 60日内, 6个月内).
Sentences that need one take it from the handbook: cases.rules.handbook.cite and term_days.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The template generator too: it words the letters an office starts from.
SOURCES = sorted(
    [
        *ROOT.glob("cases/**/*.py"),
        *ROOT.glob("gui/**/*.py"),
        *ROOT.glob("templates_docx/*.py"),
        ROOT / "main.py",
    ]
)

_N = "[一二三四五六七八九十百千零〇两0-9０-９]+"
LAW_IN_TEXT = re.compile(
    "|".join(
        (
            f"第{_N}条",  # an article
            f"第{_N}款",  # a paragraph
            f"第[（(]{_N}[)）]项",  # an item, as the law writes it
            f"[条款]第?{_N}项",  # an item after its article: 第三十六条第六项, 36条6项
            r"条例\s*[（(]?\s*[0-9０-９]",  # 条例35, 条例 36(5)
            rf"{_N}\s*个?\s*(?:工作日|自然日|日内|日之内|天内|个月内)",  # a day count
            r"[0-9]+\s*WD\b",
        )
    )
)

# Strings that look like the law but are neither a rule nor a sentence the user reads as one.
ALLOWED = {
    # An earlier label of the 延迟答复 event, still accepted when a ledger is read back.
    ("cases/rules/vocab.py", "条例35延期"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstring nodes: a body's first string, and a string right after an assignment
    (an attribute docstring)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for i, statement in enumerate(body):
            if not (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                continue
            first = i == 0 and isinstance(
                node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
            )
            after_assignment = i > 0 and isinstance(body[i - 1], ast.Assign | ast.AnnAssign)
            if first or after_assignment:
                found.add(id(statement.value))
    return found


def law_in_strings(source: str, name: str = "<text>") -> list[tuple[int, str, str]]:
    """(line, what matched, the literal) for every string literal that writes the law."""
    tree = ast.parse(source, name)
    docs = _docstrings(tree)
    hits: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docs or (name, node.value) in ALLOWED:
            continue
        for match in LAW_IN_TEXT.finditer(node.value):
            hits.append((node.lineno, match.group(), node.value))
    return hits


def literal_workday_counts(source: str, name: str = "<text>") -> list[int]:
    """Lines that add a literal number of working days (more than the next one) to a date."""
    lines: list[int] = []
    for node in ast.walk(ast.parse(source, name)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_workdays"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, int)
            and abs(node.args[1].value) > 1
        ):
            lines.append(node.lineno)
    return lines


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_article_or_day_count_in_a_string(path: Path) -> None:
    name = _relative(path)
    hits = law_in_strings(path.read_text(encoding="utf-8"), name)
    assert not hits, "\n".join(
        f"{name}:{line}: “{found}” in {text!r}: cite it from handbook/ (cases.rules.handbook.cite, "
        "term_days) instead"
        for line, found, text in hits
    )


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_literal_working_day_count(path: Path) -> None:
    name = _relative(path)
    assert literal_workday_counts(path.read_text(encoding="utf-8"), name) == []


def test_the_sources_are_all_found() -> None:
    names = {_relative(p) for p in SOURCES}
    assert {"cases/timing/clock.py", "gui/actionspecs.py", "main.py"} <= names
    assert "templates_docx/build_templates.py" in names
    assert len(names) > 100


@pytest.mark.parametrize(
    "text",
    [
        "依条例第三十五条作出决定",
        "按条例第三十六条第（六）项告知",
        "第十六条第二款",
        "第三十六条第六项",
        "条例35延期",
        "条例 36(5)",
        "申请人须在20个工作日内缴费",
        "无法在二十个工作日内答复",
        "自收到之日起60日内",
        "6个月内依法提起行政诉讼",
        "答复期限为 7 WD",
    ],
)
def test_the_law_is_found_where_it_is_written(text: str) -> None:
    source = f"MESSAGE = f{text!r} + str(1)\n"
    assert [found for _, found, _ in law_in_strings(source)], text


@pytest.mark.parametrize(
    "text",
    [
        "拆分须至少列出两项申请内容（第一项留在本案件）",  # the first item of a list
        "与表三第三项一致",  # a row of the annual report
        "距答复期限还有 {left} 个工作日",  # a count the clock computed
        "《中华人民共和国政府信息公开条例》",  # the law's name alone
        "剩余不超过这么多个工作日时",
    ],
)
def test_what_is_not_the_law_passes(text: str) -> None:
    assert law_in_strings(f"MESSAGE = {text!r}\n") == []


def test_docstrings_and_comments_may_cite() -> None:
    source = (
        '"""补正告知 (条例 30): within 7 WD of day 0."""\n'
        "# 条例第三十条: once\n"
        "def notice():\n"
        '    """第三十条: 7个工作日内."""\n'
        "DAYS = 7\n"
        '"""条例第三十条."""\n'
    )
    assert law_in_strings(source) == []
    assert law_in_strings("def f():\n    print(1)\n    '第三十条'\n") != []


def test_a_literal_count_of_working_days_is_found() -> None:
    assert literal_workday_counts("due = cal.add_workdays(day, 20)\n") == [1]
    assert literal_workday_counts("nxt = cal.add_workdays(day, 1)\n") == []
    assert literal_workday_counts("due = cal.add_workdays(day, term_days('reply'))\n") == []


def test_the_old_event_label_is_read_but_never_written() -> None:
    from cases.rules import vocab

    assert vocab.EVENT_KINDS["delay"] == "延迟答复"
    assert vocab.code_for_label(vocab.EVENT_KINDS, "延迟答复") == "delay"
    assert vocab.code_for_label(vocab.EVENT_KINDS, "条例35延期") == "delay"
    assert not any(LAW_IN_TEXT.search(label) for label in vocab.EVENT_KINDS.values())
