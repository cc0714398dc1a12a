"""PDF through LibreOffice: sample letters converted and pages counted; a clear message without."""

# The conversions are skipped only where soffice is not installed; CI installs
# libreoffice-writer-nogui and poppler-utils so that they run there.

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from cases.documents import pdf
from cases.storage.store import Store
from tests.test_letters import issue, make_case

needs_soffice = pytest.mark.skipif(not pdf.available(), reason="LibreOffice (soffice) 未安装")


def page_count(data: bytes) -> int:
    """Pages of a PDF: poppler's pdfinfo when installed, else the page objects."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(
            ["pdfinfo", "-"], input=data, capture_output=True, check=True
        ).stdout.decode("utf-8", "replace")
        found = re.search(r"^Pages:\s+(\d+)", out, re.M)
        assert found, out
        return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_missing_libreoffice_is_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf, "WINDOWS_PLACES", ())
    assert not pdf.available()
    with pytest.raises(pdf.PdfUnavailable, match="未找到 LibreOffice"):
        pdf.docx_to_pdf(b"PK")


@needs_soffice
@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_sample_of_letters_becomes_pdf(store: Store) -> None:
    long_note = "\n".join(f"第{n}项：本机关已检索相关档案并逐项核对。" for n in range(1, 61))
    with store.transaction() as session:
        short = make_case(session, "withhold_third_party")
        long = make_case(session, "unable_not_held", note=long_note)
        sample = {
            "reply": issue(session, short, "reply").content,
            "service": issue(session, short, "service").content,
            "fee": issue(session, short, "fee").content,
            "long reply": issue(session, long, "reply").content,
        }
    results: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def convert(names: list[str]) -> None:
        try:
            for name in names:
                results[name] = pdf.docx_to_pdf(sample[name])
        except BaseException as exc:
            errors.append(exc)

    # Two conversions at a time: each has its own LibreOffice profile, so neither waits.
    threads = [
        threading.Thread(target=convert, args=(["reply", "service"],)),
        threading.Thread(target=convert, args=(["fee", "long reply"],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert set(results) == set(sample)
    for name, data in results.items():
        assert data.startswith(b"%PDF"), name
    assert page_count(results["service"]) == 1
    assert 1 <= page_count(results["reply"]) <= 2
    assert 1 <= page_count(results["fee"]) <= 2
    assert page_count(results["long reply"]) >= 3


@needs_soffice
def test_convert_file_writes_the_pdf(tmp_path: Path) -> None:
    from cases.documents import letters
    from cases.documents.letter_context import sample_context

    source = tmp_path / "回执.docx"
    source.write_bytes(letters.render(letters.load_template("receipt"), sample_context()))
    target = pdf.convert_file(source, tmp_path / "回执.pdf")
    assert target.read_bytes().startswith(b"%PDF")
    assert page_count(target.read_bytes()) == 1
