"""Export throughput on a large store: JSONL (and CSV, Parquet) docs/s and peak RSS.

It builds (once, at ``--store``) a store of ``--docs`` synthetic documents made from seeds/ like
``benchmarks/engine.py``'s, run through a cheap chain that gives every result something to
export: a no-op cleaner, a quality plugin with a score and one finding per document, a corpus
hook that clusters every four consecutive documents, and an entity index of 1,000 entities with
a mention in every document. Then, each in a fresh child process (so peak RSS is its own), it
times ``textmill.export.export`` for each format, and the baseline from the same run on the
same store: the export as it was done before keyset pages, through the same query API (pages
read with OFFSET, then one ``Query.document`` per row), JSONL only.

Run it with another checkout's interpreter to measure that checkout's export on the same store
(the store is only read)::

    .venv/bin/python benchmarks/export.py --docs 200000 --store /tmp/export/store.sqlite
    /path/to/other/.venv/bin/python benchmarks/export.py --store /tmp/export/store.sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHEAP = """
import re
from types import SimpleNamespace

from textmill import (
    Cluster, ClusterMember, CorpusResult, Entity, Finding, Mention, PluginInfo, Result, Span,
    hookimpl,
)


def info(name):
    return hookimpl(lambda: PluginInfo(name=name, version="1"))


def clean(doc, settings, ctx):
    return Result()


def quality(doc, settings, ctx):
    return Result(
        score=(len(doc.text) % 97) / 96,
        findings=[Finding("bench.first", "The first word.", "info", Span(0, 4))],
    )


def dedup(doc, settings, ctx):
    return Result(label="seen")


def corpus_dedup(corpus, settings):
    ids = [d.id for d in corpus.documents()]
    clusters = [
        Cluster(f"near-{i}", "near", tuple(ClusterMember(d, 0.9) for d in ids[i : i + 4]), ids[i])
        for i in range(0, len(ids), 4)
    ]
    return CorpusResult(clusters=clusters)


def corpus_entities(corpus, settings):
    mentions = {}
    for n, doc in enumerate(corpus.documents()):
        mentions.setdefault(n % 1000, []).append(Mention(doc.id, Span(0, 4), doc.text[:4], "MISC"))
    return CorpusResult(
        entities=[Entity(f"e{g}", f"Item {g}", "MISC", tuple(ms)) for g, ms in mentions.items()]
    )


cheap_clean = SimpleNamespace(textmill_plugin_info=info("cheap_clean"), textmill_clean=hookimpl(clean))
cheap_quality = SimpleNamespace(
    textmill_plugin_info=info("cheap_quality"), textmill_quality=hookimpl(quality)
)
cheap_dedup = SimpleNamespace(
    textmill_plugin_info=info("cheap_dedup"),
    textmill_dedup=hookimpl(dedup),
    textmill_corpus_dedup=hookimpl(corpus_dedup),
)
cheap_entities = SimpleNamespace(
    textmill_plugin_info=info("cheap_entities"),
    textmill_corpus_entities=hookimpl(corpus_entities),
)
"""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(store: Path, n: int) -> None:
    """Run the cheap chain on ``n`` synthetic documents into ``store`` (in this process)."""
    sys.path.insert(0, str(HERE))
    from engine import make_corpus  # type: ignore[import-not-found]
    from textmill import manager as mgr
    from textmill.config import parse
    from textmill.engine import Engine
    from textmill.manager import PluginManager
    from textmill.store import Store

    work = store.parent
    (work / "cheap_plugins.py").write_text(CHEAP)
    sys.path.insert(0, str(work))
    import cheap_plugins as cheap  # type: ignore[import-not-found]

    for obj in (cheap.cheap_clean, cheap.cheap_quality, cheap.cheap_dedup, cheap.cheap_entities):
        mgr._EXTRA.append(("", obj))
    corpus = work / "corpus.jsonl"
    make_corpus(corpus, n)
    config = parse(
        {
            "input": {"paths": [str(corpus)]},
            "run": {"store": str(store), "batch_size": 256},
            "chain": {
                "clean": ["cheap_clean"],
                "quality": ["cheap_quality"],
                "dedup": ["cheap_dedup"],
                "entities": ["cheap_entities"],
            },
        },
        None,
        work,
    )
    t0 = time.perf_counter()
    with Store(store) as st:
        summary = Engine(config, PluginManager(config.load.modules, base_dir=work), st).run()
    corpus.unlink()
    print(f"built {summary.documents:,} documents in {time.perf_counter() - t0:.0f} s")


def child(store: str, how: str, out: str) -> None:
    """Export once in this process and print a JSON line with the figures."""
    import orjson
    from textmill.query import Query
    from textmill.report import document_json

    q = Query(store)
    t0 = time.perf_counter()
    c0 = time.process_time()
    if how == "offset":  # the baseline: OFFSET pages, one document() read per row
        n = 0
        with open(out, "wb") as fh:
            offset = 0
            while True:
                page = q.page(offset=offset, limit=500, with_total=False)
                for row in page.rows:
                    view = q.document(row.id)
                    assert view is not None
                    fh.write(orjson.dumps(document_json(view)) + b"\n")
                    n += 1
                if len(page.rows) < 500:
                    break
                offset += 500
    else:
        from textmill.export import export

        n = export(q, how, out)
    secs = time.perf_counter() - t0
    cpu = time.process_time() - c0
    size = os.path.getsize(out)
    q.close()
    print(
        json.dumps({"docs": n, "seconds": secs, "cpu": cpu, "rss_mb": _rss_mb(), "mb": size / 1e6})
    )


def measure(store: Path, how: str) -> dict:
    suffix = {"offset": "jsonl"}.get(how, how)
    with tempfile.TemporaryDirectory(dir=store.parent) as tmp:
        out = Path(tmp) / f"export.{suffix}"
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(store), how, str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--store",
        type=Path,
        default=Path(tempfile.gettempdir()) / "textmill-export" / "store.sqlite",
    )
    ap.add_argument("--docs", type=int, default=200_000, help="documents of a store built here")
    ap.add_argument("--formats", default="jsonl,csv,parquet")
    ap.add_argument("--no-baseline", action="store_true", help="skip the OFFSET baseline")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    if not args.store.exists():
        args.store.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(HERE)!r}); "
                f"import export; export.build(__import__('pathlib').Path({str(args.store)!r}), {args.docs})",
            ],
            check=True,
        )
    import textmill

    print(f"textmill from {Path(textmill.__file__).parent}; store {args.store}")
    print(
        f"{'export':<40} {'docs':>9} {'seconds':>8} {'docs/s':>9} {'docs/cpu-s':>11} {'peak MB':>8} {'out MB':>8}"
    )
    hows = args.formats.split(",") + ([] if args.no_baseline else ["offset"])
    for how in hows:
        r = measure(args.store, how)
        label = "jsonl, OFFSET + document() (baseline)" if how == "offset" else how
        print(
            f"{label:<40} {r['docs']:>9,} {r['seconds']:>8.1f} {r['docs'] / r['seconds']:>9,.0f} "
            f"{r['docs'] / max(r['cpu'], 1e-9):>11,.0f} {r['rss_mb']:>8.0f} {r['mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
