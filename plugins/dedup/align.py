"""Sentence alignment between two versions of a story, and how much of each the other covers.

Each sentence becomes a bag of content lemmas, with its numbers and names. Pairs are scored with
rapidfuzz's token-set ratio over the lemmas (tempered by the bags' size ratio), plus shared
numbers and names, minus a penalty for being far apart in relative position; an
order-preserving DP keeps the best one-to-one pairs above a threshold.

Coverage says how much of each version the other tells: the share of its content words that
lie in aligned sentences, or in sentences between two aligned pairs that are mostly contained
in one sentence of the other version's matching stretch (a sentence split in two, or two merged
into one). Versions of one story (translations, rewrites) cover each other almost whole and in
order; articles on one topic, or a later article that reuses some paragraphs of an earlier one,
leave much of one side uncovered.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from textmill.plugins.dedup.normalize import content_terms, names, numbers
from textmill.sentences import split_spans

# Two versions whose grid of sentence pairs is larger than this (two documents of 2,000
# sentences each) are not aligned: scoring every pair would take seconds and gigabytes.
MAX_CELLS = 4_000_000


class AlignedPair(NamedTuple):
    """Sentence ``i`` of one version says what sentence ``j`` of the other says."""

    i: int
    j: int
    score: float


@dataclass(frozen=True)
class Sentences:
    """A text's sentences (of at least 12 characters): spans, and their features."""

    spans: list[tuple[int, int]]
    bags: list[str]  # each sentence's distinct content lemmas, sorted, joined by spaces
    nums: list[list[str]]
    names: list[list[str]]

    def weights(self) -> np.ndarray:
        """Each sentence's number of distinct content lemmas (at least 1)."""
        return np.array([max(1, len(b.split())) for b in self.bags], dtype=np.float64)


@dataclass(frozen=True)
class Comparison:
    """Two versions compared: their aligned sentences (with, for each pair, the spans of its
    two sentences), and how much of each is covered."""

    pairs: tuple[AlignedPair, ...]
    coverage_a: float
    coverage_b: float
    spans: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()

    def to_json(self) -> list:
        """The comparison as JSON (for a memo): :meth:`from_json` makes it again."""
        return [
            [
                [p.i, p.j, p.score, *sa, *sb]
                for p, (sa, sb) in zip(self.pairs, self.spans, strict=True)
            ],
            self.coverage_a,
            self.coverage_b,
        ]

    @classmethod
    def from_json(cls, value: list) -> Comparison:
        rows, ca, cb = value
        return cls(
            tuple(AlignedPair(r[0], r[1], r[2]) for r in rows),
            ca,
            cb,
            tuple(((r[3], r[4]), (r[5], r[6])) for r in rows),
        )

    @property
    def coverage(self) -> float:
        """The smaller side's coverage: how much of *each* version the other tells."""
        return min(self.coverage_a, self.coverage_b)

    @property
    def partial(self) -> float:
        """The larger side's coverage: how much of the better-covered version the other tells."""
        return max(self.coverage_a, self.coverage_b)


NOTHING = Comparison((), 0.0, 0.0)


def sentences(text: str) -> Sentences:
    spans = [(a, b) for a, b in split_spans(text) if b - a >= 12]
    bags, nums, nms = [], [], []
    for a, b in spans:
        s = text[a:b]
        bags.append(" ".join(sorted(set(content_terms(s)))))
        nums.append(numbers(s))
        nms.append(names(s))
    return Sentences(spans, bags, nums, nms)


def _shared(xs: Sequence[Sequence[str]], ys: Sequence[Sequence[str]]) -> np.ndarray:
    """How many distinct items every row of ``xs`` shares with every row of ``ys`` (n × m).

    Each (row, item) of ``ys`` is sorted by item; each (row, item) of ``xs`` finds the rows of
    ``ys`` with its item by binary search, and the matches are counted per pair of rows."""
    vocab: dict[str, int] = {}

    def entries(rows: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        row_of: list[int] = []
        item: list[int] = []
        for r, row in enumerate(rows):
            ids = {vocab.setdefault(t, len(vocab)) for t in row}
            row_of.extend([r] * len(ids))
            item.extend(ids)
        return np.array(row_of, dtype=np.int64), np.array(item, dtype=np.int64)

    n, m = len(xs), len(ys)
    ra, ta = entries(xs)
    rb, tb = entries(ys)
    order = np.argsort(tb, kind="stable")
    tb, rb = tb[order], rb[order]
    lo, hi = np.searchsorted(tb, ta, "left"), np.searchsorted(tb, ta, "right")
    count = hi - lo
    # For each entry of xs, the positions lo, lo + 1, ..., hi - 1 of its matches in ys.
    at = np.repeat(lo - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
    cells = np.repeat(ra, count) * m + rb[at]
    return np.bincount(cells, minlength=n * m).reshape(n, m).astype(np.float32)


def similarity(a: Sentences, b: Sentences) -> np.ndarray:
    """The score (about 0..1) of every sentence pair, ``len(a) × len(b)``."""
    sim = process.cdist(a.bags, b.bags, scorer=fuzz.token_set_ratio, dtype=np.float32) / 100.0
    # token_set_ratio is 100 when one bag contains the other; temper it by the size ratio.
    la, lb = a.weights().astype(np.float32), b.weights().astype(np.float32)
    size = np.minimum.outer(la, lb) / np.maximum.outer(la, lb)
    sim = sim * (0.6 + 0.4 * size)
    pa = np.linspace(0, 1, len(a.bags), dtype=np.float32).reshape(-1, 1)
    pb = np.linspace(0, 1, len(b.bags), dtype=np.float32).reshape(1, -1)
    sim -= 0.15 * np.abs(pa - pb)
    shared = _shared(a.nums, b.nums) + _shared(a.names, b.names)
    sim += np.minimum(np.float32(0.15), np.float32(0.05) * shared)
    return sim


def compare(
    a: Sentences, b: Sentences, threshold: float = 0.5, min_contained: float = 0.5
) -> Comparison:
    """Align two versions and measure how much of each the other covers (see the module's
    docstring); a sentence outside the alignment counts as covered when at least
    ``min_contained`` of its content lemmas are in one sentence of the other's matching
    stretch."""
    n, m = len(a.bags), len(b.bags)
    if not n or not m or n * m > MAX_CELLS:
        return NOTHING
    pairs = monotonic(similarity(a, b), threshold)
    inter = _shared([x.split() for x in a.bags], [y.split() for y in b.bags])
    wa, wb = a.weights(), b.weights()
    in_b = inter / wa.reshape(-1, 1).astype(np.float32)  # share of a's sentence i in b's j
    in_a = inter.T / wb.reshape(-1, 1).astype(np.float32)
    covered_a, covered_b = np.zeros(n, dtype=bool), np.zeros(m, dtype=bool)
    anchors = [(-1, -1), *((p.i, p.j) for p in pairs), (n, m)]
    for (i0, j0), (i1, j1) in itertools.pairwise(anchors):
        # The stretch of the other version between two aligned pairs, the pairs included.
        if i1 - i0 > 1:
            stretch = in_b[i0 + 1 : i1, max(0, j0) : min(m, j1 + 1)]
            if stretch.shape[1]:
                covered_a[i0 + 1 : i1] = stretch.max(axis=1) >= min_contained
        if j1 - j0 > 1:
            stretch = in_a[j0 + 1 : j1, max(0, i0) : min(n, i1 + 1)]
            if stretch.shape[1]:
                covered_b[j0 + 1 : j1] = stretch.max(axis=1) >= min_contained
    for p in pairs:
        covered_a[p.i] = covered_b[p.j] = True
    return Comparison(
        tuple(pairs),
        round(float(wa[covered_a].sum() / wa.sum()), 3),
        round(float(wb[covered_b].sum() / wb.sum()), 3),
        tuple((a.spans[p.i], b.spans[p.j]) for p in pairs),
    )


def align(a: Sentences, b: Sentences, threshold: float = 0.5) -> list[AlignedPair]:
    """One-to-one sentence pairs, score 0..1, in order of ``i``."""
    n, m = len(a.bags), len(b.bags)
    if not n or not m or n * m > MAX_CELLS:
        return []
    return monotonic(similarity(a, b), threshold)


def monotonic(sim: np.ndarray, threshold: float) -> list[AlignedPair]:
    """The order-preserving set of pairs with the largest total ``sim - threshold`` (a DP over
    the similarity matrix, skipping sentences on either side for free). Versions of one story
    keep its order; articles that merely share a topic do not.

    Each row of the DP is one numpy step: ``best[i][j]`` is the running maximum over ``j`` of
    ``max(best[i-1][j-1] + gain, best[i-1][j])``, since a row never decreases along ``j``."""
    n, m = sim.shape
    gain = sim.astype(np.float64) - threshold
    take = np.maximum(gain, 0.0)
    best = np.zeros((n + 1, m + 1), dtype=np.float64)
    for i in range(1, n + 1):
        prev = best[i - 1]
        best[i, 1:] = np.maximum.accumulate(np.maximum(prev[:-1] + take[i - 1], prev[1:]))
    table, gains = best.tolist(), gain.tolist()

    def same(x: float, y: float) -> bool:  # numpy.isclose's tolerances, on Python floats
        return abs(x - y) <= 1e-8 + 1e-5 * abs(y)

    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        g = gains[i - 1][j - 1]
        if g > 0 and same(table[i][j], table[i - 1][j - 1] + g):
            pairs.append(AlignedPair(i - 1, j - 1, round(float(min(1.0, sim[i - 1, j - 1])), 3)))
            i, j = i - 1, j - 1
        elif same(table[i][j], table[i - 1][j]):
            i -= 1
        else:
            j -= 1
    return pairs[::-1]
