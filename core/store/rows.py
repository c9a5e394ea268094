"""The store's row records: the shapes of what the store writes and what it hands back.

Each table the engine writes has one record here, named for what it holds, with its fields in
the table's column order: the store builds its statements from the fields (``ResultRow._fields``
and so on), so a new column is a new field here and in :mod:`textmill.store.schema`, and code
outside the store reads fields by name. Workers build these rows (serializing payloads there),
and the store writes them as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from textmill.model import (
    Document,
    Edit,
    Finding,
    Span,
    StageResult,
    Status,
    from_dict,
    to_dict,
)
from textmill.store.db import dumps, loads

Phase = Literal["doc", "corpus"]
"""A result's phase: ``doc`` for a per-document hook, ``corpus`` for what a corpus hook said
about a document."""


class ResultRow(NamedTuple):
    """A ``results`` row: one plugin's result on one document, in one phase."""

    doc_id: str
    plugin: str
    phase: str
    stage: str
    status: Status
    score: float | None
    label: str | None
    n_findings: int
    payload: bytes | None  # findings, edits, data, traceback and extras as JSON (see payload())
    duration: float
    error: str | None
    cache_key: str
    run_id: str


def new_result_row(fields: tuple[Any, ...]) -> ResultRow:
    """A :class:`ResultRow` from a tuple of all its fields in order: what workers build for
    every result, made without the Python-level ``__new__`` of a NamedTuple (a third of the
    cost)."""
    return _tuple_new(ResultRow, fields)


_tuple_new: Any = tuple.__new__


class FindingRow(NamedTuple):
    """A ``findings`` row: one finding of a result, flattened for filtering."""

    doc_id: str
    plugin: str
    phase: str
    code: str
    severity: str
    message: str
    start: int | None
    end: int | None
    evidence: str | None
    suggestion: str | None
    data: str | None


class ResultId(NamedTuple):
    """Which result: a document, a plugin and a phase (the key of ``results``)."""

    doc_id: str
    plugin: str
    phase: str


class DocumentFields(NamedTuple):
    """A document's fields besides its text, as the ``documents`` table holds them."""

    title: str | None
    lang: str | None
    meta: str | None
    source_text: str | None
    source_lang: str | None

    @classmethod
    def of(cls, doc: Document) -> DocumentFields:
        meta = dumps(doc.meta).decode() if doc.meta else None
        return cls(doc.title, doc.lang, meta, doc.source_text, doc.source_lang)


class NewDocument(NamedTuple):
    """A document to store: its sequence number, the hash of its raw text, and why it could not
    be read (``None`` when it could)."""

    doc: Document
    seq: int
    raw_hash: str
    error: str | None


class KnownDocument(NamedTuple):
    """What ingest compares a document read again with: the stored raw hash, sequence number,
    read error and other fields."""

    raw_hash: str
    seq: int
    error: str | None
    fields: DocumentFields


class HashedDocument(NamedTuple):
    """A stored, readable document with the hashes of its raw and cleaned text."""

    doc: Document
    raw_hash: str
    text_hash: str


class CleanedText(NamedTuple):
    """A document's new cleaned text and its hash."""

    doc_id: str
    text: str
    text_hash: str


class CacheEntry(NamedTuple):
    """A ``cache`` entry: the key a prepare or corpus output (or a freshness record) was made
    under, and the value."""

    key: str
    value: Any


class ResultKey(NamedTuple):
    """A per-document result's cache key."""

    doc_id: str
    plugin: str
    cache_key: str


class TextHash(NamedTuple):
    """A document's id and the hash of its raw or cleaned text."""

    doc_id: str
    hash: str


class OutputKey(NamedTuple):
    """The key a plugin's corpus hook last ran under."""

    plugin: str
    key: str


class ErrorRow(NamedTuple):
    """A failed result: the document, the plugin and its one-line error."""

    doc_id: str
    plugin: str
    error: str | None


# --- building rows -------------------------------------------------------------------------------


def payload(
    findings: Sequence[Finding],
    edits: Sequence[Edit],
    data: dict[str, Any],
    traceback: str | None,
    extra: dict[str, Any] | None = None,
) -> bytes | None:
    """The JSON body of a result row: findings, edits, data, traceback and ``extra``; ``None``
    when there is none of these (most results of most plugins)."""
    if not (findings or edits or data or traceback or extra):
        return None
    body: dict[str, Any] = {}
    if findings:
        body["findings"] = [to_dict(f) for f in findings]
    if edits:
        body["edits"] = [to_dict(e) for e in edits]
    if data:
        body["data"] = data
    if traceback:
        body["traceback"] = traceback
    if extra:
        body.update(extra)
    return dumps(body)


def finding_rows(
    doc_id: str, plugin: str, phase: str, findings: Sequence[Finding]
) -> list[FindingRow]:
    """The ``findings`` rows of a result's findings."""
    return [
        FindingRow(
            doc_id,
            plugin,
            phase,
            f.code,
            f.severity,
            f.message,
            f.span.start if f.span else None,
            f.span.end if f.span else None,
            f.evidence,
            f.suggestion,
            dumps(f.data).decode() if f.data else None,
        )
        for f in findings
    ]


def result_row(
    r: StageResult, run_id: str, phase: str = "doc", extra: dict[str, Any] | None = None
) -> ResultRow:
    """The row of a result (``extra`` adds keys to its payload, e.g. a cleaner's output text)."""
    return ResultRow(
        r.doc_id,
        r.plugin,
        phase,
        r.stage,
        r.status,
        r.score,
        r.label,
        len(r.findings),
        payload(r.findings, r.edits, r.data, r.traceback, extra),
        r.duration,
        r.error,
        r.cache_key,
        run_id,
    )


# --- reading rows --------------------------------------------------------------------------------


def result_from_row(row: ResultRow) -> StageResult:
    """A result from its row (payloads are parsed only when a result is wanted)."""
    body = loads(row.payload) or {}
    return StageResult(
        doc_id=row.doc_id,
        plugin=row.plugin,
        stage=row.stage,
        status=row.status,
        score=row.score,
        label=row.label,
        findings=tuple(from_dict(Finding, f) for f in body.get("findings", ())),
        data=body.get("data") or {},
        edits=tuple(from_dict(Edit, e) for e in body.get("edits", ())),
        duration=row.duration or 0.0,
        error=row.error,
        traceback=body.get("traceback"),
        cache_key=row.cache_key or "",
    )


_RESULT_FIELDS = tuple(f.name for f in dataclasses.fields(StageResult))
_RESULT_KNOWN = _RESULT_FIELDS == (
    "doc_id",
    "plugin",
    "stage",
    "status",
    "score",
    "label",
    "findings",
    "data",
    "edits",
    "duration",
    "error",
    "traceback",
    "cache_key",
)  # the fields result_json() fills, in order; a StageResult with others goes the long way
_FINDING_KEYS = {f.name for f in dataclasses.fields(Finding)}
_EDIT_KEYS = {f.name for f in dataclasses.fields(Edit)}
_SPAN_KEYS = {f.name for f in dataclasses.fields(Span)}


def _as_written(items: list[dict[str, Any]], keys: set[str]) -> bool:
    """Whether stored findings (or edits) have the fields of this version's class, so that
    their JSON form is what was stored."""
    for item in items:
        if item.keys() != keys:
            return False
        span = item.get("span")
        if span is not None and span.keys() != _SPAN_KEYS:
            return False
    return True


def result_json(row: ResultRow) -> dict[str, Any]:
    """``to_dict(result_from_row(row))``, built from the stored payload without making the
    result, its findings and edits as objects and turning them back into JSON (what an export
    of every document would otherwise spend most of its time on). A payload written with other
    fields than this version's goes the long way."""
    body = loads(row.payload) or {}
    findings = body.get("findings") or []
    edits = body.get("edits") or []
    if not (
        _RESULT_KNOWN and _as_written(findings, _FINDING_KEYS) and _as_written(edits, _EDIT_KEYS)
    ):
        return to_dict(result_from_row(row))
    return {
        "doc_id": row.doc_id,
        "plugin": row.plugin,
        "stage": row.stage,
        "status": row.status,
        "score": row.score,
        "label": row.label,
        "findings": findings,
        "data": body.get("data") or {},  # parsed JSON: already what to_dict() gives
        "edits": edits,
        "duration": row.duration or 0.0,
        "error": row.error,
        "traceback": body.get("traceback"),
        "cache_key": row.cache_key or "",
    }


def merge_results(doc: StageResult | None, corpus: StageResult | None) -> StageResult | None:
    """One view of a plugin's result on a document: its per-document result with what its
    corpus hook added (findings appended, data merged, score and label when set)."""
    if doc is None or corpus is None:
        return doc or corpus
    status = "error" if "error" in (doc.status, corpus.status) else doc.status
    return StageResult(
        doc_id=doc.doc_id,
        plugin=doc.plugin,
        stage=doc.stage,
        status=status,
        score=corpus.score if corpus.score is not None else doc.score,
        label=corpus.label if corpus.label is not None else doc.label,
        findings=doc.findings + corpus.findings,
        data={**doc.data, **corpus.data},
        edits=doc.edits,
        duration=doc.duration + corpus.duration,
        error=doc.error or corpus.error,
        traceback=doc.traceback or corpus.traceback,
        cache_key=doc.cache_key,
    )


class DocumentRow(NamedTuple):
    """The ``documents`` columns a document is rebuilt from (see :func:`document_from_row`)."""

    seq: int
    id: str
    source: str | None
    title: str | None
    raw: str | None
    text: str | None
    lang: str | None
    meta: str | None
    source_text: str | None
    source_lang: str | None
    raw_hash: str | None
    text_hash: str | None
    error: str | None
    length: int
    n_findings: int


def document_from_row(row: DocumentRow) -> Document:
    """A stored document; ``text`` is NULL in the store while it equals ``raw``."""
    doc = Document(
        id=row.id,
        raw=row.raw or "",
        source=row.source or "",
        title=row.title or "",
        lang=row.lang,
        meta=loads(row.meta) or {},
        source_text=row.source_text,
        source_lang=row.source_lang,
    )
    return doc if row.text is None else doc.with_text(row.text)
