"""Choosing sentences: length control and MMR redundancy removal, in source order."""

from __future__ import annotations

import math

import numpy as np


def budget(
    n_sentences: int, lengths: list[int], *, sentences: int, words: int, ratio: float
) -> tuple[str, int]:
    """The length limit in force: ``("words", N)`` or ``("sentences", N)``."""
    if words > 0:
        return "words", words
    if ratio > 0:
        return "sentences", max(1, math.ceil(ratio * n_sentences))
    return "sentences", max(1, sentences)


def mmr(
    scores: np.ndarray,
    sim: np.ndarray,
    lengths: list[int],
    *,
    limit: tuple[str, int],
    redundancy: float = 0.3,
    blocked: set[tuple[int, int]] | None = None,
) -> list[int]:
    """Indices chosen by maximal marginal relevance, returned in source order.

    ``redundancy`` (λ) weighs similarity to what is already chosen; ``blocked`` pairs (e.g.
    sentences aligned to each other) are never both chosen."""
    kind, size = limit
    chosen: list[int] = []
    used = 0
    candidates = set(range(len(scores)))
    while candidates:
        best, best_v = None, -math.inf
        for i in candidates:
            red = max((sim[i, j] for j in chosen), default=0.0)
            v = (1 - redundancy) * scores[i] - redundancy * red
            if v > best_v:
                best, best_v = i, v
        assert best is not None
        candidates.discard(best)
        if blocked and any((min(best, j), max(best, j)) in blocked for j in chosen):
            continue
        if kind == "words" and chosen and used + lengths[best] > size * 1.1:
            continue
        chosen.append(best)
        used += lengths[best]
        if (kind == "sentences" and len(chosen) >= size) or (kind == "words" and used >= size):
            break
    return sorted(chosen)
