"""The default chain's throughput beside spaCy's, on BBC news articles.

On the first N articles of ../shared/eval/summarization/bbc.jsonl (500 by default) it prints, all
measured in this run on the same texts:
- the default chain's documents per CPU-second (in-process; the models loaded beforehand on
  other articles, as spaCy's are), with the per-plugin breakdown of the run summary, the shared
  spaCy parse (``spacy``) on its own line;
- spaCy ``en_core_web_sm`` ``nlp.pipe`` (batch 64) with only tok2vec and ner, and with the full
  pipeline, each measured before and after the chain (the mean is printed);
- the chain's ratio to each;
- the chain with ``--workers 1`` against ``--workers 2`` (the process pool, forked from this
  process with the models loaded): wall time, CPU time (this process and its workers), and
  per process its CPU utilization and how its main thread spent its life (on a CPU, waiting for
  a CPU other jobs hold, asleep: :mod:`proctime`); "unqueued" is the wall time less the
  run-queue waits on the critical path, an estimate on idle cores;
- when ray is installed (the dev extra), Ray with 2 CPUs (``executor = "ray"``, two actors, a
  local Ray started beforehand and its start timed apart) against the pool at 2 workers: each
  actor loads the plugins and models itself for each segment, the pool's workers share this
  process's. CPU counts every process Ray started. Each run's exported results are compared with
  the ``--workers 1`` run's.

    nice .venv/bin/python benchmarks/chain.py [--limit N] [--no-ray]

:func:`chain_throughput` runs the chain once and returns its figures; it takes ``workers`` and
``run`` (``[run]`` options), so a process pool, or another executor, can be measured beside the
in-process run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textmill import Document
from textmill.config import DEFAULT_CHAIN
from textmill.export import export
from textmill.testing import run_chain

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctime import Sampler, busy_share, machine_busy, tree_cpu

ROOT = Path(__file__).resolve().parents[1]
# What differs between two identical runs (each run's input is written in its own folder).
VOLATILE = {"duration", "seconds", "run_id", "source"}
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
    cpu: float  # CPU-seconds, this process and every process it started (Ray's too)
    wall: float
    plugins: dict[str, float]  # seconds per plugin line of the run summary
    unqueued: float = 0.0  # wall less the run-queue waits on the critical path
    processes: tuple[str, ...] = ()  # per process: CPU, utilization, its main thread's life
    load: str = ""  # the load average and how busy the CPUs were meanwhile
    records: tuple[Any, ...] = ()  # the exported results, timings aside

    @property
    def per_cpu_second(self) -> float:
        return self.docs / self.cpu


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def chain_throughput(
    docs: list[Document], workers: int = 1, run: dict[str, Any] | None = None
) -> ChainFigures:
    """One run of the default chain on ``docs`` into a fresh store, with ``workers`` and the
    ``[run]`` options ``run``."""
    with tempfile.TemporaryDirectory() as tmp:
        busy0, load0 = machine_busy(), os.getloadavg()[0]
        c0, w0 = tree_cpu(), time.perf_counter()
        with Sampler() as sampler:
            out = run_chain(docs, DEFAULT_CHAIN, tmp_path=Path(tmp), workers=workers, run=run)
        cpu, wall = tree_cpu() - c0, time.perf_counter() - w0
        # Ray's workers are not waited for by this process: count them as they were seen.
        cpu = max(cpu, sampler.total_cpu()) if sampler.available else cpu
        busy = busy_share(busy0, machine_busy())
        path = Path(tmp) / "export.jsonl"
        export(out.query, "jsonl", str(path))
        records = tuple(_strip(json.loads(x)) for x in path.read_text("utf-8").splitlines())
    if out.summary.failed:
        sys.exit(f"the chain failed: {out.summary.to_dict()}")
    return ChainFigures(
        len(docs),
        cpu,
        wall,
        {p: s.seconds for p, s in out.summary.plugins.items()},
        unqueued=sampler.unqueued_wall() if sampler.available else wall,
        processes=tuple(sampler.lines(min_cpu=0.05)),
        load=f"load {load0:.1f}->{os.getloadavg()[0]:.1f}"
        + (f", CPUs {100 * busy:.0f}% busy" if busy is not None else ""),
        records=records,
    )


def compare(name: str, fig: ChainFigures, ref: ChainFigures, ref_name: str) -> None:
    """``fig`` beside ``ref``: wall, unqueued wall and CPU, per process, and its results."""
    for label, f in ((ref_name, ref), (name, fig)):
        print(
            f"  {label:24s} wall {f.wall:6.1f} s  unqueued {f.unqueued:6.1f} s  "
            f"CPU {f.cpu:6.1f} s  {f.docs / f.wall:5.1f} docs/s  ({f.load})"
        )
        for line in f.processes:
            print(f"      {line}")
    same = "identical to" if fig.records == ref.records else "DIFFER from"
    print(
        f"  {name} / {ref_name}: {ref.wall / fig.wall:.2f}x faster (wall), "
        f"{ref.unqueued / fig.unqueued:.2f}x (unqueued), CPU {fig.cpu / ref.cpu:.2f}x; "
        f"results {same} {ref_name}'s"
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
    ap.add_argument("--no-ray", action="store_true", help="leave out Ray against the pool")
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

    print("\n--workers 1 against --workers 2 (process pool, models loaded before the fork):")
    pool = chain_throughput(docs, workers=2)
    compare("--workers 2", pool, fig, "--workers 1")

    if args.no_ray or importlib.util.find_spec("ray") is None:
        print("\nRay: not installed (pip install 'textmill[ray]'), so not measured")
        return
    import ray
    from textmill.ray_executor import connect

    print("\nRay with 2 CPUs against the process pool at 2 workers:")
    w0, c0 = time.perf_counter(), tree_cpu()
    connect("", 2)  # a local Ray with 2 CPUs, as `executor = "ray"` starts one
    print(f"  Ray start: {time.perf_counter() - w0:.1f} s wall, {tree_cpu() - c0:.1f} s CPU")
    try:
        on_ray = chain_throughput(docs, workers=2, run={"executor": "ray"})
    finally:
        ray.shutdown()
    compare("Ray, 2 CPUs", on_ray, pool, "pool, 2 workers")
    print(
        f"  Ray, 2 CPUs / --workers 1: {fig.wall / on_ray.wall:.2f}x faster (wall), "
        f"{fig.unqueued / on_ray.unqueued:.2f}x (unqueued); results "
        f"{'identical to' if on_ray.records == fig.records else 'DIFFER from'} --workers 1's"
    )


if __name__ == "__main__":
    main()
