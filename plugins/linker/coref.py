"""Within-document coreference: names that are one entity, and the pronouns and descriptions
that stand for one.

Names (:func:`join_names`): a person's short or titled form ("Ebbers", "Mr Ebbers") joins the
one full name in the document it is the surname of ("Bernie Ebbers"), when their genders agree
(a title's, a KB's or a first name's); an acronym defined in brackets after a name ("International
Monetary Fund (IMF)") joins that name. Joined mentions take the full name's entity, linked or
NIL, and say so in ``form``.

References (:func:`references`): "he"/"she" and their forms, "its", and definite descriptions
("the company", "the minister") are linked to an entity when it is clear which: exactly one
entity of the right kind (and gender, or number) is named in the sentence or the one before,
else in the document before it. They are returned apart from the name mentions, so their
precision can be measured on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textmill.gender import PRONOUN_GENDER, TITLE_GENDER
from textmill.models import gender_detector
from textmill.plugins.linker.candidates import strip_title
from textmill.plugins.linker.kb import normalize
from textmill.plugins.linker.spans import defined_acronyms
from textmill.sentences import split_spans

PERSON_LABELS = frozenset({"PERSON"})
ORG_LABELS = frozenset({"ORG"})
PLACE_LABELS = frozenset({"GPE"})
_TITLE_GENDER = {
    **TITLE_GENDER,
    "king": "male",
    "prince": "male",
    "queen": "female",
    "princess": "female",
}
_PRONOUNS = PRONOUN_GENDER
_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself|its)\b", re.IGNORECASE)
# Heads of definite descriptions, by the kind of entity they describe.
_DESCRIPTIONS = {
    "ORG": (
        "company",
        "firm",
        "group",
        "bank",
        "carrier",
        "airline",
        "retailer",
        "supermarket",
        "chain",
        "club",
        "party",
        "agency",
        "broadcaster",
        "network",
        "studio",
        "label",
        "band",
        "manufacturer",
        "maker",
        "insurer",
        "lender",
        "operator",
        "giant",
    ),
    "PERSON": (
        "minister",
        "president",
        "chairman",
        "chairwoman",
        "chief executive",
        "boss",
        "spokesman",
        "spokeswoman",
        "singer",
        "actor",
        "actress",
        "star",
        "director",
        "founder",
        "businessman",
        "businesswoman",
        "player",
        "striker",
        "manager",
        "coach",
        "senator",
        "chancellor",
        "tycoon",
    ),
    "GPE": ("country", "city", "nation", "capital", "state"),
}
_DESCRIPTION_KIND = {head: kind for kind, heads in _DESCRIPTIONS.items() for head in heads}
_DESCRIPTION = re.compile(
    r"\b[Tt]he\s+(?:former\s+|new\s+|US\s+|UK\s+|British\s+|American\s+)?("
    + "|".join(sorted(map(re.escape, _DESCRIPTION_KIND), key=len, reverse=True))
    + r")\b(?!\s+(?:of|for|to|which|that|who)\b)(?![\w-])"
)
# "its" stands for an organization or a place, named in its own sentence.
_ITS_KINDS = frozenset({"ORG", "GPE"})
_QUOTED = re.compile(r'“[^”]*”?|"[^"\n]*"')
_FEMALE_HEADS = frozenset({"chairwoman", "spokeswoman", "actress", "businesswoman"})
_MALE_HEADS = frozenset({"chairman", "spokesman", "businessman"})


@lru_cache(maxsize=1)
def _detector() -> Any:
    return gender_detector()


def first_name_gender(first: str) -> str | None:
    """A first name's usual gender ("Bernie" male), or ``None`` when it is not clear."""
    g = _detector().get_gender(first)
    return {
        "male": "male",
        "mostly_male": "male",
        "female": "female",
        "mostly_female": "female",
    }.get(g)


def title_gender(norm: str) -> str | None:
    first = norm.split(" ", 1)[0]
    return _TITLE_GENDER.get(first)


def nil_name(norm: str, label: str) -> str:
    """The name a NIL entity is known by: a person's without a title ("mr ebbers" → "ebbers")."""
    if label in PERSON_LABELS:
        return strip_title(norm) or norm
    return norm


def person_words(r: dict[str, Any]) -> list[str]:
    return strip_title(normalize(r["text"])).split()


def _gender_of(records: list[dict[str, Any]], guess: bool = True) -> str | None:
    """An entity's gender from its mentions: the KB's, a title's, else (with ``guess``) the
    first name's."""
    for r in records:
        if r.get("gender"):
            return str(r["gender"])
    for r in records:
        g = title_gender(normalize(r["text"]))
        if g:
            return g
    for r in records if guess else ():
        words = person_words(r)
        if r["label"] in PERSON_LABELS and len(words) >= 2:
            g = first_name_gender(words[0])
            if g:
                return g
    return None


def _people_by_title(body: list[dict[str, Any]]) -> None:
    """Names a title shows to be people's, relabelled PERSON with their NIL ids renamed: "Mr
    Ebbers" (the NER often tags a business story's people ORG), and the NIL names ending in that
    surname ("Bernie Ebbers", "Ebbers")."""
    surnames = set()
    for r in body:
        norm = normalize(r["text"])
        words = strip_title(norm).split()
        if title_gender(norm) and words:
            surnames.add(words[-1])
    for r in body:
        words = person_words(r)
        if r["label"] in PERSON_LABELS or not words or words[-1] not in surnames:
            continue
        if r["entity"].startswith("NIL:") or title_gender(normalize(r["text"])):
            r["label"] = "PERSON"
            if r["entity"].startswith("NIL:"):
                r["entity"] = f"NIL:{nil_name(normalize(r['text']), 'PERSON')}"


def _take(r: dict[str, Any], head: dict[str, Any], form: str) -> None:
    """Mention ``r`` names the entity of ``head``."""
    for key in ("entity", "kb_id", "wikidata", "name", "gender", "stands_for"):
        r[key] = head.get(key)
    r["form"] = form


def join_names(
    text: str, records: list[dict[str, Any]], is_alias: Callable[[str], bool] | None = None
) -> None:
    """Join short forms and defined acronyms to the names they stand for, in place.

    ``records``: the document's mention records (from :func:`.link.mention_record`);
    ``is_alias``: whether a normalized name is a KB alias (a short form so tagged other than a
    person is left alone when the KB knows it: "Ford" the company, not Harrison Ford)."""
    body = [r for r in records if r.get("role") != "dateline"]
    _people_by_title(body)
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for r in body:
        by_entity.setdefault(r["entity"], []).append(r)
    # A first name's usual gender does not overrule a title ("Mr Ebbers" is Bernie Ebbers).
    gender = {e: _gender_of(rs, guess=False) for e, rs in by_entity.items()}
    # Full names of people: two words or more once a title is gone.
    surname_of: dict[str, set[str]] = {}
    head_of: dict[str, dict[str, Any]] = {}
    for r in body:
        words = person_words(r)
        if r["label"] in PERSON_LABELS and len(words) >= 2 and words[-1].isalpha():
            surname_of.setdefault(words[-1], set()).add(r["entity"])
            head_of.setdefault(r["entity"], r)
    for r in body:
        if not r["entity"].startswith("NIL:"):
            continue
        norm = normalize(r["text"])
        words = person_words(r)
        if len(words) != 1:
            continue
        titled = title_gender(norm) or strip_title(norm) != norm
        if not (r["label"] in PERSON_LABELS or titled or not (is_alias and is_alias(norm))):
            continue
        owners = surname_of.get(words[0], set())
        if len(owners) != 1:
            continue
        (owner,) = owners
        if owner == r["entity"]:
            continue
        mine = title_gender(norm)
        if mine and gender.get(owner) and mine != gender[owner]:
            continue
        _take(r, head_of[owner], "short")
        r["label"] = "PERSON"
    found = [(r["start"], r["end"], r["label"]) for r in body]
    at = {(r["start"], r["end"]): r for r in body}
    for acronym, span in defined_acronyms(text, found).items():
        name = at[span]
        same = [r for r in body if r["text"] == acronym and r is not name]
        linked = next((r for r in same if not r["entity"].startswith("NIL:")), None)
        if name["entity"].startswith("NIL:") and linked is not None:
            # The KB knows the acronym and the text says the name is the same entity.
            for r in by_entity.get(name["entity"], [name]):
                _take(r, linked, r.get("form", "name"))
            head = linked
        else:
            head = name
        for r in same:
            if r["entity"].startswith("NIL:") or r["entity"] == head["entity"]:
                _take(r, head, "acronym")


def _kind(r: dict[str, Any]) -> str | None:
    label = r["label"]
    if label in PERSON_LABELS:
        return "PERSON"
    if label in ORG_LABELS:
        return "ORG"
    if label in PLACE_LABELS:
        return "GPE"
    return None


def references(text: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pronouns and definite descriptions linked to the one entity they can stand for.

    Each is ``{"start", "end", "text", "kind": "pronoun" | "description", "entity", "name",
    "antecedent": [start, end]}``, the antecedent being the entity's nearest mention before it.
    """
    body = sorted(
        (r for r in records if r.get("role") != "dateline" and _kind(r)), key=lambda r: r["start"]
    )
    if not body:
        return []
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for r in body:
        by_entity.setdefault(r["entity"], []).append(r)
    gender = {e: _gender_of(rs) for e, rs in by_entity.items()}
    sentences = split_spans(text)
    starts = [a for a, _ in sentences]
    spans = [(r["start"], r["end"]) for r in records]

    def sentence_of(pos: int) -> int:
        i = 0
        for k, a in enumerate(starts):
            if a > pos:
                break
            i = k
        return i

    def inside_name(a: int, b: int) -> bool:
        return any(s < b and a < e for s, e in spans)

    quoted = [m.span() for m in _QUOTED.finditer(text)]

    def resolve(
        pos: int, kind: str, want: str | None, sentences_back: int = 1
    ) -> dict[str, Any] | None:
        k = sentence_of(pos)
        lo = starts[max(0, k - sentences_back)] if starts else 0
        kinds = _ITS_KINDS if kind == "its" else {kind}
        before = [r for r in body if r["end"] <= pos and _kind(r) in kinds]
        windows = [[r for r in before if r["start"] >= lo]]
        if kind != "its":
            windows.append(before)
        for window in windows:
            ents = {r["entity"] for r in window}
            if kind == "PERSON" and want:
                ents = {e for e in ents if gender.get(e) in (None, want)}
                # Only a person whose gender is known is sure enough for a pronoun.
                if len(ents) == 1 and gender.get(next(iter(ents))) is None:
                    return None
            if ents:
                if len(ents) != 1:
                    return None
                (e,) = ents
                return [r for r in window if r["entity"] == e][-1]
        return None

    out = []
    for m in _PRONOUN.finditer(text):
        # A pronoun in quoted speech is the speaker's: its referent is not the text's.
        if inside_name(*m.span()) or any(a < m.start() < b for a, b in quoted):
            continue
        word = m.group().casefold()
        if word == "its":
            ante = resolve(m.start(), "its", None, sentences_back=0)
        else:
            ante = resolve(m.start(), "PERSON", _PRONOUNS.get(word))
        if ante is not None:
            out.append(_reference(m.start(), m.end(), text, "pronoun", ante))
    for m in _DESCRIPTION.finditer(text):
        a, b = m.span(1)
        if inside_name(m.start(), b) or text[b : b + 1] == "'":
            continue
        head = m.group(1)
        kind = _DESCRIPTION_KIND[head]
        want = "female" if head in _FEMALE_HEADS else "male" if head in _MALE_HEADS else None
        ante = resolve(m.start(), kind, want)
        if ante is not None:
            out.append(_reference(a, b, text, "description", ante))
    out.sort(key=lambda r: r["start"])
    return out


def _reference(a: int, b: int, text: str, kind: str, ante: dict[str, Any]) -> dict[str, Any]:
    return {
        "start": a,
        "end": b,
        "text": text[a:b],
        "kind": kind,
        "entity": ante["entity"],
        "name": ante.get("name"),
        "antecedent": [ante["start"], ante["end"]],
    }
