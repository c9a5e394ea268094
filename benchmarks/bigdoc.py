"""One big document through the default chain: time and peak memory at 1 MB and 5 MB.

Builds multi-paragraph plain-text documents of BBC news articles (../shared/eval/summarization/
bbc.jsonl, one after another, repeated as needed) of each size, runs the default chain on each
in a subprocess of its own (the engine on a folder holding the one ``.txt`` file), and
prints the wall and CPU time, the peak RSS (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``,
the largest subprocess so far: sizes run from small to large) and the per-plugin seconds. The
1 MB document is the baseline: the 5 MB one should take about 5 times as long.

    .venv/bin/python benchmarks/bigdoc.py [--sizes 1,5]
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

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"

CHILD = """
import json, sys
from pathlib import Path
from textmill.config import DEFAULT_CHAIN
from textmill.testing import run_chain
out = run_chain([Path(sys.argv[1])], DEFAULT_CHAIN, tmp_path=Path(sys.argv[2]))
s = out.summary
print(json.dumps({"failed": s.failed, "documents": s.documents,
                  "input_errors": s.input_errors,
                  "plugins": {p: round(v.seconds, 2) for p, v in s.plugins.items()}}))
"""


def build(megabytes: float) -> str:
    """News articles, paragraphs apart, until ``megabytes`` MB of UTF-8."""
    with BBC.open(encoding="utf-8") as fh:
        articles = [json.loads(line)["text"].strip() for line in fh]
    want = int(megabytes * 1_000_000)
    parts: list[str] = []
    n = 0
    while n < want:
        for a in articles:
            parts.append(a)
            n += len(a.encode("utf-8")) + 2
            if n >= want:
                break
    return "\n\n".join(parts) + "\n"


def run(megabytes: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "input"
        folder.mkdir()
        (folder / "big.txt").write_text(build(megabytes), encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), str(Path(tmp) / "run")],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        sys.exit(f"{megabytes} MB: the chain failed:\n{res.stderr[-2000:]}")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    out["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    out["peak_mb"] = after.ru_maxrss / 1024  # kilobytes on Linux
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,5", help="document sizes in MB, smallest first")
    args = ap.parse_args()
    sizes = [float(x) for x in args.sizes.split(",")]
    figures = {}
    print(f"{'size':>6s} {'wall s':>8s} {'CPU s':>8s} {'peak RSS MB':>12s}  per plugin (s)")
    for mb in sizes:
        f = figures[mb] = run(mb)
        if f["failed"] or f["documents"] != 1:
            sys.exit(f"{mb} MB: {f}")
        plugins = ", ".join(f"{p} {s}" for p, s in f["plugins"].items())
        print(f"{mb:5.1f}M {f['wall']:8.1f} {f['cpu']:8.1f} {f['peak_mb']:12.0f}  {plugins}")
    if len(sizes) > 1:
        a, b = sizes[0], sizes[-1]
        print(
            f"{b:g} MB / {a:g} MB: {figures[b]['wall'] / figures[a]['wall']:.1f}x wall, "
            f"{figures[b]['cpu'] / figures[a]['cpu']:.1f}x CPU for {b / a:g}x the text"
        )


if __name__ == "__main__":
    main()
