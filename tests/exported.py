"""A run's whole output as comparable records, for tests that run the same input two ways."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textmill.export import export
from textmill.testing import RunOutcome

REPO = Path(__file__).resolve().parents[1]
BBC = REPO.parent / "shared" / "eval" / "summarization" / "bbc.jsonl"

VOLATILE = {"duration", "seconds", "run_id"}  # what differs between two identical runs


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def exported(out: RunOutcome, folder: Path) -> list[dict[str, Any]]:
    """Every document as ``textmill export`` writes it, without timings, plus the clusters."""
    path = folder / "export.jsonl"
    folder.mkdir(parents=True, exist_ok=True)
    export(out.query, "jsonl", str(path))
    records = [_strip(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]
    clusters = [
        {"id": c.id, "kind": c.kind, "members": [(m.doc_id, m.similarity) for m in c.members]}
        for c in out.query.clusters()
    ]
    return [*records, {"clusters": clusters}]


def bbc_subset(folder: Path, n: int, start: int = 0) -> Path:
    """The first ``n`` BBC articles after ``start``, as a JSONL file in ``folder`` (the same
    file for every run that compares, so documents' sources are equal)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bbc-{start}-{n}.jsonl"
    with BBC.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i >= start + n:
                break
            if i >= start:
                row = json.loads(line)
                rec = {"id": row["id"], "title": row["title"], "text": row["text"]}
                out.write(json.dumps(rec) + "\n")
    return path
