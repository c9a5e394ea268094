"""Story clusters hold versions of one story, not articles on one topic (development data).

Two corpora, each run through the engine:
- **the mix**: the BBC business articles (510, several on one topic: a company's tax case,
  oil prices, a fraud trial...) with the 380 versions of the translation set (38 documents ×
  10 MT systems, each system's segments of a document joined), through ``dedup``. Gold: the
  versions of one document are one story; every BBC article is its own story, except exact and
  near repeats, which are not story errors when dedup clusters them as exact or near (their
  pairs are left out of the counts). Printed: pairwise precision and recall of story clusters,
  the adjusted Rand index and sentence-alignment accuracy, beside the MinHash-only baseline
  (datasketch, threshold 0.5) on the same texts;
- **BBC only**: all 896 BBC articles (native English, no translations), through the cleaners,
  ``mt_artifacts`` and ``dedup``. Printed: pairs of different articles that share a story
  cluster without being exact or near copies (the target is none), and the cross-version
  findings (``mt.cross.*``), which are false alarms on this corpus.

    .venv/bin/python benchmarks/precision_stories.py

``report()`` runs both and returns the figures as a dict.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_dedup import (
    EVAL,
    ROOT,
    alignment_accuracy,
    groups_of,
    load_versions,
    minhash_groups,
    pairs_from_groups,
)

BBC = ROOT / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"
BBC_CHAIN = {
    "clean": ["unicode", "boilerplate"],
    "quality": ["mt_artifacts"],
    "dedup": ["dedup"],
}


def _bbc(category: str | None = None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in BBC.open(encoding="utf-8")]
    return [r for r in rows if category is None or r["category"] == category]


def _pair_scores(
    found: set[frozenset[str]], gold: set[frozenset[str]], ignore: set[frozenset[str]]
) -> tuple[float, float]:
    found, gold = found - ignore, gold - ignore
    tp = len(found & gold)
    return (tp / len(found) if found else 1.0), (tp / len(gold) if gold else 1.0)


def _copy_labels(ids: list[str], copy_groups: list[list[str]]) -> dict[str, str]:
    """Each id's story in the gold: its own id, or the first id of its group of copies."""
    label = {d: d for d in ids}
    for g in copy_groups:
        first = min(g)
        for d in g:
            label[d] = label[first]
    return label


def mix(out: Any = sys.stdout) -> dict[str, float]:
    """Story precision, recall, ARI and alignment accuracy on BBC business + MQM versions."""
    from sklearn.metrics import adjusted_rand_score
    from textmill import Document
    from textmill.testing import run_chain

    texts, truth, spans = load_versions()
    bbc = {r["id"]: r["text"] for r in _bbc("business")}
    all_texts = {**bbc, **texts}
    docs = [Document(id=d, raw=t) for d, t in all_texts.items()]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run = run_chain(docs, {"dedup": ["dedup"]}, tmp_path=Path(tmp))
        secs = time.perf_counter() - t0
        clusters = run.query.clusters()
        alignments = run.query.alignments()
    copies = groups_of(clusters, ("exact", "near"))
    # BBC pairs clustered as copies are neither story errors nor story hits.
    ignore = {p for p in pairs_from_groups(copies) if all(d in bbc for d in p)}
    gold_groups: dict[str, list[str]] = {}
    for v, doc in truth.items():
        gold_groups.setdefault(doc, []).append(v)
    gold = pairs_from_groups(list(gold_groups.values()))
    ids = sorted(all_texts)
    label = _copy_labels(ids, [g for g in copies if all(d in bbc for d in g)])
    gold_label = [truth.get(d, label[d]) for d in ids]

    def scores(groups: list[list[str]]) -> tuple[float, float, float]:
        p, r = _pair_scores(pairs_from_groups(groups), gold, ignore)
        of = {d: k for k, g in enumerate(groups) for d in g}
        return p, r, adjusted_rand_score(gold_label, [of.get(d, d) for d in ids])

    p, r, ari = scores(groups_of(clusters, ("story",)))
    t0 = time.perf_counter()
    baseline = minhash_groups(all_texts)
    secs_mh = time.perf_counter() - t0
    bp, br, bari = scores(baseline)
    ok, total = alignment_accuracy(alignments, spans)
    acc = ok / max(1, total)
    print(
        f"mix: {len(bbc)} BBC business articles + {len(texts)} versions of "
        f"{len(gold_groups)} translated documents",
        file=out,
    )
    print(f"{'system':<34}{'story P':>9}{'story R':>9}{'ARI':>7}{'seconds':>9}", file=out)
    print(f"{'textmill dedup':<34}{p:9.3f}{r:9.3f}{ari:7.3f}{secs:9.1f}", file=out)
    print(
        f"{'MinHash-only (datasketch, 0.5)':<34}{bp:9.3f}{br:9.3f}{bari:7.3f}{secs_mh:9.1f}",
        file=out,
    )
    print(f"sentence-alignment accuracy: {acc:.3f} ({ok}/{total} aligned pairs)", file=out)
    return {
        "story_precision": p,
        "story_recall": r,
        "story_ari": ari,
        "alignment_accuracy": acc,
        "baseline_story_precision": bp,
        "baseline_story_recall": br,
        "baseline_story_ari": bari,
    }


def bbc_only(out: Any = sys.stdout) -> dict[str, float]:
    """Different BBC articles sharing a story cluster, and cross-version findings on BBC."""
    from textmill import Document
    from textmill.testing import run_chain

    rows = _bbc()
    docs = [Document(id=r["id"], raw=r["text"], title=r["title"]) for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        run = run_chain(docs, BBC_CHAIN, tmp_path=Path(tmp))
        clusters = run.query.clusters()
        codes: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        for d in run.ids():
            res = run.document(d).results.get("mt_artifacts")
            for f in res.findings if res is not None else ():
                if f.code.startswith("mt.cross."):
                    codes[f.code] += 1
                    flagged[d] += 1
    copies = pairs_from_groups(groups_of(clusters, ("exact", "near")))
    stories = groups_of(clusters, ("story",))
    wrong = sorted(tuple(sorted(p)) for p in pairs_from_groups(stories) - copies)
    n, total = len(rows), sum(codes.values())
    print(f"BBC only: {n} articles, {len(stories)} story clusters", file=out)
    print(
        f"different articles in one story cluster (not exact/near copies): {len(wrong)} pairs",
        file=out,
    )
    for a, b in wrong[:10]:
        print(f"  {a} ~ {b}", file=out)
    detail = ", ".join(f"{c} {k}" for c, k in sorted(codes.items())) or "none"
    print(
        f"cross-version findings: {total} ({total / n:.3f} per document, on {len(flagged)} "
        f"documents): {detail}",
        file=out,
    )
    return {
        "bbc_documents": n,
        "bbc_story_violations": len(wrong),
        "bbc_cross_findings": total,
        "bbc_cross_per_document": total / n,
        "bbc_cross_documents": len(flagged),
    }


def report(out: Any = sys.stdout) -> dict[str, float]:
    """Run both corpora, print their figures to ``out`` and return them."""
    missing = [p for p in (EVAL, BBC) if not p.exists()]
    if missing:
        raise SystemExit(
            f"evaluation data not found at {missing[0]}; place ../shared/eval beside the project"
        )
    figures = mix(out)
    print(file=out)
    figures |= bbc_only(out)
    return figures


if __name__ == "__main__":
    report()
