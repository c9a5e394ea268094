"""Mention boundaries: what of an NER span names the entity.

spaCy's English NER includes a leading "the" ("the Salk Institute"), a possessive ("Hollande
's"), quotes and trailing punctuation in its spans, and tags pronouns and bare titles ("He",
"President") as people. Entity-linking annotation (and a reader) takes the name alone, so spans
are trimmed to it, and spans that are no name are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
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
# Articles and determiners ("an International Finance Facility", "its Kyiv office"), quotes,
# brackets and list bullets ("• Wireless") before a name are not part of it. Capitalized "The"
# is left: it begins names ("The Times").
_LEAD = re.compile(
    r"^(?:(?:the|a|an|this|that|these|those|its|his|her|their|our|my|your|another)\s+"
    r"|[\"'“”‘’«»(\[{*_•·▪◦‣►■□●○\-–—]+\s*)"
)
_TRAIL = re.compile(r"(?:\s*[’'`]s|(?<=s)[’'])$|[\s\"'“”‘’«»)\]}*_,;:!?\-–—\ufeff]+$")


# A titled person's possessive before a name: "Mr Brown's International Finance Facility".
_TITLED_POSSESSIVE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Sir)\.?\s+[A-Z][\w-]+([’']s\s+)(?=[A-Z])")


def split_possessive(text: str, start: int, end: int, label: str) -> list[tuple[int, int, str]]:
    """A span holding a titled person's possessive and a name, as the two names it holds."""
    m = _TITLED_POSSESSIVE.match(text, start, end)
    if m is None:
        return [(start, end, label)]
    return [(start, m.start(1), "PERSON"), (m.end(1), end, label)]


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
        cut = _balance(text[start:end])
        if cut is None:
            break
        start, end = start + cut[0], start + cut[1]
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


def _balance(s: str) -> tuple[int, int] | None:
    """Where to cut ``s`` so its brackets balance, or ``None`` when they do: an unclosed
    bracket and what follows it go ("Group of Eight (G8"), and an unopened one and what
    precedes it ("G8) summit")."""
    depth = 0
    for i, c in enumerate(s):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                rest = s[i + 1 :]
                return i + 1 + len(rest) - len(rest.lstrip()), len(s)
    if depth == 0:
        return None
    at = max(s.rfind(c) for c in "([{")
    return 0, len(s[:at].rstrip())


# A dateline before a story's first words: a place in capitals ("WASHINGTON —"), or a place
# with a date or a news agency ("Kyiv, March 17 -", "LONDON (Reuters) -"), at the start of a
# line and followed by a dash.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][\w.'’-]*(?:[ ][A-Z][\w.'’-]*){0,3})"
    r"(?:,[ ]+(?P<region>[A-Z][\w.]*(?:[ ][A-Z][\w.]*)?))?"
    rf"(?:,?[ ]+(?P<date>{_MONTH}[ ]+\d{{1,2}}(?:,[ ]+\d{{4}})?))?"
    r"(?:[ ]*\((?P<agency>[A-Z][\w .&-]{1,30})\))?"
    r"[ ]*(?:—|–|--|-)[ ]"
)


def datelines(text: str) -> list[tuple[int, int]]:
    """The spans of the datelines in ``text`` (place, region, date and agency, not the dash)."""
    out = []
    for m in _DATELINE.finditer(text):
        place = m.group("place")
        caps = sum(c.isalpha() for c in place) >= 2 and place.upper() == place
        if caps or m.group("date") or m.group("agency"):
            end = max(m.end(g) for g in ("place", "region", "date", "agency"))
            end = m.end("agency") + 1 if m.group("agency") else end
            out.append((m.start("place"), end))
    return out


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
    starts = _run_starts(text, _ALNUM_RUN, {_first_run(_ALNUM_RUN, n) for n in names})
    # Longest first, so "Pat Riley" is taken whole before "Riley" is looked for.
    for name, label in sorted(names.items(), key=lambda n: -len(n[0])):
        # An occurrence after no letter or digit starts a run of them equal to the name's first;
        # the occurrences are taken in turn, each looked for after the end of the one before.
        after_last = -1
        for at in starts[_first_run(_ALNUM_RUN, name)]:
            if at < after_last or not text.startswith(name, at):
                continue
            end = after_last = at + len(name)
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
    return out


# Runs of letters and digits (``str.isalnum``), and of word characters (``\w``).
_ALNUM_RUN = re.compile(r"[^\W_]+")
_WORD_RUN = re.compile(r"\w+")


def _first_run(run: re.Pattern[str], s: str) -> str:
    """The run of ``run`` that ``s`` starts with ("" when none)."""
    m = run.match(s)
    return m.group() if m else ""


def _run_starts(text: str, run: re.Pattern[str], wanted: set[str]) -> dict[str, list[int]]:
    """Where in ``text`` each of the ``wanted`` strings stands as a whole run of ``run``, in
    order: one pass over the text finds the occurrences of every name at once."""
    out: dict[str, list[int]] = {w: [] for w in wanted}
    for m in run.finditer(text):
        hits = out.get(m.group())
        if hits is not None:
            hits.append(m.start())
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


# An acronym defined in brackets right after a name: "International Monetary Fund (IMF)".
_DEFINED = re.compile(r"[ \t]*\([ \t]*([A-Z][A-Za-z0-9&.]{0,8}[A-Z0-9])[ \t]*\)")
_NAME_WORD = re.compile(r"[^\W\d_]+|\d+")


def defines(name: str, acronym: str) -> bool:
    """Whether ``acronym`` can stand for ``name``: its capitals are initials of the name's
    words, in order, starting with the first ("IMF", "G8" for "Group of Eight")."""
    letters = [c for c in acronym if c.isupper()]
    words = _NAME_WORD.findall(name)
    if words[:1] == ["The"]:
        words = words[1:]
    heads = [w[0].upper() for w in words]
    if not letters or not heads or letters[0] != heads[0]:
        return False
    if len(letters) < 2 and not any(c.isdigit() for c in acronym):
        return False
    rest = iter(heads[1:])
    return all(c in rest for c in letters[1:])


def defined_acronyms(text: str, found: list[tuple[int, int, str]]) -> dict[str, tuple[int, int]]:
    """Acronyms defined in ``text`` after a found name, with the span of the name they stand for
    (the first definition wins)."""
    out: dict[str, tuple[int, int]] = {}
    for a, b, _label in found:
        m = _DEFINED.match(text, b)
        if m and defines(text[a:b], m.group(1)) and m.group(1) != text[a:b]:
            out.setdefault(m.group(1), (a, b))
    return out


def acronym_names(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Every occurrence of an acronym defined after a found name ("IMF" in "International
    Monetary Fund (IMF)", and later), outside the spans found, with the name's label."""
    label_of = {(a, b): label for a, b, label in found}
    taken = _Taken(found)
    out = []
    defined = defined_acronyms(text, found)
    # An occurrence after no word character starts a run of them equal to the acronym's first.
    starts = _run_starts(text, _WORD_RUN, {_first_run(_WORD_RUN, a) for a in defined})
    for acronym, span in defined.items():
        pattern = re.compile(rf"(?<![\w.&-]){re.escape(acronym)}(?![\w&-])")
        for at in starts[_first_run(_WORD_RUN, acronym)]:
            m = pattern.match(text, at)
            if m and not taken.overlaps(*m.span()):
                out.append((m.start(), m.end(), label_of[span]))
                taken.add(*m.span())
    return out


def within(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether a span lies inside one of ``spans`` (sorted and not overlapping), by bisection."""
    starts = [a for a, _ in spans]

    def inside(a: int, b: int) -> bool:
        i = bisect_right(starts, a) - 1
        return i >= 0 and b <= spans[i][1]

    return inside
