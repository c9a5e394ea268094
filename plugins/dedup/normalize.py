"""Text normalization and cheap token features shared by the dedup levels."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import defaultdict

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

WORD = re.compile(r"\w+")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
STOP = frozenset(STOP_WORDS) | {"said", "says", "told", "added", "according"}


def exact_key(text: str, words: list[str] | None = None) -> str:
    """Hash of the text with case, whitespace and punctuation folded."""
    norm = " ".join(words if words is not None else WORD.findall(text.casefold()))
    return hashlib.sha1(norm.encode()).hexdigest()


class WordIds:
    """Words as 64-bit ids that are the same in every process: a vocabulary numbers words in
    the order the corpus shows them, and the numbers are scrambled by a fixed odd multiplier
    (so n-gram hashes built from them spread over the whole range)."""

    def __init__(self) -> None:
        # A defaultdict whose factory is a C counter: new words get the next number without
        # any Python-level code per word.
        self.vocab: defaultdict[str, int] = defaultdict(itertools.count(1).__next__)

    def __call__(self, text: str, words: list[str] | None = None) -> np.ndarray:
        if words is None:
            words = WORD.findall(text.casefold())
        ids = np.fromiter(map(self.vocab.__getitem__, words), dtype=np.uint64, count=len(words))
        with np.errstate(over="ignore"):
            return ids * np.uint64(0x9E3779B97F4A7C15)


def lemma(word: str) -> str:
    """A cheap English lemma: enough to match "ceasefires"/"ceasefire", "talks"/"talk"."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def content_terms(text: str) -> list[str]:
    """Lemmas of content words (no stop words, no one-letter tokens), in order."""
    return [lemma(w) for w in WORD.findall(text) if len(w) > 1 and w.lower() not in STOP]


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUM.findall(text)}


def names(text: str) -> set[str]:
    """Capitalized words not at a sentence start: a cheap proxy for named entities."""
    out = set()
    for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z]{2,})", text):
        out.add(m.group(1).lower())
    return out
