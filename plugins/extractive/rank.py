"""Sentence salience for extractive summaries: TF-IDF cosine centrality (LexRank-style power
iteration in numpy) combined with news lead bias, length, entity salience and penalties."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+|\d+")
STOP = frozenset(STOP_WORDS) | {"said", "says", "told", "would", "could", "also"}
_ATTRIB = re.compile(
    r"\b(said|says|told|added|according to|stated|noted|asked|announced|stressed|emphasized)\b",
    re.I,
)
_QUOTE_CHARS = '“”"'


@lru_cache(maxsize=65536)
def stem(w: str) -> str:
    w = w.lower().replace("’", "'")
    for suf in ("'s", "ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            return w[: -len(suf)]
    return w


def terms(sentence: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(sentence) if len(w) > 1 and w.lower() not in STOP]


def tfidf(bags: list[list[str]], idf_from: list[list[str]] | None = None) -> np.ndarray:
    """Row-normalized TF-IDF matrix of sentence term bags (vocabulary from the bags)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, bag in enumerate(bags):
        for t in bag:
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
    counts = np.zeros((len(bags), max(1, len(vocab))), dtype=np.float32)
    np.add.at(counts, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)), 1.0)
    x = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0).astype(np.float32)
    if idf_from is None:
        df = (counts > 0).sum(axis=0).astype(np.float32)
        ref_n = len(bags)
    else:
        df = np.zeros(x.shape[1], dtype=np.float32)
        for bag in idf_from:
            for t in set(bag):
                if t in vocab:
                    df[vocab[t]] += 1
        ref_n = len(idf_from)
    idf = np.log((1 + ref_n) / (1 + df)) + 1
    x *= idf
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def centrality(x: np.ndarray, damping: float = 0.85, iters: int = 30) -> np.ndarray:
    """Continuous LexRank: PageRank over the cosine-similarity graph."""
    n = len(x)
    if n == 0:
        return np.zeros(0)
    sim = x @ x.T
    np.fill_diagonal(sim, 0.0)
    sim = np.clip(sim, 0, None)
    rows = sim.sum(axis=1, keepdims=True)
    trans = np.where(rows > 0, sim / np.where(rows == 0, 1, rows), 1.0 / n)
    p = np.full(n, 1.0 / n)
    tt = trans.T.copy()
    for _ in range(iters):
        nxt = (1 - damping) / n + damping * (tt @ p)
        if np.abs(nxt - p).sum() < 1e-6:
            p = nxt
            break
        p = nxt
    return p / p.max() if p.max() > 0 else p


_FURNITURE = re.compile(
    r"https?://|@\w|©|copyright|follow (?:him|her|us)|click|subscribe", re.IGNORECASE
)
_FURNITURE_HINT = frozenset("@©:")


def penalties(sentence: str) -> float:
    """1 for an ordinary sentence, less for an unattributed quote or a boilerplate-like line."""
    factor = 1.0
    if any(c in sentence for c in _QUOTE_CHARS) and not _ATTRIB.search(sentence):
        factor *= 0.7
    end = sentence.rstrip()[-1:]
    if end not in '.!?"”’' or sentence.count(" ") < 5:
        factor *= 0.5
    # Cheap test first: the pattern needs one of these characters or a furniture word.
    low = sentence.lower()
    if (
        _FURNITURE_HINT.intersection(sentence)
        or "copyright" in low
        or "follow" in low
        or "click" in low
        or "subscribe" in low
    ) and _FURNITURE.search(sentence):
        factor *= 0.2
    return factor


def salience(
    sentences: list[str],
    *,
    lead_bias: float = 0.5,
    entity_weight: list[float] | None = None,
    x: np.ndarray | None = None,
) -> np.ndarray:
    if x is None:
        x = tfidf([terms(s) for s in sentences])
    c = centrality(x)
    n = len(sentences)
    pos = np.arange(n)
    lead = 1.0 / (1.0 + pos / 2.0)
    length = np.array([min(1.0, len(s.split()) / 15.0) for s in sentences])
    pen = np.array([penalties(s) for s in sentences])
    ent = np.asarray(entity_weight) if entity_weight is not None else np.zeros(n)
    return ((1 - lead_bias) * c + lead_bias * lead + 0.2 * ent) * (0.5 + 0.5 * length) * pen
