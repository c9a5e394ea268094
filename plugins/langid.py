"""The ``langid`` quality-stage plugin: language and script per document and per paragraph.

Language comes from py3langid (a fast, well-kept naive Bayes identifier; ``backend = "lingua"``
switches to lingua, slower but stronger on short texts; ``benchmarks/eval_langid.py`` compares
them). Script comes from Unicode character names. Findings:
- ``langid.foreign-paragraph``: a paragraph confidently in another language than the document;
- ``langid.untranslated``: a run of words in another script inside the text (left untranslated);
- ``langid.mixed-script``: a word mixing scripts (e.g. Latin and Cyrillic look-alikes).
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Literal

from textmill import DocContext, Document, Finding, PluginInfo, Range, Result, Span, hookimpl
from textmill.models import py3langid_identifier

VERSION = "1"


@dataclass(frozen=True)
class LangidSettings:
    backend: Literal["py3langid", "lingua"] = field(
        default="py3langid",
        metadata={
            "doc": "py3langid, or lingua (slower, stronger on short texts; textmill[lingua])."
        },
    )
    expected: str = field(
        default="",
        metadata={"doc": "Expected language (ISO 639-1); a document in another one is a finding."},
    )
    min_paragraph_chars: Annotated[int, Range(min=0)] = field(
        default=40, metadata={"doc": "Shorter paragraphs are not judged."}
    )
    min_confidence: Annotated[float, Range(0, 1)] = field(
        default=0.9, metadata={"doc": "Confidence needed for a foreign-paragraph finding."}
    )

    def __post_init__(self) -> None:
        # Checked with the config, not on the first document: lingua is an optional package.
        if self.backend == "lingua" and importlib.util.find_spec("lingua") is None:
            raise ValueError(
                'the "lingua" backend needs the lingua-language-detector package; install it '
                "with `pip install 'textmill[lingua]'`, or use backend \"py3langid\""
            )


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="langid",
        version=VERSION,
        description="Language and script per document and paragraph; foreign and untranslated runs.",
        settings=LangidSettings,
        provides=("lang",),
    )


@lru_cache(maxsize=1)
def _py3langid() -> Any:
    return py3langid_identifier(norm_probs=True)


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()


def identify(text: str, backend: str = "py3langid") -> tuple[str, float]:
    """``(ISO 639-1 code, confidence)``; ``("und", 0.0)`` when there is nothing to judge."""
    if not re.search(r"\w{2,}", text):
        return "und", 0.0
    if backend == "lingua":
        values = _lingua().compute_language_confidence_values(text)
        if not values:
            return "und", 0.0
        top = values[0]
        iso = top.language.iso_code_639_1
        return (iso.name.lower() if iso else "und"), float(top.value)
    if backend != "py3langid":
        raise ValueError(f'langid backend "{backend}" is unknown; use py3langid or lingua')
    lang, prob = _py3langid().classify(text)
    return lang, float(prob)


def script_of(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    return name.split()[0].title()


def dominant_script(text: str) -> str:
    counts = Counter(s for s in map(script_of, text) if s)
    return counts.most_common(1)[0][0] if counts else "Unknown"


_WORD = re.compile(r"\w+")


def script_findings(text: str, main: str) -> list[Finding]:
    out: list[Finding] = []
    run: list[re.Match[str]] = []
    for m in _WORD.finditer(text):
        scripts = {s for s in map(script_of, m.group(0)) if s}
        if len(scripts) > 1:
            out.append(
                Finding(
                    code="langid.mixed-script",
                    message=f'"{m.group(0)}" mixes {" and ".join(sorted(scripts))} letters.',
                    severity="warning",
                    span=Span(m.start(), m.end()),
                )
            )
        foreign = bool(scripts) and main not in scripts
        if foreign:
            run.append(m)
            continue
        if run:
            out.append(_untranslated(text, run))
        run = []
    if run:
        out.append(_untranslated(text, run))
    return out


def _untranslated(text: str, run: list[re.Match[str]]) -> Finding:
    seg = text[run[0].start() : run[-1].end()]
    return Finding(
        code="langid.untranslated",
        message=f'"{seg[:40]}" is in {dominant_script(seg)} script inside text in another script; it may be untranslated.',
        severity="warning",
        span=Span(run[0].start(), run[-1].end()),
        evidence=seg[:200],
    )


@hookimpl
def textmill_quality(doc: Document, settings: LangidSettings, ctx: DocContext) -> Result | None:
    s = settings or LangidSettings()
    text = doc.text
    lang, conf = identify(text[:20000], s.backend)
    script = dominant_script(text[:20000])
    paragraphs = []
    findings: list[Finding] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        para = m.group(0)
        if len(para.strip()) < s.min_paragraph_chars:
            continue
        plang, pconf = identify(para, s.backend)
        paragraphs.append(
            {"start": m.start(), "end": m.end(), "lang": plang, "score": round(pconf, 3)}
        )
        if plang != lang and pconf >= s.min_confidence and dominant_script(para) == script:
            findings.append(
                Finding(
                    code="langid.foreign-paragraph",
                    message=f"This paragraph is in {plang} ({pconf:.2f}), not {lang} like the rest.",
                    severity="warning",
                    span=Span(m.start(), m.end()),
                )
            )
    findings += script_findings(text, script)
    if s.expected and lang != s.expected and conf >= s.min_confidence:
        findings.append(
            Finding(
                code="langid.unexpected-language",
                message=f"The document is in {lang} ({conf:.2f}), not the expected {s.expected}.",
                severity="error",
            )
        )
    return Result(
        label=lang,
        score=round(conf, 3),
        findings=tuple(findings),
        data={"lang": lang, "script": script, "paragraphs": paragraphs},
    )
