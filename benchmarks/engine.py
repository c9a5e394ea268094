"""Engine overhead and throughput on synthetic corpora built from seeds/.

For each size it prints, for a first run and a cached re-run (nothing changed, so no plugin
work): docs/s (wall clock), docs per CPU-second (steadier on a shared machine) and peak RSS, for

- a chain of no-op plugins (one per stage): the engine's own overhead, store writes included
- the default chain of config.toml (skipped above --default-max documents: it runs NLP models)

and, from the same run on the same documents, the floors the no-op figure is compared with:
parsing its JSONL lines with orjson, and SQLite (WAL, one transaction) inserting its documents as
plain rows, and as many 2 KB rows of ASCII (a reference point for how busy the machine is).

Each measurement runs in a fresh child process so peak RSS is its own; ``--repeat N`` keeps the
best of N (a fresh store for each first run). The generated corpus is dated an hour back, like
an input that was not written moments before the run: a file modified in the 2 s before a run
is read again in full by the next run, since its timestamp cannot yet tell a later change apart.
Usage:

    .venv/bin/python benchmarks/engine.py --sizes 1000,10000,100000 --default-max 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
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
    hour_ago = time.time() - 3600
    os.utime(path, (hour_ago, hour_ago))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # pool workers, once joined
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


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
    c0 = _cpu()
    with Store(store) as st:
        summary = Engine(config, manager, st).run()
    secs = time.perf_counter() - t0
    cpu = _cpu() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"docs": summary.documents, "seconds": secs, "cpu": cpu, "rss_mb": rss}))


def measure(corpus: Path, store: Path, chain: str, workers: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(corpus), str(store), chain, str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    return {
        "seconds": min(r["seconds"] for r in runs),
        "cpu": min(r["cpu"] for r in runs),
        "rss_mb": max(r["rss_mb"] for r in runs),
    }


def floors(corpus: Path, tmpd: Path, n: int) -> dict[str, float]:
    """Per-second rates of the work no engine can skip, on this corpus, in this process."""
    lines = corpus.read_bytes().splitlines()
    t = time.process_time()
    records = [orjson.loads(line) for line in lines]
    parse = n / (time.process_time() - t)
    db = tmpd / "floor.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, text TEXT)")
    t = time.process_time()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO docs VALUES (?, ?)", ((r["id"], r["text"]) for r in records))
    conn.execute("COMMIT")
    insert = n / (time.process_time() - t)
    conn.execute("CREATE TABLE rows (id TEXT PRIMARY KEY, body TEXT)")
    body = "x" * 2048
    t = time.process_time()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO rows VALUES (?, ?)", ((f"r{i:08d}", body) for i in range(n)))
    conn.execute("COMMIT")
    rows = n / (time.process_time() - t)
    conn.close()
    return {"parse": parse, "insert": insert, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--default-max", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="keep the best of N runs")
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
        f"{'rerun docs/s':>13} {'docs/cpu-s':>11} {'peak MB':>8} {'speed-up':>9}"
    )
    reference = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            tmpd = Path(tmp)
            (tmpd / "noop_plugins.py").write_text(NOOP)
            corpus = tmpd / "corpus.jsonl"
            make_corpus(corpus, n)
            for chain in ("noop", "default"):
                if chain == "default" and n > args.default_max:
                    continue
                firsts, agains = [], []
                for i in range(args.repeat):
                    store = tmpd / f"{chain}{i}.sqlite"
                    firsts.append(measure(corpus, store, chain, args.workers))
                    agains.append(measure(corpus, store, chain, args.workers))
                first, again = best(firsts), best(agains)
                print(
                    f"{chain:<8} {n:>8} {n / first['seconds']:>13,.0f} "
                    f"{n / max(first['cpu'], 1e-9):>11,.0f} {first['rss_mb']:>8.0f} "
                    f"{n / again['seconds']:>13,.0f} {n / max(again['cpu'], 1e-9):>11,.0f} "
                    f"{again['rss_mb']:>8.0f} {first['seconds'] / again['seconds']:>8.1f}x",
                    flush=True,
                )
            reference.append((n, floors(corpus, tmpd, n)))
    print("\nfloors from the same run (per CPU-second, this corpus):")
    print(f"{'docs':>8} {'JSONL lines parsed':>19} {'rows inserted':>14} {'2 KB rows':>10}")
    for n, f in reference:
        print(f"{n:>8} {f['parse']:>19,.0f} {f['insert']:>14,.0f} {f['rows']:>10,.0f}")


if __name__ == "__main__":
    main()
