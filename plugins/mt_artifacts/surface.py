"""Checks that read only the characters: punctuation, sentence starts, honorifics, repeats,
garbage and inconsistent transliteration. Each returns findings with spans into the text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from textmill import Finding, Span
from textmill.plugins.mt_artifacts.severity import severity_of
from wordfreq import zipf_frequency

_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Rep|Gov|Messrs|MM|No|vs|etc|Inc|Ltd|Co|Corp|U\.S|a\.m|p\.m|e\.g|i\.e|[A-Z])\.$"
)


def punctuation(text: str) -> Iterator[Finding]:
    for m in re.finditer(r"(?<=\w)([.!?])\s+\.(?!\.)|\s,|,,|(?<![.])\.\s*,|;;|::", text):
        # "the U.S., Japan", "etc., and", "Co., Ltd.": an abbreviation's full stop before a comma.
        if m.group(0).startswith(".") and _ABBREV.search(
            text[max(0, m.start() - 12) : m.start() + 1]
        ):
            continue
        yield Finding(
            code="mt.punctuation",
            message="Doubled or stray punctuation, a typical leftover of machine translation.",
            severity=severity_of("mt.punctuation"),
            span=Span(m.start(), m.end()),
            evidence=text[max(0, m.start() - 20) : m.end() + 20],
            suggestion=m.group(1) if m.group(1) else None,
        )


def lowercase_starts(text: str) -> Iterator[Finding]:
    for m in re.finditer(r"(\S+)([.!?])\s+([a-z][a-z]+)\b", text):
        before = m.group(1) + m.group(2)
        if (
            _ABBREV.search(before)
            # "a recovery... much patchier": an ellipsis marks words left out, not an end.
            or before.endswith(("..", "…."))
            or m.group(1).endswith("…")
            or re.search(r"\.\w", m.group(1))
            or m.group(3) in ("e", "g", "i")
        ):
            continue
        start = m.start(3)
        yield Finding(
            code="mt.lowercase-start",
            message=f'A sentence starts in lowercase ("{m.group(3)}") after a full stop; a boundary or a word may be wrong.',
            severity=severity_of("mt.lowercase-start"),
            span=Span(start, m.end(3)),
            evidence=text[max(0, m.start(2) - 30) : m.end(3) + 20],
            suggestion=m.group(3).capitalize(),
        )


_HONORIFICS = {
    "MM.": 'French plural honorific (messieurs); English uses the names alone or "Presidents"',
    "Mme.": 'French honorific; English uses "Ms." or the name alone',
    "Mme": 'French honorific; English uses "Ms." or the name alone',
    "Sr.": 'Spanish honorific (señor) when before a surname; English uses "Mr."',
    "Hr.": 'German honorific (Herr); English uses "Mr."',
    "Dna.": 'Romanian honorific; English uses "Ms."',
}


def honorifics(text: str) -> Iterator[Finding]:
    for m in re.finditer(r"(?<![\w.])(MM\.|Mme\.?|Hr\.|Dna\.)(?=\s+[A-Z])", text):
        yield Finding(
            code="mt.honorific",
            message=f'"{m.group(1)}" is a calqued honorific: {_HONORIFICS.get(m.group(1), "not English usage")}.',
            severity=severity_of("mt.honorific"),
            span=Span(m.start(), m.end()),
            evidence=text[m.start() : m.end() + 30],
        )
    # "Messrs. A and B are pushing" after a verb that takes an object: a calque of a plural
    # honorific where English would say "A and B" (and often a broken clause around it).
    for m in re.finditer(
        r"\bMessrs\.?\s+[A-Z]\w+\s+and\s+[A-Z]\w+\s+(?:are|were|have|will)\s+\w+ing\b", text
    ):
        yield Finding(
            code="mt.honorific",
            message='"Messrs." with a clause that does not fit the sentence reads as a calqued plural honorific.',
            severity="info",
            span=Span(m.start(), m.end()),
            evidence=text[m.start() : m.end()],
        )


def repeats(text: str) -> Iterator[Finding]:
    """A word or phrase said twice in a row within a line. Capitalised words are left alone
    (reduplicated names: "Fang Fang", "Qiao Qiao"), and so is a line repeating the one before
    it (a title and a dateline). A longer run of repeats is one finding."""
    last_end = -1
    for m in re.finditer(r"\b(\w{2,})[ \t]+\1\b", text, flags=re.IGNORECASE):
        if m.group(1).lower() in ("that", "had", "is", "do", "bye", "ha", "no", "very"):
            continue
        if m.group(1)[0].isupper() or m.group(1).isdigit():
            continue
        last_end = m.end()
        yield Finding(
            code="mt.repeat",
            message=f'The word "{m.group(1)}" is repeated.',
            severity=severity_of("mt.repeat"),
            span=Span(m.start(), m.end()),
            suggestion=m.group(1),
        )
    for m in re.finditer(r"\b((?:\w+[^\w\n]+){2,6}?\w+)[^\w\n]+\1\b", text):
        if len(m.group(1)) < 10 or m.start() <= last_end + 2:  # one finding per run
            continue
        last_end = m.end()
        yield Finding(
            code="mt.repeat",
            message=f'The phrase "{m.group(1)}" is repeated.',
            severity=severity_of("mt.repeat"),
            span=Span(m.start(), m.end()),
            suggestion=m.group(1),
        )


def garbage(text: str) -> Iterator[Finding]:
    """Runs of two or more lowercase tokens that are not English words (zipf 0), or
    tokens mixing letters and digits oddly."""
    run: list[re.Match[str]] = []
    for m in re.finditer(r"\b[a-z]{3,}\b|\b\w*[a-z]\d+[a-z]\w*\b", text):
        w = m.group(0)
        bad = (w.isalpha() and zipf_frequency(w, "en") == 0) or not w.isalpha()
        if bad and (not run or m.start() - run[-1].end() <= 2):
            run.append(m)
            continue
        if len(run) >= 2:
            yield _garbage(text, run)
        run = [m] if bad else []
    if len(run) >= 2:
        yield _garbage(text, run)


def _garbage(text: str, run: list[re.Match[str]]) -> Finding:
    return Finding(
        code="mt.garbage",
        message="A run of tokens that are not English words; the translation may have produced garbage.",
        severity=severity_of("mt.garbage"),
        span=Span(run[0].start(), run[-1].end()),
        evidence=text[run[0].start() : run[-1].end()],
    )


_NAME = re.compile(r"\b[A-Z][a-z]{3,}\b")


def transliteration(text: str, mentions: list[dict] | None = None) -> Iterator[Finding]:
    """One name spelled two ways in a document (Kiev/Kyiv, Zelensky/Zelenskyy)."""
    pairs: dict[tuple[str, str], tuple[int, int]] = {}
    if mentions:
        by_entity: dict[str, list[dict]] = {}
        for men in mentions:
            if not str(men.get("entity", "")).startswith("NIL:"):
                by_entity.setdefault(men["entity"], []).append(men)
        for ms in by_entity.values():
            forms = {x["text"]: x for x in ms}
            names = [f for f in forms if " " not in f and f[:1].isupper()]
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    if a.lower() in b.lower() or b.lower() in a.lower():
                        continue
                    if fuzz.ratio(a, b) >= 60:
                        later = forms[b] if forms[b]["start"] > forms[a]["start"] else forms[a]
                        lo, hi = sorted((a, b))
                        pairs[(lo, hi)] = (later["start"], later["end"])
    first: dict[str, int] = {}
    for m in _NAME.finditer(text):
        first.setdefault(m.group(0), m.start())
    names = sorted(first, key=lambda n: first[n])
    # Only names of one initial and lengths within two of each other are compared, so each
    # name is held against the few of its initial and length, not every name in the document.
    by_shape: dict[tuple[str, int], list[int]] = {}
    for i, a in enumerate(names):
        by_shape.setdefault((a[0], len(a)), []).append(i)
    for i, a in enumerate(names):
        after = sorted(
            j for n in range(len(a) - 2, len(a) + 3) for j in by_shape.get((a[0], n), ()) if j > i
        )
        for j in after:
            b = names[j]
            short, long_ = sorted((a, b), key=len)
            if long_.startswith(short):
                # Zelensky/Zelenskyy (a doubled letter) is a variant; Russia/Russian is not.
                if not (len(long_) == len(short) + 1 and long_[-1] == short[-1]):
                    continue
            elif len(_common_prefix(a, b)) >= len(short) - 1:
                continue  # Ukraine/Ukrainian: an inflection or derivation
            elif not (fuzz.ratio(a, b) >= 75 and _variant(a, b)):
                continue
            lo, hi = sorted((a, b))
            pairs.setdefault((lo, hi), (first[b], first[b] + len(b)))
    for (a, b), (s, e) in pairs.items():
        yield Finding(
            code="mt.transliteration",
            message=f'The same name is spelled "{a}" and "{b}" in this document.',
            severity=severity_of("mt.transliteration"),
            span=Span(s, e),
            evidence=f"{a} / {b}",
        )


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


# Letters that transliterations of one name swap for each other (Kiev/Kyiv, Tchaikovsky/
# Chaikovskiy, Gorbachev/Gorbatchev); any vowel also stands for any other.
_VOWELS = frozenset("aeiouy")
_SWAPS = (frozenset("ckq"), frozenset("iyj"), frozenset("sz"), frozenset("vw"), frozenset("fv"))


def _variant(a: str, b: str) -> bool:
    """Spelling variants of one name: the edits between them are only vowel changes, swaps of
    letters transliterations exchange (c/k, i/y/j, s/z, v/w), an inserted or dropped vowel or
    doubled letter, or two neighbouring letters swapped (Arcelor/Arcleor). Both are rare as
    ordinary words (so "Trade"/"Trace" are not variants), and the edits leave the ending alone
    when it is a plural "s" (Telecoms/Telekom). "Mandela"/"Manuel" differ by a consonant."""
    if max(zipf_frequency(a.lower(), "en"), zipf_frequency(b.lower(), "en")) > 4.0:
        return False
    x, y = a.lower(), b.lower()
    diff = [i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q]
    if len(x) == len(y) and len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        if x[i] == y[i + 1] and x[i + 1] == y[i]:
            return True  # neighbours swapped
    ops = Levenshtein.editops(x, y)
    if not ops or len(ops) > 2:
        return False
    for op in ops:
        if op.tag == "replace":
            p, q = x[op.src_pos], y[op.dest_pos]
            if not ((p in _VOWELS and q in _VOWELS) or any({p, q} <= sw for sw in _SWAPS)):
                return False
            continue
        word, pos = (y, op.dest_pos) if op.tag == "insert" else (x, op.src_pos)
        letter = word[pos]
        doubled = (pos > 0 and word[pos - 1] == letter) or (
            pos + 1 < len(word) and word[pos + 1] == letter
        )
        if pos == len(word) - 1 and letter == "s":
            return False  # a plural or a possessive, not a spelling
        if not (letter in _VOWELS or doubled):
            return False
    return True
