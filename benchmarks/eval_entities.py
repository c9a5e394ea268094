"""Entity linking on the development benchmarks, with their KB.

For each benchmark in ../shared/eval/entities/ (kb.jsonl as the knowledge base) it prints:
- NER span F1 (exact spans; gold = every labelled mention, including NIL ones),
- in-KB accuracy (linking the gold spans whose id is in the KB),
- micro-F1 of (span, id) pairs end to end,
beside a prior-only baseline (the most frequent id for the mention's alias, with the same NER).

Two KBs per benchmark:
- leave-one-benchmark-out (the headline figures): the alias counts contributed by that
  benchmark's own gold mentions are subtracted from kb.jsonl before linking it, entity ruler
  included, so the benchmark is linked as a held-aside one would be;
- oracle priors: kb.jsonl as it is, whose counts are these benchmarks' gold mentions.

Then throughput: the linker stage's docs per CPU-second beside spaCy NER alone on the same
documents (two passes, one document each way in turn).

    .venv/bin/python benchmarks/eval_entities.py [--throughput-only]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from entity_sets import (
    KB_FILE,
    SETS,
    GoldDoc,
    held_out_counts,
    kb_records,
    leave_out,
    load_set,
    require_data,
)


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(docs: list[GoldDoc], kb: object, nlp: object) -> dict[str, float]:
    from textmill.plugins.linker import LinkerSettings, find_mentions
    from textmill.plugins.linker.kb import KB, normalize
    from textmill.plugins.linker.link import Mention, link_mentions

    assert isinstance(kb, KB)
    settings = LinkerSettings()
    c: Counter[str] = Counter()

    def add(kind: str, pred: set, gold: set) -> None:
        c[kind + "tp"] += len(pred & gold)
        c[kind + "fp"] += len(pred - gold)
        c[kind + "fn"] += len(gold - pred)

    for d in docs:
        mentions = [m for m in find_mentions(d.text, settings, nlp, kb) if d.lo <= m.start < d.hi]
        add("ner", {(m.start, m.end) for m in mentions}, d.spans)
        prior = set()
        for m in mentions:
            cands = kb.candidates(m.norm)
            if cands:
                prior.add(((m.start, m.end), cands[0][0]))
        link_mentions(
            kb, mentions, d.text, fuzzy_cutoff=settings.fuzzy_cutoff, min_score=settings.min_score
        )
        add("link", {((m.start, m.end), m.entity) for m in mentions if m.entity}, d.links)
        add("prior", prior, d.links)
        # In-KB accuracy: link the gold spans themselves.
        spans = [(s, e) for s, e in d.gold if e in kb.entities]
        label_of = {(m.start, m.end): m.label for m in mentions}
        gm = [
            Mention(a, b, d.text[a:b], label_of.get((a, b), ""), normalize(d.text[a:b]))
            for (a, b), _ in spans
        ]
        link_mentions(
            kb, gm, d.text, fuzzy_cutoff=settings.fuzzy_cutoff, min_score=settings.min_score
        )
        for m, (_, e) in zip(gm, spans, strict=True):
            cands = kb.candidates(m.norm)
            c["inkb"] += 1
            c["inkb_ok"] += m.entity == e
            c["inkb_prior"] += bool(cands) and cands[0][0] == e
    n = max(1, c["inkb"])
    return {
        "ner": f1(c["nertp"], c["nerfp"], c["nerfn"]),
        "inkb": c["inkb_ok"] / n,
        "inkb_prior": c["inkb_prior"] / n,
        "f1": f1(c["linktp"], c["linkfp"], c["linkfn"]),
        "prior": f1(c["priortp"], c["priorfp"], c["priorfn"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="Entity linking on the development benchmarks.")
    ap.add_argument("--throughput-only", action="store_true", help="skip the quality figures")
    args = ap.parse_args()
    require_data()
    sets = {name: load_set(name) for name in SETS}
    if not args.throughput_only:
        quality(sets)
    throughput(sets)


def quality(sets: dict[str, list[GoldDoc]]) -> None:
    from textmill.nlp import load_nlp
    from textmill.plugins.linker.kb import KB
    from textmill.plugins.linker.ner import DISABLED_PIPES, add_ruler

    records = kb_records()
    nlp = load_nlp(disable=DISABLED_PIPES, owner="linker-eval")
    full = KB.from_entities(records)
    print(f"KB: {len(full.entities)} entities, {len(full.index)} aliases")
    results: dict[str, dict[str, dict[str, float]]] = {"loo": {}, "oracle": {}}
    for name, docs in sets.items():
        loo = KB.from_entities(leave_out(records, held_out_counts(name, sets)))
        add_ruler(nlp, loo)
        results["loo"][name] = score(docs, loo, nlp)
    add_ruler(nlp, full)
    for name, docs in sets.items():
        results["oracle"][name] = score(docs, full, nlp)

    titles = {
        "loo": "leave-one-benchmark-out priors (each benchmark's own gold counts removed)",
        "oracle": "oracle priors (kb.jsonl as is: counts from these same benchmarks)",
    }
    for mode, title in titles.items():
        print(f"\n{title}")
        print(
            f"{'benchmark':<16}{'docs':>5}{'NER F1':>8}{'inKB acc':>9}{'prior acc':>10}"
            f"{'micro-F1':>9}{'prior F1':>9}"
        )
        for name, r in results[mode].items():
            print(
                f"{name:<16}{len(sets[name]):>5}{r['ner']:8.3f}{r['inkb']:9.3f}"
                f"{r['inkb_prior']:10.3f}{r['f1']:9.3f}{r['prior']:9.3f}"
            )
    print(
        "\npublished micro-F1 (full Wikidata): KORE50 REL 0.637, prior 0.326; "
        "MSNBC REL 0.766, prior 0.519"
    )


def throughput(sets: dict[str, list[GoldDoc]]) -> None:
    """spaCy NER alone vs the whole stage (full KB), on the same documents."""
    from textmill.nlp import load_nlp
    from textmill.plugins.linker import LinkerSettings, link_text
    from textmill.plugins.linker.ner import DISABLED_PIPES

    texts = [d.text for docs in sets.values() for d in docs]
    settings = LinkerSettings(kb=str(KB_FILE.resolve()))
    ner_only = load_nlp(disable=DISABLED_PIPES)
    ner_only("warm up")
    link_text("warm up", settings)
    # CPU time, one document each way in turn: other jobs on the machine slow both alike.
    t_ner = t_stage = 0.0
    for _ in range(2):
        for t in texts:
            t0 = time.process_time()
            ner_only(t)
            t1 = time.process_time()
            link_text(t, settings)
            t_ner += t1 - t0
            t_stage += time.process_time() - t1
    n = 2 * len(texts)
    print(
        f"throughput on {len(texts)} documents (twice, CPU time): spaCy NER alone "
        f"{n / t_ner:.0f} docs/s; linker stage {n / t_stage:.0f} docs/s "
        f"({100 * (t_stage / t_ner - 1):+.0f}% over NER)"
    )


if __name__ == "__main__":
    main()
