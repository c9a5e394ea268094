"""Dedup at scale: docs/s, peak memory and recall of injected duplicates.

Generates news-length documents from the summarization and translation sets (each base text
used once, then shuffled paragraphs and word swaps make new distinct documents), injects known
near-duplicates (re-cased, re-punctuated, a sentence dropped, a few words changed), and runs:
- the dedup plugin's exact+near levels (signatures, LSH, rapidfuzz verification), and
- a plain datasketch loop (MinHash.update_batch + MinHashLSH insert/query), the speed anchor,
on the same documents. Each size runs in a fresh process so peak RSS is its own.

    .venv/bin/python benchmarks/dedup_scale.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval"


def base_texts() -> list[str]:
    out = [json.loads(x)["text"] for x in (EVAL / "summarization" / "bbc.jsonl").open()]
    out += [json.loads(x)["text"] for x in (EVAL / "cleaning" / "aeb.jsonl").open()]
    return out


def generate(
    n: int, dup_share: float = 0.05, seed: int = 3
) -> tuple[list[str], list[tuple[int, int]]]:
    rng = random.Random(seed)
    bases = base_texts()
    vocab = sorted({w for t in bases[:200] for w in re.findall(r"[a-z]{4,}", t)})
    docs: list[str] = []
    truth: list[tuple[int, int]] = []
    while len(docs) < n:
        if docs and rng.random() < dup_share:
            src = rng.randrange(len(docs))
            text = docs[src]
            kind = rng.randrange(3)
            if kind == 0:
                text = text.lower()
            elif kind == 1:
                text = re.sub(r"[,;]", "", text)
            else:
                sents = text.split(". ")
                if len(sents) > 3:
                    del sents[rng.randrange(len(sents))]
                text = ". ".join(sents)
            truth.append((src, len(docs)))
            docs.append(text)
            continue
        paras = rng.choice(bases).split("\n\n")
        rng.shuffle(paras)
        words = "\n\n".join(paras[:8]).split(" ")
        for _ in range(max(3, len(words) // 8)):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        docs.append(" ".join(words))
    return docs, truth


class ListCorpus:
    """The corpus protocol over a list, so the benchmark times the plugin, not the store."""

    def __init__(self, texts: list[str]) -> None:
        from textmill import Document

        self.docs = [Document(id=f"d{i:07d}", raw=t) for i, t in enumerate(texts)]
        self.by_id = {d.id: d for d in self.docs}

    def __len__(self) -> int:
        return len(self.docs)

    def documents(self) -> Iterator:
        return iter(self.docs)

    def document(self, doc_id: str):
        return self.by_id.get(doc_id)

    def result(self, doc_id: str, plugin: str):
        return None


def one(n: int, which: str) -> None:
    docs, truth = generate(n)
    t0 = time.perf_counter()
    found: set[tuple[int, int]] = set()
    if which == "textmill":
        from textmill.plugins.dedup import DedupSettings, run_dedup

        res = run_dedup(ListCorpus(docs), DedupSettings(levels=["exact", "near"]))  # type: ignore[arg-type]
        for c in res.clusters:
            ms = sorted(int(m.doc_id[1:]) for m in c.members)
            found |= {(a, b) for i, a in enumerate(ms) for b in ms[i + 1 :]}
    else:
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(threshold=0.5, num_perm=128)
        for i, t in enumerate(docs):
            w = re.findall(r"\w+", t.lower())
            m = MinHash(num_perm=128)
            m.update_batch([" ".join(w[j : j + 5]).encode() for j in range(max(1, len(w) - 4))])
            for j in lsh.query(m):
                found.add((int(j), i))
            lsh.insert(str(i), m)
    secs = time.perf_counter() - t0
    # Recall counts an injected copy found with its source or with another copy of it.
    recall = sum(1 for p in truth if p in found) / max(1, len(truth))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "which": which, "docs_s": n / secs, "rss_mb": rss, "recall": recall}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--one", nargs=2)
    args = ap.parse_args()
    if args.one:
        one(int(args.one[0]), args.one[1])
        return
    print(f"{'docs':>9} {'system':<22}{'docs/s':>9}{'peak RSS MB':>13}{'recall':>8}")
    for n in (int(x) for x in args.sizes.split(",")):
        rows = {}
        for which in ("textmill", "datasketch"):
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(n), which],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rows[which] = json.loads(out.strip().splitlines()[-1])
            r = rows[which]
            print(f"{n:>9} {which:<22}{r['docs_s']:9.0f}{r['rss_mb']:13.0f}{r['recall']:8.3f}")
        print(
            f"{'':>9} speed ratio textmill/datasketch: {rows['textmill']['docs_s'] / rows['datasketch']['docs_s']:.1f}x"
        )


if __name__ == "__main__":
    main()
