"""The ``extractive`` summarize plugin: single-document and per-cluster extractive summaries.

Single documents (:mod:`.rank`, :mod:`.select`): continuous LexRank centrality over TF-IDF cosine,
news lead bias, sentence length, entity salience (from the linker when it ran), penalties for
unattributed quotes and boilerplate-like sentences; length by sentences, words or ratio; MMR
redundancy control; sentences kept in source order with their spans.
Clusters (:mod:`.multi`, corpus hook after dedup): one summary per story and event cluster.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Literal

import numpy as np
from textmill import (
    Corpus,
    CorpusResult,
    DocContext,
    Document,
    PluginInfo,
    Range,
    Result,
    hookimpl,
)
from textmill.plugins.extractive.multi import cluster_summary
from textmill.plugins.extractive.rank import cosines, salience, tfidf
from textmill.plugins.extractive.select import budget, mmr
from textmill.sentences import split_spans

VERSION = "2"


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


def summarize_text(text: str, s: ExtractiveSettings, mentions: list[dict] | None = None) -> dict:
    spans, strings, words = [], [], []
    for a, b in split_spans(text):
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
        x = tfidf(words)
        sim = cosines(x)
        scores = salience(
            strings, lead_bias=s.lead_bias, entity_weight=ent, x=x, sim=sim, lengths=lengths
        )
        chosen = mmr(scores, sim, lengths, limit=limit, redundancy=s.redundancy)
    return {
        "summary": " ".join(strings[i] for i in chosen),
        "sentences": [
            {"start": spans[i][0], "end": spans[i][1], "score": round(float(scores[i]), 3)}
            for i in chosen
        ],
        "length": {"unit": limit[0], "target": limit[1]},
    }


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
    s = settings or ExtractiveSettings()
    linker = ctx.result("linker")
    mentions = linker.data.get("mentions") if linker is not None and linker.data else None
    data = summarize_text(doc.text, s, mentions)
    return Result(data=data, label=f"{len(data['sentences'])} sentences")


@hookimpl
def textmill_corpus_summarize(corpus: Corpus, settings: ExtractiveSettings) -> CorpusResult:
    s = settings or ExtractiveSettings()
    out = {}
    for kind in s.cluster_kinds:
        for cluster in corpus.clusters(kind):
            out[cluster.id] = cluster_summary(
                corpus, cluster, sentences=s.cluster_sentences, redundancy=s.cluster_redundancy
            )
            out[cluster.id]["kind"] = kind
    return CorpusResult(data={"clusters": out})
