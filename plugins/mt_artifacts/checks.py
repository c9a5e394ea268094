"""All monolingual checks for one text, as findings with spans into it."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache
from typing import Any

from textmill import Finding, Span
from textmill.parse import Parsed, parse_text
from textmill.plugins.mt_artifacts import parsed as parse_checks
from textmill.plugins.mt_artifacts import surface

PARSES = ("entities", "sentences", "tags", "dependencies")
"""The annotations the parsed checks and the score read."""


@lru_cache(maxsize=4)
def own_parse(text: str) -> Parsed:
    """``text`` parsed for these checks outside a run (the checks and the score share it)."""
    return parse_text(text, PARSES)


def run_checks(
    text: str, *, mentions: list[dict] | None = None, parsed: Parsed | None = None
) -> list[Finding]:
    """Every check; ``mentions`` are the linker's mentions (with gender) when it ran;
    ``parsed`` is the shared parse of ``text`` (parsed here when not given)."""
    out: list[Finding] = []
    out += surface.punctuation(text)
    out += surface.lowercase_starts(text)
    out += surface.honorifics(text)
    out += surface.repeats(text)
    out += surface.garbage(text)
    out += surface.transliteration(text, mentions)
    out += parse_checks.headings(text)
    if parsed is None:
        parsed = own_parse(text)
    if parsed.statistical:
        # Piece by piece (a news article is one piece), each piece's findings moved to the text.
        ms = mentions or []
        many = bool(ms) and len(parsed.pieces) > 1
        order = sorted(range(len(ms)), key=lambda k: ms[k]["start"]) if many else []
        starts = [ms[k]["start"] for k in order] if many else []
        for piece in parsed.pieces:
            doc, off = piece.doc, piece.offset
            end = off + len(doc.text)
            if many:
                # Only the mentions starting in the piece can lie inside it: found by bisection,
                # so a long text's pieces do not each look at every mention.
                near = sorted(order[bisect_left(starts, off) : bisect_left(starts, end)])
                local = _local_mentions([ms[k] for k in near], off, end, shift=True)
            else:
                local = _local_mentions(mentions, off, end)
            found: list[Finding] = []
            found += parse_checks.pronoun_gender(doc, local)
            found += parse_checks.fragments(doc)
            found += parse_checks.proper_noun_articles(doc)
            found += parse_checks.comma_splices(doc)
            out += found if not off else [_shift(f, off) for f in found]
    return sorted(out, key=lambda f: (f.span.start if f.span else -1, f.code))


def _local_mentions(
    mentions: list[dict] | None, start: int, end: int, shift: bool = False
) -> list[dict[str, Any]] | None:
    """The mentions inside ``[start, end)``, in that piece's offsets (``shift``: as copies,
    even when they all are inside)."""
    if not mentions or (not shift and start == 0 and all(m["end"] <= end for m in mentions)):
        return mentions
    return [
        dict(m, start=m["start"] - start, end=m["end"] - start)
        for m in mentions
        if start <= m["start"] and m["end"] <= end
    ]


def _shift(f: Finding, off: int) -> Finding:
    return f if f.span is None else replace(f, span=Span(f.span.start + off, f.span.end + off))
