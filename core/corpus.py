"""The store-backed :class:`~textmill.context.Corpus` given to prepare and corpus hooks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from textmill.model import (
    Alignment,
    Cluster,
    ClusterMember,
    Document,
    Entity,
    Mention,
    Span,
    StageResult,
)
from textmill.store import Store, loads, merge_results


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
        return merge_results(
            self.store.result(doc_id, plugin, "doc"), self.store.result(doc_id, plugin, "corpus")
        )

    def clusters(self, kind: str | None = None) -> list[Cluster]:
        conn = self.store.conn
        q = "SELECT * FROM clusters" + (" WHERE kind=?" if kind else "") + " ORDER BY id"
        rows = conn.execute(q, (kind,) if kind else ()).fetchall()
        out = []
        for r in rows:
            members = tuple(
                ClusterMember(m[0], m[1])
                for m in conn.execute(
                    "SELECT doc_id, similarity FROM cluster_members WHERE cluster_id=? "
                    "ORDER BY similarity DESC, doc_id",
                    (r["id"],),
                )
            )
            out.append(
                Cluster(
                    r["id"],
                    r["kind"],
                    members,
                    r["representative"],
                    r["plugin"],
                    loads(r["data"]) or {},
                )
            )
        return out

    def alignments(self, cluster_id: str | None = None) -> list[Alignment]:
        q = "SELECT * FROM alignments" + (" WHERE cluster_id=?" if cluster_id else "")
        rows = self.store.conn.execute(q, (cluster_id,) if cluster_id else ()).fetchall()
        return [alignment_from_row(r) for r in rows]

    def entities(self) -> list[Entity]:
        rows = self.store.conn.execute(
            "SELECT * FROM entities ORDER BY mention_count DESC, id"
        ).fetchall()
        return [self._entity(r) for r in rows]

    def entity(self, entity_id: str) -> Entity | None:
        """One entity with its mentions, by primary key (no scan of the index)."""
        row = self.store.conn.execute("SELECT * FROM entities WHERE id=?", (entity_id,)).fetchone()
        return self._entity(row) if row is not None else None

    def _entity(self, r: Any) -> Entity:
        mentions = tuple(
            Mention(m["doc_id"], Span(m["start"], m["end"]), m["text"], m["label"])
            for m in self.store.conn.execute("SELECT * FROM mentions WHERE entity_id=?", (r["id"],))
        )
        return Entity(
            r["id"],
            r["name"],
            r["type"],
            mentions,
            r["kb_id"],
            r["description"] or "",
            r["plugin"],
            loads(r["data"]) or {},
        )


def alignment_from_row(r: Any) -> Alignment:
    """An :class:`Alignment` from a row of the ``alignments`` table."""
    return Alignment(
        r["cluster_id"],
        r["doc_a"],
        Span(r["a_start"], r["a_end"]),
        r["doc_b"],
        Span(r["b_start"], r["b_end"]),
        r["score"],
        loads(r["data"]) or {},
    )
