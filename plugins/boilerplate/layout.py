"""The layout of a page as lines: runs of short lines, blocks between blank lines, where the page's
prose lies, and the headline that opens the article."""

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


def blocks(blank_before: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Block number of each content line (blocks are separated by blank lines) and whether the
    line opens its block; ``blank_before[k]`` says a blank line precedes content line ``k``."""
    first = np.asarray(blank_before, dtype=np.float64)
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
