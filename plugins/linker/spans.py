"""Mention boundaries: what of an NER span names the entity.

spaCy's English NER includes a leading "the" ("the Salk Institute"), a possessive ("Hollande
's"), quotes and trailing punctuation in its spans, and tags pronouns and bare titles ("He",
"President") as people. Entity-linking annotation (and a reader) takes the name alone, so spans
are trimmed to it, and spans that are no name are dropped.
"""

from __future__ import annotations

import re

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
_LEAD = re.compile(r"^(?:the\s+|[\"'“”‘’«»(\[{*_]+)")
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
    if not any(c.isalnum() for c in s):
        return None
    return start, end
