"""Entity linking on the development benchmarks, with their KB.

For each benchmark in ../shared/eval/entities/ (kb.jsonl as the knowledge base) it prints:
- NER span F1 (exact spans; gold = every labelled mention, including NIL ones),
- in-KB accuracy (linking the gold spans whose id is in the KB),
- micro-F1 of (span, id) pairs end to end,
- B-cubed F1 of the mention clusters (gold: the mentions of one Wikidata id in a document;
  predicted: the mentions of one linked or NIL entity), beside one cluster per mention text,
- precision of the pronoun and description links on the spans the benchmarks label (OKE
  labels pronouns such as "he" and "his" with the person's id),
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
    Span,
    held_out_counts,
    kb_records,
    leave_out,
    load_set,
    require_data,
)


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def bcubed(c: Counter[str], d: GoldDoc, predicted: dict[Span, str]) -> None:
    """Add B-cubed precision and recall of one document's mention clusters to ``c``.

    Items are the gold mentions with a Wikidata id (the benchmarks give NIL mentions no cluster
    of their own); a gold cluster is the mentions of one id, a predicted one the mentions of one
    predicted entity (linked or NIL), and a gold mention the linker did not find is alone in its
    predicted cluster. ``b3_base`` is the F1 of one cluster per distinct mention text."""
    items = [(s, e) for s, e in d.gold if e.startswith("Q")]
    if not items:
        return
    pred = {s: predicted.get(s, f"missing:{s}") for s, _ in items}
    text_of = {s: " ".join(d.text[s[0] : s[1]].split()) for s, _ in items}
    for s, e in items:
        gold_same = {t for t, f in items if f == e}
        pred_same = {t for t, _ in items if pred[t] == pred[s]}
        text_same = {t for t, _ in items if text_of[t] == text_of[s]}
        c["b3_n"] += 1
        c["b3_p"] += len(gold_same & pred_same) / len(pred_same)  # type: ignore[assignment]
        c["b3_r"] += len(gold_same & pred_same) / len(gold_same)  # type: ignore[assignment]
        p, r = (
            len(gold_same & text_same) / len(text_same),
            len(gold_same & text_same) / len(gold_same),
        )
        c["b3_base"] += 2 * p * r / (p + r)  # type: ignore[assignment]


_REFERENCE_WORDS = frozenset(
    ["he", "him", "his", "himself", "she", "her", "hers", "herself", "its"]
)


def references_judged(c: Counter[str], d: GoldDoc, refs: list[dict]) -> None:
    """Count the pronoun and description links whose span is a gold mention with a Wikidata id,
    and those right (the linked entity is that id); and the gold pronouns there were."""
    gold = dict(d.gold)
    c["gold_refs"] += sum(
        1
        for (a, b), e in d.gold
        if e.startswith("Q") and d.text[a:b].casefold() in _REFERENCE_WORDS
    )
    for r in refs:
        e = gold.get((r["start"], r["end"]))
        if e is None or not e.startswith("Q"):
            c["ref_unlabelled"] += 1
            continue
        c["ref_n"] += 1
        c["ref_ok"] += r["entity"] == e


def score(docs: list[GoldDoc], kb: object, nlp: object) -> dict[str, float]:
    from textmill.plugins.linker import LinkerSettings, link_document
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
        records, refs = link_document(d.text, settings, nlp, kb)
        records = [r for r in records if d.lo <= r["start"] < d.hi]
        add("ner", {(r["start"], r["end"]) for r in records}, d.spans)
        prior = set()
        for r in records:
            cands = kb.candidates(normalize(r["text"]))
            if cands:
                prior.add(((r["start"], r["end"]), cands[0][0]))
        predicted = {(r["start"], r["end"]): r["entity"] for r in records}
        add("link", {(s, e) for s, e in predicted.items() if not e.startswith("NIL:")}, d.links)
        add("prior", prior, d.links)
        bcubed(c, d, predicted)
        references_judged(c, d, refs)
        # In-KB accuracy: link the gold spans themselves.
        spans = [(s, e) for s, e in d.gold if e in kb.entities]
        label_of = {(r["start"], r["end"]): r["label"] for r in records}
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
    bp, br = c["b3_p"] / max(1, c["b3_n"]), c["b3_r"] / max(1, c["b3_n"])
    return {
        "b3": 2 * bp * br / (bp + br) if bp + br else 0.0,
        "b3_base": c["b3_base"] / max(1, c["b3_n"]),
        "refs": c["ref_n"],
        "ref_ok": c["ref_ok"],
        "ref_unlabelled": c["ref_unlabelled"],
        "gold_refs": c["gold_refs"],
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
            f"{'micro-F1':>9}{'prior F1':>9}{'B3 F1':>7}{'B3 text':>8}{'ref P':>10}"
        )
        for name, r in results[mode].items():
            refp = f"{r['ref_ok'] / r['refs']:.2f}/{r['refs']:<3}" if r["refs"] else "-"
            print(
                f"{name:<16}{len(sets[name]):>5}{r['ner']:8.3f}{r['inkb']:9.3f}"
                f"{r['inkb_prior']:10.3f}{r['f1']:9.3f}{r['prior']:9.3f}{r['b3']:7.3f}"
                f"{r['b3_base']:8.3f}{refp:>10}"
            )
        mean = sum(r["f1"] for r in results[mode].values()) / len(results[mode])
        refs = sum(r["refs"] for r in results[mode].values())
        ok = sum(r["ref_ok"] for r in results[mode].values())
        print(
            f"mean micro-F1 {mean:.3f}; pronoun/description links on labelled spans: {ok}/{refs}"
            f" right; {sum(r['ref_unlabelled'] for r in results[mode].values())} on unlabelled"
            f" spans; {sum(r['gold_refs'] for r in results[mode].values())} gold pronouns"
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
