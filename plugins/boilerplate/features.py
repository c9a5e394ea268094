"""Lines of a page and the features the line classifier reads.

A line's features describe the line itself (length, stop-word density, punctuation,
capitalization, digits, link-like tokens, pattern hits, whether it repeats across the corpus)
and its place on the page (relative position, the run of short lines it sits in, and how much
article-like text surrounds it), which is how jusText's context smoothing sees a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from textmill.plugins.boilerplate.patterns import PATTERNS, TEASER_SNIPPET, Pattern, match

WORD = re.compile(r"\w+")
_LINK = re.compile(r"(https?://|www\.|\.com\b|\.org\b|@\w|#\w|\|)", re.IGNORECASE)
_END = re.compile(r"[.!?…\"”’)\]]\s*$")
STOP = frozenset(STOP_WORDS)


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # end of the line's text, without the newline
    text: str
    words: int


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        out.append(Line(pos, pos + len(raw), stripped, len(WORD.findall(stripped))))
        pos += len(raw) + 1
    return out


FEATURES: tuple[str, ...] = (
    "log_words",
    "log_chars",
    "stop_ratio",
    "stop_count_log",
    "punct_ratio",
    "ends_sentence",
    "commas",
    "title_ratio",
    "upper_start",
    "digit_ratio",
    "links",
    "position",
    "position_sq",
    "short_run_log",
    "context_long",
    "context_long_wide",
    "teaser_snippet",
    "repeated",
    "pattern_any",
    *(f"pattern_{r}" for r in sorted({p.reason for p in PATTERNS})),
)
_PATTERN_INDEX = {name: i for i, name in enumerate(FEATURES)}


def is_short(line: Line) -> bool:
    return 0 < line.words <= 4 and not _END.search(line.text)


def is_long(line: Line) -> bool:
    if line.words < 12:
        return False
    words = WORD.findall(line.text.lower())
    return sum(w in STOP for w in words) / len(words) >= 0.25


def page_features(
    lines: list[Line],
    repeated: set[int] | frozenset[int] = frozenset(),
    extra: tuple[Pattern, ...] = (),
) -> tuple[np.ndarray, list[Pattern | None]]:
    """A feature matrix (one row per non-blank line) and each such line's matching pattern."""
    content = [ln for ln in lines if ln.text]
    n = len(content)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    hits: list[Pattern | None] = []
    short = [is_short(ln) for ln in content]
    long = np.array([is_long(ln) for ln in content], dtype=np.float64)
    # Length of the run of consecutive short lines each line belongs to.
    run = [0] * n
    i = 0
    while i < n:
        j = i
        while j < n and short[j]:
            j += 1
        for k in range(i, j):
            run[k] = j - i
        i = j + 1 if j == i else j
    cum = np.concatenate([[0.0], np.cumsum(long)])

    def window(i: int, w: int) -> float:
        lo, hi = max(0, i - w), min(n, i + w + 1)
        return float(cum[hi] - cum[lo] - long[i]) / max(1, hi - lo - 1)

    for i, ln in enumerate(content):
        t = ln.text
        words = WORD.findall(t)
        lw = [w.lower() for w in words]
        nw = max(1, len(words))
        stops = sum(w in STOP for w in lw)
        pat = match(t, ln.words, extra)
        hits.append(pat)
        row = x[i]
        row[0] = np.log1p(ln.words)
        row[1] = np.log1p(len(t))
        row[2] = stops / nw
        row[3] = np.log1p(stops)
        row[4] = sum(not c.isalnum() and not c.isspace() for c in t) / max(1, len(t))
        row[5] = 1.0 if _END.search(t) else 0.0
        row[6] = min(t.count(","), 5) / 5
        row[7] = sum(w[:1].isupper() for w in words) / nw
        row[8] = 1.0 if t[:1].isupper() else 0.0
        row[9] = sum(c.isdigit() for c in t) / max(1, len(t))
        row[10] = min(len(_LINK.findall(t)), 3) / 3
        row[11] = i / max(1, n - 1)
        row[12] = row[11] ** 2
        row[13] = np.log1p(run[i])
        row[14] = window(i, 2)
        row[15] = window(i, 6)
        row[16] = 1.0 if TEASER_SNIPPET.search(t) and ln.words <= 40 else 0.0
        row[17] = 1.0 if line_key(t) in repeated else 0.0
        if pat is not None:
            row[18] = 1.0
            row[_PATTERN_INDEX[f"pattern_{pat.reason}"]] = 1.0
    return x, hits


def line_key(text: str) -> int:
    """A stable 63-bit key of a line's words, for counting repeats across documents."""
    import hashlib

    norm = " ".join(WORD.findall(text.lower()))
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big") >> 1
