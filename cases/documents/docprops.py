"""Who the Word files the program writes name as author: a person or the office, never a login.

Word and WPS stamp the name of the account that saved the file (often the operating-system
login) into docProps/core.xml; a draft brought back from Word is stamped again with the name of
the user who filed it, so the letter that leaves the office names its author as the office knows
them. Every other part of the file is copied byte for byte. The files built with python-docx
(the annual report, 答复材料) name the office instead of python-docx's own defaults.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from lxml import etree  # python-docx's own XML library

CORE = "docProps/core.xml"
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
AUTHOR_TAGS = (f"{{{_DC}}}creator", f"{{{_CP}}}lastModifiedBy")


def with_author(content: bytes, author: str) -> bytes:
    """The .docx with author and last editor set to `author` (a file without the part is kept)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    if CORE not in source.namelist():
        return content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == CORE:
                data = _stamped(data, author)
            target.writestr(info, data)
    return out.getvalue()


def _stamped(core_xml: bytes, author: str) -> bytes:
    root = etree.fromstring(core_xml)
    for tag in AUTHOR_TAGS:
        element = root.find(tag)
        if element is None:
            element = etree.SubElement(root, tag)
        element.text = author
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def stamp_document(document: Any, author: str) -> None:
    """A python-docx Document the program makes names `author`, not python-docx's own defaults
    (author "python-docx", created in 2013)."""
    props = document.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    props.author = props.last_modified_by = author
    props.created = props.modified = now
    props.revision = 1
