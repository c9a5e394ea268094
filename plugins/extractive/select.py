"""Choosing sentences: length control and MMR redundancy removal, in source order."""

from __future__ import annotations

import math

import numpy as np
from textmill.plugins.extractive.rank import Band


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
    sim: np.ndarray | Band,
    lengths: list[int],
    *,
    limit: tuple[str, int],
    redundancy: float = 0.3,
    blocked: set[tuple[int, int]] | None = None,
    first: np.ndarray | None = None,
) -> list[int]:
    """Indices chosen by maximal marginal relevance, returned in source order.

    ``redundancy`` (λ) weighs similarity (non-negative) to what is already chosen; ``blocked``
    pairs (e.g. sentences aligned to each other) are never both chosen. Candidates marked in
    ``first`` (a boolean mask) are all considered before any other. Ties go to the lower index."""
    kind, size = limit
    gain = (1 - redundancy) * np.array(scores, dtype=np.float64)
    closest = np.zeros(len(gain))  # each candidate's highest similarity to a chosen sentence
    chosen: list[int] = []
    used = 0
    for _ in range(len(gain)):
        value = gain - redundancy * closest
        if first is not None and (value[first] > -math.inf).any():
            value[~first] = -math.inf
        best = int(value.argmax())
        if value[best] == -math.inf:  # every candidate was considered
            break
        gain[best] = -math.inf
        if blocked and any((min(best, j), max(best, j)) in blocked for j in chosen):
            continue
        if kind == "words" and chosen and used + lengths[best] > size * 1.1:
            continue
        chosen.append(best)
        used += lengths[best]
        if (kind == "sentences" and len(chosen) >= size) or (kind == "words" and used >= size):
            break
        np.maximum(closest, sim[best], out=closest)
    return sorted(chosen)
