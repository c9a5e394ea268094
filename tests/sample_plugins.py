"""Small plugins used by the engine tests (importable, so worker processes can load them)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from textmill import (
    Cluster,
    ClusterMember,
    CorpusResult,
    Edit,
    Finding,
    PluginInfo,
    Result,
    Span,
    hookimpl,
)

CALLS: list[str] = []


class Upper:
    """A cleaner that upper-cases the first line and drops lines starting with 'Share'."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="upper", version="1")

    @hookimpl
    def textmill_clean(self, doc, settings, ctx):
        CALLS.append(f"upper:{doc.id}")
        edits = []
        pos = 0
        for line in doc.text.splitlines(keepends=True):
            if line.startswith("Share"):
                edits.append(Edit(Span(pos, pos + len(line)), "", "test.share"))
            pos += len(line)
        out = []
        last = 0
        for e in edits:
            out.append(doc.text[last : e.span.start])
            last = e.span.end
        out.append(doc.text[last:])
        return Result(text="".join(out), edits=tuple(edits))


@dataclass(frozen=True)
class CounterSettings:
    word: str = field(default="Kirby", metadata={"doc": "The word to count."})
    fail_on: str = field(default="", metadata={"doc": "Raise on documents whose id contains this."})


class Counter:
    """Counts a word, flags each occurrence; raises on chosen documents."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(
            name="counter", version="1", settings=CounterSettings, provides=("count",)
        )

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        CALLS.append(f"counter:{doc.id}")
        if settings.fail_on and settings.fail_on in doc.id:
            raise RuntimeError("boom on purpose")
        findings = []
        start = doc.text.find(settings.word)
        while start != -1:
            findings.append(
                Finding(
                    "test.word",
                    f"Mentions {settings.word}.",
                    "info",
                    Span(start, start + len(settings.word)),
                )
            )
            start = doc.text.find(settings.word, start + 1)
        return Result(
            score=min(1.0, len(findings) / 10), findings=tuple(findings), data={"n": len(findings)}
        )


class Grouper:
    """A corpus hook that groups documents by whether they mention the word; needs 'count'."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(
            name="grouper", version="1", corpus_requires=("count",), corpus_provides=("clusters",)
        )

    @hookimpl
    def textmill_dedup(self, doc, settings, ctx):
        CALLS.append(f"grouper:{doc.id}")
        counted = ctx.result("counter")
        return Result(data={"seen_count": counted.data["n"] if counted else None})

    @hookimpl
    def textmill_corpus_dedup(self, corpus, settings):
        CALLS.append("grouper:corpus")
        groups: dict[bool, list[str]] = {}
        for r in corpus.results("counter"):
            groups.setdefault(r.data.get("n", 0) > 0, []).append(r.doc_id)
        clusters = tuple(
            Cluster(f"g{int(k)}", "event", tuple(ClusterMember(d) for d in ids), ids[0])
            for k, ids in groups.items()
        )
        return CorpusResult(
            clusters=clusters,
            doc_results={d: Result(label=f"g{int(k)}") for k, ids in groups.items() for d in ids},
        )


class LateReader:
    """A quality-stage per-document hook that needs the clusters; the engine must move it."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="late", version="1", requires=("clusters",))

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        grouped = ctx.result("grouper")
        return Result(label=grouped.label if grouped else "none")


class Lines:
    """A prepare hook that counts line frequencies over the raw corpus."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="lines", version="1")

    @hookimpl
    def textmill_prepare(self, corpus, settings):
        CALLS.append("lines:prepare")
        counts: dict[str, int] = {}
        for doc in corpus.documents():
            for line in set(doc.text.splitlines()):
                if line.strip():
                    counts[line] = counts.get(line, 0) + 1
        return {"repeated": sorted(k for k, v in counts.items() if v > 1)}

    @hookimpl
    def textmill_clean(self, doc, settings, ctx):
        repeated = set(ctx.prepared["repeated"])
        kept = [ln for ln in doc.text.split("\n") if ln not in repeated]
        return Result(text="\n".join(kept), data={"removed": len(doc.text.split("\n")) - len(kept)})


class Slow:
    """Sleeps per document, to let a test kill a run midway."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="slow", version="1")

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        time.sleep(float(os.environ.get("TEXTMILL_TEST_SLEEP", "0")))
        return Result(score=len(doc.text) % 97 / 97, data={"len": len(doc.text)})


upper = Upper()
counter = Counter()
grouper = Grouper()
late = LateReader()
lines = Lines()
slow = Slow()


@dataclass(frozen=True)
class StuckSettings:
    on: str = field(default="", metadata={"doc": "Get stuck on documents whose id contains this."})
    how: str = field(default="sleep", metadata={"doc": "sleep (blocked in a call) or loop."})


class Stuck:
    """Gets stuck on chosen documents, sleeping forever or looping in Python, and swallows
    ordinary exceptions on the way (as careless plugin code does)."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="stuck", version="1", settings=StuckSettings)

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        if settings.on and settings.on in doc.id:
            try:
                if settings.how == "sleep":
                    time.sleep(10**6)
                n = 0
                while True:
                    n += 1
            except Exception:
                pass
        return Result(score=0.5, label="free")


class BadReturn:
    """Returns malformed Results: a str among the findings, or a score that is not a number."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="badret", version="1")

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        if doc.id.startswith("001"):
            return Result(findings=["x"])
        if doc.id.startswith("002"):
            return Result(score="high")
        if doc.id.startswith("003"):
            return {"score": 1.0}
        return Result(score=1.0)


stuck = Stuck()
badret = BadReturn()


@dataclass(frozen=True)
class HostileSettings:
    prepare: str = field(default="", metadata={"doc": "How its prepare hook misbehaves."})
    part: str = field(default="", metadata={"doc": "How its textmill_prepared_part misbehaves."})
    corpus: str = field(default="", metadata={"doc": "How its corpus hook misbehaves."})
    on: str = field(default="", metadata={"doc": "Documents whose part misbehaves (id part)."})


def _misbehave(how: str) -> None:
    """``sleep`` forever, ``loop`` forever in Python (swallowing ordinary exceptions on the
    way, as careless plugin code does), or ``raise``; nothing for ``""``."""
    if how == "raise":
        raise RuntimeError("hostile plugin failed on purpose")
    if how:
        try:
            if how == "sleep":
                time.sleep(10**6)
            n = 0
            while True:
                n += 1
        except Exception:
            pass


class Hostile:
    """A plugin with a prepare hook, a prepared part, a per-document and a corpus hook, any of
    which can hang or raise (``how``: ``sleep``, ``loop`` or ``raise``)."""

    @hookimpl
    def textmill_plugin_info(self):
        return PluginInfo(name="hostile", version="1", settings=HostileSettings)

    @hookimpl
    def textmill_prepare(self, corpus, settings):
        _misbehave(settings.prepare)
        return {"sizes": {d.id: len(d.text) for d in corpus.documents()}}

    @hookimpl
    def textmill_prepared_part(self, doc, state, settings):
        if settings.on and settings.on in doc.id:
            _misbehave(settings.part)
        return state["sizes"].get(doc.id)

    @hookimpl
    def textmill_quality(self, doc, settings, ctx):
        return Result(label="prepared" if ctx.prepared is not None else "unprepared")

    @hookimpl
    def textmill_corpus_quality(self, corpus, settings):
        _misbehave(settings.corpus)
        return CorpusResult(doc_results={d.id: Result(label="seen") for d in corpus.documents()})


hostile = Hostile()
