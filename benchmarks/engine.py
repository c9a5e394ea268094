"""Engine overhead and throughput on synthetic corpora built from seeds/.

For each size it prints docs/s and peak RSS for:

- a chain of no-op plugins (one per stage): the engine's own overhead, store writes included
- the default chain of config.toml (skipped above --default-max documents: it runs NLP models)
- a cached re-run of each: nothing changed, so no plugin work

Each measurement runs in a fresh child process so peak RSS is its own. Usage:

    .venv/bin/python benchmarks/engine.py --sizes 1000,10000,100000 --default-max 1000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
NOOP = """
from types import SimpleNamespace

from textmill import PluginInfo, Result, hookimpl


def make(name, stage):
    def info():
        return PluginInfo(name=name, version="1")

    def run(doc, settings, ctx):
        return Result(score=1.0)

    return SimpleNamespace(textmill_plugin_info=hookimpl(info), **{f"textmill_{stage}": hookimpl(run)})


clean = make("noop_clean", "clean")
quality = make("noop_quality", "quality")
dedup = make("noop_dedup", "dedup")
"""


def make_corpus(path: Path, n: int) -> None:
    texts = [p.read_text() for p in sorted((REPO / "seeds").iterdir())]
    with open(path, "wb") as fh:
        for i in range(n):
            text = f"Item {i}.\n\n{texts[i % len(texts)]}"
            fh.write(orjson.dumps({"id": f"doc{i:07d}", "text": text}) + b"\n")


def child(corpus: str, store: str, chain: str, workers: int) -> None:
    """Run once in this process and print a JSON line with the figures."""
    from textmill.config import load_config, parse
    from textmill.engine import Engine
    from textmill.manager import PluginManager
    from textmill.store import Store

    if chain == "noop":
        sys.path.insert(0, str(Path(store).parent))
        import noop_plugins as noop  # type: ignore[import-not-found]
        from textmill import manager as mgr

        for obj in (noop.clean, noop.quality, noop.dedup):
            mgr._EXTRA.append(("", obj))
        config = parse(
            {
                "input": {"paths": [corpus]},
                "run": {"store": store, "workers": workers, "batch_size": 256},
                "chain": {
                    "clean": ["noop_clean"],
                    "quality": ["noop_quality"],
                    "dedup": ["noop_dedup"],
                },
            },
            None,
            Path(store).parent,
        )
    else:
        base = load_config(REPO / "config.toml")
        data = base.to_dict()
        data["input"]["paths"] = [corpus]
        data["run"].update({"store": store, "workers": workers})
        config = parse(data, base.path, base.base_dir)
    manager = PluginManager(config.load.modules, base_dir=config.base_dir)
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    with Store(store) as st:
        summary = Engine(config, manager, st).run()
    secs = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    rss = r1.ru_maxrss / 1024
    print(json.dumps({"docs": summary.documents, "seconds": secs, "cpu": cpu, "rss_mb": rss}))


def measure(corpus: Path, store: Path, chain: str, workers: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(corpus), str(store), chain, str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--default-max", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        corpus, store, chain, workers = args.child
        child(corpus, store, chain, int(workers))
        return
    print(
        "docs/s is wall-clock; docs/cpu-s divides by the CPU time the run used (per core, and "
        "steadier on a shared machine)."
    )
    print(
        f"{'chain':<8} {'docs':>8} {'first docs/s':>13} {'docs/cpu-s':>11} {'peak MB':>8} "
        f"{'rerun docs/s':>13} {'speed-up':>9}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            tmpd = Path(tmp)
            (tmpd / "noop_plugins.py").write_text(NOOP)
            corpus = tmpd / "corpus.jsonl"
            make_corpus(corpus, n)
            for chain in ("noop", "default"):
                if chain == "default" and n > args.default_max:
                    continue
                store = tmpd / f"{chain}.sqlite"
                first = measure(corpus, store, chain, args.workers)
                again = measure(corpus, store, chain, args.workers)
                print(
                    f"{chain:<8} {n:>8} {n / first['seconds']:>13,.0f} "
                    f"{n / max(first['cpu'], 1e-9):>11,.0f} {first['rss_mb']:>8.0f} "
                    f"{n / again['seconds']:>13,.0f} {first['seconds'] / again['seconds']:>8.1f}x",
                    flush=True,
                )


if __name__ == "__main__":
    main()
