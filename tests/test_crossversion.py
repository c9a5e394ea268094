"""Cross-version checks on real text: versions of translated documents are compared and each
finding names the version it compares with; native English articles on one topic are not
versions of each other, so they get no cross-version findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from dedup_output import BBC, MQM, REPO
from textmill import Document
from textmill.plugins.mt_artifacts.crossversion import copy_groups, cross_version, numbers
from textmill.testing import run_chain

CHAIN = {"clean": ["unicode", "boilerplate"], "dedup": ["dedup"]}


@pytest.mark.skipif(not BBC.exists(), reason="evaluation data not present")
def test_articles_on_one_topic_are_events_not_versions(tmp_path: Path) -> None:
    # The first 160 business articles hold several on one topic (an oil company's tax case,
    # oil prices, a fraud trial), some that reuse paragraphs of another, and no translation.
    rows = [json.loads(line) for line in BBC.open(encoding="utf-8")]
    docs = [Document(id=r["id"], raw=r["text"]) for r in rows if r["category"] == "business"]
    out = run_chain(docs[:160], CHAIN, tmp_path=tmp_path)
    corpus = out.query.corpus
    copies = copy_groups(corpus)
    for c in corpus.clusters("story"):
        # Story clusters of native articles are copies of one text, nothing more.
        assert len({copies.get(m.doc_id, m.doc_id) for m in c.members}) == 1, c
    assert max(len(c.members) for c in corpus.clusters("event")) >= 3
    assert cross_version(corpus) == {}


@pytest.mark.skipif(not MQM.exists(), reason="evaluation data not present")
def test_versions_of_translations_are_compared_with_a_named_version(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from eval_dedup import load_versions

    texts, truth, _ = load_versions()
    wanted = sorted(set(truth.values()))[:3]
    ids = [v for v in sorted(texts) if truth[v] in wanted]
    docs = [Document(id=v, raw=texts[v]) for v in ids]
    out = run_chain(docs, {"dedup": ["dedup"]}, tmp_path=tmp_path)
    corpus = out.query.corpus
    stories = corpus.clusters("story")
    assert sorted(len(c.members) for c in stories) == [10, 10, 10]
    story_of = {m.doc_id: c for c in stories for m in c.members}
    copies = copy_groups(corpus)
    results = cross_version(corpus)
    codes = {f.code for r in results.values() for f in r.findings}
    assert codes == {"mt.cross.addition", "mt.cross.omission", "mt.cross.quote", "mt.cross.number"}
    for doc_id, r in results.items():
        cluster = story_of[doc_id]
        members = {m.doc_id for m in cluster.members}
        for f in r.findings:
            named = f.data.get("other") or f.data.get("from") or f.data["compared_with"][0]
            assert named in members and named != doc_id
            assert named in f.message
            # A copy is never compared with its own copy.
            assert copies.get(named, named) != copies.get(doc_id, doc_id)
            if f.code == "mt.cross.number":
                here = out.text(doc_id)[f.span.start : f.span.end]
                a, b = f.data["other_span"]
                there = out.text(named)[a:b]
                # Each number named is in its own sentence and not in the other.
                mine, theirs = numbers(here), numbers(there)
                named_here = {v for v, spelt in mine.items() if spelt in f.data["here"]}
                named_there = {v for v, spelt in theirs.items() if spelt in f.data["there"]}
                assert len(named_here) == len(f.data["here"]) > 0
                assert len(named_there) == len(f.data["there"]) > 0
                assert not named_here & theirs.keys() and not named_there & mine.keys()
            if f.code in ("mt.cross.quote", "mt.cross.number"):
                assert named == cluster.representative


def test_numbers_are_compared_by_value() -> None:
    assert set(numbers("Sales rose 4.5% to $1,000.0m in 2004; 11bn, No. 3,5")) == set(
        numbers("In 2004, sales of 1000 rose 4.50 percent, 11 billion, 3.5")
    )
