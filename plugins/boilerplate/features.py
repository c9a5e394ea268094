"""Lines of a page and the features the line classifier reads.

A line's features describe the line itself (length, the page language's stop-word density,
punctuation, sentences, capitalization including headline case, digits, link-like tokens,
pattern hits, whether it repeats on the page or across the corpus), the block of lines it sits
in (its paragraph: lines between blank lines, or on a page without blank-line paragraphs, its
sentence line; see :func:`.layout.paragraph_breaks`), and its place on the page
(:mod:`.layout`): relative position, the run of short lines around it, how much prose surrounds it, how much of the page's prose lies
before and after it, and where it stands relative to the headline that opens the article.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from textmill.plugins.boilerplate.language import count_words, page_language, stop_words, tokens
from textmill.plugins.boilerplate.layout import (
    blocks,
    headline,
    nearest_distance,
    paragraph_breaks,
    short_runs,
)
from textmill.plugins.boilerplate.patterns import PATTERNS, TEASER_SNIPPET, Pattern, match
from textmill.plugins.boilerplate.repeats import WORD, line_key

_LINK = re.compile(r"(https?://|www\.|\.com\b|\.org\b|@\w|#\w|\|)", re.IGNORECASE)
_END = re.compile(r"[.!?…\"”’)\]。！？」』）]\s*$")
_SENTENCE = re.compile(r"[.!?。！？]+[\"”’)]*(?=\s+\S|$)|[。！？]")
_COMMAS = ",，、;；"
# Characters that take no room on screen: a line holding only these is blank.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _deletion(test: Callable[[str], bool]) -> dict[int, None]:
    """The characters (of the basic plane) that pass ``test``, as a ``str.translate`` table
    deleting them."""
    return dict.fromkeys(cp for cp in range(0x10000) if test(chr(cp)))


def _alnum_space(c: str) -> bool:
    return c.isalnum() or c.isspace()


_UPPER = _deletion(str.isupper)
_ALPHA = _deletion(str.isalpha)
_DIGIT = _deletion(str.isdigit)
_ALNUM_SPACE = _deletion(_alnum_space)


# Per character (of the basic plane; one more entry for all the others): bit 1 upper case, 2 a
# letter, 4 a digit, 8 neither alphanumeric nor space, as ``str`` tells them.
_CLASSES = np.zeros(0x10001, dtype=np.uint8)
for _bit, _table in ((1, _UPPER), (2, _ALPHA), (4, _DIGIT)):
    _CLASSES[list(_table)] |= _bit
_CLASSES[np.setdiff1d(np.arange(0x10001), list(_ALNUM_SPACE))] |= 8


# Letters that have an upper and a lower case (of the basic plane; the others are asked).
_CASED_BMP = frozenset(chr(cp) for cp in range(0x10000) if chr(cp).lower() != chr(cp).upper())


def _cased(c: str) -> bool:
    return c in _CASED_BMP or (c > "\uffff" and c.lower() != c.upper())


def _char_counts(texts: list[str]) -> np.ndarray:
    """Per text (none empty): its upper-case letters, letters, digits, and characters neither
    alphanumeric nor space, counted for all the texts at once."""
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _CLASSES[np.minimum(codes, 0x10000)]
    starts = np.concatenate([[0], np.cumsum([len(t) for t in texts])[:-1]])
    return np.stack(
        [np.add.reduceat((classes & bit) > 0, starts) for bit in (1, 2, 4, 8)], axis=1
    ).astype(np.float64)


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # end of the line's text, without the newline
    text: str  # stripped; empty for a blank line
    words: int
    tokens: tuple[str, ...] = ()  # lower-cased (see language.tokens)


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    seen: dict[str, tuple[int, tuple[str, ...]]] = {"": (0, ())}  # a page repeats its lines
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped.strip(_INVISIBLE):
            stripped = ""
        if stripped not in seen:
            toks = tokens(stripped)
            seen[stripped] = (count_words(stripped, toks), tuple(toks))
        words, toks_t = seen[stripped]
        out.append(Line(pos, pos + len(raw), stripped, words, toks_t))
        pos += len(raw) + 1
    return out


FEATURES: tuple[str, ...] = (
    "log_words",
    "log_chars",
    "stop_ratio",
    "stop_count_log",
    "punct_ratio",
    "ends_sentence",
    "commas",
    "title_ratio",
    "upper_start",
    "digit_ratio",
    "links",
    "position",
    "position_sq",
    "short_run_log",
    "context_long",
    "context_long_wide",
    "teaser_snippet",
    "repeated",
    "pattern_any",
    "headline_case",
    "upper_ratio",
    "sentences_log",
    "ends_colon",
    "is_long",
    "block_lines_log",
    "block_words_log",
    "block_long_share",
    "block_first",
    "dup_on_page",
    "prose_before",
    "prose_after",
    "dist_prose_log",
    "page_prose_share",
    "is_title",
    "headline_prefix",
    "is_headline",
    "before_headline",
    "after_headline",
    "since_headline_log",
    "patterns_near",
    *(f"pattern_{r}" for r in sorted({p.reason for p in PATTERNS})),
)
F = {name: i for i, name in enumerate(FEATURES)}


def is_short(line: Line) -> bool:
    return 0 < line.words <= 4 and not _END.search(line.text)


def page_features(
    lines: list[Line],
    repeated: set[int] | frozenset[int] = frozenset(),
    extra: tuple[Pattern, ...] = (),
) -> tuple[np.ndarray, list[Pattern | None]]:
    """A feature matrix (one row per non-blank line, columns named by :data:`FEATURES`) and each
    such line's matching pattern."""
    content = [ln for ln in lines if ln.text]
    n = len(content)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x, []
    stop = stop_words(page_language([ln.text for ln in content]))
    toks = [ln.tokens for ln in content]
    is_stop = stop.__contains__
    stops = np.array([sum(map(is_stop, tk)) for tk in toks], dtype=np.float64)
    ntok = np.array([max(1, len(tk)) for tk in toks], dtype=np.float64)
    words = np.array([ln.words for ln in content], dtype=np.float64)
    # Prose: a line of 12+ words of which a quarter are the language's function words.
    long = ((words >= 12) & (stops / ntok >= 0.25)).astype(np.float64)
    prose = long * words
    total_prose = float(prose.sum())
    prose_before = np.concatenate([[0.0], np.cumsum(prose)[:-1]])
    blank_before, prev_blank = [], True
    for ln in lines:
        if ln.text:
            blank_before.append(prev_blank)
        prev_blank = not ln.text
    ends = [_END.search(ln.text) is not None for ln in content]
    block, first = blocks(paragraph_breaks(blank_before, ends, (long > 0).tolist()))
    b_lines = np.bincount(block).astype(np.float64)
    b_words = np.bincount(block, weights=words)
    b_prose = np.bincount(block, weights=prose)
    raw_words = [WORD.findall(ln.text) for ln in content]
    key_of = {t: line_key(t) for t in dict.fromkeys(ln.text for ln in content)}
    keys = [key_of[ln.text] for ln in content]
    key_counts = Counter(keys)
    head = headline(toks)
    words_before = np.concatenate([[0.0], np.cumsum(words)[:-1]])

    x[:, F["log_words"]] = np.log1p(words)
    x[:, F["stop_ratio"]] = stops / ntok
    x[:, F["stop_count_log"]] = np.log1p(stops)
    x[:, F["position"]] = np.arange(n) / max(1, n - 1)
    x[:, F["position_sq"]] = x[:, F["position"]] ** 2
    x[:, F["short_run_log"]] = np.log1p(short_runs([is_short(ln) for ln in content]))
    x[:, F["is_long"]] = long
    x[:, F["block_lines_log"]] = np.log1p(b_lines[block])
    x[:, F["block_words_log"]] = np.log1p(b_words[block])
    x[:, F["block_long_share"]] = b_prose[block] / np.maximum(1.0, b_words[block])
    x[:, F["block_first"]] = first
    if total_prose:
        x[:, F["prose_before"]] = prose_before / total_prose
        x[:, F["prose_after"]] = (total_prose - prose_before - prose) / total_prose
    x[:, F["dist_prose_log"]] = np.log1p(nearest_distance(long))
    x[:, F["page_prose_share"]] = total_prose / max(1.0, float(words.sum()))
    x[0, F["is_title"]] = 1.0
    if head is not None:
        after = np.arange(n) > head
        x[head, F["is_headline"]] = 1.0
        x[:head, F["before_headline"]] = 1.0
        x[:, F["after_headline"]] = after
        since = words_before - words_before[head] - words[head]
        x[:, F["since_headline_log"]] = np.where(after, np.log1p(np.maximum(since, 0)), 0.0)
    texts = [ln.text for ln in content]
    lens = np.array([len(t) for t in texts], dtype=np.float64)
    seen: dict[str, Pattern | None] = {}  # a page repeats its furniture: match a line once
    hits = []
    for t, ln in zip(texts, content, strict=True):
        if t not in seen:
            seen[t] = match(t, ln.words, extra)
        hits.append(seen[t])
    cased = [[w for w in raw if _cased(w[0])] for raw in raw_words]
    x[:, F["log_chars"]] = np.log1p(lens)
    chars = _char_counts(texts)
    x[:, F["punct_ratio"]] = chars[:, 3] / lens
    x[:, F["ends_sentence"]] = ends
    x[:, F["commas"]] = [min(sum(t.count(c) for c in _COMMAS), 5) / 5 for t in texts]
    x[:, F["title_ratio"]] = [sum([w[0].isupper() for w in c]) / max(1, len(c)) for c in cased]
    x[:, F["upper_start"]] = [t[:1].isupper() for t in texts]
    x[:, F["digit_ratio"]] = chars[:, 2] / lens
    x[:, F["links"]] = [min(len(_LINK.findall(t)), 3) / 3 for t in texts]
    x[:, F["context_long"]] = _window(long, 2)
    x[:, F["context_long_wide"]] = _window(long, 6)
    x[:, F["teaser_snippet"]] = [
        TEASER_SNIPPET.search(t) is not None and ln.words <= 40
        for t, ln in zip(texts, content, strict=True)
    ]
    x[:, F["repeated"]] = [k in repeated for k in keys]
    x[:, F["headline_case"]] = [_headline_case(c, stop) for c in cased]
    x[:, F["upper_ratio"]] = chars[:, 0] / np.maximum(1.0, chars[:, 1])
    x[:, F["sentences_log"]] = np.log1p([len(_SENTENCE.findall(t)) for t in texts])
    x[:, F["ends_colon"]] = [t.endswith((":", "：")) for t in texts]
    x[:, F["dup_on_page"]] = [key_counts[k] > 1 for k in keys]
    x[:, F["headline_prefix"]] = [
        min(_capitalized_function_words(raw, stop), 4) / 4 for raw in raw_words
    ]
    for i, pat in enumerate(hits):
        if pat is not None:
            x[i, F["pattern_any"]] = 1.0
            x[i, F[f"pattern_{pat.reason}"]] = 1.0
    x[:, F["patterns_near"]] = _window(x[:, F["pattern_any"]], 3)
    return x, hits


def _window(long: np.ndarray, w: int) -> np.ndarray:
    """Share of the (up to) ``w`` lines on each side of a line that are prose."""
    n = len(long)
    cum = np.concatenate([[0.0], np.cumsum(long)])
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - w), np.minimum(n, idx + w + 1)
    return (cum[hi] - cum[lo] - long) / np.maximum(1, hi - lo - 1)


def _headline_case(cased: list[str], stop: frozenset[str]) -> float:
    """Share of the function words after the first word that are written with a capital."""
    inner = [w for w in cased[1:] if w.lower() in stop]
    return sum(w[:1].isupper() for w in inner) / len(inner) if len(inner) >= 2 else 0.0


def _capitalized_function_words(words: list[str], stop: frozenset[str]) -> int:
    """Function words written with a capital in the line's leading run of capitalized words:
    "Customers Leave Without Paying At Troy" (a headline, maybe followed by its snippet) has
    two, while prose capitalizes only names and the first word."""
    count = 0
    for w in words[1:]:
        if not (w[:1].isupper() or w[:1].isdigit()):
            break
        if w.lower() in stop:
            count += 1
    return count
