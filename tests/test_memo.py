"""A corpus hook's memo: values kept between runs under keys naming what they were made from, so
a re-run after a small change redoes only the changed part of dedup and the cluster summaries,
and gives what a fresh run gives.

The corpus is the five seed versions of one story (a story and an event cluster) and BBC
articles (eval/summarization/bbc.jsonl, read in place)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import SHARED_EVAL
from textmill.memo import Memo, StoreMemo, memo_of
from textmill.store import Store
from textmill.testing import run_chain

BBC = SHARED_EVAL / "summarization" / "bbc.jsonl"
CHAIN = {"clean": ["unicode", "boilerplate"], "dedup": ["dedup"], "summarize": ["extractive"]}


def test_values_come_back_as_stored_and_unused_ones_are_dropped(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        memo = StoreMemo(store, "p", "v1")
        # The first time too, a value is handed back through JSON: a tuple is a list.
        assert memo("a", lambda: (1, 2.5, "x")) == [1, 2.5, "x"]
        assert memo.put("b", b"\x00\x01raw") == b"\x00\x01raw"
        assert memo("c", lambda: {"k": [1]}) == {"k": [1]}
        memo.finish(ok=True)
        again = StoreMemo(store, "p", "v1")
        calls: list[str] = []
        assert again("a", lambda: calls.append("a")) == [1, 2.5, "x"]
        assert again.get("b") == b"\x00\x01raw"
        assert calls == [] and again.hits == 2 and again.misses == 0
        # Another version or settings (prefix) sees none of it.
        assert StoreMemo(store, "p", "v2").get("a") is None
        # A hook that failed drops nothing; one that succeeded drops what it did not ask for.
        again.finish(ok=False)
        assert StoreMemo(store, "p", "v1").get("c") == {"k": [1]}
        again.finish(ok=True)
        last = StoreMemo(store, "p", "v1")
        assert last.get("c") is None and last.get("a") == [1, 2.5, "x"]
        # --force: nothing stored is read back.
        assert StoreMemo(store, "p", "v1", read=False).get("a") is None
        with pytest.raises(ValueError, match="None"):
            memo.put("d", None)
    # A corpus without a memo (one built by hand) gets one that keeps nothing.
    plain = memo_of(object())
    assert isinstance(plain, Memo) and plain("a", lambda: 1) == 1 and plain.get("a") is None


def _bbc(n: int) -> list[dict[str, Any]]:
    out = []
    with open(BBC, "rb") as fh:
        for line in fh:
            if len(out) == n:
                break
            r = orjson.loads(line)
            out.append({"id": r["id"], "text": r["text"]})
    return out


def _corpus(folder: Path, seeds: Path, bbc: list[dict[str, Any]], edit: str | None) -> None:
    folder.mkdir(exist_ok=True)
    for p in sorted(seeds.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        if p.name == edit:
            text = text.replace(" the ", " a ", 1)
        (folder / p.name).write_text(text, encoding="utf-8")
    (folder / "bbc.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in bbc))


def _outputs(store_path: Path) -> dict[str, Any]:
    """What dedup and extractive made: clusters, alignments and the cluster summaries."""
    with Store(store_path) as s:
        summaries = s.cache_get("extractive", "corpus")
        return {
            "clusters": [(c.id, c.kind, c.representative, c.members) for c in s.clusters()],
            "alignments": sorted(
                (a.cluster_id, a.doc_a, a.span_a, a.doc_b, a.span_b, a.score)
                for a in s.alignments()
            ),
            "summaries": summaries.value["data"] if summaries else None,
        }


def _memo(store_path: Path, plugin: str) -> dict[str, int]:
    with Store(store_path) as s:
        entry = s.cache_get(plugin, "corpus")
        assert entry is not None
        return dict(entry.value["memo"])


@pytest.mark.skipif(not BBC.exists(), reason="needs /work/shared/eval")
def test_a_changed_document_redoes_only_its_part_and_equals_a_fresh_run(
    tmp_path: Path, seeds: Path
) -> None:
    bbc = _bbc(30)
    folder = tmp_path / "corpus"
    edited = "003_001970584a3e2e1a.txt"  # in the story cluster and the event cluster
    _corpus(folder, seeds, bbc, None)
    store = tmp_path / "inc.sqlite"
    first = run_chain([folder], CHAIN, tmp_path=tmp_path / "r1", store=store)
    assert not first.summary.failed
    before = _outputs(store)
    kinds = {k for _, k, _, _ in before["clusters"]}
    assert {"story", "event"} <= kinds and before["alignments"] and before["summaries"]
    made = _memo(store, "dedup")
    assert made["computed"] >= 2 * 35  # a signature and terms per document, and comparisons

    _corpus(folder, seeds, bbc, edited)
    run_chain([folder], CHAIN, tmp_path=tmp_path / "r2", store=store)
    fresh = run_chain([folder], CHAIN, tmp_path=tmp_path / "r3", store=tmp_path / "fresh.sqlite")
    after = _outputs(store)
    assert after == _outputs(fresh.store_path)
    assert after["alignments"] != before["alignments"]  # the edit moved the aligned spans

    # dedup hashed one document again and compared it with its candidates; the rest was kept.
    dedup = _memo(store, "dedup")
    assert 2 <= dedup["computed"] <= 2 + 4 + 4  # its signature and terms, its comparisons
    assert dedup["kept"] >= 2 * 34
    # Only the summaries of the clusters the edited document is in were made again.
    doc = next(d for d in first.ids() if d.endswith(edited))
    holding = [
        c for c in after["clusters"] if any(m.doc_id == doc for m in c[3]) and c[1] != "exact"
    ]
    summarized = set(after["summaries"]["clusters"])
    assert holding and all(c[0] in summarized for c in holding)
    summaries = _memo(store, "extractive")
    assert summaries == {"kept": len(summarized) - len(holding), "computed": len(holding)}

    # --force computes everything again, and gives the same.
    forced = run_chain([folder], CHAIN, tmp_path=tmp_path / "r4", store=store, force=True)
    assert not forced.summary.failed
    assert _memo(store, "dedup")["computed"] == _memo(fresh.store_path, "dedup")["computed"]
    assert _memo(store, "extractive")["kept"] == 0
    assert _outputs(store) == after
