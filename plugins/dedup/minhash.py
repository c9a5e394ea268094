"""Vectorized MinHash signatures and banded LSH over numpy arrays.

Signatures are computed for a batch of texts at once from their word hashes
(:mod:`.wordhash`): word hashes are combined into n-gram hashes by a polynomial in uint64, then
hashed once more and binned (one-permutation hashing with densification). LSH buckets are runs
of equal keys in a sorted band, and candidate pairs are built from them as arrays.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from textmill.plugins.dedup.wordhash import WordBatch

_MASK32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.iinfo(np.uint32).max
_BORROWED = np.uint32(0x9E3779B1)


class MinHasher:
    def __init__(self, num_perm: int = 128, ngram: int = 5, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.ngram = ngram
        self.a = rng.integers(1, 2**63, dtype=np.uint64) | np.uint64(1)
        self.b = rng.integers(0, 2**63, dtype=np.uint64)
        self.pow = np.array([pow(1_000_003, i, 2**64) for i in range(ngram)], dtype=np.uint64)

    def shingles(self, batch: WordBatch) -> tuple[np.ndarray, np.ndarray]:
        """Hashes of the word n-grams of every text, and the text of each. A text shorter than
        ``ngram`` words has one shingle of all its words (an empty text, the shingle 0)."""
        n, h, off = self.ngram, batch.hashes, batch.offsets
        counts = np.diff(off)
        parts, owners = [], []
        if len(h) >= n:
            windows = len(h) - n + 1
            with np.errstate(over="ignore"):
                sh = h[:windows] * self.pow[0]
                for j in range(1, n):
                    sh += h[j : windows + j] * self.pow[j]
            # A window belongs to a text when it ends within that text's words.
            owner = np.repeat(np.arange(len(counts)), counts)[:windows]
            valid = np.arange(n, windows + n) <= off[1:][owner]
            parts.append(sh[valid])
            owners.append(owner[valid])
        short = np.flatnonzero(counts < n)
        if len(short):
            with np.errstate(over="ignore"):
                whole = [
                    int((batch.words(i) * self.pow[: counts[i]]).sum()) for i in short.tolist()
                ]
            parts.append(np.array(whole, dtype=np.uint64))
            owners.append(short)
        return np.concatenate(parts), np.concatenate(owners)

    def signatures(self, batch: WordBatch) -> np.ndarray:
        """One-permutation MinHash with rotation densification, one row per text: each shingle
        is hashed once and falls into one of ``num_perm`` bins; a bin keeps its smallest value,
        and an empty bin borrows the next non-empty bin's value (Shrivastava, 2017). Collision
        probability per bin still estimates Jaccard similarity, at 1/num_perm of the classic
        cost. The bin minima of the whole batch are taken by one ``np.minimum.at``."""
        k = self.num_perm
        sh, owner = self.shingles(batch)
        with np.errstate(over="ignore"):
            h = (sh * self.a + self.b) >> np.uint64(16)
        slot = owner * k + (h % np.uint64(k)).astype(np.int64)
        vals = ((h // np.uint64(k)) & _MASK32).astype(np.uint32)
        flat = np.full(len(batch) * k, _EMPTY, dtype=np.uint32)
        np.minimum.at(flat, slot, vals)
        seen = np.zeros(len(batch) * k, dtype=bool)
        seen[slot] = True
        sigs = flat.reshape(-1, k)
        _densify(sigs, seen.reshape(-1, k))
        return sigs

    def signature(self, words: np.ndarray) -> np.ndarray:
        """The signature of one text's word hashes (the same as in any batch)."""
        return self.signatures(WordBatch(words, np.array([0, len(words)], dtype=np.int64)))[0]


def _densify(sigs: np.ndarray, seen: np.ndarray) -> None:
    """Fill each empty bin, in place, from the next filled bin to its right (circularly)."""
    rows = np.flatnonzero(~seen.all(axis=1) & seen.any(axis=1))
    if not len(rows):
        return
    k = sigs.shape[1]
    filled = seen[rows]
    # Over two copies of each row, the nearest filled position at or after every position.
    at = np.where(np.hstack([filled, filled]), np.arange(2 * k), 2 * k)
    nearest = np.minimum.accumulate(at[:, ::-1], axis=1)[:, ::-1][:, :k] % k
    block = sigs[rows]
    borrowed = np.take_along_axis(block, nearest, axis=1) ^ _BORROWED
    sigs[rows] = np.where(filled, block, borrowed)


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.mean(sig_a == sig_b))


def estimated_jaccard(sigs: np.ndarray, pairs: np.ndarray, chunk: int = 16_384) -> np.ndarray:
    """Signature agreement of each pair (rows of ``pairs``), in chunks of a few MB."""
    out = np.empty(len(pairs), dtype=np.float64)
    for lo in range(0, len(pairs), chunk):
        part = pairs[lo : lo + chunk]
        out[lo : lo + len(part)] = (sigs[part[:, 0]] == sigs[part[:, 1]]).sum(axis=1)
    out /= sigs.shape[1]
    return out


class LSHIndex:
    """Banded LSH: ``bands`` × ``rows`` = signature length; returns candidate pairs."""

    def __init__(self, num_perm: int, bands: int) -> None:
        if num_perm % bands:
            raise ValueError(f"num_perm ({num_perm}) must be a multiple of bands ({bands})")
        self.bands = bands
        self.rows = num_perm // bands
        self.buckets: list[dict[bytes, list[int]]] = [defaultdict(list) for _ in range(bands)]

    def add(self, idx: int, sig: np.ndarray) -> None:
        r = self.rows
        for band in range(self.bands):
            self.buckets[band][sig[band * r : (band + 1) * r].tobytes()].append(idx)

    def pairs(self, max_bucket: int = 200) -> set[tuple[int, int]]:
        """Candidate pairs; buckets larger than ``max_bucket`` (templates, empty pages) are
        linked as a chain to their first member instead of all pairs."""
        out: set[tuple[int, int]] = set()
        for table in self.buckets:
            for members in table.values():
                if len(members) < 2:
                    continue
                if len(members) > max_bucket:
                    out.update((members[0], m) for m in members[1:])
                    continue
                for i, a in enumerate(members):
                    for b in members[i + 1 :]:
                        out.add((a, b))
        return out


def lsh_pairs(
    sigs: np.ndarray, bands: int, max_bucket: int = 200, min_agreement: float = 0.0
) -> np.ndarray:
    """Candidate pairs ``(a, b)``, ``a < b``, sorted, from banded LSH over a signature matrix.

    Each band's rows are folded into one 64-bit key and the keys sorted; runs of equal keys are
    buckets. Every two members of a bucket are a pair, built as arrays: members that lie ``d``
    apart in the sorted band, for d = 1, 2, … up to the largest bucket. Buckets larger than
    ``max_bucket`` (templates, empty pages) are chained to their first member instead.
    Each band's pairs whose signatures agree on less than ``min_agreement`` of their bins are
    dropped at once, so the pairs of loosely similar documents, which grow with the square of
    the corpus, are never all held."""
    n, k = sigs.shape
    if k % bands:
        raise ValueError(f"num_perm ({k}) must be a multiple of bands ({bands})")
    rows = k // bands
    mix = np.random.default_rng(11).integers(1, 2**63, rows, dtype=np.uint64) | np.uint64(1)
    found: list[np.ndarray] = []
    for band in range(bands):
        # A contiguous copy of the band: its columns are then read with a short stride.
        block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        with np.errstate(over="ignore"):
            keys = block[:, 0] * mix[0]
            for r in range(1, rows):
                keys += block[:, r] * mix[r]
        order = np.argsort(keys)
        sk = keys[order]
        starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]]))
        sizes = np.diff(np.append(starts, n))
        multi = sizes > 1
        starts, sizes = starts[multi], sizes[multi]
        band_codes = []
        for start, size in zip(starts[sizes > max_bucket], sizes[sizes > max_bucket], strict=True):
            members = np.sort(order[start : start + size])
            band_codes.append(members[0] * n + members[1:])
        starts, sizes = starts[sizes <= max_bucket], sizes[sizes <= max_bucket]
        # Sorted positions of every member of the remaining buckets, with their bucket's end.
        pos = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        end = np.repeat(starts + sizes, sizes)
        d = 1
        while len(pos):
            keep = pos + d < end
            pos, end = pos[keep], end[keep]
            a, b = order[pos], order[pos + d]
            band_codes.append(np.minimum(a, b) * n + np.maximum(a, b))
            d += 1
        if band_codes:
            # Distinct already: two documents share at most one bucket of a band.
            codes = np.concatenate(band_codes)
            if min_agreement > 0:
                pairs = np.stack([codes // n, codes % n], axis=1)
                codes = codes[estimated_jaccard(sigs, pairs) >= min_agreement]
            found.append(codes)
    codes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return np.stack([codes // n, codes % n], axis=1) if n else codes.reshape(0, 2)
