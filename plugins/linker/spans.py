"""Mention boundaries: what of an NER span names the entity.

spaCy's English NER includes a leading "the" ("the Salk Institute"), a possessive ("Hollande
's"), quotes and trailing punctuation in its spans, and tags pronouns and bare titles ("He",
"President") as people. Entity-linking annotation (and a reader) takes the name alone, so spans
are trimmed to it, and spans that are no name are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Callable

_PRONOUNS = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "ours",
        "you",
        "your",
        "yours",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "it",
        "its",
        "they",
        "them",
        "their",
        "theirs",
        "who",
        "whom",
        "whose",
        "this",
        "that",
        "these",
        "those",
    ]
)
# Words that are a title or role, not a name, when they make up the whole span.
_ROLES = frozenset(
    [
        "president",
        "vice",
        "prime",
        "minister",
        "secretary",
        "chancellor",
        "senator",
        "sen",
        "rep",
        "governor",
        "gov",
        "mayor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "sheik",
        "sheikh",
        "lord",
        "lady",
        "sir",
        "dame",
        "professor",
        "prof",
        "associate",
        "assistant",
        "director",
        "chairman",
        "chairwoman",
        "chair",
        "chief",
        "judge",
        "justice",
        "general",
        "gen",
        "colonel",
        "col",
        "captain",
        "capt",
        "lieutenant",
        "sergeant",
        "commander",
        "officer",
        "minister",
        "ambassador",
        "spokesman",
        "spokeswoman",
        "mr",
        "mrs",
        "ms",
        "dr",
        "doctor",
        "reverend",
        "rev",
        "father",
        "bishop",
        "cardinal",
        "archbishop",
        "saint",
        "st",
        "coach",
        "frenchman",
        "englishman",
        "dean",
        "premier",
        "emperor",
        "empress",
    ]
)
# Quotes, brackets and list bullets ("• Wireless") before a name are not part of it.
_LEAD = re.compile(r"^(?:the\s+|[\"'“”‘’«»(\[{*_•·▪◦‣►■□●○\-–—]+\s*)")
_TRAIL = re.compile(r"(?:\s*[’'`]s|(?<=s)[’'])$|[\s\"'“”‘’«»)\]}*_,;:!?\-–—\ufeff]+$")


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside ``text[start:end]``, or ``None`` when the span holds none."""
    while True:
        s = text[start:end]
        m = _LEAD.match(s)
        if m and m.end() < len(s):
            start += m.end()
            continue
        m = _TRAIL.search(s)
        if m and m.start() > 0:
            end = start + m.start()
            continue
        break
    s = text[start:end]
    words = s.casefold().replace(".", " ").split()
    if not words or s.startswith(("http", "www.")):
        return None
    if len(words) == 1 and (words[0] in _PRONOUNS or words[0] in _ROLES):
        return None
    # One letter ("N" of "N' Sync", an initial) names nothing on its own.
    if sum(c.isalnum() for c in s) < 2:
        return None
    return start, end


class _Taken:
    """Non-overlapping spans, sorted, asked whether a new span overlaps one of them."""

    def __init__(self, spans: list[tuple[int, int, str]]):
        self.spans = sorted((a, b) for a, b, _ in spans)

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect_left(self.spans, (a, b))
        before = self.spans[i - 1] if i else None
        after = self.spans[i] if i < len(self.spans) else None
        return bool((before and before[1] > a) or (after and after[0] < b))

    def add(self, a: int, b: int) -> None:
        insort(self.spans, (a, b))


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”]\s*|\n\s*)$")


def repeated_names(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Names the NER tagged somewhere in ``text`` and missed elsewhere in it: every other
    occurrence of a found name, of a person's surname ("Walters" after "Barbara Walters") and
    of an organization's last word ("Heat" after "Miami Heat"), outside the spans already found.
    ``found``: trimmed ``(start, end, label)`` spans.

    A one-word name the NER found alone is left alone at the start of a sentence, where any
    word is capitalized; a surname is not ("Walters said")."""
    names: dict[str, str] = {}
    anywhere: set[str] = set()
    for a, b, label in found:
        s = text[a:b]
        words = s.split()
        if len(s) >= 3 and s[:1].isupper():
            names.setdefault(s, label)
            if len(words) >= 2:
                anywhere.add(s)
        if label == "PERSON" and len(words) >= 2:
            last = words[-1]
            if len(last) >= 3 and last[:1].isupper() and last.isalpha():
                names[last] = label
                anywhere.add(last)
        elif label == "ORG" and len(words) >= 2:
            last = words[-1]
            if len(last) >= 4 and last[:1].isupper() and last[1:].islower() and last.isalpha():
                names.setdefault(last, label)
    taken = _Taken(found)
    out = []
    # Longest first, so "Pat Riley" is taken whole before "Riley" is looked for.
    for name, label in sorted(names.items(), key=lambda n: -len(n[0])):
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            before = text[at - 1] if at else " "
            after = text[end] if end < len(text) else " "
            if (
                not (before.isalnum() or before in ".-_")
                and not (after.isalnum() or after in "-_")
                and not taken.overlaps(at, end)
                and (name in anywhere or not _SENTENCE_START.search(text, max(0, at - 8), at))
            ):
                out.append((at, end, label))
                taken.add(at, end)
            at = text.find(name, end)
    return out


# A capitalized word standing alone: not part of a run of capitalized words.
_LONE_CAPITALIZED = re.compile(r"(?<![\w.'’-])[A-Z][a-z]{2,}(?![\w'’-])(?!\s+[A-Z])")
_CAPITALIZED_BEFORE = re.compile(r"(?:^|\s)[A-Z][\w'’.-]*\s+$")


def lone_names(
    text: str, found: list[tuple[int, int, str]], is_name: Callable[[str], bool]
) -> list[tuple[int, int, str]]:
    """Capitalized words the NER left untagged that ``is_name`` takes for a person's name
    ("Hendrix", "Baez"), outside the spans found and not next to another capitalized word
    (the start of a sentence is no bar: a word this rare is a name there too)."""
    taken = _Taken(found)
    out = []
    for m in _LONE_CAPITALIZED.finditer(text):
        a, b = m.span()
        if taken.overlaps(a, b) or _CAPITALIZED_BEFORE.search(text, max(0, a - 30), a):
            continue
        if is_name(m.group()):
            out.append((a, b, "PERSON"))
    return out
