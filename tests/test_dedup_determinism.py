"""Dedup's output, cluster ids included, is the same whatever the hash seed, and an unrelated
document renumbers no cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dedup_output import BBC, CHAIN, MQM, inputs
from textmill import Document
from textmill.plugins.dedup.ids import cluster_ids
from textmill.testing import run_chain

HERE = Path(__file__).resolve().parent
needs_data = pytest.mark.skipif(
    not (BBC.exists() and MQM.exists()), reason="evaluation data not present"
)


@needs_data
def test_same_output_under_two_hash_seeds(tmp_path: Path) -> None:
    runs = []
    for seed in ("0", "1"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(HERE)}
        cmd = [sys.executable, str(HERE / "dedup_output.py"), str(tmp_path / seed)]
        runs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    out = [p.communicate()[0] for p in runs]
    assert [p.returncode for p in runs] == [0, 0]
    assert out[0] == out[1]
    data = json.loads(out[0])
    kinds = {c[1] for c in data["clusters"]}
    assert kinds == {"exact", "near", "story", "event"}
    assert len(data["alignments"]) > 100 and len(data["results"]) > 30


@needs_data
def test_cluster_ids_come_from_members_not_from_enumeration(tmp_path: Path) -> None:
    docs = inputs(bbc=30, mqm_docs=1)
    first = run_chain(docs, CHAIN, tmp_path=tmp_path / "a").query.clusters()
    # A document that joins no cluster, whose id sorts first, and the input in reverse order.
    extra = Document(id="000-unrelated", raw="A short note about the weather in Lisbon today.")
    again = run_chain([extra, *reversed(docs)], CHAIN, tmp_path=tmp_path / "b").query.clusters()

    def described(clusters) -> dict[str, tuple[str, frozenset[str]]]:
        return {c.id: (c.kind, frozenset(m.doc_id for m in c.members)) for c in clusters}

    assert described(first) == described(again)
    for c in first:
        anchor = min(m.doc_id for m in c.members)
        assert c.id == cluster_ids(c.kind, [anchor])[anchor]
        assert c.id.startswith(c.kind + "-") and len(c.id) == len(c.kind) + 13


def test_colliding_digests_get_distinct_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    import textmill.plugins.dedup.ids as ids

    class Same:
        def __init__(self, *args: object, **kwargs: object) -> None: ...

        def hexdigest(self) -> str:
            return "abcdefabcdef"

    monkeypatch.setattr(ids.hashlib, "blake2b", Same)
    assert ids.cluster_ids("near", ["b", "a", "c"]) == {
        "a": "near-abcdefabcdef",
        "b": "near-abcdefabcdef-2",
        "c": "near-abcdefabcdef-3",
    }
