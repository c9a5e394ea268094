"""Small plugins that emit every kind of result the terminal UI shows, per the data contracts.

The screen snapshots run the sample corpus through these (and the unicode cleaner), so the
pictures change only when the UI does, not when a built-in plugin's output improves.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textmill import (
    Alignment,
    Cluster,
    ClusterMember,
    CorpusResult,
    Edit,
    Entity,
    Finding,
    PluginInfo,
    Result,
    Span,
    hookimpl,
)
from textmill.model import Mention
from textmill.sentences import split_spans

CHAIN = {
    "clean": ["unicode", "scrub"],
    "quality": ["checker", "stamp"],
    "dedup": ["twins"],
    "entities": ["tagger"],
    "summarize": ["summer"],
}


def _words(s: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", s) if len(w) > 3}


class Scrub:
    """Removes lines of fewer than four words (bylines, share buttons, headings)."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="scrub", version="1", provides=("text",))

    @hookimpl
    def textmill_clean(self, doc: Any, settings: Any, ctx: Any) -> Result:
        edits, keep, pos = [], [], 0
        for line in doc.text.splitlines(keepends=True):
            if line.strip() and len(line.split()) < 4:
                edits.append(Edit(Span(pos, pos + len(line)), "", "scrub.short", 0.8))
            else:
                keep.append(line)
            pos += len(line)
        return Result(text="".join(keep), edits=tuple(edits))


class Checker:
    """Scores a document by its share of short sentences; flags long ones and numbers."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="checker", version="1", provides=("quality.score",))

    @hookimpl
    def textmill_quality(self, doc: Any, settings: Any, ctx: Any) -> Result:
        spans = split_spans(doc.text)
        findings = []
        for a, b in spans:
            n = len(doc.text[a:b].split())
            if n > 35:
                findings.append(
                    Finding("check.long", f"Sentence of {n} words.", "warning", Span(a, b))
                )
        for m in re.finditer(r"\d[\d,.]*\d|\d", doc.text):
            findings.append(Finding("check.number", "A number.", "info", Span(m.start(), m.end())))
        long = sum(1 for f in findings if f.code == "check.long")
        return Result(score=round(1 - long / max(1, len(spans)), 3), findings=tuple(findings))


class Stamp:
    """Labels a document by length and draws its own tab through the render hook."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="stamp", version="1")

    @hookimpl
    def textmill_quality(self, doc: Any, settings: Any, ctx: Any) -> Result:
        return Result(label="long" if len(doc.text) > 2000 else "short")

    @hookimpl
    def textmill_render_result(self, plugin: str, result: Any, document: Any) -> Any:
        if plugin != "stamp":
            return None
        return Text(f"stamped {result.label} ({len(document.text)} characters)")


class Twins:
    """Clusters documents that share sentences (word overlap) and aligns those sentences."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="twins", version="1", corpus_provides=("clusters", "alignments"))

    @hookimpl
    def textmill_corpus_dedup(self, corpus: Any, settings: Any) -> CorpusResult:
        docs = sorted(corpus.documents(), key=lambda d: d.id)
        sents = {d.id: [(a, b, _words(d.text[a:b])) for a, b in split_spans(d.text)] for d in docs}
        pairs: dict[tuple[str, str], list[tuple[Span, Span, float]]] = {}
        for i, x in enumerate(docs):
            for y in docs[i + 1 :]:
                for a, b, wa in sents[x.id]:
                    best = max(
                        ((len(wa & wb) / max(1, len(wa | wb)), c, e) for c, e, wb in sents[y.id]),
                        default=(0.0, 0, 0),
                    )
                    if best[0] >= 0.3:
                        pairs.setdefault((x.id, y.id), []).append(
                            (Span(a, b), Span(best[1], best[2]), round(best[0], 2))
                        )
        linked = {k: v for k, v in pairs.items() if len(v) >= 2}
        parent = {d.id: d.id for d in docs}

        def root(x: str) -> str:
            while parent[x] != x:
                x = parent[x]
            return x

        for a, b in linked:
            parent[root(b)] = root(a)
        groups: dict[str, list[str]] = {}
        for d in docs:
            groups.setdefault(root(d.id), []).append(d.id)
        clusters, alignments, per_doc = [], [], {}
        for n, ids in enumerate(g for g in groups.values() if len(g) > 1):
            cid = f"story-{n + 1}"
            rep = ids[0]
            shared = {d: len(pairs.get((rep, d), ())) for d in ids}
            members = tuple(
                ClusterMember(d, 1.0 if d == rep else round(shared[d] / len(sents[rep]), 2))
                for d in ids
            )
            clusters.append(Cluster(cid, "story", members, rep))
            for (a, b), spans in linked.items():
                if a in ids:
                    alignments += [Alignment(cid, a, sa, b, sb, s) for sa, sb, s in spans]
            for d in ids:
                per_doc[d] = Result(
                    data={"clusters": {"story": cid}, "duplicate_of": None, "similarity": 0.0},
                    findings=(
                        Finding("twins.story", f"In {cid} with {len(ids) - 1} others.", "info"),
                    ),
                )
        return CorpusResult(
            clusters=tuple(clusters), alignments=tuple(alignments), doc_results=per_doc
        )


class Tagger:
    """Tags runs of capitalised words: two or more words a PERSON, one word a GPE."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="tagger", version="1", provides=("entities",))

    @hookimpl
    def textmill_entities(self, doc: Any, settings: Any, ctx: Any) -> Result:
        mentions = []
        for m in re.finditer(r"\b[A-Z][a-z]{2,}(?: [A-Z][a-z]+)*", doc.text):
            text = m.group()
            before = doc.text[max(0, m.start() - 2) : m.start()]
            if m.start() == 0 or before.strip() in {"", ".", "“", '"'} or "\n" in before:
                continue  # a capital that starts a sentence or a line says nothing
            mentions.append(
                {
                    "start": m.start(),
                    "end": m.end(),
                    "text": text,
                    "label": "PERSON" if " " in text else "GPE",
                    "entity": "tag:" + text.split()[-1].lower(),
                    "kb_id": None,
                    "name": text.split()[-1],
                    "gender": None,
                }
            )
        return Result(data={"mentions": mentions})

    @hookimpl
    def textmill_corpus_entities(self, corpus: Any, settings: Any) -> CorpusResult:
        found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for r in corpus.results("tagger"):
            for m in r.data.get("mentions", []):
                found.setdefault(m["entity"], []).append((r.doc_id, m))
        return CorpusResult(
            entities=tuple(
                Entity(
                    eid,
                    ms[0][1]["name"],
                    ms[0][1]["label"],
                    tuple(
                        Mention(d, Span(m["start"], m["end"]), m["text"], m["label"]) for d, m in ms
                    ),
                    description=f"Tagged {len(ms)} times.",
                )
                for eid, ms in sorted(found.items())
                if len(ms) >= 2
            )
        )


class Summer:
    """The first two sentences as the summary; a cluster's summary is its representative's."""

    @hookimpl
    def textmill_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="summer", version="1", corpus_requires=("clusters",))

    @hookimpl
    def textmill_summarize(self, doc: Any, settings: Any, ctx: Any) -> Result:
        spans = split_spans(doc.text)[:2]
        return Result(
            data={
                "summary": " ".join(doc.text[a:b] for a, b in spans),
                "sentences": [{"start": a, "end": b, "score": 1.0} for a, b in spans],
            }
        )

    @hookimpl
    def textmill_corpus_summarize(self, corpus: Any, settings: Any) -> CorpusResult:
        out = {}
        for c in corpus.clusters():
            rep = corpus.document(c.representative)
            spans = split_spans(rep.text)[:2]
            out[c.id] = {
                "summary": " ".join(rep.text[a:b] for a, b in spans),
                "sentences": [{"doc_id": rep.id, "start": a, "end": b} for a, b in spans],
                "only_in_some": [],
            }
        return CorpusResult(data={"clusters": out})


PLUGINS = [Scrub(), Checker(), Stamp(), Twins(), Tagger(), Summer()]
