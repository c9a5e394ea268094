"""The corpus entity index, with NIL mentions clustered across the corpus."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz
from textmill import Entity, Mention, Span, StageResult
from textmill.plugins.linker.kb import KB, normalize


def build_index(
    results: Iterable[StageResult], kb: KB, nil_similarity: float
) -> tuple[list[Entity], dict[str, dict[str, str]]]:
    """Entities with their mentions, and per document a map from a NIL id to its merged id.

    NIL mentions of one name across documents are one entity ("NIL:bernie ebbers"; a document
    has already joined "Mr Ebbers" and "Ebbers" to it), and names spelled nearly alike merge.
    A person named by one word alone ("Sullivan") stays an entity of its document
    ("NIL:sullivan@doc-id"): a surname is not enough to say two documents mean one person.
    Ids are names and document ids, so a corpus gives the same ids in any run."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    docs_of_nil: dict[str, set[str]] = defaultdict(set)
    scoped: dict[str, dict[str, str]] = defaultdict(dict)
    for r in results:
        rows = (r.data or {}).get("mentions", [])
        doc_labels: dict[str, Counter[str]] = defaultdict(Counter)
        for m in rows:
            doc_labels[m["entity"]][m.get("label", "")] += 1
        for m in rows:
            ent = m["entity"]
            if ent.startswith("NIL:") and _lone_person(ent, doc_labels[ent]):
                ent = scoped[r.doc_id].setdefault(ent, f"{ent}@{r.doc_id}")
            mentions[ent].append(
                Mention(r.doc_id, Span(m["start"], m["end"]), m["text"], m.get("label", ""))
            )
            labels[ent][m.get("label", "")] += 1
            if ent.startswith("NIL:"):
                docs_of_nil[ent].add(r.doc_id)
    # Merge NIL ids whose names are near-identical (spelling variants across versions), biggest
    # first, then by name, so the head of a group does not depend on the order documents came in.
    nil_ids = sorted(
        (e for e in mentions if e.startswith("NIL:") and "@" not in e),
        key=lambda e: (-len(mentions[e]), e),
    )
    merged: dict[str, str] = {}
    # Blocked by the first two letters, so merging stays near-linear in the number of names.
    heads: dict[str, list[str]] = defaultdict(list)
    for e in nil_ids:
        name = e[4:]
        block = heads[name[:2]]
        person = labels[e].most_common(1)[0][0] == "PERSON"
        head = next(
            # NER labels of one name often disagree across documents, so only the name counts.
            (h for h in block if _same_name(name, h[4:], nil_similarity, person)),
            None,
        )
        if head is None:
            block.append(e)
        else:
            merged[e] = head
            mentions[head].extend(mentions.pop(e))
            labels[head].update(labels.pop(e))
    doc_map: dict[str, dict[str, str]] = defaultdict(dict)
    for d, renamed in scoped.items():
        doc_map[d].update(renamed)
    for e, head in merged.items():
        for d in docs_of_nil[e]:
            doc_map[d][e] = head
    out = []
    for ent_id, ms in sorted(mentions.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        kbe = kb.entities.get(ent_id)
        variants = Counter(m.text for m in ms)
        data: dict[str, Any] = {
            "variants": dict(variants.most_common()),
            "documents": len({m.doc_id for m in ms}),
            "count": len(ms),
        }
        if kbe is not None:
            data.update(gender=kbe.gender, wikidata=kbe.wikidata, types=list(kbe.types))
        out.append(
            Entity(
                id=ent_id,
                name=kbe.name if kbe else _nil_name(ent_id, variants),
                type=labels[ent_id].most_common(1)[0][0] if labels[ent_id] else "",
                mentions=tuple(sorted(ms, key=lambda m: (m.doc_id, m.span.start))),
                kb_id=kbe.id if kbe else None,
                description=kbe.description if kbe else "",
                data=data,
            )
        )
    return out, dict(doc_map)


def _lone_person(ent: str, labels: Counter[str]) -> bool:
    """A NIL person named by one word alone in its document."""
    return " " not in ent[4:] and labels.most_common(1)[0][0] == "PERSON"


def _same_name(a: str, b: str, similarity: float, person: bool) -> bool:
    """Whether two NIL names are one spelled two ways: near in spelling, with the same words
    but one, and that one nearly alike ("syrskyi"/"syrskyy", "organisation"/"organization").
    A word and its extension are not spellings of one name ("india"/"indian" are a country and
    its people), but a plural is ("british chambers of commerce"); and for people the differing word must be long: "john smith" and "joan smith"
    are near in spelling but two people."""
    if fuzz.token_sort_ratio(a, b) < similarity:
        return False
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return not person
    diff = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
    return len(diff) <= 1 and all(
        x[0] == y[0]
        and (not (x.startswith(y) or y.startswith(x)) or (not person and _plural(x, y)))
        and (not person or min(len(x), len(y)) >= 5)
        and fuzz.ratio(x, y) >= 80
        for x, y in diff
    )


def _nil_name(ent_id: str, variants: Counter[str]) -> str:
    """A NIL entity's name: the most frequent of its forms that is its name in full ("Wim Kok",
    not "Mr Kok" or "Kok"), else its most frequent form."""
    key = ent_id[4:].split("@", 1)[0]
    full = [v for v, _ in variants.most_common() if normalize(v) == key]
    return full[0] if full else variants.most_common(1)[0][0]


def _plural(x: str, y: str) -> bool:
    return x + "s" == y or y + "s" == x
