"""Distinctive terms of a document: what story and event candidates are found by.

A document's terms are its content lemmas, numbers (``#``) and names (``@``). Its distinctive
terms are those another document shares, weighted by tf·idf; the best ``k`` are kept, ties
broken by the term itself so that the choice never depends on the iteration order of a set or
dict of strings (which changes with ``PYTHONHASHSEED``).
"""

from __future__ import annotations

import math
from collections import Counter

from textmill.plugins.dedup.normalize import content_terms, names, numbers


def terms(text: str) -> Counter[str]:
    """Counts of the text's content lemmas, numbers (``#n``) and names (``@name``)."""
    c: Counter[str] = Counter(content_terms(text))
    c.update("#" + n for n in numbers(text))
    c.update("@" + n for n in names(text))
    return c


def distinctive(tf: Counter[str], df: Counter[str], n: int, k: int) -> dict[str, float]:
    """The ``k`` terms of a document (of ``n``) with the highest tf·idf among terms at least
    one other document has, best first, equal weights in the order of the terms."""
    scored = [
        (t, (1 + math.log(c)) * math.log((n + 1) / (df[t] + 0.5)))
        for t, c in tf.items()
        if df[t] >= 2
    ]
    scored.sort(key=lambda tw: (-tw[1], tw[0]))
    return dict(scored[:k])


def weighted_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted Jaccard of two documents' distinctive terms (sums in a fixed order)."""
    shared = sorted(a.keys() & b.keys())
    inter = math.fsum(min(a[t], b[t]) for t in shared)
    union = math.fsum(a.values()) + math.fsum(b.values()) - inter
    return inter / union if union > 0 else 0.0
