"""Text normalization and cheap token features shared by the dedup levels.

Every feature comes in a fixed order (the order of the text), never in the iteration order of a
set of strings, which changes with ``PYTHONHASHSEED``: dedup's results must not.
"""

from __future__ import annotations

import re
from functools import cache

WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W+")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]{2,})")


@cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words and reporting verbs. Read on first use: importing spaCy takes
    most of a second, which commands that only list plugins or check config should not pay."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"said", "says", "told", "added", "according"}


def normalized(text: str) -> str:
    """The text's words, case-folded, joined by single spaces: ``" ".join(WORD.findall(...))``
    in one substitution."""
    return _NON_WORD.sub(" ", text.casefold()).strip(" ")


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
    stop = stop_words()
    return [lemma(w) for w in WORD.findall(text) if len(w) > 1 and w.lower() not in stop]


def numbers(text: str) -> list[str]:
    """The distinct numbers of the text (thousands separators dropped), in order of first use."""
    return list(dict.fromkeys(n.replace(",", "") for n in _NUM.findall(text)))


def names(text: str) -> list[str]:
    """Capitalized words not at a sentence start (a cheap proxy for named entities), case-folded,
    distinct, in order of first use."""
    return list(dict.fromkeys(m.group(1).lower() for m in _NAME.finditer(text)))
