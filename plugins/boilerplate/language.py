"""The page's language, its tokens, and the function words that mark running prose in it.

Stop-word density is the strongest single sign of article text (jusText is built on it), and it
only works with the page language's own function words. The page language comes from py3langid
over the page's longest lines; its function words are that language's most frequent words in
wordfreq, the same definition in every language. Han and kana characters are tokens one by one,
since those scripts do not separate words with spaces, and two of them count as one word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from textmill.langmodel import language_identifier

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
TOP_WORDS = 200
_SAMPLE_CHARS = 1000
FALLBACK = "en"


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; each Han or kana character is a token of its own."""
    return TOKEN.findall(text.lower())


def count_words(text: str, toks: list[str] | None = None) -> int:
    """Words in ``text`` (given its :func:`tokens`, if already known), counting two Han or kana
    characters as one word."""
    toks = tokens(text) if toks is None else toks
    if text.isascii():
        return len(toks)
    cjk = sum(1 for t in toks if len(t) == 1 and _CJK_CHAR.match(t))
    return len(toks) - cjk + (cjk + 1) // 2


_identifier = language_identifier


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    import wordfreq

    return frozenset(wordfreq.available_languages())


def page_language(lines: list[str]) -> str:
    """The language of a page's longest lines (where its article is; their first 1000
    characters), as an ISO 639-1 code that wordfreq knows; English when the page has no text
    to judge or a language wordfreq lacks."""
    sample: list[str] = []
    size = 0
    for line in sorted(lines, key=len, reverse=True):
        if size >= _SAMPLE_CHARS or len(line) < 20:
            break
        sample.append(line)
        size += len(line)
    if not sample:
        return FALLBACK
    lang = str(_identifier().classify(" ".join(sample)[:_SAMPLE_CHARS])[0])
    return lang if lang in _supported() else FALLBACK


@lru_cache(maxsize=64)
def stop_words(lang: str) -> frozenset[str]:
    """The language's most frequent words (function words, for a list this short)."""
    import wordfreq

    return frozenset(w.lower() for w in wordfreq.top_n_list(lang, TOP_WORDS))
