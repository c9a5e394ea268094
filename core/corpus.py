"""The store-backed :class:`~textmill.context.Corpus` given to prepare and corpus hooks."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import replace

from textmill.memo import Memo
from textmill.model import Alignment, Cluster, Document, Entity, StageResult
from textmill.store import Store


class StoreCorpus:
    """A read-only, streaming view of the corpus in a run store.

    With ``raw=True`` (for prepare hooks) documents are given with ``text`` equal to ``raw``.

    A step sees the store as a fresh run would have left it when the step starts, whatever
    earlier runs stored: ``seen`` names the plugins whose per-document results it may read
    (those before it in the chain, and its own), and ``merged`` those whose corpus hooks ran
    before it, whose corpus-phase results, clusters, alignments and entities it may read. A
    corpus hook thus never reads what it (or a later corpus hook) made in an earlier run.
    ``None`` lets it see everything. ``memo`` is what the hook keeps between runs (see
    :mod:`textmill.memo`; one that keeps nothing when not given).
    """

    def __init__(
        self,
        store: Store,
        *,
        raw: bool = False,
        page: int = 500,
        seen: Collection[str] | None = None,
        merged: Collection[str] | None = None,
        memo: Memo | None = None,
    ) -> None:
        self.store = store
        self.memo = memo if memo is not None else Memo()
        self.raw = raw
        self.page = page
        self.seen = None if seen is None else frozenset(seen)
        self.merged = None if merged is None else frozenset(merged)

    def __len__(self) -> int:
        return self.store.count_documents()

    def _view(self, doc: Document) -> Document:
        return replace(doc, text=doc.raw) if self.raw else doc

    def _sees(self, plugin: str) -> bool:
        return self.seen is None or plugin in self.seen

    def _merges(self, plugin: str) -> bool:
        return self.merged is None or plugin in self.merged

    def documents(self) -> Iterator[Document]:
        # In id order, as the Corpus protocol says: a corpus hook's output must not depend on
        # the order documents were first read (a fresh run reads them in another).
        for page in self.store.iter_documents(self.page, by_id=True):
            for doc in page:
                yield self._view(doc)

    def document(self, doc_id: str) -> Document | None:
        doc = self.store.document(doc_id)
        return self._view(doc) if doc else None

    def results(self, plugin: str) -> Iterator[StageResult]:
        if not self._sees(plugin):
            return iter(())
        return self.store.iter_results(plugin, "doc", by_id=True)

    def result(self, doc_id: str, plugin: str) -> StageResult | None:
        if self._merges(plugin):
            if self._sees(plugin):
                return self.store.merged_result(doc_id, plugin)
            return self.store.result(doc_id, plugin, "corpus")
        if self._sees(plugin):
            return self.store.result(doc_id, plugin, "doc")
        return None

    def clusters(self, kind: str | None = None) -> list[Cluster]:
        """Every cluster (of ``kind``) by id, each with its members, the most similar first."""
        return [c for c in self.store.clusters(kind) if self._merges(c.plugin)]

    def alignments(self, cluster_id: str | None = None) -> list[Alignment]:
        found = self.store.alignments(cluster_id)
        if self.merged is None or not found:
            return found
        allowed = {c.id for c in self.clusters()}
        return [a for a in found if a.cluster_id in allowed]

    def entities(self) -> list[Entity]:
        return [e for e in self.store.entities() if self._merges(e.plugin)]

    def entity(self, entity_id: str) -> Entity | None:
        """One entity with its mentions, by primary key (no scan of the index)."""
        e = self.store.entity(entity_id)
        return e if e is not None and self._merges(e.plugin) else None
