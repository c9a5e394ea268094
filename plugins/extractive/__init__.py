"""The ``extractive`` summarize plugin: single-document and per-cluster extractive summaries.

Single documents (:mod:`.rank`, :mod:`.select`): continuous LexRank centrality over TF-IDF cosine,
news lead bias, sentence length, entity salience (from the linker when it ran), penalties for
unattributed quotes and boilerplate-like sentences; length by sentences, words or ratio (or a
document's ``meta.summary_sentences``); MMR redundancy control; sentences kept in source order
with their spans. The document's title, when the text starts with it and it is a headline (no
end mark), is not a candidate.
Clusters (:mod:`.multi`, corpus hook after dedup): one summary per story and event cluster.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal

import numpy as np
from textmill import (
    Alignment,
    Corpus,
    CorpusResult,
    DocContext,
    Document,
    Finding,
    PluginInfo,
    Range,
    Result,
    hookimpl,
)
from textmill.memo import memo_of
from textmill.plugins.extractive.multi import SENTENCE_END, gather, summarize
from textmill.plugins.extractive.rank import Band, salience, tfidf_rows
from textmill.plugins.extractive.select import budget, mmr
from textmill.sentences import split_spans

VERSION = "3"
META_LENGTH = "summary_sentences"
"""The ``meta`` key with which a document sets its own summary length in sentences."""


@dataclass(frozen=True)
class ExtractiveSettings:
    sentences: Annotated[int, Range(min=1)] = field(
        default=3, metadata={"doc": "Summary length in sentences (when words and ratio are 0)."}
    )
    words: Annotated[int, Range(min=0)] = field(
        default=0, metadata={"doc": "Summary length in words (overrides sentences)."}
    )
    ratio: Annotated[float, Range(0, 1)] = field(
        default=0.0, metadata={"doc": "Summary length as a share of the document's sentences."}
    )
    method: Literal["lexrank", "lead"] = field(
        default="lexrank",
        metadata={"doc": "lexrank (centrality + lead) or lead (first sentences)."},
    )
    lead_bias: Annotated[float, Range(0, 1)] = field(
        default=0.2, metadata={"doc": "0..1 weight of position against centrality."}
    )
    redundancy: Annotated[float, Range(0, 1)] = field(
        default=0.3, metadata={"doc": "MMR λ: how much similarity to chosen sentences costs."}
    )
    cluster_redundancy: Annotated[float, Range(0, 1)] = field(
        default=0.6,
        metadata={
            "doc": "MMR λ for cluster summaries: versions restate the core fact, so it is higher."
        },
    )
    cluster_sentences: Annotated[int, Range(min=1)] = field(
        default=4, metadata={"doc": "Length of each cluster summary in sentences."}
    )
    cluster_kinds: list[Literal["exact", "near", "story", "event"]] = field(
        default_factory=lambda: ["story", "event"], metadata={"doc": "Cluster kinds to summarize."}
    )


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="extractive",
        version=VERSION,
        description="Extractive summaries per document and per story/event cluster.",
        settings=ExtractiveSettings,
        uses=("entities", "quality.score"),
        corpus_uses=("clusters", "alignments"),
    )


def summarize_text(
    text: str, s: ExtractiveSettings, mentions: list[dict] | None = None, title: str = ""
) -> dict:
    """The summary of ``text``: chosen sentences in source order, with spans and scores.

    ``title``: the document's title; when the text starts with it, it is a headline, not a
    sentence of the article, and is left out."""
    title_end = _title_end(text, title)
    spans, strings, words = [], [], []
    for a, b in split_spans(text):
        if a < title_end:
            continue
        sent = text[a:b]
        w = sent.split()
        if len(w) >= 3:
            spans.append((a, b))
            strings.append(sent)
            words.append(w)
    lengths = [len(w) for w in words]
    if not spans:
        return {"summary": "", "sentences": []}
    if s.method not in ("lexrank", "lead"):
        raise ValueError(f'extractive method "{s.method}" is unknown; use lexrank or lead')
    limit = budget(len(spans), lengths, sentences=s.sentences, words=s.words, ratio=s.ratio)
    if s.method == "lead":
        chosen, used = [], 0
        for i, n in enumerate(lengths):
            chosen.append(i)
            used += n
            if (limit[0] == "sentences" and len(chosen) >= limit[1]) or (
                limit[0] == "words" and used >= limit[1]
            ):
                break
        scores = np.linspace(1, 0, len(spans))
    else:
        ent = _entity_weights(spans, mentions) if mentions else None
        sim = Band(tfidf_rows(words))
        scores = salience(
            strings, lead_bias=s.lead_bias, entity_weight=ent, sim=sim, lengths=lengths
        )
        chosen = mmr(scores, sim, lengths, limit=limit, redundancy=s.redundancy)
    return {
        "summary": join_sentences([strings[i] for i in chosen]),
        "sentences": [
            {"start": spans[i][0], "end": spans[i][1], "score": round(float(scores[i]), 3)}
            for i in chosen
        ],
        "length": {"unit": limit[0], "target": limit[1]},
    }


def _title_end(text: str, title: str) -> int:
    """Where the title ends when ``text`` starts with it (after blank space) and it is a
    headline (no end mark), else 0. A first line that ends as a sentence does (the readers take
    any short first paragraph for the title) is often the article's lead, and stays."""
    title = title.strip()
    start = len(text) - len(text.lstrip())
    if title and text.startswith(title, start) and not SENTENCE_END.search(title):
        return start + len(title)
    return 0


def join_sentences(sentences: list[str]) -> str:
    """Sentences joined by a space, but by a line break after one with no end mark (a heading
    or a caption), which a space would run into the next sentence."""
    out: list[str] = []
    for i, sent in enumerate(sentences):
        if i:
            out.append(" " if SENTENCE_END.search(sentences[i - 1]) else "\n")
        out.append(sent)
    return "".join(out)


def length_from_meta(
    doc: Document, s: ExtractiveSettings
) -> tuple[ExtractiveSettings, Finding | None]:
    """The settings for this document: ``meta.summary_sentences``, when it holds a whole number
    of at least 1 (or its digits, as a CSV column gives it), replaces the run's length; another
    value gives a finding and the run's length."""
    value = doc.meta.get(META_LENGTH) if doc.meta else None
    if value is None:
        return s, None
    if isinstance(value, str) and value.strip().isdecimal():  # a CSV column is text
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return replace(s, sentences=value, words=0, ratio=0.0), None
    run = (
        f"{s.words} words"
        if s.words > 0
        else f"{s.ratio:g} of the sentences"
        if s.ratio > 0
        else f"{s.sentences} sentences"
    )
    return s, Finding(
        "extractive.bad-length",
        f"meta.{META_LENGTH} must be a whole number of at least 1, not {value!r}; "
        f"the run's length ({run}) was used.",
        "warning",
    )


def _entity_weights(spans: list[tuple[int, int]], mentions: list[dict]) -> list[float]:
    """Per sentence: the summed frequency (relative to the top entity's) of the linked entities
    mentioned in it, halved and capped at 1."""
    freq = Counter(m["entity"] for m in mentions)
    top = max(freq.values()) if freq else 1
    starts = [a for a, _ in spans]
    weights = [0.0] * len(spans)
    for m in mentions:
        i = bisect_right(starts, m["start"]) - 1
        if i >= 0 and m["start"] < spans[i][1]:
            weights[i] += freq[m["entity"]] / top
    return [min(1.0, w / 2) for w in weights]


@hookimpl
def textmill_summarize(doc: Document, settings: ExtractiveSettings, ctx: DocContext) -> Result:
    s, problem = length_from_meta(doc, settings or ExtractiveSettings())
    linker = ctx.result("linker")
    mentions = linker.data.get("mentions") if linker is not None and linker.data else None
    data = summarize_text(doc.text, s, mentions, title=doc.title)
    return Result(
        data=data,
        label=f"{len(data['sentences'])} sentences",
        findings=(problem,) if problem else (),
    )


@hookimpl
def textmill_corpus_summarize(corpus: Corpus, settings: ExtractiveSettings) -> CorpusResult:
    s = settings or ExtractiveSettings()
    memo = memo_of(corpus)
    every: list[Alignment] | None = None  # all alignments, read once for the event clusters
    out = {}
    for kind in s.cluster_kinds:
        for cluster in corpus.clusters(kind):
            if cluster.kind != "story" and every is None:
                every = corpus.alignments(None)
            given = gather(corpus, cluster, every)
            # A summary is kept by what it is made from: a cluster whose members, texts,
            # scores and alignments are unchanged is not summarized again.
            out[cluster.id] = memo(
                f"cluster:{given.key()}",
                functools.partial(
                    summarize,
                    given,
                    sentences=s.cluster_sentences,
                    redundancy=s.cluster_redundancy,
                ),
            )
            out[cluster.id]["kind"] = kind
    return CorpusResult(data={"clusters": out})
