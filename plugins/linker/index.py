"""The corpus entity index, with NIL mentions clustered across the corpus."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz
from textmill import Entity, Mention, Span, StageResult
from textmill.plugins.linker.kb import KB


def build_index(
    results: Iterable[StageResult], kb: KB, nil_similarity: float
) -> tuple[list[Entity], dict[str, dict[str, str]]]:
    """Entities with their mentions, and per document a map from a NIL id to its merged id."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    docs_of_nil: dict[str, set[str]] = defaultdict(set)
    for r in results:
        for m in (r.data or {}).get("mentions", []):
            ent = m["entity"]
            mentions[ent].append(
                Mention(r.doc_id, Span(m["start"], m["end"]), m["text"], m.get("label", ""))
            )
            labels[ent][m.get("label", "")] += 1
            if ent.startswith("NIL:"):
                docs_of_nil[ent].add(r.doc_id)
    # Merge NIL ids whose names are near-identical (spelling variants across versions), biggest first.
    nil_ids = sorted((e for e in mentions if e.startswith("NIL:")), key=lambda e: -len(mentions[e]))
    merged: dict[str, str] = {}
    # Blocked by the first two letters, so merging stays near-linear in the number of names.
    heads: dict[str, list[str]] = defaultdict(list)
    for e in nil_ids:
        name = e[4:]
        block = heads[name[:2]]
        head = next(
            # NER labels of one name often disagree across documents, so only the name counts.
            (h for h in block if fuzz.token_sort_ratio(name, h[4:]) >= nil_similarity),
            None,
        )
        if head is None:
            block.append(e)
        else:
            merged[e] = head
            mentions[head].extend(mentions.pop(e))
            labels[head].update(labels.pop(e))
    doc_map: dict[str, dict[str, str]] = defaultdict(dict)
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
                name=kbe.name if kbe else variants.most_common(1)[0][0],
                type=labels[ent_id].most_common(1)[0][0] if labels[ent_id] else "",
                mentions=tuple(sorted(ms, key=lambda m: (m.doc_id, m.span.start))),
                kb_id=kbe.id if kbe else None,
                description=kbe.description if kbe else "",
                data=data,
            )
        )
    return out, dict(doc_map)
