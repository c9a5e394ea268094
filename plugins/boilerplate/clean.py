"""From line scores and pattern hits to removal decisions and the cleaned text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from textmill.plugins.boilerplate.features import (
    _END,
    F,
    Line,
    is_short,
    page_features,
    split_lines,
)
from textmill.plugins.boilerplate.markup import vote_columns, votes
from textmill.plugins.boilerplate.model import HTML_WEIGHTS, Forest, load, predict
from textmill.plugins.boilerplate.patterns import REASONS, TEASER_SNIPPET, Pattern

ALL = frozenset(REASONS)
DEFAULT_AGGRESSIVENESS = 0.4
# The main block scores a line (p - BLOCK_CENTER × aggressiveness) × words, counting a line as at
# least BLOCK_MIN_WORDS words: a lower bar than the one for keeping a line, so one weak line
# inside the article does not split it, while a run of menu entries still does.
BLOCK_CENTER = 0.75
BLOCK_MIN_WORDS = 3.0
# Nor does the block cross MAX_GAP weak lines in a row: an article's own captions, ads and
# share buttons interrupt it for a few lines, while comments or other stories below it follow
# a longer stretch of page furniture.
MAX_GAP = 20
# The block starts at the page's headline when at least HEADLINE_ARTICLE_WORDS words after it
# look like article text (the body follows its headline), and is then the first stretch after
# the headline scoring FIRST_SEGMENT or more, not whichever stretch of prose is longest.
HEADLINE_ARTICLE_WORDS = 30.0
FIRST_SEGMENT = 15.0
KEEP_OUTSIDE = 0.95  # a line this sure to be article text stays even outside the main block
TITLE_MAX_WORDS = 60  # a first line directly above the kept body is its title up to this length
FALLBACK_WORDS = 10  # fewer kept words than this (besides the title): keep the best block anyway


@dataclass(frozen=True)
class Decision:
    start: int
    end: int
    reason: str
    confidence: float
    applied: bool


@lru_cache(maxsize=64)
def compile_extra(patterns: tuple[str, ...]) -> tuple[Pattern, ...]:
    try:
        return tuple(Pattern("banner", re.compile(p, re.IGNORECASE), 0.99) for p in patterns)
    except re.error as exc:
        raise ValueError(f"boilerplate extra_patterns: invalid regular expression ({exc})") from exc


def _headline_like(line: Line) -> bool:
    return 0 < line.words <= 25 and not line.text.endswith((".", ",", ";", ":"))


def _title_over_body(
    content: list[Line], verdict: list[tuple[str, float] | None], hits: list[Pattern | None]
) -> bool:
    """The first line sits directly above kept article text and no pattern names it: the
    document's own headline, however long (machine-translated headlines run to 50 words)."""
    return (
        len(content) > 1
        and verdict[1] is None
        and hits[0] is None
        and content[0].words <= TITLE_MAX_WORDS
        and not content[0].text.endswith((",", ";", ":"))
    )


# Between a page's headline and its site's name in its <title>: "Headline | Site".
_TITLE_SEP = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022/]{1,2}\s+")


def _folded(text: str) -> str:
    """``text`` as titles are compared: lower-cased, its words one space apart."""
    return " ".join(text.lower().split())


def _title_forms(title: str) -> set[str]:
    """The page title and its longest part between separators (the headline, not the site's
    name), lower-cased, when at least 3 words."""
    parts = [title, max(_TITLE_SEP.split(title), key=len)]
    return {_folded(t) for t in parts if len(t.split()) >= 3}


def _headline_of_title(
    content: list[Line], verdict: list[tuple[str, float] | None], title: str
) -> int | None:
    """The line below the first that is the page's ``<title>`` (or its headline part), kept
    already or removed only as weak or outside the main block, with kept article text within
    the next three lines (a byline and a standfirst may come first): the article's headline on
    a page read from HTML, whose first line is the ``<title>`` itself (site name and all)."""
    forms = _title_forms(title)
    for k in range(1, len(content) if forms else 0):
        v = verdict[k]
        if _folded(content[k].text) not in forms:
            continue
        if (v is None or v[0] in ("low-content", "outside")) and any(
            verdict[j] is None for j in range(k + 1, min(k + 4, len(content)))
        ):
            return k
    return None


def classify(
    lines: list[Line],
    *,
    aggressiveness: float = DEFAULT_AGGRESSIVENESS,
    keep_title: bool = True,
    repeated: frozenset[int] = frozenset(),
    extra: tuple[Pattern, ...] = (),
    weights: Forest | None = None,
    main_block: bool = True,
    markup: np.ndarray | None = None,
    html_weights: Forest | None = None,
    title: str = "",
) -> list[tuple[str, float] | None]:
    """Per line: ``(reason, confidence)`` when it is boilerplate, else ``None`` (blank: None)."""
    content_idx = [i for i, ln in enumerate(lines) if ln.text]
    content = [lines[i] for i in content_idx]
    n = len(content)
    if not n:
        return [None] * len(lines)
    x, hits = page_features(lines, repeated, extra)
    if markup is None:
        p = predict(x, weights)
    else:
        # The page structure's vote per line and its neighbours' (see .markup) are three more
        # features, of the trees trained on pages read from HTML.
        vote = markup[content_idx]
        p = predict(np.hstack([x, vote_columns(vote)]), html_weights or load(str(HTML_WEIGHTS)))
    verdict: list[tuple[str, float] | None] = [None] * n
    for k, ln in enumerate(content):
        pat = hits[k]
        pa = float(p[k])
        if pat is not None and (pat.confidence >= 0.85 or pa < 0.5):
            verdict[k] = (pat.reason, max(pat.confidence, 1 - pa))
        elif (
            TEASER_SNIPPET.search(ln.text)
            and ln.words <= 40
            and (pa < 0.7 or _teaser_run(content, k))
        ):
            verdict[k] = ("teaser", max(0.7, 1 - pa))
        elif x[k, F["repeated"]] and pa < 0.8:
            verdict[k] = ("repeated", max(0.8, 1 - pa))
        elif is_short(ln) and x[k, F["short_run_log"]] >= 1.6 and pa < 0.8:  # a run of 4+
            verdict[k] = ("navigation", max(0.7, 1 - pa))
        elif pa < aggressiveness:
            verdict[k] = ("low-content", 1 - pa)
    center = BLOCK_CENTER * aggressiveness
    weight = np.maximum(np.array([ln.words for ln in content], dtype=np.float64), BLOCK_MIN_WORDS)
    if main_block:
        start, first_ok = 0, 0.0
        heads = np.flatnonzero(x[:, F["is_headline"]])
        if len(heads):
            h = int(heads[0])
            if weight[h + 1 :][p[h + 1 :] >= center].sum() >= HEADLINE_ARTICLE_WORDS:
                start, first_ok = h, FIRST_SEGMENT
        lo, hi = _main_block(p[start:], weight[start:], center, MAX_GAP, first_ok)
        lo, hi = lo + start, hi + start
        for k in range(n):
            if verdict[k] is None and not lo <= k <= hi and p[k] < KEEP_OUTSIDE:
                verdict[k] = ("outside", max(0.6, 1 - float(p[k])))
    kept = sum(content[k].words for k in range(1, n) if verdict[k] is None)
    if n > 1 and kept < FALLBACK_WORDS:
        # Next to nothing survived, yet the page holds an article: keep the block that is most
        # article-like relative to the rest of the page.
        rel = min(center, 0.5 * float(p[1:].max()))
        lo, hi = _main_block(p, weight, rel)
        for k in range(max(1, lo), hi + 1):
            v = verdict[k]
            if p[k] >= rel and (v is None or v[0] in ("low-content", "outside", "navigation")):
                verdict[k] = None
    # A headline directly above a teaser snippet belongs to the teaser.
    for k in range(1, n):
        prev, cur = verdict[k - 1], verdict[k]
        if (
            cur is not None
            and cur[0] == "teaser"
            and (prev is None or prev[0] == "low-content")
            and _headline_like(content[k - 1])
        ):
            verdict[k - 1] = ("teaser", cur[1])
    first = verdict[0]
    head = _headline_of_title(content, verdict, title) if keep_title and title else None
    if head is not None:
        verdict[head] = None  # and the <title> line above it is not kept for a title
    if (
        keep_title
        and head is None
        and first is not None
        and content[0].words >= 3
        and (
            (first[0] == "low-content" and _headline_like(content[0]))
            or (first[0] in ("low-content", "outside") and _title_over_body(content, verdict, hits))
        )
    ):
        verdict[0] = None
    if title and _folded(content[0].text) == _folded(title):
        # A page read from HTML starts with its <title> ("Headline | Site"), which is not part
        # of the page's body: it is the document's title already.
        verdict[0] = ("page-title", 1.0)
    # The title's standfirst: a sentence-long line between a kept title and the kept body (below
    # an HTML page's headline, after the short lines of a byline and date, if any).
    t = head if head is not None else 0
    if keep_title and verdict[t] is None:
        j = t + 1
        while (
            head is not None
            and j < min(n, t + 3)
            and verdict[j] is not None
            and content[j].words < 8
        ):
            j += 1
        v = verdict[j] if j + 1 < n else None
        if (
            v is not None
            and v[0] in ("low-content", "outside")
            and 8 <= content[j].words <= 40
            and verdict[j + 1] is None
        ):
            verdict[j] = None
    out: list[tuple[str, float] | None] = [None] * len(lines)
    for k, i in enumerate(content_idx):
        out[i] = verdict[k]
    return out


def _main_block(
    p: np.ndarray, words: np.ndarray, center: float, max_gap: int = 1_000_000, first: float = 0.0
) -> tuple[int, int]:
    """The contiguous run of lines with the most article evidence (maximum-sum subarray of
    ``(p - center) * words``) that does not cross ``max_gap`` or more weak lines in a row (``p``
    below ``center``): the article body is one block, and page furniture sits around it."""
    n = len(p)
    segments, seg_start, i = [], 0, 0
    while i < n:
        if p[i] >= center:
            i += 1
            continue
        j = i
        while j < n and p[j] < center:
            j += 1
        if j - i >= max_gap:
            if i > seg_start:
                segments.append((seg_start, i))
            seg_start = j
        i = j
    if seg_start < n:
        segments.append((seg_start, n))
    best, lo, hi = float("-inf"), 0, -1
    for a, b in segments or [(0, n)]:
        score, s_lo, s_hi = _max_sum(p[a:b], words[a:b], center)
        if first and score >= first:
            return a + s_lo, a + s_hi
        if score > best:
            best, lo, hi = score, a + s_lo, a + s_hi
    return lo, hi


def _max_sum(p: np.ndarray, words: np.ndarray, center: float) -> tuple[float, int, int]:
    best, cur, start, lo, hi = float("-inf"), 0.0, 0, 0, -1
    for i, (pi, w) in enumerate(zip(p, words, strict=True)):
        v = (float(pi) - center) * w
        if cur <= 0:
            cur, start = v, i
        else:
            cur += v
        if cur > best:
            best, lo, hi = cur, start, i
    return best, lo, hi


def _teaser_run(content: list[Line], k: int) -> bool:
    """Two or more snippet lines ending in an ellipsis close together: a related-articles list."""
    near = content[max(0, k - 4) : k + 5]
    return sum(1 for ln in near if TEASER_SNIPPET.search(ln.text)) >= 2


def clean_page(
    text: str,
    *,
    aggressiveness: float = DEFAULT_AGGRESSIVENESS,
    keep_title: bool = True,
    reasons: frozenset[str] = ALL,
    flag_only: frozenset[str] = frozenset(),
    repeated: frozenset[int] = frozenset(),
    extra: tuple[Pattern, ...] = (),
    weights: Forest | None = None,
    main_block: bool = True,
    extracted: str | None = None,
    html_weights: Forest | None = None,
    title: str = "",
) -> tuple[list[Decision], str, tuple[int, int] | None]:
    """Decisions (spans in ``text``), the cleaned text, and the truncated tail's span in it.
    ``title`` is the page's ``<title>`` for a page read from HTML (see :func:`classify`'s
    headline rule)."""
    lines = split_lines(text)
    markup = votes(lines, extracted) if extracted is not None else None
    verdicts = classify(
        lines,
        aggressiveness=aggressiveness,
        keep_title=keep_title,
        repeated=repeated,
        extra=extra,
        weights=weights,
        main_block=main_block,
        markup=markup,
        html_weights=html_weights,
        title=title,
    )
    decisions: list[Decision] = []
    removed = [False] * len(lines)
    for i, (ln, v) in enumerate(zip(lines, verdicts, strict=True)):
        if v is None or v[0] not in reasons:
            continue
        applied = v[0] not in flag_only
        removed[i] = applied
        end = ln.end + 1 if i < len(lines) - 1 else ln.end
        decisions.append(Decision(ln.start, end, v[0], v[1], applied))
    # Blank lines left without text on one side, or doubled, go too.
    kept_any = False
    prev_blank = False
    last_content = max((i for i, ln in enumerate(lines) if ln.text and not removed[i]), default=-1)
    for i, ln in enumerate(lines):
        if removed[i]:
            continue
        if ln.text:
            kept_any, prev_blank = True, False
            continue
        if not kept_any or prev_blank or i > last_content:
            removed[i] = True
            end = ln.end + 1 if i < len(lines) - 1 else ln.end
            if ln.start < end:
                decisions.append(Decision(ln.start, end, "whitespace", 1.0, True))
        else:
            prev_blank = True
    decisions.sort(key=lambda d: d.start)
    out = _apply(text, [d for d in decisions if d.applied])
    truncated = _truncated_tail(out)
    return decisions, out, truncated


def _apply(text: str, decisions: list[Decision]) -> str:
    parts, pos = [], 0
    for d in decisions:
        if d.start < pos:
            continue
        parts.append(text[pos : d.start])
        pos = d.end
    parts.append(text[pos:])
    return "".join(parts)


def _truncated_tail(text: str) -> tuple[int, int] | None:
    body = text.rstrip()
    if not body:
        return None
    start = body.rfind("\n") + 1
    last = body[start:]
    if len(last.split()) >= 8 and not _END.search(last) and not last.endswith((":", ";")):
        return (start, len(body))
    return None
