"""Precision of the mt_artifacts checks and separation of its score, on development data only.

Printed:
- findings per document by code and severity on native English (the first BBC business
  articles, ``--bbc N``), on the seeds (machine translations) and on the WMT23 zh-en MT outputs
  (each system's segments of a document joined one a line);
- each code's precision against the MQM error spans of the translation set (a finding is a hit
  when it overlaps a Fluency/* or Accuracy/* span of any rater in its segment), beside the share
  of all segments marked with such an error (the precision of flagging at random);
- precision per code on the hand-labelled sample (``tests/data/mt_findings_labelled.jsonl``):
  a finding the checks emit today, matched to its label by document, code and span;
- the document score (monolingual) on BBC and on the MT outputs, the share labelled "good",
  and the ROC AUC of native over MT documents (on all MT versions, and on the versions of the
  source documents ``benchmarks/train_document.py`` held out), beside the AUC of document
  length on the same documents as a baseline. The BBC articles scored here (the first 300
  business ones by default) are not among the document model's training articles.

- story-cluster pairwise precision and recall (with ARI and alignment accuracy) on a corpus that
  mixes BBC articles with the MQM versions, and BBC alone: the figures of
  ``benchmarks/precision_stories.py``, run in the same process (``--skip-stories`` leaves them).

    nice .venv/bin/python benchmarks/eval_precision.py [--bbc 300] [--mqm 380]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval"
BBC = EVAL / "summarization" / "bbc.jsonl"
MQM = EVAL / "translations" / "wmt23-zhen-mqm.jsonl.gz"
LABELS = ROOT / "tests" / "data" / "mt_findings_labelled.jsonl"
SERIOUS = ("warning", "error")


def bbc_docs(n: int) -> dict[str, str]:
    """The first ``n`` BBC business articles, by id (native English)."""
    out: dict[str, str] = {}
    with BBC.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["category"] == "business" and len(out) < n:
                out[r["id"]] = r["text"]
    return out


def seed_docs() -> dict[str, str]:
    from textmill.testing import SEEDS

    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def mqm_docs(
    n: int = 0,
) -> tuple[dict[str, str], dict[str, list[tuple[int, int, list[tuple[int, int]]]]]]:
    """Each system's version of each document (segments one a line) by ``doc::system``, and per
    version the segments as ``(start, end, error spans in document offsets)``; the error spans
    are every rater's Fluency/* and Accuracy/* spans."""
    segs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with gzip.open(MQM, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            segs[f"{r['doc']}::{r['system']}"].append(r)
    texts: dict[str, str] = {}
    where: dict[str, list[tuple[int, int, list[tuple[int, int]]]]] = {}
    for vid in sorted(segs)[: n or None]:
        pos, parts, marks = 0, [], []
        for r in sorted(segs[vid], key=lambda r: int(r["seg"])):
            t = r["target"]
            spans = [
                (pos + e["span"][0], pos + e["span"][1])
                for e in r.get("errors", [])
                if str(e.get("category", "")).startswith(("Fluency", "Accuracy"))
                and e.get("span")
                and e["span"][1] > e["span"][0]
            ]
            parts.append(t)
            marks.append((pos, pos + len(t), spans))
            pos += len(t) + 1
        texts[vid] = "\n".join(parts)
        where[vid] = marks
    return texts, where


def findings_of(texts: dict[str, str]) -> dict[str, list[Any]]:
    from textmill.plugins.mt_artifacts.checks import run_checks

    return {k: run_checks(t) for k, t in texts.items()}


def per_doc_table(name: str, found: dict[str, list[Any]]) -> dict[str, float]:
    """Print findings per document by code and severity; return warning/error per doc."""
    n = max(1, len(found))
    counts: Counter[tuple[str, str]] = Counter()
    docs_with: Counter[str] = Counter()
    for fs in found.values():
        for f in fs:
            counts[(f.code, f.severity)] += 1
        docs_with.update({f.code for f in fs if f.severity in SERIOUS})
    serious = sum(c for (_, sev), c in counts.items() if sev in SERIOUS)
    print(f"\n{name}: {len(found)} documents, findings per document by code and severity")
    for (code, sev), c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {code:<24}{sev:<9}{c:>6}{c / n:>9.3f}/doc")
    print(
        f"  mt.* warning/error per document: {serious / n:.3f} "
        f"({serious} on {sum(1 for fs in found.values() if any(f.severity in SERIOUS for f in fs))} documents)"
    )
    pg = sum(c for (code, _), c in counts.items() if code == "mt.pronoun-gender")
    print(f"  mt.pronoun-gender per document: {pg / n:.3f}")
    return {"serious_per_doc": serious / n, "pronoun_per_doc": pg / n}


def mqm_precision(
    texts_of: dict[str, str],
    found: dict[str, list[Any]],
    where: dict[str, list[tuple[int, int, list[tuple[int, int]]]]],
) -> None:
    import re

    marked = sum(1 for segs in where.values() for _, _, sp in segs if sp)
    total = sum(len(segs) for segs in where.values())
    # Chance: the share of words that overlap an error span (a finding on one word at random).
    words = inside = 0
    for vid, segs in where.items():
        for a, b, sp in segs:
            for m in re.finditer(r"\w+", texts_of[vid][a:b]):
                words += 1
                inside += any(s < a + m.end() and a + m.start() < e for s, e in sp)
    print(
        f"\nprecision against MQM error spans (Fluency/Accuracy, any rater, any overlap); "
        f"{marked}/{total} segments ({marked / max(1, total):.3f}) carry such a span; "
        f"chance (a random word overlaps one): {inside / max(1, words):.3f}"
    )
    hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for vid, fs in found.items():
        for f in fs:
            if f.span is None:
                continue
            seg = next(((a, b, sp) for a, b, sp in where[vid] if a <= f.span.start <= b), None)
            if seg is None:
                continue
            row = hits[(f.code, f.severity)]
            row[0] += 1
            row[1] += any(s < f.span.end and f.span.start < e for s, e in seg[2])
            row[2] += bool(seg[2])
    for (code, sev), (n, hit, seg_hit) in sorted(hits.items(), key=lambda kv: -kv[1][0]):
        print(
            f"  {code:<24}{sev:<9} span precision {hit / n:.3f} ({hit}/{n}), "
            f"segment marked {seg_hit / n:.3f}"
        )


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def labelled_texts(labels: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """The text of every document the labelled sample draws on, read in place."""
    wanted = {(x["source"], x["doc"]) for x in labels}
    out: dict[tuple[str, str], str] = {}
    if any(s == "bbc" for s, _ in wanted):
        with BBC.open(encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if ("bbc", r["id"]) in wanted:
                    out[("bbc", r["id"])] = r["text"]
    if any(s == "mqm" for s, _ in wanted):
        texts, _ = mqm_docs()
        out.update({("mqm", k): v for k, v in texts.items() if ("mqm", k) in wanted})
    if any(s == "seed" for s, _ in wanted):
        out.update({("seed", k): v for k, v in seed_docs().items() if ("seed", k) in wanted})
    return out


def labelled_precision(
    labels: list[dict[str, Any]], texts: dict[tuple[str, str], str]
) -> dict[str, tuple[int, int, int]]:
    """Per code, over today's warning/error findings on the labelled documents:
    ``(true, labelled, unlabelled)``."""
    from textmill.plugins.mt_artifacts.checks import run_checks

    by_key = {(x["source"], x["doc"], x["code"], x["start"], x["end"]): x for x in labels}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (source, doc), text in texts.items():
        for f in run_checks(text):
            if f.severity not in SERIOUS or f.span is None:
                continue
            row = out[f.code]
            lab = by_key.get((source, doc, f.code, f.span.start, f.span.end))
            if lab is None:
                row[2] += 1
                continue
            row[1] += 1
            row[0] += bool(lab["true"])
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def auc(pos: list[float], neg: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([1] * len(pos) + [0] * len(neg), pos + neg))


def scores_of(texts: dict[str, str], found: dict[str, list[Any]]) -> dict[str, tuple[float, str]]:
    from textmill.plugins.mt_artifacts.score import label_of, score_document

    out = {}
    for k, t in texts.items():
        s, _ = score_document(t, found[k])
        out[k] = (s, label_of(s))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bbc", type=int, default=300, help="BBC business articles")
    ap.add_argument("--mqm", type=int, default=0, help="MT versions (0 = all 380)")
    ap.add_argument("--skip-score", action="store_true", help="findings and precision only")
    ap.add_argument("--skip-stories", action="store_true", help="no story-cluster figures")
    args = ap.parse_args()
    t0 = time.perf_counter()
    bbc = bbc_docs(args.bbc)
    seeds = seed_docs()
    mqm, where = mqm_docs(args.mqm)
    f_bbc, f_seeds, f_mqm = findings_of(bbc), findings_of(seeds), findings_of(mqm)
    per_doc_table("BBC business (native English)", f_bbc)
    per_doc_table("seeds (machine translations)", f_seeds)
    per_doc_table("WMT23 zh-en MT outputs", f_mqm)
    mqm_precision(mqm, f_mqm, where)

    labels = load_labels()
    if labels:
        prec = labelled_precision(labels, labelled_texts(labels))
        print(f"\nlabelled sample ({len(labels)} findings): precision of today's warning/error")
        for code, (true, n, unl) in sorted(prec.items()):
            p = true / n if n else float("nan")
            print(f"  {code:<24} precision {p:.3f} ({true}/{n}), unlabelled {unl}")

    print("\nseverity in force (plugins/mt_artifacts/severity.py) and as measured in this run")
    from textmill.plugins.mt_artifacts.severity import SEVERITY

    print(f"  {'code':<24}{'in force':<10}{'native/doc':>11}")
    for code in sorted(SEVERITY):
        n_native = sum(f.code == code for fs in f_bbc.values() for f in fs) / max(1, len(f_bbc))
        print(f"  {code:<24}{SEVERITY[code]:<10}{n_native:>11.3f}")
    if args.skip_score:
        print(f"\n{time.perf_counter() - t0:.0f} s")
        return
    s_bbc, s_mqm, s_seeds = scores_of(bbc, f_bbc), scores_of(mqm, f_mqm), scores_of(seeds, f_seeds)
    nat = [s for s, _ in s_bbc.values()]
    mt = [s for s, _ in s_mqm.values()]
    print("\ndocument score (monolingual)")
    for name, sc in (("BBC", s_bbc), ("WMT23 MT", s_mqm), ("seeds", s_seeds)):
        vals = sorted(s for s, _ in sc.values())
        labs = Counter(lab for _, lab in sc.values())
        print(
            f"  {name:<10} n {len(vals):>4}  min {vals[0]:.3f}  median {vals[len(vals) // 2]:.3f}  "
            f"max {vals[-1]:.3f}  mean {sum(vals) / len(vals):.3f}  labels {dict(labs)}"
        )
    print(f"  ROC AUC native over MT (all versions): {auc(nat, mt):.3f}")
    # The document model (benchmarks/train_document.py) trained on the MT versions of the
    # even-position source documents; the odd-position ones are held out.
    docs = sorted({k.split("::")[0] for k in s_mqm})
    held_docs = set(docs[1::2])
    mt_held = [s for k, (s, _) in s_mqm.items() if k.split("::")[0] in held_docs]
    len_held = [float(len(t)) for k, t in mqm.items() if k.split("::")[0] in held_docs]
    print(
        f"  ROC AUC native over MT, held-out source documents ({len(mt_held)} versions): "
        f"{auc(nat, mt_held):.3f}"
    )
    print(
        "  baseline on the held-out documents, longer document first: "
        f"{auc([float(len(t)) for t in bbc.values()], len_held):.3f}"
    )
    print(
        "  baseline, longer document first: "
        f"{auc([float(len(t)) for t in bbc.values()], [float(len(t)) for t in mqm.values()]):.3f}"
    )
    if not args.skip_stories:
        import precision_stories

        print("\nstory clusters (benchmarks/precision_stories.py)")
        try:
            precision_stories.report()
        except ModuleNotFoundError as exc:  # its MinHash baseline is in the bench extra
            print(f"  skipped: {exc.name} is missing; install it with pip install -e '.[bench]'")
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
