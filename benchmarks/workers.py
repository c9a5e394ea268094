"""``--workers 2`` against ``--workers 1``: the default chain on BBC articles, wall and CPU time.

Each configuration is a fresh ``textmill run`` (a new process and a new store), so every one
loads its models itself. It prints, per configuration, the wall time, the CPU seconds of the
run and its workers, and the speed-up of each over ``--workers 1`` measured in the same run;
then checks that every configuration exported the same results as ``--workers 1`` (timings
aside). ``--baseline PATH`` adds the same runs with another ``textmill`` executable (e.g. an
older checkout's) for a before/after figure.

On a shared machine the wall ratio depends on what else runs, so each run also prints the load
average, how busy the machine's CPUs were, and per process (:mod:`proctime`, Linux) its CPU
time and utilization and how its main thread spent its life: on a CPU, runnable but waiting for
a CPU someone else holds, or asleep (a pool worker asleep waits for the driver). "unqueued" is
the wall time less the run-queue waits on the critical path, an estimate of the run on idle
cores; its ratio is printed beside the wall ratio. ``--repeat N`` runs the configurations in
turn N times and keeps each one's fastest unqueued run.

Usage:

    nice .venv/bin/python benchmarks/workers.py --docs 300
    nice .venv/bin/python benchmarks/workers.py --docs 300 --spawn --baseline /work/main/.venv/bin/textmill
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proctime import Sampler, busy_share, machine_busy

REPO = Path(__file__).resolve().parents[1]
BBC = REPO.parent / "shared" / "eval" / "summarization" / "bbc.jsonl"
TEXTMILL = Path(sys.executable).with_name("textmill")
VOLATILE = {"duration", "seconds", "run_id"}


def write_corpus(path: Path, n: int) -> None:
    with BBC.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i >= n:
                break
            row = json.loads(line)
            out.write(json.dumps({"id": row["id"], "title": row["title"], "text": row["text"]}))
            out.write("\n")
    # Dated back, like an input not written moments before the run.
    old = time.time() - 3600
    os.utime(path, (old, old))


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def run(exe: Path, corpus: Path, folder: Path, workers: int, method: str) -> dict[str, Any]:
    folder.mkdir(parents=True)
    store = folder / "store.sqlite"
    config = folder / "config.toml"
    config.write_text(
        f'[input]\npaths = ["{corpus}"]\n[run]\nstore = "{store}"\nworkers = {workers}\n'
        + (f'start_method = "{method}"\n' if method != "auto" else "")
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, load0 = machine_busy(), os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "run", "-q", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=folder,
    )
    with Sampler(proc.pid) as sampler:
        _, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"textmill run failed ({proc.returncode}):\n{stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    busy = busy_share(busy0, machine_busy())
    out = folder / "export.jsonl"
    subprocess.run(
        [str(TEXTMILL), "export", "-c", str(config), "-o", str(out)], check=True, cwd=folder
    )
    records = [_strip(json.loads(x)) for x in out.read_text(encoding="utf-8").splitlines()]
    return {
        "wall": wall,
        "cpu": cpu,
        "records": records,
        "unqueued": sampler.unqueued_wall() if sampler.available else wall,
        "lines": sampler.lines(),
        "load": f"load {load0:.1f}->{os.getloadavg()[0]:.1f}"
        + (f", CPUs {100 * busy:.0f}% busy" if busy is not None else ""),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--spawn", action="store_true", help="also --workers 2 with spawn")
    ap.add_argument("--baseline", type=Path, help="another textmill executable to compare")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each configuration")
    args = ap.parse_args()
    configs: list[tuple[str, Path, int, str]] = [
        ("workers 1", TEXTMILL, 1, "auto"),
        ("workers 2", TEXTMILL, 2, "auto"),
    ]
    if args.spawn:
        configs.append(("workers 2 spawn", TEXTMILL, 2, "spawn"))
    if args.baseline:
        configs += [
            ("baseline workers 1", args.baseline, 1, "auto"),
            ("baseline workers 2", args.baseline, 2, "auto"),
        ]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bbc.jsonl"
        write_corpus(corpus, args.docs)
        results: dict[str, dict[str, Any]] = {}
        for turn in range(args.repeat):
            for i, (name, exe, workers, method) in enumerate(configs):
                r = run(exe, corpus, Path(tmp) / f"r{turn}-{i}", workers, method)
                print(
                    f"{name:20s} wall {r['wall']:6.1f} s  unqueued {r['unqueued']:6.1f} s  "
                    f"cpu {r['cpu']:6.1f} s  {args.docs / r['wall']:5.2f} docs/s  ({r['load']})",
                    flush=True,
                )
                for line in r["lines"]:
                    print(f"    {line}")
                best = results.get(name)
                if best is None or r["unqueued"] < best["unqueued"]:
                    results[name] = r
    one = results["workers 1"]
    for name, r in results.items():
        if name.endswith("workers 1"):
            continue
        ref = results["baseline workers 1" if name.startswith("baseline") else "workers 1"]
        print(
            f"{name}: {ref['wall'] / r['wall']:.2f}x faster (wall), "
            f"{ref['unqueued'] / r['unqueued']:.2f}x (unqueued), "
            f"CPU {r['cpu'] / ref['cpu']:.2f}x of {'baseline ' if name.startswith('baseline') else ''}workers 1"
        )
    for name, r in results.items():
        if name.startswith("baseline"):
            continue
        same = r["records"] == one["records"]
        print(f"{name}: results {'identical to' if same else 'DIFFER from'} workers 1")


if __name__ == "__main__":
    main()
