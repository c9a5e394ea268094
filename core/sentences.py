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
_END_MARKS = ".!?…"  # the first character class of _BOUNDARY
_BLANK = re.compile(r"\n\s*\n")
_WORD_END = re.compile(r"([\w.]+)$")
# Longer than any abbreviation, so a word cut by the window is never taken for one.
_WINDOW = 2 + max(map(len, _ABBREV))
# A line ending in one of these (before trailing spaces) goes on on the next line.
_CONTINUES = frozenset(",;:-–")


def split_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, stripped of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    for block in _blocks(text):
        b0, b1 = block
        start = b0
        for m in _boundaries(text, b0, b1):
            if m.group(1) == "." and _is_abbrev(text, start, m.start()):
                continue
            end = m.end(2)
            _add(text, start, end, spans)
            start = m.end()
        _add(text, start, b1, spans)
    return spans


def _boundaries(text: str, b0: int, b1: int) -> list[re.Match[str]]:
    """What ``_BOUNDARY.finditer(text, b0, b1)`` finds, found faster.

    A boundary starts with an end mark, so the pattern is only tried where ``str.find`` finds
    one, in order, skipping marks inside the previous boundary: the regular expression engine
    does not have to step through every character of the text."""
    marks = []
    for mark in _END_MARKS:
        i = text.find(mark, b0, b1)
        while i >= 0:
            marks.append(i)
            i = text.find(mark, i + 1, b1)
    marks.sort()
    found = []
    pos = b0
    for i in marks:
        if i >= pos:
            m = _BOUNDARY.match(text, i, b1)
            if m:
                found.append(m)
                pos = m.end()
    return found


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
        i = text.find("\n", a, b)
        while i >= 0:
            if text[s:i].rstrip()[-1:] not in _CONTINUES:
                final.append((s, i))
                s = i + 1
            i = text.find("\n", i + 1, b)
        final.append((s, b))
    return final


def _is_abbrev(text: str, start: int, dot: int) -> bool:
    # Abbreviations are short: a window of the last characters decides as the whole sentence would.
    word = _WORD_END.search(text, max(start, dot - _WINDOW), dot)
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
