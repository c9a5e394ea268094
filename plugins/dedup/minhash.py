"""Vectorized MinHash signatures and a banded LSH index over numpy arrays.

Signatures are computed with numpy over all of a document's shingles at once (no Python object
per shingle): word hashes are combined into n-gram hashes by a polynomial in uint64, then
hashed once more and binned (one-permutation hashing with densification).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

_MASK32 = np.uint64(0xFFFFFFFF)


class MinHasher:
    def __init__(self, num_perm: int = 128, ngram: int = 5, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.ngram = ngram
        self.a = (rng.integers(1, 2**63, num_perm, dtype=np.uint64) | np.uint64(1)).reshape(1, -1)
        self.b = rng.integers(0, 2**63, num_perm, dtype=np.uint64).reshape(1, -1)
        self.pow = np.array([pow(1_000_003, i, 2**64) for i in range(ngram)], dtype=np.uint64)

    def shingles(self, words: np.ndarray) -> np.ndarray:
        n = self.ngram
        if len(words) < n:
            return np.array([int(words.sum()) if len(words) else 0], dtype=np.uint64)
        view = np.lib.stride_tricks.sliding_window_view(words, n)
        with np.errstate(over="ignore"):
            return np.unique((view * self.pow).sum(axis=1))

    def signature(self, words: np.ndarray) -> np.ndarray:
        """One-permutation MinHash with rotation densification: each shingle is hashed once and
        falls into one of ``num_perm`` bins; a bin keeps its smallest value, and an empty bin
        borrows the next non-empty bin's value (Shrivastava, 2017). Collision probability per
        bin still estimates Jaccard similarity, at 1/num_perm of the classic cost."""
        sh = self.shingles(words)
        k = self.num_perm
        with np.errstate(over="ignore"):
            h = (sh * self.a[0, 0] + self.b[0, 0]) >> np.uint64(16)
        bins = (h % np.uint64(k)).astype(np.int64)
        vals = ((h // np.uint64(k)) & _MASK32).astype(np.uint32)
        sig = np.full(k, np.iinfo(np.uint32).max, dtype=np.uint32)
        np.minimum.at(sig, bins, vals)
        empty = np.bincount(bins, minlength=k) == 0
        if empty.any() and not empty.all():
            filled = np.flatnonzero(~empty)
            # For each empty bin, the next filled bin to the right (circularly).
            pos = np.searchsorted(filled, np.flatnonzero(empty)) % len(filled)
            src = filled[pos]
            sig[empty] = sig[src] ^ np.uint32(0x9E3779B1)
        return sig


def jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.mean(sig_a == sig_b))


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


def batch_signatures(hasher: MinHasher, word_arrays: list[np.ndarray]) -> np.ndarray:
    """Signatures of many documents at once (the same values as :meth:`MinHasher.signature`,
    without per-document numpy call overhead): shingles of all documents are built over one
    concatenated array, windows that cross a document boundary are dropped, and bin minima are
    taken with one ``np.minimum.at`` over ``doc * num_perm + bin``."""
    k, n = hasher.num_perm, hasher.ngram
    out = np.full((len(word_arrays), k), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not word_arrays:
        return out
    lengths = np.array([len(w) for w in word_arrays])
    short = np.flatnonzero(lengths < n)
    for i in short:
        out[i] = hasher.signature(word_arrays[i])
    long_idx = np.flatnonzero(lengths >= n)
    if len(long_idx) == 0:
        return out
    words = np.concatenate([word_arrays[i] for i in long_idx])
    lens = lengths[long_idx]
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    view = np.lib.stride_tricks.sliding_window_view(words, n)
    with np.errstate(over="ignore"):
        sh = (view * hasher.pow).sum(axis=1)
    # Window w belongs to document d when starts[d] <= w <= starts[d] + len[d] - n.
    doc_of = np.repeat(np.arange(len(long_idx)), lens)[: len(sh)]
    valid = np.arange(len(sh)) <= (starts[doc_of] + lens[doc_of] - n)
    sh, doc_of = sh[valid], doc_of[valid]
    with np.errstate(over="ignore"):
        h = (sh * hasher.a[0, 0] + hasher.b[0, 0]) >> np.uint64(16)
    bins = (h % np.uint64(k)).astype(np.int64)
    vals = ((h // np.uint64(k)) & _MASK32).astype(np.uint32)
    flat = np.full(len(long_idx) * k, np.iinfo(np.uint32).max, dtype=np.uint32)
    np.minimum.at(flat, doc_of * k + bins, vals)
    sigs = flat.reshape(-1, k)
    seen_flat = np.zeros(len(long_idx) * k, dtype=bool)
    seen_flat[doc_of * k + bins] = True
    seen = seen_flat.reshape(-1, k)
    for row in np.flatnonzero(~seen.all(axis=1)):
        empty = ~seen[row]
        if empty.all():
            continue
        filled = np.flatnonzero(~empty)
        src = filled[np.searchsorted(filled, np.flatnonzero(empty)) % len(filled)]
        sigs[row, empty] = sigs[row, src] ^ np.uint32(0x9E3779B1)
    out[long_idx] = sigs
    return out


def lsh_pairs(sigs: np.ndarray, bands: int, max_bucket: int = 200) -> set[tuple[int, int]]:
    """Candidate pairs from banded LSH over a signature matrix, vectorized per band: each band's
    rows are folded into one 64-bit key, keys are sorted, and runs of equal keys are buckets.
    Buckets larger than ``max_bucket`` are chained to their first member instead of all pairs."""
    n, k = sigs.shape
    if k % bands:
        raise ValueError(f"num_perm ({k}) must be a multiple of bands ({bands})")
    rows = k // bands
    mix = np.random.default_rng(11).integers(1, 2**63, rows, dtype=np.uint64) | np.uint64(1)
    out: set[tuple[int, int]] = set()
    for band in range(bands):
        block = sigs[:, band * rows : (band + 1) * rows].astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = (block * mix).sum(axis=1)
        order = np.argsort(keys, kind="stable")
        sk = keys[order]
        edges = np.flatnonzero(np.diff(sk)) + 1
        starts = np.concatenate([[0], edges])
        ends = np.concatenate([edges, [n]])
        for a, b in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            members = sorted(order[a:b].tolist())
            if len(members) > max_bucket:
                out.update((members[0], m) for m in members[1:])
                continue
            for i, x in enumerate(members):
                for y in members[i + 1 :]:
                    out.add((x, y))
    return out
