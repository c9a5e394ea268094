"""The layout of a page as lines: runs of short lines, paragraphs (blocks between blank lines, or
sentence lines on a page without blank-line paragraphs), where the page's prose lies, and the
headline that opens the article."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def short_runs(short: list[bool]) -> np.ndarray:
    """For each line, the length of the run of consecutive short lines it belongs to (0 if the
    line is not short)."""
    n = len(short)
    run = np.zeros(n)
    i = 0
    while i < n:
        j = i
        while j < n and short[j]:
            j += 1
        run[i:j] = j - i
        i = max(j, i + 1)
    return run


PARAGRAPH_SHARE = 1 / 3
"""A page lays its paragraphs out between blank lines when at least this share of its prose lines
open a blank-delimited block."""


def paragraph_breaks(
    blank_before: Sequence[bool], ends_sentence: Sequence[bool], prose: Sequence[bool]
) -> list[bool]:
    """Whether each content line opens a paragraph, whatever the page's layout.

    A page that sets its paragraphs apart with blank lines is read by them: a block of lines
    between blank lines is one unit, as its author made it. Text laid out one segment a line
    (transcripts, subtitles, machine translation output) has no blank-line paragraphs: there a
    line opens a paragraph when the line before it ends a sentence or either of the two is prose,
    so each sentence line is a paragraph of its own, as on a page with blank lines between its
    paragraphs, while lines that neither end a sentence nor read as prose (a menu, a list of
    links, a headline over its byline) stay together.
    """
    opening = [b for b, pr in zip(blank_before, prose, strict=True) if pr]
    if not opening or sum(opening) >= PARAGRAPH_SHARE * len(opening):
        return [bool(b) for b in blank_before]
    return [
        bool(blank or (k and (ends_sentence[k - 1] or prose[k - 1] or prose[k])))
        for k, blank in enumerate(blank_before)
    ]


def blocks(opens: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Block number of each content line and whether the line opens its block; ``opens[k]``
    says content line ``k`` starts a new block (see :func:`paragraph_breaks`)."""
    first = np.asarray(opens, dtype=np.float64)
    if len(first):
        first[0] = 1.0
    return np.cumsum(first).astype(np.int64) - 1, first


def nearest_distance(marked: np.ndarray) -> np.ndarray:
    """For each line, how many lines away the nearest marked line is (the page length when no
    line is marked)."""
    n = len(marked)
    where = np.flatnonzero(marked)
    if not len(where):
        return np.full(n, float(n))
    idx = np.arange(n)
    right = np.searchsorted(where, idx)
    before = where[np.clip(right - 1, 0, len(where) - 1)]
    after = where[np.clip(right, 0, len(where) - 1)]
    return np.minimum(np.abs(idx - before), np.abs(after - idx)).astype(np.float64)


def headline(toks: Sequence[Sequence[str]], min_similarity: float = 0.8) -> int | None:
    """The line that repeats the page's first line (its title) as the article's headline.

    A page pasted or scraped whole starts with its title, and the article's body follows where
    the title is repeated above it. That line is found by word overlap with the first line: most
    of its words are in the title and most of the title's words are in it, allowing a site name
    after the title; the first such line counts, since the title may be repeated again below the
    article (in lists of stories, share prompts) but the body never comes before its headline.
    ``None`` when no line matches well enough. ``toks`` holds each content line's tokens.
    """
    if len(toks) < 2 or len(set(toks[0])) < 3:  # a first line this short is no title
        return None
    title = set(toks[0])
    for k in range(1, len(toks)):
        words = set(toks[k])
        if len(words) < 2 or len(toks[k]) > len(toks[0]) + 3:
            continue
        shared = len(title & words)
        if shared / len(words) * min(1.0, shared / (0.6 * len(title))) >= min_similarity:
            return k
    return None
