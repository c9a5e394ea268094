"""Sentence alignment between two versions of a story.

Each sentence becomes a bag of content lemmas, numbers and names. Pairs are scored with
rapidfuzz's token-set ratio over the lemmas, plus shared numbers and names, minus a penalty for
being far apart in relative position; the best one-to-one pairs above a threshold are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from textmill.plugins.dedup.normalize import content_terms, names, numbers
from textmill.sentences import split_spans


@dataclass(frozen=True)
class Sentences:
    spans: list[tuple[int, int]]
    bags: list[str]
    nums: list[set[str]]
    names: list[set[str]]


def sentences(text: str) -> Sentences:
    spans = [(a, b) for a, b in split_spans(text) if b - a >= 12]
    bags, nums, nms = [], [], []
    for a, b in spans:
        s = text[a:b]
        bags.append(" ".join(sorted(set(content_terms(s)))))
        nums.append(numbers(s))
        nms.append(names(s))
    return Sentences(spans, bags, nums, nms)


def align(a: Sentences, b: Sentences, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """One-to-one sentence pairs ``(i, j, score)``, score 0..1, in order of ``i``."""
    if not a.bags or not b.bags:
        return []
    sim = process.cdist(a.bags, b.bags, scorer=fuzz.token_set_ratio, dtype=np.float32) / 100.0
    # token_set_ratio is 100 when one bag contains the other; temper it by the size ratio.
    la = np.array([max(1, len(x.split())) for x in a.bags], dtype=np.float32)
    lb = np.array([max(1, len(x.split())) for x in b.bags], dtype=np.float32)
    size = np.minimum.outer(la, lb) / np.maximum.outer(la, lb)
    sim = sim * (0.6 + 0.4 * size)
    pa = np.linspace(0, 1, len(a.bags)).reshape(-1, 1)
    pb = np.linspace(0, 1, len(b.bags)).reshape(1, -1)
    sim -= 0.15 * np.abs(pa - pb)
    for i in range(len(a.bags)):
        for j in range(len(b.bags)):
            shared = len(a.nums[i] & b.nums[j]) + len(a.names[i] & b.names[j])
            if shared:
                sim[i, j] += min(0.15, 0.05 * shared)
    return monotonic(sim, threshold)


def monotonic(sim: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """The order-preserving set of pairs with the largest total ``sim - threshold`` (a DP over
    the similarity matrix, skipping sentences on either side for free). Versions of one story
    keep its order; articles that merely share a topic do not."""
    n, m = sim.shape
    gain = sim - threshold
    best = np.zeros((n + 1, m + 1), dtype=np.float32)
    for i in range(1, n + 1):
        row, prev = best[i], best[i - 1]
        g = gain[i - 1]
        for j in range(1, m + 1):
            v = prev[j - 1] + g[j - 1] if g[j - 1] > 0 else prev[j - 1]
            row[j] = max(v, prev[j], row[j - 1])
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        if gain[i - 1, j - 1] > 0 and np.isclose(
            best[i, j], best[i - 1, j - 1] + gain[i - 1, j - 1]
        ):
            pairs.append((i - 1, j - 1, round(float(min(1.0, sim[i - 1, j - 1])), 3)))
            i, j = i - 1, j - 1
        elif np.isclose(best[i, j], best[i - 1, j]):
            i -= 1
        else:
            j -= 1
    return pairs[::-1]
