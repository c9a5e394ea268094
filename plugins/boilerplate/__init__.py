"""The ``boilerplate`` clean-stage plugin: turn a pasted or scraped news page into its article.

Each non-blank line is scored by gradient-boosted trees (:mod:`.model`) over features of the
line, its block and its place on the page (:mod:`.features`, :mod:`.layout`), read in the page's
own language (:mod:`.language`). Blocks are paragraphs between blank lines, or sentence lines
when the text has no blank-line paragraphs (one segment a line, as transcripts and machine
translation come): a line is judged by what it says and where it sits, not by the layout. Lines
are named by patterns for share prompts, credits, copyright lines, bios, banners and the like
(:mod:`.patterns`). The article is kept as one main block that
starts at the headline repeating the page title; runs of short lines are navigation, teaser lists
are related-article blocks, and lines repeated across the corpus (learned by the prepare hook)
are boilerplate evidence. A document read from HTML also carries its page's markup: trafilatura's
main-content decision on it is one more vote per line (:mod:`.markup`). Every removal is an :class:`~textmill.Edit` with a
``boilerplate.<reason>`` code and a confidence; reasons listed in ``flag_only`` are only marked.
A last paragraph that stops mid-sentence is reported as a finding, never cut.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any

from textmill import (
    Corpus,
    DocContext,
    Document,
    Edit,
    Finding,
    PluginInfo,
    Range,
    Result,
    Span,
    hookimpl,
)
from textmill.plugins.boilerplate.clean import (
    DEFAULT_AGGRESSIVENESS,
    Decision,
    clean_page,
    compile_extra,
)
from textmill.plugins.boilerplate.markup import Extractor, extract
from textmill.plugins.boilerplate.model import html_weights, load
from textmill.plugins.boilerplate.patterns import REASONS, Reason
from textmill.plugins.boilerplate.repeats import line_key, repeated_lines

VERSION = "8"


@dataclass(frozen=True)
class BoilerplateSettings:
    aggressiveness: Annotated[float, Range(0, 1)] = field(
        default=DEFAULT_AGGRESSIVENESS,
        metadata={
            "doc": "0..1: a line is removed when the classifier's article probability is below this."
        },
    )
    keep_title: bool = field(
        default=True,
        metadata={
            "doc": "Keep the first line when it reads like a headline, and a standfirst below it."
        },
    )
    reasons: list[Reason] = field(
        default_factory=lambda: list(REASONS),
        metadata={"doc": "Reasons to act on (every one by default)."},
    )
    flag_only: list[Reason] = field(
        default_factory=list,
        metadata={"doc": "Reasons that only mark spans (annotate-only) and keep the text."},
    )
    extra_patterns: list[str] = field(
        default_factory=list,
        metadata={"doc": "Extra regular expressions; a matching line of <= 40 words is removed."},
    )
    main_block: bool = field(
        default=True,
        metadata={
            "doc": "Keep only the densest contiguous block of article lines (reason 'outside')."
        },
    )
    markup: bool = field(
        default=True,
        metadata={
            "doc": "For a document read from HTML, add the page structure's vote (trafilatura's "
            "main-content decision) to the line features, scored by the trees trained on HTML "
            "pages."
        },
    )
    extractor: Extractor = field(
        default="trafilatura",
        metadata={
            "doc": "Whose main-content decision is the vote: trafilatura's (the better F1), or "
            "resiliparse's (needs the resiliparse package; reading and cleaning HTML about 1.6 "
            "times as fast, at a lower F1)."
        },
    )
    min_repeats: Annotated[int, Range(min=1)] = field(
        default=3,
        metadata={"doc": "A line seen in at least this many documents is boilerplate evidence."},
    )
    repeat_share: Annotated[float, Range(0, 1)] = field(
        default=0.05,
        metadata={"doc": "... and in at least this share of the corpus's documents."},
    )

    def __post_init__(self) -> None:
        if self.extractor == "resiliparse" and importlib.util.find_spec("resiliparse") is None:
            raise ValueError(
                '"extractor" is "resiliparse", which is not installed; install it with '
                '`pip install resiliparse` or set extractor = "trafilatura"'
            )
        for pattern in self.extra_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f'"extra_patterns" has {pattern!r}, which is not a regular expression '
                    f"({exc}); fix it"
                ) from None


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="boilerplate",
        version=VERSION,
        description="Line classifier that removes page furniture and records why.",
        settings=BoilerplateSettings,
        provides=("text",),
    )


@hookimpl
def textmill_prepare(corpus: Corpus, settings: BoilerplateSettings) -> Any:
    """Lines (of at most 30 words) repeated across documents, as a list of keys."""
    s = settings or BoilerplateSettings()
    return repeated_lines((d.raw for d in corpus.documents()), s.min_repeats, s.repeat_share)


_REPEATED: list[Any] = [None, frozenset()]  # the last prepared state seen, as a set


@hookimpl
def textmill_prepared_part(doc: Document, state: Any, settings: BoilerplateSettings) -> list[int]:
    """The repeated lines that occur in this document: all its result depends on of the
    corpus, so an edit elsewhere re-runs it only when that changes which of its lines repeat."""
    if _REPEATED[0] is not state:
        _REPEATED[:] = [state, frozenset(state or ())]
    repeated: frozenset[int] = _REPEATED[1]
    if not repeated:
        return []
    return sorted({line_key(line) for line in doc.text.split("\n")} & repeated)


@hookimpl
def textmill_clean(doc: Document, settings: BoilerplateSettings, ctx: DocContext) -> Result | None:
    s = settings or BoilerplateSettings()
    unknown = set(s.reasons) | set(s.flag_only)
    unknown -= set(REASONS)
    if unknown:
        raise ValueError(f"unknown boilerplate reasons {sorted(unknown)}; use {list(REASONS)}")
    repeated = frozenset(ctx.prepared or ())
    html = doc.meta.get("html") if s.markup else None
    page = html if isinstance(html, str) and html else None
    extracted = extract(page, s.extractor) if page else None
    decisions, out, truncated = clean_page(
        doc.text,
        aggressiveness=s.aggressiveness,
        keep_title=s.keep_title,
        reasons=frozenset(s.reasons),
        flag_only=frozenset(s.flag_only),
        repeated=repeated,
        extra=compile_extra(tuple(s.extra_patterns)),
        main_block=s.main_block,
        extracted=extracted,
        html_weights=load(str(html_weights(s.extractor))) if extracted is not None else None,
        title=doc.title if page else "",
    )
    edits = tuple(_edit(d) for d in decisions)
    counts = Counter(d.reason for d in decisions if d.applied)
    findings: tuple[Finding, ...] = ()
    if truncated is not None:
        findings = (
            Finding(
                code="boilerplate.truncated",
                message="The last paragraph stops mid-sentence; the page may have been cut off.",
                severity="warning",
                span=Span(*truncated),
                evidence=out[truncated[0] : truncated[1]][-80:],
            ),
        )
    note = doc.meta.get("decode_note")
    if isinstance(note, str) and note:
        # The reader had to guess the page's charset: say so where the user reviews the page.
        findings += (
            Finding(
                code="boilerplate.charset-guess",
                message=f"The page's charset was a guess: {note}.",
                severity="warning" if "best guess" in note else "info",
                data={"charset": str(doc.meta.get("charset", ""))},
            ),
        )
    removed = sum(d.end - d.start for d in decisions if d.applied)
    return Result(
        text=out,
        edits=edits,
        findings=findings,
        score=1.0 - removed / max(1, len(doc.text)),
        data={
            "removed_chars": removed,
            "removed_lines": sum(1 for d in decisions if d.applied and d.reason != "whitespace"),
            "flagged_lines": sum(1 for d in decisions if not d.applied),
            "reasons": dict(counts),
        },
    )


def _edit(d: Decision) -> Edit:
    return Edit(
        Span(d.start, d.end),
        "",
        f"boilerplate.{d.reason}",
        confidence=round(d.confidence, 3),
        applied=d.applied,
    )
