"""Fast rule-based sentence splitting with character offsets.

Used where a full parse is too slow (dedup's alignment, summaries at scale). It splits after
``.``, ``!``, ``?`` and ``…`` (and closing quotes or brackets after them) when the next
non-space character starts a sentence, and at blank lines; it does not split after common
abbreviations, initials, or inside numbers.
"""

from __future__ import annotations

import re

_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "messrs",
        "mm",
        "mme",
        "mlle",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "approx",
        "dept",
        "est",
        "fig",
        "al",
    ]
)
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9À-Ý])")
_BLANK = re.compile(r"\n\s*\n")


def split_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, stripped of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    for block in _blocks(text):
        b0, b1 = block
        start = b0
        for m in _BOUNDARY.finditer(text, b0, b1):
            if m.group(1) == "." and _is_abbrev(text, start, m.start()):
                continue
            end = m.end(2)
            _add(text, start, end, spans)
            start = m.end()
        _add(text, start, b1, spans)
    return spans


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_spans(text)]


def _blocks(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _BLANK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    # A single line break ends a sentence too when the line before it has no end punctuation
    # (headings, list items).
    final: list[tuple[int, int]] = []
    for a, b in out:
        s = a
        for m in re.finditer(r"\n", text[a:b]):
            i = a + m.start()
            if not re.search(r"[,;:\-–]\s*$", text[s:i]):
                final.append((s, i))
                s = i + 1
        final.append((s, b))
    return final


def _is_abbrev(text: str, start: int, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[start:dot])
    if not word:
        return False
    w = word.group(1).lower()
    if len(w) == 1 and w.isalpha():  # an initial: "John F. Kennedy"
        return True
    return w in _ABBREV


def _add(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))
