"""What a re-run costs: the default chain on BBC articles, first run against re-runs.

Prints, for ``--docs`` BBC articles (300 by default) in one JSONL file, the CPU seconds (user +
system of the ``textmill run`` child process) and wall seconds of

- the first run on a fresh store (the baseline),
- a re-run after changing one word in one document (target: <= 10% of the first run's CPU),
- ``textmill run --only linker`` with nothing changed, and the full run after it (both should
  be fully cached),

with each run's processed and cached counts from ``textmill run --json``, and after the
one-change re-run what each corpus hook got back from its memo and computed. Usage:

    nice .venv/bin/python benchmarks/rerun.py --docs 300
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

REPO = Path(__file__).resolve().parents[1]
BBC = REPO.parent / "shared" / "eval" / "summarization" / "bbc.jsonl"


def write_corpus(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    past = time.time() - 3600  # not a file written moments ago (see benchmarks/engine.py)
    os.utime(path, (past, past))


def textmill_run(project: Path, *args: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from textmill.cli import main; main()",
            "run",
            "-q",
            "--json",
            *args,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        sys.exit(f"textmill run failed: {r.stderr.strip()}")
    out = json.loads(r.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": cpu, "wall": wall, "totals": out["totals"], "plugins": out["plugins"]}


def memo_figures(project: Path) -> str:
    """What each corpus hook of the last run got back from its memo and computed."""
    from textmill.store import Store

    out = []
    with Store(project / ".textmill" / "textmill.sqlite") as store:
        for plugin in ("dedup", "mt_artifacts", "linker", "extractive"):
            entry = store.cache_get(plugin, "corpus")
            memo = (entry.value or {}).get("memo") if entry else None
            if memo:
                out.append(f"{plugin} {memo['kept']}/{memo['computed']}")
    return ", ".join(out)


def line(label: str, m: dict, base: dict | None) -> str:
    t = m["totals"]
    share = f"  {100 * m['cpu'] / base['cpu']:5.1f}% of first-run CPU" if base else ""
    return (
        f"{label:<34} cpu {m['cpu']:7.2f} s  wall {m['wall']:7.2f} s  "
        f"processed {t['processed']:5d}  cached {t['cached']:5d}{share}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=300)
    args = ap.parse_args()
    with BBC.open(encoding="utf-8") as fh:
        rows = [json.loads(x) for _, x in zip(range(args.docs), fh, strict=False)]
    rows = [{"id": r["id"], "title": r["title"], "text": r["text"]} for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        corpus = project / "bbc.jsonl"
        (project / "config.toml").write_text(
            (REPO / "config.toml").read_text().replace('paths = ["seeds"]', 'paths = ["bbc.jsonl"]')
        )
        write_corpus(corpus, rows)
        first = textmill_run(project)
        print(f"{len(rows)} BBC articles, default chain (config.toml), 1 worker")
        print(line("first run (baseline)", first, None))
        changed = len(rows) // 2
        text = rows[changed]["text"]
        rows[changed] = {**rows[changed], "text": text.replace(" the ", " a ", 1)}
        assert rows[changed]["text"] != text
        write_corpus(corpus, rows)
        one = textmill_run(project)
        print(line(f"re-run, 1 document changed ({rows[changed]['id']})", one, first))
        redone = {n: p["processed"] - p["cached"] for n, p in one["plugins"].items()}
        print("  recomputed per plugin: " + ", ".join(f"{n} {k}" for n, k in redone.items()))
        print("  corpus hooks' memo (values got back / computed): " + memo_figures(project))
        only = textmill_run(project, "--only", "linker")
        print(line("--only linker, nothing changed", only, first))
        full = textmill_run(project)
        print(line("full run after --only linker", full, first))
        target = "met" if one["cpu"] <= 0.10 * first["cpu"] else "NOT met"
        print(f"target re-run after 1 change <= 10% of first-run CPU: {target}")


if __name__ == "__main__":
    main()
