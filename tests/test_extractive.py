"""Extractive summaries on the sample corpus: per document and per story cluster."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from textmill.plugins.boilerplate.patterns import PATTERNS
from textmill.plugins.extractive import ExtractiveSettings, join_sentences, summarize_text
from textmill.plugins.extractive.multi import SENTENCE_END
from textmill.plugins.extractive.rank import cosines, penalties, terms, tfidf
from textmill.sentences import split, split_spans
from textmill.testing import SEEDS, run_chain, seed_documents

CHAIN = {
    "clean": ["unicode", "boilerplate"],
    "quality": ["mt_artifacts"],
    "dedup": ["dedup"],
    "entities": ["linker"],
    "summarize": ["extractive"],
}
CEASEFIRE = re.compile(r"cease-?fire|truce", re.I)
REJECTS = re.compile(r"reject|denounc|against|preempt|do(?:n’t|n't| not) support|oppos", re.I)
VISIT = re.compile(r"\bXi\b.*\b(Moscow|visit|trip|talks)\b|\b(Moscow|visit|trip|talks)\b.*\bXi\b")


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    return run_chain([SEEDS], CHAIN, tmp_path=tmp_path_factory.mktemp("summ"))


def _cluster_summaries(run) -> dict:
    cached = run.query.corpus.store.cache_get("extractive", "corpus")
    assert cached is not None
    return cached[1]["data"]["clusters"]


def test_story_summary_states_the_core_fact_once(seeds_run) -> None:
    story = next(c for c in seeds_run.query.clusters() if c.kind == "story")
    summary = _cluster_summaries(seeds_run)[story.id]
    sentences = [seeds_run.text(s["doc_id"])[s["start"] : s["end"]] for s in summary["sentences"]]
    core = [s for s in sentences if CEASEFIRE.search(s) and REJECTS.search(s) and VISIT.search(s)]
    assert len(core) == 1, sentences
    # The lead states the core fact: the US rejects a ceasefire (the story cluster holds the two
    # translations of one article, whose first sentence says so; the visit comes next).
    assert CEASEFIRE.search(sentences[0]) and REJECTS.search(sentences[0])
    assert sentences.index(core[0]) <= 1
    # Aligned sentences appear once: no two summary sentences are aligned to each other.
    aligned = {
        ((a.doc_a, a.span_a.start), (a.doc_b, a.span_b.start)) for a in seeds_run.query.alignments()
    }
    keys = [(s["doc_id"], s["start"]) for s in summary["sentences"]]
    assert not [(x, y) for x in keys for y in keys if (x, y) in aligned]
    assert summary["only_in_some"]
    members = {m.doc_id for m in story.members}
    assert all(s["doc_id"] in members for s in summary["sentences"] + summary["only_in_some"])


def test_cluster_summaries_say_first_what_most_versions_carry(seeds_run) -> None:
    # The sample's story cluster has 2 members: 4 summary sentences carried by both exist.
    # Sentences are aligned within story clusters only, so the event cluster's summary has no
    # unit that most of its 5 members carry.
    summaries = _cluster_summaries(seeds_run)
    clusters = list(seeds_run.query.clusters())
    assert {c.kind for c in clusters} == {"story", "event"}
    for c in (c for c in clusters if c.kind == "story"):
        support = [s["support"] for s in summaries[c.id]["sentences"]]
        assert len(support) == 4
        assert all(n > len(c.members) / 2 for n in support), (c.id, support)


def test_no_summary_sentence_is_boilerplate(seeds_run) -> None:
    texts = []
    for doc_id in seeds_run.ids():
        data = seeds_run.result(doc_id, "extractive").data
        texts += [seeds_run.text(doc_id)[s["start"] : s["end"]] for s in data["sentences"]]
    for summary in _cluster_summaries(seeds_run).values():
        texts += [seeds_run.text(s["doc_id"])[s["start"] : s["end"]] for s in summary["sentences"]]
    for t in texts:
        assert not [p.reason for p in PATTERNS if p.regex.search(t)], t
        assert "Reuters) -" not in t and "Share post" not in t


def test_document_summary_spans_are_real_sentences_in_order(seeds_run) -> None:
    for doc_id in seeds_run.ids():
        text = seeds_run.text(doc_id)
        data = seeds_run.result(doc_id, "extractive").data
        assert len(data["sentences"]) == 3
        starts = [s["start"] for s in data["sentences"]]
        assert starts == sorted(starts)
        for s in data["sentences"]:
            sent = text[s["start"] : s["end"]]
            assert (sent == sent.strip() and sent[0].isupper()) or sent[0] in '“"'
            assert s["start"] == 0 or text[s["start"] - 1] in " \n"
            assert sent in data["summary"]


def test_document_summaries_are_sentences_of_the_text_kept_apart(seeds_run) -> None:
    # Seed 000's title is a headline with no end mark ("... solidify “Russian conquest”"); it
    # used to open the summary, run into the first sentence by a space.
    headlines = 0
    for doc_id in seeds_run.ids():
        view = seeds_run.document(doc_id)
        text, title = view.doc.text, view.doc.title
        data = seeds_run.result(doc_id, "extractive").data
        spans = set(split_spans(text))
        sentences = [text[s["start"] : s["end"]] for s in data["sentences"]]
        assert all((s["start"], s["end"]) in spans for s in data["sentences"])
        assert data["summary"] == join_sentences(sentences)
        pos = 0
        for i, sent in enumerate(sentences):
            pos = data["summary"].index(sent, pos) + len(sent)
            if i + 1 < len(sentences):
                gap = data["summary"][pos : data["summary"].index(sentences[i + 1], pos)]
                assert gap == (" " if SENTENCE_END.search(sent) else "\n"), (doc_id, sent)
        if title and text.startswith(title) and not SENTENCE_END.search(title):
            headlines += 1
            assert title not in sentences and not data["summary"].startswith(title)
    assert headlines >= 2  # 000's and 001's titles are headlines
    # A first line that ends as a sentence is the lead, not a headline, and stays a candidate.
    lead = seeds_run.document(next(i for i in seeds_run.ids() if i.startswith("003")))
    assert SENTENCE_END.search(lead.doc.title)
    first = seeds_run.result(lead.doc.id, "extractive").data["sentences"][0]
    assert lead.doc.text[first["start"] : first["end"]] == lead.doc.title


def test_a_document_sets_its_own_summary_length_in_meta(tmp_path: Path) -> None:
    import dataclasses

    docs = seed_documents()
    metas = [
        {"summary_sentences": 1},
        {"summary_sentences": "5"},
        {"summary_sentences": "many"},
        {},
        {"summary_sentences": 0},
    ]
    docs = [dataclasses.replace(d, meta={**d.meta, **m}) for d, m in zip(docs, metas, strict=True)]
    store = tmp_path / "store.sqlite"
    chain = {"summarize": ["extractive"]}
    out = run_chain(docs, chain, tmp_path=tmp_path, store=store)
    results = [out.result(d.id, "extractive") for d in docs]
    assert [len(r.data["sentences"]) for r in results] == [1, 5, 3, 3, 3]
    assert [r.status for r in results] == ["ok"] * 5
    bad = [[f.message for f in r.findings] for r in results]
    assert bad[2] == [
        "meta.summary_sentences must be a whole number of at least 1, not 'many'; the run's "
        "length (3 sentences) was used."
    ]
    assert bad[4] and "not 0" in bad[4][0] and not any(bad[i] for i in (0, 1, 3))
    # meta is part of the cache key: a new length re-runs that document alone.
    docs[0] = dataclasses.replace(docs[0], meta={**docs[0].meta, "summary_sentences": 2})
    again = run_chain(docs, chain, tmp_path=tmp_path, store=store)
    assert len(again.result(docs[0].id, "extractive").data["sentences"]) == 2
    assert again.summary.plugins["extractive"].cached == 4


def test_length_controls() -> None:
    text = next(SEEDS.glob("001_*")).read_text(encoding="utf-8")
    by_words = summarize_text(text, ExtractiveSettings(words=60))
    assert 30 <= len(by_words["summary"].split()) <= 110
    by_ratio = summarize_text(text, ExtractiveSettings(ratio=0.2))
    assert by_ratio["length"]["unit"] == "sentences" and len(by_ratio["sentences"]) >= 4
    lead = summarize_text(text, ExtractiveSettings(method="lead", sentences=2))
    assert lead["sentences"][0]["start"] == 0
    with pytest.raises(ValueError, match="unknown"):
        summarize_text(text, ExtractiveSettings(method="neural"))


def test_penalties_and_tfidf_on_seed_sentences() -> None:
    sents = split(next(SEEDS.glob("002_*")).read_text(encoding="utf-8"))
    pen = dict(zip(sents, penalties(sents), strict=True))
    follow = next(s for s in sents if "follow him on Twitter" in s)
    assert pen[follow] == pytest.approx(0.2)  # a credit line: furniture
    assert pen["Author: Dave DeCamp"] == pytest.approx(0.5)  # no sentence ending
    unattributed = next(s for s in sents if s.startswith("“We certainly don’t support"))
    assert pen[unattributed] == pytest.approx(0.7)
    attributed = next(s for s in sents if s.startswith("“We don’t support calls"))
    assert "Kirby said" in attributed and pen[attributed] == 1.0
    # TF-IDF rows: unit length, zero for a sentence of stop words; repeating a sentence gives
    # cosine 1, a sentence sharing no term with it cosine 0.
    rows = [*sents[:6], sents[0], "It is what it was."]
    x = tfidf([s.split() for s in rows])
    norms = np.linalg.norm(x, axis=1)
    assert np.allclose(norms[:-1], 1.0) and norms[-1] == 0.0
    sim = cosines(x)
    assert sim[0, 6] == pytest.approx(1.0)
    assert set(terms(rows[0])).isdisjoint(terms(rows[1])) == (sim[0, 1] == 0.0)
    assert sim[0, 1] < 1.0


BBC = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "summarization" / "bbc.jsonl"


@pytest.mark.skipif(not BBC.exists(), reason="evaluation data not present")
def test_furniture_words_count_only_as_whole_words() -> None:
    # News about subscribers or a company named Doubleclick is not a "subscribe"/"click" line.
    with BBC.open(encoding="utf-8") as fh:
        sents = [s for line in fh for s in split(json.loads(line)["text"])]
    for word in ("subscribers", "Doubleclick"):
        plain = [
            s
            for s in sents
            if word in s and len(s.split()) >= 6 and s.endswith(".") and not re.search('["“”@]', s)
        ]
        assert len(plain) >= 2, word
        assert all(p == 1.0 for p in penalties(plain)), word


@pytest.mark.skipif(not BBC.exists(), reason="evaluation data not present")
def test_a_long_document_gets_a_sparse_graph_and_a_summary_of_its_sentences() -> None:
    from textmill.plugins.extractive.rank import WINDOW, Band, _iterate, _solve, tfidf_rows

    with BBC.open(encoding="utf-8") as fh:
        articles = [json.loads(line)["text"].strip() for line in itertools.islice(fh, 300)]
    text = "\n\n".join(articles)
    out = summarize_text(text, ExtractiveSettings())
    spans = set(split_spans(text))
    assert len(out["sentences"]) == 3
    assert all((s["start"], s["end"]) in spans for s in out["sentences"])
    assert out["summary"] == join_sentences([text[s["start"] : s["end"]] for s in out["sentences"]])
    # The graph links each sentence to at most 2·WINDOW others: linear in the document, where
    # every pair (n²) would be over 15 times as many here.
    sents = [t for t in split(text) if len(t.split()) >= 3]
    words = [t.split() for t in sents]
    n = len(sents)
    band = Band(tfidf_rows(words))
    assert n > 15 * (2 * WINDOW + 1)
    assert band.full is None and band.w.shape == (n, 2 * WINDOW + 1)
    assert 0 < band.edges <= 2 * WINDOW * n
    # Within the window the links are the exact cosines of the dense TF-IDF rows.
    part = words[:600]
    x = tfidf(part)
    exact = cosines(x)
    np.fill_diagonal(exact, 0.0)
    near = np.abs(np.subtract.outer(np.arange(600), np.arange(600))) <= WINDOW
    got = Band(tfidf_rows(part)).dense()
    assert np.allclose(got[near], exact[near], atol=1e-6) and not got[~near].any()
    # An article shorter than the window is one window: its graph is every pair's cosine.
    short = [t.split() for t in split(articles[0]) if len(t.split()) >= 3]
    assert np.allclose(
        Band(tfidf_rows(short)).dense(), cosines(tfidf(short)) - np.eye(len(short)), atol=1e-6
    )
    # Power iteration reaches the distribution the direct solution gives.
    small = Band(tfidf_rows(part))
    assert np.allclose(_iterate(small, 0.85), _solve(small.dense(), 0.85), rtol=1e-6, atol=1e-12)
