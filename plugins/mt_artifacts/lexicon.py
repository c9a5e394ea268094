"""Lexical translation tables for the bilingual quality features.

IBM Model 1 tables ``t(english | source word)`` and ``t(source word | english)`` per source
language, learned by ``benchmarks/train_quality.py`` from human post-edited translations and
shipped pruned as ``lexicon.json.gz`` and ``lexicon_reverse.json.gz``. Words are cut to a prefix (:data:`PREFIX` letters) so that inflected forms
share an entry. From it come the adequacy features: the share of source words whose translation
appears in the target, the share of target words explained by the source, and the Model 1
log-probability of the target per word; and from the reverse table the share of source words
the translation accounts for, which shows omissions.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

PATH = Path(__file__).with_name("lexicon.json.gz")
REVERSE_PATH = Path(__file__).with_name("lexicon_reverse.json.gz")
PREFIX = 5
NULL = "<null>"
_TOKEN = re.compile(r"[^\s\d.,;:!?\"'()\[\]{}«»“”„‘’\-–—/\\|।॥*#%&+=<>_`~^@$]+")
# The most frequent English function words, which carry no lexical translation.
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "for",
        "on",
        "at",
        "as",
        "it",
        "its",
        "this",
        "that",
        "with",
        "from",
    ]
)


def tokens(text: str) -> list[str]:
    """Lower-cased word prefixes of ``text`` (any script)."""
    return [w[:PREFIX] for w in _TOKEN.findall(text.lower())]


def content_tokens(text: str) -> list[str]:
    return [w[:PREFIX] for w in _TOKEN.findall(text.lower()) if w not in FUNCTION_WORDS]


def train_ibm1(
    pairs: Iterable[tuple[str, str]], *, iterations: int = 6, keep: float = 0.02, per_word: int = 6
) -> dict[str, dict[str, float]]:
    """IBM Model 1 ``t(e|f)`` by EM over ``(source, english)`` pairs, pruned to the ``per_word``
    most likely translations of each source word with probability at least ``keep`` (ties in
    alphabetical order, so the same pairs give the same table).

    Every co-occurring (english word, source word) pair of the corpus gets an index; one EM
    iteration is then three ``numpy.bincount`` calls over all (english token, source token)
    links of all sentences."""
    corpus = [([*tokens(s), NULL], content_tokens(e)) for s, e in pairs]
    corpus = [(f, e) for f, e in corpus if e and len(f) > 1]
    f_ids: dict[str, int] = {}
    e_ids: dict[str, int] = {}
    pair_ids: dict[tuple[int, int], int] = {}
    links = array("q")  # pair index of every link
    owner = array("q")  # the english token occurrence each link belongs to
    n_occ = 0
    for fs, es in corpus:
        fi = [f_ids.setdefault(f, len(f_ids)) for f in fs]
        for e in es:
            ei = e_ids.setdefault(e, len(e_ids))
            links.extend(pair_ids.setdefault((ei, f), len(pair_ids)) for f in fi)
            owner.extend([n_occ] * len(fi))
            n_occ += 1
    if not pair_ids:
        return {}
    link = np.frombuffer(links, dtype=np.int64)
    occ = np.frombuffer(owner, dtype=np.int64)
    keys = np.array(list(pair_ids), dtype=np.int64)
    pair_f = keys[:, 1]
    t = np.full(len(pair_ids), 1.0 / len(e_ids))
    for _ in range(iterations):
        tl = t[link]
        z = np.bincount(occ, weights=tl, minlength=n_occ)
        count = np.bincount(link, weights=tl / z[occ], minlength=len(t))
        t = count / np.bincount(pair_f, weights=count, minlength=len(f_ids))[pair_f]
    f_names, e_names = list(f_ids), list(e_ids)
    null = f_ids[NULL]
    table: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for j in np.flatnonzero((t >= keep) & (pair_f != null)):
        table[f_names[pair_f[j]]].append((e_names[keys[j, 0]], round(float(t[j]), 3)))
    return {f: dict(sorted(es, key=lambda x: (-x[1], x[0]))[:per_word]) for f, es in table.items()}


@lru_cache(maxsize=2)
def load(reverse: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    """``{source language: {source prefix: {english prefix: p}}}``, or with ``reverse``
    ``{source language: {english prefix: {source prefix: p}}}``; empty when not shipped."""
    path = REVERSE_PATH if reverse else PATH
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, dict[str, dict[str, float]]] = json.load(fh)
    return data


def _explained(
    table: dict[str, dict[str, float]], known: list[str], other: list[str], norm: int
) -> tuple[dict[str, float], float]:
    """The best probability of each word of the other side given the ``known`` words, and the
    log-likelihood of ``other`` under the table (IBM Model 1, each word's sum over ``norm``)."""
    explained: dict[str, float] = {}
    for k in known:
        for w, p in table[k].items():
            explained[w] = max(p, explained.get(w, 0.0))
    logp = 0.0
    for w in other:
        p = sum(table[k].get(w, 0.0) for k in known) / norm
        logp += math.log(max(p, 1e-4))
    return explained, logp


def reverse_features(
    text: str,
    source: str,
    source_lang: str | None,
    table: dict[str, dict[str, float]] | None = None,
) -> dict[str, float]:
    """Source words accounted for by the translation, from the English-to-source table
    (omissions show here); empty when no table exists for ``source_lang``."""
    if table is None:
        table = load(reverse=True).get(source_lang or "", {})
    if not table:
        return {}
    tgt = tokens(text)
    src = content_tokens(source)
    known = [e for e in tgt if e in table]
    explained, logp = _explained(table, known, src, len(tgt) + 1)
    n = max(1, len(src))
    return {
        "rev_src_explained": sum(f in explained for f in src) / n,
        "rev_src_max": sum(explained.get(f, 0.0) for f in src) / n,
        "rev_logp": logp / n,
    }


def coverage_features(
    text: str,
    source: str,
    source_lang: str | None,
    table: dict[str, dict[str, float]] | None = None,
) -> dict[str, float]:
    """Lexical adequacy features; empty when no table exists for ``source_lang``."""
    if table is None:
        table = load().get(source_lang or "", {})
    if not table:
        return {}
    src = tokens(source)
    tgt = content_tokens(text)
    tset = set(tgt)
    known = [f for f in src if f in table]
    covered = [f for f in known if any(e in tset for e in table[f])]
    # The probability of the best translation of each known source word found in the target.
    best = [max((p for e, p in table[f].items() if e in tset), default=0.0) for f in known]
    explained, logp = _explained(table, known, tgt, len(src) + 1)
    n_t = max(1, len(tgt))
    return {
        "lex_src_known": len(known) / max(1, len(src)),
        "lex_src_covered": len(covered) / max(1, len(known)),
        "lex_src_uncovered": math.log1p(len(known) - len(covered)),
        "lex_src_best": sum(best) / max(1, len(best)),
        "lex_tgt_explained": sum(e in explained for e in tgt) / n_t,
        "lex_tgt_max": sum(explained.get(e, 0.0) for e in tgt) / n_t,
        "lex_logp": logp / n_t,
        "lex_has_table": 1.0,
    }
