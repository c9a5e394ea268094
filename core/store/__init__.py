"""The run store: the only code in textmill that holds SQL or knows the shape of a row.

- :mod:`~textmill.store.runstore`: :class:`Store`, opening a store and what the engine reads
- :mod:`~textmill.store.writer`: :class:`Writer`, every write, one transaction each
- :mod:`~textmill.store.lock`: one writer per store (a lock file held for a run)
- :mod:`~textmill.store.rows`: the typed row records the engine and workers exchange with it
- :mod:`~textmill.store.schema`: the numbered migrations (and so the store's version)
- :mod:`~textmill.store.search`: upkeep of the full-text index
- :mod:`~textmill.store.generations`: the write counters freshness checks read
- :mod:`~textmill.store.outputs`: clusters, alignments and entities as corpus hooks made them
- :mod:`~textmill.store.reads`: the query layer's reads (documents, clusters, entities, figures)
"""

from textmill.store.db import chunks, dumps, loads
from textmill.store.rows import (
    CacheEntry,
    CleanedText,
    DocumentFields,
    FindingRow,
    HashedDocument,
    KnownDocument,
    NewDocument,
    ResultId,
    ResultRow,
    finding_rows,
    merge_results,
    payload,
    result_from_row,
)
from textmill.store.runstore import Store
from textmill.store.schema import STORE_VERSION, OutdatedStore
from textmill.store.writer import Writer

__all__ = [
    "STORE_VERSION",
    "CacheEntry",
    "CleanedText",
    "DocumentFields",
    "FindingRow",
    "HashedDocument",
    "KnownDocument",
    "NewDocument",
    "OutdatedStore",
    "ResultId",
    "ResultRow",
    "Store",
    "Writer",
    "chunks",
    "dumps",
    "finding_rows",
    "loads",
    "merge_results",
    "payload",
    "result_from_row",
]
