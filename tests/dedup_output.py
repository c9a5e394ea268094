"""Dedup's whole output on real text, as JSON: run in subprocesses under different hash seeds
(``python tests/dedup_output.py STORE_DIR``), the outputs must be equal byte for byte."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
BBC = EVAL / "summarization" / "bbc.jsonl"
MQM = EVAL / "translations" / "wmt23-zhen-mqm.jsonl.gz"
CHAIN = {"clean": ["unicode", "boilerplate"], "dedup": ["dedup"]}


def inputs(bbc: int = 60, mqm_docs: int = 2) -> list[Any]:
    """The seeds, the first ``bbc`` BBC business articles with a copy of two of them, and every
    MT system's version of the first ``mqm_docs`` translated documents."""
    from textmill import Document
    from textmill.testing import SEEDS

    sys.path.insert(0, str(REPO / "benchmarks"))
    from eval_dedup import load_versions

    rows = [json.loads(line) for line in BBC.open(encoding="utf-8")]
    rows = [r for r in rows if r["category"] == "business"][:bbc]
    docs: list[Any] = [SEEDS]
    docs += [Document(id=r["id"], raw=r["text"], title=r["title"]) for r in rows]
    docs += [Document(id=r["id"] + "-copy", raw=r["text"].lower()) for r in rows[:2]]
    texts, truth, _ = load_versions()
    wanted = sorted(set(truth.values()))[:mqm_docs]
    docs += [Document(id=v, raw=texts[v]) for v in sorted(texts) if truth[v] in wanted]
    return docs


def output(folder: Path) -> dict[str, Any]:
    from textmill.testing import run_chain

    out = run_chain(inputs(), CHAIN, tmp_path=folder)
    q = out.query
    results = {}
    for doc_id in out.ids():
        r = out.document(doc_id).results.get("dedup")
        if r is not None:
            findings = [(f.code, f.message, f.data) for f in r.findings]
            results[doc_id] = [r.label, r.data, findings]
    return {
        "clusters": [
            [c.id, c.kind, c.representative, c.data, [(m.doc_id, m.similarity) for m in c.members]]
            for c in q.clusters()
        ],
        "alignments": [
            {"cluster": a.cluster_id, "a": [a.doc_a, a.span_a.start, a.span_a.end]}
            | {"b": [a.doc_b, a.span_b.start, a.span_b.end], "score": a.score}
            for a in q.alignments()
        ],
        "results": results,
    }


if __name__ == "__main__":
    json.dump(output(Path(sys.argv[1])), sys.stdout, sort_keys=True)
