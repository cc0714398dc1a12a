"""Text made safe for XML as xml.sax.saxutils makes it, without the urllib and http.client that
importing saxutils brings into a report's process (about 8 ms of its start)."""

from __future__ import annotations

from collections.abc import Mapping


def escape(data: str, entities: Mapping[str, str] | None = None) -> str:
    """&, < and > as entities, then each key of `entities` by its value (saxutils.escape)."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def quoteattr(data: str) -> str:
    """An attribute value with its quotes, line ends and tabs kept (saxutils.quoteattr)."""
    data = escape(data, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))
