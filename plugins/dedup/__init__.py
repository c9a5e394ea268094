"""The ``dedup`` plugin: exact copies, near-duplicates, versions of one story, and events.

A corpus hook (a barrier after every per-document step before it) streams the corpus twice:
1. word hashes of batches of documents (numpy, :mod:`.wordhash`), and from them exact keys and
   MinHash signatures (:mod:`.minhash`); document frequencies of terms;
2. each document's distinctive terms (content lemmas, names and numbers weighted by rarity,
   :mod:`.terms`).

Then:
- **exact**: equal keys, confirmed on the normalized texts;
- **near**: banded LSH candidates, each verified by rapidfuzz on the normalized texts;
- **story**: candidates from an inverted index over distinctive terms (terms in too many
  documents are pruned), compared by sentence alignment (:mod:`.align`): two documents are
  versions of one story when the other covers most of *each* of them, in order; the alignments
  are stored;
- **event**: a looser weighted overlap of distinctive terms (or a partial alignment): articles
  on one topic.

Clusters get a representative (the best quality score when the quality stage ran, else the
longest, cleanest text) and an id derived from their members (:mod:`.ids`); each member gets
its similarity to the representative, one measure per kind, and a per-document result with its
cluster ids. Nothing depends on the iteration order of sets or dicts of strings, so the output
is the same under every ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import typing
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NamedTuple

import numpy as np
from rapidfuzz import fuzz
from textmill import (
    Alignment,
    Cluster,
    ClusterMember,
    Corpus,
    CorpusResult,
    Finding,
    PluginInfo,
    Range,
    Result,
    Span,
    hookimpl,
)
from textmill.memo import memo_of
from textmill.plugins.dedup.align import Comparison, Sentences, compare, sentences
from textmill.plugins.dedup.clusters import UnionFind
from textmill.plugins.dedup.ids import cluster_ids
from textmill.plugins.dedup.minhash import MinHasher, jaccard, lsh_pairs
from textmill.plugins.dedup.normalize import normalized
from textmill.plugins.dedup.terms import distinctive, terms, weighted_overlap
from textmill.plugins.dedup.wordhash import hash_words

VERSION = "4"
Kind = Literal["exact", "near", "story", "event"]
KINDS: tuple[Kind, ...] = typing.get_args(Kind)


@dataclass(frozen=True)
class DedupSettings:
    num_perm: Annotated[int, Range(min=1)] = field(
        default=128, metadata={"doc": "MinHash permutations."}
    )
    shingle: Annotated[int, Range(min=1)] = field(
        default=5, metadata={"doc": "Word n-gram size of MinHash shingles."}
    )
    bands: Annotated[int, Range(min=1)] = field(
        default=32,
        metadata={"doc": "LSH bands (num_perm / bands rows each); 32x4 finds pairs from ~0.45."},
    )
    min_jaccard: Annotated[float, Range(0, 1)] = field(
        default=0.3,
        metadata={
            "doc": "LSH candidates whose signatures estimate a lower Jaccard are not verified."
        },
    )
    near_ratio: Annotated[float, Range(0, 1)] = field(
        default=0.8,
        metadata={"doc": "rapidfuzz ratio (0..1) a near-duplicate candidate must reach."},
    )
    key_terms: Annotated[int, Range(min=1)] = field(
        default=30, metadata={"doc": "Distinctive terms kept per document for story/event."}
    )
    max_df: Annotated[float, Range(0, 1)] = field(
        default=0.1,
        metadata={"doc": "Terms in more than this share of documents are not indexed."},
    )
    story_min_shared: Annotated[int, Range(min=1)] = field(
        default=3, metadata={"doc": "Shared distinctive terms to consider a story pair."}
    )
    story_min_coverage: Annotated[float, Range(0, 1)] = field(
        default=0.75,
        metadata={
            "doc": "Share of each version's content words the other must cover, in order "
            "(aligned sentences, and sentences split or merged between them), for two "
            "documents to be versions of one story."
        },
    )
    align_threshold: Annotated[float, Range(0, 1)] = field(
        default=0.6, metadata={"doc": "Minimum sentence-pair score (0..1) to align."}
    )
    event_threshold: Annotated[float, Range(0, 1)] = field(
        default=0.08,
        metadata={
            "doc": "Weighted overlap of distinctive terms and names for one event (an "
            "alignment covering half of story_min_coverage of one side is one too)."
        },
    )
    levels: list[Kind] = field(
        default_factory=lambda: list(KINDS),
        metadata={"doc": "Levels to build: exact, near, story, event (story/event cost most)."},
    )
    max_candidates: Annotated[int, Range(min=1)] = field(
        default=50, metadata={"doc": "Story candidates verified per document, best first."}
    )

    def __post_init__(self) -> None:
        if self.num_perm % self.bands:
            raise ValueError(
                f'"num_perm" ({self.num_perm}) must be a multiple of "bands" ({self.bands}); '
                "change one of them"
            )


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="dedup",
        version=VERSION,
        description="Exact, near-duplicate, same-story and same-event clusters with sentence alignments.",
        settings=DedupSettings,
        corpus_provides=("clusters", "alignments"),
        uses=("quality.score",),
    )


@hookimpl
def textmill_corpus_dedup(corpus: Corpus, settings: DedupSettings) -> CorpusResult:
    return run_dedup(corpus, settings or DedupSettings())


def run_dedup(corpus: Corpus, s: DedupSettings) -> CorpusResult:
    memo = memo_of(corpus)
    hasher = MinHasher(s.num_perm, s.shingle)
    ids: list[str] = []
    hashes: list[str] = []  # each document's text hash: what its memo keys name
    # Preallocated for the corpus's size, grown if it turns out larger.
    keys = np.zeros(len(corpus), dtype=np.uint64)
    sigs = np.zeros((len(corpus), s.num_perm), dtype=np.uint32)
    df: Counter[str] = Counter()
    loose = "story" in s.levels or "event" in s.levels
    pending: list[tuple[int, str]] = []  # (document number, text) of a page
    pending_chars = 0

    def flush() -> None:
        """Exact keys, signatures and terms of a page of documents: kept ones from the memo,
        the rest hashed in one batch (a signature is the same in any batch) and kept."""
        nonlocal keys, sigs, pending_chars
        if not pending:
            return
        if len(ids) > len(sigs):
            grow = max(len(ids), 2 * len(sigs)) - len(sigs)
            keys = np.concatenate([keys, np.zeros(grow, dtype=np.uint64)])
            sigs = np.vstack([sigs, np.zeros((grow, s.num_perm), dtype=np.uint32)])
        kept = memo.get_many(
            [f"sig:{hashes[i]}" for i, _ in pending]
            + ([f"terms:{hashes[i]}" for i, _ in pending] if loose else [])
        )
        todo = [(i, text) for i, text in pending if f"sig:{hashes[i]}" not in kept]
        if todo:
            batch = hash_words([text for _, text in todo])
            for (i, _), k, sig in zip(todo, batch.keys(), hasher.signatures(batch), strict=True):
                blob = np.uint64(k).tobytes() + sig.astype(np.uint32).tobytes()
                kept[f"sig:{hashes[i]}"] = memo.put(f"sig:{hashes[i]}", blob)
        for i, _ in pending:
            blob = kept[f"sig:{hashes[i]}"]
            keys[i] = np.frombuffer(blob[:8], dtype=np.uint64)[0]
            sigs[i] = np.frombuffer(blob[8:], dtype=np.uint32)
        if loose:
            for i, text in pending:
                tf = kept.get(f"terms:{hashes[i]}")
                if tf is None:
                    tf = memo.put(f"terms:{hashes[i]}", _term_counts(text))
                df.update(tf.keys())
        pending.clear()
        pending_chars = 0

    for doc in corpus.documents():
        pending.append((len(ids), doc.text))
        ids.append(doc.id)
        hashes.append(_text_hash(doc.text))
        pending_chars += len(doc.text)
        # Batches of whole documents, bounded in characters so that their arrays stay in cache.
        if len(pending) >= 512 or pending_chars >= 1 << 20:
            flush()
    flush()
    n = len(ids)
    keys, sigs = keys[:n], sigs[:n]

    # Distinctive terms per document (only terms another document shares can link two), and
    # an inverted index pruned of common terms.
    # Never prune below 50 documents: a story can have dozens of versions.
    max_df = max(50, int(s.max_df * n))
    top: list[dict[str, float]] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(corpus.documents() if loose else ()):
        tf = memo(f"terms:{hashes[i]}", functools.partial(_term_counts, doc.text))
        best = distinctive(Counter(tf), df, n, s.key_terms)
        top.append(best)
        for t in best:
            if df[t] <= max_df:
                postings[t].append(i)

    uf: dict[str, UnionFind] = {k: UnionFind() for k in KINDS}
    sim: dict[str, dict[tuple[int, int], float]] = {k: {} for k in KINDS}

    def norm(i: int) -> str:
        doc = corpus.document(ids[i])
        return normalized(doc.text if doc else "")

    # Exact: equal keys are candidates, and equal normalized texts are copies.
    order = np.argsort(keys, kind="stable")
    runs = np.flatnonzero(np.concatenate([[True], keys[order][1:] != keys[order][:-1], [True]]))
    for lo, hi in itertools.pairwise(runs):
        if hi - lo < 2:
            continue
        by_text: dict[str, list[int]] = defaultdict(list)
        for i in sorted(order[lo:hi].tolist()):
            by_text[norm(i)].append(i)
        for members in by_text.values():
            for m in members[1:]:
                _link(uf, sim, "exact", members[0], m, 1.0)

    # Near: LSH candidates verified on the normalized texts. Signature agreement estimates
    # Jaccard for free; only plausible pairs reach rapidfuzz.
    candidates = lsh_pairs(sigs, s.bands, min_agreement=s.min_jaccard)
    exact_root = uf["exact"].find
    to_verify = [(a, b) for a, b in candidates.tolist() if exact_root(a) != exact_root(b)]
    # A normalized text is kept from the first pair that needs it to the last.
    last = {x: p for p, pair in enumerate(to_verify) for x in pair}
    texts: dict[int, str] = {}

    def verify(a: int, b: int) -> float:
        for x in (a, b):
            if x not in texts:
                texts[x] = norm(x)
        return fuzz.ratio(texts[a], texts[b], score_cutoff=100 * s.near_ratio) / 100.0

    for p, (a, b) in enumerate(to_verify):
        # Kept by the pair's texts (the earlier document's first).
        ratio = memo(f"near:{hashes[a]}:{hashes[b]}", functools.partial(verify, a, b))
        if ratio and ratio >= s.near_ratio:
            _link(uf, sim, "near", a, b, round(ratio, 3))
        for x in (a, b):
            if last[x] == p:
                texts.pop(x, None)

    # Story candidates: documents sharing enough distinctive terms, the most shared first
    # (then the earliest document, so that equal counts never depend on iteration order).
    shared: dict[tuple[int, int], int] = {}
    for i in range(n if loose else 0):
        counts: Counter[int] = Counter()
        for t in top[i]:
            for j in postings.get(t, ()):
                if j > i:
                    counts[j] += 1
        enough = [jc for jc in counts.items() if jc[1] >= s.story_min_shared]
        for j, c in sorted(enough, key=_by_count)[: s.max_candidates]:
            shared[(i, j)] = c
    sent_cache: dict[int, Sentences] = {}

    def sents(i: int) -> Sentences:
        if i not in sent_cache:
            doc = corpus.document(ids[i])
            sent_cache[i] = sentences(doc.text if doc else "")
        return sent_cache[i]

    comparisons: dict[tuple[int, int], Comparison] = {}

    def comparison(a: int, b: int) -> Comparison:
        """The comparison of two documents, ``a`` the earlier, made once (and kept by their
        texts, the earlier document's first)."""
        key = (min(a, b), max(a, b))
        if key not in comparisons:
            lo, hi = key
            kept = memo(
                f"cmp:{hashes[lo]}:{hashes[hi]}",
                lambda: compare(sents(lo), sents(hi), s.align_threshold).to_json(),
            )
            comparisons[key] = Comparison.from_json(kept)
        return comparisons[key]

    # Copies stand for each other: compare one pair per pair of copy groups, not every copy.
    copies = UnionFind()
    for kind in ("exact", "near"):
        for a, b in sim[kind]:
            copies.union(a, b)
    copy_root = copies.find
    roots: set[tuple[int, int]] = set()
    for a, b in shared:
        ra, rb = sorted((copy_root(a), copy_root(b)))
        if ra != rb:
            roots.add((ra, rb))
    for a, b in sorted(roots):
        cmp = comparison(a, b)
        # Versions: each side mostly told by the other, in order (the alignment is monotone).
        if len(cmp.pairs) >= 2 and cmp.coverage >= s.story_min_coverage:
            _link(uf, sim, "story", a, b, cmp.coverage)
        overlap = weighted_overlap(top[a], top[b])
        if overlap >= s.event_threshold or cmp.partial >= s.story_min_coverage / 2:
            _link(uf, sim, "event", a, b, round(overlap, 3))
    # Copies are versions of the same story and event too.
    for kind in ("exact", "near"):
        for (a, b), v in sim[kind].items():
            _link(uf, sim, "story", a, b, v)
            _link(uf, sim, "event", a, b, v)

    def similarity(kind: str, rep: int, m: int) -> float:
        """A member's similarity to its representative, one measure per kind: 1 for exact
        copies, rapidfuzz's ratio of the normalized texts for near-duplicates, the alignment's
        coverage for versions of a story, the weighted overlap of distinctive terms for events."""
        if m == rep or kind == "exact":
            return 1.0
        if kind == "near":
            known = sim["near"].get((min(rep, m), max(rep, m)))
            return known if known is not None else round(fuzz.ratio(norm(rep), norm(m)) / 100, 3)
        if kind == "story":
            return comparison(rep, m).coverage
        return round(weighted_overlap(top[rep], top[m]), 3)

    quality = _quality_scores(corpus, ids)
    clusters: list[Cluster] = []
    alignments: list[Alignment] = []
    per_doc: dict[int, dict[str, Any]] = defaultdict(lambda: {"clusters": {}})
    findings: dict[int, list[Finding]] = defaultdict(list)
    for kind in (k for k in KINDS if k in s.levels):
        groups = uf[kind].groups()
        names = cluster_ids(kind, (min(ids[m] for m in g) for g in groups))
        built: list[_Group] = []
        for group in groups:
            rep = _representative(group, quality, corpus, ids)
            built.append(
                _Group(
                    names[min(ids[m] for m in group)],
                    group,
                    rep,
                    {m: similarity(kind, rep, m) for m in group},
                )
            )
        # In id order, members by similarity then id: the same order in every run.
        for cid, members, rep, sims in sorted(built):
            ranked = sorted(members, key=lambda m: (-sims[m], ids[m]))
            clusters.append(
                Cluster(
                    id=cid,
                    kind=kind,
                    members=tuple(ClusterMember(ids[m], sims[m]) for m in ranked),
                    representative=ids[rep],
                    data={"size": len(members), "similarity": MEASURES[kind]},
                )
            )
            for m in ranked:
                per_doc[m]["clusters"][kind] = cid
                if kind in ("exact", "near") and m != rep:
                    per_doc[m]["duplicate_of"] = ids[rep]
                    per_doc[m]["similarity"] = sims[m]
                    findings[m].append(
                        Finding(
                            code=f"dedup.{kind}",
                            message=(
                                f"{'Exact' if kind == 'exact' else 'Near'}-duplicate of "
                                f"{ids[rep]} ({sims[m]:.2f})."
                            ),
                            severity="info",
                            data={"of": ids[rep], "similarity": sims[m], "cluster": cid},
                        )
                    )
            if kind == "story":
                alignments.extend(_cluster_alignments(cid, ranked, rep, comparison, ids))
    doc_results = {
        ids[i]: Result(
            label=_label(d["clusters"]),
            data={
                "clusters": d["clusters"],
                "duplicate_of": d.get("duplicate_of"),
                "similarity": d.get("similarity"),
            },
            findings=tuple(findings[i]),
        )
        for i, d in sorted(per_doc.items())
    }
    kinds: Counter[str] = Counter(c.kind for c in clusters)
    return CorpusResult(
        clusters=tuple(clusters),
        alignments=tuple(alignments),
        doc_results=doc_results,
        data={
            "clusters": {k: kinds[k] for k in KINDS if k in kinds},
            "documents": n,
            "story_pairs_checked": len(shared),
            "story_pairs_compared": len(roots),
        },
    )


class _Group(NamedTuple):
    """A cluster being built: its id, members (document numbers), representative and each
    member's similarity to it."""

    cid: str
    members: list[int]
    rep: int
    sims: dict[int, float]


# What a member's similarity to its cluster's representative measures, by kind.
MEASURES = {
    "exact": "equal normalized text",
    "near": "rapidfuzz ratio of the normalized texts",
    "story": "alignment coverage (the smaller share of either version told by the other)",
    "event": "weighted overlap of distinctive terms",
}


def _by_count(jc: tuple[int, int]) -> tuple[int, int]:
    return (-jc[1], jc[0])


def _link(uf: dict[str, UnionFind], sim: dict, kind: str, a: int, b: int, v: float) -> None:
    key = (min(a, b), max(a, b))
    uf[kind].union(a, b)
    sim[kind][key] = max(v, sim[kind].get(key, 0.0))


def _label(clusters: dict[str, str]) -> str:
    for kind in KINDS:
        if kind in clusters:
            return kind
    return "unique"


def _quality_scores(corpus: Corpus, ids: list[str]) -> dict[int, float]:
    out: dict[int, float] = {}
    for i, d in enumerate(ids):
        r = corpus.result(d, "mt_artifacts")
        if r is not None and r.score is not None:
            out[i] = r.score
    return out


def _representative(
    members: list[int], quality: dict[int, float], corpus: Corpus, ids: list[str]
) -> int:
    if all(m in quality for m in members):
        return max(members, key=lambda m: (quality[m], -m))

    def clean_len(m: int) -> float:
        doc = corpus.document(ids[m])
        r = corpus.result(ids[m], "boilerplate")
        kept = r.score if r is not None and r.score is not None else 1.0
        return len(doc.text if doc else "") * (0.5 + 0.5 * kept)

    return max(members, key=lambda m: (clean_len(m), -m))


def _cluster_alignments(
    cid: str,
    members: list[int],
    rep: int,
    comparison: Callable[[int, int], Comparison],
    ids: list[str],
) -> list[Alignment]:
    """Alignments between every two members (or each member and the representative in large
    clusters), reusing the comparisons already made; the earlier document is side a."""
    if len(members) <= 12:
        pairs = sorted((min(a, b), max(a, b)) for a, b in itertools.combinations(members, 2))
    else:
        pairs = sorted((min(rep, m), max(rep, m)) for m in members if m != rep)
    return _alignments(cid, pairs, comparison, ids)


def _alignments(
    cid: str,
    pairs: list[tuple[int, int]],
    comparison: Callable[[int, int], Comparison],
    ids: list[str],
) -> list[Alignment]:
    out = []
    for a, b in pairs:
        cmp = comparison(a, b)
        for p, (sa, sb) in zip(cmp.pairs, cmp.spans, strict=True):
            out.append(
                Alignment(
                    cluster_id=cid,
                    doc_a=ids[a],
                    span_a=Span(*sa),
                    doc_b=ids[b],
                    span_b=Span(*sb),
                    score=p.score,
                )
            )
    return out


def _term_counts(text: str) -> dict[str, int]:
    return dict(terms(text))


def _text_hash(text: str) -> str:
    """What a document's memo keys name it by: the hash of its text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


__all__ = ["DedupSettings", "jaccard", "run_dedup"]
