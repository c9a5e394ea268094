"""Freshness: whether a step's input is unchanged since it last ran, and the record that says so.

Every cache decision of the engine is made here, so what a step's cache covers can change in
this one module:

- **Per-document keys** (:class:`DocKeys`): a doc step's result on a document is kept when its
  key matches the stored one. The key hashes the plugin's name, version and settings, the text
  it saw, the document's other fields, its prepared state and the keys of the results it
  depends on.
- **Prepare and corpus keys** (:func:`step_key`): the plugin, version, settings and a digest of
  what the step can see of the corpus (:func:`corpus_digest`).
- **Checks** (:class:`Check`): memos that let a step skip work without reading what it would
  compare. A check names what its outcome depends on besides the store (its ``signature``:
  paths, plugins, versions, settings…) and the store's write counters it reads (``watched``,
  see :mod:`textmill.store.generations`). :meth:`Freshness.fresh` answers whether any of that
  changed since :meth:`Freshness.record`; the checks are the input files' fingerprint
  (:func:`input_check`), a segment of doc steps (:func:`segment_check`), the corpus digests
  (:func:`view_check`) and the mean scores (:func:`means_check`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from orjson import OPT_SORT_KEYS, dumps
from textmill.chain import Step, StepKind
from textmill.model import Document, to_dict
from textmill.store import Store, Writer, generations

if TYPE_CHECKING:
    from textmill.segment import SegmentJob

T = TypeVar("T")


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def fields_hash(doc: Document) -> str:
    """The hash of what a plugin sees besides the text (title, language, metadata, source text
    and language), or ``""`` when the document has none of them, so plain texts keep the keys
    of their text alone."""
    if not (doc.title or doc.lang or doc.meta or doc.source_text or doc.source_lang):
        return ""
    fields = [doc.title, doc.lang, doc.meta, doc.source_text, doc.source_lang]
    return hashlib.blake2b(
        dumps(fields, option=OPT_SORT_KEYS, default=str), digest_size=8
    ).hexdigest()


def key(*parts: str) -> str:
    """A cache key: the hash of ``parts`` joined by NUL characters."""
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()


# --- per-document keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocKeys:
    """How one doc step's per-document cache keys are made: what is the same for every
    document is joined once, here."""

    prefix: str  # plugin, version, settings hash
    suffix: str  # after the text hash: the prepared state's hash
    deps: tuple[str, ...]  # plugins whose result keys the key hashes, in this order

    @classmethod
    def of(
        cls, step: Step, prepared_hash: str, deps: Sequence[str], by_part: bool = False
    ) -> DocKeys:
        """``by_part``: the plugin says which part of its prepared state each document depends
        on (``textmill_prepared_part``), so keys hash that part rather than the whole state."""
        return cls(
            f"{step.plugin}\x00{step.version}\x00{step.settings_hash}\x00",
            "\x00part:" if by_part and prepared_hash else f"\x00{prepared_hash}",
            tuple(deps),
        )

    def key(
        self,
        text_hash: str,
        fields_hash: str,
        dep_keys: Iterable[str] = (),
        part_hash: str = "",
    ) -> str:
        """The key of the step's result on a document whose text (as the step sees it) hashes
        to ``text_hash``, given the keys of the results of :attr:`deps` on it (a dependency
        whose corpus hook runs first gives its corpus-phase key too) and the hash of the part
        of the prepared state the document depends on."""
        material = self.prefix + text_hash + fields_hash + self.suffix + part_hash
        if self.deps:
            material += "".join("\x00" + k for k in dep_keys)
        return hashlib.blake2b(material.encode(), digest_size=16).hexdigest()


def corpus_result_key(plugin: str, version: str, result: Any) -> str:
    """The key a corpus hook's result on one document is stored with: the hash of what it says
    (score, label, findings, data), so a later step that reads it re-runs on a document only
    when what the corpus hook said about that document changed, not whenever the corpus did."""
    body = [
        plugin,
        version,
        result.score,
        result.label,
        [to_dict(f) for f in result.findings],
        result.data,
    ]
    return key("corpus-result", dumps(body, option=OPT_SORT_KEYS, default=str).decode())


def step_key(step: Step, digest: str) -> str:
    """The key of a prepare or corpus step's output: its plugin, version and settings, and the
    digest of what it sees (:func:`corpus_digest`)."""
    return key(step.plugin, step.version, step.settings_hash, digest)


def memo_prefix(step: Step) -> str:
    """What every key of a corpus hook's memo (:mod:`textmill.memo`) hashes besides its own:
    the plugin's version and settings, so that neither sees values made by another."""
    return key("memo", step.version, step.settings_hash)


def corpus_digest(store: Store, raw: bool, seen: set[str], allowed: set[str]) -> str:
    """A hash of what a prepare (``raw``) or corpus step can see: every document's text and,
    for a corpus step, the results of ``seen`` plugins and the corpus outputs of ``allowed``
    ones. It reads every document and result: see :func:`view_check` to skip it."""
    h = hashlib.blake2b(digest_size=16)
    for doc_id, hashed in store.text_hashes(raw=raw):
        h.update(f"{doc_id}\x00{hashed}\x01".encode())
    if not raw:
        for r in store.result_keys():
            if r.plugin in seen:
                h.update(f"{r.doc_id}\x00{r.plugin}\x00{r.cache_key}\x01".encode())
        for o in store.output_keys():
            if o.plugin in allowed:
                h.update(f"{o.plugin}\x00{o.key}\x01".encode())
    return h.hexdigest()


# --- checks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """What a memo depends on: its ``signature`` (what is not in the store) and the write
    counters it reads; recorded in the cache under ``owner`` and ``kind``."""

    owner: str
    kind: str
    signature: str
    watched: tuple[str, ...]


def input_check(roots: Sequence[Path], options: Sequence[Any], files: Any) -> Check:
    """The input as the readers would read it again: the paths, the reader settings and
    textmill's version (``options``), and each file's fingerprint; and the documents as the
    last ingest left them."""
    signature = key("input", dumps([[str(r) for r in roots], list(options), files]).decode())
    return Check("", "input", signature, (generations.DOCUMENTS,))


def segment_check(job: SegmentJob, with_doc_step: set[str]) -> Check:
    """A pass over a segment of doc steps: what every result key of the segment hashes,
    besides the documents and the stored results (the steps' plugins, versions, settings,
    prepared states and needs), and the counters of what the keys read from the store: the
    documents, the segment's own stored results, and those of the plugins its keys depend on
    (their corpus-phase results too when they have no per-document hook, since then those
    carry the key). ``with_doc_step``: the plugins of the plan with a per-document hook."""
    parts = []
    watched = {generations.DOCUMENTS, generations.TEXTS}
    for s in job.steps:
        deps = job.deps[s.plugin]
        parts.append(
            dumps(
                [
                    s.plugin,
                    s.version,
                    s.settings_hash,
                    s.stage,
                    job.prepared.get(s.plugin, ("", None))[0],
                    deps,
                    job.earlier[s.plugin],
                    job.merged.get(s.plugin, []),
                ]
            ).decode()
        )
        watched.add(generations.results(s.plugin, "doc"))
        for p in job.pre_clean:
            watched.add(generations.results(p, "doc"))
        for p in deps:
            watched.add(generations.results(p, "doc"))
            if p not in with_doc_step:
                watched.add(generations.results(p, "corpus"))
    label = ", ".join(s.plugin for s in job.steps)
    return Check(label, "segment", key("segment", *parts), tuple(sorted(watched)))


def view_check(step: Step, raw: bool, seen: set[str], allowed: set[str]) -> Check:
    """The corpus as a prepare (``raw``) or corpus step sees it (see :func:`corpus_digest`)."""
    watched = [generations.DOCUMENTS] if raw else [generations.DOCUMENTS, generations.TEXTS]
    if not raw:
        watched += [generations.results(p, "doc") for p in sorted(seen)]
        watched += [generations.cache(p, "corpus") for p in sorted(allowed)]
    signature = key("digest", dumps([raw, sorted(seen), sorted(allowed)]).decode())
    return Check(step.plugin, "digest:raw" if raw else "digest", signature, tuple(watched))


def means_check(counters: Mapping[str, int]) -> Check:
    """Each plugin's mean score: every plugin's results (``counters``: the store's now)."""
    watched = tuple(sorted(n for n in counters if n.startswith(generations.RESULTS)))
    return Check("", "means", "means", watched)


def corpus_views(
    plan: Sequence[Step], order: Sequence[str], step: Step
) -> tuple[set[str], set[str]]:
    """What a corpus step sees: the plugins whose per-document results it can read (those
    before it, and its own), and those whose corpus outputs it can read. Only corpus steps
    that run before it count: a later corpus step (e.g. checks that read this step's
    clusters) must not invalidate it, or each run would redo both."""
    idx = max(i for i, p in enumerate(order) if p == step.plugin)
    seen = {p for p in order[:idx] if p != step.plugin} | {step.plugin}
    before = {s.plugin for s in plan[:idx] if s.kind is StepKind.CORPUS and s.plugin != step.plugin}
    return seen, before


class Freshness:
    """Answers and records :class:`Check` s against one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _key(self, check: Check, counters: Mapping[str, int]) -> str:
        state = [[n, counters.get(n, 0)] for n in check.watched]
        return key(check.signature, dumps(state).decode())

    def fresh(self, check: Check) -> Any | None:
        """What :meth:`record` kept for ``check`` if nothing it depends on changed since, else
        ``None``."""
        last = self.store.cache_get(check.owner, check.kind)
        if last is None or last.key != self._key(check, self.store.generations()):
            return None
        return last.value

    def record(self, check: Check, value: Any = True, tx: Writer | None = None) -> Any:
        """Remember that ``check`` holds as the store is now (in ``tx``, or a transaction of its
        own), with ``value`` (not ``None``) to give back; returns the value as stored."""
        if tx is None:
            with self.store.transaction() as own:
                return self.record(check, value, own)
        return tx.cache_put(check.owner, check.kind, self._key(check, tx.generations()), value)

    def forget(self, check: Check, tx: Writer) -> None:
        """Drop the record of ``check`` (its input cannot be trusted to be unchanged)."""
        tx.cache_drop(check.owner, check.kind)

    def memo(self, check: Check, compute: Callable[[], T]) -> T:
        """The value recorded for ``check`` while it holds; else ``compute()``, recorded."""
        value = self.fresh(check)
        if value is None:
            value = compute()
            self.record(check, value)
        return value
