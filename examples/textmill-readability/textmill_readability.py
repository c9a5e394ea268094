"""textmill-readability: how hard is each document to read?

A quality-stage plugin. Per document it computes the Flesch reading ease and the
Flesch-Kincaid grade from sentence length and syllables per word, scores the document 0..1
(1 = as easy as the target grade or easier), and flags sentences longer than a limit, which in
machine-translated news are often two sentences run together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from textmill import DocContext, Document, Finding, PluginInfo, Result, Span, hookimpl
from textmill.sentences import split_spans

__version__ = "1.0.0"

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_VOWELS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class ReadabilitySettings:
    max_sentence_words: int = field(
        default=40, metadata={"doc": "Sentences longer than this are flagged."}
    )
    target_grade: float = field(
        default=10.0, metadata={"doc": "Grade level that scores 1.0; each grade above costs 0.1."}
    )


def syllables(word: str) -> int:
    """A vowel-group count with the silent final e removed: good enough for grade estimates."""
    w = word.lower()
    n = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and n > 1:
        n -= 1
    return max(1, n)


def measure(text: str) -> dict[str, float]:
    spans = split_spans(text)
    words = _WORD.findall(text)
    if not spans or not words:
        return {"sentences": 0, "words": 0, "reading_ease": 0.0, "grade": 0.0}
    syl = sum(syllables(w) for w in words)
    wps = len(words) / len(spans)
    spw = syl / len(words)
    return {
        "sentences": len(spans),
        "words": len(words),
        "reading_ease": round(206.835 - 1.015 * wps - 84.6 * spw, 1),
        "grade": round(0.39 * wps + 11.8 * spw - 15.59, 1),
    }


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="readability",
        version=__version__,
        description="Flesch reading ease and grade; flags overlong sentences.",
        settings=ReadabilitySettings,
    )


@hookimpl
def textmill_quality(doc: Document, settings: ReadabilitySettings, ctx: DocContext) -> Result:
    s = settings or ReadabilitySettings()
    stats = measure(doc.text)
    findings = []
    for start, end in split_spans(doc.text):
        n = len(_WORD.findall(doc.text[start:end]))
        if n > s.max_sentence_words:
            findings.append(
                Finding(
                    code="readability.long-sentence",
                    message=f"This sentence has {n} words; over {s.max_sentence_words} is hard to follow.",
                    severity="info",
                    span=Span(start, end),
                )
            )
    score = max(0.0, min(1.0, 1.0 - 0.1 * max(0.0, stats["grade"] - s.target_grade)))
    return Result(
        score=round(score, 3),
        label=f"grade {stats['grade']:.0f}",
        findings=tuple(findings),
        data=stats,
    )
