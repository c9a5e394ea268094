"""Sentence salience for extractive summaries: TF-IDF cosine centrality (LexRank's stationary
distribution, solved directly in numpy) combined with news lead bias, length, entity salience
and penalties.

Documents are a few dozen sentences, so everything is small dense numpy: a vectorizer or sparse
matrices would cost more in set-up than the whole computation.
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


def tfidf(words: list[list[str]]) -> np.ndarray:
    """Row-normalized TF-IDF matrix of sentences given as their whitespace-separated words
    (``sentence.split()``), vocabulary and IDF from them: one row per sentence, one column per
    term, log-scaled term frequency times smoothed IDF."""
    n = len(words)
    rows = [b"".join(map(_TERM_KEYS.__getitem__, w)) for w in words]
    keys = np.frombuffer(b"".join(rows), dtype=np.int64)
    vocabulary, cells = np.unique(keys, return_inverse=True)
    v = max(1, len(vocabulary))
    cells += np.repeat(np.arange(0, n * v, v), [len(r) // 8 for r in rows])
    counts = np.bincount(cells, minlength=n * v).reshape(n, v)
    several = counts > 1
    x = counts.astype(np.float32)
    np.log(x, out=x, where=several)
    x += several  # 1 + log(count) where a term occurs, 0 elsewhere
    x *= np.log((1 + n) / (1 + (counts > 0).sum(axis=0, dtype=np.float32))) + 1
    # A sentence of stop words only has a zero row: it stays zero.
    x /= np.maximum(np.sqrt(np.einsum("ij,ij->i", x, x)), 1e-30)[:, None]
    return x


def cosines(x: np.ndarray) -> np.ndarray:
    """``x @ x.T`` for row-normalized ``x``: the cosine of every pair of rows.

    Written as a product with a contiguous transpose so OpenBLAS computes it as a plain small
    matrix product on one thread: ``x @ x.T`` becomes a symmetric rank-k update that wakes its
    thread pool, which costs more than the product itself at a document's size."""
    return x @ np.ascontiguousarray(x.T)


def centrality(x: np.ndarray, damping: float = 0.85, sim: np.ndarray | None = None) -> np.ndarray:
    """Continuous LexRank: PageRank over the cosine-similarity graph of the rows of ``x`` (or
    over ``sim``, their cosines, when the caller has them), scaled to a maximum of 1.

    The stationary distribution is the solution of one linear system, (I − d·Tᵀ) p = (1 − d)/n,
    which for a document's few dozen sentences is cheaper than iterating to convergence. T is
    the similarity matrix with rows scaled to sum to 1; it is symmetric before scaling, so Tᵀ
    is the same matrix with its columns scaled."""
    n = len(x)
    if n == 0:
        return np.zeros(0)
    a = np.array(cosines(x) if sim is None else sim, dtype=np.float64)
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
    p = np.linalg.solve(a, np.full(n, (1 - damping) / n))
    top = p.max()
    return p / top if top > 0 else p


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
    x: np.ndarray | None = None,
    sim: np.ndarray | None = None,
    lengths: list[int] | None = None,
) -> np.ndarray:
    """Score of each sentence; ``x`` (TF-IDF rows), ``sim`` (their cosines) and ``lengths`` (in
    words) are computed here unless the caller already has them."""
    if x is None:
        x = tfidf([s.split() for s in sentences])
    if lengths is None:
        lengths = [len(s.split()) for s in sentences]
    score = (1 - lead_bias) * centrality(x, sim=sim)
    score += lead_bias / (1.0 + np.arange(len(sentences)) / 2.0)  # the lead
    if entity_weight is not None:
        score += 0.2 * np.asarray(entity_weight)
    # Sentences of 15 words or more count fully.
    score *= np.array([0.5 + 0.5 * min(1.0, n / 15.0) for n in lengths])
    score *= penalties(sentences, lengths)
    return score
