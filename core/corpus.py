"""The store-backed :class:`~textmill.context.Corpus` given to prepare and corpus hooks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from textmill.model import Alignment, Cluster, Document, Entity, StageResult
from textmill.store import Store


class StoreCorpus:
    """A read-only, streaming view of the corpus in a run store.

    With ``raw=True`` (for prepare hooks) documents are given with ``text`` equal to ``raw``.
    """

    def __init__(self, store: Store, *, raw: bool = False, page: int = 500) -> None:
        self.store = store
        self.raw = raw
        self.page = page

    def __len__(self) -> int:
        return self.store.count_documents()

    def _view(self, doc: Document) -> Document:
        return replace(doc, text=doc.raw) if self.raw else doc

    def documents(self) -> Iterator[Document]:
        for page in self.store.iter_documents(self.page):
            for doc in page:
                yield self._view(doc)

    def document(self, doc_id: str) -> Document | None:
        doc = self.store.document(doc_id)
        return self._view(doc) if doc else None

    def results(self, plugin: str) -> Iterator[StageResult]:
        return self.store.iter_results(plugin, "doc")

    def result(self, doc_id: str, plugin: str) -> StageResult | None:
        return self.store.merged_result(doc_id, plugin)

    def clusters(self, kind: str | None = None) -> list[Cluster]:
        """Every cluster (of ``kind``) by id, each with its members, the most similar first."""
        return self.store.clusters(kind)

    def alignments(self, cluster_id: str | None = None) -> list[Alignment]:
        return self.store.alignments(cluster_id)

    def entities(self) -> list[Entity]:
        return self.store.entities()

    def entity(self, entity_id: str) -> Entity | None:
        """One entity with its mentions, by primary key (no scan of the index)."""
        return self.store.entity(entity_id)
