"""The entity-linking benchmarks in ../shared/eval/entities/ and leave-one-benchmark-out KBs.

``kb.jsonl``'s alias counts are the gold mentions of the development benchmarks themselves, so
linking a benchmark with it uses priors learned from that benchmark's own answers. Held-aside
benchmarks get no such help. :func:`leave_out` subtracts one benchmark's gold mentions from the
counts: an alias only that benchmark used disappears, and an entity left without aliases keeps
its name alone (as the KB's entities that no development benchmark mentions already do).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from textmill.plugins.linker.kb import KBEntity, normalize, read_jsonl

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "entities"
SETS = (
    "kore50",
    "msnbc-updated",
    "derczynski",
    "rss-500",
    "spotlight",
    "oke-2015-train",
    "oke-2016-train",
)
KB_FILE = EVAL / "kb.jsonl"

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldDoc:
    text: str
    lo: int
    hi: int
    # Every labelled mention in the evaluation span: (span, id), id a Q-id, "<NIL>" or similar.
    gold: tuple[tuple[Span, str], ...]

    @property
    def spans(self) -> set[Span]:
        return {s for s, _ in self.gold}

    @property
    def links(self) -> set[tuple[Span, str]]:
        return {(s, e) for s, e in self.gold if e.startswith("Q")}


def require_data() -> None:
    if not KB_FILE.exists():
        sys.exit(f"entity benchmarks not found at {EVAL}; place ../shared/eval beside the project")


def load_set(name: str) -> list[GoldDoc]:
    docs = []
    with (EVAL / f"{name}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text = r["text"]
            lo, hi = r.get("evaluation_span") or (0, len(text))
            gold = tuple(
                ((lab["span"][0], lab["span"][1]), str(lab.get("entity_id")))
                for lab in r["labels"]
                if lo <= lab["span"][0] < hi and lab.get("entity_id") != "<NO_MENTION>"
            )
            docs.append(GoldDoc(text, lo, hi, gold))
    return docs


def kb_records() -> list[KBEntity]:
    return list(read_jsonl(KB_FILE))


def alias_counts(docs: Iterable[GoldDoc]) -> Counter[tuple[str, str]]:
    """How often each (mention text, entity) pair is a gold mention in ``docs``."""
    out: Counter[tuple[str, str]] = Counter()
    for d in docs:
        for (a, b), e in d.gold:
            if e.startswith("Q"):
                out[(d.text[a:b].strip(), e)] += 1
    return out


def held_out_counts(name: str, sets: dict[str, list[GoldDoc]]) -> Counter[tuple[str, str]]:
    """The counts benchmark ``name``'s documents put into the KB, wherever they are labelled.

    A text in two benchmarks (most of OKE-2015's documents are in OKE-2016 too) counts in both,
    so leaving one out removes its other labelling as well."""
    texts = {" ".join(d.text.split()) for d in sets[name]}
    docs = [
        d
        for other, ds in sets.items()
        for d in ds
        if other == name or " ".join(d.text.split()) in texts
    ]
    return alias_counts(docs)


def leave_out(records: list[KBEntity], counts: Counter[tuple[str, str]]) -> list[KBEntity]:
    """``records`` with ``counts`` subtracted from their alias counts.

    A count is taken from the alias of the same text, else from aliases with the same
    normalized form. Aliases left at 0 are dropped, except the entity's name."""
    by_entity: dict[str, list[tuple[str, int]]] = {}
    for (text, e), n in counts.items():
        by_entity.setdefault(e, []).append((text, n))
    out = []
    for ent in records:
        todo = by_entity.get(ent.id)
        if not todo:
            out.append(ent)
            continue
        aliases = {a: c for a, c in ent.aliases}
        for text, n in todo:
            targets = [text] if text in aliases else []
            targets += [a for a in aliases if a != text and normalize(a) == normalize(text)]
            for a in targets:
                take = min(n, aliases[a])
                aliases[a] -= take
                n -= take
        name = normalize(ent.name)
        kept = tuple((a, c) for a, c in aliases.items() if c > 0 or normalize(a) == name)
        out.append(replace(ent, aliases=kept))
    return out
