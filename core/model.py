"""The data model shared by the engine, the store, plugins and the UI.

Everything here is a plain frozen dataclass that converts to and from a versioned JSON form
(:func:`to_json` / :func:`from_json`). Offsets are character offsets into Python strings.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1
"""Version of the JSON form of these dataclasses, stored with every run."""

STAGES: tuple[str, ...] = ("clean", "quality", "dedup", "entities", "summarize")
"""The five stages, in their default order."""

Severity = Literal["info", "warning", "error"]
SEVERITIES: tuple[str, ...] = ("info", "warning", "error")
Status = Literal["ok", "error", "skipped", "cached"]
ClusterKind = Literal["exact", "near", "story", "event"]


@dataclass(frozen=True, order=True)
class Span:
    """A half-open character range ``[start, end)``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def slice(self, text: str) -> str:
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Document:
    """One document of a corpus.

    ``raw`` is the text as read; ``text`` is the text after the clean stage (equal to ``raw``
    before it runs). ``source_text``/``source_lang`` hold the original a translation came from,
    when known, which enables bilingual checks.
    """

    id: str
    raw: str
    text: str = ""
    source: str = ""
    title: str = ""
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    source_text: str | None = None
    source_lang: str | None = None

    def __post_init__(self) -> None:
        if not self.text and self.raw:
            object.__setattr__(self, "text", self.raw)

    def with_text(self, text: str) -> Document:
        """A copy with ``text`` replaced, keeping an empty text empty (a fully cleaned page)."""
        doc = dataclasses.replace(self, text=text)
        if not text:
            object.__setattr__(doc, "text", "")
        return doc


@dataclass(frozen=True)
class Finding:
    """Something a plugin found in a document.

    ``span`` points into the document's cleaned ``text`` (or is ``None`` for a whole-document
    finding). ``code`` is stable and namespaced, e.g. ``mt.pronoun-gender``. ``message`` is one
    sentence a person understands. ``plugin`` is filled in by the engine.
    """

    code: str
    message: str
    severity: Severity = "warning"
    span: Span | None = None
    evidence: str | None = None
    suggestion: str | None = None
    plugin: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edit:
    """A change a clean-stage plugin made (or, with ``applied=False``, only proposes).

    A plugin reports ``span`` in the text it received; the engine maps stored edits back to
    offsets in the document's ``raw`` text. ``replacement`` is the new text for that span
    (``""`` for a removal). ``reason`` is a stable code such as ``boilerplate.share``.
    """

    span: Span
    replacement: str
    reason: str
    confidence: float = 1.0
    applied: bool = True
    plugin: str = ""


@dataclass(frozen=True)
class Result:
    """What a per-document hook returns; the engine wraps it into a :class:`StageResult`.

    ``text`` is only meaningful for the clean stage: the new text, which later plugins see.
    ``data`` must be JSON-serializable.
    """

    score: float | None = None
    label: str | None = None
    findings: tuple[Finding, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class StageResult:
    """The stored outcome of one plugin on one document."""

    doc_id: str
    plugin: str
    stage: str
    status: Status
    score: float | None = None
    label: str | None = None
    findings: tuple[Finding, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    edits: tuple[Edit, ...] = ()
    duration: float = 0.0
    error: str | None = None
    traceback: str | None = None
    cache_key: str = ""


@dataclass(frozen=True)
class ClusterMember:
    doc_id: str
    similarity: float = 1.0


@dataclass(frozen=True)
class Cluster:
    """A group of documents: exact or near duplicates, versions of one story, or one event."""

    id: str
    kind: ClusterKind
    members: tuple[ClusterMember, ...]
    representative: str
    plugin: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Alignment:
    """Two sentences, in two versions of a story, that say the same thing."""

    cluster_id: str
    doc_a: str
    span_a: Span
    doc_b: str
    span_b: Span
    score: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Mention:
    doc_id: str
    span: Span
    text: str
    label: str = ""


@dataclass(frozen=True)
class Entity:
    """One entry of the corpus entity index: a KB entity (``kb_id``) or a NIL cluster."""

    id: str
    name: str
    type: str
    mentions: tuple[Mention, ...] = ()
    kb_id: str | None = None
    description: str = ""
    plugin: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CorpusResult:
    """What a corpus hook returns.

    ``doc_results`` maps a document id to a per-document :class:`Result` the corpus hook produced
    (e.g. dedup's "near-duplicate of X" finding); they are stored under the plugin's name.
    """

    clusters: tuple[Cluster, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    entities: tuple[Entity, ...] = ()
    doc_results: dict[str, Result] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


# --- JSON form -------------------------------------------------------------------------------

_TYPES: dict[str, type] = {
    c.__name__: c
    for c in (
        Span,
        Document,
        Finding,
        Edit,
        Result,
        StageResult,
        ClusterMember,
        Cluster,
        Alignment,
        Mention,
        Entity,
        CorpusResult,
    )
}


_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...] | None] = {}  # a dataclass's field names; None: not one
_NAME_SETS: dict[type, set[str]] = {}


def _field_names(t: type, obj: Any) -> tuple[str, ...] | None:
    if t not in _FIELDS:
        is_model = dataclasses.is_dataclass(obj) and not isinstance(obj, type)
        _FIELDS[t] = tuple(f.name for f in dataclasses.fields(obj)) if is_model else None
        _NAME_SETS[t] = set(_FIELDS[t] or ())
    return _FIELDS[t]


def to_dict(obj: Any) -> Any:
    """Convert a model object (or containers of them) to JSON-ready Python values."""
    t = type(obj)
    if t in _PLAIN:  # most values: nothing to convert (and nothing to look up)
        return obj
    plain = _PLAIN
    names = _field_names(t, obj)
    if names is not None:
        values = getattr(obj, "__dict__", None)
        if values is None or values.keys() != _NAME_SETS[t]:  # slots, or other attributes
            values = {n: getattr(obj, n) for n in names}
        out = {}
        for n in names:
            v = values[n]
            out[n] = v if type(v) in plain else to_dict(v)
        return out
    if isinstance(obj, (list, tuple)):
        return [v if type(v) in plain else to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): v if type(v) in plain else to_dict(v) for k, v in obj.items()}
    return obj


def to_json(obj: Any) -> dict[str, Any]:
    """The versioned JSON form of one model object: ``{"schema": 1, "type": ..., "value": ...}``."""
    return {"schema": SCHEMA_VERSION, "type": type(obj).__name__, "value": to_dict(obj)}


def from_json(payload: dict[str, Any]) -> Any:
    """Inverse of :func:`to_json`; rejects unknown schema versions."""
    if payload.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"unsupported textmill schema version {payload.get('schema')!r}")
    cls = _TYPES[payload["type"]]
    return from_dict(cls, payload["value"])


_Converter = Callable[[Any], Any]
_PLANS: dict[type, tuple[tuple[str, _Converter | None], ...]] = {}


def _converter(tp: Any) -> _Converter | None:
    """How to convert a JSON value to a field of type ``tp`` (``None``: it is taken as is).
    Worked out once per field type, not once per value."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(args[0]) if len(args) == 1 else None
    if origin is tuple:
        (inner, *_rest) = typing.get_args(tp)
        each = _converter(inner)
        if each is None:
            return lambda v: None if v is None else tuple(v)
        item: _Converter = each
        return lambda v: None if v is None else tuple(item(x) for x in v)
    if origin is dict:
        _k, vt = typing.get_args(tp)
        each = _converter(vt)
        if each is None:
            return None
        value: _Converter = each
        return lambda v: None if v is None else {k: value(x) for k, x in v.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        cls: type = tp
        return lambda v: None if v is None else from_dict(cls, v)
    return None


def _plan(cls: type) -> tuple[tuple[str, _Converter | None], ...]:
    if cls not in _PLANS:
        hints = typing.get_type_hints(cls)
        _PLANS[cls] = tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls))
    return _PLANS[cls]


def from_dict(cls: type, value: dict[str, Any]) -> Any:
    """Build a model dataclass from :func:`to_dict` output, converting nested objects."""
    kwargs = {}
    for name, convert in _plan(cls):
        if name in value:
            v = value[name]
            kwargs[name] = v if convert is None else convert(v)
    return cls(**kwargs)
