"""Entity linking on the development benchmarks, with their KB.

For each benchmark in ../shared/eval/entities/ (kb.jsonl as the knowledge base) it prints:
- NER span F1 (exact spans; gold = every labelled mention, including NIL ones),
- in-KB accuracy (linking the gold spans whose id is in the KB),
- micro-F1 of (span, id) pairs end to end,
beside a prior-only baseline (the most frequent id for the mention's alias, with the same NER).
Then throughput: the linker stage's docs/s beside spaCy NER alone on the same documents.

    .venv/bin/python benchmarks/eval_entities.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

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


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    if not EVAL.exists():
        sys.exit(f"entity benchmarks not found at {EVAL}; place ../shared/eval beside the project")
    from textmill.plugins.linker import LinkerSettings, find_mentions
    from textmill.plugins.linker.kb import KB, normalize
    from textmill.plugins.linker.link import Mention, link_mentions
    from textmill.plugins.linker.ner import pipeline

    kb_file = str((EVAL / "kb.jsonl").resolve())
    settings = LinkerSettings(kb=kb_file)
    kb = KB.load(kb_file)
    print(f"KB: {len(kb.entities)} entities, {len(kb.index)} aliases")
    print(
        f"{'benchmark':<16}{'docs':>5}{'NER F1':>8}{'inKB acc':>9}{'prior acc':>10}"
        f"{'micro-F1':>9}{'prior F1':>9}"
    )
    all_texts: list[str] = []
    for name in SETS:
        rows = [json.loads(x) for x in (EVAL / f"{name}.jsonl").open(encoding="utf-8")]
        ner = [0, 0, 0]
        link = [0, 0, 0]
        prior_link = [0, 0, 0]
        inkb = [0, 0]
        prior_inkb = 0
        for r in rows:
            text = r["text"]
            all_texts.append(text)
            lo, hi = r.get("evaluation_span") or (0, len(text))
            gold = [
                (tuple(lab["span"]), lab.get("entity_id"))
                for lab in r["labels"]
                if lo <= lab["span"][0] < hi and lab.get("entity_id") != "<NO_MENTION>"
            ]
            gold_spans = {s for s, _ in gold}
            gold_links = {(s, e) for s, e in gold if e and e.startswith("Q")}
            mentions = [m for m in find_mentions(text, settings) if lo <= m.start < hi]
            pred_spans = {(m.start, m.end) for m in mentions}
            ner[0] += len(pred_spans & gold_spans)
            ner[1] += len(pred_spans - gold_spans)
            ner[2] += len(gold_spans - pred_spans)
            link_mentions(kb, mentions, text)
            pred_links = {((m.start, m.end), m.entity) for m in mentions if m.entity}
            prior = set()
            for m in mentions:
                cands = kb.candidates(m.norm)
                if cands:
                    prior.add(((m.start, m.end), cands[0][0]))
            for acc, pred in ((link, pred_links), (prior_link, prior)):
                acc[0] += len(pred & gold_links)
                acc[1] += len(pred - gold_links)
                acc[2] += len(gold_links - pred)
            # In-KB accuracy: link the gold spans themselves.
            spans = [(s, e) for s, e in gold if e in kb.entities]
            if spans:
                label_of = {(m.start, m.end): m.label for m in mentions}
                gm = [
                    Mention(a, b, text[a:b], label_of.get((a, b), ""), normalize(text[a:b]))
                    for (a, b), _ in spans
                ]
                link_mentions(kb, gm, text)
                inkb[0] += sum(m.entity == e for m, (_, e) in zip(gm, spans, strict=True))
                inkb[1] += len(spans)
                for m, (_, e) in zip(gm, spans, strict=True):
                    c = kb.candidates(m.norm)
                    prior_inkb += bool(c) and c[0][0] == e
        print(
            f"{name:<16}{len(rows):>5}{f1(*ner):8.3f}{inkb[0] / max(1, inkb[1]):9.3f}"
            f"{prior_inkb / max(1, inkb[1]):10.3f}{f1(*link):9.3f}{f1(*prior_link):9.3f}"
        )
    print(
        "published micro-F1 (full Wikidata): KORE50 REL 0.637, prior 0.326; MSNBC REL 0.766, prior 0.519"
    )

    # Throughput on the same documents: spaCy NER alone vs the whole stage.
    from textmill.nlp import load_nlp

    ner_only = load_nlp(disable=("parser", "tagger", "attribute_ruler", "lemmatizer", "senter"))
    ner_only("warm up")
    pipeline(kb_file, True)("warm up")
    t0 = time.perf_counter()
    for t in all_texts:
        ner_only(t)
    t_ner = time.perf_counter() - t0
    from textmill.plugins.linker import link_text

    t0 = time.perf_counter()
    for t in all_texts:
        link_text(t, settings)
    t_stage = time.perf_counter() - t0
    n = len(all_texts)
    print(
        f"throughput on {n} documents: spaCy NER alone {n / t_ner:.0f} docs/s; linker stage "
        f"{n / t_stage:.0f} docs/s (+{100 * (t_stage / t_ner - 1):.0f}% over NER)"
    )


if __name__ == "__main__":
    main()
