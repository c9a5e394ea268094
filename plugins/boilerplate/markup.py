"""What the page's markup says about each line, for documents read from HTML.

trafilatura reads the page's structure (block tags, link density, headings, ``<nav>``,
``<footer>`` and ``<aside>``, class and id names) and decides which of its blocks are the main
content. That decision is one vote per line here: the document's text is html-text's rendering
of the page (see :mod:`textmill.html_page`), so trafilatura's kept text is mapped back onto those
lines, exactly where a line's text appears in it, else by fuzzy matching (rapidfuzz) for lines
whose whitespace or punctuation the two renderings set differently. The classifier then weighs
that vote with its own line model and the lines repeated across the corpus.
"""

from __future__ import annotations

import re

import numpy as np
from textmill.plugins.boilerplate.features import Line

_SPACE = re.compile(r"\s+")
FUZZY_CUTOFF = 90.0  # rapidfuzz partial_ratio at or above this: the line is in the extraction
FUZZY_MIN_CHARS = 20  # shorter lines must be a line of the extraction
FUZZY_LINE_CHARS = 60  # shorter ones must appear in it verbatim


def extract(html: str) -> str | None:
    """trafilatura's main-content text of ``html`` (tables kept and comments kept out, as an
    article's body), or ``None`` when trafilatura is not installed or finds nothing."""
    try:
        import trafilatura
    except ImportError:
        return None
    try:
        # fast: trafilatura's own extraction without its readability/jusText fallback, which
        # on the cleaning set's pages is both faster and closer to the article.
        out = trafilatura.extract(
            html, include_comments=False, include_tables=True, deduplicate=False, fast=True
        )
    except (ValueError, TypeError):  # markup lxml cannot parse
        return None
    return out or None


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def votes(lines: list[Line], extracted: str) -> np.ndarray:
    """Per line of ``lines``: 1.0 when its text is part of ``extracted``, else 0.0 (blank: 0).

    Lines are matched in page order, each stretch of the extraction once: a headline or caption
    that the page repeats in its menus counts where the extraction has it, not everywhere."""
    from rapidfuzz import fuzz

    body = "\n" + "\n".join(_norm(t) for t in extracted.split("\n") if t.strip()) + "\n"
    out = np.zeros(len(lines), dtype=np.float64)
    pos = 0
    used: set[int] = set()
    for i, ln in enumerate(lines):
        if not ln.text:
            continue
        t = _norm(ln.text)
        # Short lines must be a whole line of the extraction; longer ones may be part of one.
        needle = t if len(t) >= FUZZY_MIN_CHARS else f"\n{t}\n"
        at = body.find(needle, pos)
        if at >= 0:
            out[i] = 1.0
            used.add(at)
            pos = at + len(needle) - (0 if len(t) >= FUZZY_MIN_CHARS else 1)
            continue
        at = body.find(needle)  # the extraction moved it (a caption, a standfirst)
        while at >= 0 and at in used:
            at = body.find(needle, at + 1)
        if at >= 0:
            out[i] = 1.0
            used.add(at)
        elif (
            len(t) >= FUZZY_LINE_CHARS
            and fuzz.partial_ratio(t, body, score_cutoff=FUZZY_CUTOFF) >= FUZZY_CUTOFF
        ):
            out[i] = 1.0
    return out
