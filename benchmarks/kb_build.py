"""`textmill kb build --wikidata` on a dump slice: time and size.

Writes a slice of a Wikidata JSON dump (bz2, one entity per line, as Wikimedia publishes
``latest-all.json.bz2``) whose items are the 5,671 entities of ../shared/eval/entities/kb.jsonl
(real ids, labels, aliases and types) repeated under new ids to ``--items``, each carrying
``--statements`` statements in Wikidata's full statement shape (mainsnak, datavalue, rank,
references), then times the build twice: every item kept (baseline: the whole slice parsed and
written), and a newsroom filter (people, places and organizations with >= 5 sitelinks). Prints items/s, MB/s of the compressed and the decompressed dump, and the KB's size.

    .venv/bin/python benchmarks/kb_build.py [--items 100000] [--statements 30]
"""

from __future__ import annotations

import argparse
import bz2
import json
import random
import tempfile
import time
from pathlib import Path

from entity_sets import KB_FILE, require_data


def statement(pid: str, qid: str, n: int) -> dict:
    return {
        "mainsnak": {
            "snaktype": "value",
            "property": pid,
            "datavalue": {
                "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
                "type": "wikibase-entityid",
            },
            "datatype": "wikibase-item",
        },
        "type": "statement",
        "id": f"{qid}$0000-{n:08d}",
        "rank": "normal",
        "references": [
            {
                "hash": f"{n:040x}",
                "snaks": {
                    "P143": [
                        {
                            "snaktype": "value",
                            "property": "P143",
                            "datavalue": {
                                "value": {"entity-type": "item", "numeric-id": 328, "id": "Q328"},
                                "type": "wikibase-entityid",
                            },
                            "datatype": "wikibase-item",
                        }
                    ]
                },
                "snaks-order": ["P143"],
            }
        ],
    }


def write_slice(path: Path, items: int, statements: int) -> int:
    """The slice at ``path``; returns its decompressed size in bytes."""
    base = [json.loads(line) for line in KB_FILE.open(encoding="utf-8")]
    rng = random.Random(18)
    size = 0
    with bz2.open(path, "wt", encoding="utf-8") as fh:
        fh.write("[\n")
        for i in range(items):
            rec = base[i % len(base)]
            qid = rec["id"] if i < len(base) else f"Q{900_000_000 + i}"
            p31 = [t for t in rec.get("types", []) if t.startswith("Q")] or ["Q35120"]
            claims = {"P31": [statement("P31", t, k) for k, t in enumerate(p31)]}
            for k in range(statements):
                claims.setdefault(f"P{1000 + k % 40}", []).append(
                    statement(f"P{1000 + k % 40}", f"Q{rng.randrange(1, 10**8)}", k)
                )
            aliases = [a["text"] if isinstance(a, dict) else a for a in rec.get("aliases", [])]
            sitelinks = rng.choice([0, 1, 2, 4, 8, 16, 40, 120])
            item = {
                "type": "item",
                "id": qid,
                "labels": {"en": {"language": "en", "value": rec["name"]}},
                "descriptions": {"en": {"language": "en", "value": rec.get("description", "")}},
                "aliases": {"en": [{"language": "en", "value": a} for a in aliases]},
                "claims": claims,
                "sitelinks": {
                    f"w{k}wiki": {"site": f"w{k}wiki", "title": rec["name"], "badges": []}
                    for k in range(sitelinks)
                },
            }
            line = json.dumps(item, ensure_ascii=False) + (",\n" if i < items - 1 else "\n")
            size += len(line.encode())
            fh.write(line)
        fh.write("]\n")
    return size


def build(dump: Path, out: Path, types: set[str] | None, min_sitelinks: int) -> tuple[int, float]:
    from textmill.plugins.linker.kb import compile_kb, read_wikidata

    t0 = time.perf_counter()
    n = compile_kb(read_wikidata(dump, types=types, min_sitelinks=min_sitelinks), out)
    return n, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--statements", type=int, default=30)
    args = ap.parse_args()
    require_data()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "slice.json.bz2"
        raw = write_slice(dump, args.items, args.statements)
        packed = dump.stat().st_size
        print(
            f"slice: {args.items:,} items, {raw / 1e6:.0f} MB JSON ({raw / args.items / 1e3:.1f} "
            f"kB an item), {packed / 1e6:.1f} MB bz2"
        )
        runs = {
            "every item (baseline)": (None, 0),
            # The classes kb.jsonl's items carry: person, place, organization.
            "people, places, organizations, >= 5 sitelinks": (
                {"Q215627", "Q27096213", "Q43229"},
                5,
            ),
        }
        for name, (types, sitelinks) in runs.items():
            out = Path(tmp) / "kb.sqlite"
            n, secs = build(dump, out, types, sitelinks)
            print(
                f"{name}: {n:,} entities kept in {secs:.1f}s, {args.items / secs:,.0f} items/s, "
                f"{packed / 1e6 / secs:.2f} MB/s bz2 ({raw / 1e6 / secs:.1f} MB/s JSON); "
                f"KB {out.stat().st_size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
