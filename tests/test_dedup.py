"""The dedup plugin on the sample corpus and on real translated versions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textmill.plugins.dedup.align import align, sentences
from textmill.plugins.dedup.minhash import LSHIndex, MinHasher, jaccard
from textmill.plugins.dedup.wordhash import hash_words, word_hashes
from textmill.testing import SEEDS, run_chain

CHAIN = {"clean": ["unicode", "boilerplate"], "dedup": ["dedup"]}


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain([SEEDS], CHAIN, tmp_path=tmp_path_factory.mktemp("dedup"))


def _prefixes(cluster) -> set[str]:
    return {m.doc_id[:3] for m in cluster.members}


def test_seed_translations_form_one_story_and_all_one_event(seeds_run) -> None:
    # 000 and 003 translate one article sentence by sentence; 004 retells it in another order,
    # and 001 and 002 are other reports of the same event.
    clusters = seeds_run.query.clusters()
    stories = [c for c in clusters if c.kind == "story"]
    events = [c for c in clusters if c.kind == "event"]
    assert [_prefixes(c) for c in stories] == [{"000", "003"}]
    assert [_prefixes(c) for c in events] == [{"000", "001", "002", "003", "004"}]
    assert not [c for c in clusters if c.kind in ("exact", "near")]
    story = stories[0]
    assert story.representative in {m.doc_id for m in story.members}
    assert story.data["similarity"].startswith("alignment coverage")
    other = next(m for m in story.members if m.doc_id != story.representative)
    assert 0.75 <= other.similarity < 1.0
    for doc_id in seeds_run.ids():
        data = seeds_run.result(doc_id, "dedup").data
        assert data["clusters"]["event"] == events[0].id
        assert (data["clusters"].get("story") == story.id) == (doc_id[:3] in {"000", "003"})


def test_kirby_quote_aligns_across_versions(seeds_run) -> None:
    hits = []
    for a in seeds_run.query.alignments():
        ta = seeds_run.text(a.doc_a)[a.span_a.start : a.span_a.end]
        tb = seeds_run.text(a.doc_b)[a.span_b.start : a.span_b.end]
        if "support calls for a ceasefire right now" in ta + tb:
            hits.append((a.doc_a[:3], a.doc_b[:3], ta, tb))
    pairs = {(x, y) for x, y, _, _ in hits}
    assert ("000", "003") in pairs
    for x, y, ta, tb in hits:
        if (x, y) == ("000", "003"):
            assert "support calls for a ceasefire right now" in ta
            assert "We do not support calls for a ceasefire at this time" in tb


def test_exact_and_near_copies_are_labelled(tmp_path: Path) -> None:
    base = (SEEDS / next(p.name for p in SEEDS.glob("003_*"))).read_text(encoding="utf-8")
    near = base.replace("Kirby said", "Kirby stated", 2).replace(",", "")
    out = run_chain([base, base.upper(), near], {"dedup": ["dedup"]}, tmp_path=tmp_path)
    kinds = {c.kind: _prefixes_ids(c) for c in out.query.clusters()}
    assert kinds["exact"] == {"doc-0", "doc-1"}
    assert kinds["near"] == {"doc-0", "doc-1", "doc-2"} or kinds["near"] == {"doc-0", "doc-2"}
    dup = out.result("doc-2", "dedup")
    assert dup.data["duplicate_of"] in {"doc-0", "doc-1"}
    assert dup.findings and dup.findings[0].code == "dedup.near"
    assert "Near-duplicate of" in dup.findings[0].message


def _prefixes_ids(cluster) -> set[str]:
    return {m.doc_id for m in cluster.members}


def test_minhash_estimates_jaccard_and_lsh_finds_pairs() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    h = MinHasher(128, 5)
    sigs = [h.signature(word_hashes(t)) for t in texts]
    assert sigs[0].dtype == np.uint32 and sigs[0].shape == (128,)
    assert jaccard(sigs[0], sigs[0]) == 1.0
    assert jaccard(sigs[0], sigs[3]) < 0.2  # translations share few 5-grams
    edited = texts[3].replace("Kirby", "Kirby,", 1)
    assert jaccard(h.signature(word_hashes(edited)), sigs[3]) > 0.8
    lsh = LSHIndex(128, 32)
    for i, s in enumerate([*sigs, h.signature(word_hashes(edited))]):
        lsh.add(i, s)
    assert (3, 5) in lsh.pairs()
    keys = hash_words(["Hello,  World!", "hello world", "hello, world, again"]).keys()
    assert keys[0] == keys[1] != keys[2]


def test_alignment_keeps_story_order() -> None:
    a = sentences(
        "Kirby spoke on Friday in Washington. Xi will visit Moscow next week. Biden wants a call."
    )
    b = sentences(
        "On Friday Kirby spoke in Washington. Next week Xi visits Moscow. Biden wants a phone call."
    )
    pairs = align(a, b, 0.5)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0), (1, 1), (2, 2)]


EVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "translations"


@pytest.mark.skipif(not EVAL.exists(), reason="evaluation data not present")
def test_versions_of_real_translated_documents_cluster(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from eval_dedup import load_versions
    from sklearn.metrics import adjusted_rand_score
    from textmill import Document

    texts, truth, _ = load_versions()
    docs_wanted = sorted(set(truth.values()))[:6]
    ids = [v for v in sorted(texts) if truth[v] in docs_wanted]
    out = run_chain(
        [Document(id=v, raw=texts[v]) for v in ids], {"dedup": ["dedup"]}, tmp_path=tmp_path
    )
    story_of = {
        m.doc_id: c.id for c in out.query.clusters() if c.kind == "story" for m in c.members
    }
    ari = adjusted_rand_score([truth[v] for v in ids], [story_of.get(v, v) for v in ids])
    assert ari > 0.8
