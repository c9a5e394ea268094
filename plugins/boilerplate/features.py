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
from typing import NamedTuple

import numpy as np
from textmill.plugins.boilerplate.language import count_words, page_language, stop_words, tokens
from textmill.plugins.boilerplate.layout import (
    blocks,
    headline,
    nearest_distance,
    paragraph_breaks,
    short_runs,
)
from textmill.plugins.boilerplate.patterns import PATTERNS, Pattern, match
from textmill.plugins.boilerplate.repeats import WORD, line_key

_LINK = re.compile(r"(https?://|www\.|\.com\b|\.org\b|@\w|#\w|\|)", re.IGNORECASE)
_END_CHARS = '.!?…"”’)]。！？」』）'
_END = re.compile(rf"[{re.escape(_END_CHARS)}]\s*$")
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
# 16: a word character (\w: alphanumeric or "_"); 32: a letter with two cases (see _cased).
_CLASSES[[cp for cp in range(0x10000) if chr(cp).isalnum() or cp == 0x5F]] |= 16


# Letters that have an upper and a lower case (of the basic plane; the others are asked).
_CASED_BMP = frozenset(chr(cp) for cp in range(0x10000) if chr(cp).lower() != chr(cp).upper())
_CLASSES[[ord(c) for c in _CASED_BMP]] |= 32
_CLASSES[[ord(c) for c in _COMMAS]] |= 64  # a comma or semicolon (Latin or CJK)


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


class Line(NamedTuple):  # a page has hundreds: a tuple is the cheapest to make
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
    such line's matching pattern.

    What depends on a line's text alone is computed once per distinct text of the page (a page
    repeats its furniture) and, where it can be, for all of them at once: character classes in
    one array, link and sentence marks found by one search of the page's text."""
    content = [ln for ln in lines if ln.text]
    n = len(content)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x, []
    texts = [ln.text for ln in content]
    stop = stop_words(page_language(texts))
    # The page's distinct texts (u) and, per content line, which of them it is.
    first_of: dict[str, int] = {}
    for k, t in enumerate(texts):
        first_of.setdefault(t, k)
    uniq = list(first_of)
    slot = {t: j for j, t in enumerate(uniq)}
    inv = np.fromiter((slot[t] for t in texts), dtype=np.int64, count=n)
    u_lines = [content[k] for k in first_of.values()]
    is_stop = stop.__contains__
    u_stops = np.array([sum(map(is_stop, ln.tokens)) for ln in u_lines], dtype=np.float64)
    u_ntok = np.array([max(1, len(ln.tokens)) for ln in u_lines], dtype=np.float64)
    stops, ntok = u_stops[inv], u_ntok[inv]
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
    u_ends = [t[-1] in _END_CHARS for t in uniq]  # texts are stripped: _END at the last character
    ends = [u_ends[j] for j in inv.tolist()]
    block, first = blocks(paragraph_breaks(blank_before, ends, (long > 0).tolist()))
    b_lines = np.bincount(block).astype(np.float64)
    b_words = np.bincount(block, weights=words)
    b_prose = np.bincount(block, weights=prose)
    u_keys = [line_key(t) for t in uniq]
    keys = [u_keys[j] for j in inv.tolist()]
    key_counts = Counter(keys)
    head = headline([ln.tokens for ln in content])
    words_before = np.concatenate([[0.0], np.cumsum(words)[:-1]])

    x[:, F["log_words"]] = np.log1p(words)
    x[:, F["stop_ratio"]] = stops / ntok
    x[:, F["stop_count_log"]] = np.log1p(stops)
    x[:, F["position"]] = np.arange(n) / max(1, n - 1)
    x[:, F["position_sq"]] = x[:, F["position"]] ** 2
    short = [0 < ln.words <= 4 and not e for ln, e in zip(content, ends, strict=True)]
    x[:, F["short_run_log"]] = np.log1p(short_runs(short))
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
    u = _text_features(uniq, [ln.words for ln in u_lines], stop, extra)
    hits = [u.hits[j] for j in inv.tolist()]
    x[:, F["log_chars"]] = np.log1p(u.lens)[inv]
    x[:, F["punct_ratio"]] = (u.chars[:, 3] / u.lens)[inv]
    x[:, F["ends_sentence"]] = ends
    x[:, F["commas"]] = u.commas[inv]
    x[:, F["title_ratio"]] = u.title_ratio[inv]
    x[:, F["upper_start"]] = u.upper_start[inv]
    x[:, F["digit_ratio"]] = (u.chars[:, 2] / u.lens)[inv]
    x[:, F["links"]] = u.links[inv]
    x[:, F["context_long"]] = _window(long, 2)
    x[:, F["context_long_wide"]] = _window(long, 6)
    x[:, F["teaser_snippet"]] = u.teaser[inv]
    x[:, F["repeated"]] = [k in repeated for k in keys]
    x[:, F["headline_case"]] = u.headline_case[inv]
    x[:, F["upper_ratio"]] = (u.chars[:, 0] / np.maximum(1.0, u.chars[:, 1]))[inv]
    x[:, F["sentences_log"]] = np.log1p(u.sentences)[inv]
    x[:, F["ends_colon"]] = [t.endswith((":", "：")) for t in texts]
    x[:, F["dup_on_page"]] = [key_counts[k] > 1 for k in keys]
    x[:, F["headline_prefix"]] = u.headline_prefix[inv]
    for i, pat in enumerate(hits):
        if pat is not None:
            x[i, F["pattern_any"]] = 1.0
            x[i, F[f"pattern_{pat.reason}"]] = 1.0
    x[:, F["patterns_near"]] = _window(x[:, F["pattern_any"]], 3)
    return x, hits


@dataclass(frozen=True)
class _TextFeatures:
    """What the line features take from each distinct text of a page, in the order given."""

    hits: list[Pattern | None]
    lens: np.ndarray
    chars: np.ndarray  # see _char_counts
    commas: np.ndarray
    title_ratio: np.ndarray
    upper_start: np.ndarray
    links: np.ndarray
    teaser: np.ndarray
    headline_case: np.ndarray
    headline_prefix: np.ndarray
    sentences: np.ndarray


def _text_features(
    texts: list[str], n_words: list[int], stop: frozenset[str], extra: tuple[Pattern, ...]
) -> _TextFeatures:
    """The per-text features of :func:`page_features` for distinct, stripped, non-empty texts."""
    m = len(texts)
    lens = np.array([len(t) for t in texts], dtype=np.float64)
    joined = "\n".join(texts)
    # Where each text starts in ``joined``; a match of a pattern that never spans a newline
    # belongs to the text it starts in, and finds what a search of that text alone finds.
    starts = np.concatenate([[0], np.cumsum(lens[:-1] + 1)]).astype(np.int64)

    def per_text(pattern: re.Pattern[str]) -> np.ndarray:
        at = [mt.start() for mt in pattern.finditer(joined)]
        owner = np.searchsorted(starts, np.asarray(at, dtype=np.int64), side="right") - 1
        return np.bincount(owner, minlength=m).astype(np.float64)

    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = _CLASSES[np.minimum(codes, 0x10000)]
    chars = np.stack(
        [np.add.reduceat((classes & bit) > 0, starts) for bit in (1, 2, 4, 8)], axis=1
    ).astype(np.float64)
    # Word starts (a \w character after one that is not, as \w+ tokens start), and of them the
    # cased ones (first letter has two cases) and those written with a capital.
    word = (classes & 16) > 0
    start = word & ~np.concatenate([[False], word[:-1]])
    cased = start & ((classes & 32) > 0)
    upper = cased & ((classes & 1) > 0)
    n_cased = np.add.reduceat(cased, starts).astype(np.float64)
    n_upper = np.add.reduceat(upper, starts).astype(np.float64)
    title_ratio = n_upper / np.maximum(1.0, n_cased)
    upper_start = (classes[starts] & 1) > 0
    # Capitals and digits opening a word after the text's first character: without them, no
    # word after the first is capitalized, and headline case and prefix are 0.
    capital = start & ((classes & 5) > 0)
    later = np.add.reduceat(capital, starts) - capital[starts]
    headline_case = np.zeros(m)
    headline_prefix = np.zeros(m)
    wide = np.add.reduceat(codes > 0xFFFF, starts) > 0
    for j in range(m):
        t = texts[j]
        if wide[j]:
            # Characters beyond the basic plane share one entry of the class table: ask str.
            raw = WORD.findall(t)
            c = [w for w in raw if _cased(w[0])]
            title_ratio[j] = sum([w[0].isupper() for w in c]) / max(1, len(c))
            upper_start[j] = t[:1].isupper()
            headline_case[j] = _headline_case(c, stop)
            headline_prefix[j] = min(_capitalized_function_words(raw, stop), 4) / 4
        elif later[j]:
            raw = WORD.findall(t)
            headline_case[j], headline_prefix[j] = _case_features(raw, stop)
    hits = [match(t, w, extra) for t, w in zip(texts, n_words, strict=True)]
    return _TextFeatures(
        hits=hits,
        lens=lens,
        chars=chars,
        commas=np.minimum(np.add.reduceat((classes & 64) > 0, starts), 5) / 5,
        title_ratio=title_ratio,
        upper_start=upper_start.astype(np.float64),
        links=np.minimum(per_text(_LINK), 3) / 3,
        teaser=np.array(
            [t.endswith(("...", "…")) and w <= 40 for t, w in zip(texts, n_words, strict=True)],
            dtype=np.float64,
        ),
        headline_case=headline_case,
        headline_prefix=headline_prefix,
        sentences=per_text(_SENTENCE),
    )


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


def _case_features(words: list[str], stop: frozenset[str]) -> tuple[float, float]:
    """:func:`_headline_case` of the line's cased words and its capitalized function words (of at
    most 4, as a share of 4), in one pass over its ``\\w+`` words."""
    inner = caps = 0
    first = True
    for w in words:
        c = w[0]
        if _cased(c):
            if first:
                first = False
            elif w.lower() in stop:
                inner += 1
                caps += c.isupper()
    return (caps / inner if inner >= 2 else 0.0), min(
        _capitalized_function_words(words, stop), 4
    ) / 4


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
