"""Office templates: overriding by file name, and the checks that refuse a broken template."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import pytest

from cases.documents import letters
from cases.storage import paths
from cases.storage.store import Store
from tests.test_letters import all_text, issue, make_case, reopen


def office_copy(kind: str, *extra: str, name: str | None = None) -> Path:
    """The default template of `kind` with paragraphs added, saved in the office's folder."""
    document = docx.Document(str(letters.default_templates_dir() / f"{kind}.docx"))
    for text in extra:
        document.add_paragraph(text)
    folder = paths.office_templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{kind}.docx")
    document.save(str(path))
    return path


def test_an_office_template_overrides_the_default_by_file_name(store: Store) -> None:
    office_copy("reply", "本答复书由本机关自定义模板生成：{{ case.no }}")
    template = letters.load_template("reply")
    assert template.office
    with store.transaction() as session:
        case = make_case(session, "disclose")
        reply = all_text(reopen(issue(session, case, "reply").content))
        receipt = all_text(reopen(issue(session, case, "receipt").content))
    assert f"本答复书由本机关自定义模板生成：{case.no}" in reply
    assert "自定义模板" not in receipt  # other kinds keep the default


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("申请人：{{ applicant.nmae }}", "applicant.nmae"),
        ("收件人：{{ recipient }}", "recipient"),
        (
            "{% for x in outcome.reasons %}{{ x }}{{ outcome.citaton }}{% endfor %}",
            "outcome.citaton",
        ),
    ],
)
def test_an_unknown_variable_is_named_with_its_paragraph(text: str, named: str) -> None:
    office_copy("reply", "第一段", text)
    with pytest.raises(letters.TemplateRejected) as caught:
        letters.load_template("reply")
    message = str(caught.value)
    assert named in message
    assert "reply.docx" in message
    assert text[:10] in message  # the paragraph is quoted, so the office can find it


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("编号：{{ case.no }", "语法错误"),
        ("{% if case.no %}未闭合", "语法错误"),
        ("{{ case.no|shout }}", "shout"),
    ],
)
def test_a_syntax_error_is_refused_naming_where(text: str, complaint: str) -> None:
    office_copy("correction", text)
    with pytest.raises(letters.TemplateRejected) as caught:
        letters.load_template("correction")
    message = str(caught.value)
    assert "correction.docx" in message and complaint in message
    assert "段" in message


def test_the_syntax_error_names_the_right_paragraph() -> None:
    document = docx.Document(str(letters.default_templates_dir() / "fee.docx"))
    paragraphs = len(document.paragraphs)
    office_copy("fee", "正常的一段", "错误在这里：{{ case.no }")
    with pytest.raises(letters.TemplateRejected, match=rf"第{paragraphs + 2}段）“错误在这里"):
        letters.load_template("fee")


def test_private_attributes_are_refused_at_load_time() -> None:
    office_copy("receipt", "{{ case.no.__class__ }}")
    with pytest.raises(letters.TemplateRejected, match="__class__"):
        letters.load_template("receipt")


def test_a_template_must_leave_room_for_number_and_date() -> None:
    path = office_copy("extension")
    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        if paragraph.text == "{{ letter.number }}":
            paragraph.text = "（无文号）"
    document.save(str(path))
    with pytest.raises(letters.TemplateRejected, match=r"letter\.number"):
        letters.load_template("extension")


def test_a_file_that_is_not_a_docx_is_refused() -> None:
    folder = paths.office_templates_dir()
    folder.mkdir(parents=True)
    (folder / "fee.docx").write_text("这不是 Word 文件", encoding="utf-8")
    with pytest.raises(letters.TemplateRejected, match="不是有效的 Word"):
        letters.load_template("fee")


def test_a_replaced_office_template_is_checked_again() -> None:
    path = office_copy("reply", "{{ applicant.nmae }}")
    with pytest.raises(letters.TemplateRejected):
        letters.load_template("reply")
    office_copy("reply", "{{ applicant.name }}，您好")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert letters.load_template("reply").office


def test_office_folder_problems_are_listed() -> None:
    office_copy("reply", "{{ nothing_here }}")
    office_copy("fee")
    office_copy("fee", name="收费通知.docx")
    problems = letters.check_office_templates()
    assert len(problems) == 2
    assert any("收费通知.docx" in p and "文件名" in p for p in problems)
    assert any("reply.docx" in p and "nothing_here" in p for p in problems)


def test_no_office_folder_means_no_problems() -> None:
    assert letters.check_office_templates() == []


def test_a_runtime_error_in_an_office_template_is_reported(store: Store) -> None:
    # Passes the static check (the names exist) but fails when filled: text plus a number.
    office_copy("receipt", "{{ case.no + 1 }}")
    with store.transaction() as session:
        case = make_case(session, None)
        with pytest.raises(letters.TemplateRejected, match=r"receipt\.docx"):
            letters.draft_letter(session, case, "receipt", "张三")


def test_rendered_file_keeps_the_author() -> None:
    template = letters.load_template("receipt")
    from cases.documents.letter_context import sample_context

    content = letters.render(template, sample_context(), author="张三")
    assert docx.Document(io.BytesIO(content)).core_properties.author == "张三"


def _stored(path: Path, old: str, new: str) -> bytes:
    """The .docx at path with `old` written as `new` in its body, its parts stored uncompressed:
    a change of one character that keeps the file's size."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    assert body.count(old) == 1
    parts["word/document.xml"] = body.replace(old, new).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def test_an_office_template_changed_in_place_is_read_again(store: Store) -> None:
    # One character changed, the size and the modification time kept (a copy that keeps the
    # time, an editor that restores it): the window, a long process, must not fill the old text.
    path = office_copy("receipt", "本机关甲号回执")
    first, second = _stored(path, "甲", "乙"), _stored(path, "甲", "丙")
    assert len(first) == len(second) and first != second
    path.write_bytes(first)
    stat = path.stat()
    assert letters.load_template("receipt").data == first
    path.write_bytes(second)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    assert letters.load_template("receipt").data == second
    with store.transaction() as session:
        text = all_text(reopen(issue(session, make_case(session, "disclose"), "receipt").content))
    assert "本机关丙号回执" in text and "本机关甲号回执" not in text
