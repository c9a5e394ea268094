"""Cross-version checks over story clusters: the same content in different versions.

Aligned sentences come from dedup. Sentences are grouped into content units (sentences aligned
to each other across versions, by union-find); then:
- ``mt.cross.quote``: aligned sentences quote differently;
- ``mt.cross.number``: aligned sentences carry different numbers;
- ``mt.cross.omission``: a unit most versions carry is missing from this one;
- ``mt.cross.addition``: a sentence no other version carries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz
from textmill import Corpus, Finding, Result, Span

_QUOTE = re.compile(r"[“\"]([^”\"]{12,})[”\"]|[“\"]([^”\"]{12,})$")
_NUM = re.compile(r"\b\d+(?:[.,]\d+)*\b")


def _quotes(s: str) -> list[str]:
    return [a or b for a, b in _QUOTE.findall(s)]


class _UF:
    def __init__(self) -> None:
        self.p: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.p.setdefault(x, x)
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        self.p[self.find(a)] = self.find(b)


def cross_version(corpus: Corpus, *, min_addition_words: int = 8) -> dict[str, Result]:
    findings: dict[str, list[Finding]] = defaultdict(list)
    for cluster in corpus.clusters("story"):
        members = [m.doc_id for m in cluster.members]
        texts = {d: (corpus.document(d).text if corpus.document(d) else "") for d in members}  # type: ignore[union-attr]
        names = {d: d for d in members}
        uf = _UF()
        sentence_spans: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for al in corpus.alignments(cluster.id):
            uf.union(
                (al.doc_a, al.span_a.start, al.span_a.end),
                (al.doc_b, al.span_b.start, al.span_b.end),
            )
            sentence_spans[al.doc_a].add((al.span_a.start, al.span_a.end))
            sentence_spans[al.doc_b].add((al.span_b.start, al.span_b.end))
            ta = texts[al.doc_a][al.span_a.start : al.span_a.end]
            tb = texts[al.doc_b][al.span_b.start : al.span_b.end]
            qa, qb = _quotes(ta), _quotes(tb)
            if qa and qb and max(fuzz.ratio(x, y) for x in qa for y in qb) < 85:
                findings[al.doc_b].append(
                    Finding(
                        code="mt.cross.quote",
                        message=f'This quote is worded differently in {names[al.doc_a]}: "{qa[0][:120]}"',
                        severity="info",
                        span=al.span_b,
                        evidence=qb[0][:200],
                        data={"other": al.doc_a, "other_span": [al.span_a.start, al.span_a.end]},
                    )
                )
            na, nb = set(_NUM.findall(ta)), set(_NUM.findall(tb))
            if na and nb and na != nb:
                findings[al.doc_b].append(
                    Finding(
                        code="mt.cross.number",
                        message=f"Numbers differ from {names[al.doc_a]}: {', '.join(sorted(na))} there, {', '.join(sorted(nb))} here.",
                        severity="warning",
                        span=al.span_b,
                        data={"other": al.doc_a},
                    )
                )
        units: dict[Any, list[tuple[str, int, int]]] = defaultdict(list)
        for node in list(uf.p):
            units[uf.find(node)].append(node)
        need = max(2, (len(members) + 1) // 2)
        for nodes in units.values():
            docs = {n[0] for n in nodes}
            if len(docs) < need:
                continue
            rep = next((n for n in nodes if n[0] == cluster.representative), nodes[0])
            for d in members:
                if d not in docs:
                    findings[d].append(
                        Finding(
                            code="mt.cross.omission",
                            message=(
                                f"{len(docs)} of {len(members)} versions carry this sentence, which is "
                                f'missing here: "{texts[rep[0]][rep[1] : rep[2]][:160]}"'
                            ),
                            severity="warning",
                            data={"from": rep[0], "span": [rep[1], rep[2]]},
                        )
                    )
        from textmill.sentences import split_spans

        for d in members:
            aligned = sentence_spans[d]
            for a, b in split_spans(texts[d]):
                if len(texts[d][a:b].split()) < min_addition_words:
                    continue
                if any(x < b and a < y for x, y in aligned):
                    continue
                findings[d].append(
                    Finding(
                        code="mt.cross.addition",
                        message="No other version of this story carries this sentence.",
                        severity="info",
                        span=Span(a, b),
                    )
                )
    return {
        d: Result(findings=tuple(fs), data={"cross_version": len(fs)}) for d, fs in findings.items()
    }
