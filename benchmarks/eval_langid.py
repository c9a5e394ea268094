"""Which language identifier fits textmill: py3langid or lingua.

Sentences from the quality set (sources in ro, et, ne, si, ru, and their English translations),
whole and cut to their first 5 words; prints accuracy and sentences per second for each.

    .venv/bin/python benchmarks/eval_langid.py
"""

from __future__ import annotations

import csv
import io
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / ".." / "shared" / "eval" / "quality" / "mlqe-pe"
PAIRS = ("ro", "et", "ne", "si", "ru")


def rows(pair: str, split: str = "dev") -> list[dict[str, str]]:
    path = EVAL / f"direct-assessments-{pair}-en-{split}.tar.gz"
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".df.short.tsv"))
        data = tar.extractfile(member)
        assert data is not None
        text = io.TextIOWrapper(data, encoding="utf-8")
        return list(csv.DictReader(text, delimiter="\t", quoting=csv.QUOTE_NONE))


def main() -> None:
    if not EVAL.exists():
        sys.exit(f"quality set not found at {EVAL}")
    from textmill.plugins.langid import identify

    items: list[tuple[str, str]] = []
    for p in PAIRS:
        rs = rows(p)[:200]
        items += [(r["original"], p) for r in rs] + [(r["translation"], "en") for r in rs[:40]]
    short = [(" ".join(t.split()[:5]), lang) for t, lang in items]
    print(f"{len(items)} sentences ({', '.join(PAIRS)} sources and English targets)")
    print(f"{'backend':<12}{'acc':>7}{'acc 5 words':>13}{'sent/s':>9}")
    for backend in ("py3langid", "lingua"):
        identify("warm up", backend)
        t0 = time.perf_counter()
        ok = sum(identify(t, backend)[0] == lang for t, lang in items)
        secs = time.perf_counter() - t0
        ok5 = sum(identify(t, backend)[0] == lang for t, lang in short)
        print(
            f"{backend:<12}{ok / len(items):7.3f}{ok5 / len(short):13.3f}{len(items) / secs:9.0f}"
        )


if __name__ == "__main__":
    main()
