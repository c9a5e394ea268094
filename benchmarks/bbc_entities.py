"""Entities on real news: the linker over BBC articles, as a run would link them.

Reads the first N articles of ../shared/eval/summarization/bbc.jsonl in place, runs the linker's
per-document hook and its corpus hook (NIL clustering, the entity index) with the shipped
starter KB, and prints the distinct entities per 100 documents, how many are NIL, and the
merges: corpus entities whose mentions were written in more than one way. ``--sample K``
writes K merges drawn with a fixed seed to ``--out`` (JSONL) for checking by hand.

    .venv/bin/python benchmarks/bbc_entities.py [-n 300] [--sample 50 --out merges.jsonl]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"


class MemoryCorpus:
    """The part of the ``Corpus`` protocol the linker's corpus hook reads."""

    def __init__(self, results: dict[str, Any]):
        self._results = results

    def results(self, plugin: str) -> Iterator[Any]:
        return iter(self._results.values())

    def result(self, doc_id: str, plugin: str) -> Any:
        return self._results.get(doc_id)


def load(n: int) -> list[dict[str, Any]]:
    if not BBC.exists():
        sys.exit(f"BBC articles not found at {BBC}; place ../shared/eval beside the project")
    out = []
    with BBC.open(encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def run(n: int) -> tuple[list[Any], dict[str, str], float]:
    """The corpus entities of the first ``n`` articles, their texts by id, and the seconds taken."""
    from textmill import DocContext, Document, StageResult
    from textmill.plugins import linker

    settings = linker.LinkerSettings()
    texts: dict[str, str] = {}
    results = {}
    t0 = time.perf_counter()
    for row in load(n):
        doc = Document(id=row["id"], raw=row["text"], text=row["text"])
        texts[doc.id] = doc.text
        res = linker.textmill_entities(doc=doc, settings=settings, ctx=DocContext())
        results[doc.id] = StageResult(
            doc.id, "linker", "entities", "ok", res.score, res.label, res.findings, res.data
        )
    out = linker.textmill_corpus_entities(corpus=MemoryCorpus(results), settings=settings)
    return list(out.entities), texts, time.perf_counter() - t0


def merges(entities: list[Any]) -> list[dict[str, Any]]:
    """One row per corpus entity written in more than one way: its forms and where."""
    rows = []
    for e in entities:
        where: dict[str, list[str]] = defaultdict(list)
        for m in e.mentions:
            key = m.text.strip()
            if m.doc_id not in where[key]:
                where[key].append(m.doc_id)
        if len(where) > 1:
            rows.append(
                {
                    "entity": e.id,
                    "name": e.name,
                    "type": e.type,
                    "forms": {k: v[:3] for k, v in sorted(where.items())},
                    "documents": len({m.doc_id for m in e.mentions}),
                }
            )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=300, help="articles to read (default 300)")
    ap.add_argument("--sample", type=int, default=0, help="merges to write for checking")
    ap.add_argument("--out", type=Path, help="JSONL file for the sampled merges")
    args = ap.parse_args()
    entities, _texts, secs = run(args.n)
    nil = sum(1 for e in entities if e.kb_id is None)
    mentions = sum(len(e.mentions) for e in entities)
    rows = merges(entities)
    per100 = 100 * len(entities) / args.n
    print(
        f"{args.n} BBC articles in {secs:.0f}s: {mentions} mentions, {len(entities)} entities "
        f"({per100:.0f} per 100 documents), {nil} NIL; {len(rows)} entities written in more "
        "than one way"
    )
    if args.sample and args.out:
        sample = random.Random(18).sample(rows, min(args.sample, len(rows)))
        with args.out.open("w", encoding="utf-8") as fh:
            for r in sample:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {len(sample)} merges to {args.out}")


if __name__ == "__main__":
    main()
