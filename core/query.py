"""The query layer over a run store, shared by the TUI, ``textmill show`` and exports.

:class:`Query` is the one object they read through. Its parts, and all their SQL, live in the
store package (:mod:`textmill.store.reads`): documents (filters, sorted pages, positions, one
document, bulk reads for exports), clusters, entities and run figures. Open it read-only while a
run writes: SQLite's WAL mode allows that.
"""

from __future__ import annotations

from pathlib import Path

from textmill.corpus import StoreCorpus
from textmill.store import OutdatedStore, Store
from textmill.store.reads.clusters import CLUSTER_KINDS, ClusterReads, ClusterRow, MemberRow
from textmill.store.reads.documents import (
    FILTER_GRAMMAR,
    LISTED_MAX,
    SORTABLE,
    AmbiguousId,
    DocRow,
    DocumentReads,
    DocumentRecord,
    DocumentView,
    Filter,
    FilterError,
    Page,
    parse_filter,
)
from textmill.store.reads.entities import EntityReads, MentionRow
from textmill.store.reads.figures import RunFigures

__all__ = [
    "CLUSTER_KINDS",
    "FILTER_GRAMMAR",
    "LISTED_MAX",
    "SORTABLE",
    "AmbiguousId",
    "ClusterRow",
    "DocRow",
    "DocumentRecord",
    "DocumentView",
    "Filter",
    "FilterError",
    "MemberRow",
    "MentionRow",
    "Page",
    "Query",
    "parse_filter",
]


class Query(DocumentReads, ClusterReads, EntityReads, RunFigures):
    """Read access to one run store. It never writes: open an outdated store with
    :meth:`open`, which upgrades it first."""

    def __init__(self, path: Path | str | Store) -> None:
        super().__init__(path if isinstance(path, Store) else Store(path, readonly=True))
        self.corpus = StoreCorpus(self.store)

    @classmethod
    def open(cls, path: Path | str) -> Query:
        """A query on the store at ``path``, upgrading it in place first if it is of an
        earlier version (the one write; a store in use by a run upgrades once it finishes)."""
        try:
            return cls(path)
        except OutdatedStore:
            Store.upgrade(path)
            return cls(path)

    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
        self.store.close()
