"""The ``linker`` plugin: spaCy NER plus a knowledge base, and a corpus entity index.

Per document: NER (the statistical model between two rulers of KB aliases, :mod:`.ner`), spans
trimmed to names, with the names it tagged once found again and KB people's rare names it missed
(:mod:`.spans`), candidates from aliases, name parts, acronyms, abbreviations, word order and
rapidfuzz fuzzy matching (:mod:`.candidates`), and disambiguation by a trained logistic model
over prior, type, name context, popularity, coreference and document coherence (:mod:`.link`).
Then, within the document, short forms and defined acronyms join their names, and pronouns
and descriptions are linked apart from them (:mod:`.coref`); dateline places are linked
literally. Unlinked mentions are NIL; the corpus hook clusters NIL mentions across the corpus
(:mod:`.index`) and builds the entity index. A person's gender is exposed in each mention for
the quality stage's pronoun checks. ``textmill kb build`` compiles a KB (:mod:`.commands`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from textmill import (
    Corpus,
    CorpusResult,
    DocContext,
    Document,
    Finding,
    PluginInfo,
    Range,
    Result,
    Span,
    hookimpl,
)
from textmill.parse import Parsed, Piece, pieces
from textmill.plugins.linker.candidates import is_person_name
from textmill.plugins.linker.coref import join_names, references
from textmill.plugins.linker.index import build_index
from textmill.plugins.linker.kb import KB, STARTER_KB, KBError, normalize
from textmill.plugins.linker.link import (
    LINKABLE,
    Mention,
    link_mentions,
    literal_place,
    load_weights,
    mention_record,
)
from textmill.plugins.linker.ner import add_ruler, pipeline
from textmill.plugins.linker.spans import (
    acronym_names,
    datelines,
    lone_names,
    repeated_names,
    split_possessive,
    trim,
    within,
)

VERSION = "5"
TRAINED_THRESHOLD = load_weights()[1]


@dataclass(frozen=True)
class LinkerSettings:
    kb: str = field(
        default="",
        metadata={
            "doc": "Knowledge base: a .jsonl file or a .sqlite built by `textmill kb build`, relative to the config file (default: the starter KB).",
            "path": True,
        },
    )
    entity_ruler: bool = field(
        default=True, metadata={"doc": "Find KB aliases with a rule matcher too."}
    )
    fuzzy_cutoff: Annotated[float, Range(0, 100)] = field(
        default=88.0,
        metadata={
            "doc": "rapidfuzz ratio (0..100) for fuzzy alias candidates; 100 turns fuzzy matching off."
        },
    )
    min_score: Annotated[float, Range(0, 1)] = field(
        default=TRAINED_THRESHOLD,
        metadata={
            "doc": "Minimum probability (0..1) of the best candidate to link; below it a mention is NIL. The default is the threshold trained with the shipped weights."
        },
    )
    nil_similarity: Annotated[float, Range(0, 100)] = field(
        default=90.0,
        metadata={"doc": "rapidfuzz token-sort ratio to merge NIL mentions across the corpus."},
    )

    def __post_init__(self) -> None:
        # A KB that cannot be read is one config error, not an error on every document.
        if self.kb:
            try:
                KB.load(kb_path(self))
            except KBError as exc:
                raise ValueError(f'"kb": {exc}') from None


def kb_path(settings: LinkerSettings) -> str:
    return str(Path(settings.kb).expanduser().resolve()) if settings.kb else str(STARTER_KB)


@hookimpl
def textmill_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="linker",
        version=VERSION,
        description="spaCy NER linked to a knowledge base, with NIL clustering and a corpus entity index.",
        settings=LinkerSettings,
        uses=("text",),
        provides=("entities",),
        corpus_provides=("entity-index",),
        parses=("entities",),
    )


@hookimpl
def textmill_nlp_pipes(nlp: Any, settings: LinkerSettings) -> None:
    """The rulers of KB aliases around the shared pipeline's NER (see :mod:`.ner`)."""
    s = settings or LinkerSettings()
    if s.entity_ruler:
        add_ruler(nlp, KB.load(kb_path(s)))


@hookimpl
def textmill_register_commands(cli: Any) -> None:
    from textmill.plugins.linker.commands import kb_group

    cli.add_command(kb_group)


def find_mentions(
    text: str,
    settings: LinkerSettings,
    nlp: Any = None,
    kb: KB | None = None,
    parsed: Parsed | None = None,
) -> list[Mention]:
    """NER mentions of a linkable label (``parsed``: the shared parse of ``text``, with this
    plugin's rulers; else ``nlp``, a pipeline from :mod:`.ner`; else the KB's; ``kb``: the KB
    whose people's names fill the NER's gaps, else the settings' KB)."""
    if parsed is not None:
        ents = parsed.ents()
    else:
        nlp = nlp or pipeline(kb_path(settings), settings.entity_ruler)
        ents = [
            (p.offset + e.start_char, p.offset + e.end_char, e.label_)
            for p in _pieces(nlp, text)
            for e in p.doc.ents
        ]
    return mentions_from_ents(text, ents, kb or KB.load(kb_path(settings)))


def _pieces(nlp: Any, text: str) -> list[Piece]:
    """``text`` parsed by ``nlp`` in the shared parse's pieces (memory bounded by a piece)."""
    cuts = pieces(text)
    return [
        Piece(a, d) for (a, _), d in zip(cuts, nlp.pipe(text[a:b] for a, b in cuts), strict=True)
    ]


def mentions_from_ents(
    text: str, ents: list[tuple[int, int, str]], kb: KB | None = None
) -> list[Mention]:
    """Mentions from NER spans ``(start, end, label)``, trimmed to the names they hold, the
    other occurrences of those names that the NER missed, acronyms defined after a name, and
    (with ``kb``) lone capitalized words that are a KB person's first or last name. Mentions in
    a dateline ("WASHINGTON —") have the role ``dateline``."""
    spans = []
    for start, end, label in ents:
        if label not in LINKABLE:
            continue
        for a, b, lab in split_possessive(text, start, end, label):
            span = trim(text, a, b)
            if span is not None and normalize(text[span[0] : span[1]]):
                spans.append((*span, lab))
    spans += repeated_names(text, spans)
    spans += acronym_names(text, spans)
    if kb is not None:
        spans += lone_names(text, spans, lambda w: is_person_name(kb, w))
    spans.sort()
    in_dateline = within(datelines(text))
    return [
        Mention(
            a,
            b,
            text[a:b],
            label,
            normalize(text[a:b]),
            role="dateline" if in_dateline(a, b) else "",
        )
        for a, b, label in spans
    ]


def link_document(
    text: str,
    settings: LinkerSettings,
    nlp: Any = None,
    kb: KB | None = None,
    parsed: Parsed | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A document's mention records, with short forms and acronyms joined to their names, and
    the pronouns and descriptions linked to an entity (kept apart from the names). ``nlp``,
    ``kb`` and ``parsed`` as for :func:`find_mentions`."""
    kb = kb or KB.load(kb_path(settings))
    mentions = find_mentions(text, settings, nlp, kb, parsed)
    link_mentions(
        kb, mentions, text, fuzzy_cutoff=settings.fuzzy_cutoff, min_score=settings.min_score
    )
    for m in mentions:
        if m.role == "dateline":
            literal_place(kb, m)
    records = [mention_record(m, kb) for m in mentions]
    join_names(text, records, lambda norm: bool(kb.candidates(norm)))
    return records, references(text, records)


def link_text(
    text: str, settings: LinkerSettings, parsed: Parsed | None = None
) -> list[dict[str, Any]]:
    return link_document(text, settings, parsed=parsed)[0]


@hookimpl
def textmill_entities(doc: Document, settings: LinkerSettings, ctx: DocContext) -> Result:
    s = settings or LinkerSettings()
    records, refs = link_document(doc.text, s, parsed=ctx.parsed if ctx is not None else None)
    findings = _variant_findings(records)
    linked = sum(1 for r in records if not r["entity"].startswith("NIL:"))
    return Result(
        score=round(linked / len(records), 3) if records else None,
        label=f"{len({r['entity'] for r in records})} entities",
        findings=tuple(findings),
        data={
            "mentions": records,
            "references": refs,
            "linked": linked,
            "nil": len(records) - linked,
        },
    )


def _variant_findings(records: list[dict[str, Any]]) -> list[Finding]:
    """An entity written two ways in one document (Kiev/Kyiv), not counting short forms."""
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        # A dateline is not the body's spelling of the place.
        if not r["entity"].startswith("NIL:") and r.get("role") != "dateline":
            by_entity[r["entity"]].append(r)
    out = []
    for _ent, rs in by_entity.items():
        forms: dict[str, dict[str, Any]] = {}
        for r in rs:
            # Acronyms ("US" for "United States") are short forms, not spelling variants.
            if re.fullmatch(r"[A-Z.]{2,6}", r["text"].strip()):
                continue
            key = normalize(r["text"])
            if not any(
                key in other.split() or other in key.split() or key in other or other in key
                for other in forms
            ):
                forms[key] = r
        if len(forms) > 1:
            first, *others = forms.values()
            for r in others:
                out.append(
                    Finding(
                        code="linker.variant-spelling",
                        message=(
                            f'{r["name"]} is written both "{first["text"]}" and "{r["text"]}" in this document.'
                        ),
                        severity="info",
                        span=Span(r["start"], r["end"]),
                        evidence=f"{first['text']} / {r['text']}",
                        suggestion=first["text"],
                        data={"entity": r["entity"]},
                    )
                )
    return out


@hookimpl
def textmill_corpus_entities(corpus: Corpus, settings: LinkerSettings) -> CorpusResult:
    s = settings or LinkerSettings()
    kb = KB.load(kb_path(s))
    entities, doc_nil = build_index(corpus.results("linker"), kb, s.nil_similarity)
    doc_results = {}
    for doc_id, mapping in doc_nil.items():
        res = corpus.result(doc_id, "linker")
        if res is None:
            continue
        mentions, refs = (
            [dict(m, entity=mapping.get(m["entity"], m["entity"])) for m in res.data.get(key, [])]
            for key in ("mentions", "references")
        )
        doc_results[doc_id] = Result(data={"mentions": mentions, "references": refs})
    return CorpusResult(
        entities=tuple(entities),
        doc_results=doc_results,
        data={
            "entities": len(entities),
            "nil_entities": sum(1 for e in entities if e.kb_id is None),
        },
    )
