"""The default chain's throughput beside spaCy's, on BBC news articles.

On the first N articles of ../shared/eval/summarization/bbc.jsonl (500 by default) it prints, all
measured in this run on the same texts:
- the default chain's documents per CPU-second (in-process; the models loaded beforehand on
  other articles, as spaCy's are), with the per-plugin breakdown of the run summary, the shared
  spaCy parse (``spacy``) on its own line;
- spaCy ``en_core_web_sm`` ``nlp.pipe`` (batch 64) with only tok2vec and ner, and with the full
  pipeline, each measured before and after the chain (the mean is printed);
- the chain's ratio to each.

    .venv/bin/python benchmarks/chain.py [--limit N]

:func:`chain_throughput` runs the chain once and returns its figures; it takes ``workers``, so a process pool, or another executor, can be measured beside the in-process run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textmill import Document
from textmill.config import DEFAULT_CHAIN
from textmill.testing import run_chain

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"


def load_articles(limit: int, skip: int = 0) -> list[Document]:
    with BBC.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [Document(id=r["id"], raw=r["text"]) for r in rows[skip : skip + limit]]


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class ChainFigures:
    docs: int
    cpu: float  # CPU-seconds, this process and its workers
    wall: float
    plugins: dict[str, float]  # seconds per plugin line of the run summary

    @property
    def per_cpu_second(self) -> float:
        return self.docs / self.cpu


def chain_throughput(docs: list[Document], workers: int = 1) -> ChainFigures:
    """One run of the default chain on ``docs`` into a fresh store, with ``workers``."""
    with tempfile.TemporaryDirectory() as tmp:
        c0, w0 = cpu_seconds(), time.perf_counter()
        out = run_chain(docs, DEFAULT_CHAIN, tmp_path=Path(tmp), workers=workers)
        cpu, wall = cpu_seconds() - c0, time.perf_counter() - w0
    if out.summary.failed:
        sys.exit(f"the chain failed: {out.summary.to_dict()}")
    return ChainFigures(
        len(docs), cpu, wall, {p: s.seconds for p, s in out.summary.plugins.items()}
    )


def spacy_throughput(nlp: Any, texts: list[str], disable: list[str]) -> float:
    """Documents per CPU-second of ``nlp.pipe`` with ``disable`` off."""
    with nlp.select_pipes(disable=[p for p in disable if p in nlp.pipe_names]):
        list(nlp.pipe(texts[:16]))
        c0 = cpu_seconds()
        for _ in nlp.pipe(texts, batch_size=64):
            pass
        return len(texts) / (cpu_seconds() - c0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=500)
    args = ap.parse_args()
    import spacy
    from textmill.nlp import MODEL_NAMES

    docs = load_articles(args.limit)
    texts = [d.raw for d in docs]
    name = next(n for n in MODEL_NAMES if spacy.util.is_package(n))
    nlp = spacy.load(name)
    ner_only = ["tagger", "parser", "attribute_ruler", "lemmatizer"]
    print(f"{len(docs)} BBC articles, {sum(map(len, texts)) / len(texts):.0f} characters each")
    before = (spacy_throughput(nlp, texts, ner_only), spacy_throughput(nlp, texts, []))
    chain_throughput(load_articles(8, skip=args.limit))  # loads the chain's models
    fig = chain_throughput(docs)
    after = (spacy_throughput(nlp, texts, ner_only), spacy_throughput(nlp, texts, []))
    ner = (before[0] + after[0]) / 2
    full = (before[1] + after[1]) / 2
    chain = fig.per_cpu_second
    print(f"{'':34s}{'docs/CPU-s':>12s}")
    print(f"{'default chain (--workers 1)':34s}{chain:12.1f}")
    print(
        f"{'spaCy ' + name + ' tok2vec+ner':34s}{ner:12.1f}   ({before[0]:.1f} before, {after[0]:.1f} after)"
    )
    print(
        f"{'spaCy ' + name + ' full':34s}{full:12.1f}   ({before[1]:.1f} before, {after[1]:.1f} after)"
    )
    print(
        f"chain / spaCy tok2vec+ner: {chain / ner:.2f}x;  chain / spaCy full: {chain / full:.2f}x"
    )
    total = sum(fig.plugins.values())
    print(f"\nper line of the run summary (time as it reports it; {fig.cpu:.1f} CPU-s in all):")
    for plugin, seconds in sorted(fig.plugins.items(), key=lambda kv: -kv[1]):
        print(
            f"  {plugin:14s}{seconds:8.2f} s  {100 * seconds / total:5.1f}%"
            f"  {1000 * seconds / fig.docs:6.1f} ms/doc"
        )


if __name__ == "__main__":
    main()
