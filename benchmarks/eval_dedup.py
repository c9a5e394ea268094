"""Dedup quality on versions of translated documents.

Rebuilds each MT system's version of each document of the translation set (segments joined in
``seg`` order, one per line), runs the dedup plugin through the engine, and prints:
- the adjusted Rand index of story clusters against the true document grouping;
- sentence-alignment accuracy: aligned pairs whose sentences come from the same ``seg`` id;
- precision and recall of near-duplicate pairs, after injecting copies (re-punctuated,
  re-cased, a sentence dropped) of some versions;
beside, from the same run, a MinHash-only baseline (datasketch MinHashLSH) and the all-pairs
rapidfuzz baseline.

    .venv/bin/python benchmarks/eval_dedup.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "translations" / "wmt23-zhen-mqm.jsonl.gz"


def load_versions() -> tuple[dict[str, str], dict[str, str], dict[str, list[tuple[int, int, int]]]]:
    """Texts by version id, true document by version id, and (start, end, seg) per version."""
    with gzip.open(EVAL, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    segs: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        segs[(r["system"], r["doc"])].append((int(r["seg"]), r["target"].strip()))
    texts, truth, spans = {}, {}, {}
    for (system, doc), items in sorted(segs.items()):
        vid = f"{doc}::{system}"
        pos, parts, where = 0, [], []
        for seg, t in sorted(items):
            parts.append(t)
            where.append((pos, pos + len(t), seg))
            pos += len(t) + 1
        texts[vid] = "\n".join(parts)
        truth[vid] = doc
        spans[vid] = where
    return texts, truth, spans


def seg_at(where: list[tuple[int, int, int]], offset: int) -> int | None:
    for a, b, seg in where:
        if a <= offset < b:
            return seg
    return None


def perturb(text: str, rng: random.Random, kind: str) -> str:
    if kind == "recase":
        return text.lower()
    if kind == "repunct":
        return re.sub(r"[,;:]", "", text).replace(". ", "; ").replace("\n", " ")
    lines = text.split("\n")
    if len(lines) > 2:
        del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def pairs_from_groups(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]}


def groups_of(clusters: list, kinds: tuple[str, ...]) -> list[list[str]]:
    """The member ids of each cluster of the given kinds."""
    return [[m.doc_id for m in c.members] for c in clusters if c.kind in kinds]


def alignment_accuracy(
    alignments: list, spans: dict[str, list[tuple[int, int, int]]]
) -> tuple[int, int]:
    """Aligned pairs between two translated versions whose sentences come from the same
    ``seg``, and all aligned pairs between two translated versions."""
    ok = total = 0
    for a in alignments:
        if a.doc_a in spans and a.doc_b in spans:
            sa, sb = seg_at(spans[a.doc_a], a.span_a.start), seg_at(spans[a.doc_b], a.span_b.start)
            total += 1
            ok += sa is not None and sa == sb
    return ok, total


def _shingles(text: str) -> list[bytes]:
    words = re.findall(r"\w+", text.lower())
    return [" ".join(words[j : j + 5]).encode() for j in range(max(1, len(words) - 4))]


def minhash_groups(texts: dict[str, str], threshold: float = 0.5) -> list[list[str]]:
    """The MinHash-only baseline: datasketch MinHashLSH over word 5-grams, clusters by
    union-find over every query's answers."""
    from datasketch import MinHash, MinHashLSH
    from textmill.plugins.dedup.clusters import UnionFind

    order = sorted(texts)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    hashes = []
    for i, v in enumerate(order):
        m = MinHash(num_perm=128)
        m.update_batch(_shingles(texts[v]))
        lsh.insert(str(i), m)
        hashes.append(m)
    uf = UnionFind()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            uf.union(i, int(j))
    return [[order[i] for i in g] for g in uf.groups()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=60)
    args = ap.parse_args()
    if not EVAL.exists():
        sys.exit(f"translation set not found at {EVAL}; place ../shared/eval beside the project")
    from sklearn.metrics import adjusted_rand_score
    from textmill import Document
    from textmill.testing import run_chain

    texts, truth, spans = load_versions()
    rng = random.Random(7)
    injected: dict[str, str] = {}
    for k, vid in enumerate(rng.sample(sorted(texts), args.copies)):
        kind = ("recase", "repunct", "drop")[k % 3]
        cid = f"{vid}::copy-{kind}"
        injected[cid] = vid
    all_texts = dict(texts)
    for cid, src in injected.items():
        all_texts[cid] = perturb(texts[src], rng, cid.rsplit("-", 1)[1])
    print(
        f"{len(texts)} versions of {len(set(truth.values()))} documents, "
        f"+{len(injected)} injected copies"
    )
    docs = [Document(id=v, raw=t) for v, t in all_texts.items()]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        out = run_chain(docs, {"dedup": ["dedup"]}, tmp_path=Path(tmp))
        secs = time.perf_counter() - t0
        clusters = out.query.clusters()
        alignments = out.query.alignments()
    story_of = {}
    for c in clusters:
        if c.kind == "story":
            for m in c.members:
                story_of[m.doc_id] = c.id
    ids = sorted(texts)
    pred = [story_of.get(v, v) for v in ids]
    gold = [truth[v] for v in ids]
    ari = adjusted_rand_score(gold, pred)
    ok, total = alignment_accuracy(alignments, spans)
    true_pairs = {frozenset((c, s)) for c, s in injected.items()}
    near_groups = groups_of(clusters, ("exact", "near"))
    found = {p for p in pairs_from_groups(near_groups) if any(x in injected for x in p)}
    prec = len(found & true_pairs) / len(found) if found else 0.0
    rec = len(found & true_pairs) / len(true_pairs)
    print(f"{'system':<36}{'story ARI':>10}{'near P':>8}{'near R':>8}{'seconds':>9}")
    print(f"{'textmill dedup':<36}{ari:10.3f}{prec:8.3f}{rec:8.3f}{secs:9.1f}")
    print(f"sentence-alignment accuracy: {ok / max(1, total):.3f} ({ok}/{total} aligned pairs)")

    # MinHash-only baseline: datasketch, LSH threshold 0.5, clusters by union-find.
    t0 = time.perf_counter()
    groups = minhash_groups(all_texts)
    secs_mh = time.perf_counter() - t0
    grp_of = {v: k for k, g in enumerate(groups) for v in g}
    pred_mh = [grp_of.get(v, v) for v in ids]
    found_mh = {p for p in pairs_from_groups(groups) if any(x in injected for x in p)}
    p_mh = len(found_mh & true_pairs) / len(found_mh) if found_mh else 0.0
    r_mh = len(found_mh & true_pairs) / len(true_pairs)
    ari_mh = adjusted_rand_score(gold, pred_mh)
    print(
        f"{'MinHash-only (datasketch, 0.5)':<36}{ari_mh:10.3f}{p_mh:8.3f}{r_mh:8.3f}{secs_mh:9.1f}"
    )

    # All-pairs rapidfuzz baseline for near-duplicates (ratio >= 0.8).
    from rapidfuzz import fuzz
    from textmill.plugins.dedup.clusters import UnionFind

    t0 = time.perf_counter()
    order = sorted(all_texts)
    norm = {v: " ".join(re.findall(r"\w+", t.casefold())) for v, t in all_texts.items()}
    uf = UnionFind()
    for i in range(len(order)):
        for j in range(i + 1, len(order)):
            if fuzz.ratio(norm[order[i]], norm[order[j]], score_cutoff=80):
                uf.union(i, j)
    secs_rf = time.perf_counter() - t0
    groups = [[order[i] for i in g] for g in uf.groups()]
    grp_of = {v: k for k, g in enumerate(groups) for v in g}
    found_rf = {p for p in pairs_from_groups(groups) if any(x in injected for x in p)}
    p_rf = len(found_rf & true_pairs) / len(found_rf) if found_rf else 0.0
    r_rf = len(found_rf & true_pairs) / len(true_pairs)
    ari_rf = adjusted_rand_score(gold, [grp_of.get(v, v) for v in ids])
    print(
        f"{'all-pairs rapidfuzz (ratio 0.8)':<36}{ari_rf:10.3f}{p_rf:8.3f}{r_rf:8.3f}{secs_rf:9.1f}"
    )


if __name__ == "__main__":
    main()
