"""Candidate entities for a mention, from the KB's names and aliases.

Sources, each recorded on the candidate so disambiguation can weigh them:

- ``alias``: the normalized mention (or the mention without a title, "President Xi" → "xi")
  is a KB alias; the alias counts give a prior;
- ``part``: the mention is a run of words of an entity's name or alias ("Riley" → Pat Riley,
  "Dolphins" → Miami Dolphins), when few entities share those words;
- ``acronym``: an all-capitals mention spells the initials of a name ("ACLU", "N.D.");
- ``abbrev``: a US state's AP abbreviation ("N.D.", "La."; from the ``us`` package), or a
  capitalized stem with a full stop that begins a one-word name ("Calif.", "Colo.");
- ``words``: the same content words in another order ("Sheffield University" → University of
  Sheffield), or a person's surname with another form of the first name: the same initial, or
  a nickname of it ("Bob Nardelli" → Robert Nardelli; ``nicknames`` package);
- ``fuzzy``: rapidfuzz ratio against every alias key, for transliterations and misspellings.

Names are indexed once per KB (words, initials, first letters), in memory beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from weakref import WeakKeyDictionary

import us
from nicknames import NickNamer
from rapidfuzz import fuzz, process
from textmill.plugins.linker.kb import KB, normalize
from wordfreq import zipf_frequency

# Words that do not identify a name on their own.
STOPWORDS = frozenset(
    [
        "of",
        "the",
        "and",
        "for",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "da",
        "di",
        "del",
        "della",
        "do",
        "dos",
        "von",
        "van",
        "der",
        "den",
        "a",
        "an",
        "at",
        "in",
        "on",
        "to",
        "by",
        "s",
        "f",
        "c",
        "fc",
        "afc",
        "rfc",
        "sc",
        "ac",
        "cf",
        "inc",
        "corp",
        "co",
        "ltd",
        "plc",
        "llc",
        "ag",
        "sa",
        "nv",
        "jr",
        "sr",
    ]
)
_TITLES = re.compile(
    r"^(?:(?:u\s?s|us|chinese|russian|ukrainian|british|french|german|american)\s+)?"
    r"(?:president|vice president|prime minister|foreign minister|minister|chancellor|secretary"
    r"|spokesman|spokeswoman|spokesperson|leader|general|gen|sen|senator|rep|gov|governor|king"
    r"|queen|pope|mr|mrs|ms|dr|prof|sir|messrs|mm)\s+"
)
# A company's legal form after its name ("Target Corp.", "Saks Inc."): the name is the alias.
_LEGAL_FORM = re.compile(
    r"\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|plc|llc|ag|sa|nv)$"
)
_INITIALS = re.compile(r"[A-Z]\.?[A-Z]")
_INITIAL_DOT = re.compile(r"(?<=[A-Z])\.(?=\s?[A-Z]\b|\s|$)")
_CAPS_WORD = re.compile(r"\b[A-Z]{2,4}\b")
_ACRONYM = re.compile(r"(?:[A-Z]\.?){2,6}|[A-Z][A-Z&]{1,5}")
_ABBREV = re.compile(r"[A-Z][a-z]{1,5}\.")
PERSON_TYPES = frozenset({"person", "Q5", "Q215627"})
# A word more common than this (Zipf frequency) is a word first: "Will", "Rose", "Cash".
MAX_NAME_ZIPF = 4.0
# A part shared by more entities than this is too ambiguous to propose on its own.
MAX_PART_CANDIDATES = 25


@dataclass(frozen=True)
class Candidate:
    entity: str
    source: str  # alias | part | acronym | abbrev | words | fuzzy
    prior: float = 0.0  # share of the alias's counts (alias source only)
    count: float = 0.0  # times the alias named this entity in the KB's counts
    sim: float = 1.0  # string similarity of the mention to the matched key
    cover: float = 1.0  # share of the matched name's content words the mention holds


def strip_title(norm: str) -> str:
    return _TITLES.sub("", norm)


def number_variant(norm: str) -> str:
    """The other grammatical number of a group name ("hindus" → "hindu", "syrian" →
    "syrians"): demonyms and adherents take a regular plural in English."""
    return norm[:-1] if norm.endswith("s") else norm + "s"


@lru_cache(maxsize=1)
def _state_abbreviations() -> dict[str, str]:
    """AP style abbreviations of US states with their full stops, in any case ("N.D.", "W.Va.",
    "ALA."; "Md." but not "M.D."), to their normalized names."""
    return {
        s.ap_abbr.replace(" ", "").casefold(): normalize(s.name)
        for s in us.states.STATES_AND_TERRITORIES
        if s.ap_abbr and s.ap_abbr.endswith(".")
    }


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=4096)
def same_first_name(a: str, b: str) -> bool:
    """Whether two first names can be one person's: the same initial ("Charles", "Chuck"),
    or one a nickname of the other ("Bob", "Robert")."""
    if a[:1] == b[:1]:
        return True
    nn = _nicknamer()
    return b in nn.nicknames_of(a) or b in nn.canonicals_of(a)


def content_words(norm: str) -> tuple[str, ...]:
    return tuple(w for w in norm.split() if w not in STOPWORDS)


def initials(name: str) -> str:
    """Initials of a name's capitalized content words ("Federal Bureau of Investigation" → FBI)."""
    words = re.findall(r"[^\W\d_][\w']*", name)
    return "".join(w[0].upper() for w in words if w.casefold() not in STOPWORDS)


class NameIndex:
    """Words, initials and stems of every KB name and alias."""

    def __init__(self, kb: KB):
        self.parts: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self.acronyms: dict[str, set[str]] = {}
        self.stems: dict[str, set[str]] = {}
        self.bags: dict[tuple[str, ...], set[str]] = {}
        # Names without their legal form ("target" for Target Corporation).
        self.bare: dict[str, set[str]] = {}
        # First and last words of people's names ("hendrix", "baez").
        self.person_words: set[str] = set()
        for ent in kb.entities.values():
            if PERSON_TYPES & set(ent.types):
                pw = normalize(ent.name).split()
                if len(pw) >= 2:
                    self.person_words.update((pw[0], pw[-1]))
            texts = dict.fromkeys([ent.name, *(a for a, _ in ent.aliases)])
            seen: set[tuple[str, ...]] = set()
            for text in texts:
                words = tuple(normalize(text).split())
                if not words or words in seen:
                    continue
                seen.add(words)
                norm = " ".join(words)
                bare = _LEGAL_FORM.sub("", norm)
                if bare != norm:
                    self.bare.setdefault(bare, set()).add(ent.id)
                for w in set(words) - STOPWORDS:
                    self.parts.setdefault(w, []).append((ent.id, words))
                ini = initials(text)
                if len(ini) >= 2 and len(words) >= 2:
                    self.acronyms.setdefault(ini, set()).add(ent.id)
                self.stems.setdefault(words[0][:2], set()).add(ent.id)
                bag = tuple(sorted(set(words) - STOPWORDS))
                if len(bag) >= 2:
                    self.bags.setdefault(bag, set()).add(ent.id)


_INDEXES: WeakKeyDictionary[KB, NameIndex] = WeakKeyDictionary()


def name_index(kb: KB) -> NameIndex:
    idx = _INDEXES.get(kb)
    if idx is None:
        idx = _INDEXES[kb] = NameIndex(kb)
    return idx


def is_person_name(kb: KB, word: str) -> bool:
    """Whether a capitalized word is a KB person's first or last name and rare as a word."""
    return (
        normalize(word) in name_index(kb).person_words
        and zipf_frequency(word.casefold(), "en") < MAX_NAME_ZIPF
    )


def _contains(seq: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(seq[i : i + n] == part for i in range(len(seq) - n + 1))


def initialism_forms(text: str) -> list[str]:
    """The other spellings of a name's initialisms: "U.S. Open" as "US Open", "US Open" as
    "U.S. Open" (normalized)."""
    if not _INITIALS.search(text):
        return []
    dotless = _INITIAL_DOT.sub("", text)
    dotted = _CAPS_WORD.sub(lambda m: " ".join(m.group()), text)
    return [normalize(dotless.replace(". ", " ")), normalize(dotted)]


def alias_candidates(kb: KB, norm: str, label: str = "", text: str = "") -> list[Candidate]:
    bare = _LEGAL_FORM.sub("", norm)
    keys = [norm, strip_title(norm), bare, *initialism_forms(text)]
    if label == "NORP":
        keys.append(number_variant(norm))
    for key in dict.fromkeys(k for k in keys if k):
        hits = kb.candidates(key)
        if hits:
            counts = kb.counts.get(key, {})
            return [Candidate(e, "alias", p, counts.get(e, 0.0)) for e, p in hits]
    # A company named with its legal form, or without it: "Target Corp.", "Target Corporation".
    ents = name_index(kb).bare.get(bare, ())
    return [Candidate(e, "alias", 1.0 / len(ents)) for e in sorted(ents)]


def part_candidates(kb: KB, norm: str) -> list[Candidate]:
    """Entities one of whose names holds the mention's words in a row, but is longer."""
    words = tuple(strip_title(norm).split())
    content = [w for w in words if w not in STOPWORDS]
    if not content:
        return []
    idx = name_index(kb)
    postings = [idx.parts.get(w, []) for w in content]
    rarest = min(postings, key=len)
    best: dict[str, float] = {}
    for ent, name in rarest:
        if len(name) > len(words) and _contains(name, words):
            cover = len(content) / max(1, len(content_words(" ".join(name))))
            best[ent] = max(best.get(ent, 0.0), cover)
    if not best or len(best) > MAX_PART_CANDIDATES:
        return []
    return [Candidate(e, "part", sim=cover, cover=cover) for e, cover in best.items()]


def acronym_candidates(kb: KB, text: str) -> list[Candidate]:
    raw = text.strip()
    if not _ACRONYM.fullmatch(raw):
        return []
    letters = raw.replace(".", "").replace("&", "")
    ents = name_index(kb).acronyms.get(letters, set())
    return [Candidate(e, "acronym", sim=0.9) for e in sorted(ents)]


def state_name(text: str) -> str | None:
    """The US state an AP abbreviation stands for ("N.D." → "north dakota"), normalized."""
    return _state_abbreviations().get(text.strip().replace(" ", "").casefold())


def state_candidates(kb: KB, text: str) -> list[Candidate]:
    """The state an AP abbreviation stands for ("N.D." is North Dakota, not New Delhi)."""
    state = state_name(text)
    return [Candidate(e, "abbrev", sim=1.0) for e, _ in kb.candidates(state)] if state else []


def abbrev_candidates(kb: KB, text: str) -> list[Candidate]:
    raw = text.strip()
    if not _ABBREV.fullmatch(raw):
        return []
    stem = raw[:-1].casefold()
    out = []
    for e in name_index(kb).stems.get(stem[:2], ()):
        name = normalize(kb.entities[e].name)
        if " " not in name and name.startswith(stem) and len(name) > len(stem):
            out.append(Candidate(e, "abbrev", sim=0.8))
    return out


def word_candidates(kb: KB, norm: str, label: str) -> list[Candidate]:
    """Names with the same content words in another order; for a person's full name, people
    with the same surname whose first name starts with the same letter ("Bob" and "Robert" do
    not, "Charles" and "Chuck" do), or whose first name is a nickname of it ("Bob", "Robert")."""
    words = strip_title(norm).split()
    idx = name_index(kb)
    bag = tuple(sorted(set(words) - STOPWORDS))
    out = [Candidate(e, "words", sim=0.9) for e in sorted(idx.bags.get(bag, ()))]
    if not out and label == "PERSON" and len(words) >= 2:
        for e, name in idx.parts.get(words[-1], []):
            if len(name) >= 2 and name[-1] == words[-1] and same_first_name(words[0], name[0]):
                sim = fuzz.ratio(" ".join(name), " ".join(words)) / 100
                out.append(Candidate(e, "words", sim=sim, cover=0.5))
    return out


@lru_cache(maxsize=8192)
def _fuzzy(kb_key: int, norm: str, cutoff: float) -> tuple[tuple[str, float], ...]:
    kb = _FUZZY_KBS[kb_key]
    hits = process.extract(norm, kb.keys, scorer=fuzz.ratio, limit=3, score_cutoff=cutoff)
    return tuple((k, s / 100.0) for k, s, _ in hits)


_FUZZY_KBS: dict[int, KB] = {}


def fuzzy_candidates(kb: KB, norm: str, cutoff: float) -> list[Candidate]:
    key = strip_title(norm)
    # Short keys are close in spelling to many unrelated names ("Rose" and "Rosie").
    if len(key) < 5 or cutoff >= 100:
        return []
    _FUZZY_KBS[id(kb)] = kb
    out = []
    for k, sim in _fuzzy(id(kb), key, cutoff):
        for e, prior in kb.candidates(k):
            out.append(Candidate(e, "fuzzy", prior=prior, sim=sim))
    return out


def candidates(
    kb: KB, norm: str, text: str, label: str, fuzzy_cutoff: float = 88.0
) -> list[Candidate]:
    """Every candidate for one mention, best source first (one entry per entity)."""
    found = alias_candidates(kb, norm, label, text)
    if label in ("GPE", "LOC", "ORG", ""):
        # An AP abbreviation after a place ("Bismarck, N.D.") is the state, whatever else
        # the letters spell.
        states = state_candidates(kb, text)
        if states:
            return states
    found += acronym_candidates(kb, text)
    if label in ("GPE", "LOC", "ORG", ""):
        found += abbrev_candidates(kb, text)
    # A demonym inside a longer name ("Chinese government") does not name that entity.
    if label != "NORP":
        found += part_candidates(kb, norm)
    if not found:
        found += word_candidates(kb, norm, label)
    # Demonyms ("Russian") are close in spelling to their country but are not its name.
    if not found and label != "NORP":
        found += fuzzy_candidates(kb, norm, fuzzy_cutoff)
    return _unique(found)


def _unique(found: list[Candidate]) -> list[Candidate]:
    """One candidate per entity, from the first source that found it."""
    out: dict[str, Candidate] = {}
    for c in found:
        out.setdefault(c.entity, c)
    return list(out.values())
