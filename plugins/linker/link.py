"""Candidate generation and disambiguation for one document's mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from textmill.plugins.linker.kb import KB, KBEntity, normalize

LINKABLE = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
)
_TITLES = re.compile(
    r"^(?:(?:u\s?s|us|chinese|russian|ukrainian|british|french|german|american)\s+)?"
    r"(?:president|vice president|prime minister|foreign minister|minister|chancellor|secretary"
    r"|spokesman|spokeswoman|spokesperson|leader|general|gen|sen|senator|rep|gov|governor|king"
    r"|queen|pope|mr|mrs|ms|dr|prof|sir|messrs|mm)\s+"
)
# NER label -> KB type labels (free labels and Wikidata class ids) it is compatible with.
_TYPES = {
    "PERSON": {"person", "Q5", "Q215627"},
    "GPE": {"location", "Q27096213", "Q6256", "Q515", "organization", "Q43229"},
    "LOC": {"location", "Q27096213"},
    "FAC": {"location", "Q27096213", "organization", "Q43229"},
    "ORG": {"organization", "Q43229", "Q2424752", "location", "Q27096213"},
    "NORP": {"organization", "Q43229", "location", "Q27096213"},
}
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


def strip_title(norm: str) -> str:
    return _TITLES.sub("", norm)


@lru_cache(maxsize=4096)
def _fuzzy(kb_id: int, norm: str, cutoff: float) -> tuple[tuple[str, float], ...]:
    kb = _KBS[kb_id]
    hits = process.extract(norm, kb.keys, scorer=fuzz.ratio, limit=3, score_cutoff=cutoff)
    return tuple((k, s / 100.0) for k, s, _ in hits)


_KBS: dict[int, KB] = {}


def candidates(
    kb: KB, norm: str, fuzzy_cutoff: float, label: str = ""
) -> list[tuple[str, float, float]]:
    """``(entity, prior, string similarity)`` for a mention's normalized text."""
    out: list[tuple[str, float, float]] = []
    for key in dict.fromkeys((norm, strip_title(norm))):
        for e, prior in kb.candidates(key):
            out.append((e, prior, 1.0))
        if out:
            return out
    key = strip_title(norm)
    # Demonyms ("Russian") are close in spelling to their country but are not its name.
    if len(key) >= 4 and fuzzy_cutoff < 100 and label != "NORP":
        _KBS[id(kb)] = kb
        for k, sim in _fuzzy(id(kb), key, fuzzy_cutoff):
            for e, prior in kb.candidates(k):
                out.append((e, prior, sim))
    return out


def type_ok(label: str, ent: KBEntity) -> float:
    allowed = _TYPES.get(label)
    if allowed is None or not ent.types:
        return 0.5
    return 1.0 if allowed & set(ent.types) else 0.0


def context_sim(ent: KBEntity, doc_words: set[str]) -> float:
    words = {w for w in WORD.findall(ent.description.lower()) if len(w) > 3}
    if not words:
        return 0.0
    return len(words & doc_words) / len(words)


def link_mentions(
    kb: KB,
    mentions: list[Mention],
    text: str,
    *,
    fuzzy_cutoff: float = 88.0,
    min_score: float = 0.35,
    weights: tuple[float, float, float, float] = (0.45, 0.3, 0.15, 0.3),
) -> None:
    """Fill ``entity``/``score`` of each mention in place (``None`` = NIL).

    Score = prior·w0 + type·w1 + context·w2 + coherence·w3, times the string similarity.
    Coherence: the candidate is linked elsewhere in the document, or a single-word person
    mention is part of the name of a person linked elsewhere ("Xi" after "Xi Jinping").
    """
    w_prior, w_type, w_ctx, w_coh = weights
    doc_words = {w.lower() for w in WORD.findall(text) if len(w) > 3}
    cands = [candidates(kb, m.norm, fuzzy_cutoff, m.label) for m in mentions]
    linked: dict[str, float] = {}
    for rnd in range(2):
        for m, cs in zip(mentions, cands, strict=True):
            best, best_s = None, 0.0
            for e, prior, sim in cs:
                ent = kb.entities.get(e)
                if ent is None:
                    continue
                coh = 1.0 if rnd and e in linked and linked[e] > 0 else 0.0
                s = sim * (
                    w_prior * prior
                    + w_type * type_ok(m.label, ent)
                    + w_ctx * context_sim(ent, doc_words)
                    + w_coh * coh
                )
                if s > best_s:
                    best, best_s = e, s
            m.candidates = tuple((e, round(p, 3)) for e, p, _ in cs[:5])
            if best is not None and best_s >= min_score:
                m.entity, m.score = best, round(best_s, 3)
            else:
                m.entity, m.score = None, 0.0
        linked = {}
        for m in mentions:
            if m.entity and len(m.norm.split()) > 1:
                linked[m.entity] = max(linked.get(m.entity, 0), m.score)
            elif m.entity:
                linked.setdefault(m.entity, m.score)
    # Partial person names: "Xi", "Kirby" -> a person linked elsewhere whose name contains it.
    people = [
        kb.entities[e]
        for e in linked
        if kb.entities.get(e) and type_ok("PERSON", kb.entities[e]) == 1.0
    ]
    for m in mentions:
        if m.entity is None and m.label in ("PERSON", "ORG", "GPE") and len(m.norm.split()) == 1:
            for ent in people:
                if m.norm in normalize(ent.name).split():
                    m.entity, m.score = ent.id, 0.5
                    break


def mention_record(m: Mention, kb: KB) -> dict[str, Any]:
    ent = kb.entities.get(m.entity) if m.entity else None
    return {
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "label": m.label,
        "entity": m.entity or f"NIL:{m.norm}",
        "kb_id": ent.id if ent else None,
        "wikidata": ent.wikidata if ent else None,
        "name": ent.name if ent else m.text,
        "gender": ent.gender if ent else None,
        "score": m.score,
        "stands_for": ent.stands_for if ent else None,
    }
