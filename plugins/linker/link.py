"""Disambiguation of one document's mentions: a logistic model over candidate features.

Each candidate (:mod:`.candidates`) gets features: how it was found (alias, name part, acronym,
abbreviation, word order, fuzzy), the alias prior and how many counts it rests on, string
similarity and coverage of the name, the NER label's compatibility with the KB types, its rivals
(candidates found the same way, and exact aliases a looser match competes with), a popularity
estimate, name context, and document coherence: the candidate is also a candidate of a longer
mention in the document that contains this one, or shares a surname with a candidate of another
name ("David" and "Victoria" → the Beckhams). A short form first takes the candidates of its
antecedents, a person's full name holding it ("Riley" after "Pat Riley") or the name it is the
acronym of ("BA" after "British Airways"), with their evidence. The weights are trained by
``benchmarks/train_linker.py`` (leave-one-benchmark-out) and shipped in ``weights.json``. The
best candidate is linked when its probability reaches ``min_score``; otherwise the mention is
NIL.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from textmill.plugins.linker.candidates import (
    Candidate,
    candidates,
    content_words,
    initials,
    state_name,
    strip_title,
)
from textmill.plugins.linker.coref import nil_name
from textmill.plugins.linker.kb import KB, KBEntity, normalize

WEIGHTS = Path(__file__).with_name("weights.json")
LINKABLE = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
)
_PERSON = {"person", "Q5", "Q215627"}
_PLACE = {"location", "Q27096213", "Q6256", "Q515"}
_ORG = {"organization", "Q43229"}
# NER label -> KB type labels (free labels and Wikidata class ids) it is compatible with.
_TYPES = {
    "PERSON": _PERSON,
    "GPE": _PLACE | _ORG,
    "LOC": _PLACE,
    "FAC": _PLACE | _ORG,
    "ORG": _ORG | {"Q2424752"} | _PLACE,
    "NORP": _ORG | _PLACE | {"Q33829", "Q4392985", "Q7257", "Q9174"},
}
FEATURES = (
    "bias",
    "alias",
    "part",
    "acronym",
    "abbrev",
    "words",
    "fuzzy",
    "prior",
    "log_count",
    "exact_name",
    "sim",
    "cover",
    "type_match",
    "type_clash",
    "log_rivals",
    "log_alias_rivals",
    "popularity",
    "longer_mention",
    "shared_surname",
    "part_person",
    "one_word",
    "name_context",
    "coref",
    "coref_missing",
    "entity_context",
)
WORD = re.compile(r"\w+")


@dataclass
class Mention:
    start: int
    end: int
    text: str
    label: str
    norm: str
    entity: str | None = None
    score: float = 0.0
    candidates: tuple[tuple[str, float], ...] = ()
    role: str = ""  # "dateline" for a place in a dateline, "" in the body


def type_ok(label: str, ent: KBEntity) -> float:
    """1 compatible, 0 incompatible, 0.5 unknown (no label mapping or no KB types)."""
    allowed = _TYPES.get(label)
    if allowed is None or not ent.types:
        return 0.5
    return 1.0 if allowed & set(ent.types) else 0.0


def popularity(ent: KBEntity) -> float:
    """0..1: sitelinks when the KB has them, else how early the Wikidata id was created."""
    if ent.popularity is not None:
        return min(1.0, math.log1p(max(0.0, ent.popularity)) / math.log1p(300))
    m = re.fullmatch(r"Q(\d+)", ent.wikidata or "")
    if m:
        return max(0.0, 1.0 - math.log10(int(m.group(1))) / 9)
    return 0.5


@lru_cache(maxsize=1)
def load_weights(path: str = str(WEIGHTS)) -> tuple[dict[str, float], float]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data["weights"].items()}, float(data["threshold"])


def _words(norm: str) -> tuple[str, ...]:
    return tuple(strip_title(norm).split())


def _contains(seq: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return 0 < n < len(seq) and any(seq[i : i + n] == part for i in range(len(seq) - n + 1))


def document_candidates(
    kb: KB, mentions: list[Mention], text: str, fuzzy_cutoff: float = 88.0
) -> list[list[tuple[Candidate, dict[str, float]]]]:
    """Per mention, its candidates with their features.

    Features depend on a mention's text, normalized form and label and on the document, so
    they are computed once per distinct name (a name repeated fifty times costs one), and the
    relations between names are found through an index of their words and initials."""
    doc_words = {w.casefold() for w in WORD.findall(text)}
    key_of: dict[tuple[str, str, str], int] = {}
    names: list[Mention] = []
    for m in mentions:
        if (m.norm, m.text, m.label) not in key_of:
            key_of[(m.norm, m.text, m.label)] = len(names)
            names.append(m)
    cands = [candidates(kb, m.norm, m.text, m.label, fuzzy_cutoff) for m in names]
    words = [_words(m.norm) for m in names]
    by_word: dict[str, list[int]] = {}
    by_initials: dict[str, list[int]] = {}
    for j, m in enumerate(names):
        for w in set(words[j]):
            by_word.setdefault(w, []).append(j)
        by_initials.setdefault(initials(m.text), []).append(j)
    # Candidates of longer mentions holding this one's words, or spelled by its initials; and
    # the antecedents this mention is a short form of: a person's full name holding it ("Riley"
    # after "Pat Riley"), or the name it is the acronym of ("BA" after "British Airways").
    longer: list[set[str]] = []
    antecedents: list[list[int]] = []
    for i, m in enumerate(names):
        found: set[str] = set()
        ante = []
        letters = m.text.replace(".", "").strip()
        # A state's abbreviation ("S.D.") is not the acronym of a name ("San Diego").
        acro = letters.isupper() and 2 <= len(letters) <= 6 and state_name(m.text) is None
        spelled = set(by_initials.get(letters, ())) if acro else set()
        holding = by_word.get(words[i][0], []) if words[i] else []
        for j in sorted(spelled.union(holding)):
            if j == i or not (j in spelled or _contains(words[j], words[i])):
                continue
            found.update(c.entity for c in cands[j] if c.source != "part")
            if j in spelled or names[j].label == "PERSON":
                ante.append(j)
        longer.append(found)
        antecedents.append(ante)
    # Per name: the surnames of the people its name parts propose, and the words of the name it
    # most likely is (its top alias candidate: "U.S." brings "united" and "states", which make
    # "Senate" the United States Senate). Each name sees those of the other names.
    surnames: dict[tuple[str, ...], set[str]] = {}
    named: dict[tuple[str, ...], set[str]] = {}
    for ws, cs in zip(words, cands, strict=True):
        s = surnames.setdefault(ws, set())
        for c in cs:
            ent = kb.entities[c.entity]
            if c.source == "part" and _PERSON & set(ent.types):
                parts = normalize(ent.name).split()
                if len(parts) > 1:
                    s.add(parts[-1])
        top = next((c for c in cs if c.source == "alias"), None)
        if top:
            named.setdefault(ws, set()).update(
                content_words(normalize(kb.entities[top.entity].name))
            )
    surname_names = Counter(x for s in surnames.values() for x in s)
    context_names = Counter(x for n in named.values() for x in n)
    out = []
    for i, (m, cs) in enumerate(zip(names, cands, strict=True)):
        own = named.get(words[i], set())
        # The words of the other names: counted for another name, not only for this one.
        context = _OtherNames(context_names, own)
        # Another name's people ("David" and "Victoria"), not this name's other occurrences.
        own_surnames = surnames[words[i]]
        by_source: dict[str, int] = {}
        for c in cs:
            by_source[c.source] = by_source.get(c.source, 0) + 1
        n_alias = by_source.get("alias", 0)
        feats = []
        for c in cs:
            ent = kb.entities[c.entity]
            name = normalize(ent.name)
            parts = name.split()
            t = type_ok(m.label, ent)
            person = bool(_PERSON & set(ent.types))
            f = {
                "bias": 1.0,
                c.source: 1.0,
                "prior": c.prior if c.source == "alias" else 0.0,
                "log_count": math.log1p(c.count),
                "exact_name": float(name == m.norm or name == strip_title(m.norm)),
                "sim": c.sim,
                "cover": c.cover,
                "type_match": float(t == 1.0),
                "type_clash": float(t == 0.0),
                # Rivals found the same way, and exact aliases a looser match competes with
                # ("China" is an alias of the country before it is a word of "China Daily").
                "log_rivals": math.log(by_source[c.source]),
                "log_alias_rivals": math.log1p(n_alias) if c.source != "alias" else 0.0,
                "popularity": popularity(ent),
                "longer_mention": float(c.entity in longer[i]),
                "shared_surname": float(
                    c.source == "part"
                    and len(parts) > 1
                    and surname_names[parts[-1]] - (parts[-1] in own_surnames) > 0
                ),
                "part_person": float(c.source == "part" and person),
                "one_word": float(len(words[i]) == 1),
                "name_context": _name_context(name, words[i], doc_words),
                "entity_context": _name_context(name, words[i], context),
            }
            feats.append((c, f))
        out.append(feats)
    linked = [_coreference(i, feats, out, antecedents) for i, feats in enumerate(out)]
    return [linked[key_of[(m.norm, m.text, m.label)]] for m in mentions]


def _coreference(
    i: int,
    feats: list[tuple[Candidate, dict[str, float]]],
    out: list[list[tuple[Candidate, dict[str, float]]]],
    antecedents: list[list[int]],
) -> list[tuple[Candidate, dict[str, float]]]:
    """A short form takes the candidates of its antecedents as they were found for them, with
    their evidence (the full name's alias, type and prior), marked ``coref``; its own other
    candidates are marked ``coref_missing``. A short form of names the KB does not hold has no
    candidates: "Shields" after "Jerry Shields" is Jerry Shields, not another Shields."""
    if not antecedents[i]:
        return feats
    taken: dict[str, tuple[Candidate, dict[str, float]]] = {}
    for j in antecedents[i]:
        for c, f in out[j]:
            if c.source != "part" and c.entity not in taken:
                taken[c.entity] = (c, {**f, "coref": 1.0})
    if not taken:
        return []
    rest = [(c, {**f, "coref_missing": 1.0}) for c, f in feats if c.entity not in taken]
    return list(taken.values()) + rest


class _OtherNames:
    """The words of the names other than one: those counted for more names than that one."""

    def __init__(self, counts: Counter[str], own: set[str]) -> None:
        self.counts = counts
        self.own = own

    def __contains__(self, word: object) -> bool:
        return self.counts.get(word, 0) - (word in self.own) > 0  # type: ignore[call-overload]


def _name_context(name: str, mention: tuple[str, ...], doc_words: set[str] | _OtherNames) -> float:
    """Share of the name's other words found in the document ("cricket" for "England" as
    England cricket team): the KB name is the one description every entity has."""
    extra = set(content_words(name)) - set(mention)
    return sum(w in doc_words for w in extra) / len(extra) if extra else 0.0


def probability(f: dict[str, float], weights: dict[str, float]) -> float:
    z = sum(weights.get(k, 0.0) * v for k, v in f.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def link_mentions(
    kb: KB,
    mentions: list[Mention],
    text: str = "",
    *,
    fuzzy_cutoff: float = 88.0,
    min_score: float | None = None,
    weights: dict[str, float] | None = None,
) -> None:
    """Fill ``entity``/``score`` of each mention in place (``None`` = NIL).

    ``min_score`` defaults to the threshold shipped with the weights."""
    if weights is None or min_score is None:
        w, threshold = load_weights()
        weights = w if weights is None else weights
        min_score = threshold if min_score is None else min_score
    for m, feats in zip(
        mentions, document_candidates(kb, mentions, text, fuzzy_cutoff), strict=True
    ):
        scored = sorted(((probability(f, weights), c) for c, f in feats), key=lambda x: -x[0])
        m.candidates = tuple((c.entity, round(p, 3)) for p, c in scored[:5])
        if scored and scored[0][0] >= min_score:
            m.entity, m.score = scored[0][1].entity, round(scored[0][0], 3)
        else:
            m.entity, m.score = None, 0.0


def literal_place(kb: KB, m: Mention) -> None:
    """A dateline names a place, not what the place stands for: "WASHINGTON —" is the city,
    not the United States government, when the KB has the city standing for the country."""
    if m.entity is None:
        return
    for e, p in m.candidates:
        ent = kb.entities.get(e)
        if ent is not None and ent.stands_for == m.entity:
            m.entity, m.score = e, p
            return


def repaired_label(label: str, ent: KBEntity | None) -> str:
    """The NER label, corrected when the linked entity's KB types are all of one kind that
    contradicts it (Kyiv tagged PERSON is a place; a KB person tagged GPE is a person)."""
    if ent is None or not ent.types:
        return label
    types = set(ent.types)
    person, place, org = bool(_PERSON & types), bool(_PLACE & types), bool(_ORG & types)
    if person and not (place or org):
        return "PERSON" if label in ("GPE", "LOC", "ORG", "NORP", "FAC") else label
    if label == "PERSON" and not person and (place or org):
        return "GPE" if place else "ORG"
    return label


def mention_record(m: Mention, kb: KB) -> dict[str, Any]:
    ent = kb.entities.get(m.entity) if m.entity else None
    label = repaired_label(m.label, ent)
    rec = {
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "label": label,
        "entity": m.entity or f"NIL:{nil_name(m.norm, label)}",
        "kb_id": ent.id if ent else None,
        "wikidata": ent.wikidata if ent else None,
        "name": ent.name if ent else m.text,
        "gender": ent.gender if ent else None,
        "score": m.score,
        "stands_for": ent.stands_for if ent else None,
    }
    if m.role:
        rec["role"] = m.role
    return rec
