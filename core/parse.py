"""The shared parse: each document parsed once by spaCy, in batches, for every plugin that reads it.

Plugins declare the annotations their per-document hook reads (``PluginInfo.parses``):

- ``"entities"``: ``doc.ents`` (spaCy's ``ner``, which has its own embedding layer);
- ``"tags"``: ``token.tag_`` and ``token.pos_`` (``tok2vec``, ``tagger``, ``attribute_ruler``);
- ``"dependencies"``: ``token.dep_``/``token.head`` and the parser's sentences (``tok2vec``,
  ``parser``);
- ``"sentences"``: ``doc.sents`` (the parser's when dependencies are parsed too, else a
  rule-based sentencizer).

A segment's engine builds one :class:`SharedParser` for the union of what its plugins declared
(plugins may add components, such as the linker's entity rulers, through the
``textmill_nlp_pipes`` hook), disables every other component (the lemmatizer serves nobody:
:func:`lemma` gives one token's lemma on demand), and parses a batch's texts with ``nlp.pipe``.

A text is parsed in pieces of at most :data:`PIECE_CHARS` characters, cut between paragraphs
(or, inside a longer paragraph, after a sentence), so the memory a parse takes is bounded by the
piece, not the document: a news article is one piece. Each piece keeps its offset in the text, and
plugins combine their per-piece findings into the document's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from textmill.hookcall import NO_LIMIT, Limit
from textmill.nlp import has_statistical_model, load_nlp

ANNOTATIONS: tuple[str, ...] = ("entities", "sentences", "tags", "dependencies")
"""What a plugin may declare in ``PluginInfo.parses``."""

PARSE_LINE = "spacy"
"""The run summary's line for the shared parse (its documents and seconds)."""

PIECE_CHARS = 20_000
"""The longest piece of text parsed at once (a long news article is about 10,000 characters)."""

# The components of spaCy's English pipelines each annotation needs.
BATCH_CHARS = 50_000
"""The most characters parsed in one ``nlp.pipe`` batch (about 25 news articles)."""

_EMPTY_TENSOR = np.zeros((0, 0), dtype="float32")

_NEEDS: dict[str, tuple[str, ...]] = {
    "entities": ("ner",),
    "tags": ("tok2vec", "tagger", "attribute_ruler"),
    "dependencies": ("tok2vec", "parser"),
    "sentences": (),
}
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")

Pipes = Callable[[Any], None]
"""A plugin's addition to the shared pipeline: called once with the ``Language`` object."""


def check_annotations(names: Iterable[str], where: str) -> tuple[str, ...]:
    """``names`` as declared, refused in one sentence when one is not an annotation."""
    out = tuple(names)
    for name in out:
        if name not in ANNOTATIONS:
            raise ValueError(
                f'{where}: unknown annotation "{name}" in parses; use some of {", ".join(ANNOTATIONS)}'
            )
    return out


@dataclass(frozen=True)
class Piece:
    """A parsed piece of a text: ``doc`` is spaCy's ``Doc`` of ``text[offset:offset + len]``."""

    offset: int
    doc: Any


@dataclass(frozen=True)
class Parsed:
    """A document's shared parse: its text and the parsed pieces covering it, in order."""

    text: str
    pieces: tuple[Piece, ...]
    annotations: frozenset[str]
    statistical: bool  # False with the rule-based fallback pipeline (no tags, parse or entities)

    def ents(self) -> list[tuple[int, int, str]]:
        """Every entity as ``(start, end, label)`` in the text's offsets."""
        return [
            (p.offset + e.start_char, p.offset + e.end_char, e.label_)
            for p in self.pieces
            for e in p.doc.ents
        ]

    def tokens(self) -> Iterator[tuple[int, Any]]:
        """``(start in the text, token)`` for every token, in order."""
        for p in self.pieces:
            off = p.offset
            for t in p.doc:
                yield off + t.idx, t


def pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` pieces covering ``text``, each at most ``limit`` characters: whole
    paragraphs together while they fit, a longer paragraph cut after its last sentence that fits
    (else at a space, else anywhere)."""
    n = len(text)
    if n <= limit:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    start = 0
    while n - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in (_PARAGRAPH, _SENTENCE_END):
            ends = [m.end() for m in pattern.finditer(window)]
            if ends and ends[-1] > limit // 4:
                cut = ends[-1]
                break
        if not cut:
            space = window.rfind(" ", limit // 4)
            cut = space + 1 if space > 0 else limit
        out.append((start, start + cut))
        start += cut
    out.append((start, n))
    return out


def components(annotations: Iterable[str]) -> set[str]:
    """The pipeline components ``annotations`` need."""
    return {c for a in annotations for c in _NEEDS[a]}


class SharedParser:
    """One spaCy pipeline running only what ``annotations`` need, plus ``pipes`` (plugins'
    additions, each named by a key that changes when the addition does)."""

    def __init__(self, annotations: Iterable[str], pipes: Sequence[tuple[str, Pipes]] = ()) -> None:
        self.annotations = frozenset(annotations)
        self.pipes = tuple(pipes)
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = _pipeline(
                tuple(sorted(self.annotations)), tuple(key for key, _ in self.pipes), self.pipes
            )
        return self._nlp

    def parse(self, texts: Sequence[str], limit: Limit | None = None) -> list[Parsed]:
        """Each text's :class:`Parsed`: the pieces of all of them through ``nlp.pipe``, in
        batches of at most :data:`BATCH_CHARS` characters (spaCy's working memory grows with
        the tokens of a batch, about 10 KB a token), each batch within ``limit`` (a
        :class:`~textmill.hookcall.Limit`; none by default): the time a parse may take grows
        with the text, as the parse does."""
        nlp = self.nlp
        statistical = has_statistical_model(nlp)
        cuts = [pieces(t) for t in texts]
        flat = [t[a:b] for t, c in zip(texts, cuts, strict=True) for a, b in c]
        docs: list[Any] = []
        for batch in _batches(flat):
            docs += (limit or NO_LIMIT).call(_pipe, nlp=nlp, batch=batch)
        it = iter(docs)
        return [
            Parsed(
                text,
                tuple(Piece(a, next(it)) for a, _ in c),
                self.annotations,
                statistical,
            )
            for text, c in zip(texts, cuts, strict=True)
        ]


def _pipe(nlp: Any, batch: list[str]) -> list[Any]:
    docs = list(nlp.pipe(batch, batch_size=len(batch)))
    for doc in docs:
        # The embeddings are read by no plugin and take 384 bytes a token.
        doc.tensor = _EMPTY_TENSOR
    return docs


def _batches(texts: list[str], limit: int | None = None) -> Iterator[list[str]]:
    """``texts`` in order, in runs of at most ``limit`` characters (or one text)."""
    limit = limit or BATCH_CHARS
    batch: list[str] = []
    size = 0
    for t in texts:
        if batch and size + len(t) > limit:
            yield batch
            batch, size = [], 0
        batch.append(t)
        size += len(t)
    if batch:
        yield batch


_PIPELINES: dict[tuple[tuple[str, ...], tuple[str, ...]], Any] = {}
_LEMMATIZERS: list[Any] = []


def _pipeline(
    annotations: tuple[str, ...], keys: tuple[str, ...], pipes: tuple[tuple[str, Pipes], ...]
) -> Any:
    """The pipeline for ``annotations`` with the additions named ``keys``, built once per
    process (the functions in ``pipes`` are named by ``keys``)."""
    cache_key = (annotations, keys)
    nlp = _PIPELINES.get(cache_key)
    if nlp is not None:
        return nlp
    nlp = load_nlp(owner="parse:" + ",".join(annotations) + "|" + ",".join(keys))
    wanted = components(annotations)
    if has_statistical_model(nlp):
        for name in list(nlp.pipe_names):
            if name not in wanted:
                nlp.disable_pipe(name)
    if "lemmatizer" in nlp.component_names and not _LEMMATIZERS:
        _LEMMATIZERS.append(nlp.get_pipe("lemmatizer"))
    if (
        "sentences" in annotations
        and "parser" not in nlp.pipe_names
        and "sentencizer" not in nlp.pipe_names
    ):
        nlp.add_pipe("sentencizer", first=True)
    for _key, add in pipes:
        add(nlp)
    _PIPELINES[cache_key] = nlp
    return nlp


def parse_text(
    text: str, annotations: Iterable[str], pipes: Sequence[tuple[str, Pipes]] = ()
) -> Parsed:
    """``text`` parsed on its own (for a plugin called outside a run, as tests do)."""
    return SharedParser(annotations, pipes).parse([text])[0]


def lemma(token: Any) -> str:
    """``token``'s lemma as spaCy's rule lemmatizer gives it, computed for this token only
    (the shared pipeline runs no lemmatizer: a check asks for the few lemmas it compares)."""
    if token.lemma_:
        return str(token.lemma_)
    lemmatizer = _lemmatizer()
    if lemmatizer is None:
        return str(token.lower_)
    return str(lemmatizer.rule_lemmatize(token)[0])


def _lemmatizer() -> Any:
    if not _LEMMATIZERS:
        nlp = load_nlp()
        _LEMMATIZERS.append(
            nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.component_names else None
        )
    return _LEMMATIZERS[0]
