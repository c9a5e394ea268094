"""Document text as Rich ``Text`` with spans styled: always literal, never markup."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.text import Text
from textmill.display import safe_text

SEVERITY_STYLE = {
    "error": "bold white on red",
    "warning": "black on yellow",
    "info": "underline cyan",
}
LABEL_STYLE = {
    "PERSON": "bold magenta",
    "ORG": "bold cyan",
    "GPE": "bold green",
    "LOC": "green",
    "NORP": "yellow",
    "FAC": "blue",
}
SUMMARY_STYLE = "bold reverse green"  # the background colour on green: dark or light, it reads

# What textmill.display.safe_text replaces with more than one character (C1 controls, bidi
# overrides), and tabs (whose width depends on the column): one character each here, so that
# offsets into the document stay offsets into what is shown.
_WIDE = re.compile(r"[\t\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """``text`` safe to show (see ``textmill.display``), one character for one."""
    return safe_text(_WIDE.sub(lambda m: " " if m.group(0) == "\t" else "\ufffd", text))


def highlighted(text: str, spans: Iterable[tuple[int, int, str]]) -> Text:
    """``text`` (made safe) with each ``(start, end, style)`` applied. Control characters are
    replaced one for one, so offsets stay valid."""
    t = Text(shown(text))
    for start, end, style in spans:
        if 0 <= start < end <= len(text):
            t.stylize(style, start, end)
    return t


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset))
