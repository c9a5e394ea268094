"""Cross-version checks over story clusters: the same content in different versions.

Only dedup's *story* clusters are compared: versions of one story (translations, rewrites)
that cover each other sentence by sentence. Event clusters (articles on one topic) are not:
their differences are different reporting, not translation errors. Within a story cluster,
exact and near copies of one text (dedup's exact and near clusters) count as one version,
represented by the cluster's representative when it is one of them, else by the copy most
similar to it: what tells copies apart is dedup's near-duplicate finding, and a cluster of
copies alone has a single version and no cross-version findings.

Each version is compared with the cluster's representative (the best quality score), and every
finding names the version it compares with, in its message and its data:
- ``mt.cross.quote``: a sentence aligned with one of the representative's quotes differently;
- ``mt.cross.number``: an aligned sentence has numbers the representative's lacks, and lacks
  numbers it has (only those numbers are named);
- ``mt.cross.omission``: a content unit (sentences aligned to each other across versions, by
  union-find) that at least half the versions carry (and at least two) is missing here;
- ``mt.cross.addition``: a sentence no other version carries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from rapidfuzz import fuzz
from textmill import Alignment, Cluster, Corpus, Finding, Result, Span
from textmill.sentences import split_spans

_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]|[“\"]([^”\"]{12,})$")
# Digits with decimal or thousands separators; a unit may follow ("11bn", "4.5%").
_NUM = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


class Node(NamedTuple):
    """A sentence of one version: its document and span."""

    doc: str
    start: int
    end: int


def _quotes(s: str) -> list[str]:
    return [a or b for a, b in _QUOTE.findall(s)]


def numbers(s: str) -> dict[Decimal, str]:
    """The numbers of a sentence by value ("1,000", "1000" and "1000.0" are one), each with its
    first spelling."""
    out: dict[Decimal, str] = {}
    for raw in _NUM.findall(s):
        text = raw.replace(",", "") if _THOUSANDS.match(raw) else raw.replace(",", ".")
        try:
            value = Decimal(text).normalize()
        except InvalidOperation:
            continue
        out.setdefault(value, raw)
    return out


class _UF:
    def __init__(self) -> None:
        self.p: dict[Node, Node] = {}

    def find(self, x: Node) -> Node:
        self.p.setdefault(x, x)
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a: Node, b: Node) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self.p[hi] = lo


def copy_groups(corpus: Corpus) -> dict[str, str]:
    """Each document in an exact or near cluster, mapped to one id for all its copies (the
    smallest, so that copies chained through both kinds share it)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for kind in ("exact", "near"):
        for c in corpus.clusters(kind):
            ids = sorted(m.doc_id for m in c.members)
            for d in ids:
                ra, rb = find(ids[0]), find(d)
                if ra != rb:
                    lo, hi = sorted((ra, rb))
                    parent[hi] = lo
    return {d: find(d) for d in parent}


def versions(cluster: Cluster, copies: dict[str, str]) -> list[str]:
    """The cluster's versions: one member per group of copies (the representative, else the
    member most similar to it; members come most similar first), in member order."""
    groups: dict[str, list[str]] = {}
    for m in cluster.members:
        groups.setdefault(copies.get(m.doc_id, m.doc_id), []).append(m.doc_id)
    rep = cluster.representative
    keep = {rep if rep in group else group[0] for group in groups.values()}
    return [m.doc_id for m in cluster.members if m.doc_id in keep]


def _others(doc: str, names: list[str]) -> str:
    rest = [d for d in names if d != doc]
    return rest[0] + (f" and {len(rest) - 1} more" if len(rest) > 1 else "")


def cross_version(corpus: Corpus, *, min_addition_words: int = 8) -> dict[str, Result]:
    findings: dict[str, list[Finding]] = defaultdict(list)
    copies = copy_groups(corpus)
    for cluster in corpus.clusters("story"):
        names = versions(cluster, copies)
        if len(names) < 2:
            continue
        rep = cluster.representative if cluster.representative in names else names[0]
        texts = {}
        for d in names:
            doc = corpus.document(d)
            texts[d] = doc.text if doc is not None else ""
        kept = set(names)
        aligned = sorted(
            (al for al in corpus.alignments(cluster.id) if {al.doc_a, al.doc_b} <= kept),
            key=lambda al: (al.doc_a, al.span_a.start, al.doc_b, al.span_b.start),
        )
        uf = _UF()
        for al in aligned:
            uf.union(
                Node(al.doc_a, al.span_a.start, al.span_a.end),
                Node(al.doc_b, al.span_b.start, al.span_b.end),
            )
            if rep in (al.doc_a, al.doc_b):
                _compare_with_representative(al, rep, texts, findings)
        _omissions(uf, names, rep, texts, findings)
        _additions(uf, names, texts, min_addition_words, findings)
    return {
        d: Result(findings=tuple(fs), data={"cross_version": len(fs)})
        for d, fs in sorted(findings.items())
    }


def _compare_with_representative(
    al: Alignment, rep: str, texts: dict[str, str], findings: dict[str, list[Finding]]
) -> None:
    """Quote and number findings on the version aligned with the representative."""
    if al.doc_a == rep:
        here, span, rep_span = al.doc_b, al.span_b, al.span_a
    else:
        here, span, rep_span = al.doc_a, al.span_a, al.span_b
    there = texts[rep][rep_span.start : rep_span.end]
    mine = texts[here][span.start : span.end]
    other = {"other": rep, "other_span": [rep_span.start, rep_span.end]}
    qa, qb = _quotes(there), _quotes(mine)
    if qa and qb and max(fuzz.ratio(x, y) for x in qa for y in qb) < 85:
        findings[here].append(
            Finding(
                code="mt.cross.quote",
                message=f'This quote is worded differently in {rep}: "{qa[0][:120]}"',
                severity="info",
                span=span,
                evidence=qb[0][:200],
                data=other,
            )
        )
    na, nb = numbers(there), numbers(mine)
    only_there = [na[v] for v in sorted(na.keys() - nb.keys())]
    only_here = [nb[v] for v in sorted(nb.keys() - na.keys())]
    # A number one version leaves out (or spells in words) is not a different number.
    if only_there and only_here:
        findings[here].append(
            Finding(
                code="mt.cross.number",
                message=(
                    f"Numbers differ from {rep}: {', '.join(only_there)} there, "
                    f"{', '.join(only_here)} here."
                ),
                severity="warning",
                span=span,
                data={**other, "there": only_there, "here": only_here},
            )
        )


def _omissions(
    uf: _UF,
    names: list[str],
    rep: str,
    texts: dict[str, str],
    findings: dict[str, list[Finding]],
) -> None:
    units: dict[Node, list[Node]] = defaultdict(list)
    for node in sorted(uf.p):
        units[uf.find(node)].append(node)
    need = max(2, (len(names) + 1) // 2)
    for nodes in units.values():
        docs = {n.doc for n in nodes}
        if len(docs) < need:
            continue
        # Quoted from the representative when it carries the unit, else the first version.
        src = next((n for n in nodes if n.doc == rep), None) or min(
            nodes, key=lambda n: (names.index(n.doc), n.start)
        )
        quoted = texts[src.doc][src.start : src.end][:160]
        for d in names:
            if d not in docs:
                findings[d].append(
                    Finding(
                        code="mt.cross.omission",
                        message=(
                            f"{len(docs)} of {len(names)} versions carry this sentence, which is "
                            f'missing here; in {src.doc}: "{quoted}"'
                        ),
                        severity="warning",
                        data={
                            "from": src.doc,
                            "span": [src.start, src.end],
                            "versions": sorted(docs),
                        },
                    )
                )


def _additions(
    uf: _UF,
    names: list[str],
    texts: dict[str, str],
    min_words: int,
    findings: dict[str, list[Finding]],
) -> None:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for node in uf.p:
        spans[node.doc].append((node.start, node.end))
    for d in names:
        others = [x for x in names if x != d]
        for a, b in split_spans(texts[d]):
            if len(texts[d][a:b].split()) < min_words:
                continue
            if any(x < b and a < y for x, y in spans[d]):
                continue
            findings[d].append(
                Finding(
                    code="mt.cross.addition",
                    message=(
                        "No other version of this story carries this sentence "
                        f"(compared with {_others(d, names)})."
                    ),
                    severity="info",
                    span=Span(a, b),
                    data={"compared_with": others},
                )
            )
