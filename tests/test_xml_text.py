"""The report writers' XML escaping against xml.sax.saxutils, which they used before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.sax import saxutils

from cases.documents import xml_text

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "",
    "上海市崇明区人民政府",
    "A&B <公司>",
    "{{ 7*7 }}",
    'say "yes"',
    "it's",
    "both \" and '",
    "&amp; already",
    "line\nbreak\r\ttab",
    " 前后空格 ",
    "'<&>\"'\n",
]


def test_escape_and_quoteattr_write_what_saxutils_wrote() -> None:
    quote = {'"': "&quot;"}
    for text in TEXTS:
        assert xml_text.escape(text) == saxutils.escape(text), text
        assert xml_text.escape(text, quote) == saxutils.escape(text, quote), text
        assert xml_text.quoteattr(text) == saxutils.quoteattr(text), text


def test_the_report_writers_leave_urllib_and_http_out() -> None:
    code = (
        "import sys, cases.documents.report_xlsx, cases.documents.report_docx\n"
        "print(' '.join(m for m in ('urllib.request', 'http.client') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
