"""What the page's markup says about each line, for documents read from HTML.

trafilatura reads the page's structure (block tags, link density, headings, ``<nav>``,
``<footer>`` and ``<aside>``, class and id names) and decides which of its blocks are the main
content. That decision is one vote per line here: the document's text is html-text's rendering
of the page (see :mod:`textmill.html_page`), so trafilatura's kept text is mapped back onto those
lines, exactly where a line's text appears in it, else by fuzzy matching (rapidfuzz) for lines
whose whitespace or punctuation the two renderings set differently. The vote, with the share of
kept lines just before and after, is then three more features of the line model trained on pages
read from HTML (``weights-html.json``, see :func:`vote_columns`), beside the lines repeated
across the corpus.
"""

from __future__ import annotations

import bisect
import re
from typing import Literal, get_args

import numpy as np
from textmill.plugins.boilerplate.features import Line

_WORD = re.compile(r"\w+")
FUZZY_CUTOFF = 90.0  # rapidfuzz partial_ratio at or above this: the line is in the extraction
FUZZY_MIN_CHARS = 20  # shorter lines must be a line of the extraction
FUZZY_LINE_CHARS = 60  # shorter ones must appear in it verbatim
# Longer lines than this are matched by their word triples instead: at least SHINGLE_SHARE of
# them in the extraction (partial_ratio's cost grows with the square of the line's length).
LONG_LINE_CHARS = 300
SHINGLE_SHARE = 0.85


Extractor = Literal["trafilatura", "resiliparse"]  # whose main-content decision is the vote
EXTRACTORS: tuple[Extractor, ...] = get_args(Extractor)


def extract(html: str, extractor: Extractor = "trafilatura") -> str | None:
    """The main-content text of ``html`` by ``extractor`` (see :data:`EXTRACTORS`), or ``None``
    when the extractor is not installed or finds nothing."""
    if extractor == "resiliparse":
        return _resiliparse(html)
    return _trafilatura(html)


def _resiliparse(html: str) -> str | None:
    """resiliparse's main-content text of ``html``: its DOM rules (``main_content``) drop
    navigation, headers, footers, sidebars and the elements whose class or id names them, in
    C, at about a fifth of trafilatura's cost."""
    try:
        from resiliparse.extract.html2text import extract_plain_text
    except ImportError:
        return None
    try:
        out = extract_plain_text(
            html,
            main_content=True,
            alt_texts=False,
            links=False,
            list_bullets=False,
            preserve_formatting=True,
            comments=False,
            post_meta=False,
        )
    except (TypeError, ValueError):  # text it cannot take (a lone surrogate)
        return None
    return out or None


def _trafilatura(html: str) -> str | None:
    """trafilatura's main-content text of ``html`` (tables kept and comments kept out, as an
    article's body), or ``None`` when trafilatura is not installed or finds nothing."""
    try:
        import trafilatura
    except ImportError:
        return None
    from textmill.html_page import parse

    try:
        # The page parsed as the reader parses it, with C-level element classes (html_page.parse).
        # fast: trafilatura's own extraction without its readability/jusText fallback, which
        # on the cleaning set's pages is both faster and closer to the article.
        # favor_precision: the line model already keeps what reads as article text; the vote
        # is there to say which of it the page's structure sets apart as furniture, and
        # trafilatura's precision mode, which prunes more of it, does not look for more text
        # on pages where it found little (no baseline rescue, no recall retry).
        out = trafilatura.extract(
            parse(html),
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            fast=True,
            favor_precision=True,
        )
    except (ValueError, TypeError):  # markup lxml cannot parse
        return None
    return out or None


# The trees' columns for the vote: a line's own, and the share of kept lines among the
# VOTE_WINDOW lines before it and after it. A line the extractor dropped between kept ones (an
# embedded post, a list item, a table's row) reads differently from one in a dropped stretch.
VOTE_FEATURES = ("markup_vote", "vote_before", "vote_after")
VOTE_WINDOW = 3


def vote_columns(vote: np.ndarray) -> np.ndarray:
    """The :data:`VOTE_FEATURES` of a page's text lines (blank lines left out), from their
    votes."""
    n = len(vote)
    total = np.concatenate([[0.0], np.cumsum(vote)])
    at = np.arange(n)
    lo = np.maximum(at - VOTE_WINDOW, 0)
    hi = np.minimum(at + VOTE_WINDOW + 1, n)
    before = (total[at] - total[lo]) / np.maximum(at - lo, 1)
    after = (total[hi] - total[at + 1]) / np.maximum(hi - at - 1, 1)
    return np.column_stack([vote, before, after])


def _norm(text: str) -> str:
    """A line as it is compared: its words, lower-cased, one space apart, without the ``|``
    between table cells (trafilatura writes a table row as ``| a | b |``, html-text as
    ``a b``)."""
    return " ".join(w for w in text.split() if w != "|").lower()


def votes(lines: list[Line], extracted: str) -> np.ndarray:
    """Per line of ``lines``: 1.0 when its text is part of ``extracted``, else 0.0 (blank: 0).

    Lines are matched in page order, each stretch of the extraction once: a headline or caption
    that the page repeats in its menus counts where the extraction has it, not everywhere."""
    parts = [_norm(t) for t in extracted.split("\n") if t.strip()]
    body = "\n" + "\n".join(parts) + "\n"
    # Where each line of the extraction starts in ``body`` (the newline before it): a short
    # line must be a whole line of it, so it is looked up here rather than searched for.
    starts: dict[str, list[int]] = {}
    offset = 0
    for part in parts:
        starts.setdefault(part, []).append(offset)
        offset += len(part) + 1
    fuzzy = _Fuzzy(parts, body)
    out = np.zeros(len(lines), dtype=np.float64)
    pos = 0
    used: set[int] = set()
    for i, ln in enumerate(lines):
        if not ln.text:
            continue
        t = _norm(ln.text)
        if len(t) < FUZZY_MIN_CHARS:
            found = starts.get(t, [])
            k = bisect.bisect_left(found, pos)
            if k < len(found):  # the first time it is there from where the last match ended
                out[i] = 1.0
                used.add(found[k])
                pos = found[k] + len(t) + 1
                continue
            # The extraction moved it (a caption, a standfirst): its first place not yet used.
            at = next((a for a in found if a not in used), -1)
        else:
            at = body.find(t, pos)
            if at >= 0:
                out[i] = 1.0
                used.add(at)
                pos = at + len(t)
                continue
            end = pos + len(t) - 1  # it is not at pos or after: look before
            at = body.find(t, 0, end)
            while at >= 0 and at in used:
                at = body.find(t, at + 1, end)
        if at >= 0:
            out[i] = 1.0
            used.add(at)
        elif len(t) >= FUZZY_LINE_CHARS and fuzzy.matches(t):
            out[i] = 1.0
    return out


class _Fuzzy:
    """Whether a line is nearly a stretch of the extraction: rapidfuzz's ``partial_ratio`` of
    the line against the extraction, at or above :data:`FUZZY_CUTOFF`.

    The line is compared with the parts of the extraction where its words are (the lines that
    hold a quarter of its words, or half of theirs, with a line either side) rather than with
    the whole of it, and not at all when most of its words are missing from the extraction: a
    stretch that close to the line holds its words, and the comparison costs the length of what
    it is compared with."""

    def __init__(self, parts: list[str], body: str) -> None:
        self.parts, self.body = parts, body
        self._index: dict[str, list[int]] | None = None
        self._sizes: list[int] = []
        self._shingles: set[tuple[str, ...]] | None = None

    def _triples(self) -> set[tuple[str, ...]]:
        if self._shingles is None:
            words = _WORD.findall(self.body)
            self._shingles = set(zip(words, words[1:], words[2:], strict=False))
        return self._shingles

    def _words(self) -> dict[str, list[int]]:
        if self._index is None:
            self._index = {}
            for j, part in enumerate(self.parts):
                words = set(_WORD.findall(part))
                self._sizes.append(len(words))
                for w in words:
                    self._index.setdefault(w, []).append(j)
        return self._index

    def matches(self, t: str) -> bool:
        from rapidfuzz import fuzz

        if len(t) > LONG_LINE_CHARS:
            seq = _WORD.findall(t)
            triples = list(zip(seq, seq[1:], seq[2:], strict=False))
            known = self._triples()
            found = sum(tr in known for tr in triples)
            return bool(triples) and found >= SHINGLE_SHARE * len(triples)
        if len(self.body) <= 2 * len(t):  # small enough to compare with whole
            return fuzz.partial_ratio(t, self.body, score_cutoff=FUZZY_CUTOFF) >= FUZZY_CUTOFF
        index = self._words()
        words = set(_WORD.findall(t))
        if 2 * len(words & index.keys()) < len(words):  # most of its words are not there
            return False
        hits: dict[int, int] = {}
        for w in words:
            for j in index.get(w, ()):
                hits[j] = hits.get(j, 0) + 1
        near = sorted(j for j, h in hits.items() if 4 * h >= len(words) or 2 * h >= self._sizes[j])
        n = len(self.parts)
        spans: list[list[int]] = []
        for j in near:
            lo, hi = max(0, j - 1), min(n - 1, j + 1)
            if spans and lo <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], hi)
            else:
                spans.append([lo, hi])
        for lo, hi in spans:
            # At least as long as the line, so that partial_ratio slides the line along it.
            size = sum(len(p) + 1 for p in self.parts[lo : hi + 1])
            while size <= len(t) and (lo > 0 or hi < n - 1):
                if lo > 0:
                    lo -= 1
                    size += len(self.parts[lo]) + 1
                if hi < n - 1:
                    hi += 1
                    size += len(self.parts[hi]) + 1
            hay = "\n" + "\n".join(self.parts[lo : hi + 1]) + "\n"
            if fuzz.partial_ratio(t, hay, score_cutoff=FUZZY_CUTOFF) >= FUZZY_CUTOFF:
                return True
        return False
