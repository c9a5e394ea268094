"""Document text as Rich ``Text`` with spans styled: always literal, never markup."""

from __future__ import annotations

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


def highlighted(text: str, spans: Iterable[tuple[int, int, str]]) -> Text:
    """``text`` (made safe) with each ``(start, end, style)`` applied. Control characters are
    replaced one for one, so offsets stay valid."""
    t = Text(safe_text(text))
    for start, end, style in spans:
        if 0 <= start < end <= len(text):
            t.stylize(style, start, end)
    return t


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset))
