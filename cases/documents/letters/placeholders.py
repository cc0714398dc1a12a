"""XML surgery on a .docx: the number and date placeholders replaced across Word's runs."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any

from lxml import etree  # python-docx's own XML library

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def _replace_in_paragraph(texts: list[Any], placeholder: str, value: str) -> int:
    """Replace across runs: Word may have split the placeholder while the draft was edited."""
    count = 0
    while True:
        joined = "".join(t.text or "" for t in texts)
        start = joined.find(placeholder)
        if start < 0:
            return count
        end = start + len(placeholder)
        offset = 0
        first = True
        for t in texts:
            text = t.text or ""
            lo, hi = offset, offset + len(text)
            offset = hi
            if hi <= start or lo >= end:
                continue
            keep_head = text[: max(start - lo, 0)]
            keep_tail = text[max(end - lo, 0) :] if end < hi else ""
            t.text = keep_head + (value if first else "") + keep_tail
            t.set(_XML_SPACE, "preserve")
            first = False
        count += 1


def fill_placeholders(content: bytes, values: Mapping[str, str]) -> tuple[bytes, dict[str, int]]:
    """Put the values in place of the placeholders everywhere in a .docx; counts per placeholder."""
    if any(placeholder in value for placeholder, value in values.items()):
        raise ValueError("a value must not contain its own placeholder")
    counts = dict.fromkeys(values, 0)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if _TEXT_PARTS.fullmatch(info.filename):
                root = etree.fromstring(data)
                for paragraph in root.iter(f"{{{_W}}}p"):
                    texts = list(paragraph.iter(f"{{{_W}}}t"))
                    for placeholder, value in values.items():
                        counts[placeholder] += _replace_in_paragraph(texts, placeholder, value)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue(), counts


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False
