"""Per-cluster summaries: what the versions of a story agree on, once, plus what only some say.

Sentences of all versions are grouped into content units by dedup's alignments; a unit's support
is the share of versions carrying it. Units are ranked by support, centrality over the cluster
and position; each unit is voiced by its sentence from the best-quality version; MMR removes
what remains redundant, taking units most versions carry before any other. Unaligned sentences
with high salience form "only in some versions".
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from textmill import Alignment, Corpus
from textmill.plugins.extractive.rank import centrality, cosines, penalties, terms, tfidf
from textmill.plugins.extractive.select import mmr
from textmill.sentences import split_spans

SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
"""An end mark, then closing quotes or brackets: what a sentence ends with, and a headline not."""


@dataclass(frozen=True)
class ClusterInput:
    """What a cluster's summary is made from: its members in order, their texts and quality
    scores, and the alignments between two of them."""

    members: list[str]
    texts: dict[str, str]
    quality: dict[str, float]
    alignments: list[Alignment]

    def key(self) -> str:
        """A hash of all of it: the memo key of the summary."""
        body = [
            self.members,
            [
                hashlib.blake2b(self.texts[d].encode("utf-8", "surrogatepass")).hexdigest()
                for d in self.members
            ],
            [self.quality[d] for d in self.members],
            [
                [a.doc_a, a.span_a.start, a.span_a.end, a.doc_b, a.span_b.start, a.span_b.end]
                for a in self.alignments
            ],
        ]
        return hashlib.blake2b(orjson.dumps(body), digest_size=16).hexdigest()


def gather(corpus: Corpus, cluster: Any, every: list[Alignment] | None = None) -> ClusterInput:
    """A cluster's input from the corpus: a story cluster's own alignments, or for another kind
    the alignments between its members of every cluster (``every``: all of them, read once by
    the caller, else read here)."""
    members = [m.doc_id for m in cluster.members]
    texts = {}
    for d in members:
        doc = corpus.document(d)
        texts[d] = doc.text if doc else ""
    quality = {}
    for d in members:
        r = corpus.result(d, "mt_artifacts")
        quality[d] = r.score if r is not None and r.score is not None else 0.5
    if cluster.kind == "story":
        found = corpus.alignments(cluster.id)
    else:
        found = every if every is not None else corpus.alignments(None)
    aligned = [a for a in found if a.doc_a in texts and a.doc_b in texts]
    return ClusterInput(members, texts, quality, aligned)


def cluster_summary(corpus: Corpus, cluster: Any, **options: Any) -> dict[str, Any]:
    """The summary of a cluster read from the corpus (``options``: those of :func:`summarize`)."""
    return summarize(gather(corpus, cluster), **options)


def summarize(
    given: ClusterInput,
    *,
    sentences: int = 4,
    redundancy: float = 0.3,
    only_in_some: int = 3,
    min_words: int = 6,
    majority_first: bool = True,
) -> dict[str, Any]:
    """The summary of a cluster (see the module's docstring)."""
    members, texts, quality = given.members, given.texts, given.quality
    sents: list[tuple[str, int, int]] = []
    for d in members:
        for a, b in split_spans(texts[d]):
            sent = texts[d][a:b]
            # Headlines and captions (no sentence ending) are not summary material.
            if len(sent.split()) >= min_words and SENTENCE_END.search(sent):
                sents.append((d, a, b))
    if not sents:
        return {"summary": "", "sentences": [], "only_in_some": []}
    index = {s: i for i, s in enumerate(sents)}
    parent = list(range(len(sents)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def locate(doc: str, start: int, end: int) -> int | None:
        for (d, a, b), i in index.items():
            if d == doc and a < end and start < b:
                return i
        return None

    for al in given.alignments:
        i = locate(al.doc_a, al.span_a.start, al.span_a.end)
        j = locate(al.doc_b, al.span_b.start, al.span_b.end)
        if i is not None and j is not None:
            parent[find(i)] = find(j)
    units: dict[int, list[int]] = defaultdict(list)
    for i in range(len(sents)):
        units[find(i)].append(i)
    strings = [texts[d][a:b] for d, a, b in sents]
    x = tfidf([s.split() for s in strings])
    pen = penalties(strings)
    cent = centrality(x)
    order_in_doc = {}
    for d in members:
        own = [i for i, s in enumerate(sents) if s[0] == d]
        for k, i in enumerate(own):
            order_in_doc[i] = k / max(1, len(own) - 1)
    unit_ids = list(units)
    voice = []
    scores = []
    agreed = []  # carried by most versions
    for u in unit_ids:
        idx = units[u]
        docs = {sents[i][0] for i in idx}
        support = len(docs) / len(members)
        # The unit is voiced by the best-translated version; its content is the same in every
        # version, so it is scored by its best wording.
        best = max(idx, key=lambda i: (quality[sents[i][0]], cent[i]))
        voice.append(best)
        pos = float(np.mean([order_in_doc[i] for i in idx]))
        # News puts the core fact first: the lead weighs as much as agreement between versions.
        lead = (1 - pos) ** 2
        scores.append(
            (0.4 * support + 0.2 * float(np.mean(cent[idx])) + 0.4 * lead) * float(pen[idx].max())
        )
        agreed.append(len(docs) > len(members) / 2)
    vx = x[voice]
    # Versions restate the core fact in different words, so redundancy also counts shared terms
    # (overlap coefficient of the term sets), not only TF-IDF cosine.
    bags = [set(terms(strings[i])) for i in voice]
    overlap = np.array(
        [[len(a & b) / max(1, min(len(a), len(b))) for b in bags] for a in bags], dtype=np.float32
    )
    sim = np.maximum(cosines(vx), overlap)
    lengths = [len(strings[i].split()) for i in voice]
    picked = mmr(
        np.array(scores),
        sim,
        lengths,
        limit=("sentences", sentences),
        redundancy=redundancy,
        # What the versions agree on comes first: otherwise an early sentence that one version
        # alone has (often a sentence split differently there) outranks the agreed ones that MMR
        # marks down for sharing the story's terms. ``majority_first=False`` is the ranking
        # without it, for comparison.
        first=np.array(agreed) if majority_first else None,
    )
    # Order: by mean relative position of the unit across versions.
    picked.sort(key=lambda k: float(np.mean([order_in_doc[i] for i in units[unit_ids[k]]])))
    chosen = [voice[k] for k in picked]
    single = [
        k
        for k, u in enumerate(unit_ids)
        if len({sents[i][0] for i in units[u]}) == 1 and len(members) > 1
    ]
    single.sort(key=lambda k: -scores[k])
    extra = [voice[k] for k in single[:only_in_some]]
    return {
        "summary": " ".join(strings[i] for i in chosen),
        "sentences": [
            {
                "doc_id": sents[i][0],
                "start": sents[i][1],
                "end": sents[i][2],
                "support": len({sents[j][0] for j in units[find(i)]}),
            }
            for i in chosen
        ],
        "only_in_some": [
            {"doc_id": sents[i][0], "start": sents[i][1], "end": sents[i][2], "text": strings[i]}
            for i in extra
        ],
        "versions": len(members),
    }
