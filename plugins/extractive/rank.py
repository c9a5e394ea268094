"""Sentence salience for extractive summaries: TF-IDF cosine centrality (LexRank's stationary
distribution) combined with news lead bias, length, entity salience and penalties.

The similarity graph links each sentence to the sentences at most :data:`WINDOW` places before
or after it (:class:`Band`), so its size grows linearly with the document: a news article (a
few dozen sentences) is one window, every pair of its sentences linked, and a 5 MB document
costs a few hundred similarities per sentence instead of n². TF-IDF rows are kept sparse
(:class:`Rows`) for the same reason: a dense sentence × vocabulary matrix of a long document
takes gigabytes.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from hashlib import blake2b

import numpy as np

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+|\d+")


@cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words and a few reporting and modal verbs, read on first use (importing
    spaCy takes most of a second, which listing plugins or checking config should not pay)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"said", "says", "told", "would", "could", "also"}


def stem(w: str) -> str:
    w = w.lower().replace("’", "'")
    for suf in ("'s", "ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)]
    return w


@lru_cache(maxsize=65536)
def _term(w: str) -> str:
    """The term a token counts as, or "" for a stop word or a single digit."""
    if len(w) < 2 or w.lower() in stop_words():
        return ""
    return stem(w)


def terms(sentence: str) -> list[str]:
    return [t for t in map(_term, _WORD.findall(sentence)) if t]


def _key(t: str) -> bytes:
    """A term's 64-bit key: 8 bytes of its BLAKE2b digest, the same in every process (``hash``
    is salted per process, which would reorder the TF-IDF columns from run to run)."""
    return blake2b(t.encode(), digest_size=8).digest()


class _TermKeys(dict[str, bytes]):
    """Whitespace-separated word -> keys standing for the terms in it, packed as 64-bit ints.

    A term's key is a hash of it (the hashing trick, with a chance of about 1e-15 that two of a
    document's few hundred terms collide). Terms never span whitespace, so the terms of a
    sentence are those of its words in order: joining the words' packed keys takes one lookup
    from C per word, where tokenizing, finding each token's term and handing the terms to numpy
    cost several Python steps per token. Keys depend only on the word, so the table can be
    emptied at any time; it is emptied when it grows large."""

    def __missing__(self, word: str) -> bytes:
        if len(self) >= 1 << 18:
            self.clear()
        packed = b"".join(_key(t) for t in map(_term, _WORD.findall(word)) if t)
        self[word] = packed
        return packed


_TERM_KEYS = _TermKeys()


WINDOW = 128
"""How many sentences before and after a sentence it is linked to in the similarity graph."""

SOLVE_MAX = 512
"""Up to this many sentences, the stationary distribution is solved for directly."""


class Rows:
    """Row-normalized TF-IDF rows of a document's sentences, sparse: row ``i``'s terms are
    ``cols[ptr[i]:ptr[i + 1]]`` (indices into the document's vocabulary, ascending) with
    weights ``vals[ptr[i]:ptr[i + 1]]``."""

    def __init__(self, ptr: np.ndarray, cols: np.ndarray, vals: np.ndarray, v: int) -> None:
        self.ptr, self.cols, self.vals, self.v = ptr, cols, vals, v

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def dense(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` as a dense matrix over the terms they hold."""
        a, b = self.ptr[start], self.ptr[stop]
        if start == 0 and stop == len(self):  # every row: every term of the vocabulary
            local, width = self.cols, self.v
        else:
            used, local = np.unique(self.cols[a:b], return_inverse=True)
            width = max(1, len(used))
        out = np.zeros((stop - start, width), dtype=np.float32)
        out[np.repeat(np.arange(stop - start), np.diff(self.ptr[start : stop + 1])), local] = (
            self.vals[a:b]
        )
        return out


def tfidf_rows(words: list[list[str]]) -> Rows:
    """TF-IDF of sentences given as their whitespace-separated words (``sentence.split()``),
    vocabulary and IDF from them: log-scaled term frequency times smoothed IDF, each row scaled
    to unit length (a sentence of stop words only has no terms)."""
    n = len(words)
    rows = [b"".join(map(_TERM_KEYS.__getitem__, w)) for w in words]
    keys = np.frombuffer(b"".join(rows), dtype=np.int64)
    vocabulary, term = np.unique(keys, return_inverse=True)
    v = max(1, len(vocabulary))
    cells = np.repeat(np.arange(n, dtype=np.int64) * v, [len(r) // 8 for r in rows])
    cells += term.reshape(-1)
    cells, counts = np.unique(cells, return_counts=True)  # sorted: row by row, terms ascending
    row, cols = np.divmod(cells, v)
    x = counts.astype(np.float32)
    several = counts > 1
    np.log(x, out=x, where=several)
    x[~several] = 0.0
    x += 1.0  # 1 + log(count)
    df = np.bincount(cols, minlength=v).astype(np.float32)
    x *= (np.log((1 + n) / (1 + df)) + 1)[cols]
    norms = np.sqrt(np.bincount(row, weights=x.astype(np.float64) * x, minlength=n))
    x /= np.maximum(norms, 1e-30)[row].astype(np.float32)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=ptr[1:])
    return Rows(ptr, cols, x, v)


def tfidf(words: list[list[str]]) -> np.ndarray:
    """:func:`tfidf_rows` as a dense matrix, one column per term of the vocabulary (for the few
    sentences of a cluster summary)."""
    x = tfidf_rows(words)
    return x.dense(0, len(x))


def cosines(x: np.ndarray) -> np.ndarray:
    """``x @ x.T`` for row-normalized ``x``: the cosine of every pair of rows.

    Written as a product with a contiguous transpose so OpenBLAS computes it as a plain small
    matrix product on one thread: ``x @ x.T`` becomes a symmetric rank-k update that wakes its
    thread pool, which costs more than the product itself at a document's size."""
    return x @ np.ascontiguousarray(x.T)


class Band:
    """The cosine-similarity graph of sentences within :data:`WINDOW` places of each other.

    ``w[i, k]`` is the cosine of sentences ``i`` and ``i + k - window`` (0 outside the document
    and on the diagonal): n × (2·window + 1) numbers whatever the document's length.
    ``band[i]`` is sentence ``i``'s row of the graph as a dense vector, for MMR. A document
    that one window holds keeps its n × n cosines in ``full`` instead."""

    def __init__(self, x: Rows, window: int = WINDOW, chunk: int = 256) -> None:
        n = len(x)
        window = max(1, min(window, n - 1))
        self.n, self.window = n, window
        self.full: np.ndarray | None = None
        if n <= window + 1:
            # One window holds the document (a news article): every pair, as one product.
            self.full = cosines(x.dense(0, n))
            np.fill_diagonal(self.full, 0.0)
            return
        width = 2 * window + 1
        self.w = np.zeros((n, width), dtype=np.float32)
        offsets = np.arange(width)
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            lo, hi = max(0, start - window), min(n, stop + window)
            block = x.dense(lo, hi)
            prod = block[start - lo : stop - lo] @ np.ascontiguousarray(block.T)
            # Pad so that column j of the padded product is sentence start - window + j.
            pad = np.zeros((stop - start, (stop - start) + 2 * window), dtype=np.float32)
            pad[:, lo - (start - window) : lo - (start - window) + (hi - lo)] = prod
            r = np.arange(stop - start)[:, None]
            self.w[start:stop] = pad[r, r + offsets]
        self.w[:, window] = 0.0  # TF-IDF weights are non-negative, so are the cosines

    @property
    def edges(self) -> int:
        """How many (directed) links the graph stores: at most n × (2·window + 1)."""
        return int(np.count_nonzero(self.w if self.full is None else self.full))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> np.ndarray:
        if self.full is not None:
            return self.full[i]
        row = np.zeros(self.n + 2 * self.window, dtype=np.float32)
        row[i : i + 2 * self.window + 1] = self.w[i]
        return row[self.window : self.window + self.n]

    def dense(self) -> np.ndarray:
        if self.full is not None:
            return self.full
        return np.array([self[i] for i in range(self.n)], dtype=np.float32).reshape(self.n, -1)

    def dot(self, q: np.ndarray) -> np.ndarray:
        """The graph's matrix times vector ``q``."""
        if self.full is not None:
            return np.asarray(self.full @ q)
        padded = np.zeros(self.n + 2 * self.window)
        padded[self.window : self.window + self.n] = q
        view = np.lib.stride_tricks.sliding_window_view(padded, 2 * self.window + 1)
        return np.einsum("ij,ij->i", self.w, view)


def centrality(
    x: np.ndarray | None = None,
    damping: float = 0.85,
    sim: np.ndarray | Band | None = None,
    solve_max: int = SOLVE_MAX,
) -> np.ndarray:
    """Continuous LexRank: PageRank over the cosine-similarity graph of the rows of ``x`` (or
    over ``sim``, their cosines or their :class:`Band`, when the caller has them), scaled to a
    maximum of 1.

    The stationary distribution solves (I − d·Tᵀ) p = (1 − d)/n, T the similarity matrix with
    rows scaled to sum to 1; it is symmetric before scaling, so Tᵀ is the same matrix with its
    columns scaled. Up to ``solve_max`` sentences the system is solved directly, which for a
    document's few dozen sentences is cheaper than iterating; a longer document's band is
    iterated on (power iteration), each step linear in its size."""
    if sim is None:
        assert x is not None
        sim = cosines(x)
    n = len(sim)
    if n == 0:
        return np.zeros(0)
    if isinstance(sim, Band) and n > solve_max:
        p = _iterate(sim, damping)
    else:
        p = _solve(sim.dense() if isinstance(sim, Band) else sim, damping)
    top = p.max()
    return p / top if top > 0 else p


def _solve(sim: np.ndarray, damping: float) -> np.ndarray:
    n = len(sim)
    a = np.array(sim, dtype=np.float64)
    a.flat[:: n + 1] = 0.0  # TF-IDF weights are non-negative, so are the cosines
    totals = a.sum(axis=0)
    if totals.all():
        a /= totals
    else:
        # A sentence similar to no other links to every sentence alike.
        lonely = totals == 0
        a /= np.where(lonely, 1.0, totals)
        a[:, lonely] = 1.0 / n
    a *= -damping
    a.flat[:: n + 1] += 1.0
    # Tᵀ's columns sum to 1, so for damping < 1 the matrix is diagonally dominant: never singular.
    return np.asarray(np.linalg.solve(a, np.full(n, (1 - damping) / n)))


def _iterate(band: Band, damping: float, tol: float = 1e-12, steps: int = 1000) -> np.ndarray:
    """The same distribution as :func:`_solve`, by power iteration: p ← d·Tᵀp + (1 − d)/n, a
    sentence similar to no other spreading its share over every sentence alike. The error
    shrinks by ``damping`` or faster each step, so 1e-12 takes under 200 steps."""
    n = len(band)
    links = band.w if band.full is None else band.full
    totals = links.sum(axis=1, dtype=np.float64)  # column sums, by symmetry
    lonely = totals == 0
    scale = np.where(lonely, 0.0, 1.0 / np.where(lonely, 1.0, totals))
    p = np.full(n, 1.0 / n)
    for _ in range(steps):
        new = damping * band.dot(p * scale)
        new += damping * p[lonely].sum() / n + (1 - damping) / n
        done = np.abs(new - p).sum() < tol
        p = new
        if done:
            break
    return p


# Both are searched for in lower-cased text, which is faster than ignoring case and the same
# but for a few letters (the long s, the Kelvin sign).
_ATTRIB = re.compile(
    r"\b(?:said|says|told|added|according to|stated|noted|asked|announced|stressed|emphasized)\b"
)
_FURNITURE = re.compile(
    r"https?://|@\w|©|\bcopyright\b|\bfollow (?:him|her|us)\b|\bclick\b|\bsubscribe\b"
)
# What _FURNITURE cannot match without, in UTF-8 with ASCII letters lower-cased (cheaper than
# str.lower on a whole document): most documents have none of these.
_FURNITURE_HINTS = tuple(
    h.encode()
    for h in (
        "http",
        "@",
        "©",
        "copyright",
        "follow him",
        "follow her",
        "follow us",
        "click",
        "subscribe",
    )
)
_ENDINGS = '.!?"”’'


def penalties(sentences: list[str], lengths: list[int] | None = None) -> np.ndarray:
    """Per sentence, 1 for an ordinary sentence, less for an unattributed quote, a fragment or
    headline (under 6 words, or no end mark), or a boilerplate-like line. ``lengths`` are the
    sentences' lengths in words, computed here unless the caller has them."""
    if lengths is None:
        lengths = [len(s.split()) for s in sentences]
    factor = []
    for s, n in zip(sentences, lengths, strict=True):
        f = 1.0
        if ('"' in s or "“" in s or "”" in s) and not _ATTRIB.search(s.lower()):
            f *= 0.7
        if n < 6 or s.rstrip()[-1:] not in _ENDINGS:
            f *= 0.5
        factor.append(f)
    # No hint holds a line break, so none is found across two sentences.
    text = "\n".join(sentences).encode().lower()
    if any(h in text for h in _FURNITURE_HINTS):
        for i, s in enumerate(sentences):
            if _FURNITURE.search(s.lower()):
                factor[i] *= 0.2
    return np.array(factor)


def salience(
    sentences: list[str],
    *,
    lead_bias: float = 0.5,
    entity_weight: list[float] | None = None,
    sim: np.ndarray | Band | None = None,
    lengths: list[int] | None = None,
) -> np.ndarray:
    """Score of each sentence; ``sim`` (their similarity graph) and ``lengths`` (in words) are
    computed here unless the caller already has them."""
    if sim is None:
        sim = Band(tfidf_rows([s.split() for s in sentences]))
    if lengths is None:
        lengths = [len(s.split()) for s in sentences]
    score = (1 - lead_bias) * centrality(sim=sim)
    score += lead_bias / (1.0 + np.arange(len(sentences)) / 2.0)  # the lead
    if entity_weight is not None:
        score += 0.2 * np.asarray(entity_weight)
    # Sentences of 15 words or more count fully.
    score *= np.array([0.5 + 0.5 * min(1.0, n / 15.0) for n in lengths])
    score *= penalties(sentences, lengths)
    return score
