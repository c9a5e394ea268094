"""Making untrusted document text safe to print in a terminal.

Documents may contain Rich markup (``[bold]``, ``[link=...]``) or terminal control sequences.
Everything derived from a document goes through :func:`safe_text` and is printed as a
``rich.text.Text`` (never parsed as markup), so it always shows as the characters it is.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls except tab and newline, DEL, C1 controls, and bidi overrides that can disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch == "\x1b":
        return "␛"
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␁ ...
    return f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with control characters replaced by visible stand-ins (ESC shows as ␛)."""
    return _CONTROL.sub(_visible, text)


def safe(text: str, style: str = "") -> Text:
    """A Rich ``Text`` holding ``text`` literally: no markup parsing, no control sequences."""
    return Text(safe_text(text), style=style)


# What JSON leaves raw that a terminal may act on: DEL, C1 controls (U+009B is a CSI), bidi
# overrides. JSON escapes C0 controls itself.
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_json(line: bytes) -> bytes:
    """JSON text (UTF-8) with the characters a terminal may act on written as ``\\uXXXX``
    escapes: the same JSON values, safe to print. They can only occur inside strings."""
    text = line.decode("utf-8")
    if not _JSON_RAW.search(text):
        return line
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text).encode("utf-8")


def one_line(text: str, width: int = 80) -> str:
    """``text`` on one line, shortened to ``width`` characters, safe to print."""
    flat = " ".join(safe_text(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
