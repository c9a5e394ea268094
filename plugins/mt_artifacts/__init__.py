"""The ``mt_artifacts`` quality plugin: machine-translation artifacts with spans, codes and an
explanation each, bilingual rules when the source is known, and a calibrated 0..1 score.

- Monolingual checks (:mod:`.checks`, :mod:`.surface`, :mod:`.parsed`): pronoun gender against
  the person referred to (the linker's KB gender when it ran, else a name-gender list), sentence
  fragments, lowercase sentence starts, doubled punctuation, calqued honorifics, articles before
  proper nouns, literal-translation headings, repeats, garbage and inconsistent transliteration.
- Bilingual rules (:mod:`.bilingual`) when ``source_text`` is present.
- The score (:mod:`.score`): a model trained on human quality judgements, per sentence and per
  document.
- Cross-version checks (:mod:`.crossversion`), a corpus hook after dedup's story clusters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from textmill import (
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
from textmill.plugins.mt_artifacts.bilingual import bilingual_checks
from textmill.plugins.mt_artifacts.checks import PARSES, run_checks
from textmill.plugins.mt_artifacts.crossversion import cross_version
from textmill.plugins.mt_artifacts.score import (
    bilingual_language,
    label_of,
    load,
    score_document,
)

VERSION = "5"


@dataclass(frozen=True)
class MTSettings:
    checks: list[str] = field(
        default_factory=list,
        metadata={"doc": 'Finding codes to keep (empty = all), e.g. ["mt.pronoun-gender"].'},
    )
    bilingual: bool = field(
        default=True, metadata={"doc": "Apply bilingual rules when a source is known."}
    )
    cross_version: bool = field(
        default=True, metadata={"doc": "Compare versions of one story (needs dedup)."}
    )
    min_addition_words: Annotated[int, Range(min=1)] = field(
        default=8, metadata={"doc": "Shortest sentence reported as found in one version only."}
    )


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="mt_artifacts",
        version=VERSION,
        description="Machine-translation artifacts with explanations, bilingual rules and a 0..1 quality score.",
        settings=MTSettings,
        provides=("quality.score",),
        uses=("entities",),
        corpus_uses=("clusters", "alignments"),
        parses=PARSES,
    )


@hookimpl
def textmill_quality(doc: Document, settings: MTSettings, ctx: DocContext) -> Result:
    s = settings or MTSettings()
    linker = ctx.result("linker")
    mentions = linker.data.get("mentions") if linker is not None and linker.data else None
    parsed = ctx.parsed if ctx is not None else None
    findings = run_checks(doc.text, mentions=mentions, parsed=parsed)
    if s.bilingual and doc.source_text:
        findings += bilingual_checks(doc)
    if s.checks:
        findings = [f for f in findings if f.code in s.checks]
    score, sentences = score_document(
        doc.text,
        findings,
        source_text=doc.source_text if s.bilingual else None,
        source_lang=doc.source_lang,
        parsed=parsed,
    )
    label = label_of(score)
    cut = cleaning_cut(doc)
    if cut is not None:
        findings.append(cut)
        if not doc.text.strip():
            score, label = 0.0, "poor"  # no text left is not good text
        elif label == "good":
            label = "fair"
    worst = min((x["score"] for x in sentences), default=score)
    return Result(
        score=score,
        label=label,
        findings=tuple(findings),
        data={
            "sentences": sentences,
            "worst_sentence": worst,
            "expected_errors": round(sum(x["errors"] for x in sentences), 2),
            "mode": (
                "bilingual"
                if s.bilingual and bilingual_language(load(), doc.source_text, doc.source_lang)
                else "monolingual"
            ),
            "gender_evidence": "knowledge base" if mentions else "name-gender list",
        },
    )


MOSTLY_REMOVED = 0.9  # share of the text as read that cleaning removed


def cleaning_cut(doc: Document) -> Finding | None:
    """``clean.emptied`` when the clean stage left no text of a document that had some, or
    ``clean.mostly-removed`` when it removed over 90% of it; such a text is not scored good."""
    raw = len(doc.raw.strip())
    if not raw:
        return None
    left = len(doc.text.strip())
    if not left:
        return Finding(
            "clean.emptied",
            "Cleaning removed all of this document's text, so there is nothing to judge; "
            "check the clean stage's edits (e.g. boilerplate) or the input.",
            severity="error",
        )
    if left < (1 - MOSTLY_REMOVED) * raw:
        return Finding(
            "clean.mostly-removed",
            f"Cleaning removed {1 - left / raw:.0%} of this document's text; the score covers "
            "only what is left.",
            severity="warning",
        )
    return None


@hookimpl
def textmill_corpus_quality(corpus: Corpus, settings: MTSettings) -> CorpusResult:
    s = settings or MTSettings()
    if not s.cross_version:
        return CorpusResult()
    results = cross_version(corpus, min_addition_words=s.min_addition_words)
    counts: dict[str, int] = {}
    for r in results.values():
        for f in r.findings:
            counts[f.code] = counts.get(f.code, 0) + 1
    return CorpusResult(doc_results=results, data={"findings": counts})
